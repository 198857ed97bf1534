/**
 * The schema of `.github/readiness.yml`, assembled from the registered gates.
 *
 * Keys are kebab-case, as users write them. Every level is strict (an unknown key is an error) and every
 * key has a default, so an empty file is a complete configuration. The `.describe()` texts here are the
 * only documentation of the keys: the JSON schema (`json-schema.ts`) and the README table (`docs.ts`) are
 * generated from them.
 *
 * Gate and rule options come from the gates' own zod schemas, which describe the YAML exactly as users
 * write it (kebab-case keys are the convention); what they parse to is what rules receive.
 */
import { z } from 'zod';
import type { Gate, Rule, SeverityOrOff } from '../core/types.js';
import type { ExceptionEntry, ReadinessConfig, RuleSetting, WaiverPolicy } from './types.js';
import { globProblem } from './globs.js';
import { closest, didYouMean } from './suggest.js';
import {
  gateEntrySchema,
  optionDefaults,
  strictOptions,
  unknownKeyMessage,
  withUnknownKeyMessage,
  type GateEntry,
} from './strict.js';

/** `fail-on` values. */
export const FAIL_ON_VALUES = ['blocker', 'warning', 'never'] as const;
/** `baseline` values. */
export const BASELINE_VALUES = ['merge-base', 'off'] as const;
/** `on-error` values. */
export const ON_ERROR_VALUES = ['failure', 'neutral'] as const;
/** `on-unanalysed` values. */
export const ON_UNANALYSED_VALUES = ['block', 'warn'] as const;
/** Severities a rule can be set to under `rules`. */
export const RULE_SEVERITY_VALUES = ['blocker', 'warning', 'notice', 'off'] as const;
/** `suppressions.new-blockers` values. */
export const NEW_BLOCKER_SUPPRESSION_VALUES = ['require-approval', 'allow'] as const;
/** GitHub repository permission levels, lowest first. */
export const PERMISSION_VALUES = ['read', 'triage', 'write', 'maintain', 'admin'] as const;

/** Default `max-file-bytes`: 1 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 1_048_576;

/**
 * Default `paths.exclude`: tests, fixtures, mocks and third-party code. They are full of deliberately bad
 * examples (a test that logs a fake email) and would drown the report. Package managers' lockfiles too:
 * no gate reads them, and a dependency bump's multi-megabyte `pnpm-lock.yaml` must not count as a YAML
 * file the health gate could not analyse (that would block every such PR as incomplete).
 */
export const DEFAULT_EXCLUDE: readonly string[] = [
  '**/test/**',
  '**/tests/**',
  '**/__tests__/**',
  '**/fixtures/**',
  '**/__fixtures__/**',
  '**/__mocks__/**',
  '**/*.test.*',
  '**/*.spec.*',
  '**/node_modules/**',
  '**/vendor/**',
  '**/pnpm-lock.yaml',
  '**/package-lock.json',
  '**/npm-shrinkwrap.json',
  '**/yarn.lock',
  '**/bun.lock',
  '**/Pipfile.lock',
  '**/poetry.lock',
  '**/uv.lock',
  '**/go.sum',
  '**/Cargo.lock',
  '**/composer.lock',
  '**/Gemfile.lock',
];

/** The parsed file, with the keys as written (kebab-case) and every default filled. */
export interface ConfigFile {
  /** Shared configs this one builds on (resolved by the loader before validation of the merged result). */
  extends?: string | string[];
  'fail-on': (typeof FAIL_ON_VALUES)[number];
  baseline: (typeof BASELINE_VALUES)[number];
  'on-error': (typeof ON_ERROR_VALUES)[number];
  'max-file-bytes': number;
  'on-unanalysed': (typeof ON_UNANALYSED_VALUES)[number];
  paths: { exclude: string[]; 'exclude-add': string[] };
  services: Array<{ name: string; root: string }>;
  /** One entry per registered gate. */
  gates: Record<string, GateEntry>;
  /** Only the rules the file mentions; shorthand severities are expanded to `{ severity, options }`. */
  rules: Record<string, RuleSetting>;
  waivers: {
    'min-permission': WaiverPolicy['minPermission'];
    codeowners: boolean;
    'allow-author': boolean;
    'max-days': number;
  };
  suppressions: { 'new-blockers': (typeof NEW_BLOCKER_SUPPRESSION_VALUES)[number] };
  exceptions: Array<{ rule: string; path: string; until?: string; reason: string }>;
}

function quoted(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
}

