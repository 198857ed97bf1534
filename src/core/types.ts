/**
 * The engine's public vocabulary: findings, rules, gates, changes and snapshots.
 *
 * Everything here is pure data or interfaces. `core/`, `config/`, `gates/` and `render/` build on it and
 * never import a GitHub or Actions SDK (see test/core/boundaries.test.ts).
 */
import type { z } from 'zod';
import type { SourceFile } from '../lang/source-file.js';
import type { AnalysisCache } from './cache.js';
import type { FactsDef, RuleFactsOwner } from './facts.js';
import type { ModuleResolver } from '../lang/program/modules.js';

/** How much a finding matters. Only `blocker` fails the verdict under the default `fail-on`. */
export type Severity = 'blocker' | 'warning' | 'notice';
export type SeverityOrOff = Severity | 'off';
export const SEVERITIES: readonly Severity[] = ['blocker', 'warning', 'notice'];

/** The four product gates plus `core`, which owns the engine's own findings (bad suppressions). */
export type GateId = 'migrations' | 'metrics' | 'pii' | 'health' | 'core';

/** `new`: introduced by the PR; `existing`: already present at the base; the other two are listed, not counted. */
export type FindingState = 'new' | 'existing' | 'suppressed' | 'waived';

/** A secondary location a finding points to ("the other definition is at …"). */
export interface RelatedLocation {
  path: string;
  line: number;
  message: string;
}

/** What a rule hands to `report()`. The engine adds id, state, severity and fingerprint. */
export interface FindingInput {
  /** Key into the rule's `messages`. */
  messageId: string;
  /** Values for `{{placeholders}}` in the message and fix. */
  data?: Record<string, string | number>;
  /** Defaults to the file being checked. */
  path?: string;
  /** 1-based. */
  line: number;
  endLine?: number;
  column?: number;
  /** Overrides the rule's default severity for this finding only (e.g. "blocker where the object carries a credential"). */
  severity?: Severity;
  related?: RelatedLocation[];
  /**
   * Extra text that identifies this finding when the code context alone would not (e.g. the metric name).
   * Part of the fingerprint; never a line number.
   */
  key?: string;
  /**
   * `key`: the key alone (with the rule and path) identifies the finding, so the text of the reported line
   * is left out of its fingerprint. For findings about a value rather than a line, e.g. a secret reaching
   * a log call: rewording the message around it is the same finding, not a new one. Default `line`.
   */
  anchor?: 'line' | 'key';
}

/** A judged finding as it appears in the report (the JSON contract in architecture.md). */
export interface Finding {
  id: string;
  ruleId: string;
  /**
   * Which of the rule's `messages` produced `message` (additive to schemaVersion 1). The engine always
   * sets it; optional so reports written before it existed still type-check.
   */
  messageId?: string;
  gate: GateId;
  severity: Severity;
  state: FindingState;
  path: string;
  line: number;
  endLine: number;
  column?: number;
  message: string;
  fix: string;
  related?: RelatedLocation[];
  /** Why it is suppressed / waived, by whom and until when. */
  suppression?: SuppressionRecord;
  /**
   * Set on a `new` finding that a suppression comment added or changed by the pull request would clear:
   * the comment (where, which marker, its reason). The finding still blocks until someone the base
   * policy allows to waive approves it (`/readiness approve <id>`) or waives it; then it becomes
   * `suppressed` (with `suppression.approvedBy`) or `waived`. Only with `suppressions.new-blockers:
   * require-approval` (the default).
   */
  pendingApproval?: SuppressionRecord;
}

/**
 * A finding present at the base and gone at the head: what the PR fixed (or removed). `path` is the
 * head-side path for renamed files (the base path for removed ones); `line` is the line at the base.
 */
export interface ResolvedFinding {
  id: string;
  ruleId: string;
  gate: GateId;
  severity: Severity;
  path: string;
  line: number;
  message: string;
}

export interface SuppressionRecord {
  kind: 'comment' | 'exception' | 'waiver' | 'native';
  reason: string;
  /** For waivers: the GitHub login. For comments: the path:line of the comment. */
  by?: string;
  until?: string;
  /** e.g. "squawk-ignore" for native markers. */
  marker?: string;
  /** For a suppression comment the pull request added: the GitHub login who approved it. */
  approvedBy?: string;
}

