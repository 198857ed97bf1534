import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CONFIG_SCHEMA_ID,
  configJsonSchema,
  configJsonSchemaText,
  writeConfigSchema,
  type JsonSchema,
} from '../../src/config/json-schema.js';
import { parseConfig } from '../../src/config/loader.js';
import { ConfigError } from '../../src/config/types.js';
import { FAKE_GATES } from './fake-gates.js';

// Both packages are CommonJS; under NodeNext the default import is the module object, so take `default`.
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

const schema = configJsonSchema(FAKE_GATES);
// strict: true makes Ajv reject unknown keywords and ambiguous schemas, which editors would trip on too.
const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile(schema);

const FULL_EXAMPLE = `
fail-on: warning
baseline: off
on-error: neutral
max-file-bytes: 500000
paths:
  exclude: ["**/test/**", "generated/**"]
  exclude-add: ["docs/**"]
services:
  - { name: api, root: services/api }
  - { name: web, root: "" }
gates:
  migrations: { postgres-version: 15, dirs: [db/migrations] }
  pii:
    enabled: true
    sensitive-fields: [tax_id]
    allow-fields: [user_id]
    redactors: [maskEmail, { name: mask, module: "@acme/log" }]
    logger: { name: log }
  health: { enabled: false }
rules:
  migrations/drop-column: off
  migrations/add-index-non-concurrent:
    severity: warning
    options: { min-rows: 1000, tables: [orders] }
  pii/unredacted-request-log: { severity: blocker }
waivers: { min-permission: write, codeowners: true, allow-author: false, max-days: 30 }
exceptions:
  - { rule: pii/sensitive-field-logged, path: "src/legacy/**", until: 2027-03-31, reason: "Rewritten in Q1" }
  - { rule: migrations, path: "db/frozen/**", reason: "Frozen schema" }
`;

function validByAjv(text: string): boolean {
  return validate(parseYaml(text) ?? {}) === true;
}

function validByLoader(text: string): boolean {
  try {
    parseConfig(text, 'x.yml', FAKE_GATES);
    return true;
  } catch (error) {
    if (error instanceof ConfigError) return false;
    throw error;
  }
}

