/**
 * The typed, validated configuration the engine consumes. The YAML file uses kebab-case keys
 * (`fail-on`, `min-permission`); the loader maps them to these camelCase fields and fills defaults.
 */
import type { GateId, SeverityOrOff } from '../core/types.js';

export type FailOn = 'blocker' | 'warning' | 'never';

export interface RuleSetting {
  /** undefined: the rule's default severity. */
  severity?: SeverityOrOff;
  /** Validated against the rule's own options schema; defaults filled. */
  options?: unknown;
}

export interface ExceptionEntry {
  rule: string;
  /** picomatch glob. */
  path: string;
  /** ISO date YYYY-MM-DD; the exception applies through the end of that day (UTC). */
  until?: string;
  reason: string;
  /** 1-based line of the entry in the config file, for messages. */
  line?: number;
}

export interface WaiverPolicy {
  minPermission: 'read' | 'triage' | 'write' | 'maintain' | 'admin';
  codeowners: boolean;
  allowAuthor: boolean;
  maxDays: number;
}

export interface ReadinessConfig {
  failOn: FailOn;
  baseline: 'merge-base' | 'off';
  onError: 'failure' | 'neutral';
  paths: { exclude: string[] };
  /** Files larger than this are skipped with a reason (default 1 MiB). */
  maxFileBytes: number;
  /**
   * A changed file in a gate's scope that could not be analysed: `block` makes the report incomplete
   * (a new `core/unanalysed-file` blocker), `warn` reports the same finding as a warning.
   */
  onUnanalysed: 'block' | 'warn';
  /** Extra service roots beyond the detected ones. */
  services: Array<{ name: string; root: string }>;
  /** Per gate: `enabled` plus the gate's own options (validated by the gate's schema, defaults filled). */
  gates: Partial<Record<GateId, { enabled: boolean; options: unknown }>>;
  rules: Record<string, RuleSetting>;
  waivers: WaiverPolicy;
  /**
   * `require-approval` (default): a suppression comment the PR adds or changes does not clear a new
   * blocker by itself; the finding keeps blocking until an approval or waiver by someone `waivers` allows.
   */
  suppressions: { newBlockers: 'require-approval' | 'allow' };
  exceptions: ExceptionEntry[];
}

/** A configuration error with its position, e.g. `.github/readiness.yml:4:3 rules.foo: unknown rule …`. */
export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  /** Dotted key path as written in the file, e.g. `gates.pii.redactors[2]`. */
  key: string;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map((i) => `${i.file}:${i.line}:${i.column} ${i.key}: ${i.message}`).join('\n'));
    this.name = 'ConfigError';
  }
}

export const CONFIG_PATH = '.github/readiness.yml';
