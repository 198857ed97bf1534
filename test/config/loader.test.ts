import { describe, expect, it } from 'vitest';
import { formatConfigError, loadConfig, parseConfig } from '../../src/config/loader.js';
import { defaultConfig, DEFAULT_EXCLUDE } from '../../src/config/schema.js';
import { CONFIG_PATH, ConfigError, type ConfigIssue } from '../../src/config/types.js';
import { FAKE_GATES } from './fake-gates.js';

const FILE = '.github/readiness.yml';

function parse(text: string) {
  return parseConfig(text, FILE, FAKE_GATES);
}

/** The issues of an invalid config; fails the test when the text is accepted. */
function issuesOf(text: string): ConfigIssue[] {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error(`expected a ConfigError for:\n${text}`);
}

/** The single issue of an invalid config. */
function issueOf(text: string): ConfigIssue {
  const issues = issuesOf(text);
  expect(issues, JSON.stringify(issues, null, 2)).toHaveLength(1);
  return issues[0]!;
}

describe('defaults', () => {
  it.each([
    ['an empty file', ''],
    ['only whitespace', '\n  \n'],
    ['only comments', '# readiness config\n# nothing set yet\n'],
    ['an explicit empty document', '---\n'],
    ['an empty mapping', '{}\n'],
  ])('%s is the default config', (_name, text) => {
    expect(parse(text)).toEqual(defaultConfig(FAKE_GATES));
  });

  it('fills every documented default', () => {
    const config = parse('');
    expect(config).toMatchObject({
      failOn: 'blocker',
      baseline: 'merge-base',
      onError: 'failure',
      maxFileBytes: 1_048_576,
      onUnanalysed: 'block',
      paths: { exclude: [...DEFAULT_EXCLUDE] },
      services: [],
      rules: {},
      waivers: { minPermission: 'maintain', codeowners: true, allowAuthor: false, maxDays: 90 },
      exceptions: [],
    });
    expect(DEFAULT_EXCLUDE).toEqual(
      expect.arrayContaining([
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
      ]),
    );
  });

  it('enables every registered gate and fills its option defaults', () => {
    const { gates } = parse('');
    expect(gates.health).toEqual({ enabled: true, options: undefined });
    expect(gates.migrations).toEqual({ enabled: true, options: { 'postgres-version': 16 } });
    expect(gates.pii).toEqual({
      enabled: true,
      options: { 'sensitive-fields': ['email', 'ssn'], 'allow-fields': [], redactors: [], logger: { name: 'logger' } },
    });
  });

  it('treats an empty value (`key:` alone) as not set', () => {
    expect(parse('fail-on:\nexceptions:\ngates:\n  pii:\nwaivers:\n  max-days:\n')).toEqual(defaultConfig(FAKE_GATES));
  });
});

describe('top-level keys', () => {
  it.each([
    ['fail-on: warning', { failOn: 'warning' }],
    ['fail-on: never', { failOn: 'never' }],
    ['baseline: off', { baseline: 'off' }],
    ['on-error: neutral', { onError: 'neutral' }],
    ['max-file-bytes: 2048', { maxFileBytes: 2048 }],
  ])('accepts %s', (text, expected) => {
    expect(parse(`${text}\n`)).toMatchObject(expected);
  });

  it.each([
    ['fail-on: blockers', 'fail-on', "expected one of blocker, warning, never; got 'blockers'"],
    ['baseline: head', 'baseline', "expected one of merge-base, off; got 'head'"],
    ['on-error: success', 'on-error', "expected one of failure, neutral; got 'success'"],
    ['max-file-bytes: 0', 'max-file-bytes', 'expected a number greater than 0; got 0'],
    ['max-file-bytes: 1.5', 'max-file-bytes', 'expected an integer; got 1.5'],
    ['max-file-bytes: 1MB', 'max-file-bytes', "expected a number; got '1MB'"],
    ['fail-on: [blocker]', 'fail-on', 'expected one of blocker, warning, never; got a list'],
  ])('rejects %s', (text, key, message) => {
    expect(issueOf(`${text}\n`)).toMatchObject({ key, message, line: 1 });
  });

  it('rejects a file that is not a mapping', () => {
    expect(issueOf('- fail-on: never\n')).toEqual({
      file: FILE,
      line: 1,
      column: 1,
      key: '(root)',
      message: 'expected a mapping of settings (key: value); got a list',
    });
  });
});

