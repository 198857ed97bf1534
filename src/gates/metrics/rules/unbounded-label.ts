import type { RepoRule, RuleContext, Severity } from '../../../core/types.js';
import { changedPaths, metricIndexOf, related, touched } from '../analysis.js';
import { classifyLabelName, normalise } from '../labels.js';
import type { IndexedLabelUse, IndexedMetric, MetricIndex } from '../model.js';
import type { MetricsOptions } from '../options.js';

/**
 * metrics/unbounded-label: labels whose name or recorded value is unbounded (ids, raw URLs, error
 * messages) or personal (emails, IPs, tokens). Every distinct value is a new time series kept for the
 * whole retention; personal data in the TSDB is hard to delete. A blocker only with evidence: a value
 * taken from the request being served. Labels whose values all come from a fixed set, and labels the
 * registry's untouched metrics already carry, are not reported.
 */
export const rule: RepoRule<unknown, MetricsOptions> = {
  scope: 'repo',
  meta: {
    id: 'metrics/unbounded-label',
    gate: 'metrics',
    severity: 'warning',
    description:
      'Metric labels whose name or value is unbounded (user/request ids, raw URL paths, error messages) or personal (email, IP, session, token).',
    messages: {
      labelName:
        'Label "{{label}}" of "{{name}}" looks like {{what}}: every distinct value becomes a separate time series, kept for the whole retention{{pii}}.{{extra}}',
      labelValue:
        'The value recorded for label {{label}} of "{{name}}" is {{source}} (`{{value}}`): every distinct value becomes a separate time series, kept for the whole retention{{pii}}.',
    },
    fixes: {
      labelName:
        'Drop the label, or replace it with a bounded dimension (a tier, a plan, a status class). Per-entity detail belongs in logs or traces, not in metric labels. If the values really are few, list the label under `gates.metrics.allow-labels`.',
      labelValue:
        'Record a bounded value: the route template (`req.route?.path`, `request.routeOptions.url`, `request.scope["route"].path`, `c.FullPath()`), a status class, an error type or code instead of the message.',
    },
  },
  check(ctx) {
    const changed = changedPaths(ctx);
    const index = metricIndexOf(ctx);
    const opts = ctx.gateOptions ?? { 'allow-labels': [], 'unbounded-labels': [] };
    const allow = opts['allow-labels'] ?? [];
    const extra = opts['unbounded-labels'] ?? [];
    const usesOf = new Map<string, IndexedLabelUse[]>();
    for (const use of index.labelUses) {
      if (!use.defId) continue;
      const def = index.byId.get(use.defId);
      const label = use.label ?? def?.labels?.[use.position ?? -1];
      if (label === undefined) continue;
      const key = `${use.defId}\u0000${label}`;
      usesOf.set(key, [...(usesOf.get(key) ?? []), use]);
    }
    for (const def of index.metrics) {
      if (!changed.has(def.loc.path)) continue;
      const risky = (def.labels ?? [])
        .map((label) => ({ label, risk: classifyLabelName(label, extra, allow) }))
        .filter((r) => r.risk !== undefined)
        // Every value recorded for it comes from a fixed set (literals, an enum, a literal-union type).
        .filter((r) => !allBounded(usesOf.get(`${def.id}\u0000${r.label}`)))
        // Metrics of the same registry that this PR leaves alone already carry it: the project's vocabulary.
        .filter((r) => !acceptedVocabulary(ctx, index, changed, def, r.label));
      if (risky.length === 0) continue;
      const worst = risky.find((r) => r.risk!.severity === 'blocker') ?? risky[0]!;
      const others = risky.filter((r) => r !== worst).map((r) => `"${r.label}"`);
      ctx.report({
        messageId: 'labelName',
        data: {
          label: worst.label,
          name: def.fullName ?? def.nameText,
          what: worst.risk!.what,
          pii: piiNote(worst.risk!.severity, worst.risk!.category),
          extra: others.length ? ` Also unbounded: ${others.join(', ')}.` : '',
        },
        path: def.loc.path,
        line: def.loc.line,
        endLine: def.loc.endLine,
        // A name is not evidence of what is recorded: a value taken from the request is (reported below).
        severity: 'warning',
        key: `label:${def.fullName ?? def.nameText}:${worst.label}`,
      });
    }
    for (const use of index.labelUses) {
      if (!changed.has(use.loc.path) || !use.defId || use.bounded || !use.source) continue;
      const def = index.byId.get(use.defId);
      if (!def) continue;
      const label = use.label ?? def.labels?.[use.position ?? -1];
      if (label !== undefined && allow.includes(label)) continue;
      const secret = valueIsSecret(use.valueText);
      // Evidence a reviewer accepts: the value comes straight from the request being served. A name that
      // merely looks like an id (unknown provenance) is a warning.
      const severity: Severity = use.request ? 'blocker' : 'warning';
      ctx.report({
        messageId: 'labelValue',
        data: {
          label: label !== undefined ? `"${label}"` : `#${(use.position ?? 0) + 1}`,
          name: def.fullName ?? def.nameText,
          source: use.source,
          value: use.valueText.length > 60 ? `${use.valueText.slice(0, 57)}…` : use.valueText,
          pii: secret
            ? piiNote('blocker', 'token')
            : /IP address|User-Agent|signed-in user/.test(use.source)
              ? piiNote('warning', 'network')
              : '',
        },
        path: use.loc.path,
        line: use.loc.line,
        severity,
        related: [related(def.loc, `"${def.fullName ?? def.nameText}" is defined here`)],
        key: `value:${def.fullName ?? def.nameText}:${label ?? use.position}`,
      });
    }
  },
};

