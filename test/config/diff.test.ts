import { describe, expect, it } from 'vitest';
import { diffConfigs, parseConfig } from '../../src/config/loader.js';
import { FAKE_GATES } from './fake-gates.js';

function config(text: string) {
  return parseConfig(text, '.github/readiness.yml', FAKE_GATES);
}

function diff(base: string, head: string): string[] {
  return diffConfigs(config(base), config(head), FAKE_GATES);
}

describe('diffConfigs', () => {
  it('is empty for equal configs, however they are written', () => {
    expect(diff('', 'fail-on: blocker\nwaivers: { max-days: 90 }\ngates: { pii: { enabled: true } }\n')).toEqual([]);
  });

  it('shows top-level changes as `key: before → after`', () => {
    expect(diff('', 'fail-on: never\nbaseline: off\non-error: neutral\nmax-file-bytes: 10\n')).toEqual([
      'fail-on: blocker → never',
      'baseline: merge-base → off',
      'on-error: failure → neutral',
      'max-file-bytes: 1048576 → 10',
    ]);
  });

  it('shows a rule severity change against the rule default', () => {
    expect(diff('', 'rules:\n  migrations/drop-column: off\n')).toEqual([
      'rules.migrations/drop-column: blocker → off',
    ]);
    expect(diff('rules:\n  pii/unredacted-request-log: blocker\n', '')).toEqual([
      'rules.pii/unredacted-request-log: blocker → warning',
    ]);
  });

  it('does not report setting a rule to its default severity', () => {
    expect(diff('', 'rules:\n  migrations/drop-column: blocker\n')).toEqual([]);
  });

  it('says "default" when the gates are not given', () => {
    expect(diffConfigs(config(''), config('rules:\n  migrations/drop-column: off\n'))).toEqual([
      'rules.migrations/drop-column: default → off',
    ]);
  });

  it('shows rule option changes leaf by leaf', () => {
    expect(diff('', 'rules:\n  migrations/add-index-non-concurrent: { options: { min-rows: 5 } }\n')).toEqual([
      'rules.migrations/add-index-non-concurrent.options.min-rows: 10000 → 5',
    ]);
  });

  it('shows gate switches and option changes', () => {
    const head =
      'gates:\n  pii:\n    enabled: false\n    redactors: [maskEmail]\n    logger: { name: log }\n  migrations: { postgres-version: 14 }\n';
    expect(diff('', head)).toEqual([
      'gates.migrations.postgres-version: 16 → 14',
      'gates.pii.enabled: true → false',
      'gates.pii.logger.name: logger → log',
      'gates.pii.redactors: [] → [maskEmail]',
    ]);
  });

  it('counts added and removed exceptions', () => {
    const base = 'exceptions:\n  - { rule: pii, path: "old/**", reason: r }\n';
    const head =
      'exceptions:\n' +
      '  - { rule: pii/sensitive-field-logged, path: "src/legacy/**", until: 2027-03-31, reason: "legacy" }\n' +
      '  - { rule: migrations, path: "db/**", reason: "frozen" }\n';
    expect(diff(base, head)).toEqual([
      'exceptions: +2 (pii/sensitive-field-logged src/legacy/** until 2027-03-31; migrations db/**)',
      'exceptions: -1 (pii old/**)',
    ]);
  });

  it('shows the example line from the architecture doc', () => {
    const head =
      'exceptions:\n  - { rule: pii/sensitive-field-logged, path: "src/legacy/**", until: 2027-03-31, reason: "legacy" }\n';
    expect(diff('', head)).toEqual(['exceptions: +1 (pii/sensitive-field-logged src/legacy/** until 2027-03-31)']);
  });

  it('shows an extended exception as a change, not a swap', () => {
    const entry = (until: string, reason: string) =>
      `exceptions:\n  - { rule: pii, path: "a/**", until: ${until}, reason: ${reason} }\n`;
    expect(diff(entry('2027-01-01', 'one'), entry('2027-06-30', 'two'))).toEqual([
      'exceptions: pii a/**: until 2027-01-01 → 2027-06-30',
      'exceptions: pii a/**: reason "one" → "two"',
    ]);
  });

  it('shows path and service list changes', () => {
    const head = 'paths: { exclude-add: ["generated/**"] }\nservices:\n  - { name: api, root: services/api }\n';
    expect(diff('', head)).toEqual(['paths.exclude: +1 (generated/**)', 'services: +1 (api at services/api)']);
    expect(diff('paths: { exclude: [a/**, b/**] }\n', 'paths: { exclude: [a/**] }\n')).toEqual([
      'paths.exclude: -1 (b/**)',
    ]);
  });

  it('shows waiver policy changes with their YAML keys', () => {
    expect(
      diff('', 'waivers: { min-permission: write, allow-author: true, max-days: 7, codeowners: false }\n'),
    ).toEqual([
      'waivers.min-permission: maintain → write',
      'waivers.codeowners: true → false',
      'waivers.allow-author: false → true',
      'waivers.max-days: 90 → 7',
    ]);
  });

  it('previews a PR loosening the suppression policy', () => {
    expect(diff('', 'suppressions: { new-blockers: allow }\n')).toEqual([
      'suppressions.new-blockers: require-approval → allow',
    ]);
  });

  it('lists changes in file order across sections', () => {
    const lines = diff(
      '',
      'exceptions:\n  - { rule: pii, path: a, reason: r }\nfail-on: never\nrules: { migrations/drop-column: warning }\n',
    );
    expect(lines).toEqual([
      'fail-on: blocker → never',
      'rules.migrations/drop-column: blocker → warning',
      'exceptions: +1 (pii a)',
    ]);
  });
});
