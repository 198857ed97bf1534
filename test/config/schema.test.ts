import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  buildConfigSchema,
  defaultConfig,
  suggestId,
  toReadinessConfig,
  type ConfigFile,
} from '../../src/config/schema.js';
import { optionDefaults } from '../../src/config/strict.js';
import type { Gate } from '../../src/core/types.js';
import { FAKE_GATES, migrationsGate, piiGate } from './fake-gates.js';

describe('buildConfigSchema on its own (without the loader)', () => {
  const schema = buildConfigSchema(FAKE_GATES);

  it('fills every default from an empty object', () => {
    const parsed = schema.parse({});
    expect(parsed['fail-on']).toBe('blocker');
    expect(parsed.waivers).toEqual({
      'min-permission': 'maintain',
      codeowners: true,
      'allow-author': false,
      'max-days': 90,
    });
    expect(parsed.gates['migrations']).toEqual({ enabled: true, options: { 'postgres-version': 16 } });
  });

  it('rejects unknown keys at the top level', () => {
    const result = schema.safeParse({ 'fial-on': 'never' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['fial-on'] });
  });

  it('rejects unknown keys inside gate options although the gate schema is a plain z.object', () => {
    const result = schema.safeParse({ gates: { pii: { redactor: [] } } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      path: ['gates', 'pii', 'redactor'],
      message: 'unknown key `redactor`; did you mean `redactors`?',
    });
  });

  it('rejects unknown keys inside rule options', () => {
    const result = schema.safeParse({ rules: { 'migrations/add-index-non-concurrent': { options: { tabels: [] } } } });
    expect(result.success).toBe(false);
    // A rule setting is a union (severity or mapping), so zod nests the branch's issues under it.
    const union = result.error?.issues[0];
    expect(union).toMatchObject({ code: 'invalid_union', path: ['rules', 'migrations/add-index-non-concurrent'] });
    const nested = union?.code === 'invalid_union' ? union.errors.flat() : [];
    expect(nested).toContainEqual(
      expect.objectContaining({ path: ['options', 'tabels'], message: 'unknown key `tabels`; did you mean `tables`?' }),
    );
  });

  it("keeps the gate schema's own refinements and transforms", () => {
    const gate: Gate = {
      ...piiGate,
      options: z
        .object({ prefix: z.string().default('app') })
        .refine((o) => o.prefix !== 'forbidden', { message: 'that prefix is reserved', path: ['prefix'] })
        .transform((o) => ({ ...o, upper: o.prefix.toUpperCase() })),
      rules: [],
    };
    const own = buildConfigSchema([gate]);
    expect(own.parse({}).gates['pii']?.options).toEqual({ prefix: 'app', upper: 'APP' });
    const failed = own.safeParse({ gates: { pii: { prefix: 'forbidden' } } });
    expect(failed.error?.issues[0]).toMatchObject({
      path: ['gates', 'pii', 'prefix'],
      message: 'that prefix is reserved',
    });
  });

  it('leaves loose objects open', () => {
    const gate: Gate = { ...piiGate, options: z.object({ labels: z.looseObject({}).default({}) }), rules: [] };
    expect(
      buildConfigSchema([gate]).parse({ gates: { pii: { labels: { anything: 1 } } } }).gates['pii']?.options,
    ).toEqual({
      labels: { anything: 1 },
    });
  });

  it('refuses a gate list with a duplicate id', () => {
    expect(() => buildConfigSchema([migrationsGate, migrationsGate])).toThrow("id 'migrations' is registered twice");
  });

  it('works with no gates at all', () => {
    expect(defaultConfig([]).gates).toEqual({});
    expect(buildConfigSchema([]).safeParse({ rules: { 'pii/x': 'off' } }).success).toBe(false);
  });
});

describe('toReadinessConfig', () => {
  it('maps every kebab-case key to the camelCase config', () => {
    const parsed: ConfigFile = {
      'fail-on': 'warning',
      baseline: 'off',
      'on-error': 'neutral',
      'max-file-bytes': 10,
      'on-unanalysed': 'warn',
      paths: { exclude: ['a/**'], 'exclude-add': ['b/**', 'a/**'] },
      services: [{ name: 'api', root: 'services/api' }],
      gates: { pii: { enabled: false, options: { x: 1 } } },
      rules: { 'pii/sensitive-field-logged': { severity: 'off' } },
      waivers: { 'min-permission': 'admin', codeowners: false, 'allow-author': true, 'max-days': 5 },
      suppressions: { 'new-blockers': 'allow' },
      exceptions: [
        { rule: 'pii', path: 'x/**', reason: 'r', until: '2030-01-01' },
        { rule: 'pii', path: 'y/**', reason: 'r' },
      ],
    };
    expect(toReadinessConfig(parsed)).toEqual({
      failOn: 'warning',
      baseline: 'off',
      onError: 'neutral',
      maxFileBytes: 10,
      onUnanalysed: 'warn',
      paths: { exclude: ['a/**', 'b/**'] },
      services: [{ name: 'api', root: 'services/api' }],
      gates: { pii: { enabled: false, options: { x: 1 } } },
      rules: { 'pii/sensitive-field-logged': { severity: 'off' } },
      waivers: { minPermission: 'admin', codeowners: false, allowAuthor: true, maxDays: 5 },
      suppressions: { newBlockers: 'allow' },
      exceptions: [
        { rule: 'pii', path: 'x/**', reason: 'r', until: '2030-01-01' },
        { rule: 'pii', path: 'y/**', reason: 'r' },
      ],
    });
  });

  it("returns fresh arrays, so one config cannot mutate another's defaults", () => {
    const first = defaultConfig(FAKE_GATES);
    first.paths.exclude.push('mutated/**');
    expect(defaultConfig(FAKE_GATES).paths.exclude).not.toContain('mutated/**');
  });
});

describe('optionDefaults', () => {
  it.each([
    ['a schema with its own default', z.object({ a: z.number().default(1) }).default({ a: 1 }), { a: 1 }],
    ['a plain object whose fields have defaults', z.object({ a: z.number().default(2) }), { a: 2 }],
    ['a schema with a required field', z.object({ a: z.number() }), undefined],
    ['no schema', undefined, undefined],
  ])('%s', (_name, schema, expected) => {
    expect(optionDefaults(schema)).toEqual(expected);
  });
});

describe('suggestId', () => {
  it('finds the closest rule or gate id', () => {
    expect(suggestId('pii/sensitive-feild-logged', FAKE_GATES)).toBe('pii/sensitive-field-logged');
    expect(suggestId('migration', FAKE_GATES)).toBe('migrations');
    expect(suggestId('zzz', FAKE_GATES)).toBeUndefined();
  });
});
