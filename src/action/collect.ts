/**
 * Builds the ChangeSet for the Action: from the checkout when git has (or can fetch) both commits and their
 * merge-base, else from the GitHub API's file list. `actions/checkout` clones one commit deep by default, so
 * the base is usually missing; rather than ask every user for `fetch-depth: 0`, this fetches exactly the
 * commits it needs (`git fetch --no-tags --depth=N origin <sha>`, deepening until the merge-base appears)
 * and says in the log which way it went.
 *
 * Nothing here runs repository code: git only transfers objects and reads them.
 */
import type { ChangeSet } from '../core/types.js';
import { compareCommits, createGitHubReader, type OctokitLike } from '../github/index.js';
import { runGit } from '../source/git-process.js';
import { githubChangeSet, gitChangeSet, SourceError } from '../source/index.js';
import type { AnalysisCache } from '../core/cache.js';
import type { RepoId } from './event.js';

/** Depths tried in turn when the merge-base is not in a shallow clone yet; past the last, the API is used. */
export const FETCH_DEPTHS = [50, 500, 5000] as const;

/** What to compare. */
export interface CollectRequest {
  /** Any directory in the checkout. */
  cwd: string;
  /** Revision (sha or ref); undefined = the head's first parent. */
  base: string | undefined;
  head: string;
  baseRef: string;
  headRef: string;
  repo: RepoId;
  /** For the API fallback: the pull request's file list is complete up to 3,000 files; a comparison lists 300. */
  pullNumber?: number;
  /** Absent when there is no token: then git is the only way. */
  octokit?: OctokitLike;
  log: (line: string) => void;
  /** Grep answers kept between runs (the Action's `cache-dir`). */
  cache?: AnalysisCache;
}

/** The ChangeSet and one sentence saying where it came from (for the log and the job summary). */
export interface Collected {
  changeSet: ChangeSet;
  source: 'git' | 'api';
  /** e.g. "git checkout (fetched the base commit: git fetch --no-tags --depth=50 origin 1a2b3c4)". */
  description: string;
}

/** Nothing to compare (a root commit pushed alone). */
export class NothingToCompare extends Error {
  override readonly name = 'NothingToCompare';
}

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/i;

async function git(root: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runGit(root, args, { okCodes: [0, 1, 128, 129] });
  return { code: r.code, out: r.stdout.toString('utf8').trim(), err: r.stderr.trim() };
}

