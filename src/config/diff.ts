/**
 * What a pull request's edit to the config would change, in lines a reviewer reads in the PR preview:
 * `fail-on: blocker → never`, `rules.migrations/drop-column: blocker → off`,
 * `exceptions: +1 (pii/sensitive-field-logged src/legacy/** until 2027-03-31)`.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Gate, Rule } from '../core/types.js';
import type { ExceptionEntry, ReadinessConfig } from './types.js';
import { formatKeyPath, type PathSegment } from './key-path.js';
import { isPlainObject, optionDefaults } from './strict.js';

/** A value the way the YAML would show it, on one line. */
function render(value: unknown): string {
  if (value === undefined) return '(unset)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(render).join(', ')}]`;
  if (isPlainObject(value)) {
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${render(v)}`)
      .join(', ')} }`;
  }
  return String(value);
}

/** Leaf-by-leaf differences of two option values; lists are compared whole. */
function diffValues(path: PathSegment[], before: unknown, after: unknown, out: string[]): void {
  if (isDeepStrictEqual(before, after)) return;
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) diffValues([...path, key], before[key], after[key], out);
    return;
  }
  out.push(`${formatKeyPath(path)}: ${render(before)} → ${render(after)}`);
}

function counted(sign: '+' | '-', items: readonly string[]): string {
  return `${sign}${items.length} (${items.join('; ')})`;
}

function listChange(label: string, before: readonly string[], after: readonly string[], out: string[]): void {
  const added = after.filter((item) => !before.includes(item));
  const removed = before.filter((item) => !after.includes(item));
  if (added.length > 0) out.push(`${label}: ${counted('+', added)}`);
  if (removed.length > 0) out.push(`${label}: ${counted('-', removed)}`);
}

function describeException(entry: ExceptionEntry): string {
  return `${entry.rule} ${entry.path}${entry.until ? ` until ${entry.until}` : ''}`;
}

function diffExceptions(before: readonly ExceptionEntry[], after: readonly ExceptionEntry[], out: string[]): void {
  // An exception is identified by what it covers; a new date or reason is a change, not a swap.
  const id = (e: ExceptionEntry) => `${e.rule}\u0000${e.path}`;
  const beforeById = new Map(before.map((e) => [id(e), e]));
  const afterById = new Map(after.map((e) => [id(e), e]));
  const added = after.filter((e) => !beforeById.has(id(e))).map(describeException);
  const removed = before.filter((e) => !afterById.has(id(e))).map(describeException);
  if (added.length > 0) out.push(`exceptions: ${counted('+', added)}`);
  if (removed.length > 0) out.push(`exceptions: ${counted('-', removed)}`);
  for (const entry of after) {
    const previous = beforeById.get(id(entry));
    if (!previous) continue;
    const label = `exceptions: ${entry.rule} ${entry.path}`;
    if (previous.until !== entry.until)
      out.push(`${label}: until ${previous.until ?? '(no end)'} → ${entry.until ?? '(no end)'}`);
    if (previous.reason !== entry.reason) out.push(`${label}: reason "${previous.reason}" → "${entry.reason}"`);
  }
}

/**
 * Human-readable differences from `base` to `head`, in file order (top-level keys, then gates, rules,
 * waivers, exceptions). Keys are written as in the YAML. Pass the `gates` to show a rule's default
 * severity and options where one side leaves them unset (otherwise they read `default`).
 */
export function diffConfigs(base: ReadinessConfig, head: ReadinessConfig, gates?: readonly Gate[]): string[] {
  const out: string[] = [];
  const scalar = (key: string, before: unknown, after: unknown) => {
    if (before !== after) out.push(`${key}: ${render(before)} → ${render(after)}`);
  };
  scalar('fail-on', base.failOn, head.failOn);
  scalar('baseline', base.baseline, head.baseline);
  scalar('on-error', base.onError, head.onError);
  scalar('max-file-bytes', base.maxFileBytes, head.maxFileBytes);
  listChange('paths.exclude', base.paths.exclude, head.paths.exclude, out);

  const serviceText = (s: { name: string; root: string }) => `${s.name} at ${s.root === '' ? '(root)' : s.root}`;
  listChange('services', base.services.map(serviceText), head.services.map(serviceText), out);

  const gateIds = [...new Set([...Object.keys(base.gates), ...Object.keys(head.gates)])].sort();
  for (const id of gateIds) {
    const before = base.gates[id as keyof ReadinessConfig['gates']];
    const after = head.gates[id as keyof ReadinessConfig['gates']];
    scalar(`gates.${id}.enabled`, before?.enabled ?? true, after?.enabled ?? true);
    diffValues(['gates', id], before?.options, after?.options, out);
  }

  const rulesById = new Map<string, Rule>();
  for (const gate of gates ?? []) for (const rule of gate.rules) rulesById.set(rule.meta.id, rule);
  const ruleIds = [...new Set([...Object.keys(base.rules), ...Object.keys(head.rules)])].sort();
  for (const id of ruleIds) {
    const rule = rulesById.get(id);
    const fallback = rule?.meta.severity ?? 'default';
    scalar(`rules.${id}`, base.rules[id]?.severity ?? fallback, head.rules[id]?.severity ?? fallback);
    // Unset options mean the rule's defaults; without the rule at hand they cannot be compared.
    const defaults = rule ? optionDefaults(rule.options) : undefined;
    const before = base.rules[id]?.options ?? defaults;
    const after = head.rules[id]?.options ?? defaults;
    if (before !== undefined && after !== undefined) diffValues(['rules', id, 'options'], before, after, out);
  }

  scalar('waivers.min-permission', base.waivers.minPermission, head.waivers.minPermission);
  scalar('waivers.codeowners', base.waivers.codeowners, head.waivers.codeowners);
  scalar('waivers.allow-author', base.waivers.allowAuthor, head.waivers.allowAuthor);
  scalar('waivers.max-days', base.waivers.maxDays, head.waivers.maxDays);
  scalar('suppressions.new-blockers', base.suppressions.newBlockers, head.suppressions.newBlockers);

  diffExceptions(base.exceptions, head.exceptions, out);
  return out;
}
