/**
 * The analysis cache on disk (the CLI's, and the Action's when its directory is restored by
 * `actions/cache`): one file, read when a run first uses it and rewritten, atomically, when it ends.
 *
 * File layout: a first line `readiness-gates analysis cache 2`, a JSON line
 * `{"stamp", "indexBytes", "indexSha256", "dataBytes"}`, the index (JSON: `[key, offset, length, sha1]`
 * per entry, least recently used first), then the values, each V8-serialised. Entries are kept as bytes:
 * a value is serialised when it is stored and deserialised (its sha1 checked first, for bytes read from
 * the file) when it is asked for, so a run pays for the entries it uses, not for the size of the file,
 * and the cache never keeps a run's objects alive.
 *
 * A file whose stamp is another build's, whose index does not match its checksum or whose sizes do not add
 * up is ignored (and replaced on save); a value whose bytes do not match its sha1 or do not deserialise is
 * a miss: never trusted, never an error. Values are checked again by their readers ({@link cached}).
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { threadId } from 'node:worker_threads';
import { CACHE_STAMP, type AnalysisCache, type CacheStats } from '../core/cache.js';

const MAGIC = 'readiness-gates analysis cache 2';
/** Default bound: the file never grows past this (least recently used entries dropped first). */
export const DEFAULT_CACHE_BYTES = 128 * 1024 * 1024;
const FILE_NAME = 'analysis-cache.bin';
/** What an entry costs in the file besides its value: its line of the index, roughly. */
const INDEX_OVERHEAD = 64;

/** Why a cache file was not loaded, for `--verbose`; undefined when it was. */
export type CacheLoadProblem = 'missing' | 'foreign' | 'corrupt' | 'too-large';

interface Entry {
  bytes: Uint8Array;
  sha1: string;
  /** Read from the file and not yet checked against its sha1. */
  unchecked: boolean;
}

const sha1 = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest('hex');

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
}

export class DiskCache implements AnalysisCache {
  readonly path: string;
  readonly stats: CacheStats = { hits: 0, misses: 0, writes: 0 };
  /** Why the file was not loaded (null: not read yet; see {@link loadProblem}). */
  private problem: CacheLoadProblem | undefined | null = null;
  /** Every entry as bytes, least recently used first. */
  private readonly entries = new Map<string, Entry>();
  /** Values already deserialised in this run, so asking twice deserialises once. */
  private readonly values = new Map<string, unknown>();
  private total = 0;
  /** `stats.writes` when the file was last written. */
  private savedWrites = 0;

  constructor(
    directory: string,
    private readonly limit = DEFAULT_CACHE_BYTES,
  ) {
    this.path = join(directory, FILE_NAME);
  }

  /**
   * Why the file was not used (undefined: loaded). The file is read on first use, so a check that asks
   * nothing of the cache (nothing changed) does not read it.
   */
  get loadProblem(): CacheLoadProblem | undefined {
    return this.loaded();
  }

  private loaded(): CacheLoadProblem | undefined {
    if (this.problem === null) this.problem = this.load();
    return this.problem;
  }

  get(key: string): unknown {
    this.loaded();
    const entry = this.entries.get(key);
    if (!entry) {
      this.stats.misses++;
      return undefined;
    }
    let value = this.values.get(key);
    if (value === undefined) {
      if (entry.unchecked && sha1(entry.bytes) !== entry.sha1) return this.drop(key);
      entry.unchecked = false;
      try {
        value = deserialize(entry.bytes);
      } catch {
        return this.drop(key);
      }
      this.values.set(key, value);
    }
    // Most recently used last.
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.stats.hits++;
    return value;
  }

  has(key: string): boolean {
    this.loaded();
    return this.entries.has(key);
  }

  set(key: string, value: unknown): void {
    this.loaded();
    let bytes: Uint8Array;
    try {
      bytes = serialize(value);
    } catch {
      return; // not plain data: never stored
    }
    this.remove(key);
    const cost = bytes.length + key.length + INDEX_OVERHEAD;
    if (cost > this.limit) return;
    this.entries.set(key, { bytes, sha1: sha1(bytes), unchecked: false });
    this.total += cost;
    for (const [k] of this.entries) {
      if (this.total <= this.limit) break;
      this.remove(k);
    }
    this.stats.writes++;
  }

  /**
   * Ends a run for a long-lived store (the App's workers): the values deserialised for it are dropped,
   * so the memory held between runs is the entries' bytes, within the bound.
   */
  endRun(): void {
    this.values.clear();
  }

