import type { FileRule } from '../../../core/types.js';
import type { PiiOptions } from '../options.js';
import type { SinkPredicate } from '../analyse.js';
import { baseData, reportSinks, SINK_PREFILTER, sinkHits, SOURCE_FILES } from '../report.js';
import type { SensitiveCategory } from '../sensitive.js';

/** What to log instead, per category. */
const INSTEAD: Partial<Record<SensitiveCategory, string>> = {
  contact: "the person's opaque id (`user.id`) or a masked form (`j***@example.com`)",
  identity: "the person's opaque id (`user.id`)",
  network: 'a truncated address (the /24 network) or nothing',
  custom: "the record's opaque id",
};

/** Reports a named value whose name says it is personal data (a warning term: contact, identity, network). */
export const claim: SinkPredicate = ({ source }) =>
  source.kind === 'field' && source.weak === undefined && source.match.severity === 'warning' ? {} : undefined;

/**
 * pii/personal-data-logged: contact, identity or network data (email, phone, postal address, names,
 * date of birth, IP address) reaches a log call, stdout or the error tracker.
 */
export const rule: FileRule<unknown, PiiOptions> = {
  scope: 'file',
  files: SOURCE_FILES,
  prefilter: SINK_PREFILTER,
  facts: [sinkHits],
  meta: {
    id: 'pii/personal-data-logged',
    gate: 'pii',
    severity: 'warning',
    description:
      'An email, phone number, postal address, name, date of birth or IP address reaches a log call or the error tracker.',
    messages: {
      personal:
        '`{{sink}}` {{verb}} the {{label}} from `{{value}}`{{via}} {{where}}. It is personal data: everyone with access to {{store}} can read it, and every copy becomes subject to access and deletion requests.',
    },
    fixes: {
      personal: 'Log {{instead}}. If a project helper already masks it, list the helper under `gates.pii.redactors`.',
    },
  },
  check(file, _change, ctx) {
    reportSinks(claim, file, ctx, (f) => {
      const match = f.source.kind === 'field' ? f.source.match : undefined;
      return {
        messageId: 'personal',
        data: {
          ...baseData(f),
          label: match?.label ?? 'value',
          instead: (match && INSTEAD[match.category]) ?? "the record's opaque id",
        },
      };
    });
  },
};