describe('paths', () => {
  it('a user exclude list replaces the default one', () => {
    expect(parse('paths:\n  exclude: ["generated/**"]\n').paths.exclude).toEqual(['generated/**']);
  });

  it('exclude-add keeps the defaults and adds to them', () => {
    expect(parse('paths:\n  exclude-add: ["generated/**"]\n').paths.exclude).toEqual([
      ...DEFAULT_EXCLUDE,
      'generated/**',
    ]);
  });

  it('exclude-add adds to a user list, without duplicates', () => {
    const text = 'paths:\n  exclude: [a/**, b/**]\n  exclude-add: [b/**, c/**]\n';
    expect(parse(text).paths.exclude).toEqual(['a/**', 'b/**', 'c/**']);
  });

  it('an empty exclude list analyses everything', () => {
    expect(parse('paths: { exclude: [] }\n').paths.exclude).toEqual([]);
  });

  it.each([
    ['"src/[abc"', 'invalid glob'],
    ['"{a,b"', 'invalid glob'],
    ['"/abs/**"', 'must be relative to the repository root'],
    ['"src\\\\legacy\\\\**"', 'uses \\ as a path separator'],
    ['""', 'expected a glob; got an empty string'],
  ])('rejects the glob %s', (glob, message) => {
    const issue = issueOf(`paths:\n  exclude:\n    - ${glob}\n`);
    expect(issue).toMatchObject({ key: 'paths.exclude[0]', line: 3, column: 7 });
    expect(issue.message).toContain(message);
  });
});

describe('services', () => {
  it('normalises roots', () => {
    const text = 'services:\n  - { name: api, root: ./services/api/ }\n  - { name: web, root: . }\n';
    expect(parse(text).services).toEqual([
      { name: 'api', root: 'services/api' },
      { name: 'web', root: '' },
    ]);
  });

  it.each([
    ['{ name: api, root: /srv }', 'services[0].root', 'must be relative'],
    ['{ name: api, root: ../other }', 'services[0].root', 'must stay inside the repository'],
    ['{ name: "", root: api }', 'services[0].name', 'expected a service name'],
    ['{ name: api }', 'services[0].root', 'missing required key `root` (a string)'],
    ['{ name: api, root: api, port: 80 }', 'services[0].port', 'unknown key `port`; expected one of `name`, `root`'],
    ['{ name: api, root: api, nmae: api }', 'services[0].nmae', 'unknown key `nmae`; did you mean `name`?'],
  ])('rejects %s', (entry, key, message) => {
    const issue = issueOf(`services:\n  - ${entry}\n`);
    expect(issue.key).toBe(key);
    expect(issue.message).toContain(message);
  });

  it('rejects a service name used twice', () => {
    const issue = issueOf('services:\n  - { name: api, root: a }\n  - { name: api, root: b }\n');
    expect(issue).toMatchObject({
      key: 'services[1].name',
      line: 3,
      column: 13,
      message: 'service `api` is listed twice',
    });
  });
});

