import type { RepoRule, RuleContext } from '../../../core/types.js';
import { changedPaths, metricIndexOf, touched } from '../analysis.js';
import type { IndexedMetric, MetricIndex } from '../model.js';
import type { MetricsOptions } from '../options.js';
import { metricIndex } from '../metric-index.js';

/**
 * metrics/never-observed: a metric the pull request declares that nothing ever records. It is exported as
 * a constant zero (or, with labels, not at all), so a dashboard or alert built on it silently shows
 * nothing. A warning: a dead metric misleads, it breaks nothing.
 *
 * Only metrics the pull request adds (a name the base does not have, on lines it added) are judged, so
 * the search is over the files it changes: whatever records a new metric must be new code too. Any other
 * mention of the metric's handle counts as a use (passing it on, storing it, `@REQUEST_TIME.time()`,
 * `.labels()` kept in a variable) except its registration; metrics recorded by a callback (a `collect()`
 * option, Go `New*Func`, OTel observable instruments) are never reported.
 */
export const rule: RepoRule<unknown, MetricsOptions> = {
  scope: 'repo',
  meta: {
    id: 'metrics/never-observed',
    gate: 'metrics',
    severity: 'warning',
    description: 'A metric this pull request declares that nothing records (no inc/observe/set/record/add anywhere).',
    messages: {
      unused:
        '"{{name}}" is declared as `{{handle}}` but nothing records it: no `inc`/`observe`/`set`/`labels`/`record`/`add` on it in this change, and it is not passed or exported anywhere it could be. It will be exported as {{exported}}, so a dashboard or alert built on it shows nothing.',
    },
    fixes: {
      unused:
        'Record it where the event happens (`{{handle}}.inc()`, `.observe(seconds)`, `.labels(…).set(v)`, `.add(1, attrs)`), or remove the declaration until the code that records it lands.',
    },
  },
  check(ctx) {
    // Only metrics the pull request adds; the base has none of them.
    if (ctx.side === 'base') return;
    const changed = changedPaths(ctx);
    const index = metricIndexOf(ctx);
    const baseNames = new Set(ctx.otherIndex(metricIndex).metrics.map(nameOf));
    for (const def of index.metrics) {
      if (!changed.has(def.loc.path) || !touched(ctx, def.loc)) continue;
      const name = nameOf(def);
      if (name === undefined || baseNames.has(name)) continue;
      if (recordedByCallback(ctx, def)) continue;
      const handle = handleOf(ctx, def);
      if (handle === undefined) continue;
      if (used(ctx, index, changed, def, handle, name)) continue;
      ctx.report({
        messageId: 'unused',
        data: {
          name,
          handle,
          exported:
            def.library === 'opentelemetry'
              ? 'nothing (no data point)'
              : def.labels?.length
                ? 'no series at all'
                : 'a constant zero',
        },
        path: def.loc.path,
        line: def.loc.line,
        endLine: def.loc.endLine,
        key: `unused:${name}`,
      });
    }
  },
};

function nameOf(def: IndexedMetric): string | undefined {
  if (def.name.kind !== 'static') return undefined;
  return def.fullName ?? def.name.value;
}

/** Collect callbacks, Go `NewGaugeFunc`/`NewCounterFunc`, OTel observable instruments: recorded by the library. */
function recordedByCallback(ctx: RuleContext, def: IndexedMetric): boolean {
  if (def.otelKind?.startsWith('observable')) return true;
  if (/Func$/.test(def.ctor)) return true;
  const text = definitionText(ctx, def);
  return /\b(collect|set_function|callbacks?)\b/.test(text);
}

function definitionText(ctx: RuleContext, def: IndexedMetric): string {
  const file = ctx.snapshot.file(def.loc.path);
  if (!file) return '';
  const out: string[] = [];
  for (let l = def.loc.line; l <= def.loc.endLine; l++) out.push(file.lineText(l));
  return out.join('\n');
}

/**
 * The name the new metric object is stored under, from the text before its constructor on the first line:
 * `const x = new Counter(`, `x: Counter<string> = new …`, `self.x = Counter(`, `x = promauto.NewCounter(`,
 * `x: meter.createHistogram(`. Undefined when it is returned, passed or built on another line (not judged).
 */
function handleOf(ctx: RuleContext, def: IndexedMetric): string | undefined {
  const line = ctx.snapshot.file(def.loc.path)?.lineText(def.loc.line);
  if (!line) return undefined;
  const column = Number(def.id.split(':').pop());
  const prefix = Number.isFinite(column) ? line.slice(0, column) : '';
  const m = /([A-Za-z_$][\w$]*)\s*(?::\s*[^=]+?)?\s*(=|:=|:)\s*(?:await\s+)?$/.exec(prefix);
  if (!m || /^(return|yield|export|const|let|var)$/.test(m[1]!)) return undefined;
  // A JS object-literal property (`{ retries: new Counter(…) }`) is often read by a computed key
  // (`counters[kind].inc()`), which no text search sees: not judged.
  if (m[2] === ':' && def.lang === 'js') return undefined;
  return m[1];
}

/** Whether the handle (or the metric's name) appears anywhere in the changed files besides its declaration and registrations. */
function used(
  ctx: RuleContext,
  index: MetricIndex,
  changed: Set<string>,
  def: IndexedMetric,
  handle: string,
  name: string,
): boolean {
  const skip = new Map<string, Set<number>>();
  const skipLine = (path: string, line: number) => {
    if (!skip.has(path)) skip.set(path, new Set());
    skip.get(path)!.add(line);
  };
  for (let l = def.loc.line; l <= def.loc.endLine; l++) skipLine(def.loc.path, l);
  for (const r of index.registrations) if (r.defId === def.id) skipLine(r.loc.path, r.loc.line);
  const word = new RegExp(`(?<![\\w$])${handle.replace(/\$/g, '\\$')}(?![\\w$])`);
  const quoted = new RegExp(`["'\`]${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["'\`]`);
  for (const path of changed) {
    const file = ctx.snapshot.file(path);
    if (!file) continue;
    if (!word.test(file.text) && !quoted.test(file.text)) continue;
    const lines = file.lines();
    const skipped = skip.get(path);
    for (let i = 0; i < lines.length; i++) {
      if (skipped?.has(i + 1)) continue;
      if (word.test(lines[i]!) || quoted.test(lines[i]!)) return true;
    }
  }
  return false;
}
