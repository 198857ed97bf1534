/**
 * The evaluation engine, in two steps. {@link analyse} runs every enabled gate over the head of a change
 * and again over its base, finds the suppression markers in the code and fingerprints the findings,
 * noting which the base already had. {@link judge} (judge.ts, pure) applies states, approvals,
 * exceptions and waivers, and scores each gate; it re-runs for other waivers without any IO.
 *
 * IO happens in the analysis and in index builders only; rules are synchronous and see preloaded files.
 */
import picomatch from 'picomatch';
import { loadParsers } from '../lang/index.js';
import type { Language, SourceFile } from '../lang/source-file.js';
import { detectServices } from './services.js';
import { blobIdentity, contentId, type AnalysisCache } from './cache.js';
import { FactsStore, type FactsDef, type Pending, type RuleFactsOwner, type SideFacts } from './facts.js';
import { ParallelFacts, type FactsWorkerPool } from './facts-parallel.js';
import { moduleResolverFor, type ModuleResolver } from '../lang/program/modules.js';
import { isLockfileOrGenerated } from './feeds.js';
import type { ReadinessConfig } from '../config/types.js';
import type { ExpiredEntry, GateResult } from './report.js';
import { judge, toFinding } from './judge.js';

export type { ExpiredEntry };
import { assignFingerprints, groupCounts, type FingerprintInput } from './fingerprint.js';
import { formatMessage } from './messages.js';
import { scoreOf } from './scoring.js';
import { parseSuppressions, suppressionCovers, type Suppression } from './suppressions.js';
import { CORE_GATE_ID, MISSING_REASON_RULE, UNANALYSED_FILE_RULE, UNUSED_SUPPRESSION_RULE } from './core-rules.js';
import {
  AnalysisBudgetExceeded,
  DEFAULT_FILE_BUDGET_MS,
  budgetSpent,
  endFileBudget,
  startFileBudget,
} from './budget.js';
import type {
  AnalysisError,
  ChangeContext,
  ChangedFile,
  ChangeSide,
  ChangeSet,
  Finding,
  FindingInput,
  Gate,
  GateCoverage,
  GateId,
  IndexContext,
  IndexDef,
  PreloadedSnapshot,
  ResolvedFinding,
  Rule,
  RuleContext,
  RuleMeta,
  Service,
  Severity,
  SkipReason,
  Snapshot,
} from './types.js';

/** A waiver granted by a PR comment (the app and the Action read them from the PR's comments). */
export interface Waiver {
  findingId: string;
  by: string;
  reason: string;
  /** YYYY-MM-DD; applies through the end of that day (UTC). */
  until?: string;
  /** Where it was granted, for the scorecard. */
  url?: string;
  /**
   * `approve`: accepts the suppression comment the pull request added for this finding (it clears
   * the finding as `suppressed`, with `approvedBy`); only meaningful on a finding pending approval.
   * `waive` (the default): an ordinary waiver.
   */
  kind?: 'waive' | 'approve';
}

/** What the analysis needs: the change, the config it reads rules, scopes and limits from, the gates. */
export interface AnalyseOptions {
  changeSet: ChangeSet;
  config: ReadinessConfig;
  gates: readonly Gate[];
  /** Called as file rules progress (the CLI shows a progress line on long runs). */
  onProgress?: (done: number, total: number, label: string) => void;
  /** Time one file's rules may take before it counts as too complex to analyse (default 10 s). */
  fileBudgetMs?: number;
  /** Per-file facts kept between runs (core/cache.ts); none by default. */
  cache?: AnalysisCache;
  /**
   * Build every index over the whole repository, fed by the change or not, so the cache holds the facts
   * of every file the next pull requests may need (a run on the base branch). New findings are the same;
   * the report also carries debt anywhere in the repository, as before indexes were scoped.
   */
  fillCache?: boolean;
  /**
   * Worker threads that extract facts while an index asks for many files (none: the main thread does all).
   * Results are the same either way.
   */
  workers?: FactsWorkerPool;
}

export interface EvaluateOptions extends AnalyseOptions {
  waivers?: readonly Waiver[];
  now?: Date;
}

/** A changed file in a gate's scope that the engine could not analyse (path "" for files GitHub did not list). */
export interface UnanalysedFile {
  path: string;
  reason: string;
  /** The gates whose scope the file is in. */
  gates: GateId[];
}

/** Present when something in a gate's scope could not be analysed: the report is incomplete. */
export interface Incomplete {
  /** True when a `core/unanalysed-file` finding blocks the verdict (`on-unanalysed: block`, not waived). */
  blocking: boolean;
  files: UnanalysedFile[];
}

export interface Evaluation {
  findings: Finding[];
  gates: GateResult[];
  score: number;
  baseScore: number;
  verdict: 'ready' | 'blocked';
  errors: AnalysisError[];
  expired: ExpiredEntry[];
  filesAnalyzed: number;
  /** Every rule that is known, for SARIF and explain (meta only). */
  rules: RuleMeta[];
  /** Active base findings whose fingerprint the head no longer has (empty with `baseline: off`). */
  resolved: ResolvedFinding[];
  /** Changed files (head side) that some gate's line rules read: 0 means only repository-wide rules ran. */
  filesCheckedByRules: number;
  incomplete?: Incomplete;
}

/**
 * A head finding as the analysis leaves it: fingerprinted, with the suppression a marker in the code
 * gives it, and whether the base had it. Its state is the judgement's ({@link judge}).
 */
export type AnalysedFinding = Omit<Finding, 'state' | 'pendingApproval'> & {
  /** The suppression that covers it was added or changed by the pull request. */
  suppressedByChange?: boolean;
  /** The base has a finding with the same fingerprint. */
  atBase: boolean;
  key?: string;
};

/** A gate as the analysis saw it (the core gate aside). */
export interface AnalysedGate {
  id: GateId;
  title: string;
  enabled: boolean;
  /** Something in the repository concerns it (false for disabled gates, which are not asked). */
  applies: boolean;
  /** What it examined and could not follow; only for gates that ran. */
  coverage?: GateCoverage;
  /** Raw score of its active base findings; absent when the base side was not analysed (`baseline: off`). */
  baseRawScore?: number;
}

/**
 * Everything the analysis (IO: reading, parsing, indexes, rules, markers, fingerprints, the baseline)
 * found, as plain data: it crosses worker threads, and {@link judge} turns it into states, scores and a
 * verdict for any waivers, approvals and `fail-on`, without reading anything again.
 */
