/**
 * A ChangeSet read through the GitHub API only — for the Probot app, which never checks code out, and for
 * the Action when a shallow checkout cannot be deepened.
 *
 * This module speaks to a small {@link GitHubReader} port (implemented in src/github/ over Octokit), so it
 * imports no SDK. Bytes are bounded by a budget: changed files are read first (they are what the rules
 * judge), then whatever the gates' indexes and prefilters ask for. A read past the budget is answered
 * "skipped: over the byte budget", the budget records it, and the caller says which gates ran with less
 * context. Nothing is ever executed.
 */
import type { ChangedFile, ChangeSet, ReadResult, ReleaseState, Snapshot } from '../core/types.js';
import { decodeSource } from '../lang/index.js';
import { globMatcher } from './globs.js';
import { DEFAULT_MAX_FILE_BYTES } from './limits.js';
import { diffLines, splitLinesKeepEnds } from './line-diff.js';

/** One entry of `GET /repos/{o}/{r}/pulls/{n}/files`. */
export interface ApiPullFile {
  filename: string;
  previous_filename?: string;
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  /** Absent for binary files and for diffs GitHub considers too large. */
  patch?: string;
  additions?: number;
  deletions?: number;
  changes?: number;
}

/** One entry of a recursive git tree. */
export interface ApiTreeEntry {
  path: string;
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  size?: number;
}

/** A tag or branch and the commit it points at. */
export interface ApiRef {
  name: string;
  kind: 'tag' | 'branch';
  sha: string;
}

/** What `GET /repos/{o}/{r}/compare/{base}...{head}` says of two commits' history. */
export interface ApiComparison {
  /** `identical`, `ahead` (head is ahead of base), `behind` or `diverged`. */
  status: string;
  mergeBaseSha: string;
  /** The merge-base's committer date (ISO 8601), when GitHub gives it. */
  mergeBaseDate?: string;
}

/** The reads this source needs; src/github/ implements them with retries. */
export interface GitHubReader {
  listPullFiles(): Promise<{ files: ApiPullFile[]; truncated: boolean }>;
  getTree(commitSha: string): Promise<{ entries: ApiTreeEntry[]; truncated: boolean }>;
  getBlob(blobSha: string): Promise<Uint8Array>;
  /**
   * The repository's tags and branches, each listing bounded (`truncated` when either was cut). Optional:
   * without it (and `compare`) the snapshots cannot tell what is released.
   */
  listRefs?(): Promise<{ refs: ApiRef[]; truncated: boolean }>;
  /** A three-dot comparison of two commits (or refs); undefined when they share no history (GitHub's 404). */
  compare?(base: string, head: string): Promise<ApiComparison | undefined>;
}

export interface GitHubChangeSetOptions {
  reader: GitHubReader;
  /** The merge-base (GitHub's `merge_base_commit`), not the base branch's tip. */
  baseSha: string;
  /**
   * The base branch's tip (`pull_request.base.sha`, a merge group's `base_sha`), where policy is read.
   * Default: `baseSha`.
   */
  policySha?: string;
  headSha: string;
  baseRef: string;
  headRef: string;
  /** Total bytes of file content this change set may download (default 50 MiB). */
  byteBudget?: number;
  maxFileBytes?: number;
}

/** How much of the byte budget was used, and what it kept out. */
export interface ByteBudget {
  limit: number;
  used: number;
  /** Paths that were asked for but not read because the budget was spent. */
  skipped: string[];
  /** A tree listing GitHub truncated (over 100,000 entries or 7 MB): some paths are unknown. */
  truncatedTrees: string[];
  /** The PR has more changed files than GitHub lists (3,000). */
  filesTruncated: boolean;
}

export interface GitHubChangeSet extends ChangeSet {
  budget: ByteBudget;
}

const DEFAULT_BUDGET = 50 * 1024 * 1024;

/**
 * Branch names that mark release lines: `release/1.2`, `releases/x`, `release-3`, `stable`, `3.20`,
 * `v2.x` — the same pattern as the git source (src/source/git.ts).
 */
export const RELEASE_BRANCH = /^(?:releases?(?:[/_-].*)?|stable(?:[/_-].*)?|v?\d+(?:\.(?:\d+|x))+)$/;

/**
 * At most this many distinct release commits are compared with a snapshot's commit (one API call each).
 * A repository with more is answered "unknown" (see {@link githubReleaseState}).
 */
export const MAX_RELEASE_COMPARES = 10;
const GITLINK = '160000';
const SYMLINK = '120000';

