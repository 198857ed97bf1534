/**
 * collect → evaluate → score → render, shared by every surface (CLI, Action, app). The surfaces only
 * collect their inputs (a ChangeSet, waivers, overrides) and publish what comes back.
 */
import { diffConfigs, loadConfigChain, type ConfigLocation, type ExtendsReader } from './config/loader.js';
import { CONFIG_PATH, ConfigError, type FailOn, type ReadinessConfig } from './config/types.js';
import { evaluate, type Waiver } from './core/engine.js';
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

/** Runs the whole check and returns the report (the JSON contract). */
export async function runCheck(options: CheckOptions): Promise<ReadinessReport> {
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
  const evaluation = await evaluate({
    changeSet: options.changeSet,
    config,
    gates,
    ...(options.waivers ? { waivers: options.waivers } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.fileBudgetMs !== undefined ? { fileBudgetMs: options.fileBudgetMs } : {}),
  });
  const findings = [...evaluation.findings].sort(compareFindings);
  const usedRules = new Set(findings.map((f) => f.ruleId));
  return {
    schemaVersion: 1,
    tool: { name: 'readiness-gates', version: VERSION },
    base: { ref: options.changeSet.baseRef, sha: options.changeSet.base.sha },
    head: { ref: options.changeSet.headRef, sha: options.changeSet.head.sha },
    verdict: evaluation.verdict,
    score: evaluation.score,
    baseScore: evaluation.baseScore,
    gates: evaluation.gates,
    findings,
    errors: evaluation.errors,
    stats: {
      filesChanged: options.changeSet.files.length,
      filesAnalyzed: evaluation.filesAnalyzed,
      durationMs: Date.now() - started,
      filesCheckedByRules: evaluation.filesCheckedByRules,
    },
    ...(config.baseline !== 'off' ? { resolved: [...evaluation.resolved].sort(compareResolved) } : {}),
    failOn: config.failOn,
    ...(evaluation.expired.length ? { expired: evaluation.expired } : {}),
    ...(preview ? { configPreview: preview } : {}),
    rules: evaluation.rules
      .filter((r) => usedRules.has(r.id))
      .map((r) => ({
        id: r.id,
        gate: r.gate,
        severity: r.severity,
        description: r.description,
        docs: ruleDocs(r.id) ?? '',
      })),
    ...(options.repositoryUrl ? { repositoryUrl: options.repositoryUrl } : {}),
    ...(evaluation.incomplete ? { incomplete: evaluation.incomplete } : {}),
  };
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