/** A file that could not be analysed, and why. The report still comes out. */
export interface AnalysisError {
  path: string;
  message: string;
}

// ---------------------------------------------------------------------------------------------------------
// Changes and snapshots
// ---------------------------------------------------------------------------------------------------------

export type ChangeStatus = 'added' | 'modified' | 'removed' | 'renamed' | 'mode-changed';

/** One file the PR touches. Paths are repository-relative with forward slashes. */
export interface ChangedFile {
  /** The path at the head (for a removed file: the path it had at the base). */
  path: string;
  /** For renames (and copies): the path at the base. */
  previousPath?: string;
  status: ChangeStatus;
  /** 1-based line numbers added or changed at the head, sorted. Empty for removed and binary files. */
  addedLines: number[];
  /** 1-based line numbers removed at the base, sorted. */
  removedLines: number[];
  binary: boolean;
  /** git mode at base and head when known (e.g. "100644", "100755", "120000" symlink, "160000" submodule). */
  oldMode?: string;
  newMode?: string;
}

/** Why a file was not analysed. */
export type SkipReason = 'binary' | 'too-large' | 'not-utf8' | 'symlink' | 'submodule' | 'missing' | 'over-budget';

/** The result of reading a file from a snapshot. */
export type ReadResult = { ok: true; file: SourceFile } | { ok: false; reason: SkipReason; detail: string };

/**
 * The whole tree at one commit, read lazily and cached. Implementations: local git, the GitHub API,
 * in-memory (tests).
 */
export interface Snapshot {
  /** Commit sha (or a synthetic id for in-memory snapshots). */
  readonly sha: string;
  /** Every regular file path, sorted; optionally only those matching any of `globs` (picomatch, dot files included). */
  list(globs?: readonly string[]): Promise<string[]>;
  /** Reads and decodes one file (BOM stripped, UTF-8 validated, size-limited). Cached. */
  read(path: string): Promise<ReadResult>;
  /** Paths (optionally limited by globs) whose text contains any of `tokens` literally. A cheap prefilter. */
  grep(tokens: readonly string[], globs?: readonly string[]): Promise<string[]>;
  /** True when the path exists at this snapshot. */
  has(path: string): Promise<boolean>;
  /**
   * A regular file's content id and size without reading it (git: the blob id from the tree listing), for
   * the analysis cache. Optional: sources that cannot tell leave it out.
   */
  blobId?(path: string): Promise<{ oid: string; size: number } | undefined>;
  /**
   * Starts reading these files ahead of `read`, where that is cheap and changes nothing else (a local
   * git process; not the GitHub API, whose byte budget depends on the order of reads). Optional.
   */
  prefetch?(paths: readonly string[]): void;
  /**
   * The indexes are built: text the snapshot kept to answer `grep` quickly may go (a later grep reads it
   * again). Optional.
   */
  releaseSearchText?(): void;
  /**
   * Where this snapshot stands against the repository's releases (tags and release branches), when the
   * source can tell. Cached; undefined when the source has no history to ask (then nothing is known).
   */
  releases?(): Promise<ReleaseState | undefined>;
}

/**
 * What the repository's releases contain of one snapshot's history: history rules treat a migration no
 * release contains as not yet applied anywhere that matters.
 */
export interface ReleaseState {
  /** The tags and release branches seen (at most a few named, for messages); empty when there are none. */
  refs: readonly string[];
  /**
   * The newest commit of this snapshot's history that some release contains, as a snapshot (the tree the
   * last release shipped from this line); undefined when no release contains any of it.
   */
  released?: Snapshot;
}

