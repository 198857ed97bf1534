import type { EngineRule } from '../../../core/types.js';

/** A suppression that matches no finding is stale (the code was fixed or moved) or names the wrong rule. */
export const rule: EngineRule = {
  scope: 'engine',
  meta: {
    id: 'core/unused-suppression',
    gate: 'core',
    severity: 'warning',
    description: 'A readiness-ignore comment that suppresses nothing (stale, misplaced or naming an unknown rule).',
    messages: {
      unused:
        'This readiness-ignore for {{targets}} suppresses nothing on line {{line}}: it is stale or misplaced, and would silently hide a future finding there.',
      unknownTarget:
        'This readiness-ignore names {{targets}}, which is no rule or gate of Readiness Gates, so it suppresses nothing.',
    },
    fixes: {
      unused: 'Remove the comment, or move it to the line just above the reported code.',
      unknownTarget: 'Use an id from `readiness-gates rules` (e.g. `migrations/drop-column`) or a gate name.',
    },
  },
};