describe('configJsonSchema', () => {
  it('is a draft-07 schema with an id and a title', () => {
    expect(schema['$schema']).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema['$id']).toBe(CONFIG_SCHEMA_ID);
    expect(schema['title']).toMatch(/Readiness Gates/);
  });

  it('validates a full example config, which the loader accepts too', () => {
    expect(validByAjv(FULL_EXAMPLE), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(validByLoader(FULL_EXAMPLE)).toBe(true);
  });

  it('validates an empty config', () => {
    expect(validByAjv('')).toBe(true);
  });

  // Each of these is rejected by the loader as well; the schema must not be more lenient than the engine
  // on anything JSON Schema can express.
  it.each([
    ['a wrong enum value', 'fail-on: blockers'],
    ['an unknown top-level key', 'fial-on: never'],
    ['a non-positive max-file-bytes', 'max-file-bytes: 0'],
    ['an unknown key inside gates.<id>', 'gates:\n  pii: { redactor: [] }'],
    ['an unknown key deep in gate options', 'gates:\n  pii: { logger: { nmae: x } }'],
    ['a wrong option type', 'gates:\n  migrations: { postgres-version: "16" }'],
    ['an unknown gate', 'gates:\n  piii: {}'],
    ['an unknown rule id', 'rules:\n  migrations/drop-colum: off'],
    ['a gate id under rules', 'rules:\n  pii: off'],
    ['a wrong severity', 'rules:\n  migrations/drop-column: blockr'],
    ['options for a rule without options', 'rules:\n  migrations/drop-column: { options: {} }'],
    ['a bad rule option', 'rules:\n  migrations/add-index-non-concurrent: { options: { min-rows: -1 } }'],
    ['an unknown rule option', 'rules:\n  migrations/add-index-non-concurrent: { options: { tabels: [] } }'],
    ['max-days out of range', 'waivers: { max-days: 366 }'],
    ['an unknown permission', 'waivers: { min-permission: owner }'],
    ['a date that does not exist', 'exceptions:\n  - { rule: pii, path: a, until: 2027-02-30, reason: r }'],
    ['a date in another format', 'exceptions:\n  - { rule: pii, path: a, until: 31/03/2027, reason: r }'],
    ['an exception without a reason', 'exceptions:\n  - { rule: pii, path: a }'],
    ['an empty reason', 'exceptions:\n  - { rule: pii, path: a, reason: "" }'],
    ['an unknown key in an exception', 'exceptions:\n  - { rule: pii, path: a, reason: r, owner: me }'],
    ['a service without a root', 'services:\n  - { name: api }'],
  ])('rejects %s', (_name, text) => {
    expect(validByAjv(text)).toBe(false);
    expect(validByLoader(text)).toBe(false);
  });

  it('keeps defaults, including gate and rule option defaults', () => {
    const properties = schema['properties'] as Record<string, JsonSchema>;
    expect(properties['fail-on']?.['default']).toBe('blocker');
    expect(properties['max-file-bytes']?.['default']).toBe(1_048_576);
    const paths = properties['paths']?.['properties'] as Record<string, JsonSchema>;
    expect(paths['exclude']?.['default']).toContain('**/__mocks__/**');
    const gates = properties['gates']?.['properties'] as Record<string, JsonSchema>;
    const migrations = gates['migrations']?.['properties'] as Record<string, JsonSchema>;
    expect(migrations['enabled']?.['default']).toBe(true);
    expect(migrations['postgres-version']?.['default']).toBe(16);
    const waivers = properties['waivers']?.['properties'] as Record<string, JsonSchema>;
    expect(waivers['max-days']).toMatchObject({ default: 90, minimum: 1, maximum: 365 });
    expect(properties['services']?.['default']).toEqual([]);
  });

  it('has a description on every key the config itself defines', () => {
    const missing: string[] = [];
    const checked: string[] = [];
    const visit = (node: unknown, path: string, authored: boolean): void => {
      if (typeof node !== 'object' || node === null) return;
      const json = node as JsonSchema;
      const properties = (json['properties'] ?? {}) as Record<string, JsonSchema>;
      for (const [key, child] of Object.entries(properties)) {
        const childPath = `${path}.${key}`;
        // Gate and rule option keys are documented by their authors, not here.
        const underGate = /^\.gates\.[^.]+$/.test(path);
        const childAuthored = authored || (underGate && key !== 'enabled');
        if (!childAuthored) {
          checked.push(childPath);
          if (typeof child['description'] !== 'string') missing.push(childPath);
        }
        visit(child, childPath, childAuthored || key === 'options');
      }
      visit(json['items'], `${path}[]`, authored);
      for (const branch of (json['anyOf'] ?? []) as unknown[]) visit(branch, path, authored);
    };
    visit(schema, '', false);
    expect(missing).toEqual([]);
    expect(checked).toEqual(
      expect.arrayContaining([
        '.fail-on',
        '.paths.exclude-add',
        '.services[].root',
        '.gates.pii',
        '.gates.pii.enabled',
        '.rules.migrations/add-index-non-concurrent',
        '.rules.migrations/add-index-non-concurrent.severity',
        '.rules.migrations/add-index-non-concurrent.options',
        '.waivers.max-days',
        '.exceptions[].until',
      ]),
    );
    expect(checked).not.toContain('.gates.pii.redactors');
  });

  it('is deterministic text with a final newline, which writeConfigSchema writes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'readiness-schema-'));
    afterAll(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'nested', 'readiness.schema.json');
    await writeConfigSchema(FAKE_GATES, path);
    const written = await readFile(path, 'utf8');
    expect(written).toBe(configJsonSchemaText(FAKE_GATES));
    expect(written.endsWith('}\n')).toBe(true);
    expect(JSON.parse(written)).toEqual(configJsonSchema(FAKE_GATES));
  });
});