  /** Entries in the store. */
  get size(): number {
    this.loaded();
    return this.entries.size;
  }

  /** Every key, least recently used first (for tests and tools). */
  keys(): string[] {
    this.loaded();
    return [...this.entries.keys()];
  }

  private remove(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.values.delete(key);
    this.total -= old.bytes.length + key.length + INDEX_OVERHEAD;
  }

  /** A damaged entry: removed, and a miss. */
  private drop(key: string): undefined {
    this.remove(key);
    this.stats.misses++;
    return undefined;
  }

  private load(): CacheLoadProblem | undefined {
    let size: number;
    try {
      size = statSync(this.path).size;
    } catch {
      return 'missing';
    }
    // A much bigger file is not one this bound wrote (or is too costly to read).
    if (size > this.limit * 2 + 4096) return 'too-large';
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.path);
    } catch {
      return 'corrupt';
    }
    const first = bytes.indexOf(0x0a);
    const second = first < 0 ? -1 : bytes.indexOf(0x0a, first + 1);
    if (second < 0 || bytes.subarray(0, first).toString('utf8') !== MAGIC) return 'corrupt';
    let header: { stamp?: unknown; indexBytes?: unknown; indexSha256?: unknown; dataBytes?: unknown };
    try {
      header = JSON.parse(bytes.subarray(first + 1, second).toString('utf8')) as typeof header;
    } catch {
      return 'corrupt';
    }
    if (typeof header !== 'object' || header === null) return 'corrupt';
    const { indexBytes, indexSha256, dataBytes } = header;
    if (typeof indexBytes !== 'number' || typeof dataBytes !== 'number' || typeof indexSha256 !== 'string')
      return 'corrupt';
    if (header.stamp !== CACHE_STAMP) return 'foreign';
    const indexStart = second + 1;
    if (indexStart + indexBytes + dataBytes !== bytes.length) return 'corrupt';
    const indexRaw = bytes.subarray(indexStart, indexStart + indexBytes);
    if (createHash('sha256').update(indexRaw).digest('hex') !== indexSha256) return 'corrupt';
    let index: unknown;
    try {
      index = JSON.parse(indexRaw.toString('utf8'));
    } catch {
      return 'corrupt';
    }
    if (!Array.isArray(index)) return 'corrupt';
    const data = bytes.subarray(indexStart + indexBytes);
    for (const e of index) {
      if (
        !Array.isArray(e) ||
        typeof e[0] !== 'string' ||
        !Number.isInteger(e[1]) ||
        !Number.isInteger(e[2]) ||
        typeof e[3] !== 'string' ||
        e[1] < 0 ||
        e[2] < 0 ||
        e[1] + e[2] > dataBytes
      ) {
        this.entries.clear();
        this.total = 0;
        return 'corrupt';
      }
      this.entries.set(e[0], { bytes: data.subarray(e[1], e[1] + e[2]), sha1: e[3], unchecked: true });
      this.total += e[2] + e[0].length + INDEX_OVERHEAD;
    }
    return undefined;
  }

  /**
   * Writes the store (only when something was added). Atomic: a temporary file renamed over the old one,
   * so a reader never sees half a file and two runs at once leave one of their files whole. Never
   * throws: a cache that cannot be saved only makes the next run slower.
   */
  save(): { saved: boolean; error?: string } {
    if (this.stats.writes === this.savedWrites) return { saved: false };
    const index: Array<[string, number, number, string]> = [];
    let offset = 0;
    for (const [key, e] of this.entries) {
      index.push([key, offset, e.bytes.length, e.sha1]);
      offset += e.bytes.length;
    }
    const indexRaw = Buffer.from(JSON.stringify(index), 'utf8');
    const header = JSON.stringify({
      stamp: CACHE_STAMP,
      indexBytes: indexRaw.length,
      indexSha256: createHash('sha256').update(indexRaw).digest('hex'),
      dataBytes: offset,
    });
    // Process and thread: the App's evaluation workers are threads of one process sharing the file.
    const tmp = `${this.path}.${process.pid}.${threadId}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeAll(fd, Buffer.from(`${MAGIC}\n${header}\n`, 'utf8'));
        writeAll(fd, indexRaw);
        for (const e of this.entries.values()) writeAll(fd, e.bytes);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path);
      this.savedWrites = this.stats.writes;
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
