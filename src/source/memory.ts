/**
 * In-memory ChangeSet and Snapshot, for tests and the rule fixture harness (`before/` → base, `after/` →
 * head). Line numbers come from a minimal line diff, so "which lines did this PR add" is exact.
 */
import { createHash } from 'node:crypto';
import type { ChangedFile, ChangeSet, ReadResult, ReleaseState, Snapshot } from '../core/types.js';
import { decodeSource } from '../lang/index.js';
import { globMatcher } from './globs.js';
import { DEFAULT_MAX_FILE_BYTES } from './limits.js';
import { diffLines, splitLinesKeepEnds } from './line-diff.js';

/** File contents by repository-relative path. Strings are stored as UTF-8. */
export type MemoryFiles = Readonly<Record<string, string | Uint8Array>>;

export interface MemorySnapshotOptions {
  /** Default: a sha1 of the contents, so equal trees get equal ids. */
  sha?: string;
  /** Default 1 MiB, as for git. */
  maxFileBytes?: number;
  /** What `releases()` answers; without it the snapshot has no history to ask (undefined). */
  releases?: MemoryReleases;
}

/** Releases of an in-memory history: the release refs and the tree of the newest released commit. */
export interface MemoryReleases {
  refs: readonly string[];
  released?: MemoryFiles;
}

export interface MemoryChangeSetOptions {
  base: MemoryFiles;
  head: MemoryFiles;
  /** Default "base". */
  baseRef?: string;
  /** Default "head". */
  headRef?: string;
  maxFileBytes?: number;
  /** Releases, answered by both snapshots (see {@link MemoryReleases}). */
  releases?: MemoryReleases;
}

/**
 * A snapshot over a plain object of files. Every path is a regular file (no symlinks or submodules).
 * Sorting, glob matching, decoding and size limits behave as in the git snapshot.
 */
export class MemorySnapshot implements Snapshot {
  readonly sha: string;
  private readonly bytes = new Map<string, Buffer>();
  private readonly paths: string[];
  private readonly maxFileBytes: number;
  private readonly decoded = new Map<string, ReadResult>();

  constructor(files: MemoryFiles, opts: MemorySnapshotOptions = {}) {
    for (const [path, content] of Object.entries(files)) {
      // Copied, so a caller mutating its array later cannot change the snapshot.
      this.bytes.set(path, typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content));
    }
    this.paths = [...this.bytes.keys()].sort();
    this.maxFileBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.sha = opts.sha ?? contentId(this.paths, this.bytes);
    this.releaseInfo = opts.releases;
  }

  private readonly releaseInfo: MemoryReleases | undefined;

  async releases(): Promise<ReleaseState | undefined> {
    const r = this.releaseInfo;
    if (!r) return undefined;
    return {
      refs: r.refs,
      ...(r.released ? { released: new MemorySnapshot(r.released, { maxFileBytes: this.maxFileBytes }) } : {}),
    };
  }

  async list(globs?: readonly string[]): Promise<string[]> {
    return this.listSync(globs);
  }

  async read(path: string): Promise<ReadResult> {
    return this.readSync(path);
  }

  /**
   * Paths whose bytes contain any token. Unlike `git grep`, a token containing a newline can match
   * across lines; tokens without one (the normal case) behave identically.
   */
  async grep(tokens: readonly string[], globs?: readonly string[]): Promise<string[]> {
    if (tokens.length === 0) return [];
    const needles = tokens.map((t) => Buffer.from(t, 'utf8'));
    return this.listSync(globs).filter((p) => {
      const bytes = this.bytes.get(p)!;
      return needles.some((n) => bytes.includes(n));
    });
  }

  async has(path: string): Promise<boolean> {
    return this.bytes.has(path);
  }

  /** The raw bytes of a file (undefined when absent). */
  raw(path: string): Buffer | undefined {
    return this.bytes.get(path);
  }

  listSync(globs?: readonly string[]): string[] {
    if (!globs || globs.length === 0) return [...this.paths];
    return this.paths.filter(globMatcher(globs));
  }

  /** Same as `read`, synchronously (decoding never does IO here). Cached. */
  readSync(path: string): ReadResult {
    const cached = this.decoded.get(path);
    if (cached) return cached;
    const bytes = this.bytes.get(path);
    const result: ReadResult = bytes
      ? decodeSource(path, bytes, { maxBytes: this.maxFileBytes })
      : { ok: false, reason: 'missing', detail: `${path} does not exist at ${this.sha.slice(0, 12)}` };
    this.decoded.set(path, result);
    return result;
  }
}

/** A snapshot of `files` (see {@link MemorySnapshot}). */
export function memorySnapshot(files: MemoryFiles, opts?: MemorySnapshotOptions): MemorySnapshot {
  return new MemorySnapshot(files, opts);
}

/**
 * The change from `base` to `head`: added, modified, removed, and renamed files (a removed and an added
 * file whose contents are identical, or share at least half their lines), with exact added and removed
 * line numbers from a minimal line diff. Lines are compared with their line endings, as git does, so a
 * CRLF → LF conversion changes every line. Files that decode as binary get `binary: true` and no lines.
 */
