/**
 * The analysis cache on disk (the CLI's, and the Action's when its directory is restored by
 * `actions/cache`): one file, read whole when a run starts and written whole, atomically, when it ends.
 *
 * File layout: a first line `readiness-gates analysis cache 1`, a JSON line
 * `{"stamp", "sha256", "bytes"}`, then the payload: a V8-serialised array of `[key, value]` pairs, least
 * recently used first. A file whose stamp is another build's, whose checksum or size does not match, or
 * that does not deserialise into that shape is ignored (and replaced on save): never trusted, never an
 * error. Values are checked again by their readers ({@link cached}).
 */
import { mkdirSync, openSync, closeSync, readFileSync, renameSync, statSync, writeFileSync, unlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { CACHE_STAMP, MemoryCache, estimateSize } from '../core/cache.js';

const MAGIC = 'readiness-gates analysis cache 1';
/** Default bound: the file never grows past this (oldest entries dropped first). */
export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;
const FILE_NAME = 'analysis-cache.bin';

/** Why a cache file was not loaded, for `--verbose`; undefined when it was. */
export type CacheLoadProblem = 'missing' | 'foreign' | 'corrupt' | 'too-large';

export class DiskCache extends MemoryCache {
  readonly path: string;
  /** Why the file was not used at start (undefined: loaded). */
  readonly loadProblem: CacheLoadProblem | undefined;
  private readonly limit: number;

  constructor(directory: string, maxBytes = DEFAULT_CACHE_BYTES) {
    super(maxBytes);
    this.limit = maxBytes;
    this.path = join(directory, FILE_NAME);
    this.loadProblem = this.load();
  }

  private load(): CacheLoadProblem | undefined {
    let size: number;
    try {
      size = statSync(this.path).size;
    } catch {
      return 'missing';
    }
    // The payload is bounded by the same limit; a bigger file is not ours to trust (or too costly to read).
    if (size > this.limit + 4096) return 'too-large';
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.path);
    } catch {
      return 'corrupt';
    }
    const first = bytes.indexOf(0x0a);
    const second = first < 0 ? -1 : bytes.indexOf(0x0a, first + 1);
    if (second < 0 || bytes.subarray(0, first).toString('utf8') !== MAGIC) return 'corrupt';
    let header: unknown;
    try {
      header = JSON.parse(bytes.subarray(first + 1, second).toString('utf8'));
    } catch {
      return 'corrupt';
    }
    const h = header as { stamp?: unknown; sha256?: unknown; bytes?: unknown };
    if (typeof h !== 'object' || h === null || typeof h.sha256 !== 'string' || typeof h.bytes !== 'number')
      return 'corrupt';
    if (h.stamp !== CACHE_STAMP) return 'foreign';
    const payload = bytes.subarray(second + 1);
    if (payload.length !== h.bytes || createHash('sha256').update(payload).digest('hex') !== h.sha256) return 'corrupt';
    let pairs: unknown;
    try {
      pairs = deserialize(payload);
    } catch {
      return 'corrupt';
    }
    if (!Array.isArray(pairs)) return 'corrupt';
    for (const pair of pairs) {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') return this.reset('corrupt');
      this.put(pair[0], pair[1], estimateSize(pair[1]) + pair[0].length);
    }
    return undefined;
  }

  private reset(problem: CacheLoadProblem): CacheLoadProblem {
    this.entries.clear();
    return problem;
  }

  /**
   * Writes the store (only when something was added). Atomic: a temporary file renamed over the old one,
   * so a reader never sees half a file and two runs at once leave one of their files whole. Never
   * throws: a cache that cannot be saved only makes the next run slower.
   */
  save(): { saved: boolean; error?: string } {
    if (this.stats.writes === 0) return { saved: false };
    let pairs = [...this.entries].map(([k, e]) => [k, e.value] as const);
    let payload = serialize(pairs);
    // The size estimate is rough: drop the oldest quarter until the real payload fits.
    while (payload.length > this.limit && pairs.length > 0) {
      pairs = pairs.slice(Math.ceil(pairs.length / 4));
      payload = serialize(pairs);
    }
    const header = JSON.stringify({
      stamp: CACHE_STAMP,
      sha256: createHash('sha256').update(payload).digest('hex'),
      bytes: payload.length,
    });
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeFileSync(fd, `${MAGIC}\n${header}\n`);
        writeFileSync(fd, payload);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path);
      return { saved: true };
    } catch (err) {
      try {
        unlinkSync(tmp);
      } catch {
        // Nothing was written.
      }
      return { saved: false, error: (err as Error).message };
    }
  }
}
