/**
 * Options of the PII gate (`gates.pii` in .github/readiness.yml), with defaults.
 */
import picomatch from 'picomatch';
import { z } from 'zod';
import { classifierFor, type SensitiveClassifier } from './sensitive.js';

/**
 * Paths the PII gate skips on top of the config's `paths.exclude` (which already drops tests, fixtures
 * and mocks): scripts, seeds, stories, examples, docs and benchmarks run outside the service, and
 * Python test modules that the global defaults do not name.
 */
export const DEFAULT_PII_EXCLUDE: readonly string[] = [
  '**/scripts/**',
  '**/script/**',
  '**/seed/**',
  '**/seeds/**',
  '**/seeders/**',
  '**/*.stories.*',
  '**/.storybook/**',
  '**/examples/**',
  '**/example/**',
  '**/docs/**',
  '**/bench/**',
  '**/benchmarks/**',
  '**/e2e/**',
  '**/cypress/**',
  '**/playwright/**',
  '**/test_*.py',
  '**/*_test.py',
  '**/conftest.py',
];

const names = (what: string) => z.array(z.string().min(1)).default([]).describe(what);

export const piiOptionsSchema = z.object({
  'sensitive-fields': names(
    'Extra field names treated as secrets (blocker), matched as whole words in any spelling: `loyalty_number` also matches `customerLoyaltyNumber` and `LOYALTY-NUMBER`.',
  ),
  'personal-fields': names('Extra field names treated as personal data (warning), matched like `sensitive-fields`.'),
  'allow-fields': names(
    'Field names that are never sensitive in this project: a name (`support_email` allows `supportEmail`) or a dictionary term (`ip` allows `clientIp` and `ipAddress`).',
  ),
  redactors: names(
    'Project helpers whose result is safe to log, by function name (`maskEmail`) or dotted name (`pii.mask`). Names built from mask/redact/hash/digest/encrypt/anonymize are recognised without configuration.',
  ),
  exclude: z
    .array(z.string().min(1))
    .default([...DEFAULT_PII_EXCLUDE])
    .describe(
      'Globs this gate skips on top of `paths.exclude`: by default scripts, seeds, storybook stories, examples, docs, benchmarks, end-to-end suites and Python test modules. Setting it replaces the defaults; use `exclude-add` to keep them.',
    ),
  'exclude-add': z
    .array(z.string().min(1))
    .default([])
    .describe('Globs this gate skips in addition to `exclude` (the defaults or yours).'),
});

export type PiiOptions = z.output<typeof piiOptionsSchema>;

/** What the rules need from the options, built once per options object. */
export interface ResolvedOptions {
  classifier: SensitiveClassifier;
  redactors: readonly string[];
  excluded(path: string): boolean;
  /** Stable key for caches. */
  key: string;
}

const resolved = new WeakMap<object, ResolvedOptions>();

/** Resolves gate options (or undefined in unit tests: the defaults). */
export function resolveOptions(options: PiiOptions | undefined): ResolvedOptions {
  const opts = options ?? piiOptionsSchema.parse({});
  const hit = resolved.get(opts);
  if (hit) return hit;
  const globs = [...opts.exclude, ...opts['exclude-add']];
  const match = globs.length > 0 ? picomatch(globs, { dot: true }) : () => false;
  const r: ResolvedOptions = {
    classifier: classifierFor({
      sensitiveFields: opts['sensitive-fields'],
      personalFields: opts['personal-fields'],
      allowFields: opts['allow-fields'],
    }),
    redactors: opts.redactors,
    excluded: (path) => match(path),
    key: JSON.stringify(opts),
  };
  resolved.set(opts, r);
  return r;
}
