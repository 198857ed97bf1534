/**
 * The local-git ChangeSet (CLI and Action): the merge-base and head snapshots of a checkout and the files
 * changed between them.
 *
 * Everything goes through git plumbing with NUL-separated output, so any path git can store works
 * (spaces, quotes, newlines, non-ASCII). File contents come from one `git cat-file --batch` process per
 * change set; call {@link GitChangeSet.close} when done (an idle process never keeps Node alive, see
 * {@link CatFileBatch}).
 */
import { copyFile, mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import type { ChangedFile, ChangeSet, ReadResult, ReleaseState, Snapshot } from '../core/types.js';
import { cacheKey, isStringArray, type AnalysisCache } from '../core/cache.js';
import { decodeSource, formatBytes } from '../lang/index.js';
import { SourceError } from './errors.js';
import { RawPatchParser } from './git-diff.js';
import { CatFileBatch, runGit, streamGit } from './git-process.js';
import { globMatcher } from './globs.js';
import { DEFAULT_MAX_FILE_BYTES } from './limits.js';

export interface GitChangeSetOptions {
  /** Any directory inside the checkout. */
  cwd: string;
  /**
   * The branch the PR targets. Default: the head branch's upstream when it tracks a different branch
   * (`git checkout -b feature origin/main`), else `origin/HEAD`, else the first of `origin/main`,
   * `origin/master`, `main`, `master` that exists and is not the head branch itself.
   */
  base?: string;
  /** Default `HEAD`. */
  head?: string;
  /** Files larger than this are skipped as `too-large` without being read. Default 1 MiB. */
  maxFileBytes?: number;
  /** Where answers that a commit fixes (greps) are kept between runs; none by default. */
  cache?: AnalysisCache;
  /**
   * Judge the working tree instead of the `HEAD` commit: staged, unstaged and untracked (not ignored)
   * changes, as if committed on top of `HEAD`. Only when `head` is not given. The CLI's default; the Action
   * judges commits only. Neither the index nor any ref is touched (see {@link snapshotWorkingTree}).
   */
  workingTree?: boolean;
}

/** What the working tree added on top of `HEAD`, when {@link GitChangeSetOptions.workingTree} found changes. */
export interface WorkingTreeChanges {
  /** The commit that holds the working tree (parent: `HEAD`); no ref points at it. */
  sha: string;
  /** The commit `HEAD` pointed at. */
  headSha: string;
  /** Paths that differ from `HEAD` (staged, unstaged or untracked), sorted. */
  paths: string[];
}

/** A ChangeSet over a local repository. Holds a `git cat-file` process: call `close()` when done. */
export interface GitChangeSet extends ChangeSet {
  base: GitSnapshot;
  head: GitSnapshot;
  /** The base ref's tip, where policy (config, waiver policy, CODEOWNERS) is read. */
  policy: GitSnapshot;
  /** The commit the base ref points at. `base.sha` is the merge-base of it and the head. */
  baseTipSha: string;
  /** The repository's top-level directory (where git commands run). */
  root: string;
  /** Whether the checkout is a shallow clone. */
  shallow: boolean;
  /** Set when the head is the working tree (uncommitted changes included); undefined when it is a commit. */
  workingTree: WorkingTreeChanges | undefined;
  /**
   * Set when no branch to compare with was found and the uncommitted changes are judged against `HEAD`
   * instead (checking work on the default branch itself): says so, for the CLI to print.
   */
  baseFallback?: string;
  /** Ends the shared `git cat-file --batch` process. Reads after close start a new one. */
  close(): Promise<void>;
}

/** One git object in a tree listing. */
interface TreeEntry {
  mode: string;
  oid: string;
  /** Bytes; -1 for submodules (gitlinks have no size). */
  size: number;
}

const SYMLINK = '120000';
const GITLINK = '160000';

/** The repository's common git directory (a worktree's main `.git`), absolute. */
export async function gitCommonDir(cwd: string): Promise<string> {
  // git prints it relative to the directory it ran in, or absolute.
  return resolvePath(cwd, (await git(cwd, ['rev-parse', '--git-common-dir'])).trim());
}

/**
 * Builds the ChangeSet of `head` against the merge-base of `base` and `head`; policy is read at `base`'s
 * tip.
 *
 * Throws {@link SourceError} when `cwd` is not in a repository, a ref is unknown, or a shallow clone lacks
 * the history needed (the message names the exact `git fetch` to run). `base` equal to `head` yields an
 * empty change set.
 */
export async function gitChangeSet(opts: GitChangeSetOptions): Promise<GitChangeSet> {
  const { root, shallow } = await repository(opts.cwd);
  const maxFileBytes = opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;

  const headSpec = opts.head ?? 'HEAD';
  rejectOptionLike(headSpec, 'head');
  const headCommit = await resolveCommit(root, headSpec);
  if (!headCommit) throw await unknownRef(root, headSpec, 'head', shallow);
  const workingTree =
    opts.workingTree && opts.head === undefined ? await snapshotWorkingTree(root, headCommit) : undefined;
  const headSha = workingTree?.sha ?? headCommit;
  const headFull = await symbolicFullName(root, headSpec);
  const headRef = opts.head ?? (headFull?.startsWith('refs/heads/') ? headFull.slice('refs/heads/'.length) : 'HEAD');

  let baseRef: string;
  let baseTipSha: string;
  let baseFallback: string | undefined;
  if (opts.base !== undefined) {
    rejectOptionLike(opts.base, 'base');
    const sha = await resolveCommit(root, opts.base);
    if (!sha) throw await unknownRef(root, opts.base, 'base', shallow);
    baseRef = opts.base;
    baseTipSha = sha;
  } else {
    try {
      const found = await defaultBase(root, headFull);
      baseRef = found.ref;
      baseTipSha = found.sha;
    } catch (err) {
      // Work in progress on the default branch itself (a fresh clone, a repository without a remote): the
      // uncommitted changes are the change, and the last commit what they change.
      if (!(err instanceof SourceError) || !workingTree) throw err;
      baseRef = 'HEAD';
      baseTipSha = headCommit;
      baseFallback = `no other branch to compare with (${err.message.replace(/^cannot tell which branch this change targets: /, '')}): judging the uncommitted changes against HEAD; pass --base REF to compare with a branch`;
    }
  }

  const mergeBase = await findMergeBase(root, { baseRef, baseTipSha, headRef, headSha, shallow });
  const files = mergeBase === headSha ? [] : await changedFiles(root, mergeBase, headSha);

  const catFile = new CatFileBatch(root);
  const base = new GitSnapshot(root, mergeBase, catFile, maxFileBytes, undefined, opts.cache);
  // The head answers greps from the base's answers for every blob the two share.
  const head = new GitSnapshot(root, headSha, catFile, maxFileBytes, base, opts.cache);
  // A change is judged against both trees: both are listed at once, while the caller loads its policy.
  if (files.length > 0) for (const snapshot of [base, head]) snapshot.listAhead();
  return {
    base,
    head,
    policy: baseTipSha === mergeBase ? base : new GitSnapshot(root, baseTipSha, catFile, maxFileBytes),
    baseRef,
    headRef,
    files,
    baseTipSha,
    root,
    shallow,
    workingTree,
    ...(baseFallback ? { baseFallback } : {}),
    close: () => catFile.close(),
  };
}

/**
 * The tree at one commit, listed once with `git ls-tree` and read through the change set's shared
 * `git cat-file --batch` process. Every result is cached.
 */
export class GitSnapshot implements Snapshot {
  private tree: Promise<Map<string, TreeEntry>> | undefined;
  private files: Promise<string[]> | undefined;
  private readonly reads = new Map<string, Promise<ReadResult>>();
  private readonly greps = new Map<string, Promise<string[]>>();
  /** `list` answers by glob list. */
  private readonly listed = new Map<string, string[]>();
  private releaseState: Promise<ReleaseState | undefined> | undefined;
  private differing: Promise<string[]> | undefined;
  /** Blob bytes read for greps, by blob id. */
  private readonly texts = new Map<string, Promise<Buffer | undefined>>();
  /** Bytes of whole-commit grep candidates held in {@link texts}. */
  private corpusBytes = 0;
  /** Where {@link texts} keeps its bytes. */
  private arena: BlobArena | undefined;
  /** Whether the analysis cache answered a grep here (a warm run: few greps are left to search). */
  private cacheAnswered = false;
  /** How many times `git grep` has searched this whole commit (see {@link grepWhole}). */
  private searchesByGit = 0;
  /** The paths that differ from other commits, by commit (see {@link changesSince}). */
  private readonly since = new Map<string, Promise<Set<string> | undefined>>();

  /**
   * @param baseline another snapshot of the same repository (the head's merge-base). When given, a grep
   *   here reuses the baseline's answer for every path whose blob is the same on both sides and only
   *   searches the paths that differ, so a change set pays for one search of the repository, not two.
   */
  constructor(
    private readonly root: string,
    readonly sha: string,
    private readonly catFile: CatFileBatch,
    private readonly maxFileBytes: number,
    private readonly baseline?: GitSnapshot,
    private readonly cache?: AnalysisCache,
    /** Bytes of blobs whole-commit greps may read into this process (0: every such grep runs `git grep`). */
    private readonly maxCorpusBytes = MAX_CORPUS_BYTES,
  ) {}

  /** Regular files (symlinks and submodules excluded), sorted by JavaScript string order. */
  async list(globs?: readonly string[]): Promise<string[]> {
    const files = await this.regularFiles();
    if (!globs || globs.length === 0) return [...files];
    // Several indexes and greps ask with the same globs: each list is matched once per snapshot.
    const key = JSON.stringify(globs);
    let listed = this.listed.get(key);
    if (!listed) {
      listed = files.filter(globMatcher(globs));
      this.listed.set(key, listed);
    }
    return [...listed];
  }

  /**
   * Decodes one file. Symlinks, submodules, missing paths and files over `maxFileBytes` are answered
   * from the tree listing without reading any content.
   */
  read(path: string): Promise<ReadResult> {
    let result = this.reads.get(path);
    if (!result) {
      result = this.readUncached(path);
      this.reads.set(path, result);
      // A failed read (git died) should not poison the cache; the next call retries.
      result.catch(() => this.reads.delete(path));
    }
    return result;
  }

  /** Queues reads on the cat-file process so git answers while the caller parses; results are cached as usual. */
  prefetch(paths: readonly string[]): void {
    // A failed read is dropped from the cache by `read` and retried when the caller asks.
    for (const path of paths) this.read(path).catch(() => undefined);
  }

  /**
   * Regular files containing any token, via `git grep -F` on the commit (exit code 1 = no match).
   * git matches line by line, so a token containing a newline matches files holding any of its lines;
   * as a prefilter that only over-reports.
   */
  async grep(tokens: readonly string[], globs?: readonly string[]): Promise<string[]> {
    if (tokens.length === 0) return [];
    // The empty string is contained in every file.
    if (tokens.includes('')) return this.list(globs);
    const key = JSON.stringify([tokens, globs ?? []]);
    let result = this.greps.get(key);
    if (!result) {
      // A commit's answer never changes: kept between runs, keyed by the commit and the question.
      const cacheKeyOf = this.cache ? cacheKey('grep', this.sha, key) : undefined;
      const hit = cacheKeyOf ? this.cache!.get(cacheKeyOf) : undefined;
      if (isStringArray(hit)) this.cacheAnswered = true;
      result = isStringArray(hit)
        ? Promise.resolve(hit)
        : this.grepUncached(tokens, globs, key).then((paths) => {
            if (cacheKeyOf) {
              this.cache!.set(cacheKeyOf, paths);
              this.answeredHere(key);
            }
            return paths;
          });
      this.greps.set(key, result);
      result.catch(() => this.greps.delete(key));
    }
    return [...(await result)];
  }

  /**
   * The tags and release branches, and the newest commit of this commit's history one of them contains
   * (read through the same cat-file process). Asked once; a failure means "unknown", never an error.
   */
  releases(): Promise<ReleaseState | undefined> {
    this.releaseState ??= releaseState(this.root, this.sha, (sha) =>
      sha === this.sha ? this : new GitSnapshot(this.root, sha, this.catFile, this.maxFileBytes),
    ).catch(() => undefined);
    return this.releaseState;
  }

  /** Starts listing the tree now, for a caller that will ask soon; a failure is reported when it asks. */
  listAhead(): void {
    this.listing().catch(() => undefined);
  }

  /** A regular file's blob id and size, from the listing (nothing is read); undefined for anything else. */
  async blobId(path: string): Promise<{ oid: string; size: number } | undefined> {
    const entry = (await this.listing()).get(path);
    if (!entry || !isRegular(entry) || entry.size > this.maxFileBytes) return undefined;
    return { oid: entry.oid, size: entry.size };
  }

  /** True for files, symlinks and submodules at this commit; false for directories. */
  async has(path: string): Promise<boolean> {
    return (await this.listing()).has(path);
  }

  private listing(): Promise<Map<string, TreeEntry>> {
    // Nothing changed: the head is the baseline's commit, listed once.
    if (this.baseline?.sha === this.sha) return this.baseline.listing();
    if (!this.tree) {
      const tree = lsTree(this.root, this.sha);
      this.tree = tree;
      // A failed listing (git killed, disk error) is retried on the next call rather than cached.
      tree.catch(() => {
        if (this.tree === tree) this.tree = undefined;
      });
    }
    return this.tree;
  }

  /** Sorted paths of regular files: no symlinks, no submodules. */
  private regularFiles(): Promise<string[]> {
    if (!this.files) {
      const files = this.listing().then((tree) => {
        const out: string[] = [];
        for (const [path, e] of tree) if (isRegular(e)) out.push(path);
        return out.sort();
      });
      this.files = files;
      files.catch(() => {
        if (this.files === files) this.files = undefined;
      });
    }
    return this.files;
  }

  private async readUncached(path: string): Promise<ReadResult> {
    const entry = (await this.listing()).get(path);
    const at = this.sha.slice(0, 12);
    if (!entry) return { ok: false, reason: 'missing', detail: `${path} does not exist at ${at}` };
    if (entry.mode === GITLINK)
      return { ok: false, reason: 'submodule', detail: `${path} is a submodule (commit ${entry.oid.slice(0, 12)})` };
    if (entry.mode === SYMLINK) return { ok: false, reason: 'symlink', detail: `${path} is a symbolic link` };
    if (entry.size > this.maxFileBytes) {
      // Same wording as decodeSource, which would say this after reading the whole file.
      const detail = `${formatBytes(entry.size)} is over the ${formatBytes(this.maxFileBytes)} limit (config max-file-bytes)`;
      return { ok: false, reason: 'too-large', detail };
    }
    const bytes = await this.catFile.read(entry.oid);
    // Only a partial clone that cannot fetch the blob gets here.
    if (!bytes)
      return {
        ok: false,
        reason: 'missing',
        detail: `the contents of ${path} (${entry.oid}) are not in this repository`,
      };
    const result = decodeSource(path, bytes, { maxBytes: this.maxFileBytes });
    if (result.ok) result.file.blobId = entry.oid;
    return result;
  }

  private async grepUncached(
    tokens: readonly string[],
    globs: readonly string[] | undefined,
    key: string,
  ): Promise<string[]> {
    const baseline = this.baseline;
    if (!baseline) return (await this.grepNear(tokens, globs, key)) ?? this.grepWhole(tokens, globs);
    if (baseline.sha === this.sha) return baseline.grep(tokens, globs);
    // Same blob, same answer: keep the baseline's hits whose blob is unchanged and search only the rest.
    const [baseHits, baseTree, tree, differing] = await Promise.all([
      baseline.grep(tokens, globs),
      baseline.listing(),
      this.listing(),
      this.differingFiles(),
    ]);
    const kept = baseHits.filter((path) => sameEntry(baseTree.get(path), tree.get(path)));
    const match = globMatcher(globs);
    const toSearch = differing.filter(match);
    if (toSearch.length === 0) return kept;
    // The changed blobs are few and read anyway to be parsed: search them here rather than start a git.
    const pattern = tokenPattern(tokens);
    const inProcess =
      pattern && (await this.differingBytes()) <= MAX_IN_PROCESS_BYTES
        ? await this.searchTexts(pattern, toSearch, tree)
        : undefined;
    if (inProcess) return [...kept, ...inProcess].sort();
    // A huge change is cheaper to search whole than to name path by path (and argv has a limit).
    if (toSearch.length > MAX_LITERAL_PATHSPECS) return this.gitGrep(tokens, globs, gitPathspecs(globs));
    const found = await this.gitGrep(
      tokens,
      globs,
      toSearch.map((path) => `:(literal)${path}`),
    );
    return [...kept, ...found].sort();
  }

  /**
   * A grep over the whole commit. A run without a cache asks a dozen of them (one per index and token
   * set), and each `git grep` inflates every candidate blob again; so while the candidates fit in
   * `maxCorpusBytes` (64 MiB by default) they are read once through the cat-file process and kept, and
   * every grep searches them here. Past that (or when a blob cannot be read) git searches.
   */
  private async grepWhole(tokens: readonly string[], globs: readonly string[] | undefined): Promise<string[]> {
    const [tree, candidates] = await Promise.all([this.listing(), this.list(globs)]);
    let unread = 0;
    for (const path of candidates) {
      const entry = tree.get(path)!;
      if (!this.texts.has(entry.oid)) unread += entry.size;
    }
    // A run whose greps the analysis cache answers asks git the few it does not: reading every candidate
    // (a third of a second for 2,400 blobs) pays only over several greps. When the misses keep coming,
    // the rest search what is read here.
    const worthReading = unread === 0 || !this.cacheAnswered || this.searchesByGit >= GIT_SEARCHES_BEFORE_READING;
    const pattern = tokenPattern(tokens);
    if (pattern && candidates.length > 0 && worthReading && this.corpusBytes + unread <= this.maxCorpusBytes) {
      this.corpusBytes += unread;
      const found = await this.searchTexts(pattern, candidates, tree);
      if (found) return found;
    }
    this.searchesByGit++;
    return this.gitGrep(tokens, globs, gitPathspecs(globs));
  }

  /**
   * A grep answered from another commit's cached answer to the same question and the paths that differ
   * between the two trees: that commit's hits that did not change, plus the differing blobs searched here.
   * A warm run asks its base what the run that filled the cache asked of a nearby commit (the previous
   * commit of the base branch), so it pays for the difference between the two, not for the repository.
   * Undefined when no such answer is cached, the trees differ too much, or a blob cannot be read.
   */
  private async grepNear(
    tokens: readonly string[],
    globs: readonly string[] | undefined,
    key: string,
  ): Promise<string[] | undefined> {
    const near = this.cache?.get(cacheKey('grep-near', key));
    const pattern = tokenPattern(tokens);
    if (!isStringArray(near) || !pattern) return undefined;
    for (const sha of near) {
      if (sha === this.sha || !COMMIT_ID.test(sha)) continue;
      const answer = this.cache!.get(cacheKey('grep', sha, key));
      if (!isStringArray(answer)) continue;
      const [changed, tree] = await Promise.all([this.changesSince(sha), this.listing()]);
      if (!changed) continue;
      const regular = (path: string) => isRegular(tree.get(path));
      const match = globMatcher(globs);
      const toSearch = [...changed].filter((path) => regular(path) && match(path));
      const bytes = toSearch.reduce((n, path) => n + Math.max(0, tree.get(path)!.size), 0);
      if (bytes > MAX_IN_PROCESS_BYTES) continue;
      const found = await this.searchTexts(pattern, toSearch, tree);
      if (!found) return undefined;
      const kept = answer.filter((path) => !changed.has(path) && regular(path));
      return [...kept, ...found].sort();
    }
    return undefined;
  }

  /**
   * Records that this commit's answer to a grep is cached, for {@link grepNear} on other commits: this
   * commit, then its baseline's (whose answer this one was made from). Written, never read here, so the
   * bookkeeping costs no lookups: the last run to answer the question names the commits it knows.
   */
  private answeredHere(key: string): void {
    const shas = this.baseline && this.baseline.sha !== this.sha ? [this.sha, this.baseline.sha] : [this.sha];
    this.cache!.set(cacheKey('grep-near', key), shas);
  }

  /**
   * The paths whose entry differs between `sha`'s tree and this one (added, removed, changed in content,
   * mode or type); undefined when git cannot compare them (an unknown commit) or more than
   * {@link MAX_LITERAL_PATHSPECS} differ. Asked once per commit.
   */
  private changesSince(sha: string): Promise<Set<string> | undefined> {
    let changes = this.since.get(sha);
    if (!changes) {
      changes = runGit(this.root, ['diff-tree', '-r', '-z', '--name-only', '--no-renames', sha, this.sha]).then(
        ({ stdout }) => {
          const paths = stdout.toString('utf8').split('\0').filter(Boolean);
          return paths.length <= MAX_LITERAL_PATHSPECS ? new Set(paths) : undefined;
        },
        () => undefined,
      );
      this.since.set(sha, changes);
    }
    return changes;
  }

  /**
   * The paths whose blob matches `pattern` (a {@link tokenPattern}: the tokens as `git grep -F -f` matches
   * them, byte for byte). Undefined when a blob cannot be read (a partial clone), so the caller asks git
   * instead.
   */
  private async searchTexts(
    pattern: RegExp,
    paths: readonly string[],
    tree: Map<string, TreeEntry>,
  ): Promise<string[] | undefined> {
    const hits: string[] = [];
    // A batch at a time: enough requests in flight to keep git busy, while the bytes of each batch become
    // garbage before the next is read (all at once, every blob's buffer would be alive at the same time).
    for (let i = 0; i < paths.length; i += READ_BATCH) {
      const batch = paths.slice(i, i + READ_BATCH);
      const texts = await Promise.all(batch.map((path) => this.text(tree.get(path)!.oid)));
      for (let j = 0; j < batch.length; j++) {
        const text = texts[j];
        if (text === undefined) return undefined;
        if (pattern.test(text)) hits.push(batch[j]!);
      }
    }
    return hits;
  }

  /** Drops the blob texts kept for greps (see {@link grepWhole}); a later grep reads them again. */
  releaseSearchText(): void {
    this.texts.clear();
    this.arena = undefined;
    this.corpusBytes = 0;
  }

  /** A blob's bytes as a one-byte-per-character string, read once through the shared cat-file process. */
  private async text(oid: string): Promise<string | undefined> {
    let bytes = this.texts.get(oid);
    if (!bytes) {
      const arena = (this.arena ??= new BlobArena());
      bytes = this.catFile.read(oid).then((b) => b && arena.keep(b));
      this.texts.set(oid, bytes);
      bytes.catch(() => this.texts.delete(oid));
    }
    return (await bytes)?.toString('latin1');
  }

  /** Total size of the regular files that differ from the baseline. */
  private async differingBytes(): Promise<number> {
    const [tree, differing] = await Promise.all([this.listing(), this.differingFiles()]);
    return differing.reduce((n, path) => n + Math.max(0, tree.get(path)!.size), 0);
  }

  /** Regular files here whose blob (or mode) differs from the baseline's, or that the baseline lacks. Cached. */
  private differingFiles(): Promise<string[]> {
    if (!this.differing) {
      const differing = Promise.all([this.baseline!.listing(), this.listing(), this.regularFiles()]).then(
        ([baseTree, tree, files]) => files.filter((path) => !sameEntry(baseTree.get(path), tree.get(path))),
      );
      this.differing = differing;
      differing.catch(() => {
        if (this.differing === differing) this.differing = undefined;
      });
    }
    return this.differing;
  }

  /** One `git grep -F -l` over `pathspecs` (none: the whole commit), filtered exactly by `globs`. */
  private async gitGrep(
    tokens: readonly string[],
    globs: readonly string[] | undefined,
    pathspecs: readonly string[],
  ): Promise<string[]> {
    // Patterns go through stdin (-f -): no argv limit, no escaping, and a token may start with "-".
    const args = ['grep', '-l', '-z', '-F', '--no-color', '-f', '-', this.sha, '--', ...pathspecs];
    const { code, stdout } = await runGit(this.root, args, { input: tokens.join('\n') + '\n', okCodes: [0, 1] });
    if (code === 1) return []; // exit 1: nothing matched
    const prefix = `${this.sha}:`;
    const files = new Set(await this.regularFiles());
    const match = globMatcher(globs);
    const out: string[] = [];
    for (const raw of stdout.toString('utf8').split('\0')) {
      if (!raw) continue;
      const path = raw.startsWith(prefix) ? raw.slice(prefix.length) : raw;
      // git also searches symlink targets; those are not files here. The glob check is exact; the
      // pathspecs were only a speed-up.
      if (files.has(path) && match(path)) out.push(path);
    }
    return out.sort();
  }
}

/**
 * Whole-commit greps a warm run leaves to git before reading the candidates once for the rest: one `git
 * grep` costs about a fifth of reading them (Documenso: 60 ms against 350 ms for 2,400 blobs).
 */
const GIT_SEARCHES_BEFORE_READING = 4;
/** A full commit id (SHA-1 or SHA-256). */
const COMMIT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
/** Past this many changed paths a head-side grep searches the whole commit rather than naming each path. */
const MAX_LITERAL_PATHSPECS = 1000;
/** Head-side greps search the changed blobs in this process while they total at most this many bytes. */
const MAX_IN_PROCESS_BYTES = 16 * 1024 * 1024;
/**
 * Bytes kept together in large blocks of their own. Many small buffers would live among the process's
 * other small allocations, whose memory is reused but rarely given back; a block is given back to the
 * system once the arena and every view into it are gone.
 */
class BlobArena {
  private block: Buffer | undefined;
  private used = 0;

  /** A copy of `bytes` inside the arena. */
  keep(bytes: Buffer): Buffer {
    if (bytes.length > ARENA_BLOCK / 8) {
      const own = Buffer.allocUnsafeSlow(bytes.length);
      bytes.copy(own);
      return own;
    }
    if (!this.block || this.used + bytes.length > this.block.length) {
      this.block = Buffer.allocUnsafeSlow(ARENA_BLOCK);
      this.used = 0;
    }
    const view = this.block.subarray(this.used, this.used + bytes.length);
    bytes.copy(view);
    this.used += bytes.length;
    return view;
  }
}
const ARENA_BLOCK = 4 * 1024 * 1024;

/** Blobs requested from cat-file at a time when greps read them. */
const READ_BATCH = 256;
/** Whole-commit greps search the candidate blobs in this process while all they read totals at most this. */
const MAX_CORPUS_BYTES = 64 * 1024 * 1024;

/**
 * One regular expression for `git grep -F -f`'s patterns: every non-empty line of every token, as bytes
 * (UTF-8, one character per byte, as blobs are searched), literally. Memoised: the same token sets are
 * asked on both sides and by several indexes. Undefined past {@link MAX_PATTERNS} patterns or when the
 * expression cannot be compiled (then git searches).
 */
function tokenPattern(tokens: readonly string[]): RegExp | undefined {
  const key = JSON.stringify(tokens);
  if (patterns.has(key)) return patterns.get(key);
  let re: RegExp | undefined;
  try {
    // git skips empty lines of a pattern file.
    const lines = [...new Set(tokens.flatMap((t) => t.split('\n')))].filter(Boolean);
    // Compiling grows with the alternatives (0.1 s at 10,000, 10 s at 500,000); git's matcher does not.
    if (lines.length > MAX_PATTERNS) throw new RangeError('too many patterns');
    const alternatives = lines.map((l) =>
      Buffer.from(l, 'utf8')
        .toString('latin1')
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    );
    // No pattern left: nothing matches (an empty alternation would match everything).
    re = alternatives.length > 0 ? new RegExp(alternatives.join('|')) : /(?!)/;
  } catch {
    re = undefined; // too many patterns, or "Regular expression too large"
  }
  if (patterns.size >= 256) patterns.clear();
  patterns.set(key, re);
  return re;
}
const patterns = new Map<string, RegExp | undefined>();
/** Token lines one in-process search takes; more go to git. */
const MAX_PATTERNS = 2000;

/** A regular file (not a symlink or a submodule) in a tree listing. */
function isRegular(entry: TreeEntry | undefined): boolean {
  return entry !== undefined && entry.mode !== SYMLINK && entry.mode !== GITLINK;
}

/** Same blob and mode: the file's content (and so any grep's answer for it) is the same. */
function sameEntry(a: TreeEntry | undefined, b: TreeEntry | undefined): boolean {
  return a !== undefined && b !== undefined && a.oid === b.oid && a.mode === b.mode;
}

/**
 * Pathspecs that select a superset of what `globs` match, so git skips unrelated files (without any, git
 * reads every blob of the commit). Brace lists are expanded first (`src/*.{ts,tsx}` becomes `src/*.ts`
 * and `src/*.tsx`); then only globs made of plain characters, `*` and `/` are translated
 * (git's `:(glob)` agrees with picomatch on those). Anything fancier (ranges, classes, extglobs, escapes)
 * searches every file and relies on the exact filter.
 */
export function gitPathspecs(globs: readonly string[] | undefined): string[] {
  if (!globs || globs.length === 0) return [];
  const expanded: string[] = [];
  for (const glob of globs) {
    const alternatives = expandBraces(glob);
    if (!alternatives) return [];
    expanded.push(...alternatives);
  }
  if (expanded.length > 200) return [];
  if (!expanded.every((g) => /^[A-Za-z0-9_\-./*]+$/.test(g) && !g.startsWith('/') && !g.startsWith('./'))) return [];
  return [...new Set(expanded)].map((g) => `:(glob)${g}`);
}

/**
 * The alternatives of a glob's comma lists, innermost first (`a/{b,c{d,e}}` → `a/b`, `a/cd`, `a/ce`);
 * undefined when the braces are not plain comma lists of plain text (unbalanced, empty, escaped) or
 * expand past 200.
 */
function expandBraces(glob: string): string[] | undefined {
  // The innermost group: an opening brace with no brace inside before its closing one.
  const inner = /\{([^{}]*)\}/.exec(glob);
  if (!inner) return /[{}]/.test(glob) ? undefined : [glob];
  const body = inner[1] ?? '';
  // `{1..3}` (a range) or `{a}` (literal braces to picomatch) are not lists: let the caller give up.
  if (!body.includes(',')) return undefined;
  const before = glob.slice(0, inner.index);
  const after = glob.slice(inner.index + inner[0].length);
  const out: string[] = [];
  for (const alternative of body.split(',')) {
    const rest = expandBraces(before + alternative + after);
    if (!rest) return undefined;
    out.push(...rest);
    if (out.length > 200) return undefined;
  }
  return out;
}

async function git(root: string, args: readonly string[]): Promise<string> {
  return (await runGit(root, args)).stdout.toString('utf8');
}

/** The checkout's top-level directory and whether it is a shallow clone, in one git process. */
async function repository(cwd: string): Promise<{ root: string; shallow: boolean }> {
  const r = await runGit(cwd, ['rev-parse', '--is-shallow-repository', '--show-toplevel'], { okCodes: [0, 128] });
  const out = r.stdout.toString('utf8');
  const answer = out.slice(0, out.indexOf('\n'));
  const top = out.slice(answer.length + 1).replace(/\n$/, '');
  // git answers in order: a repository says whether it is shallow, then fails on a top level it lacks (bare).
  if (answer === 'true' || answer === 'false')
    return { root: (r.code === 0 && top) || cwd, shallow: answer === 'true' };
  // Not a repository (or a git that answers otherwise): asked one question at a time, for the message.
  const root = await repositoryRoot(cwd);
  return { root, shallow: (await git(root, ['rev-parse', '--is-shallow-repository'])).trim() === 'true' };
}

/** The top level of the checkout (or the repository itself when bare), or a SourceError. */
async function repositoryRoot(cwd: string): Promise<string> {
  const gitDir = await runGit(cwd, ['rev-parse', '--git-dir'], { okCodes: [0, 128] });
  if (gitDir.code !== 0) {
    if (/not a git repository/i.test(gitDir.stderr)) {
      throw new SourceError(
        `${cwd} is not inside a git repository`,
        'run in a git checkout, or point --cwd/working-directory at one',
      );
    }
    throw new SourceError(`cannot use the git repository at ${cwd}: ${gitDir.stderr.trim()}`, undefined);
  }
  const top = await runGit(cwd, ['rev-parse', '--show-toplevel'], { okCodes: [0, 128] });
  const root = top.code === 0 ? top.stdout.toString('utf8').replace(/\n$/, '') : '';
  return root || cwd;
}

function rejectOptionLike(ref: string, role: 'base' | 'head'): void {
  // A ref git would parse as an option is a usage error, not something to pass through.
  if (ref.startsWith('-') || ref === '') throw new SourceError(`invalid ${role} ref ${JSON.stringify(ref)}`);
}

/** The commit sha `ref` names, or undefined when git does not know it (or it is not a commit). */
async function resolveCommit(root: string, ref: string): Promise<string | undefined> {
  const r = await runGit(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { okCodes: [0, 1, 128] });
  const sha = r.stdout.toString('utf8').trim();
  return r.code === 0 && /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
}

/** `refs/heads/main` for `HEAD` on main, `refs/remotes/origin/main` for `origin/main`; undefined for shas. */
async function symbolicFullName(root: string, ref: string): Promise<string | undefined> {
  const r = await runGit(root, ['rev-parse', '--symbolic-full-name', ref], { okCodes: [0, 128] });
  const name = r.stdout.toString('utf8').trim();
  return r.code === 0 && name.startsWith('refs/') ? name : undefined;
}

async function defaultBase(root: string, headFull: string | undefined): Promise<{ ref: string; sha: string }> {
  const tried: string[] = [];
  const candidates: string[] = [];
  if (headFull?.startsWith('refs/heads/')) {
    // The upstream is the PR base only when it is another branch: a feature branch pushed with -u tracks
    // its own remote copy, which says nothing about what the PR targets.
    const r = await runGit(root, ['for-each-ref', '--format=%(upstream:short)%00%(upstream:remoteref)', headFull], {
      okCodes: [0],
    });
    const [short = '', remoteRef = ''] = r.stdout.toString('utf8').replace(/\n$/, '').split('\0');
    if (short && remoteRef !== headFull) candidates.push(short);
  }
  const originHead = await runGit(root, ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD'], {
    okCodes: [0, 1, 128],
  });
  const originHeadRef = originHead.code === 0 ? originHead.stdout.toString('utf8').trim() : '';
  if (originHeadRef) candidates.push(originHeadRef);
  candidates.push('origin/main', 'origin/master', 'main', 'master');

  for (const ref of candidates) {
    if (tried.includes(ref)) continue;
    tried.push(ref);
    const sha = await resolveCommit(root, ref);
    if (!sha) continue;
    if (headFull && (await symbolicFullName(root, ref)) === headFull) continue;
    return { ref, sha };
  }
  throw new SourceError(
    `cannot tell which branch this change targets: tried ${tried.join(', ')}`,
    'pass the base explicitly (--base origin/main), or set an upstream: git branch --set-upstream-to origin/main',
  );
}

interface MergeBaseQuery {
  baseRef: string;
  baseTipSha: string;
  headRef: string;
  headSha: string;
  shallow: boolean;
}

async function findMergeBase(root: string, q: MergeBaseQuery): Promise<string> {
  if (q.baseTipSha === q.headSha) return q.headSha;
  const r = await runGit(root, ['merge-base', q.baseTipSha, q.headSha], { okCodes: [0, 1, 128] });
  const sha = r.stdout.toString('utf8').split('\n')[0]!.trim();
  if (r.code === 0 && sha) return sha;
  const base = `${q.baseRef} (${q.baseTipSha.slice(0, 12)})`;
  const head = `${q.headRef} (${q.headSha.slice(0, 12)})`;
  if (q.shallow) {
    // git fetch takes only full commit ids: `--base 1a2b3c4` must print the id it resolved to.
    const fetch = await fetchCommand(root, isObjectId(q.baseRef) ? q.baseTipSha : q.baseRef, 'history');
    throw new SourceError(
      `the merge-base of ${base} and ${head} is not in this shallow clone: run \`${fetch}\` or check out with \`fetch-depth: 0\``,
      `git needs the commit where the branches diverged; repeat the fetch with a larger --deepen if the branch is older, or use actions/checkout with fetch-depth: 0`,
    );
  }
  if (r.code === 1) {
    throw new SourceError(
      `${base} and ${head} have no common history`,
      'pass the branch the change was made from as --base',
    );
  }
  throw new SourceError(`git merge-base ${base} ${head} failed: ${r.stderr.trim()}`);
}

/** The error for a ref git does not know, with the fetch that would bring it when the clone is shallow. */
async function unknownRef(root: string, ref: string, role: 'base' | 'head', shallow: boolean): Promise<SourceError> {
  if (shallow) {
    const fetch = await fetchCommand(root, ref, 'missing');
    const what = isObjectId(ref) ? `the ${role} commit ${ref}` : `the ${role} ref ${JSON.stringify(ref)}`;
    if (isObjectId(ref) && !isFullObjectId(ref)) {
      // An abbreviated id of a commit that is not here cannot be expanded, and git fetch refuses it.
      return new SourceError(
        `${what} is not in this shallow clone, and git fetch needs the full commit id: run \`git fetch --deepen=50 <remote> <full commit id>\` or check out with \`fetch-depth: 0\``,
        `pass the full 40-character id (\`git rev-parse ${ref}\` where the commit exists), or fetch with --unshallow`,
      );
    }
    return new SourceError(
      `${what} is not in this shallow clone: run \`${fetch}\` or check out with \`fetch-depth: 0\``,
      'a shallow clone only has the commits it fetched; fetch the missing one, or clone with full history',
    );
  }
  // "main" does not resolve to "origin/main" by itself; say so when that is the likely mix-up.
  for (const remote of await remotes(root)) {
    const guess = `${remote}/${ref}`;
    if (await resolveCommit(root, guess)) {
      return new SourceError(
        `unknown ${role} ref ${JSON.stringify(ref)}: git has no commit by that name`,
        `did you mean ${guess}?`,
      );
    }
  }
  return new SourceError(
    `unknown ${role} ref ${JSON.stringify(ref)}: git has no commit by that name`,
    'check the spelling; a remote branch must be fetched first (git fetch origin <branch>)',
  );
}

async function remotes(root: string): Promise<string[]> {
  return (await git(root, ['remote'])).split('\n').filter(Boolean);
}

function isObjectId(ref: string): boolean {
  return /^[0-9a-f]{7,64}$/i.test(ref);
}

/** A whole SHA-1 or SHA-256 object id, the only form `git fetch` accepts for a commit. */
function isFullObjectId(ref: string): boolean {
  return /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i.test(ref);
}

/**
 * The `git fetch` that brings what a shallow clone lacks. `--deepen` both extends the history already
 * there (where the branch point usually hides) and fetches a missing tip, so one command fixes either
 * case. A missing branch is fetched into the ref the user named, so the same command line works next time.
 */
async function fetchCommand(root: string, ref: string, kind: 'missing' | 'history'): Promise<string> {
  const known = await remotes(root);
  const fallbackRemote = known.includes('origin') ? 'origin' : (known[0] ?? 'origin');
  if (isObjectId(ref)) return `git fetch --deepen=50 ${fallbackRemote} ${ref}`;
  // Revision expressions and tags have no single branch to fetch; fetch everything.
  if (/[~^:@{}\\?*[\s]/.test(ref) || ref.startsWith('refs/tags/')) return `git fetch --unshallow ${fallbackRemote}`;
  let short = ref.replace(/^refs\/remotes\//, '');
  const remoteStyle = ref.startsWith('refs/remotes/') || known.some((r) => short.startsWith(`${r}/`));
  let remote = fallbackRemote;
  if (remoteStyle) {
    const slash = short.indexOf('/');
    remote = short.slice(0, slash);
    short = short.slice(slash + 1);
  } else {
    short = short.replace(/^refs\/heads\//, '');
  }
  if (kind === 'history') return `git fetch --deepen=50 ${remote} ${short}`;
  const dest = remoteStyle ? `refs/remotes/${remote}/${short}` : `refs/heads/${short}`;
  return `git fetch --deepen=50 ${remote} +refs/heads/${short}:${dest}`;
}

/**
 * The working tree as a commit on top of `head`, or undefined when it holds nothing `head` does not (or
 * there is no working tree: a bare repository).
 *
 * Like `git stash create`, but untracked files count too (a new migration is usually not added yet) and
 * nothing visible changes: `git add -A` runs against a temporary copy of the index, `git write-tree` and
 * `git commit-tree` only add objects to the object database, and no ref, index or file is modified. No hook
 * runs (neither command has any).
 */
export async function snapshotWorkingTree(root: string, head: string): Promise<WorkingTreeChanges | undefined> {
  const inside = await runGit(root, ['rev-parse', '--is-inside-work-tree'], { okCodes: [0, 128] });
  if (inside.stdout.toString('utf8').trim() !== 'true') return undefined;
  const indexPath = resolvePath(root, (await git(root, ['rev-parse', '--git-path', 'index'])).trim());
  const dir = await mkdtemp(join(tmpdir(), 'readiness-index-'));
  try {
    const env = { GIT_INDEX_FILE: join(dir, 'index') };
    // A copy keeps the stat data, so `git add -A` only hashes files that changed; no index yet: start empty.
    // The copy keeps the index's own times too: git re-hashes a file whose stat data is no older than the
    // index ("racily clean"), and a copy dated now would hide a same-size edit made in the index's second.
    const copied = await copyFile(indexPath, env.GIT_INDEX_FILE).then(
      () => true,
      (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
        return false;
      },
    );
    if (copied) {
      const { atime, mtime } = await stat(indexPath);
      await utimes(env.GIT_INDEX_FILE, atime, mtime);
    }
    await runGit(root, ['add', '-A', '--', ':/'], { env });
    const tree = (await runGit(root, ['write-tree'], { env })).stdout.toString('utf8').trim();
    const headTree = (await git(root, ['rev-parse', `${head}^{tree}`])).trim();
    if (tree === headTree) return undefined;
    const diff = await runGit(root, ['diff-tree', '-r', '-z', '--name-only', '--no-renames', headTree, tree]);
    const paths = diff.stdout.toString('utf8').split('\0').filter(Boolean).sort();
    // A fixed identity and date: commit-tree needs one, the user may have none configured, and the same
    // working tree then gives the same commit id.
    const identity = {
      GIT_AUTHOR_NAME: 'readiness-gates',
      GIT_AUTHOR_EMAIL: 'readiness-gates@localhost',
      GIT_AUTHOR_DATE: '1970-01-01T00:00:00Z',
    };
    const commitEnv = {
      ...identity,
      GIT_COMMITTER_NAME: identity.GIT_AUTHOR_NAME,
      GIT_COMMITTER_EMAIL: identity.GIT_AUTHOR_EMAIL,
      GIT_COMMITTER_DATE: identity.GIT_AUTHOR_DATE,
    };
    const commit = await runGit(root, ['commit-tree', tree, '-p', head, '-m', 'readiness-gates: working tree'], {
      env: commitEnv,
    });
    return { sha: commit.stdout.toString('utf8').trim(), headSha: head, paths };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One streamed `git diff-tree` for the whole change: no per-file processes, no paths on the command line. */
async function changedFiles(root: string, from: string, to: string): Promise<ChangedFile[]> {
  const parser = new RawPatchParser();
  await streamGit(
    root,
    [
      'diff-tree',
      '-r',
      '-z',
      '-M',
      '--raw',
      '-p',
      '-U0',
      '--no-color',
      '--no-ext-diff',
      '--no-textconv',
      '--no-relative',
      '--submodule=short',
      from,
      to,
    ],
    (chunk) => parser.push(chunk),
  );
  return parser.finish().sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** `git ls-tree -r -l` of a commit: every blob, symlink and gitlink with its mode, id and size. */
async function lsTree(root: string, sha: string): Promise<Map<string, TreeEntry>> {
  const { stdout } = await runGit(root, ['ls-tree', '-r', '-z', '-l', '--full-tree', sha]);
  const tree = new Map<string, TreeEntry>();
  let pos = 0;
  while (pos < stdout.length) {
    let end = stdout.indexOf(0, pos);
    if (end === -1) end = stdout.length;
    // "<mode> <type> <oid> <size padded>\t<path>"
    const tab = stdout.indexOf(0x09, pos);
    if (tab === -1 || tab > end)
      throw new SourceError(
        `unexpected git ls-tree output: ${JSON.stringify(stdout.subarray(pos, end).toString('utf8'))}`,
      );
    const [mode = '', , oid = '', size = ''] = stdout.subarray(pos, tab).toString('latin1').split(/ +/);
    const path = stdout.subarray(tab + 1, end).toString('utf8');
    tree.set(path, { mode, oid, size: size === '-' ? -1 : Number(size) });
    pos = end + 1;
  }
  return tree;
}

/** Branch names that mark release lines: `release/1.2`, `releases/x`, `release-3`, `stable`, `3.20`, `v2.x`. */
const RELEASE_BRANCH = /^(?:releases?(?:[/_-].*)?|stable(?:[/_-].*)?|v?\d+(?:\.(?:\d+|x))+)$/;

/**
 * The release refs (every tag, and branches named like release lines) and the newest released commit in
 * the history of `sha`: the boundary of `rev-list sha --not <release refs>` (the released commits the
 * unreleased ones grew from), newest first.
 */
async function releaseState(root: string, sha: string, snapshotAt: (sha: string) => Snapshot): Promise<ReleaseState> {
  const all = (
    await git(root, [
      'for-each-ref',
      '--sort=-creatordate',
      '--format=%(refname)',
      'refs/tags',
      'refs/heads',
      'refs/remotes',
    ])
  )
    .split('\n')
    .filter(Boolean);
  const refs = all.filter((r) => {
    if (r.startsWith('refs/tags/')) return true;
    const branch = r.startsWith('refs/heads/') ? r.slice('refs/heads/'.length) : r.split('/').slice(3).join('/');
    return RELEASE_BRANCH.test(branch);
  });
  if (refs.length === 0) return { refs: [] };
  const named = refs.slice(0, 3).map((r) => r.replace(/^refs\/(?:tags|heads|remotes)\//, ''));
  const { stdout } = await runGit(root, ['rev-list', '--boundary', sha, '--stdin'], {
    input: refs.map((r) => `^${r}\n`).join(''),
  });
  const lines = stdout.toString('utf8').split('\n').filter(Boolean);
  // Nothing unreleased: the commit itself is in a release.
  if (lines.length === 0) return { refs: named, released: snapshotAt(sha) };
  const boundary = lines
    .filter((l) => l.startsWith('-'))
    .map((l) => l.slice(1))
    .slice(0, 200);
  if (boundary.length === 0) return { refs: named };
  const newest = (await git(root, ['log', '--no-walk=sorted', '--format=%H', ...boundary])).split('\n')[0]?.trim();
  return newest ? { refs: named, released: snapshotAt(newest) } : { refs: named };
}
