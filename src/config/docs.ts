/**
 * The config reference for the README: one table row per key, generated from the JSON schema (which is
 * generated from the zod schema), so the docs say exactly what the loader enforces.
 */
import type { Gate } from '../core/types.js';
import { CONFIG_PATH } from './types.js';
import { configJsonSchema, type JsonSchema } from './json-schema.js';

function asSchema(value: unknown): JsonSchema | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonSchema) : undefined;
}

/** Table cells are one line and must not contain an unescaped pipe. */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

function code(value: unknown): string {
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
}

function typeText(schema: JsonSchema): string {
  if (Array.isArray(schema['enum'])) return (schema['enum'] as unknown[]).map(code).join(' | ');
  if ('const' in schema) return code(schema['const']);
  if (Array.isArray(schema['anyOf'])) {
    return (schema['anyOf'] as unknown[])
      .map(asSchema)
      .filter((s): s is JsonSchema => s !== undefined)
      .map(typeText)
      .join(' or ');
  }
  switch (schema['type']) {
    case 'array': {
      const items = asSchema(schema['items']);
      if (!items) return 'list';
      const item = typeText(items);
      // "list of strings", but "list of (`a` | `b`)" where a plural would not read.
      return /^(string|mapping|boolean|integer|number)$/.test(item) ? `list of ${item}s` : `list of (${item})`;
    }
    case 'object':
      return 'mapping';
    case 'integer':
    case 'number': {
      const name = schema['type'] === 'integer' ? 'integer' : 'number';
      const min = schema['minimum'];
      const max = schema['maximum'];
      if (typeof min === 'number' && typeof max === 'number') return `${name} ${min}–${max}`;
      if (typeof min === 'number') return `${name} ≥ ${min}`;
      if (schema['exclusiveMinimum'] === 0) return `positive ${name}`;
      if (typeof schema['exclusiveMinimum'] === 'number') return `${name} > ${String(schema['exclusiveMinimum'])}`;
      if (typeof max === 'number') return `${name} ≤ ${max}`;
      return name;
    }
    case 'string':
      return schema['format'] === 'date' ? 'date (YYYY-MM-DD)' : 'string';
    case 'boolean':
      return 'boolean';
    default:
      return 'any';
  }
}

function defaultText(schema: JsonSchema, required: boolean): string {
  if (required) return 'required';
  if (!('default' in schema)) return '—';
  const value = schema['default'];
  // A mapping's default is the sum of its keys' defaults, each shown on its own row.
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return 'see keys below';
  return code(value);
}

/** What the table needs beyond the JSON schema: each rule's default severity (not a JSON default). */
interface Context {
  defaultSeverity: Map<string, string>;
}

interface Row {
  key: string;
  type: string;
  default: string;
  description: string;
}

function descriptionOf(schema: JsonSchema): string {
  return typeof schema['description'] === 'string' ? schema['description'] : '';
}

function collect(schema: JsonSchema, prefix: string, rows: Row[], context: Context): void {
  const properties = asSchema(schema['properties']) ?? {};
  const required = Array.isArray(schema['required']) ? (schema['required'] as string[]) : [];
  for (const [name, value] of Object.entries(properties)) {
    const property = asSchema(value);
    if (!property) continue;
    const key = prefix === '' ? name : `${prefix}.${name}`;
    rows.push({
      key,
      type: typeText(property),
      default: defaultText(property, required.includes(name)),
      description: descriptionOf(property),
    });
    if (key === 'rules') collectRules(property, rows, context);
    else descend(property, key, rows, context);
  }
}

/** The mapping branch of a rule entry (`{ severity, options }`). */
function detailedBranch(entry: JsonSchema): JsonSchema | undefined {
  return ((entry['anyOf'] ?? []) as unknown[]).map(asSchema).find((branch) => branch?.['type'] === 'object');
}

/**
 * Rules get one row each (with the rule's default severity) instead of repeating the same `severity`
 * and `options` rows per rule; those are documented once under `rules.<rule-id>`, and only options that
 * exist get rows of their own.
 */
function collectRules(rules: JsonSchema, rows: Row[], context: Context): void {
  const entries = Object.entries(asSchema(rules['properties']) ?? {}).flatMap(([id, value]) => {
    const entry = asSchema(value);
    return entry ? [{ id, entry }] : [];
  });
  const [first] = entries;
  if (!first) return;
  rows.push({
    key: 'rules.<rule-id>',
    type: typeText(first.entry),
    default: "the rule's",
    description:
      'One entry per rule id, below: a severity, or a mapping with `severity` and (for rules that have any) `options`.',
  });
  const generic = asSchema(detailedBranch(first.entry)?.['properties']) ?? {};
  const severity = asSchema(generic['severity']);
  if (severity)
    rows.push({
      key: 'rules.<rule-id>.severity',
      type: typeText(severity),
      default: "the rule's",
      description: descriptionOf(severity),
    });
  const withOptions = entries
    .map(({ entry }) => asSchema(asSchema(detailedBranch(entry)?.['properties'])?.['options']))
    .find(Boolean);
  if (withOptions)
    rows.push({
      key: 'rules.<rule-id>.options',
      type: 'mapping',
      default: "the rule's",
      description: descriptionOf(withOptions),
    });

  for (const { id, entry } of entries) {
    const severityDefault = context.defaultSeverity.get(id);
    // The default column already shows the severity the description ends with.
    const description = descriptionOf(entry).replace(/ Default severity: \w+\.$/, '');
    rows.push({
      key: `rules.${id}`,
      type: 'severity or mapping',
      default: severityDefault ? code(severityDefault) : '—',
      description,
    });
    const options = asSchema(asSchema(detailedBranch(entry)?.['properties'])?.['options']);
    if (options) descend(options, `rules.${id}.options`, rows, context);
  }
}

/** Rows for what a value may contain: mapping keys, list items' keys, keys of mapping branches. */
function descend(schema: JsonSchema, key: string, rows: Row[], context: Context): void {
  if (schema['type'] === 'object') collect(schema, key, rows, context);
  const items = asSchema(schema['items']);
  if (schema['type'] === 'array' && items) descend(items, `${key}[]`, rows, context);
  if (Array.isArray(schema['anyOf'])) {
    for (const branch of schema['anyOf'] as unknown[]) {
      const candidate = asSchema(branch);
      if (candidate?.['type'] === 'object') collect(candidate, key, rows, context);
    }
  }
}

/**
 * Markdown documenting every config key (type, default, description) for these gates, for the README
 * section between its generated-config markers. Starts with a short paragraph; no heading.
 */
export function configDocsMarkdown(gates: readonly Gate[]): string {
  const rows: Row[] = [];
  const defaultSeverity = new Map(
    gates.flatMap((gate) => gate.rules.map((rule) => [rule.meta.id, rule.meta.severity] as const)),
  );
  collect(configJsonSchema(gates), '', rows, { defaultSeverity });
  const lines = [
    `Every key of \`${CONFIG_PATH}\` is optional: an empty or missing file means the defaults below. ` +
      'Unknown keys are errors, reported with file, line and column. ' +
      '`key[]` means "each item of the list `key`". Options of gates and rules are listed under their own keys.',
    '',
    '| Key | Type | Default | Description |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (row) => `| \`${cell(row.key)}\` | ${cell(row.type)} | ${cell(row.default)} | ${cell(row.description)} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
