import type { EngineRule } from '../../../core/types.js';

/**
 * A `readiness-ignore` marker without a reason (or without a rule) suppresses nothing and is reported; so
 * is a peer tool's marker (`squawk-ignore`, `atlas:nolint`) without a reason that would have covered a finding.
 */
export const rule: EngineRule = {
  scope: 'engine',
  meta: {
    id: 'core/suppression-missing-reason',
    gate: 'core',
    severity: 'warning',
    description:
      'A readiness-ignore (or squawk-ignore / atlas:nolint) comment without a reason or without a rule id; it suppresses nothing.',
    messages: {
      missingReason:
        'This readiness-ignore for {{targets}} has no reason, so it suppresses nothing: reviewers need to know why the finding is acceptable.',
      missingTarget: 'This readiness-ignore names no rule or gate, so it suppresses nothing.',
      peerMissingReason:
        "This {{marker}} has no reason, so it does not suppress {{rule}}: a peer tool's marker needs a reason like readiness-ignore does.",
    },
    fixes: {
      missingReason: 'Write the reason after a colon: `readiness-ignore {{targets}}: <why this is safe>`.',
      missingTarget:
        'Name the rule (e.g. `pii/sensitive-field-logged`) or gate (e.g. `pii`), then a colon and the reason.',
      peerMissingReason: 'Write the reason after a colon: `-- {{marker}} {{targets}}: <why this is safe>`.',
    },
  },
};