const globSchema = z
  .string()
  .superRefine((glob, ctx) => {
    const problem = globProblem(glob);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('A picomatch glob relative to the repository root (dot files included).');

/** Repository-relative directory; `""` or `.` is the root. Normalised to no leading `./` and no trailing `/`. */
const directorySchema = z
  .string()
  .superRefine((dir, ctx) => {
    if (dir.startsWith('/'))
      ctx.addIssue({
        code: 'custom',
        message: `'${dir}' must be relative to the repository root (remove the leading /)`,
      });
    else if (dir.includes('\\'))
      ctx.addIssue({ code: 'custom', message: `'${dir}' uses \\ as a path separator; use /` });
    else if (dir.split('/').includes('..'))
      ctx.addIssue({ code: 'custom', message: `'${dir}' must stay inside the repository (no ..)` });
    else if (/[*?[\]{}]/.test(dir)) ctx.addIssue({ code: 'custom', message: `'${dir}' is a directory, not a glob` });
  })
  .transform((dir) => {
    const trimmed = dir.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
    return trimmed === '.' ? '' : trimmed;
  });

function ruleIdsOf(gates: readonly Gate[]): string[] {
  return gates.flatMap((gate) => gate.rules.map((rule) => rule.meta.id)).sort();
}

/** Registration mistakes are programming errors: they fail loudly when the schema is built. */
function assertUniqueIds(gates: readonly Gate[]): void {
  const seen = new Set<string>();
  for (const id of [...gates.map((gate) => gate.id), ...ruleIdsOf(gates)]) {
    if (seen.has(id)) throw new Error(`readiness config: id '${id}' is registered twice`);
    seen.add(id);
  }
}

function ruleSettingSchema(rule: Rule): z.ZodType<RuleSetting> {
  const severity = z.enum(RULE_SEVERITY_VALUES);
  const fields: Record<string, z.ZodType> = {
    severity: severity
      .optional()
      .describe("Severity of the rule's findings, or `off` to turn the rule off. Unset: the rule's default severity."),
  };
  if (rule.options) {
    fields['options'] = strictOptions(rule.options)
      .optional()
      .describe("The rule's options; keys not given take their defaults.");
  }
  const detailed = withUnknownKeyMessage(z.strictObject(fields), (key, allowed) =>
    key === 'options' ? `\`${rule.meta.id}\` has no options` : unknownKeyMessage(key, allowed),
  );
  const defaults = optionDefaults(rule.options);
  return z
    .union([severity, detailed])
    .transform((value): RuleSetting => {
      const setting: RuleSetting = {};
      const given =
        typeof value === 'string' ? { severity: value } : (value as { severity?: SeverityOrOff; options?: unknown });
      if (given.severity !== undefined) setting.severity = given.severity;
      // Filled even when not written, so consumers never re-derive a rule's defaults.
      const options = given.options ?? defaults;
      if (options !== undefined) setting.options = options;
      return setting;
    })
    .describe(`${rule.meta.description} Default severity: ${rule.meta.severity}.`);
}

/**
 * The zod schema of the config file for these gates: strict at every level, defaults filled, output in
 * the file's own kebab-case shape (`ConfigFile`). `toReadinessConfig` maps it to what the engine uses.
 * The loader (`parseConfig`) adds positions and friendlier messages on top; parsing with this schema
 * alone gives the same verdict.
 */
export function buildConfigSchema(gates: readonly Gate[]): z.ZodType<ConfigFile> {
  assertUniqueIds(gates);
  const gateIds = gates.map((gate) => gate.id);
  const ruleIds = ruleIdsOf(gates);
  const rulesByGate = new Map(gates.map((gate) => [gate.id as string, gate.rules.map((rule) => rule.meta.id)]));

  const gateShape: Record<string, z.ZodType> = {};
  for (const gate of gates) {
    const enabled = z
      .boolean()
      .default(true)
      .describe(`Run the ${gate.title} gate. A disabled gate reports nothing and is not scored.`);
    gateShape[gate.id] = gateEntrySchema(gate.id, gate.options, enabled)
      .prefault({})
      .describe(`${gate.title}: ${gate.description}`);
  }
  const gatesSchema = withUnknownKeyMessage(z.strictObject(gateShape), (key, allowed) =>
    ruleIds.includes(key)
      ? `\`${key}\` is a rule, not a gate; set its severity under \`rules\``
      : `unknown gate \`${key}\`${didYouMean(key, allowed) || (allowed.length > 0 ? `; known gates: ${allowed.join(', ')}` : '; no gates are registered')}`,
  ).describe("Per gate: `enabled` (default true) and the gate's own options. Keys are gate ids.");

  const ruleShape: Record<string, z.ZodType> = {};
  for (const gate of gates) for (const rule of gate.rules) ruleShape[rule.meta.id] = ruleSettingSchema(rule).optional();
  const rulesSchema = withUnknownKeyMessage(z.strictObject(ruleShape), (key, allowed) => {
    const gateRules = rulesByGate.get(key);
    if (gateRules !== undefined) {
      return `\`${key}\` is a gate, not a rule; turn the gate off with \`gates.${key}.enabled: false\` or name one of its rules (${gateRules.join(', ') || 'it has none'})`;
    }
    return `unknown rule \`${key}\`${didYouMean(key, allowed)}`;
  }).describe(
    'Per rule, keyed by rule id (`<gate>/<name>`): a severity (`blocker`, `warning`, `notice`, `off`) or `{ severity, options }`. ' +
      'Rules not listed keep their default severity and options.',
  );

  const waiversShape = {
    'min-permission': z
      .enum(PERMISSION_VALUES)
      .default('maintain')
      .describe('Lowest repository permission that may waive a finding with `/readiness waive`.'),
    codeowners: z
      .boolean()
      .default(true)
      .describe("Code owners of a finding's path may also waive it, whatever their permission."),
    'allow-author': z
      .boolean()
      .default(false)
      .describe("Whether the pull request's author may waive findings on their own pull request."),
    'max-days': z.number().int().min(1).max(365).default(90).describe('Longest a waiver may last, in days (1–365).'),
  };
  const waiversSchema = z.strictObject(waiversShape);

  const suppressionsSchema = z.strictObject({
    'new-blockers': z
      .enum(NEW_BLOCKER_SUPPRESSION_VALUES)
      .default('require-approval')
      .describe(
        'What a suppression comment (`readiness-ignore`, `squawk-ignore`, `atlas:nolint`) that the pull request adds or changes does to a ' +
          'new blocker it covers. `require-approval`: the finding stays blocking, "suppressed, awaiting approval", until someone `waivers:` ' +
          'allows comments `/readiness approve <finding-id>` (or waives it). `allow`: the comment clears it on its own.',
      ),
  });

  const pathsSchema = z.strictObject({
    exclude: z
      .array(globSchema)
      .default(() => [...DEFAULT_EXCLUDE])
      .describe(
        'Globs of paths never analysed. Setting it REPLACES the default list (test, fixture and mock folders, ' +
          '`*.test.*`/`*.spec.*` files, node_modules, vendor and package-manager lockfiles); use `exclude-add` to keep the defaults and add more.',
      ),
    'exclude-add': z
      .array(globSchema)
      .default(() => [])
      .describe('Globs excluded on top of `exclude` (the default list or yours).'),
  });

  const knownTargets = [...gateIds, ...ruleIds];
  const exceptionSchema = z.strictObject({
    rule: z
      .string()
      .superRefine((id, ctx) => {
        if (knownTargets.includes(id)) return;
        const kind = id.includes('/') ? 'rule' : 'rule or gate';
        ctx.addIssue({ code: 'custom', message: `unknown ${kind} \`${id}\`${didYouMean(id, knownTargets)}` });
      })
      .describe('Rule id (`pii/sensitive-field-logged`), or gate id (`pii`) for all of its rules.'),
    path: globSchema.describe('Glob of the paths the exception covers, relative to the repository root.'),
    until: z.iso
      .date({
        error: (issue) =>
          typeof issue.input === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(issue.input)
            ? `expected a real calendar date; got '${issue.input}'`
            : `expected a date as YYYY-MM-DD; got ${quoted(issue.input)}`,
      })
      .optional()
      .describe(
        'Last day the exception applies (YYYY-MM-DD, through the end of that day, UTC). Omit for no end date. ' +
          'An expired exception simply stops applying.',
      ),
    reason: z
      .string()
      .trim()
      .min(1, { error: 'expected a reason; it is shown next to every finding the exception covers' })
      .describe('Why the exception exists; shown next to every finding it covers. Required.'),
  });

  const serviceSchema = z.strictObject({
    name: z.string().trim().min(1, { error: 'expected a service name' }).describe('Service name shown in reports.'),
    root: directorySchema.describe('The service\'s directory relative to the repository root (`""` for the root).'),
  });

  const file = z
    .strictObject({
      extends: z
        .union([z.string().trim().min(1), z.array(z.string().trim().min(1)).min(1)])
        .optional()
        .describe(
          'Shared config(s) this file builds on, read first: a path in the same repository (`.github/readiness-base.yml`, or `./x.yml` relative to this file), or another repository `owner/repo` (its `.github/readiness.yml` on the default branch), `owner/repo:path` or `owner/repo:path@ref`. Keys in this file win over the files it extends; mappings (gates, rules, waivers, paths) merge key by key; `exceptions` and `services` add up; a later entry of a list wins over an earlier one. At most 5 levels; a cycle is an error.',
        ),
      'fail-on': z
        .enum(FAIL_ON_VALUES)
        .default('blocker')
        .describe(
          'Which new findings block the merge: `blocker` (new blockers), `warning` (new blockers and warnings) or `never` (report only).',
        ),
      baseline: z
        .enum(BASELINE_VALUES)
        .default('merge-base')
        .describe(
          '`merge-base`: findings already present at the merge-base are shown as debt and never block. `off`: every finding counts as new.',
        ),
      'on-error': z
        .enum(ON_ERROR_VALUES)
        .default('failure')
        .describe(
          'Check conclusion when the engine or GitHub fails: `failure` (never green by accident) or `neutral` (lets a required check pass).',
        ),
      'max-file-bytes': z
        .number()
        .int()
        .positive()
        .default(DEFAULT_MAX_FILE_BYTES)
        .describe(
          'Files larger than this many bytes are not analysed; a changed one that a gate would read makes the pull request incomplete (see `on-unanalysed`).',
        ),
      'on-unanalysed': z
        .enum(ON_UNANALYSED_VALUES)
        .default('block')
        .describe(
          'What a changed file that a gate would read but the engine could not analyse (too large, over the download or analysis budget, past the 3,000-file listing, unreadable) does to the verdict: `block` (incomplete: a `core/unanalysed-file` blocker) or `warn` (the same finding as a warning).',
        ),
      paths: pathsSchema.default(() => pathsSchema.parse({})).describe('Which paths are analysed.'),
      services: z
        .array(serviceSchema)
        .superRefine((services, ctx) => {
          const names = new Set<string>();
          services.forEach((service, i) => {
            if (names.has(service.name))
              ctx.addIssue({
                code: 'custom',
                path: [i, 'name'],
                message: `service \`${service.name}\` is listed twice`,
              });
            names.add(service.name);
          });
        })
        .default(() => [])
        .describe(
          'Deployable units in addition to the detected ones (package.json, pyproject.toml, go.mod, Dockerfile).',
        ),
      gates: gatesSchema.prefault({}),
      rules: rulesSchema.default(() => ({})),
      waivers: waiversSchema
        .default(() => waiversSchema.parse({}))
        .describe('Who may waive a finding with a `/readiness waive` comment, and for how long.'),
      suppressions: suppressionsSchema
        .default(() => suppressionsSchema.parse({}))
        .describe(
          'How suppression comments added by a pull request are treated. Suppressions already present at the base always apply.',
        ),
      exceptions: z
        .array(exceptionSchema)
        .default(() => [])
        .describe(
          'Standing exceptions reviewed in the config: a rule (or a whole gate) does not apply to matching paths, until a date.',
        ),
    })
    .describe(
      'Readiness Gates configuration. Every key is optional. The enforced file is read from the base branch, so a pull request cannot loosen its own gate.',
    );
  return withUnknownKeyMessage(file, unknownKeyMessage) as unknown as z.ZodType<ConfigFile>;
}

/** Maps the parsed file (kebab-case) to the camelCase `ReadinessConfig` the engine consumes. */
export function toReadinessConfig(parsed: ConfigFile): ReadinessConfig {
  const gates: ReadinessConfig['gates'] = {};
  for (const [id, entry] of Object.entries(parsed.gates)) {
    gates[id as keyof ReadinessConfig['gates']] = { enabled: entry.enabled, options: entry.options };
  }
  const rules: Record<string, RuleSetting> = {};
  for (const [id, setting] of Object.entries(parsed.rules)) rules[id] = { ...setting };
  return {
    failOn: parsed['fail-on'],
    baseline: parsed.baseline,
    onError: parsed['on-error'],
    // One list for the engine; duplicates removed so a glob in both lists is not matched twice.
    paths: { exclude: [...new Set([...parsed.paths.exclude, ...parsed.paths['exclude-add']])] },
    maxFileBytes: parsed['max-file-bytes'],
    onUnanalysed: parsed['on-unanalysed'],
    services: parsed.services.map((service) => ({ name: service.name, root: service.root })),
    gates,
    rules,
    waivers: {
      minPermission: parsed.waivers['min-permission'],
      codeowners: parsed.waivers.codeowners,
      allowAuthor: parsed.waivers['allow-author'],
      maxDays: parsed.waivers['max-days'],
    },
    suppressions: { newBlockers: parsed.suppressions['new-blockers'] },
    exceptions: parsed.exceptions.map((entry): ExceptionEntry => {
      const out: ExceptionEntry = { rule: entry.rule, path: entry.path, reason: entry.reason };
      if (entry.until !== undefined) out.until = entry.until;
      return out;
    }),
  };
}

/** The configuration in force when the repository has no config file. */
export function defaultConfig(gates: readonly Gate[]): ReadinessConfig {
  return toReadinessConfig(buildConfigSchema(gates).parse({}));
}

/** The closest rule or gate id to `id`, for callers outside the config (e.g. `explain <rule-id>`). */
export function suggestId(id: string, gates: readonly Gate[]): string | undefined {
  return closest(id, [...gates.map((gate) => gate.id), ...ruleIdsOf(gates)]);
}