/** The pull request as the engine sees it: two snapshots and the files between them. */
export interface ChangeSet {
  /** The merge-base of the base branch and the head: the diff and the baseline are taken against it. */
  base: Snapshot;
  head: Snapshot;
  /**
   * The tip of the branch the change targets, where policy is read: the enforced config, the waiver
   * policy and CODEOWNERS. Not the merge-base, which the PR's author chooses by choosing where to
   * branch (a PR branched before the base switched from report-only to enforcing would pass). Absent
   * when the base is the tip itself (e.g. a push compared with its parent): policy is read at `base`.
   */
  policy?: Snapshot;
  /** Human refs, for the report. */
  baseRef: string;
  headRef: string;
  files: ChangedFile[];
  /**
   * Why `files` is not every file the pull request changes (GitHub lists at most 3,000), when it is not.
   * The engine then reports the change as incomplete (`core/unanalysed-file`).
   */
  unlisted?: string;
  /** Releases resources (e.g. the long-running `git cat-file` process). Safe to call twice. */
  close?(): Promise<void> | void;
}

// ---------------------------------------------------------------------------------------------------------
// Services
// ---------------------------------------------------------------------------------------------------------

/** A deployable unit inside the repository (a monorepo holds several). */
export interface Service {
  /** Repository-relative directory, "" for the root. */
  root: string;
  name: string;
  /** What marked it: package.json, pyproject.toml, go.mod, Dockerfile, or config. */
  marker: string;
  languages: Array<'node' | 'python' | 'go'>;
}

// ---------------------------------------------------------------------------------------------------------
// Rules and gates
// ---------------------------------------------------------------------------------------------------------

/** Rule documentation and messages. Messages state the consequence; fixes state what to do. */
export interface RuleMeta {
  /** `<gate>/<kebab-name>`; equals the file name, the docs name and the fixture folder. */
  id: string;
  gate: GateId;
  severity: Severity;
  /** One line for `readiness-gates rules`. */
  description: string;
  /** messageId → message template with `{{placeholders}}`. */
  messages: Record<string, string>;
  /** messageId → fix template; `default` is used for messageIds without their own. */
  fixes: Record<string, string>;
  /**
   * Native suppression markers of peer tools that this rule corresponds to, honoured so teams do not
   * annotate twice: `-- squawk-ignore <code>` and `-- atlas:nolint <code>`.
   */
  native?: { squawk?: readonly string[]; atlas?: readonly string[] };
}

/** Everything a rule may see while it checks. Synchronous: all IO happened before. */
export interface RuleContext<Options = unknown, GateOptions = unknown> {
  readonly ruleId: string;
  readonly options: Options;
  readonly gateOptions: GateOptions;
  /** Which side is being evaluated: the engine runs rules on the head and again on the base for the baseline. */
  readonly side: 'base' | 'head';
  /** The snapshot of this side, read through the preloaded cache. */
  readonly snapshot: PreloadedSnapshot;
  /** The other side (head when evaluating base and vice versa), for history rules. */
  readonly other: PreloadedSnapshot;
  readonly changes: readonly ChangedFile[];
  /** A repo-level index the gate built once for this side. */
  index<T>(def: IndexDef<T, any>): T;
  /** The index built for the other side. */
  otherIndex<T>(def: IndexDef<T, any>): T;
  /**
   * The facts `def` (one of this file rule's `facts`) holds for the file at `path` on this side, extracted
   * before the rules ran; undefined when the definition does not want the file or it could not be read.
   * Throws what the extraction threw (the rule then fails on that file like any rule exception).
   */
  facts<F>(def: FactsDef<F, any>, path: string): F | undefined;
  serviceOf(path: string): Service;
  readonly services: readonly Service[];
  report(finding: FindingInput): void;
}

/** A rule run once per changed file that matches its `files` globs. */
export interface FileRule<Options = unknown, GateOptions = unknown> {
  meta: RuleMeta;
  scope: 'file';
  /** picomatch globs of the files it looks at. */
  files: readonly string[];
  /** Literal tokens; a file that contains none of them is not given to this rule (and maybe not parsed). */
  prefilter?: readonly string[];
  /**
   * Per-file facts the rule reads with `ctx.facts(def, path)` for the files it checks: extracted before the
   * rules run, once per file for every rule that declares them, and kept in the analysis cache.
   */
  facts?: readonly FactsDef<any, RuleFactsOwner<GateOptions>>[];
  options?: z.ZodType<Options>;
  check(file: SourceFile, change: ChangedFile | undefined, ctx: RuleContext<Options, GateOptions>): void;
}