function allBounded(uses: readonly IndexedLabelUse[] | undefined): boolean {
  return uses !== undefined && uses.length > 0 && uses.every((u) => u.bounded === true);
}

/** Registries a metric enters, as comparable keys ('' when they are not known). */
function registryKeys(def: IndexedMetric): Set<string> {
  if (def.library === 'opentelemetry') return new Set([`otel:${def.meter ?? ''}`]);
  return new Set(
    def.resolvedRegistries.map((r) =>
      r.kind === 'known' ? r.key : r.kind === 'unknown' ? `unknown:${r.label}` : r.kind,
    ),
  );
}

/**
 * Whether a metric of the same service, library and registry, whose definition the pull request leaves
 * alone (in an untouched file, or on lines it did not change), already carries `label`: the repository
 * accepted that dimension before this change.
 */
function acceptedVocabulary(
  ctx: RuleContext,
  index: MetricIndex,
  changed: Set<string>,
  def: IndexedMetric,
  label: string,
): boolean {
  const mine = registryKeys(def);
  return index.metrics.some((other) => {
    if (other === def || other.service !== def.service) return false;
    if (changed.has(other.loc.path) && touched(ctx, other.loc)) return false;
    if (other.library !== def.library || !(other.labels ?? []).includes(label)) return false;
    const theirs = registryKeys(other);
    return mine.size === 0 || theirs.size === 0 || [...theirs].some((k) => mine.has(k));
  });
}

function piiNote(severity: 'blocker' | 'warning', category: string): string {
  if (severity === 'blocker')
    return ', and it would store secrets or regulated personal data in the metrics database, where it is readable by everyone with dashboard access and cannot be deleted selectively';
  if (category === 'contact' || category === 'identity' || category === 'network')
    return ', and it puts personal data into the metrics database, which is hard to delete on request';
  return '';
}

/** A value that carries a secret (an auth header, a token, a session id), as the PII gate judges names. */
function valueIsSecret(valueText: string): boolean {
  const last =
    valueText
      .split(/[.[\]'"()]+/)
      .filter(Boolean)
      .pop() ?? '';
  const risk = classifyLabelName(last) ?? classifyLabelName(normalise(valueText).split(' ').slice(-2).join(' '));
  return risk?.severity === 'blocker';
}
