import type { FileRule } from '../../../core/types.js';
import type { PiiOptions } from '../options.js';
import type { SinkPredicate } from '../analyse.js';
import { baseData, reportSinks, SINK_PREFILTER, sinkHits, SOURCE_FILES } from '../report.js';
import { CATEGORY_LABEL } from '../sensitive.js';

const REGULATED = new Set(['payment', 'government-id', 'health']);

/**
 * Reports a named value whose name says it is a secret or regulated data (a blocker term), and the id of
 * a session record (a warning: it is the session cookie in some stores and a database key in others).
 */
export const claim: SinkPredicate = ({ source }) => {
  if (source.kind !== 'field') return undefined;
  if (source.weak === 'session-record-id') return { severity: 'warning' };
  return source.match.severity === 'blocker' ? {} : undefined;
};

/**
 * pii/sensitive-field-logged: a credential, token, connection string, payment datum, government id or
 * health datum reaches a log call, stdout or the error tracker — directly, through a local variable,
 * destructuring, a template string or concatenation, or as a merge-object field.
 */
export const rule: FileRule<unknown, PiiOptions> = {
  scope: 'file',
  files: SOURCE_FILES,
  prefilter: SINK_PREFILTER,
  facts: [sinkHits],
  meta: {
    id: 'pii/sensitive-field-logged',
    gate: 'pii',
    severity: 'blocker',
    description:
      'A password, token, API key, cookie, card number, government id or health datum reaches a log call or the error tracker.',
    messages: {
      secret:
        '`{{sink}}` {{verb}} the {{label}} from `{{value}}`{{via}} {{where}}. Anyone who can read {{store}} can reuse it to act as the user or the service, and it stays in every copy until the copies expire.',
      regulated:
        '`{{sink}}` {{verb}} the {{label}} from `{{value}}`{{via}} {{where}}. Logs and error trackers are no place for {{category}}: it must not be stored in plain text (PCI DSS, GDPR), and the copies cannot be purged when a customer asks.',
      sessionRecord:
        '`{{sink}}` {{verb}} `{{value}}`{{via}}, the id of a session, {{where}}. Where the session id is also the session cookie (Lucia, many session stores), anyone who can read {{store}} can take the session over; where it is only a database key, it is harmless.',
    },
    fixes: {
      sessionRecord:
        'If this id is what the session cookie carries, log a hash of it or the user id instead. If it is only a database key, suppress this with the reason.',
      secret:
        'Drop it from the call. If you need a trace of it, log a non-secret stand-in: whether it is set (`Boolean(…)`), its last 4 characters, or a hash. If a project helper already masks it, list the helper under `gates.pii.redactors`.',
      regulated:
        'Drop it from the call and log an opaque reference instead (the record id, or the last 4 digits of a card number).',
    },
  },
  check(file, _change, ctx) {
    reportSinks(claim, file, ctx, (f) => {
      const match = f.source.kind === 'field' ? f.source.match : undefined;
      if (f.source.kind === 'field' && f.source.weak === 'session-record-id')
        return { messageId: 'sessionRecord', data: baseData(f) };
      const regulated = match !== undefined && REGULATED.has(match.category);
      return {
        messageId: regulated ? 'regulated' : 'secret',
        data: {
          ...baseData(f),
          label: match?.label ?? 'value',
          category: match ? CATEGORY_LABEL[match.category] : 'sensitive data',
        },
      };
    });
  },
};