/** A rule run once per evaluation side with the whole change and the gate's indexes. */
export interface RepoRule<Options = unknown, GateOptions = unknown> {
  meta: RuleMeta;
  scope: 'repo';
  options?: z.ZodType<Options>;
  check(ctx: RuleContext<Options, GateOptions>): void;
}

/**
 * A rule whose findings the engine itself produces while applying suppressions (`core/…` rules). It has
 * meta and docs like any rule, so it can be configured, explained and fixture-tested.
 */
export interface EngineRule {
  meta: RuleMeta;
  scope: 'engine';
  options?: undefined;
}

export type Rule<Options = any, GateOptions = any> =
  FileRule<Options, GateOptions> | RepoRule<Options, GateOptions> | EngineRule;

/** Read access to the files the engine preloaded for one side. */
export interface PreloadedSnapshot {
  readonly sha: string;
  /** The preloaded file, or undefined when it does not exist, was skipped, or was not requested. */
  file(path: string): SourceFile | undefined;
  /** Every path in the snapshot (not only the preloaded ones), sorted. */
  readonly paths: readonly string[];
  /** Paths matching any of the globs. */
  glob(globs: readonly string[]): string[];
}

/** What a gate's index builder may use: async IO against one snapshot. */
export interface IndexContext<GateOptions = unknown> {
  readonly side: 'base' | 'head';
  readonly snapshot: Snapshot;
  readonly paths: readonly string[];
  readonly gateOptions: GateOptions;
  readonly services: readonly Service[];
  serviceOf(path: string): Service;
  /** Reads and returns a file as a SourceFile (parsers are loaded on demand), or undefined when skipped. */
  read(path: string): Promise<SourceFile | undefined>;
  /** Record a file that could not be analysed. */
  error(path: string, message: string): void;
  /** Whether a path is excluded by config `paths.exclude`. */
  excluded(path: string): boolean;
  /**
   * The facts `def` (one of this index's `facts`) extracts from the file at `path`, or undefined when the
   * file is missing or skipped: computed once per file content for both sides and every run (see
   * core/facts.ts), the file not even read when they are known. Throws what the extraction throws.
   */
  facts<F>(def: FactsDef<F, IndexContext<GateOptions>>, path: string): Promise<F | undefined>;
  /** The snapshot's module resolver (tsconfig aliases and workspace packages read once, on first use). */
  modules(): Promise<ModuleResolver>;
  /**
   * A hint that these files are about to be read, in this order: the engine starts reading them so the
   * snapshot's IO (a git process, the network) overlaps with the index's parsing. Optional to call. With
   * `facts` (one definition, or each path's), the files are about to be asked for those facts: the ones whose
   * facts are known (in memory or the analysis cache) are not read, and when there are many and the
   * definitions are `portable`, worker threads extract them meanwhile (the index then asks as before).
   */
  prefetch?(
    paths: readonly string[],
    facts?:
      | FactsDef<any, IndexContext<GateOptions>>
      | ((path: string) => FactsDef<any, IndexContext<GateOptions>> | undefined),
  ): Promise<void> | void;
  /**
   * What of the repository the change can affect, as the index's `scope` computed it (the same value on
   * both sides); undefined when the index has no `scope` or it answered "everything".
   */
  readonly scope?: unknown;
  /**
   * The analysis cache, when the run has one: per-file facts keyed by what they depend on (see
   * core/cache.ts), kept between runs. Absent: compute everything.
   */
  readonly cache?: AnalysisCache;
}

/** One side of the change, as an index's `feeds` and `scope` see it. */
export interface ChangeSide {
  readonly snapshot: Snapshot;
  readonly paths: readonly string[];
  /** The changed files in scope that exist on this side, under this side's path (a rename's base path on the base). */
  readonly changed: readonly string[];
  /** Reads a file of this side through the engine's cache; undefined when missing or skipped. */
  read(path: string): Promise<SourceFile | undefined>;
  serviceOf(path: string): Service;
  readonly services: readonly Service[];
}