/** Added and removed line numbers from a unified diff patch as GitHub returns it (hunks only). */
export function linesFromPatch(patch: string): { added: number[]; removed: number[] } {
  const added: number[] = [];
  const removed: number[] = [];
  let oldLine = 0;
  let newLine = 0;
  for (const line of patch.split('\n')) {
    const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (hunk) {
      oldLine = Number(hunk[1]);
      newLine = Number(hunk[2]);
      continue;
    }
    if (line.startsWith('\\')) continue; // "\ No newline at end of file"
    if (line.startsWith('+')) added.push(newLine++);
    else if (line.startsWith('-')) removed.push(oldLine++);
    else {
      oldLine++;
      newLine++;
    }
  }
  return { added, removed };
}

/** The downloads of one change set: the byte budget, and each blob once (base and head share unchanged files). */
class Budget {
  readonly state: ByteBudget;
  /** Blob contents by blob sha; undefined when the budget did not allow the download. */
  readonly blobs = new Map<string, Promise<Uint8Array | undefined>>();
  /** The tags and branches, listed once for every snapshot of the change set. */
  refs?: Promise<{ refs: ApiRef[]; truncated: boolean }>;
  /** Snapshots at released commits, by sha, so base and head share one tree listing of a release. */
  readonly released = new Map<string, GitHubSnapshot>();
  constructor(limit: number) {
    this.state = { limit, used: 0, skipped: [], truncatedTrees: [], filesTruncated: false };
  }
  /** Reserves bytes; false (and the path recorded) when they do not fit. */
  take(path: string, bytes: number): boolean {
    if (this.state.used + bytes > this.state.limit) {
      if (!this.state.skipped.includes(path)) this.state.skipped.push(path);
      return false;
    }
    this.state.used += bytes;
    return true;
  }
}

/** A snapshot over one commit's tree, reading blobs on demand within the shared budget. */
export class GitHubSnapshot implements Snapshot {
  private tree?: Promise<Map<string, ApiTreeEntry>>;
  private readonly raw = new Map<string, Promise<Uint8Array | undefined>>();
  private readonly decoded = new Map<string, Promise<ReadResult>>();
  private releaseState?: Promise<ReleaseState | undefined>;

  constructor(
    readonly sha: string,
    private readonly reader: GitHubReader,
    private readonly budget: Budget,
    private readonly maxFileBytes: number,
  ) {}

  private entries(): Promise<Map<string, ApiTreeEntry>> {
    this.tree ??= this.reader.getTree(this.sha).then(({ entries, truncated }) => {
      if (truncated) this.budget.state.truncatedTrees.push(this.sha);
      return new Map(entries.filter((e) => e.type !== 'tree').map((e) => [e.path, e]));
    });
    return this.tree;
  }

  async list(globs?: readonly string[]): Promise<string[]> {
    const match = globMatcher(globs);
    const out: string[] = [];
    for (const [path, e] of await this.entries()) {
      if (e.type === 'blob' && e.mode !== SYMLINK && match(path)) out.push(path);
    }
    return out.sort();
  }

  async has(path: string): Promise<boolean> {
    return (await this.entries()).has(path);
  }

  /**
   * The tags and release branches, and the newest commit of this commit's history one of them contains
   * (see {@link githubReleaseState}). Asked once; a failure or a bound means "unknown" (undefined), never
   * an error and never a guess. The released snapshot reads within this change set's budget.
   */
  releases(): Promise<ReleaseState | undefined> {
    this.releaseState ??= githubReleaseState(this.sha, this.reader, this.budget, (sha) => {
      if (sha === this.sha) return this;
      let snap = this.budget.released.get(sha);
      if (!snap) {
        snap = new GitHubSnapshot(sha, this.reader, this.budget, this.maxFileBytes);
        this.budget.released.set(sha, snap);
      }
      return snap;
    }).catch(() => undefined);
    return this.releaseState;
  }

  /** Raw bytes within the budget; undefined when absent, too large or over budget. */
  private bytes(path: string, entry: ApiTreeEntry): Promise<Uint8Array | undefined> {
    let p = this.raw.get(path);
    if (!p) {
      p = this.budget.blobs.get(entry.sha);
      if (!p) {
        p = (async () => {
          if ((entry.size ?? 0) > this.maxFileBytes) return undefined;
          if (!this.budget.take(path, entry.size ?? 0)) return undefined;
          return this.reader.getBlob(entry.sha);
        })();
        this.budget.blobs.set(entry.sha, p);
      }
      this.raw.set(path, p);
    }
    return p;
  }

