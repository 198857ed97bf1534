/**
 * The published JSON Schema of `.github/readiness.yml`, generated from the same zod schema the loader
 * uses, so editor completion, hover docs and validation can never drift from what the engine enforces.
 *
 * Draft-07: the YAML language server (VS Code's YAML extension) and most editors support it fully;
 * newer drafts are handled only partly. Users opt in with
 * `# yaml-language-server: $schema=<url of schema/readiness.schema.json>` at the top of the file.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { Gate } from '../core/types.js';
import { buildConfigSchema } from './schema.js';
import { wrapperOf } from './strict.js';

/** A JSON Schema document (plain JSON). */
export type JsonSchema = Record<string, unknown>;

/**
 * `$id` of the schema: the raw URL of this very file on the `v1` tag, so the id is where the schema can be
 * fetched (what SchemaStore's catalog and the `$schema=` modeline point at). It moves with the major tag
 * only: additive changes keep the URL, a breaking one gets `v2`.
 */
export const CONFIG_SCHEMA_ID =
  'https://raw.githubusercontent.com/readiness-gates/readiness-gates/v1/schema/readiness.schema.json';

/** File names the schema applies to, as SchemaStore's catalog lists them (`fileMatch`). */
export const CONFIG_FILE_MATCH = ['**/.github/readiness.yml', '**/.github/readiness.yaml'] as const;

const BASE_OPTIONS = { target: 'draft-7', io: 'input', unrepresentable: 'any' } as const;

/** Adjustments to what zod emits for ordinary (non-wrapper) nodes. */
function tidy(ctx: { zodSchema: z.core.$ZodTypes; jsonSchema: JsonSchema }): void {
  const def = ctx.zodSchema._zod.def as {
    type: string;
    catchall?: unknown;
    innerType?: z.ZodType;
    defaultValue?: unknown;
  };
  const json = ctx.jsonSchema;
  // Gate and rule schemas are plain `z.object`s, which zod documents as open; the config rejects unknown
  // keys in them (see strict.ts), so the JSON schema says so too, unless the author made them open.
  if (def.type === 'object' && def.catchall === undefined && json['additionalProperties'] === undefined) {
    json['additionalProperties'] = false;
  }
  // zod drops the default of anything containing a transform, because the default is an output value
  // that may not be valid input. Restore it when the schema accepts it as input (a [] or {} default).
  if (def.type === 'default' && json['default'] === undefined && def.innerType?.safeParse(def.defaultValue).success) {
    json['default'] = JSON.parse(JSON.stringify(def.defaultValue)) as unknown;
  }
  // `.int()` adds the safe-integer range; it is noise in editors and docs.
  if (json['maximum'] === Number.MAX_SAFE_INTEGER) delete json['maximum'];
  if (json['minimum'] === Number.MIN_SAFE_INTEGER) delete json['minimum'];
}

/** JSON schema of a schema nested in a wrapper, without the document-level `$schema`. */
function nested(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { ...BASE_OPTIONS, override: expand }) as JsonSchema;
  return rest;
}

/**
 * zod sees the option wrappers as `unknown` (they are transforms); replace each with the schema of what
 * it wraps. Descriptions and defaults set on the wrapper itself are kept.
 */
function expand(ctx: { zodSchema: z.core.$ZodTypes; jsonSchema: JsonSchema }): void {
  const wrapper = wrapperOf(ctx.zodSchema as unknown as z.ZodType);
  if (!wrapper) {
    tidy(ctx);
    return;
  }
  const own = { ...ctx.jsonSchema };
  let replacement: JsonSchema;
  if (wrapper.kind === 'options') {
    replacement = nested(wrapper.options);
  } else {
    const options = wrapper.options ? nested(wrapper.options) : { type: 'object', properties: {} };
    const properties = (options['properties'] as JsonSchema | undefined) ?? {};
    replacement = {
      ...options,
      type: 'object',
      properties: { enabled: nested(wrapper.enabled), ...properties },
      additionalProperties: false,
    };
  }
  for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
  Object.assign(ctx.jsonSchema, replacement, own);
}

/**
 * The JSON Schema (draft-07) of the config file for these gates: every key with its `description` and
 * `default`, unknown keys rejected, rule and gate options included.
 */
export function configJsonSchema(gates: readonly Gate[]): JsonSchema {
  const generated = z.toJSONSchema(buildConfigSchema(gates), { ...BASE_OPTIONS, override: expand }) as JsonSchema;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: CONFIG_SCHEMA_ID,
    title: 'Readiness Gates configuration (.github/readiness.yml)',
    ...rest,
  };
}

/** The exact text of the committed schema file (2-space JSON and a final newline). */
export function configJsonSchemaText(gates: readonly Gate[]): string {
  return `${JSON.stringify(configJsonSchema(gates), null, 2)}\n`;
}

/** Writes the schema file (creating its folder), e.g. `schema/readiness.schema.json`. */
export async function writeConfigSchema(gates: readonly Gate[], path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, configJsonSchemaText(gates), 'utf8');
}
