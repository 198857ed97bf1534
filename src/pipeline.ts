/**
 * collect → evaluate → score → render, shared by every surface (CLI, Action, app). The surfaces only
 * collect their inputs (a ChangeSet, waivers, overrides) and publish what comes back.
 *
 * Evaluation is two steps: {@link analyseCheck} does every read, {@link judgeCheck} (pure) turns its plain
 * data into the report for given waivers, so a surface that learns its waivers from the findings judges
 * twice and analyses once ({@link judgeWithWaivers}).
 */
import { diffConfigs, loadConfigChain, type ConfigLocation, type ExtendsReader } from './config/loader.js';
import type { AnalysisCache } from './core/cache.js';
import type { FactsWorkerPool } from './core/facts-parallel.js';
import { CONFIG_PATH, ConfigError, type FailOn, type ReadinessConfig } from './config/types.js';
import { analyse, type Analysis, type Waiver } from './core/engine.js';
import { judge } from './core/judge.js';
import type { ConfigPreview, ReadinessReport, ResolvedFinding } from './core/report.js';
import { compareFindings, reachesFailOn, verdictOf } from './core/scoring.js';
import type { ChangeSet, Gate, Snapshot } from './core/types.js';
import { ruleDocs } from './gates/docs.js';
import { GATES } from './gates/index.js';
import { VERSION } from './version.js';

export interface CheckOptions {
  changeSet: ChangeSet;
  /** Defaults to every registered gate. */
  gates?: readonly Gate[];
  /**
   * Config text that replaces the base branch's file (CLI `--config`, Action `config` input).
   * `undefined`: read `.github/readiness.yml` at the base branch's tip ({@link ChangeSet.policy}).
   */
  configOverride?: { text: string; file: string; readPath?: (path: string) => Promise<string | undefined> };
  /** Path of the config file inside the repository (default `.github/readiness.yml`). */
  configPath?: string;
  /**
   * Reads a config that `extends:` names in another repository (the Action and the App pass one that uses
   * their token through `src/github/`). Without it such an entry is a config error that says so.
   */
  readRepositoryConfig?: RepositoryConfigReader;
  /** `fail-on` override (Action input). */
  failOn?: FailOn;
  waivers?: readonly Waiver[];
  now?: Date;
  repositoryUrl?: string;
  onProgress?: (done: number, total: number, label: string) => void;
  /** Time one file's rules may take before it counts as too complex (engine default 10 s). */
  fileBudgetMs?: number;
  /** Per-file facts kept between runs (core/cache.ts); none by default. */
  cache?: AnalysisCache;
  /** Build every index over the whole repository to fill the cache (see `AnalyseOptions.fillCache`). */
  fillCache?: boolean;
  /** Worker threads for the facts of big index builds (see `AnalyseOptions.workers`); none by default. */
  workers?: FactsWorkerPool;
}

/** A config file larger than this (1 MiB) is refused; no real policy comes near it. */
const CONFIG_MAX_BYTES = 1024 * 1024;

/**
 * The config file's text; undefined when there is none. A file that exists but cannot be read as UTF-8
 * text (a symlink, over the size limit, not UTF-8, a NUL byte) is a configuration error: falling back to
 * the defaults would let such a file silently switch the enforced policy.
 */
async function readText(snapshot: Snapshot, path: string): Promise<string | undefined> {
  const result = await snapshot.read(path);
  if (!result.ok && result.reason === 'missing') return undefined;
  const problem = !result.ok
    ? result.detail
    : result.file.bytes > CONFIG_MAX_BYTES
      ? `${result.file.bytes} bytes is over the ${CONFIG_MAX_BYTES}-byte limit for a config file`
      : result.file.irregular;
  if (problem !== undefined) {
    throw new ConfigError([
      {
        file: path,
        line: 1,
        column: 1,
        key: '(file)',
        message: `cannot be read as a config file at ${snapshot.sha.slice(0, 12)}: ${problem}; commit it as a regular UTF-8 file`,
      },
    ]);
  }
  return result.ok ? result.file.text : undefined;
}

/** Reads `path` at `ref` (the default branch when absent) of another repository; undefined when it does not exist. */
export type RepositoryConfigReader = (
  repository: { owner: string; repo: string; ref?: string },
  path: string,
) => Promise<string | undefined>;

/**
 * The reader for `extends:` entries: paths in this repository from `local` (a snapshot, or the disk next to
 * a `--config` file), other repositories through `remote`.
 */
function extendsReader(
  local: (path: string) => Promise<string | undefined>,
  remote: RepositoryConfigReader | undefined,
): ExtendsReader {
  return async (location: ConfigLocation) => {
    if (!location.repository) return local(location.path);
    if (!remote) {
      throw new ConfigError([
        {
          file: location.path,
          line: 1,
          column: 1,
          key: 'extends',
          message: `${location.repository.owner}/${location.repository.repo} is another repository, which only the Action and the App read (with their token); here, extend a file by its path`,
        },
      ]);
    }
    return remote(location.repository, location.path);
  };
}