export interface Analysis {
  findings: AnalysedFinding[];
  /** `core/unanalysed-file` findings (always new). */
  unanalysedFindings: Finding[];
  unanalysed: UnanalysedFile[];
  gates: AnalysedGate[];
  /** Raw score of the core gate's active base findings. */
  coreBaseRawScore: number;
  /** The base side's rules ran (not with `baseline: off`). */
  baselineRan: boolean;
  errors: AnalysisError[];
  filesAnalyzed: number;
  rules: RuleMeta[];
  resolved: ResolvedFinding[];
  filesCheckedByRules: number;
  /** Files whose facts worker threads extracted for the indexes (0 without `workers`). */
  factsFromWorkers: number;
}

type Side = 'base' | 'head';

/** A finding before fingerprinting and state assignment; `key` feeds the fingerprint, `id` is filled by it. */
type RawFinding = Omit<Finding, 'id' | 'state'> & {
  key?: string;
  /** `key`: the line's text is not part of the fingerprint (see `FindingInput.anchor`). */
  anchor?: 'key';
  id?: string;
  /** The suppression that covers it was added or changed by the pull request (head side only). */
  suppressedByChange?: boolean;
};

const GLOB_OPTIONS = { dot: true } as const;

/** Languages whose parse errors can be checked without building a syntax tree worth keeping. */
const CHEAP_TO_CHECK = new Set<Language>(['sql', 'yaml', 'dockerfile']);

/** Markers worth parsing a file's comments for; a file without any has no suppressions. */
const MARKER_TOKENS = ['readiness-ignore', 'squawk-ignore', 'atlas:nolint'];

/** Reads files of one side once, records why a file was skipped, and loads parsers as files arrive. */
class SideFiles {
  readonly files = new Map<string, SourceFile | null>();
  readonly skipped = new Map<string, string>();
  readonly skippedKind = new Map<string, SkipReason>();
  constructor(
    readonly snapshot: Snapshot,
    readonly paths: readonly string[],
    readonly maxFileBytes: number,
  ) {
    this.pathSet = new Set(paths);
  }

  readonly pathSet: ReadonlySet<string>;

  /**
   * The head's files, for a base that shares them: a path the PR did not touch has the same content on
   * both sides, so it is read and parsed once (index builders read whole snapshots on both sides).
   */
  sharedWith?: { files: SideFiles; changed: ReadonlySet<string> };

  async read(path: string): Promise<SourceFile | undefined> {
    const cached = this.files.get(path);
    if (cached !== undefined) return cached ?? undefined;
    if (this.sharedWith && !this.sharedWith.changed.has(path) && this.sharedWith.files.pathSet.has(path)) {
      const file = await this.sharedWith.files.read(path);
      this.files.set(path, file ?? null);
      const reason = this.sharedWith.files.skipped.get(path);
      if (reason) this.skipped.set(path, reason);
      const kind = this.sharedWith.files.skippedKind.get(path);
      if (kind) this.skippedKind.set(path, kind);
      return file;
    }
    const result = await this.snapshot.read(path);
    if (!result.ok) {
      this.files.set(path, null);
      if (result.reason !== 'missing') {
        this.skipped.set(path, result.detail);
        this.skippedKind.set(path, result.reason);
      }
      return undefined;
    }
    if (result.file.bytes > this.maxFileBytes) {
      this.files.set(path, null);
      this.skipped.set(
        path,
        `${formatBytes(result.file.bytes)} is over the ${formatBytes(this.maxFileBytes)} limit (config max-file-bytes)`,
      );
      this.skippedKind.set(path, 'too-large');
      return undefined;
    }
    this.files.set(path, result.file);
    return result.file;
  }

  /**
   * The analysis cache's identity of what {@link read} returns for `path`, without reading it when the
   * snapshot knows the file's blob (within the size limit); undefined when `read` returns nothing.
   */
  async identify(path: string): Promise<string | undefined> {
    const cached = this.files.get(path);
    if (cached !== undefined) return cached ? contentId(cached) : undefined;
    if (this.sharedWith && !this.sharedWith.changed.has(path) && this.sharedWith.files.pathSet.has(path))
      return this.sharedWith.files.identify(path);
    const blob = this.pathSet.has(path) ? await this.snapshot.blobId?.(path) : undefined;
    if (blob && blob.size <= this.maxFileBytes) return blobIdentity(path, blob.oid);
    const file = await this.read(path);
    return file ? contentId(file) : undefined;
  }

  /**
   * Starts reading files that are about to be asked for, so the snapshot's IO overlaps with parsing.
   * Only warms the snapshot's own cache: `read` still decides (sharing, limits, skip reasons) as usual.
   */
  prefetch(paths: readonly string[]): void {
    if (!this.snapshot.prefetch) return;
    // A path the base shares with the head is read through the head's files, never from this snapshot.
    const shared = (path: string) =>
      this.sharedWith && !this.sharedWith.changed.has(path) && this.sharedWith.files.pathSet.has(path);
    this.snapshot.prefetch(paths.filter((path) => !this.files.has(path) && this.pathSet.has(path) && !shared(path)));
  }

  /** Loads the parsers for every file read so far (idempotent). */
  async loadParsersForRead(): Promise<void> {
    const langs = new Set<Language>();
    for (const f of this.files.values()) if (f) langs.add(f.language);
    await loadParsers(langs);
  }

  view(): PreloadedSnapshot {
    const paths = this.paths;
    return {
      sha: this.snapshot.sha,
      paths,
      file: (path) => this.files.get(path) ?? undefined,
      glob: (globs) => {
        const match = picomatch(globs as string[], GLOB_OPTIONS);
        return paths.filter((p) => match(p));
      },
    };
  }

  dispose(): void {
    for (const f of this.files.values()) f?.dispose();
  }

