/**
 * The analysis cache on disk (the CLI's, and the Action's when its directory is restored by
 * `actions/cache`): one file, read when a run starts and rewritten, atomically, when it ends.
 *
 * File layout: a first line `readiness-gates analysis cache 2`, a JSON line
 * `{"stamp", "indexBytes", "indexSha256", "dataBytes"}`, the index (JSON: `[key, offset, length, sha1]`
 * per entry, least recently used first), then the values, each V8-serialised. Only the index is read at
 * start; a value is checked (its sha1) and deserialised when it is asked for, so a run pays for the
 * entries it uses, not for the size of the file, and untouched entries are copied as bytes on save.
 *
 * A file whose stamp is another build's, whose index does not match its checksum or whose sizes do not add
 * up is ignored (and replaced on save); a value whose bytes do not match its sha1 or do not deserialise is
 * a miss: never trusted, never an error. Values are checked again by their readers ({@link cached}).
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { CACHE_STAMP, MemoryCache } from '../core/cache.js';

const MAGIC = 'readiness-gates analysis cache 2';
/** Default bound: the file never grows past this (least recently used entries dropped first). */
export const DEFAULT_CACHE_BYTES = 128 * 1024 * 1024;
const FILE_NAME = 'analysis-cache.bin';

/** Why a cache file was not loaded, for `--verbose`; undefined when it was. */
export type CacheLoadProblem = 'missing' | 'foreign' | 'corrupt' | 'too-large';

/** An entry still in the file's bytes: deserialised on first use. */
interface Stored {
  offset: number;
  length: number;
  sha1: string;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
}

const sha1 = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest('hex');

export class DiskCache extends MemoryCache {
  readonly path: string;
  /** Why the file was not used at start (undefined: loaded). */
  readonly loadProblem: CacheLoadProblem | undefined;
  private readonly limit: number;
  /** The loaded file's values section, and the entries not asked for yet (oldest first). */
  private data: Buffer = Buffer.alloc(0);
  private readonly stored = new Map<string, Stored>();

  constructor(directory: string, maxBytes = DEFAULT_CACHE_BYTES) {
    super(maxBytes);
    this.limit = maxBytes;
    this.path = join(directory, FILE_NAME);
    this.loadProblem = this.load();
  }

  override get(key: string): unknown {
    const lazy = this.stored.get(key);
    if (lazy) {
      this.stored.delete(key);
      const bytes = this.data.subarray(lazy.offset, lazy.offset + lazy.length);
      if (sha1(bytes) === lazy.sha1) {
        try {
          this.put(key, deserialize(bytes), lazy.length + key.length);
        } catch {
          // Bytes that do not deserialise are a miss.
        }
      }
    }
    return super.get(key);
  }

  override set(key: string, value: unknown): void {
    this.stored.delete(key);
    super.set(key, value);
  }

  /** Entries in the store, asked for or not. */
  override get size(): number {
    return super.size + this.stored.size;
  }

  /** Every key, least recently used first (for tests and tools). */
  keys(): string[] {
    return [...this.stored.keys(), ...this.entries.keys()];
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
        this.stored.clear();
        return 'corrupt';
      }
      this.stored.set(e[0], { offset: e[1], length: e[2], sha1: e[3] });
    }
    this.data = bytes.subarray(indexStart + indexBytes);
    return undefined;
  }

  /**
   * Writes the store (only when something was added). Atomic: a temporary file renamed over the old one,
   * so a reader never sees half a file and two runs at once leave one of their files whole. Entries not
   * asked for are copied as they were; the least recently used go first while the total is over the bound.
   * Never throws: a cache that cannot be saved only makes the next run slower.
   */
  save(): { saved: boolean; error?: string } {
    if (this.stats.writes === 0) return { saved: false };
    const chunks: Array<{ key: string; bytes: Uint8Array; sha1: string }> = [];
    for (const [key, s] of this.stored)
      chunks.push({ key, bytes: this.data.subarray(s.offset, s.offset + s.length), sha1: s.sha1 });
    for (const [key, e] of this.entries) {
      let bytes: Uint8Array;
      try {
        bytes = serialize(e.value);
      } catch {
        continue; // not plain data: never stored
      }
      chunks.push({ key, bytes, sha1: sha1(bytes) });
    }
    let total = chunks.reduce((n, c) => n + c.bytes.length + c.key.length + 64, 0);
    let first = 0;
    while (total > this.limit && first < chunks.length) {
      total -= chunks[first]!.bytes.length + chunks[first]!.key.length + 64;
      first++;
    }
    const kept = chunks.slice(first);
    const index: Array<[string, number, number, string]> = [];
    let offset = 0;
    for (const c of kept) {
      index.push([c.key, offset, c.bytes.length, c.sha1]);
      offset += c.bytes.length;
    }
    const indexRaw = Buffer.from(JSON.stringify(index), 'utf8');
    const header = JSON.stringify({
      stamp: CACHE_STAMP,
      indexBytes: indexRaw.length,
      indexSha256: createHash('sha256').update(indexRaw).digest('hex'),
      dataBytes: offset,
    });
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeAll(fd, Buffer.from(`${MAGIC}\n${header}\n`, 'utf8'));
        writeAll(fd, indexRaw);
        for (const c of kept) writeAll(fd, c.bytes);
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