  read(path: string): Promise<ReadResult> {
    let p = this.decoded.get(path);
    if (!p) {
      p = this.readUncached(path);
      this.decoded.set(path, p);
    }
    return p;
  }

  private async readUncached(path: string): Promise<ReadResult> {
    const entry = (await this.entries()).get(path);
    if (!entry) return { ok: false, reason: 'missing', detail: `${path} does not exist at ${this.sha.slice(0, 12)}` };
    if (entry.mode === GITLINK || entry.type === 'commit') {
      return { ok: false, reason: 'submodule', detail: `${path} is a submodule (commit ${entry.sha.slice(0, 12)})` };
    }
    if (entry.mode === SYMLINK) return { ok: false, reason: 'symlink', detail: `${path} is a symbolic link` };
    if ((entry.size ?? 0) > this.maxFileBytes) {
      return {
        ok: false,
        reason: 'too-large',
        detail: `${entry.size} bytes is over the ${this.maxFileBytes}-byte read limit`,
      };
    }
    const bytes = await this.bytes(path, entry);
    if (!bytes) {
      return {
        ok: false,
        reason: 'over-budget',
        detail: `not downloaded: the ${Math.round(this.budget.state.limit / 1024 / 1024)} MiB byte budget for this pull request was spent`,
      };
    }
    return decodeSource(path, bytes, { maxBytes: this.maxFileBytes });
  }

  /**
   * Paths whose content contains any token. GitHub has no grep for a commit, so this downloads the
   * candidates (within the budget); a candidate it could not download is returned too, so a prefilter
   * never hides a file it did not see — the rule then reports it as skipped.
   */
  async grep(tokens: readonly string[], globs?: readonly string[]): Promise<string[]> {
    if (tokens.length === 0) return [];
    const out: string[] = [];
    for (const path of await this.list(globs)) {
      const result = await this.read(path);
      if (!result.ok) {
        if (result.reason === 'over-budget') out.push(path);
        continue;
      }
      if (tokens.some((t) => result.file.text.includes(t))) out.push(path);
    }
    return out;
  }

  /** Raw text for diffing when GitHub gave no patch. */
  async text(path: string): Promise<string | undefined> {
    const r = await this.read(path);
    return r.ok ? r.file.text : undefined;
  }
}

/** The numbers of a version-like name (`v1.2.3`, `release/2.10`, `3.x`), or undefined. */
function versionOf(name: string): number[] | undefined {
  const m = /(\d+(?:\.\d+)*)/.exec(name);
  return m ? m[1]!.split('.').map(Number) : undefined;
}

/** Newest-looking first: version-like names by descending version, then the others by descending name. */
function releaseOrder(a: ApiRef, b: ApiRef): number {
  const va = versionOf(a.name);
  const vb = versionOf(b.name);
  if (va && vb) {
    for (let i = 0; i < Math.max(va.length, vb.length); i++) {
      const d = (vb[i] ?? -1) - (va[i] ?? -1);
      if (d !== 0) return d;
    }
  } else if (va || vb) {
    return va ? -1 : 1;
  }
  return a.name < b.name ? 1 : a.name > b.name ? -1 : 0;
}

/**
 * The release state of `sha` through the API, with the git source's semantics: the release refs are
 * every tag and the branches named like release lines ({@link RELEASE_BRANCH}); the released point is
 * the newest (by committer date) commit of `sha`'s history that some release ref contains.
 *
 * GitHub has no `rev-list --boundary`, so each distinct release commit R is compared with `sha`
 * (`compare/R...sha`): its merge-base is a commit both released (in R's history) and in `sha`'s history,
 * and the newest of these merge-bases is exactly git's boundary answer. Candidates are compared in
 * descending version order of their names, stopping early when `sha` itself is in a release
 * (`identical`/`behind`), where nothing newer can exist.
 *
 * Every candidate must be compared for the answer to be exact: an unchecked one could hold a newer
 * released commit, and an answer older than the truth would make a released migration look unreleased
 * (a blocker turned into a warning). So when the listings were cut, when there are more than
 * {@link MAX_RELEASE_COMPARES} distinct release commits, when a comparison fails or says something
 * unexpected, the answer is undefined ("unknown": history rules then treat merged as applied, as before).
 */