describe('gates', () => {
  it('disables a gate and keeps its option defaults', () => {
    expect(parse('gates:\n  pii: { enabled: false }\n').gates.pii).toEqual({
      enabled: false,
      options: { 'sensitive-fields': ['email', 'ssn'], 'allow-fields': [], redactors: [], logger: { name: 'logger' } },
    });
  });

  it('merges given options with the defaults of the rest', () => {
    const text = 'gates:\n  pii:\n    redactors: [maskEmail, { name: mask, module: "@acme/log" }]\n    logger: {}\n';
    expect(parse(text).gates.pii?.options).toEqual({
      'sensitive-fields': ['email', 'ssn'],
      'allow-fields': [],
      redactors: ['maskEmail', { name: 'mask', module: '@acme/log' }],
      logger: { name: 'logger' },
    });
  });

  it('validates option values with the gate schema, with the item index in the key', () => {
    const issue = issueOf('gates:\n  pii:\n    redactors: [a, b, 3]\n');
    expect(issue.key).toBe('gates.pii.redactors[2]');
    expect(issue).toMatchObject({ line: 3, column: 23 });
    expect(issue.message).toContain('got 3');
  });

  it('reports an unknown key inside gates.<id> at the key, with a suggestion', () => {
    expect(issueOf('gates:\n  pii:\n    redactor: [maskEmail]\n')).toEqual({
      file: FILE,
      line: 3,
      column: 5,
      key: 'gates.pii.redactor',
      message: 'unknown key `redactor`; did you mean `redactors`?',
    });
  });

  it('reports unknown keys in nested option objects', () => {
    expect(issueOf('gates:\n  pii:\n    logger: { nmae: log }\n')).toMatchObject({
      key: 'gates.pii.logger.nmae',
      line: 3,
      column: 15,
      message: 'unknown key `nmae`; did you mean `name`?',
    });
  });

  it('rejects options for a gate that has none', () => {
    expect(issueOf('gates:\n  health: { liveness: /livez }\n')).toMatchObject({
      key: 'gates.health.liveness',
      message: 'unknown key `liveness`; gate `health` has no options besides `enabled`',
    });
  });

  it('rejects a gate setting that is not a mapping', () => {
    expect(issueOf('gates:\n  pii: [a]\n')).toMatchObject({
      key: 'gates.pii',
      line: 2,
      column: 8,
      message: 'expected a mapping; got a list',
    });
    expect(issueOf('gates:\n  pii: false\n')).toMatchObject({
      key: 'gates.pii',
      message: 'expected a mapping; to switch the gate on or off write `pii: { enabled: false }`',
    });
  });

  it('rejects a non-boolean enabled', () => {
    expect(issueOf('gates:\n  pii: { enabled: "no" }\n')).toMatchObject({
      key: 'gates.pii.enabled',
      line: 2,
      column: 19,
      message: "expected true or false; got 'no'",
    });
  });

  it('rejects an unknown gate with a suggestion, and a rule id used as a gate', () => {
    const issues = issuesOf('gates:\n  pi: {}\n  migrations/drop-column: {}\n');
    expect(issues.map((i) => [i.key, i.message])).toEqual([
      ['gates.pi', 'unknown gate `pi`; did you mean `pii`?'],
      [
        'gates.migrations/drop-column',
        '`migrations/drop-column` is a rule, not a gate; set its severity under `rules`',
      ],
    ]);
  });
});

describe('rules', () => {
  it('accepts a severity shorthand and the mapping form', () => {
    const text = [
      'rules:',
      '  migrations/drop-column: off',
      '  pii/unredacted-request-log: { severity: blocker }',
      '  migrations/add-index-non-concurrent:',
      '    severity: warning',
      '    options: { min-rows: 100 }',
      '',
    ].join('\n');
    expect(parse(text).rules).toEqual({
      'migrations/drop-column': { severity: 'off' },
      'pii/unredacted-request-log': { severity: 'blocker' },
      'migrations/add-index-non-concurrent': { severity: 'warning', options: { 'min-rows': 100, tables: [] } },
    });
  });

  it('fills rule option defaults when only the severity is set', () => {
    expect(parse('rules:\n  migrations/add-index-non-concurrent: notice\n').rules).toEqual({
      'migrations/add-index-non-concurrent': { severity: 'notice', options: { 'min-rows': 10_000, tables: [] } },
    });
  });

  it('validates rule options with the rule schema', () => {
    const issue = issueOf('rules:\n  migrations/add-index-non-concurrent:\n    options: { min-rows: -5 }\n');
    expect(issue).toMatchObject({
      key: 'rules.migrations/add-index-non-concurrent.options.min-rows',
      line: 3,
      column: 26,
      message: 'expected a number of at least 0; got -5',
    });
  });

  it('reports unknown rule options with a suggestion', () => {
    expect(issueOf('rules:\n  migrations/add-index-non-concurrent: { options: { table: [x] } }\n')).toMatchObject({
      key: 'rules.migrations/add-index-non-concurrent.options.table',
      message: 'unknown key `table`; did you mean `tables`?',
    });
  });

  it('rejects options for a rule that has none', () => {
    expect(issueOf('rules:\n  migrations/drop-column: { options: {} }\n')).toMatchObject({
      key: 'rules.migrations/drop-column.options',
      message: '`migrations/drop-column` has no options',
    });
  });

  it('reports an unknown rule id at the key, with a suggestion over all rule ids', () => {
    expect(issueOf('fail-on: blocker\nrules:\n  migrations/drop-colum: warning\n')).toEqual({
      file: FILE,
      line: 3,
      column: 3,
      key: 'rules.migrations/drop-colum',
      message: 'unknown rule `migrations/drop-colum`; did you mean `migrations/drop-column`?',
    });
  });

  it('suggests the full id for a rule name without its gate', () => {
    expect(issueOf('rules:\n  drop-column: off\n').message).toBe(
      'unknown rule `drop-column`; did you mean `migrations/drop-column`?',
    );
  });

  it('does not suggest anything for a far-off id', () => {
    expect(issueOf('rules:\n  metrics/duplicate-name: off\n').message).toBe('unknown rule `metrics/duplicate-name`');
  });

  it('does not accept a gate name as a rule id', () => {
    expect(issueOf('rules:\n  pii: off\n')).toMatchObject({
      key: 'rules.pii',
      message:
        '`pii` is a gate, not a rule; turn the gate off with `gates.pii.enabled: false` or name one of its rules (pii/sensitive-field-logged, pii/unredacted-request-log)',
    });
  });

  it.each([
    ['blockr', "expected one of blocker, warning, notice, off; got 'blockr'"],
    ['5', 'expected one of blocker, warning, notice, off or a mapping; got 5'],
    ['{ severity: high }', "expected one of blocker, warning, notice, off; got 'high'"],
  ])('rejects the setting %s', (value, message) => {
    expect(issueOf(`rules:\n  migrations/drop-column: ${value}\n`).message).toBe(message);
  });

  it('keeps YAML 1.2 semantics: `off` is the string off, not false', () => {
    expect(parse('rules:\n  migrations/drop-column: off\n').rules['migrations/drop-column']).toEqual({
      severity: 'off',
    });
  });
});

