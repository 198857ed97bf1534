/**
 * The {@link GitHubReader} that src/source/github.ts reads a change through, implemented over the port's
 * Octokit calls: the pull request's files (up to GitHub's 3,000), recursive trees and base64 blobs. Every
 * request goes through `call()` with whatever retrying Octokit the caller built (the app's Probot Octokit,
 * the Action's `createOctokit`), so 5xx answers and secondary rate limits are retried there, and a final
 * failure arrives as a `GitHubFailure`.
 *
 * Nothing here downloads more than it is asked for: the ChangeSet decides which blobs it needs within
 * its byte budget.
 */
import type { ApiPullFile, ApiRef, ApiTreeEntry, GitHubReader } from '../source/github.js';
import { hasStatus } from './errors.js';
import type { OctokitLike } from './octokit.js';
import { compareCommits, getBlob, getTree, listPullFiles, listRefs, type ChangedFile, type RepoRef } from './repo.js';

/** GitHub's compare endpoint lists at most this many files. */
export const COMPARE_FILES_LIMIT = 300;

/** What the reader lists as "the change": a pull request, or a plain comparison (a merge group). */
export type ReaderTarget = { kind: 'pull'; pullNumber: number } | { kind: 'compare'; base: string; head: string };

/** Options of {@link createGitHubReader}. */
export interface GitHubReaderOptions extends RepoRef {
  target: ReaderTarget;
  /** Called after each request the reader makes, for metrics. */
  onRequest?: (what: 'files' | 'tree' | 'blob' | 'refs' | 'compare') => void;
}

function toApiFile(file: ChangedFile): ApiPullFile {
  return {
    filename: file.path,
    status: file.status,
    ...(file.previousPath === undefined ? {} : { previous_filename: file.previousPath }),
    ...(file.patch === undefined ? {} : { patch: file.patch }),
    additions: file.additions,
    deletions: file.deletions,
    changes: file.additions + file.deletions,
  };
}

/**
 * A reader of one repository's change through the REST API. Trees are cached per commit (the base and
 * head snapshots each ask once, a merge group may ask twice for the same commit); blobs are not, because
 * the snapshot above already caches every path it reads.
 */
export function createGitHubReader(octokit: OctokitLike, options: GitHubReaderOptions): GitHubReader {
  const repo: RepoRef = { owner: options.owner, repo: options.repo };
  const trees = new Map<string, Promise<{ entries: ApiTreeEntry[]; truncated: boolean }>>();
  const counted = <T>(what: 'files' | 'tree' | 'blob' | 'refs' | 'compare', p: Promise<T>): Promise<T> => {
    options.onRequest?.(what);
    return p;
  };
  return {
    async listPullFiles() {
      const target = options.target;
      if (target.kind === 'pull') {
        const { files, truncated } = await counted(
          'files',
          listPullFiles(octokit, { ...repo, pullNumber: target.pullNumber }),
        );
        return { files: files.map(toApiFile), truncated };
      }
      // The compare endpoint lists at most 300 files and has no further pages of them.
      const { files } = await counted(
        'files',
        compareCommits(octokit, { ...repo, base: target.base, head: target.head }),
      );
      return { files: files.map(toApiFile), truncated: files.length >= COMPARE_FILES_LIMIT };
    },
    getTree(commitSha) {
      let tree = trees.get(commitSha);
      if (!tree) {
        tree = counted('tree', getTree(octokit, { ...repo, sha: commitSha, recursive: true })).then(
          ({ entries, truncated }) => ({
            entries: entries.map((e) => ({
              path: e.path,
              mode: e.mode,
              type: e.type,
              sha: e.sha,
              ...(e.size === undefined ? {} : { size: e.size }),
            })),
            truncated,
          }),
        );
        // A failed listing must not stay cached: the next evaluation asks again.
        tree.catch(() => trees.delete(commitSha));
        trees.set(commitSha, tree);
      }
      return tree;
    },
    async getBlob(blobSha) {
      const bytes = await counted('blob', getBlob(octokit, { ...repo, sha: blobSha }));
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
    async listRefs() {
      const tags = await counted('refs', listRefs(octokit, { ...repo, kind: 'tag' }));
      const branches = await counted('refs', listRefs(octokit, { ...repo, kind: 'branch' }));
      const refs: ApiRef[] = [
        ...tags.refs.map((r) => ({ ...r, kind: 'tag' as const })),
        ...branches.refs.map((r) => ({ ...r, kind: 'branch' as const })),
      ];
      return { refs, truncated: tags.truncated || branches.truncated };
    },
    async compare(base, head) {
      try {
        const c = await counted('compare', compareCommits(octokit, { ...repo, base, head }));
        return {
          status: c.status,
          mergeBaseSha: c.mergeBaseSha,
          ...(c.mergeBaseDate ? { mergeBaseDate: c.mergeBaseDate } : {}),
        };
      } catch (error) {
        // GitHub answers 404 when the two commits share no history.
        if (hasStatus(error, 404)) return undefined;
        throw error;
      }
    },
  };
}