export async function githubReleaseState(
  sha: string,
  reader: GitHubReader,
  budget: { refs?: Promise<{ refs: ApiRef[]; truncated: boolean }> },
  snapshotAt: (sha: string) => Snapshot,
): Promise<ReleaseState | undefined> {
  if (!reader.listRefs || !reader.compare) return undefined;
  const listing = (budget.refs ??= reader.listRefs());
  const { refs: all, truncated } = await listing;
  if (truncated) return undefined;
  const refs = all.filter((r) => r.kind === 'tag' || RELEASE_BRANCH.test(r.name)).sort(releaseOrder);
  if (refs.length === 0) return { refs: [] };
  const named = refs.slice(0, 3).map((r) => r.name);
  if (refs.some((r) => r.sha === sha)) return { refs: named, released: snapshotAt(sha) };
  const candidates = [...new Set(refs.map((r) => r.sha))];
  if (candidates.length > MAX_RELEASE_COMPARES) return undefined;
  let best: { sha: string; time: number } | undefined;
  for (const candidate of candidates) {
    const c = await reader.compare(candidate, sha);
    if (c === undefined) continue; // no common history: this release says nothing about `sha`
    if (c.status === 'identical' || c.status === 'behind') return { refs: named, released: snapshotAt(sha) };
    if (c.status !== 'ahead' && c.status !== 'diverged') return undefined;
    const time = c.mergeBaseDate === undefined ? Number.NaN : Date.parse(c.mergeBaseDate);
    if (Number.isNaN(time)) return undefined;
    if (!best || time > best.time) best = { sha: c.mergeBaseSha, time };
  }
  return best ? { refs: named, released: snapshotAt(best.sha) } : { refs: named };
}

/**
 * Builds the ChangeSet of a pull request from the API: the PR's files (up to GitHub's 3,000), both trees,
 * and blobs on demand. Files without a patch (large diffs) get their line numbers from a local diff of
 * both versions, binary ones are flagged.
 */
export async function githubChangeSet(options: GitHubChangeSetOptions): Promise<GitHubChangeSet> {
  const budget = new Budget(options.byteBudget ?? DEFAULT_BUDGET);
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const base = new GitHubSnapshot(options.baseSha, options.reader, budget, maxFileBytes);
  const head = new GitHubSnapshot(options.headSha, options.reader, budget, maxFileBytes);
  const policy =
    options.policySha === undefined || options.policySha === options.baseSha
      ? base
      : new GitHubSnapshot(options.policySha, options.reader, budget, maxFileBytes);
  const { files: apiFiles, truncated } = await options.reader.listPullFiles();
  budget.state.filesTruncated = truncated;

  const files: ChangedFile[] = [];
  for (const f of apiFiles) {
    if (f.status === 'unchanged') continue;
    const status: ChangedFile['status'] =
      f.status === 'renamed'
        ? 'renamed'
        : f.status === 'added' || f.status === 'copied'
          ? 'added'
          : f.status === 'removed'
            ? 'removed'
            : 'modified';
    const change: ChangedFile = {
      path: f.filename,
      ...(f.status === 'renamed' && f.previous_filename ? { previousPath: f.previous_filename } : {}),
      status,
      addedLines: [],
      removedLines: [],
      binary: false,
    };
    if (f.patch !== undefined) {
      const { added, removed } = linesFromPatch(f.patch);
      change.addedLines = added;
      change.removedLines = removed;
    } else if ((f.changes ?? 0) > 0 || status === 'added' || status === 'removed') {
      // No patch: binary, or a diff too large for the API. Decide by reading what the budget allows.
      const after = status === 'removed' ? undefined : await head.read(f.filename);
      const before = status === 'added' ? undefined : await base.read(change.previousPath ?? f.filename);
      if ((after && !after.ok && after.reason === 'binary') || (before && !before.ok && before.reason === 'binary')) {
        change.binary = true;
      } else {
        const a = before?.ok ? splitLinesKeepEnds(before.file.text) : [];
        const b = after?.ok ? splitLinesKeepEnds(after.file.text) : [];
        const d = diffLines(a, b);
        change.addedLines = d.added;
        change.removedLines = d.removed;
      }
    }
    // GitHub reports a mode-only change (chmod +x) as "modified" with no changes and no patch.
    if (status === 'modified' && f.patch === undefined && (f.changes ?? 0) === 0) change.status = 'mode-changed';
    files.push(change);
  }

  return {
    base,
    head,
    policy,
    baseRef: options.baseRef,
    headRef: options.headRef,
    files,
    ...(truncated
      ? { unlisted: 'GitHub lists at most 3,000 changed files of a pull request; the others were not analysed' }
      : {}),
    budget: budget.state,
  };
}