describe('waivers', () => {
  it('accepts every key', () => {
    const text = 'waivers: { min-permission: write, codeowners: false, allow-author: true, max-days: 30 }\n';
    expect(parse(text).waivers).toEqual({ minPermission: 'write', codeowners: false, allowAuthor: true, maxDays: 30 });
  });

  it('fills defaults for keys not given', () => {
    expect(parse('waivers: { max-days: 7 }\n').waivers).toEqual({
      minPermission: 'maintain',
      codeowners: true,
      allowAuthor: false,
      maxDays: 7,
    });
  });

  it.each([
    [
      'min-permission: owner',
      'waivers.min-permission',
      "expected one of read, triage, write, maintain, admin; got 'owner'",
    ],
    ['max-days: 0', 'waivers.max-days', 'expected a number of at least 1; got 0'],
    ['max-days: 366', 'waivers.max-days', 'expected a number of at most 365; got 366'],
    ['codeowners: maybe', 'waivers.codeowners', "expected true or false; got 'maybe'"],
    ['allow-authors: true', 'waivers.allow-authors', 'unknown key `allow-authors`; did you mean `allow-author`?'],
  ])('rejects %s', (entry, key, message) => {
    expect(issueOf(`waivers:\n  ${entry}\n`)).toMatchObject({ key, message, line: 2 });
  });
});