  /** Frees one file's tree (it re-parses lazily if asked again). */
  release(path: string): void {
    this.files.get(path)?.dispose();
  }
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

function gateOptionsFor(gate: Gate, config: ReadinessConfig): unknown {
  const configured = config.gates[gate.id];
  if (configured?.options !== undefined) return configured.options;
  return gate.options ? gate.options.parse({}) : {};
}

function ruleOptionsFor(rule: Rule, config: ReadinessConfig): unknown {
  const configured = config.rules[rule.meta.id]?.options;
  if (configured !== undefined) return configured;
  return rule.options ? rule.options.parse({}) : {};
}

function severityFor(rule: RuleMeta, config: ReadinessConfig): Severity | 'off' {
  return config.rules[rule.id]?.severity ?? rule.severity;
}

function sidePath(change: ChangedFile, side: Side): string | undefined {
  if (side === 'head') return change.status === 'removed' ? undefined : change.path;
  return change.status === 'added' ? undefined : (change.previousPath ?? change.path);
}

/**
 * Evaluates a change: analyses it, then judges the analysis. Never throws for bad input files or a
 * crashing rule: those become `errors`.
 */
export async function evaluate(options: EvaluateOptions): Promise<Evaluation> {
  return judge(await analyse(options), {
    config: options.config,
    ...(options.waivers ? { waivers: options.waivers } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}

/**
 * Analyses a change: everything that reads files. Never throws for bad input files or a crashing rule:
 * those become `errors`.
 */
export async function analyse(options: AnalyseOptions): Promise<Analysis> {
  const { changeSet, config, gates } = options;
  const errors: AnalysisError[] = [];
  const errorKeys = new Set<string>();
  const addError = (path: string, message: string) => {
    const key = `${path}\u0000${message}`;
    if (errorKeys.has(key)) return;
    errorKeys.add(key);
    errors.push({ path, message });
  };

  const analysedWithRules = new Set<string>();
  const collectParseErrors = (path: string, file: SourceFile) => {
    try {
      for (const problem of file.parseErrors()) addError(path, problem);
    } catch (err) {
      addError(path, `could not be parsed: ${(err as Error).message}`);
    }
  };

  const excludeMatch = picomatch(config.paths.exclude.length ? config.paths.exclude : ['\u0000never'], GLOB_OPTIONS);
  // Asked for every path by several indexes on both sides: one glob match per path.
  const excludedPaths = new Map<string, boolean>();
  const excluded = (path: string) => {
    let answer = excludedPaths.get(path);
    if (answer === undefined) excludedPaths.set(path, (answer = excludeMatch(path)));
    return answer;
  };
  const changes = changeSet.files;
  let inScope = changes.filter((c) => !excluded(c.path));

  const [headPaths, basePaths] = await Promise.all([changeSet.head.list(), changeSet.base.list()]);
  const sides: Record<Side, SideFiles> = {
    head: new SideFiles(changeSet.head, headPaths, config.maxFileBytes),
    base: new SideFiles(changeSet.base, basePaths, config.maxFileBytes),
  };
  const serviceMaps: Record<Side, ReturnType<typeof detectServices>> = {
    head: detectServices(headPaths, config.services),
    base: detectServices(basePaths, config.services),
  };

  const changedPaths = new Set<string>();
  for (const c of changes) {
    changedPaths.add(c.path);
    if (c.previousPath) changedPaths.add(c.previousPath);
  }
  sides.base.sharedWith = { files: sides.head, changed: changedPaths };

  // Base path → head path, so base findings on renamed files fingerprint like their head counterparts.
  const renamedToHead = new Map<string, string>();
  for (const c of changes) if (c.previousPath) renamedToHead.set(c.previousPath, c.path);

  let parallel: ParallelFacts | undefined;
  try {
    // Every changed file in scope is read at the head, so skipped files are reported and suppressions
    // in them are checked; the base versions are read as rules need them.
    for (const c of inScope) {
      const headPath = sidePath(c, 'head');
      if (headPath) await sides.head.read(headPath);
    }
    // git calls a file with a NUL byte binary and gives no line numbers; one that decodes as source is
    // analysed like any other, every line counting as changed (git cannot say which ones are).
    inScope = inScope.map((c) => {
      const path = c.binary ? sidePath(c, 'head') : undefined;
      const file = path ? sides.head.files.get(path) : undefined;
      return file ? { ...c, binary: false, addedLines: file.lines().map((_, i) => i + 1) } : c;
    });
    // Head files that were read but could not be analysed by the rules: too complex, or a rule crashed.
    const notAnalysed = new Map<string, { reason: string; kind: 'too-complex' | 'rule-failed' }>();

    const enabledGates = gates.filter((g) => config.gates[g.id]?.enabled !== false);
    const applicability = new Map<GateId, boolean>();
    for (const gate of enabledGates) {
      const gateOptions = gateOptionsFor(gate, config);
      let applies = false;
      for (const side of ['head', 'base'] as const) {
        if (applies) break;
        try {
          applies = await gate.applies({ snapshot: sides[side].snapshot, paths: sides[side].paths, gateOptions });
        } catch (err) {
          addError('', `gate ${gate.id}: could not decide whether it applies: ${(err as Error).message}`);
        }
      }
      applicability.set(gate.id, applies);
    }
    const activeGates = enabledGates.filter((g) => applicability.get(g.id));

    // Indexes, once per side per gate; none where the change feeds nothing (see IndexDef.feeds), each over
    // the scope the change can affect (IndexDef.scope).
    const indexes: Record<Side, Map<string, unknown>> = { head: new Map(), base: new Map() };
    const notBuilt = new Set<string>();
    const scopes = new Map<string, unknown>();
    const changeSide = (side: Side): ChangeSide => ({
      snapshot: sides[side].snapshot,
      paths: sides[side].paths,
      changed: inScope.flatMap((c) => sidePath(c, side) ?? []),
      read: async (path) => (sides[side].pathSet.has(path) ? sides[side].read(path) : undefined),
      serviceOf: serviceMaps[side].serviceOf,
      services: serviceMaps[side].services,
    });
    for (const gate of activeGates) {
      const computed = new Map<object, unknown>();
      const changeCtx: ChangeContext = {
        gateOptions: gateOptionsFor(gate, config),
        changes: inScope,
        head: changeSide('head'),
        base: changeSide('base'),
        excluded,
        once: <T>(key: object, compute: () => T): T => {
          if (!computed.has(key)) computed.set(key, compute());
          return computed.get(key) as T;
        },
      };
      for (const def of options.fillCache ? [] : (gate.indexes ?? [])) {
        const key = `${gate.id}:${def.id}`;
        try {
          if (def.feeds && !(await def.feeds(changeCtx))) {
            notBuilt.add(key);
            continue;
          }
          if (def.scope) scopes.set(key, await def.scope(changeCtx));
        } catch {
          // Undecided: built over the whole repository, as without feeds and scope.
          scopes.delete(key);
        }
      }
    }
    const sidesToRun: Side[] = config.baseline === 'off' ? ['head'] : ['head', 'base'];
    const indexSides: Side[] = ['head', 'base'];
    // The files each file rule will look at, on each side.
    type Planned = { rule: Extract<Rule, { scope: 'file' }>; gate: Gate; change: ChangedFile; path: string };
    const planned: Record<Side, Planned[]> = { head: [], base: [] };
    for (const gate of activeGates) {
      for (const rule of gate.rules) {
        if (rule.scope !== 'file' || severityFor(rule.meta, config) === 'off') continue;
        const match = picomatch(rule.files as string[], GLOB_OPTIONS);
        for (const side of sidesToRun) {
          for (const change of inScope) {
            if (change.binary) continue;
            const path = sidePath(change, side);
            if (path && match(path)) planned[side].push({ rule, gate, change, path });
          }
        }
      }
    }
    const budgetMs = options.fileBudgetMs ?? DEFAULT_FILE_BUDGET_MS;
    /**
     * The facts the rules will ask of a changed file, while the indexes are built: an index that parses the
     * file extracts them from the same tree (each within the file's budget), so the rules need not parse it
     * again. The rules still ask for them, and report what failed.
     */
    let indexing = true;
    // The same plan by path: the rules run file by file, and a file's facts are extracted for all of them.
    const plannedByPath: Record<Side, Map<string, Planned[]>> = { head: new Map(), base: new Map() };
    for (const side of sidesToRun)
      for (const p of planned[side]) {
        const list = plannedByPath[side].get(p.path);
        if (list) list.push(p);
        else plannedByPath[side].set(p.path, [p]);
      }
    const ruleFactsAhead = (side: Side, file: SourceFile): Pending[] => {
      if (!indexing) return [];
      const out: Pending[] = [];
      for (const p of plannedByPath[side].get(file.path) ?? []) {
        if (!p.rule.facts || !passesPrefilter(p.rule, file)) continue;
        const owner: RuleFactsOwner = { gateOptions: gateOptionsFor(p.gate, config) };
        for (const def of p.rule.facts ?? []) out.push({ def, owner, budgetMs });
      }
      return out;
    };
    type IndexRun = { gate: Gate; def: IndexDef; ctx: IndexContext; built: boolean };
    const runs: Record<Side, IndexRun[]> = { head: [], base: [] };
    // Per-file facts: one store for both sides (an untouched file is extracted once), one resolver a side.
    const factsStore = new FactsStore(options.cache);
    // Worker threads extract facts while an index asks for many (ParallelFacts: checked here before use).
    parallel = options.workers ? new ParallelFacts(options.workers, factsStore) : undefined;
    const resolvers: Partial<Record<Side, Promise<ModuleResolver>>> = {};
    const modulesOf = (side: Side) =>
      (resolvers[side] ??= moduleResolverFor(sides[side].paths, (p) => sides[side].snapshot.read(p)));
    /** A file of one side with its language's parser loaded. */
    const readParsed = async (side: Side, path: string) => {
      const file = await sides[side].read(path);
      if (file) await loadParsers([file.language]);
      return file;
    };
    const sideFacts: Record<Side, SideFacts> = {
      head: factsStore.side(factsAccess('head')),
      base: factsStore.side(factsAccess('base')),
    };
    function factsAccess(side: Side) {
      return {
        read: (path: string) => readParsed(side, path),
        identify: (path: string) => sides[side].identify(path),
        modules: () => modulesOf(side),
        pending: (file: SourceFile) => [
          ...runs[side].flatMap((r) => (r.built ? [] : (r.def.facts ?? []).map((def) => ({ def, owner: r.ctx })))),
          ...ruleFactsAhead(side, file),
        ],
      };
    }
    for (const gate of activeGates) {
      const gateOptions = gateOptionsFor(gate, config);
      for (const side of indexSides) {
        for (const def of gate.indexes ?? []) {
          if (notBuilt.has(`${gate.id}:${def.id}`)) continue;
          const files = sides[side];
          const services = serviceMaps[side];
          const run: IndexRun = { gate, def, built: false, ctx: undefined as unknown as IndexContext };
          run.ctx = {
            side,
            snapshot: files.snapshot,
            paths: files.paths,
            gateOptions,
            services: services.services,
            serviceOf: services.serviceOf,
            read: async (path) => {
              const file = await readParsed(side, path);
              // The indexes still to be built on this side extract their facts from it now: one parse.
              if (file) await sideFacts[side].alongside(file);
              return file;
            },
            error: (path, message) => {
              if (side === 'head') addError(path, message);
            },
            excluded,
            prefetch: async (paths, facts) => {
              if (!facts) return files.prefetch(paths);
              const unknown = await sideFacts[side].unknown(facts, paths, run.ctx);
              // Workers take files from the end of the list: read from both ends then, in turns.
              const spread = parallel ? parallel.spread(sideFacts[side], unknown) > 0 : false;
              const order = unknown.map((u) => u.path);
              files.prefetch(spread ? fromBothEnds(order) : order);
            },
            ...(options.cache ? { cache: options.cache } : {}),
            ...(scopes.get(`${gate.id}:${def.id}`) !== undefined ? { scope: scopes.get(`${gate.id}:${def.id}`) } : {}),
            facts: (def, path) => sideFacts[side].get(def, path, run.ctx),
            modules: () => modulesOf(side),
          };
          runs[side].push(run);
        }
      }
    }
    for (const gate of activeGates) {
      for (const side of indexSides) {
        for (const run of runs[side]) {
          if (run.gate !== gate) continue;
          try {
            indexes[side].set(`${gate.id}:${run.def.id}`, await run.def.build(run.ctx));
          } catch (err) {
            if (side === 'head') addError('', `gate ${gate.id}: index ${run.def.id} failed: ${(err as Error).message}`);
          } finally {
            run.built = true;
          }
        }
      }
    }
    parallel?.close();

    indexing = false;
    // Indexes hold plain data (the IndexDef contract), so the trees their builds parsed are garbage now,
    // except those of files the rules are about to see. Freed here, their WASM memory serves the rules.
    for (const side of indexSides) {
      const keep = new Set(planned[side].map((p) => p.path));
      for (const [path, file] of sides[side].files) if (file && !keep.has(path)) file.dispose();
    }
    // So is the text the snapshots kept for the indexes' greps.
    for (const side of sidesToRun) changeSet[side].releaseSearchText?.();
    for (const side of sidesToRun) {
      for (const p of planned[side]) await sides[side].read(p.path);
      await sides[side].loadParsersForRead();
    }

    // Run the rules.
    const raw: Record<Side, RawFinding[]> = { head: [], base: [] };
    /** Changed files whose head version some file rule of the gate looked at, for the coverage facts. */
    const checkedByGate = new Map<GateId, Set<string>>(activeGates.map((g) => [g.id, new Set<string>()]));
    const totalWork = planned.head.length + planned.base.length;
    let done = 0;
    for (const side of sidesToRun) {
      const other: Side = side === 'head' ? 'base' : 'head';
      /** The facts the file rules declared, for the file whose rules are running (see extractRuleFacts). */
      let fileFacts = new Map<string, { facts?: unknown; error?: unknown }>();
      const makeContext = (rule: Rule, gate: Gate, defaultPath: string | undefined): RuleContext => {
        const severity = severityFor(rule.meta, config) as Severity;
        return {
          ruleId: rule.meta.id,
          options: ruleOptionsFor(rule, config),
          gateOptions: gateOptionsFor(gate, config),
          side,
          snapshot: sides[side].view(),
          other: sides[other].view(),
          changes: inScope,
          index: <T>(def: IndexDef<T>) => lookupIndex<T>(indexes[side], gate.id, def.id, notBuilt),
          otherIndex: <T>(def: IndexDef<T>) => lookupIndex<T>(indexes[other], gate.id, def.id, notBuilt),
          facts: <F>(def: FactsDef<F>, path: string) => {
            const entry = fileFacts.get(`${def.id}\u0000${path}`);
            if (!entry)
              throw new Error(`facts ${def.id} of ${path} were not extracted: the rule must declare them in its facts`);
            if (entry.error !== undefined) throw entry.error;
            return entry.facts as F | undefined;
          },
          serviceOf: serviceMaps[side].serviceOf,
          services: serviceMaps[side].services,
          report: (input: FindingInput) => {
            raw[side].push(
              toRaw(rule.meta, gate.id, input, defaultPath, severity, side === 'base' ? renamedToHead : undefined),
            );
          },
        };
      };
      // File by file, so each file's parse tree can be freed once every rule has seen it: WASM memory
      // never shrinks, so keeping 1,000 trees alive would set the peak RSS.
      const byPath = plannedByPath[side];
      /**
       * The facts this file's rules declared, once per definition for all of them, within the file's budget
       * (an extraction is analysis like any rule's): from memory or the cache when known, else extracted
       * from the file's tree, which the rules then share. A failure is kept and thrown to the rule that asks.
       */
      const extractRuleFacts = async (path: string, file: SourceFile, items: readonly Planned[]) => {
        fileFacts = new Map();
        for (const p of items) {
          if (!p.rule.facts || !passesPrefilter(p.rule, file)) continue;
          const owner: RuleFactsOwner = { gateOptions: gateOptionsFor(p.gate, config) };
          for (const def of p.rule.facts) {
            const key = `${def.id}\u0000${path}`;
            if (fileFacts.has(key)) continue;
            if (!def.wants(file, owner)) {
              fileFacts.set(key, {});
              continue;
            }
            try {
              fileFacts.set(key, { facts: await sideFacts[side].get(def, path, owner, { keep: true }) });
            } catch (error) {
              fileFacts.set(key, { error });
            }
          }
        }
      };
      for (const [path, items] of byPath) {
        const file = sides[side].files.get(path);
        let ran = false;
        startFileBudget(budgetMs);
        try {
          if (file) await extractRuleFacts(path, file, items);
          for (const p of items) {
            done++;
            options.onProgress?.(done, totalWork, p.path);
            if (!file || !passesPrefilter(p.rule, file)) continue;
            ran = true;
            const reported = raw[side].length;
            try {
              p.rule.check(file, p.change, makeContext(p.rule, p.gate, p.path));
            } catch (err) {
              // The rule needs an index the change does not feed: skipped for this evaluation.
              if (err instanceof IndexNotBuilt) {
                raw[side].length = reported;
                continue;
              }
              if (err instanceof AnalysisBudgetExceeded) {
                if (side === 'head')
                  notAnalysed.set(path, { reason: `too complex: ${err.message}`, kind: 'too-complex' });
                break;
              }
              if (side === 'head') {
                addError(p.path, `rule ${p.rule.meta.id} failed on this file: ${(err as Error).message}`);
                if (!notAnalysed.has(path))
                  notAnalysed.set(path, {
                    reason: `rule ${p.rule.meta.id} failed on it: ${(err as Error).message}`,
                    kind: 'rule-failed',
                  });
              }
            }
            // A rule that does not check the budget itself is stopped from taking the next one.
            if (budgetSpent()) {
              if (side === 'head')
                notAnalysed.set(path, {
                  reason: `too complex: its analysis took longer than the ${budgetMs / 1000} s budget per file`,
                  kind: 'too-complex',
                });
              break;
            }
          }
        } finally {
          endFileBudget();
        }
        if (file && ran && side === 'head') analysedWithRules.add(path);
        // Read (at least through the rule's prefilter) by the gate's line rules, whether or not one matched.
        if (file && side === 'head') for (const p of items) checkedByGate.get(p.gate.id)?.add(path);
        if (file && ran && side === 'head') collectParseErrors(path, file);
        file?.dispose();
      }
      for (const gate of activeGates) {
        for (const rule of gate.rules) {
          if (rule.scope !== 'repo' || severityFor(rule.meta, config) === 'off') continue;
          const reported = raw[side].length;
          try {
            rule.check(makeContext(rule, gate, undefined));
          } catch (err) {
            // The rule needs an index the change does not feed: skipped for this evaluation.
            if (err instanceof IndexNotBuilt) raw[side].length = reported;
            else if (side === 'head') addError('', `rule ${rule.meta.id} failed: ${(err as Error).message}`);
          }
        }
      }
    }

    // Files findings point at must be readable for fingerprints and suppressions.
    for (const side of sidesToRun) {
      for (const f of raw[side]) {
        const path = side === 'base' ? baseSidePath(f.path, renamedToHead) : f.path;
        await sides[side].read(path);
      }
      await sides[side].loadParsersForRead();
    }

    // Suppressions, per side.
    const metaById = new Map<string, RuleMeta>();
    for (const gate of gates) for (const rule of gate.rules) metaById.set(rule.meta.id, rule.meta);
    const knownTargets = new Set<string>([...metaById.keys(), ...gates.map((g) => g.id)]);
    for (const side of sidesToRun) {
      applySuppressions({
        side,
        findings: raw[side],
        files: sides[side],
        changes: inScope,
        renamedToHead,
        metaById,
        knownTargets,
        config,
        disabledTargets: new Set(
          gates
            .filter((g) => !applicability.get(g.id) || config.gates[g.id]?.enabled === false)
            .map((g) => g.id as string),
        ),
      });
    }

    // Fingerprints: the two sides together, so that of several identical findings the ones the PR added are new.
    fingerprint(raw, sides, renamedToHead, sidesToRun, inScope);

    // States are the judgement's (judge.ts): here, only whether the base had each finding.
    const baseIds = new Set(raw.base.map((f) => f.id!));
    const analysed: AnalysedFinding[] = raw.head.map((f) => ({ ...f, id: f.id!, atBase: baseIds.has(f.id!) }));

    // Resolved: active at the base, gone at the head (same fingerprint recipe, so moved lines do not count).
    // An edited line that still has the same problem gets a new fingerprint: a new head finding with the
    // same rule, path and message pairs off with one vanished base finding, which was touched, not resolved.
    const baseIdSet = new Set(raw.base.map((f) => f.id!));
    const headIds = new Set(raw.head.map((f) => f.id!));
    const sameProblem = (f: RawFinding) => `${f.ruleId}\u0000${f.path}\u0000${f.message}`;
    const unpaired = new Map<string, number>();
    for (const f of raw.head)
      if (!baseIdSet.has(f.id!)) unpaired.set(sameProblem(f), (unpaired.get(sameProblem(f)) ?? 0) + 1);
    const resolved: ResolvedFinding[] = [];
    if (sidesToRun.includes('base')) {
      for (const f of raw.base) {
        if (f.suppression || headIds.has(f.id!)) continue;
        const left = unpaired.get(sameProblem(f)) ?? 0;
        if (left > 0) {
          unpaired.set(sameProblem(f), left - 1);
          continue;
        }
        resolved.push({
          id: f.id!,
          ruleId: f.ruleId,
          gate: f.gate,
          severity: f.severity,
          path: f.path,
          line: f.line,
          message: f.message,
        });
      }
    }

    // Files in a gate's scope that could not be analysed: the report is incomplete.
    const unanalysed: Array<UnanalysedFile & { kind: string }> = [];
    const gateScopes = enabledGates
      .filter((g) => g.id !== CORE_GATE_ID)
      .map((g) => {
        const globs = g.rules.flatMap((r) =>
          r.scope === 'file' && severityFor(r.meta, config) !== 'off' ? [...r.files] : [],
        );
        return { id: g.id, match: picomatch([...globs, ...(g.reads ?? []), '\u0000never'], GLOB_OPTIONS) };
      });
    for (const c of inScope) {
      const path = sidePath(c, 'head');
      if (!path) continue;
      // A symlink's or submodule's content lives at its target (analysed there when it changes), so
      // neither makes the report incomplete.
      const skipKind = sides.head.skippedKind.get(path);
      const skipped = skipKind === 'symlink' || skipKind === 'submodule' ? undefined : sides.head.skipped.get(path);
      const other = notAnalysed.get(path);
      const reason = skipped ?? other?.reason;
      if (!reason) continue;
      const inGates = gateScopes.filter((g) => g.match(path)).map((g) => g.id);
      if (inGates.length === 0) continue;
      unanalysed.push({
        path,
        reason,
        gates: inGates,
        kind: skipped ? (sides.head.skippedKind.get(path) ?? 'skipped') : other!.kind,
      });
    }
    if (changeSet.unlisted) unanalysed.push({ path: '', reason: changeSet.unlisted, gates: [], kind: 'unlisted' });
    const unanalysedFindings: Finding[] = [];
    const unanalysedMeta = metaById.get(UNANALYSED_FILE_RULE);
    const unanalysedSeverity =
      config.rules[UNANALYSED_FILE_RULE]?.severity ?? (config.onUnanalysed === 'warn' ? 'warning' : 'blocker');
    if (unanalysedMeta && unanalysedSeverity !== 'off' && unanalysed.length > 0) {
      const raws: RawFinding[] = unanalysed.map((u) =>
        u.path === ''
          ? {
              ...toRaw(
                unanalysedMeta,
                CORE_GATE_ID,
                { messageId: 'unlisted', data: { reason: u.reason }, line: 1, path: '.', key: u.kind },
                '.',
                unanalysedSeverity,
                undefined,
              ),
              path: '',
            }
          : toRaw(
              unanalysedMeta,
              CORE_GATE_ID,
              {
                messageId: 'unanalysed',
                data: { reason: u.reason, gates: gateList(u.gates), fix: UNANALYSED_FIXES[u.kind] ?? 'see the reason' },
                line: 1,
                path: u.path,
                key: u.kind,
              },
              u.path,
              unanalysedSeverity,
              undefined,
            ),
      );
      const ids = assignFingerprints(raws.map((f) => ({ ruleId: f.ruleId, path: f.path, context: '', key: f.key! })));
      raws.forEach((f, i) => unanalysedFindings.push(toFinding({ ...f, id: ids[i]! }, 'new')));
    }

    // Coverage: what each gate that ran examined and could not follow, for the report.
    const coverageOf = (gate: Gate): GateCoverage => {
      const checked = checkedByGate.get(gate.id)?.size ?? 0;
      // Only gates with line-level rules read changed files one by one; repo rules say their own counts.
      const hasFileRules = gate.rules.some((r) => r.scope === 'file' && severityFor(r.meta, config) !== 'off');
      const examined = hasFileRules
        ? [`${checked} changed ${checked === 1 ? 'file' : 'files'} read by its line rules`]
        : [];
      const notAnalysed: GateCoverage['notAnalysed'] = [];
      if (gate.coverage) {
        try {
          const own = gate.coverage({
            gateOptions: gateOptionsFor(gate, config),
            changes: inScope,
            paths: sides.head.paths,
            index: <T>(def: IndexDef<T>) => lookupIndex<T>(indexes.head, gate.id, def.id, notBuilt),
          });
          examined.push(...own.examined);
          notAnalysed.push(...own.notAnalysed);
        } catch (err) {
          if (err instanceof IndexNotBuilt)
            examined.push('its repository index was not built: nothing the pull request changes can feed it');
          else notAnalysed.push({ subject: 'coverage', reason: `could not be counted: ${(err as Error).message}` });
        }
      }
      return { examined, notAnalysed };
    };

    // What scoring needs from the gates: whether each ran, its coverage, and its base side's raw score.
    const baseFindings = raw.base.filter((f) => !f.suppression);
    const analysedGates: AnalysedGate[] = gates
      .filter((g) => g.id !== CORE_GATE_ID)
      .map((gate) => {
        const enabled = config.gates[gate.id]?.enabled !== false;
        const applies = applicability.get(gate.id) === true;
        return {
          id: gate.id,
          title: gate.title,
          enabled,
          applies,
          ...(sidesToRun.includes('base')
            ? { baseRawScore: scoreOf(baseFindings.filter((f) => f.gate === gate.id)) }
            : {}),
          ...(enabled && applies ? { coverage: coverageOf(gate) } : {}),
        };
      });

    // Skipped files: every changed file in scope that could not be read. Parse problems were collected
    // as rules ran; files no rule parsed are checked here only when that is cheap (no syntax tree).
    for (const c of inScope) {
      const path = sidePath(c, 'head');
      if (!path) continue;
      const reason = sides.head.skipped.get(path);
      if (reason) addError(path, `skipped: ${reason}`);
      const file = sides.head.files.get(path);
      if (file && !analysedWithRules.has(path) && CHEAP_TO_CHECK.has(file.language) && !isLockfileOrGenerated(path))
        collectParseErrors(path, file);
    }

    let filesAnalyzed = 0;
    for (const c of inScope) {
      const path = sidePath(c, 'head');
      if (path && sides.head.files.get(path)) filesAnalyzed++;
    }
    return {
      findings: analysed,
      unanalysedFindings,
      unanalysed: unanalysed.map(({ path, reason, gates: inGates }) => ({ path, reason, gates: inGates })),
      gates: analysedGates,
      coreBaseRawScore: scoreOf(baseFindings.filter((f) => f.gate === CORE_GATE_ID)),
      baselineRan: sidesToRun.includes('base'),
      errors,
      filesAnalyzed,
      rules: [...metaById.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
      resolved,
      filesCheckedByRules: new Set([...checkedByGate.values()].flatMap((set) => [...set])).size,
      factsFromWorkers: factsStore.adopted,
    };
  } finally {
    parallel?.close();
    sides.head.dispose();
    sides.base.dispose();
  }
}

/** What to do about each kind of unanalysed file, for the finding's fix. */
const UNANALYSED_FIXES: Readonly<Record<string, string>> = {
  'too-large': 'keep it under `max-file-bytes`, or raise `max-file-bytes` in the base branch’s config',
  'over-budget': 'split the pull request, or raise the App’s download budget (`READINESS_BYTE_BUDGET`)',
  'too-complex': 'simplify or split the file',
  'rule-failed': 'report the crash; simplify the file meanwhile',
  binary: 'commit it as text',
  'not-utf8': 'save it as UTF-8',
};

/** "the pii gate", "the migrations and pii gates". */
function gateList(ids: readonly GateId[]): string {
  if (ids.length === 1) return `the ${ids[0]} gate`;
  return `the ${ids.slice(0, -1).join(', ')} and ${ids.at(-1)} gates`;
}

/** Thrown by `index()` for an index the change does not feed: the rule asking is skipped, not failed. */
class IndexNotBuilt extends Error {}

/** Whether a file holds one of a file rule's prefilter tokens (a rule without any takes every file). */
function passesPrefilter(rule: Extract<Rule, { scope: 'file' }>, file: SourceFile): boolean {
  return !rule.prefilter || rule.prefilter.length === 0 || rule.prefilter.some((t) => file.text.includes(t));
}

function lookupIndex<T>(map: Map<string, unknown>, gate: GateId, id: string, notBuilt: ReadonlySet<string>): T {
  const key = `${gate}:${id}`;
  if (notBuilt.has(key)) throw new IndexNotBuilt(`index ${id} of gate ${gate} was not built: the change feeds nothing`);
  if (!map.has(key))
    throw new Error(`index ${id} of gate ${gate} is not available (it failed to build or is not declared)`);
  return map.get(key) as T;
}

function baseSidePath(headPath: string, renamedToHead: Map<string, string>): string {
  for (const [basePath, head] of renamedToHead) if (head === headPath) return basePath;
  return headPath;
}

function toRaw(
  meta: RuleMeta,
  gate: GateId,
  input: FindingInput,
  defaultPath: string | undefined,
  severity: Severity,
  renamedToHead: Map<string, string> | undefined,
): RawFinding {
  const rawPath = input.path ?? defaultPath;
  if (!rawPath) throw new Error(`rule ${meta.id} reported a finding without a path`);
  const path = renamedToHead?.get(rawPath) ?? rawPath;
  const template = meta.messages[input.messageId];
  if (template === undefined) throw new Error(`rule ${meta.id} reported unknown messageId "${input.messageId}"`);
  const fixTemplate = meta.fixes[input.messageId] ?? meta.fixes.default ?? '';
  const line = Math.max(1, Math.floor(input.line));
  return {
    ruleId: meta.id,
    messageId: input.messageId,
    gate,
    severity: input.severity ?? severity,
    path,
    line,
    endLine: Math.max(line, Math.floor(input.endLine ?? line)),
    ...(input.column !== undefined ? { column: input.column } : {}),
    message: formatMessage(template, input.data),
    fix: formatMessage(fixTemplate, input.data),
    ...(input.related && input.related.length ? { related: input.related } : {}),
    ...(input.key !== undefined ? { key: input.key } : {}),
    ...(input.anchor === 'key' && input.key !== undefined ? { anchor: 'key' as const } : {}),
  };
}

/**
 * Fingerprints both sides. Identical findings (one rule, path, line text or key) are told apart by an
 * ordinal; when the head has more of them than the base, the extra ones are those on lines the PR added
 * or changed (and, when the base has more, the ones gone are those on lines it removed), so the `new`
 * label and the ids of the old occurrences stay where they were. Ties: line order.
 */
function fingerprint(
  raw: Record<Side, RawFinding[]>,
  sides: Record<Side, SideFiles>,
  renamedToHead: Map<string, string>,
  sidesToRun: readonly Side[],
  changes: readonly ChangedFile[],
): void {
  const changeByPath = new Map(changes.map((c) => [c.path, c]));
  const touchedLines = new Map<string, ReadonlySet<number>>();
  const touched = (f: RawFinding, side: Side): 0 | 1 | 2 => {
    const change = changeByPath.get(f.path);
    if (!change) return 0;
    const key = `${side}\u0000${f.path}`;
    let lines = touchedLines.get(key);
    if (!lines) touchedLines.set(key, (lines = new Set(side === 'head' ? change.addedLines : change.removedLines)));
    if (lines.has(f.line)) return 2;
    for (let l = f.line + 1; l <= f.endLine; l++) if (lines.has(l)) return 1;
    return 0;
  };
  const prepared = sidesToRun.map((side) => {
    const order = raw[side]
      .map((f, i) => ({ f, i }))
      .sort((a, b) => (a.f.path < b.f.path ? -1 : a.f.path > b.f.path ? 1 : 0) || a.f.line - b.f.line || a.i - b.i);
    const inputs: FingerprintInput[] = order.map(({ f }) => {
      const readPath = side === 'base' ? baseSidePath(f.path, renamedToHead) : f.path;
      const file = sides[side].files.get(readPath);
      return {
        ruleId: f.ruleId,
        path: f.path,
        context: file && f.anchor !== 'key' ? file.lineText(f.line) : '',
        ...(f.key !== undefined ? { key: f.key } : {}),
        touched: touched(f, side),
      };
    });
    return { side, order, inputs, counts: groupCounts(inputs) };
  });
  for (const { side, order, inputs } of prepared) {
    const other = prepared.find((p) => p.side !== side);
    const ids = assignFingerprints(inputs, other?.counts);
    order.forEach(({ f }, k) => {
      f.id = ids[k];
    });
  }
}

interface SuppressionInput {
  side: Side;
  findings: RawFinding[];
  files: SideFiles;
  changes: readonly ChangedFile[];
  renamedToHead: Map<string, string>;
  metaById: Map<string, RuleMeta>;
  knownTargets: Set<string>;
  disabledTargets: Set<string>;
  config: ReadinessConfig;
}

/** Marks suppressed findings and adds the engine's own findings about malformed or unused markers. */
function applySuppressions(input: SuppressionInput): void {
  const { side, findings, files, renamedToHead, metaById, config } = input;
  const byPath = new Map<string, Suppression[]>();
  const suppressionsOf = (headPath: string): Suppression[] => {
    let list = byPath.get(headPath);
    if (!list) {
      const file = files.files.get(side === 'base' ? baseSidePath(headPath, renamedToHead) : headPath);
      list = file && MARKER_TOKENS.some((t) => file.text.includes(t)) ? parseSuppressions(file) : [];
      byPath.set(headPath, list);
    }
    return list;
  };
  // On the head, whether the PR added or changed a marker: its own line, or (for a line marker) the line it
  // covers, is among the PR's added lines, or the whole file is new. Unchanged markers are the base's.
  const changeByPath = new Map(input.changes.map((c) => [c.path, c]));
  const addedLines = new Map<string, ReadonlySet<number>>();
  const changedByPr = (path: string, s: Suppression): boolean => {
    if (side !== 'head') return false;
    const change = changeByPath.get(path);
    if (!change) return false;
    if (change.status === 'added') return true;
    let added = addedLines.get(path);
    if (!added) addedLines.set(path, (added = new Set(change.addedLines)));
    return added.has(s.commentLine) || (s.kind === 'line' && added.has(s.appliesTo));
  };
  const used = new Set<Suppression>();
  // Peer markers without a reason that would have covered a finding: reported, so the author learns why
  // the marker did nothing.
  const bareCovering = new Map<Suppression, RawFinding>();
  for (const f of findings) {
    for (const s of suppressionsOf(f.path)) {
      if (s.problem && s.marker !== 'readiness-ignore' && !bareCovering.has(s)) {
        const { problem: _problem, ...asIfWellFormed } = s;
        if (suppressionCovers(asIfWellFormed, f, metaById.get(f.ruleId)?.native)) bareCovering.set(s, f);
      }
      if (!suppressionCovers(s, f, metaById.get(f.ruleId)?.native)) continue;
      used.add(s);
      f.suppression = {
        kind: s.marker === 'readiness-ignore' ? 'comment' : 'native',
        reason: s.reason,
        by: `${f.path}:${s.commentLine}`,
        ...(s.marker !== 'readiness-ignore' ? { marker: s.marker } : {}),
      };
      if (changedByPr(f.path, s)) f.suppressedByChange = true;
      break;
    }
  }

  // Malformed and unused markers in the changed files of this side.
  const missingReasonMeta = metaById.get(MISSING_REASON_RULE);
  const unusedMeta = metaById.get(UNUSED_SUPPRESSION_RULE);
  for (const change of input.changes) {
    const own = sidePath(change, side);
    if (!own) continue;
    const headPath = change.path;
    for (const s of suppressionsOf(headPath)) {
      if (s.marker !== 'readiness-ignore') {
        const covered = bareCovering.get(s);
        if (!covered || !missingReasonMeta || severityFor(missingReasonMeta, config) === 'off') continue;
        findings.push(
          toRaw(
            missingReasonMeta,
            CORE_GATE_ID,
            {
              messageId: 'peerMissingReason',
              data: { marker: s.marker, targets: s.targets.join(', '), rule: covered.ruleId },
              line: s.commentLine,
              path: headPath,
            },
            headPath,
            severityFor(missingReasonMeta, config) as Severity,
            undefined,
          ),
        );
        continue;
      }
      if (s.problem && missingReasonMeta && severityFor(missingReasonMeta, config) !== 'off') {
        findings.push(
          toRaw(
            missingReasonMeta,
            CORE_GATE_ID,
            {
              messageId: s.problem === 'missing-target' ? 'missingTarget' : 'missingReason',
              data: { targets: s.targets.join(', ') },
              line: s.commentLine,
              path: headPath,
            },
            headPath,
            severityFor(missingReasonMeta, config) as Severity,
            undefined,
          ),
        );
        continue;
      }
      if (used.has(s) || !unusedMeta || severityFor(unusedMeta, config) === 'off') continue;
      const unknown = s.targets.filter((t) => !input.knownTargets.has(t));
      // A marker for a gate or rule that did not run (disabled, not applicable, or set to off) is not
      // provably unused.
      const notRun = s.targets.some((t) => {
        const gate = t.includes('/') ? t.split('/')[0]! : t;
        return input.disabledTargets.has(gate) || (metaById.has(t) && severityFor(metaById.get(t)!, config) === 'off');
      });
      if (notRun && unknown.length === 0) continue;
      findings.push(
        toRaw(
          unusedMeta,
          CORE_GATE_ID,
          unknown.length > 0
            ? { messageId: 'unknownTarget', data: { targets: unknown.join(', ') }, line: s.commentLine, path: headPath }
            : {
                messageId: 'unused',
                data: { targets: s.targets.join(', '), line: s.appliesTo },
                line: s.commentLine,
                path: headPath,
              },
          headPath,
          severityFor(unusedMeta, config) as Severity,
          undefined,
        ),
      );
    }
  }
}

export type { Service };

/** `items` in the order p0, pN, p1, pN−1, …: what is asked for from both ends comes in time at both. */
function fromBothEnds<T>(items: readonly T[]): T[] {
  const out: T[] = [];
  for (let i = 0, j = items.length - 1; i <= j; i++, j--) {
    out.push(items[i]!);
    if (j !== i) out.push(items[j]!);
  }
  return out;
}
