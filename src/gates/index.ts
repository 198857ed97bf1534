/**
 * The registry: every gate, sorted by id, with the engine's own `core` gate last. A test checks it
 * against the folders under src/gates/, the rule docs and the fixtures; `npm run new-rule` edits the
 * gate files, not this one.
 */
import type { Gate, Rule } from '../core/types.js';
import { coreGate } from './core/index.js';
import { healthGate } from './health/index.js';
import { metricsGate } from './metrics/index.js';
import { migrationsGate } from './migrations/index.js';
import { piiGate } from './pii/index.js';

export const GATES: readonly Gate[] = [healthGate, metricsGate, migrationsGate, piiGate, coreGate];

/** Every rule of every gate, sorted by id. */
export function allRules(gates: readonly Gate[] = GATES): Rule[] {
  return gates.flatMap((g) => g.rules).sort((a, b) => (a.meta.id < b.meta.id ? -1 : a.meta.id > b.meta.id ? 1 : 0));
}

export function findRule(id: string, gates: readonly Gate[] = GATES): Rule | undefined {
  return allRules(gates).find((r) => r.meta.id === id);
}