describe('exceptions', () => {
  it('parses entries with their line, for rules and whole gates', () => {
    const text = [
      'exceptions:',
      '  - { rule: pii/sensitive-field-logged, path: "src/legacy/**", until: 2027-03-31, reason: "Legacy, rewritten in Q1" }',
      '  - rule: migrations',
      '    path: db/old/**',
      '    reason: frozen schema',
      '',
    ].join('\n');
    expect(parse(text).exceptions).toEqual([
      {
        rule: 'pii/sensitive-field-logged',
        path: 'src/legacy/**',
        until: '2027-03-31',
        reason: 'Legacy, rewritten in Q1',
        line: 2,
      },
      { rule: 'migrations', path: 'db/old/**', reason: 'frozen schema', line: 3 },
    ]);
  });

  it('accepts an until date in the past (it simply stops applying)', () => {
    expect(
      parse('exceptions:\n  - { rule: pii, path: a/**, until: 2001-01-01, reason: old }\n').exceptions[0]?.until,
    ).toBe('2001-01-01');
  });

  it('accepts 29 February only in a leap year', () => {
    expect(parse('exceptions:\n  - { rule: pii, path: a, until: 2028-02-29, reason: r }\n').exceptions).toHaveLength(1);
    expect(issueOf('exceptions:\n  - { rule: pii, path: a, until: 2027-02-29, reason: r }\n').message).toBe(
      "expected a real calendar date; got '2027-02-29'",
    );
  });

  it('reports a bad date in exceptions[1] at the value', () => {
    const text = [
      'exceptions:',
      '  - { rule: pii, path: "a/**", until: 2027-03-31, reason: fine }',
      '  - rule: pii/sensitive-field-logged',
      '    path: "src/legacy/**"',
      '    until: 2027-02-30',
      '    reason: legacy',
      '',
    ].join('\n');
    expect(issueOf(text)).toEqual({
      file: FILE,
      line: 5,
      column: 12,
      key: 'exceptions[1].until',
      message: "expected a real calendar date; got '2027-02-30'",
    });
  });

  it.each([
    ['until: 31/03/2027', 'exceptions[0].until', "expected a date as YYYY-MM-DD; got '31/03/2027'"],
    ['until: 2027-3-1', 'exceptions[0].until', "expected a date as YYYY-MM-DD; got '2027-3-1'"],
    [
      'reason: "   "',
      'exceptions[0].reason',
      'expected a reason; it is shown next to every finding the exception covers',
    ],
  ])('rejects %s', (field, key, message) => {
    const fields = { rule: 'rule: pii', path: 'path: a/**', reason: 'reason: r', until: '' };
    const name = field.slice(0, field.indexOf(':')) as keyof typeof fields;
    fields[name] = field;
    const text = `exceptions:\n  - { ${Object.values(fields).filter(Boolean).join(', ')} }\n`;
    expect(issueOf(text)).toMatchObject({ key, message, line: 2 });
  });

  it('reports a missing reason at the entry', () => {
    expect(issueOf('exceptions:\n  - { rule: pii, path: a/** }\n')).toMatchObject({
      key: 'exceptions[0].reason',
      line: 2,
      column: 5,
      message: 'missing required key `reason` (a string)',
    });
  });

  it('rejects an unknown rule with a suggestion over rule and gate ids', () => {
    expect(issueOf('exceptions:\n  - { rule: pii/sensitive-feild-logged, path: a, reason: r }\n')).toMatchObject({
      key: 'exceptions[0].rule',
      line: 2,
      column: 13,
      message: 'unknown rule `pii/sensitive-feild-logged`; did you mean `pii/sensitive-field-logged`?',
    });
    expect(issueOf('exceptions:\n  - { rule: migration, path: a, reason: r }\n').message).toBe(
      'unknown rule or gate `migration`; did you mean `migrations`?',
    );
  });

  it('rejects an invalid glob', () => {
    expect(issueOf('exceptions:\n  - { rule: pii, path: "src/(legacy", reason: r }\n')).toMatchObject({
      key: 'exceptions[0].path',
      line: 2,
      column: 24,
    });
  });
});

describe('unknown keys', () => {
  it('reports an unknown top-level key at the key with a suggestion', () => {
    expect(issueOf('fail-on: warning\nfial-on: never\n')).toEqual({
      file: FILE,
      line: 2,
      column: 1,
      key: 'fial-on',
      message: 'unknown key `fial-on`; did you mean `fail-on`?',
    });
  });

  it('suggests the kebab-case key for camelCase and snake_case spellings', () => {
    expect(issueOf('failOn: never\n').message).toBe('unknown key `failOn`; did you mean `fail-on`?');
    expect(issueOf('max_file_bytes: 10\n').message).toBe(
      'unknown key `max_file_bytes`; did you mean `max-file-bytes`?',
    );
  });

  it('lists the allowed keys when nothing is close', () => {
    // `include` is two edits from `exclude`, but suggesting the opposite setting would mislead.
    expect(issueOf('paths: { include: [src/**] }\n').message).toBe(
      'unknown key `include`; expected one of `exclude`, `exclude-add`',
    );
  });
});

