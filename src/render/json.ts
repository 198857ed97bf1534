/**
 * The JSON report (`--format json`, the Action's `report` output): the schemaVersion 1 contract of
 * architecture.md, pretty-printed with a stable key order so that diffs between two runs show only what
 * changed, whatever order the engine happened to build its objects in.
 */
import type { ReadinessReport } from '../core/report.js';

/**
 * Key order per object kind: the contract's order first, additive fields after. Keys not listed here (a
 * field added to the report later) are kept, after the listed ones, alphabetically — never dropped.
 */
const ORDER = {
  report: [
    'schemaVersion',
    'tool',
    'base',
    'head',
    'verdict',
    'score',
    'baseScore',
    'gates',
    'findings',
    'errors',
    'stats',
    'resolved',
    'failOn',
    'expired',
    'configPreview',
    'rules',
    'repositoryUrl',
    'incomplete',
  ],
  tool: ['name', 'version'],
  ref: ['ref', 'sha'],
  gate: ['id', 'title', 'status', 'score', 'baseScore', 'counts', 'note', 'coverage'],
  coverage: ['examined', 'notAnalysed'],
  gap: ['subject', 'reason', 'path', 'line'],
  counts: ['blocker', 'warning', 'notice', 'existing', 'suppressed', 'waived'],
  finding: [
    'id',
    'ruleId',
    'messageId',
    'gate',
    'severity',
    'state',
    'path',
    'line',
    'endLine',
    'column',
    'message',
    'fix',
    'related',
    'suppression',
  ],
  related: ['path', 'line', 'message'],
  suppression: ['kind', 'reason', 'by', 'until', 'marker'],
  error: ['path', 'message'],
  stats: ['filesChanged', 'filesAnalyzed', 'durationMs', 'filesCheckedByRules'],
  expired: ['kind', 'rule', 'path', 'until', 'reason'],
  resolved: ['id', 'ruleId', 'gate', 'severity', 'path', 'line', 'message'],
  configPreview: ['changed', 'differences', 'errors'],
  rule: ['id', 'gate', 'severity', 'description', 'docs'],
  incomplete: ['blocking', 'files'],
  unanalysed: ['path', 'reason', 'gates'],
} as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Copies `value` with its keys in `order` (then any others, sorted); undefined values are left out. */
function ordered(
  value: object,
  order: readonly string[],
  child: (key: string, v: unknown) => unknown = (_k, v) => v,
): { [key: string]: unknown } {
  const source = value as Record<string, unknown>;
  const listed = new Set(order);
  const keys = [
    ...order.filter((k) => k in source),
    ...Object.keys(source)
      .filter((k) => !listed.has(k))
      .sort(),
  ];
  const out: { [key: string]: unknown } = {};
  for (const key of keys) {
    const v = source[key];
    if (v !== undefined) out[key] = child(key, v);
  }
  return out;
}

const each = <T>(v: unknown, f: (item: T) => unknown): unknown => (Array.isArray(v) ? v.map((item: T) => f(item)) : v);

/** The report as a plain object in contract key order (what {@link renderJson} serialises). */
export function toContractObject(report: ReadinessReport): Json {
  return ordered(report, ORDER.report, (key, v) => {
    switch (key) {
      case 'tool':
        return ordered(v as object, ORDER.tool);
      case 'base':
      case 'head':
        return ordered(v as object, ORDER.ref);
      case 'gates':
        return each<object>(v, (g) =>
          ordered(g, ORDER.gate, (k, x) =>
            k === 'counts'
              ? ordered(x as object, ORDER.counts)
              : k === 'coverage'
                ? ordered(x as object, ORDER.coverage, (ck, cx) =>
                    ck === 'notAnalysed' ? each<object>(cx, (gap) => ordered(gap, ORDER.gap)) : cx,
                  )
                : x,
          ),
        );
      case 'findings':
        return each<object>(v, (f) =>
          ordered(f, ORDER.finding, (k, x) =>
            k === 'related'
              ? each<object>(x, (r) => ordered(r, ORDER.related))
              : k === 'suppression'
                ? ordered(x as object, ORDER.suppression)
                : x,
          ),
        );
      case 'errors':
        return each<object>(v, (e) => ordered(e, ORDER.error));
      case 'stats':
        return ordered(v as object, ORDER.stats);
      case 'expired':
        return each<object>(v, (e) => ordered(e, ORDER.expired));
      case 'resolved':
        return each<object>(v, (r) => ordered(r, ORDER.resolved));
      case 'configPreview':
        return ordered(v as object, ORDER.configPreview);
      case 'rules':
        return each<object>(v, (r) => ordered(r, ORDER.rule));
      case 'incomplete':
        return ordered(v as object, ORDER.incomplete, (k, x) =>
          k === 'files' ? each<object>(x, (u) => ordered(u, ORDER.unanalysed)) : x,
        );
      default:
        return v;
    }
  }) as Json;
}

/** The JSON report: two-space indented, contract key order, with a trailing newline. */
export function renderJson(report: ReadinessReport): string {
  return `${JSON.stringify(toContractObject(report), null, 2)}\n`;
}