async function resolveLocal(root: string, rev: string): Promise<string | undefined> {
  if (rev.startsWith('-')) throw new SourceError(`invalid revision ${JSON.stringify(rev)}`);
  const r = await git(root, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  return r.code === 0 && SHA.test(r.out) ? r.out : undefined;
}

/** Git state the fetches depend on. */
interface Checkout {
  root: string;
  shallow: boolean;
  hasOrigin: boolean;
}

async function inspect(cwd: string): Promise<Checkout | { error: string }> {
  let top: { code: number; out: string; err: string };
  try {
    // One process for both answers: every git spawn costs start-up time on a runner.
    top = await git(cwd, ['rev-parse', '--show-toplevel', '--is-shallow-repository']);
  } catch (error) {
    return { error: (error as Error).message };
  }
  if (top.code !== 0) return { error: `${cwd} is not a git checkout (${top.err || 'git rev-parse failed'})` };
  const [root = cwd, shallow] = top.out.split('\n');
  const hasOrigin = (await git(root, ['remote'])).out.split('\n').includes('origin');
  return { root, shallow: shallow === 'true', hasOrigin };
}

/**
 * One fetch, logged as the exact command. Depth applies only to shallow clones: in a complete clone a depth
 * would make it shallow, and git has the history to find merge-bases anyway.
 */
async function fetch(
  co: Checkout,
  revs: string[],
  depth: number | undefined,
  log: (l: string) => void,
): Promise<boolean> {
  const args = [
    'fetch',
    '--no-tags',
    '--no-recurse-submodules',
    ...(co.shallow && depth ? [`--depth=${depth}`] : []),
    'origin',
    ...revs,
  ];
  log(`  git ${args.join(' ')}`);
  const r = await git(co.root, args);
  if (r.code !== 0) log(`  … failed: ${r.err.split('\n').slice(-1)[0] ?? `exit ${r.code}`}`);
  return r.code === 0;
}

/** The commit a revision names, fetching it from origin when the checkout lacks it. */
async function ensureCommit(
  co: Checkout,
  rev: string,
  role: string,
  log: (l: string) => void,
): Promise<string | undefined> {
  const local = await resolveLocal(co.root, rev);
  if (local) return local;
  if (!co.hasOrigin) return undefined;
  log(`The ${role} ${rev} is not in the checkout; fetching it:`);
  if (!(await fetch(co, [rev], 1, log))) return undefined;
  // A fetched sha is resolvable as itself; a fetched ref name only through FETCH_HEAD.
  return (await resolveLocal(co.root, rev)) ?? (await resolveLocal(co.root, 'FETCH_HEAD'));
}

async function mergeBase(root: string, a: string, b: string): Promise<string | undefined> {
  const r = await git(root, ['merge-base', a, b]);
  return r.code === 0 && SHA.test(r.out.split('\n')[0] ?? '') ? r.out.split('\n')[0] : undefined;
}

/**
 * The change set for the request. Prefers git; falls back to the API (when a token is available) if git
 * cannot supply the commits or their merge-base. Throws SourceError when neither works, and
 * {@link NothingToCompare} for a root commit without a base.
 */
export async function collectChanges(req: CollectRequest): Promise<Collected> {
  const { log } = req;
  const co = await inspect(req.cwd);
  const fallback = async (why: string): Promise<Collected> => {
    if (!req.octokit) {
      throw new SourceError(
        `cannot compare the commits in the checkout: ${why}`,
        'check out with actions/checkout before this step, or pass github-token so the API can be used instead',
      );
    }
    log(`Using the GitHub API's file list instead of git: ${why}.`);
    return apiChangeSet(req, req.octokit);
  };
  if ('error' in co) return fallback(co.error);

  const headSha = await ensureCommit(co, req.head, 'head commit', log);
  if (!headSha) return fallback(`the head commit ${req.head} is not in the checkout and could not be fetched`);

  let baseSha: string | undefined;
  const fetched: string[] = [];
  if (req.base === undefined) {
    baseSha = await resolveLocal(co.root, `${headSha}^`);
    if (!baseSha && co.shallow && co.hasOrigin) {
      log(`The parent of ${headSha.slice(0, 7)} is not in the shallow checkout; fetching it:`);
      if (await fetch(co, [headSha], 2, log)) fetched.push('the parent commit');
      baseSha = await resolveLocal(co.root, `${headSha}^`);
    }
    if (!baseSha) {
      if ((await git(co.root, ['cat-file', '-p', headSha])).out.includes('\nparent '))
        return fallback(`the parent of ${headSha.slice(0, 7)} could not be fetched`);
      throw new NothingToCompare(
        `${headSha.slice(0, 7)} is the repository's first commit; there is no previous commit to compare with`,
      );
    }
  } else {
    const before = await resolveLocal(co.root, req.base);
    baseSha = before ?? (await ensureCommit(co, req.base, 'base commit', log));
    if (!baseSha) return fallback(`the base commit ${req.base} is not in the checkout and could not be fetched`);
    if (!before) fetched.push('the base commit');
  }

  // A complete clone has every ancestor; gitChangeSet finds the merge-base (or says there is none).
  let found = co.shallow ? await mergeBase(co.root, baseSha, headSha) : 'complete';
  if (!found && co.shallow && co.hasOrigin) {
    log(
      `The merge-base of ${baseSha.slice(0, 7)} and ${headSha.slice(0, 7)} is not in the shallow checkout; deepening:`,
    );
    let why = `even ${FETCH_DEPTHS[FETCH_DEPTHS.length - 1]} commits of history do not reach it`;
    for (const depth of FETCH_DEPTHS) {
      if (!(await fetch(co, [baseSha, headSha], depth, log))) {
        why = 'fetching more history failed';
        break;
      }
      found = await mergeBase(co.root, baseSha, headSha);
      if (found) {
        fetched.push(`${depth} commits of history`);
        break;
      }
    }
    if (!found)
      return fallback(
        `the merge-base of ${baseSha.slice(0, 7)} and ${headSha.slice(0, 7)} is not in the shallow checkout: ${why}`,
      );
  }
  if (!found)
    return fallback(
      `the merge-base of ${baseSha.slice(0, 7)} and ${headSha.slice(0, 7)} is not in the shallow checkout, which has no origin to fetch from`,
    );

  const changeSet = await gitChangeSet({
    cwd: co.root,
    base: baseSha,
    head: headSha,
    ...(req.cache ? { cache: req.cache } : {}),
  });
  changeSet.baseRef = req.baseRef;
  changeSet.headRef = req.headRef;
  const how = fetched.length
    ? `fetched ${fetched.join(' and ')}`
    : co.shallow
      ? 'shallow, but everything needed was there'
      : 'full history';
  return {
    changeSet,
    source: 'git',
    description: `git checkout (${how}); merge-base ${changeSet.base.sha.slice(0, 7)}`,
  };
}

/** The change set through the API only: the PR's (or the comparison's) file list, trees and blobs. */
async function apiChangeSet(req: CollectRequest, octokit: OctokitLike): Promise<Collected> {
  const { owner, repo } = req.repo;
  const { log } = req;
  if (req.base === undefined)
    throw new SourceError(
      'without the checkout there is no parent commit to compare with',
      'check out with fetch-depth: 2, or set the `base` input',
    );
  // The merge-base, as GitHub computes it; the pull request's files are listed against it too.
  const comparison = await compareCommits(octokit, { owner, repo, base: req.base, head: req.head });
  const headSha = SHA.test(req.head) ? req.head : undefined;
  const reader = createGitHubReader(octokit, {
    owner,
    repo,
    target:
      req.pullNumber !== undefined
        ? { kind: 'pull', pullNumber: req.pullNumber }
        : { kind: 'compare', base: req.base, head: req.head },
  });
  const changeSet = await githubChangeSet({
    reader,
    baseSha: comparison.mergeBaseSha,
    // Policy is read at the base's tip (the payload's sha); the merge-base only gives the diff and the baseline.
    ...(SHA.test(req.base) ? { policySha: req.base } : {}),
    headSha: headSha ?? req.head,
    baseRef: req.baseRef,
    headRef: req.headRef,
  });
  const listing =
    req.pullNumber !== undefined
      ? `pull request #${req.pullNumber}'s file list`
      : 'the comparison’s file list (at most 300 files)';
  // Say what the API could not give: the gates then ran with less context, and the report must not look complete.
  const { budget } = changeSet;
  const gaps = [
    ...(budget.filesTruncated ? ['GitHub listed only part of the changed files'] : []),
    ...(budget.truncatedTrees.length
      ? [`GitHub truncated the tree listing of ${budget.truncatedTrees.map((t) => t.slice(0, 7)).join(', ')}`]
      : []),
  ];
  if (gaps.length) log(`Less context than a checkout would give: ${gaps.join('; ')}.`);
  const more = gaps.length ? `; ${gaps.join('; ')}` : '';
  return {
    changeSet,
    source: 'api',
    description: `GitHub API (${listing}, trees and blobs); merge-base ${comparison.mergeBaseSha.slice(0, 7)}${more}`,
  };
}
