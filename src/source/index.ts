/**
 * The source layer's public API: where a change comes from (a local git checkout, or memory for tests)
 * and which services a repository holds. The GitHub API source lives in `github.ts` beside these.
 */
export { SourceError } from './errors.js';
export {
  gitChangeSet,
  GitSnapshot,
  snapshotWorkingTree,
  type GitChangeSet,
  type GitChangeSetOptions,
  type WorkingTreeChanges,
} from './git.js';
export { CatFileBatch } from './git-process.js';
export {
  memoryChangeSet,
  memorySnapshot,
  MemorySnapshot,
  type MemoryChangeSetOptions,
  type MemoryFiles,
  type MemorySnapshotOptions,
} from './memory.js';
export { detectServices, type ConfiguredService, type ServiceMap } from '../core/services.js';
export { diffLines, splitLinesKeepEnds, type LineDiff } from './line-diff.js';
export { globMatcher } from './globs.js';
export { DEFAULT_MAX_FILE_BYTES } from './limits.js';
export {
  githubChangeSet,
  GitHubSnapshot,
  linesFromPatch,
  type ApiPullFile,
  type ApiTreeEntry,
  type ByteBudget,
  type GitHubChangeSet,
  type GitHubChangeSetOptions,
  type GitHubReader,
} from './github.js';