export function memoryChangeSet(
  opts: MemoryChangeSetOptions,
): ChangeSet & { base: MemorySnapshot; head: MemorySnapshot } {
  const snapOpts = {
    ...(opts.maxFileBytes === undefined ? {} : { maxFileBytes: opts.maxFileBytes }),
    ...(opts.releases ? { releases: opts.releases } : {}),
  };
  const base = new MemorySnapshot(opts.base, snapOpts);
  const head = new MemorySnapshot(opts.head, snapOpts);
  const files: ChangedFile[] = [];

  const removed: string[] = [];
  const added: string[] = [];
  for (const path of base.listSync()) {
    const after = head.raw(path);
    if (!after) removed.push(path);
    else if (!after.equals(base.raw(path)!)) files.push(changeOf(base, head, path, path, 'modified'));
  }
  for (const path of head.listSync()) if (!base.raw(path)) added.push(path);

  const renames = pairRenames(base, head, removed, added);
  for (const [from, to] of renames) files.push(changeOf(base, head, from, to, 'renamed'));
  const renamedFrom = new Set(renames.keys());
  const renamedTo = new Set(renames.values());
  for (const path of removed) if (!renamedFrom.has(path)) files.push(changeOf(base, head, path, undefined, 'removed'));
  for (const path of added) if (!renamedTo.has(path)) files.push(changeOf(base, head, undefined, path, 'added'));

  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { base, head, baseRef: opts.baseRef ?? 'base', headRef: opts.headRef ?? 'head', files };
}

/** Beyond this many removed × added pairs, only exact renames are looked for (like git's rename limit). */
const MAX_RENAME_PAIRS = 250_000;
const RENAME_SIMILARITY = 0.5;

/** removed path → added path. Exact content matches first, then the most similar pairs above 50%. */
function pairRenames(
  base: MemorySnapshot,
  head: MemorySnapshot,
  removed: string[],
  added: string[],
): Map<string, string> {
  const pairs = new Map<string, string>();
  const taken = new Set<string>();

  // Exact renames as git finds them, empty files included: each added file in path order takes an unused
  // removed file with the same bytes, one with its own file name first (a move between folders), else
  // the first in path order.
  const fromsSorted = [...removed].sort(cmp);
  for (const to of [...added].sort(cmp)) {
    const bytes = head.raw(to)!;
    const same = fromsSorted.filter((from) => !pairs.has(from) && base.raw(from)!.equals(bytes));
    if (same.length === 0) continue;
    const from = same.find((p) => basename(p) === basename(to)) ?? same[0]!;
    pairs.set(from, to);
    taken.add(to);
  }

  // Similarity is never measured on empty files: they are all alike.
  const candidatesFrom = removed.filter((p) => base.raw(p)!.length > 0);
  const candidatesTo = added.filter((p) => head.raw(p)!.length > 0);
  const restFrom = candidatesFrom.filter((p) => !pairs.has(p) && !isBinary(base, p));
  const restTo = candidatesTo.filter((p) => !taken.has(p) && !isBinary(head, p));
  if (restFrom.length * restTo.length > MAX_RENAME_PAIRS) return pairs;
  const scored: Array<{ from: string; to: string; score: number }> = [];
  for (const from of restFrom) {
    const a = linesOf(base.raw(from)!);
    for (const to of restTo) {
      const b = linesOf(head.raw(to)!);
      const d = diffLines(a, b);
      const common = a.length - d.removed.length;
      const score = common / Math.max(a.length, b.length);
      if (score >= RENAME_SIMILARITY) scored.push({ from, to, score });
    }
  }
  // Best pairs first; ties broken by path so the result does not depend on object key order.
  scored.sort((x, y) => y.score - x.score || cmp(x.from, y.from) || cmp(x.to, y.to));
  for (const s of scored) {
    if (pairs.has(s.from) || taken.has(s.to)) continue;
    pairs.set(s.from, s.to);
    taken.add(s.to);
  }
  return pairs;
}

function changeOf(
  base: MemorySnapshot,
  head: MemorySnapshot,
  from: string | undefined,
  to: string | undefined,
  status: 'added' | 'modified' | 'removed' | 'renamed',
): ChangedFile {
  const before = from === undefined ? undefined : base.raw(from)!;
  const after = to === undefined ? undefined : head.raw(to)!;
  const binary = (from !== undefined && isBinary(base, from)) || (to !== undefined && isBinary(head, to));
  let addedLines: number[] = [];
  let removedLines: number[] = [];
  if (!binary) {
    const d = diffLines(before ? linesOf(before) : [], after ? linesOf(after) : []);
    addedLines = d.added;
    removedLines = d.removed;
  }
  const file: ChangedFile = { path: (to ?? from)!, status, addedLines, removedLines, binary };
  if (status === 'renamed') file.previousPath = from!;
  return file;
}

function isBinary(snapshot: MemorySnapshot, path: string): boolean {
  // decodeSource looks for NUL bytes before it checks the size, so an oversized binary file says 'binary' too.
  const r = snapshot.readSync(path);
  return !r.ok && r.reason === 'binary';
}

/**
 * Lines with their terminators, from the raw bytes read as latin1: one char per byte, so lines compare
 * exactly as bytes (invalid UTF-8 and a leading BOM included), which is what git's diff does.
 */
function linesOf(bytes: Buffer): string[] {
  return splitLinesKeepEnds(bytes.toString('latin1'));
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function contentId(paths: readonly string[], bytes: ReadonlyMap<string, Buffer>): string {
  const hash = createHash('sha1');
  for (const p of paths) {
    const b = bytes.get(p)!;
    hash.update(`${p}\0${b.length}\0`);
    hash.update(b);
  }
  return hash.digest('hex');
}
