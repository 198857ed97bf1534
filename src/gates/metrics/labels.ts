/**
 * Which label names and label values make a metric's cardinality unbounded or put personal data into
 * the time-series database (catalogue §2.4).
 *
 * Personal and secret data is judged by the PII gate's classifier (src/gates/pii/sensitive.ts), so a
 * label named like a credential, token, payment or government id is a blocker here exactly when logging
 * it is one there. This file adds what matters only for metrics: entity and request ids, raw URLs and
 * free text, which are harmless in a log line but unbounded as a label. Matching is on normalised tokens
 * (`userId`, `user_id` → "user id"), never on substrings, so `status`, `method`, `route` and `le` never match.
 */
import { classifierFor, type SensitiveCategory } from '../pii/sensitive.js';

/** How a label hurts: personal/secret data persisted for the TSDB retention (PII), or cardinality only. */
export interface LabelRisk {
  category: SensitiveCategory | 'entity-id' | 'request-id' | 'raw-url' | 'free-text' | 'device';
  /** The personal categories the PII gate blocks on are blockers here too; the rest are warnings. */
  severity: 'blocker' | 'warning';
  /** A short description for messages: "a user id", "an email address". */
  what: string;
}

/** `userId`, `user_id`, `X-Forwarded-For`, `client.ip` → "user id", "x forwarded for", "client ip". */
export function normalise(identifier: string): string {
  return identifier
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .trim()
    .toLowerCase();
}

interface Pattern {
  risk: LabelRisk;
  include: RegExp;
  exclude?: RegExp;
}

// Metrics-only categories, tried after the PII classifier; ordered, the first match wins.
const PATTERNS: readonly Pattern[] = [
  {
    risk: { category: 'device', severity: 'warning', what: 'a device or client fingerprint (user agent, device id)' },
    include: /\b(user agent|ua|device id|device fingerprint|browser fingerprint)\b/,
  },
  {
    risk: { category: 'request-id', severity: 'warning', what: 'a request/trace id (a new series per request)' },
    include:
      /\b(request id|req id|trace id|span id|correlation id|transaction id|idempotency key|message id|uuid|guid)\b/,
  },
  {
    risk: { category: 'entity-id', severity: 'warning', what: 'an entity id (a new series per user/order/…)' },
    include:
      /\b((user|customer|account|member|order|cart|invoice|payment|session|device|job|task|document|file|product|item|sku|tenant|org|organization|subscription|ticket|message|event|client|player|visitor) id|uid|userid|sku|id|user|customer)\b/,
    exclude:
      /\b(user (type|role|tier|plan|kind|agent)|customer (type|tier|segment|plan)|client (type|name|version)|event (type|name))\b/,
  },
  {
    risk: { category: 'raw-url', severity: 'warning', what: 'a raw URL or path' },
    include: /\b(url|uri|full url|raw url|raw path|href|query( string)?|querystring|original url)\b/,
  },
  {
    risk: { category: 'free-text', severity: 'warning', what: 'free text (error messages, stack traces)' },
    include: /\b(error message|err message|message|msg|stack|stack trace|exception message|description|comment)\b/,
  },
];

/** The risk of a label named `name`, or undefined when the name says nothing alarming. */
export function classifyLabelName(
  name: string,
  extra: readonly string[] = [],
  allow: readonly string[] = [],
): LabelRisk | undefined {
  if (allow.includes(name)) return undefined;
  if (extra.includes(name))
    return { category: 'entity-id', severity: 'warning', what: 'a value your configuration marks as unbounded' };
  const pii = classifierFor().classify(name);
  if (pii) return { category: pii.category, severity: pii.severity, what: `personal or secret data (${pii.label})` };
  const n = normalise(name);
  for (const p of PATTERNS) {
    if (p.include.test(n) && !(p.exclude?.test(n) ?? false)) return p.risk;
  }
  return undefined;
}

/**
 * True when a variable name looks like it holds one entity's identity (`customerId`, `email`, `tenant`),
 * so a metric name built from it makes one series family per entity.
 */
export function isEntityLike(identifier: string): boolean {
  const risk = classifyLabelName(identifier);
  if (risk && risk.category !== 'free-text') return true;
  return /\b(tenant|customer|user|account|org|shop|store|merchant|host|hostname|domain|path|url)\b/.test(
    normalise(identifier),
  );
}
