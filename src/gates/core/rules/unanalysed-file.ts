import type { EngineRule } from '../../../core/types.js';

/**
 * A changed file that a gate reads but the engine could not analyse: too large, over the download or
 * analysis budget, past GitHub's file listing, or a file a rule crashed on. Nothing in it was
 * checked, so the report is incomplete; by default that blocks (`on-unanalysed: block`).
 */
export const rule: EngineRule = {
  scope: 'engine',
  meta: {
    id: 'core/unanalysed-file',
    gate: 'core',
    severity: 'blocker',
    description: 'A changed file in a gate’s scope that could not be analysed: the report is incomplete.',
    messages: {
      unanalysed:
        'This file was not analysed ({{reason}}), so {{gates}} cannot vouch for it: the report is incomplete.',
      unlisted: 'Some changed files were not analysed ({{reason}}), so the report is incomplete.',
    },
    fixes: {
      default:
        'Make the file analysable ({{fix}}), or have someone allowed to waive findings waive this one. A repository that accepts the gap can set `on-unanalysed: warn` in the base branch’s config.',
      unlisted:
        'Split the pull request, or have someone allowed to waive findings waive this one. A repository that accepts the gap can set `on-unanalysed: warn` in the base branch’s config.',
    },
  },
};
