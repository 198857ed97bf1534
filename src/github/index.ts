/**
 * The port to GitHub: the only code that talks to GitHub. The Action, the app and tests reach GitHub
 * through these functions with whatever Octokit they have (`OctokitLike`), passing already-rendered
 * strings and payloads; nothing here knows about gates or rules.
 */
export {
  addReaction,
  COMMENT_BODY_LIMIT,
  createIssueComment,
  lastEditorsOf,
  listIssueComments,
  upsertStickyComment,
} from './comments.js';
export type {
  CommentEditInfo,
  IssueComment,
  IssueRef,
  ReactionContent,
  StickyCommentMode,
  StickyCommentResult,
  UpsertStickyCommentOptions,
} from './comments.js';
export {
  ANNOTATIONS_PER_REQUEST,
  CHECK_OUTPUT_LIMIT,
  checkRunStatus,
  findOpenCheckRun,
  publishCheckRun,
} from './checks.js';
export type {
  CheckRunAnnotation,
  CheckRunConclusion,
  CheckRunStatus,
  PublishCheckRunOptions,
  PublishCheckRunResult,
} from './checks.js';
export { CODEOWNERS_LOCATIONS, codeownersFor, parseCodeowners } from './codeowners.js';
export type { Codeowners, CodeownersError, CodeownersRule } from './codeowners.js';
export { COMMAND_USAGE, parseCommand } from './commands.js';
export type {
  CommandErrorCode,
  CommandParseError,
  ParseCommandOptions,
  ParsedCommand,
  ReadinessCommand,
} from './commands.js';
export { GitHubFailure, hasStatus, isReadOnlyTokenError, toGitHubFailure } from './errors.js';
export type { GitHubFailureInit, GitHubFailureKind } from './errors.js';
export { call, createOctokit } from './octokit.js';
export type {
  CreateOctokitOptions,
  OctokitLike,
  OctokitLog,
  OctokitResponseLike,
  ReadinessOctokit,
  ThrottleOptions,
} from './octokit.js';
export { collectPages } from './paginate.js';
export type { CollectPagesOptions } from './paginate.js';
export {
  compareCommits,
  getBlob,
  getCollaboratorPermission,
  getFileContent,
  getPullRequest,
  getTree,
  listPullFiles,
  listRefs,
  PERMISSION_ORDER,
  permissionAtLeast,
  PULL_FILES_LIMIT,
  REFS_LIMIT,
  repositoryConfigReader,
} from './repo.js';
export type { ChangedFile, PullRequestInfo, RepoPermission, RepoRef, TreeEntry } from './repo.js';
export {
  codeownersFromApi,
  decideWaivers,
  deriveWaivers,
  editedByOther,
  editedByOtherReason,
  extractWaiverCommands,
  gatherWaiverFacts,
  WAIVER_LINE,
  withLastEditors,
} from './waivers.js';
export type {
  AcceptedCommand,
  CommandComment,
  DeriveWaiversOptions,
  GatherWaiverFactsOptions,
  RefusedCommand,
  WaiverCommandEntry,
  WaiverContext,
  WaiverDecision,
  WaiverFacts,
} from './waivers.js';
export { COMPARE_FILES_LIMIT, createGitHubReader } from './reader.js';
export type { GitHubReaderOptions, ReaderTarget } from './reader.js';