/** What an index's `feeds` and `scope` may use: the change, both sides, the gate's options. */
export interface ChangeContext<GateOptions = unknown> {
  readonly gateOptions: GateOptions;
  /** The changed files in scope (config `paths.exclude` applied). */
  readonly changes: readonly ChangedFile[];
  readonly head: ChangeSide;
  readonly base: ChangeSide;
  /** Whether a path is excluded by config `paths.exclude`. */
  excluded(path: string): boolean;
  /**
   * A value computed once per change for this gate (`key`, an object of the caller's own, names it): what
   * an index's `feeds` and `scope` both derive from the change is worked out once.
   */
  once<T>(key: object, compute: () => T): T;
}

/**
 * A repo-level fact built once per snapshot (all metric definitions, all probes, the migration history).
 * The index must hold plain data (names, paths, lines), never tree-sitter nodes: the engine frees each
 * file's syntax tree after the rules have seen it, which invalidates nodes taken from it.
 */
export interface IndexDef<T = unknown, GateOptions = unknown> {
  id: string;
  build(ctx: IndexContext<GateOptions>): Promise<T>;
  /**
   * The per-file facts the build asks for through `ctx.facts`. The engine extracts a file for each of them
   * that `wants` it whenever another index of the same side reads that file first, so a file several
   * indexes look at is parsed once.
   */
  facts?: readonly FactsDef<any, IndexContext<GateOptions>>[];
  /**
   * Whether the change can feed this index (a changed file it would read, on either side) or change what
   * its rules judge. When it cannot, the index would come out the same on both sides, so whatever its
   * rules found would be debt the base already had: the engine builds it on neither side and skips, for
   * this evaluation, the rules that ask for it. Absent: always built. Cheap: paths, tokens, `grep`.
   */
  feeds?(ctx: ChangeContext<GateOptions>): Promise<boolean>;
  /**
   * What of the repository the change can affect (the services it touches, the names it defines),
   * computed once from both sides before either is built and handed to `build` as `ctx.scope`, so both
   * sides are built over the same scope. Undefined: the whole repository.
   */
  scope?(ctx: ChangeContext<GateOptions>): Promise<unknown>;
}

/**
 * What a gate examined and what it could not follow in one evaluation, as plain data for the report: the
 * scorecard's "what was not checked" says it so a clean result is never read as more than it is.
 */
export interface GateCoverage {
  /** Counted facts, e.g. "3 probes → 2 handlers followed". */
  examined: string[];
  /** What in the gate's scope could not be traced, and why. */
  notAnalysed: CoverageGap[];
}

/** Something in a gate's scope it could not analyse: "1 probe" — "its path comes from a Helm template". */
export interface CoverageGap {
  subject: string;
  reason: string;
  /** Where, when one place says it (the first of several). */
  path?: string;
  line?: number;
}

/** What a gate's `coverage` may read: the head side's indexes and the change. Synchronous and pure. */
export interface CoverageContext<GateOptions = unknown> {
  readonly gateOptions: GateOptions;
  readonly changes: readonly ChangedFile[];
  readonly paths: readonly string[];
  /** An index this gate built for the head; throws when it failed to build. */
  index<T>(def: IndexDef<T, any>): T;
}

export interface Gate<GateOptions = any> {
  id: GateId;
  title: string;
  /** One paragraph for docs and `explain`. */
  description: string;
  /** Options under `gates.<id>` in the config, with defaults. */
  options?: z.ZodType<GateOptions>;
  /**
   * Whether anything in the repository concerns this gate (a migrations folder, a metrics library…).
   * False → status `skip`. Cheap: paths and grep only.
   */
  applies(ctx: { snapshot: Snapshot; paths: readonly string[]; gateOptions: GateOptions }): Promise<boolean>;
  indexes?: readonly IndexDef<any, GateOptions>[];
  /** Coverage facts for the report, from the head's indexes (optional; the engine adds what it counted). */
  coverage?(ctx: CoverageContext<GateOptions>): GateCoverage;
  /**
   * Globs of files the gate's indexes read beyond its file rules' `files` (manifests, charts). A changed
   * file matching these or a file rule that cannot be analysed makes the report incomplete.
   */
  reads?: readonly string[];
  /** Sorted by id; the registry test checks it against the rules/ folder. */
  rules: readonly Rule<any, GateOptions>[];
}
