/**
 * Small stand-in gates for the config tests: one with options (nested, with defaults), one rule with
 * options, and a gate without options. Real gates are registered elsewhere; the config must work from
 * whatever list it is given.
 */
import { z } from 'zod';
import type { Gate, Rule, RuleMeta } from '../../src/core/types.js';

function meta(id: string, gate: RuleMeta['gate'], severity: RuleMeta['severity'], description: string): RuleMeta {
  return { id, gate, severity, description, messages: { default: 'x' }, fixes: { default: 'y' } };
}

function repoRule(m: RuleMeta, options?: z.ZodType): Rule {
  return { meta: m, scope: 'repo', ...(options ? { options } : {}), check: () => {} };
}

export const dropColumn = repoRule(
  meta('migrations/drop-column', 'migrations', 'blocker', 'Dropping a column breaks old instances.'),
);
export const addIndex = repoRule(
  meta(
    'migrations/add-index-non-concurrent',
    'migrations',
    'blocker',
    'CREATE INDEX without CONCURRENTLY locks writes.',
  ),
  z.object({
    'min-rows': z.number().int().min(0).default(10_000).describe('Tables smaller than this are ignored.'),
    tables: z.array(z.string()).default([]).describe('Only these tables (empty: all).'),
  }),
);
export const sensitiveField = repoRule(
  meta('pii/sensitive-field-logged', 'pii', 'blocker', 'A sensitive field reaches a log call.'),
);
export const unredacted = repoRule(
  meta('pii/unredacted-request-log', 'pii', 'warning', 'Request logger without redaction.'),
);

export const migrationsGate: Gate = {
  id: 'migrations',
  title: 'Migrations',
  description: 'Schema changes that are safe to deploy.',
  options: z
    .object({
      'postgres-version': z.number().int().min(9).default(16).describe('Postgres major version the migrations run on.'),
      dirs: z.array(z.string()).optional().describe('Migration folders, when not detected.'),
    })
    .default({ 'postgres-version': 16 }),
  applies: async () => true,
  rules: [addIndex, dropColumn],
};

export const piiGate: Gate = {
  id: 'pii',
  title: 'PII',
  description: 'Personal data never reaches logs unredacted.',
  options: z.object({
    'sensitive-fields': z.array(z.string()).default(['email', 'ssn']).describe('Field names treated as personal data.'),
    'allow-fields': z.array(z.string()).default([]).describe('Field names never treated as personal data.'),
    redactors: z
      .array(z.union([z.string().min(1), z.object({ name: z.string(), module: z.string() })]))
      .default([])
      .describe('Functions that redact a value: a name, or { name, module }.'),
    logger: z
      .object({ name: z.string().default('logger').describe('Logger variable name.') })
      .prefault({})
      .describe('How the logger is called.'),
  }),
  applies: async () => true,
  rules: [sensitiveField, unredacted],
};

export const healthGate: Gate = {
  id: 'health',
  title: 'Health',
  description: 'Probes that tell the orchestrator the truth.',
  applies: async () => true,
  rules: [],
};

export const FAKE_GATES: readonly Gate[] = [healthGate, migrationsGate, piiGate];