describe('YAML errors', () => {
  it('reports a syntax error with its position and nothing else', () => {
    // `fail-on: nope` is invalid too, but a recovered broken document is a guess: judging it adds noise.
    expect(issuesOf('fail-on: nope\nrules: { migrations/drop-column: off\nbogus: 1\n')).toEqual([
      {
        file: FILE,
        line: 3,
        column: 1,
        key: 'bogus',
        message: 'Flow map in block collection must be sufficiently indented and end with a }',
      },
    ]);
  });

  it('reports an unterminated string at the end of the file', () => {
    expect(issueOf('fail-on: "never\n')).toMatchObject({
      line: 2,
      column: 1,
      key: 'fail-on',
      message: 'Missing closing "quote',
    });
  });

  it('reports a duplicate key at the second occurrence, along with schema issues', () => {
    const issues = issuesOf('fail-on: warning\nbaseline: off\nfail-on: never\nwaivers: { max-days: 0 }\n');
    expect(issues).toEqual([
      {
        file: FILE,
        line: 3,
        column: 1,
        key: 'fail-on',
        message: 'duplicate key: a key may appear only once in a mapping',
      },
      { file: FILE, line: 4, column: 22, key: 'waivers.max-days', message: 'expected a number of at least 1; got 0' },
    ]);
  });

  it('reads YAML 1.2 core whatever a %YAML 1.1 directive says (off stays a string, dates stay text)', () => {
    const config = parse(
      '%YAML 1.1\n---\nrules: { migrations/drop-column: off }\nexceptions:\n  - { rule: pii, path: a, until: 2027-03-31, reason: r }\n',
    );
    expect(config.rules['migrations/drop-column']).toEqual({ severity: 'off' });
    expect(config.exceptions[0]?.until).toBe('2027-03-31');
  });

  it('reports an unknown tag', () => {
    expect(issueOf('fail-on: !custom never\n')).toMatchObject({
      line: 1,
      column: 10,
      key: 'fail-on',
      message: 'Unresolved tag: !custom',
    });
  });

  it('rejects a list used as a key', () => {
    expect(issueOf('rules:\n  ? [a, b]\n  : off\n')).toMatchObject({
      line: 2,
      column: 5,
      key: 'rules',
      message: 'keys must be plain text, not lists or mappings',
    });
  });

  it('reports a repeated parser error once', () => {
    expect(issuesOf('x: [a, [a, [a,\n')).toHaveLength(1);
  });

  it('reports a nested duplicate key with its key path', () => {
    expect(issueOf('gates:\n  pii:\n    redactors: [a]\n    redactors: [b]\n')).toMatchObject({
      line: 4,
      column: 5,
      key: 'gates.pii.redactors',
    });
  });
});

describe('several issues at once', () => {
  it('reports every issue, sorted by position', () => {
    const text = [
      'fail-on: blockers', // 1: enum
      'fial-on: never', // 2: unknown key
      'gates:',
      '  pii:',
      '    redactor: []', // 5: unknown nested key
      'rules:',
      '  pii/sensitive-field-loged: off', // 7: unknown rule
      'exceptions:',
      '  - { rule: pii, path: a, reason: r }',
      '  - { rule: pii, path: a, until: 2027-13-01, reason: r }', // 10: bad date
      '',
    ].join('\n');
    expect(issuesOf(text).map((i) => `${i.line}:${i.column} ${i.key}`)).toEqual([
      '1:10 fail-on',
      '2:1 fial-on',
      '5:5 gates.pii.redactor',
      '7:3 rules.pii/sensitive-field-loged',
      '10:34 exceptions[1].until',
    ]);
  });

  it('formats one line per issue as file:line:column key: message', () => {
    let error: unknown;
    try {
      parse('fail-on: blockers\nfial-on: never\n');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = formatConfigError(error as ConfigError);
    expect(text).toBe(
      [
        ".github/readiness.yml:1:10 fail-on: expected one of blocker, warning, never; got 'blockers'",
        '.github/readiness.yml:2:1 fial-on: unknown key `fial-on`; did you mean `fail-on`?',
      ].join('\n'),
    );
    expect(text).toBe((error as ConfigError).message);
  });
});

describe('key paths', () => {
  it('quotes keys that would be ambiguous in a dotted path', () => {
    expect(issueOf('gates:\n  pii:\n    logger: { "a.b": 1 }\n').key).toBe('gates.pii.logger["a.b"]');
  });
});

describe('loadConfig', () => {
  it('uses the defaults when the file does not exist', async () => {
    const requested: string[] = [];
    const result = await loadConfig(async (path) => {
      requested.push(path);
      return undefined;
    }, FAKE_GATES);
    expect(requested).toEqual([CONFIG_PATH]);
    expect(result).toEqual({ config: defaultConfig(FAKE_GATES), source: 'default' });
  });

  it('parses the file at the given path', async () => {
    const result = await loadConfig(
      async (path) => (path === 'ci/readiness.yml' ? 'fail-on: never\n' : undefined),
      FAKE_GATES,
      'ci/readiness.yml',
    );
    expect(result.source).toBe('file');
    expect(result.config.failOn).toBe('never');
  });

  it('reports issues against the path it read', async () => {
    await expect(loadConfig(async () => 'fail-on: nope\n', FAKE_GATES, 'custom.yml')).rejects.toMatchObject({
      issues: [{ file: 'custom.yml', line: 1, column: 10, key: 'fail-on' }],
    });
  });
});