/** Where policy is read: the base branch's tip, or the base itself when the change set has no separate tip. */
export function policySnapshot(changeSet: ChangeSet): Snapshot {
  return changeSet.policy ?? changeSet.base;
}

/**
 * Loads the enforced config (at the base branch's tip, or the override) and previews the PR's own
 * version when the PR changes the file. Throws ConfigError when the enforced config is invalid: a
 * broken policy must never pass silently.
 */
export async function loadPolicy(
  changeSet: ChangeSet,
  gates: readonly Gate[],
  configPath = CONFIG_PATH,
  override?: { text: string; file: string; readPath?: (path: string) => Promise<string | undefined> },
  readRepositoryConfig?: RepositoryConfigReader,
): Promise<{ config: ReadinessConfig; preview?: ConfigPreview }> {
  const policy = policySnapshot(changeSet);
  const fromPolicy = (path: string) => readText(policy, path);
  const enforcedText = override ? override.text : await fromPolicy(configPath);
  const config = await loadConfigChain(
    enforcedText ?? '',
    override?.file ?? configPath,
    gates,
    extendsReader(override?.readPath ?? fromPolicy, readRepositoryConfig),
  );
  if (override) return { config };
  let headText: string | undefined;
  try {
    headText = await readText(changeSet.head, configPath);
  } catch (err) {
    if (err instanceof ConfigError)
      return { config, preview: { changed: true, differences: [], errors: err.message.split('\n') } };
    throw err;
  }
  // Only an edit the PR makes is previewed: a config that changed on the base branch since the PR
  // branched off is already what is enforced.
  const mergeBaseText =
    policy === changeSet.base ? enforcedText : await readText(changeSet.base, configPath).catch(() => undefined);
  const sameText = (headText ?? '') === (mergeBaseText ?? '') || (headText ?? '') === (enforcedText ?? '');
  // With the same text, only a file it extends can have changed in the PR: judge the merged result then.
  if (sameText && !/^\s*extends\s*:/m.test(headText ?? '')) return { config };
  try {
    const headConfig = await loadConfigChain(
      headText ?? '',
      configPath,
      gates,
      extendsReader((path) => readText(changeSet.head, path), readRepositoryConfig),
    );
    const differences = diffConfigs(config, headConfig, gates);
    if (sameText && differences.length === 0) return { config };
    return { config, preview: { changed: true, differences, errors: [] } };
  } catch (err) {
    // Whatever goes wrong with the PR's config, the preview says so: never "no change" for a file that
    // would not load after merge.
    const errors =
      err instanceof ConfigError
        ? err.message.split('\n')
        : [`${configPath}: could not be loaded: ${(err as Error).message}`];
    return { config, preview: { changed: true, differences: [], errors } };
  }
}

/**
 * What {@link analyseCheck} found, as plain data (it crosses worker threads): the engine's analysis, the
 * enforced config it ran with, and what the report says about the change. {@link judgeCheck} turns it
 * into a report for any waivers, without reading anything again.
 */
export interface CheckAnalysis {
  analysis: Analysis;
  /** The enforced config (with the `fail-on` override applied). */
  config: ReadinessConfig;
  preview?: ConfigPreview;
  base: { ref: string; sha: string };
  head: { ref: string; sha: string };
  filesChanged: number;
  /** How long loading the policy and analysing took. */
  durationMs: number;
  repositoryUrl?: string;
}

/** Loads the policy and analyses the change: every read the check needs, and no judgement. */
export async function analyseCheck(options: Omit<CheckOptions, 'waivers' | 'now'>): Promise<CheckAnalysis> {
  const started = Date.now();
  const gates = options.gates ?? GATES;
  const { config: loaded, preview } = await loadPolicy(
    options.changeSet,
    gates,
    options.configPath,
    options.configOverride,
    options.readRepositoryConfig,
  );
  const config: ReadinessConfig = options.failOn ? { ...loaded, failOn: options.failOn } : loaded;
  const analysis = await analyse({
    changeSet: options.changeSet,
    config,
    gates,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.fileBudgetMs !== undefined ? { fileBudgetMs: options.fileBudgetMs } : {}),
    ...(options.cache ? { cache: options.cache } : {}),
    ...(options.fillCache ? { fillCache: true } : {}),
    ...(options.workers ? { workers: options.workers } : {}),
  });
  return {
    analysis,
    config,
    ...(preview ? { preview } : {}),
    base: { ref: options.changeSet.baseRef, sha: options.changeSet.base.sha },
    head: { ref: options.changeSet.headRef, sha: options.changeSet.head.sha },
    filesChanged: options.changeSet.files.length,
    durationMs: Date.now() - started,
    ...(options.repositoryUrl ? { repositoryUrl: options.repositoryUrl } : {}),
  };
}

