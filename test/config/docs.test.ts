import { describe, expect, it } from 'vitest';
import { configDocsMarkdown } from '../../src/config/docs.js';
import { configJsonSchema, type JsonSchema } from '../../src/config/json-schema.js';
import { FAKE_GATES } from './fake-gates.js';

const markdown = configDocsMarkdown(FAKE_GATES);

/** The table rows as [key, type, default, description], split on unescaped pipes. */
function rows(): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
}

function row(key: string): string[] | undefined {
  return rows().find((cells) => cells[0] === `\`${key}\``);
}

/** Every key path in the JSON schema, written the way the docs write it. */
function schemaKeys(node: JsonSchema, prefix: string, out: string[]): string[] {
  for (const [name, value] of Object.entries((node['properties'] ?? {}) as Record<string, JsonSchema>)) {
    const key = prefix === '' ? name : `${prefix}.${name}`;
    out.push(key);
    schemaKeys(value, key, out);
    const items = value['items'] as JsonSchema | undefined;
    if (items) {
      schemaKeys(items, `${key}[]`, out);
      for (const branch of (items['anyOf'] ?? []) as JsonSchema[]) schemaKeys(branch, `${key}[]`, out);
    }
    for (const branch of (value['anyOf'] ?? []) as JsonSchema[]) schemaKeys(branch, key, out);
  }
  return out;
}

describe('configDocsMarkdown', () => {
  it('has a row for every key of the schema', () => {
    const documented = new Set(rows().map((cells) => cells[0]!.slice(1, -1)));
    const expected = schemaKeys(configJsonSchema(FAKE_GATES), '', [])
      // A rule's `severity` and `options` are documented once for all rules.
      .map((key) => key.replace(/^rules\.[^.]+\.(severity|options)$/, 'rules.<rule-id>.$1'));
    const missing = [...new Set(expected)].filter((key) => !documented.has(key));
    expect(missing).toEqual([]);
    expect(expected).toEqual(
      expect.arrayContaining([
        'fail-on',
        'paths.exclude-add',
        'services[].root',
        'gates.pii.logger.name',
        'waivers.max-days',
        'exceptions[].until',
      ]),
    );
  });

  it('names every registered gate and rule', () => {
    for (const gate of FAKE_GATES) {
      expect(markdown).toContain(`\`gates.${gate.id}\``);
      for (const rule of gate.rules) expect(markdown).toContain(`\`rules.${rule.meta.id}\``);
    }
  });

  it('shows type, default and description', () => {
    expect(row('fail-on')).toEqual([
      '`fail-on`',
      '`blocker` \\| `warning` \\| `never`',
      '`blocker`',
      expect.stringContaining('Which new findings block the merge'),
    ]);
    expect(row('waivers.max-days')?.slice(1, 3)).toEqual(['integer 1–365', '`90`']);
    expect(row('max-file-bytes')?.slice(1, 3)).toEqual(['positive integer', '`1048576`']);
    expect(row('exceptions[].reason')?.[2]).toBe('required');
    expect(row('exceptions[].until')?.slice(1, 3)).toEqual(['date (YYYY-MM-DD)', '—']);
    expect(row('gates.migrations.postgres-version')?.slice(1, 4)).toEqual([
      'integer ≥ 9',
      '`16`',
      'Postgres major version the migrations run on.',
    ]);
    expect(row('rules.pii/unredacted-request-log')?.slice(1, 4)).toEqual([
      'severity or mapping',
      '`warning`',
      'Request logger without redaction.',
    ]);
  });

  it('says that a user exclude list replaces the default one', () => {
    expect(row('paths.exclude')?.[3]).toMatch(/REPLACES the default list/);
    expect(row('paths.exclude')?.[2]).toContain('**/__mocks__/**');
  });

  it('is a well-formed table: four cells a row, no raw newlines in cells', () => {
    for (const cells of rows()) expect(cells, cells.join(' | ')).toHaveLength(4);
    expect(markdown).toContain('| Key | Type | Default | Description |');
    expect(markdown.endsWith('|\n')).toBe(true);
  });

  it('works without gates', () => {
    const bare = configDocsMarkdown([]);
    expect(bare).toContain('`fail-on`');
    expect(bare).not.toContain('rules.<rule-id>');
  });
});
