/**
 * collect → evaluate → score → render, shared by every surface (CLI, Action, app). The surfaces only
 * collect their inputs (a ChangeSet, waivers, overrides) and publish what comes back.
 */
import { parseConfig, diffConfigs } from './config/loader.js';
import { CONFIG_PATH, ConfigError, type FailOn, type ReadinessConfig } from './config/types.js';
import { evaluate, type Waiver } from './core/engine.js';
import type { ConfigPreview, ReadinessReport } from './core/report.js';
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
   * `undefined`: read `.github/readiness.yml` at the base commit.
   */
  configOverride?: { text: string; file: string };
  /** Path of the config file inside the repository (default `.github/readiness.yml`). */
  configPath?: string;
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
      { file: path, line: 1, column: 1, key: '(file)', message: `cannot be read as a config file at ${snapshot.sha.slice(0, 12)}: ${problem}; commit it as a regular UTF-8 file` },
    ]);
  }
  return result.ok ? result.file.text : undefined;
}

/**
 * Loads the enforced config (base commit, or the override) and previews the PR's own version.
 * Throws ConfigError when the enforced config is invalid: a broken policy must never pass silently.
 */
export async function loadPolicy(
  changeSet: ChangeSet,
  gates: readonly Gate[],
  configPath = CONFIG_PATH,
  override?: { text: string; file: string },
): Promise<{ config: ReadinessConfig; preview?: ConfigPreview }> {
  const baseText = override ? override.text : await readText(changeSet.base, configPath);
  const config = parseConfig(baseText ?? '', override?.file ?? configPath, gates);
  if (override) return { config };
  const headText = await readText(changeSet.head, configPath);
  if ((headText ?? '') === (baseText ?? '')) return { config };
  try {
    const headConfig = parseConfig(headText ?? '', configPath, gates);
    return { config, preview: { changed: true, differences: diffConfigs(config, headConfig, gates), errors: [] } };
  } catch (err) {
    if (err instanceof ConfigError) {
      return { config, preview: { changed: true, differences: [], errors: err.message.split('\n') } };
    }
    throw err;
  }
}

/** Runs the whole check and returns the report (the JSON contract). */
export async function runCheck(options: CheckOptions): Promise<ReadinessReport> {
  const started = Date.now();
  const gates = options.gates ?? GATES;
  const { config: loaded, preview } = await loadPolicy(options.changeSet, gates, options.configPath, options.configOverride);
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
    },
    failOn: config.failOn,
    ...(evaluation.expired.length ? { expired: evaluation.expired } : {}),
    ...(preview ? { configPreview: preview } : {}),
    rules: evaluation.rules
      .filter((r) => usedRules.has(r.id))
      .map((r) => ({ id: r.id, gate: r.gate, severity: r.severity, description: r.description, docs: ruleDocs(r.id) ?? '' })),
    ...(options.repositoryUrl ? { repositoryUrl: options.repositoryUrl } : {}),
    ...(evaluation.incomplete ? { incomplete: evaluation.incomplete } : {}),
  };
}

/** Re-derives the verdict after waivers change outside the engine (used by surfaces that filter). */
export function verdictFor(report: ReadinessReport): 'ready' | 'blocked' {
  return verdictOf(report.gates.map((g) => g.status));
}

export { reachesFailOn };