/** The policy inputs of {@link judgeCheck}. */
export interface JudgeCheckOptions {
  waivers?: readonly Waiver[];
  now?: Date;
  /** Replaces the analysed config's `fail-on`. */
  failOn?: FailOn;
}

/** Judges an analysed check: the report (the JSON contract). Pure and synchronous. */
export function judgeCheck(checked: CheckAnalysis, options: JudgeCheckOptions = {}): ReadinessReport {
  const started = Date.now();
  const config: ReadinessConfig = options.failOn ? { ...checked.config, failOn: options.failOn } : checked.config;
  const evaluation = judge(checked.analysis, {
    config,
    ...(options.waivers ? { waivers: options.waivers } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const findings = [...evaluation.findings].sort(compareFindings);
  const usedRules = new Set(findings.map((f) => f.ruleId));
  return {
    schemaVersion: 1,
    tool: { name: 'readiness-gates', version: VERSION },
    base: { ...checked.base },
    head: { ...checked.head },
    verdict: evaluation.verdict,
    score: evaluation.score,
    baseScore: evaluation.baseScore,
    gates: evaluation.gates,
    findings,
    errors: evaluation.errors,
    stats: {
      filesChanged: checked.filesChanged,
      filesAnalyzed: evaluation.filesAnalyzed,
      durationMs: checked.durationMs + (Date.now() - started),
      filesCheckedByRules: evaluation.filesCheckedByRules,
    },
    ...(config.baseline !== 'off' ? { resolved: [...evaluation.resolved].sort(compareResolved) } : {}),
    failOn: config.failOn,
    ...(evaluation.expired.length ? { expired: evaluation.expired } : {}),
    ...(checked.preview ? { configPreview: checked.preview } : {}),
    rules: evaluation.rules
      .filter((r) => usedRules.has(r.id))
      .map((r) => ({
        id: r.id,
        gate: r.gate,
        severity: r.severity,
        description: r.description,
        docs: ruleDocs(r.id) ?? '',
      })),
    ...(checked.repositoryUrl ? { repositoryUrl: checked.repositoryUrl } : {}),
    ...(evaluation.incomplete ? { incomplete: evaluation.incomplete } : {}),
  };
}

/** Runs the whole check and returns the report (the JSON contract): analyse, then judge. */
export async function runCheck(options: CheckOptions): Promise<ReadinessReport> {
  const { waivers, now, ...rest } = options;
  return judgeCheck(await analyseCheck(rest), {
    ...(waivers ? { waivers } : {}),
    ...(now ? { now } : {}),
  });
}

/** What a waiver command may name, from the report judged without waivers. */
export interface WaiverTargets {
  /** Finding id → path, of the new and existing findings. */
  findings: ReadonlyMap<string, string>;
  /** Ids of the findings whose suppression comment the pull request added and that wait for approval. */
  pendingApproval: ReadonlySet<string>;
}

/** The waivers a surface decided on (the Action's and the App's `WaiverDecision`). */
export interface WaiversDecided {
  waivers: readonly Waiver[];
  /** Waivers whose end date passed: judged too, so the report says they expired. */
  expired: readonly Waiver[];
}

/**
 * The waiver loop of the Action and the App: judges the analysis without waivers, asks `decide` (which
 * reads the PR's commands through `src/github/` and checks who may waive what) about its findings, and
 * judges again with the decided waivers and approvals. The analysis is never repeated. `decide` answers
 * undefined when there is nothing to apply; what it throws propagates.
 */
export async function judgeWithWaivers<D extends WaiversDecided>(
  checked: CheckAnalysis,
  options: {
    now: Date;
    decide: (targets: WaiverTargets, config: ReadinessConfig) => Promise<D | undefined>;
  },
): Promise<{ report: ReadinessReport; decision?: D }> {
  const first = judgeCheck(checked, { now: options.now });
  const targets: WaiverTargets = {
    findings: new Map(
      first.findings.filter((f) => f.state === 'new' || f.state === 'existing').map((f) => [f.id, f.path]),
    ),
    pendingApproval: new Set(first.findings.filter((f) => f.pendingApproval).map((f) => f.id)),
  };
  const decision = await options.decide(targets, checked.config);
  if (!decision) return { report: first };
  const waivers = [...decision.waivers, ...decision.expired];
  // Without any waiver, the first judgement stands.
  if (waivers.length === 0) return { report: first, decision };
  return { report: judgeCheck(checked, { now: options.now, waivers }), decision };
}

const SEVERITY_ORDER = { blocker: 0, warning: 1, notice: 2 } as const;

/** Most severe first, then path, line and rule: the order every surface lists resolved findings in. */
function compareResolved(a: ResolvedFinding, b: ResolvedFinding): number {
  return (
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
    a.line - b.line ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)
  );
}

/** Re-derives the verdict after waivers change outside the engine (used by surfaces that filter). */
export function verdictFor(report: ReadinessReport): 'ready' | 'blocked' {
  return verdictOf(report.gates.map((g) => g.status));
}

export { reachesFailOn };
