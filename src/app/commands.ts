/**
 * What to do about the `/readiness` lines of one comment. Waive and unwaive are decided during the
 * evaluation (authority depends on the finding's path and the base branch's policy), so they only ask
 * for one and are answered afterwards; `recheck` asks for one and is acknowledged at once; `help` and
 * `explain` are answered at once and evaluate nothing. Pure: the handler performs the plan.
 */
import { closest } from 'fastest-levenshtein';
import { COMMAND_USAGE, WAIVER_LINE, type ParsedCommand, type ReactionContent } from '../github/index.js';
import { ruleDocs } from '../gates/docs.js';
import { allRules } from '../gates/index.js';
import { COMMENT_MAX_CHARS } from '../render/index.js';

/** The plan for one comment. */
export interface CommandPlan {
  /** Start an evaluation of the PR's current head. */
  evaluate: boolean;
  /** Answer this comment's waive/unwaive lines after the evaluation decided them. */
  answerAfterEvaluation: boolean;
  /** Reactions to add now. */
  reactions: ReactionContent[];
  /** Replies to post now (markdown). */
  replies: string[];
}

/** The `help` answer. */
export function helpText(): string {
  return [
    '**Readiness Gates commands** (one per line, in a pull request comment):',
    '',
    `- \`${COMMAND_USAGE.waive}\` — accept a finding for now; the reason is shown in the scorecard. Without \`--until\` the waiver ends after the base branch's \`waivers.max-days\` (default 90).`,
    `- \`${COMMAND_USAGE.unwaive}\` — withdraw a waiver (or an approval).`,
    `- \`${COMMAND_USAGE.approve}\` — accept a suppression comment (\`readiness-ignore\`, \`squawk-ignore\`, \`atlas:nolint\`) that this pull request added: until then the finding it covers still blocks.`,
    `- \`${COMMAND_USAGE.recheck}\` — evaluate the pull request again.`,
    `- \`${COMMAND_USAGE.explain}\` — why a rule exists and how to fix its findings.`,
    `- \`${COMMAND_USAGE.help}\` — this message.`,
    '',
    "Who may waive or approve is the base branch's policy (`waivers:` in `.github/readiness.yml`): by default people with `maintain` permission or code owners of the finding's path, never the pull request's author. Finding ids are shown next to each finding in the scorecard.",
  ].join('\n');
}

function explainText(ruleId: string): { ok: boolean; text: string } {
  const docs = ruleDocs(ruleId);
  if (docs) {
    const clipped = docs.length > COMMENT_MAX_CHARS - 200 ? `${docs.slice(0, COMMENT_MAX_CHARS - 300)}\n\n…` : docs;
    return { ok: true, text: clipped };
  }
  const ids = allRules().map((r) => r.meta.id);
  const guess = ids.length > 0 ? closest(ruleId, ids) : undefined;
  return {
    ok: false,
    text: `There is no rule \`${ruleId}\`.${guess ? ` Did you mean \`${guess}\`?` : ''} The scorecard links each finding's rule.`,
  };
}

/** Plans the answer to the commands of one comment (from `parseCommand`). Empty input: nothing to do. */
export function planCommands(commands: readonly ParsedCommand[]): CommandPlan {
  const plan: CommandPlan = { evaluate: false, answerAfterEvaluation: false, reactions: [], replies: [] };
  const react = (content: ReactionContent) => {
    if (!plan.reactions.includes(content)) plan.reactions.push(content);
  };
  for (const c of commands) {
    switch (c.kind) {
      case 'waive':
      case 'unwaive':
      case 'approve':
        plan.evaluate = true;
        plan.answerAfterEvaluation = true;
        break;
      case 'recheck':
        plan.evaluate = true;
        react('+1');
        break;
      case 'help':
        react('+1');
        plan.replies.push(helpText());
        break;
      case 'explain': {
        const { ok, text } = explainText(c.ruleId);
        react(ok ? '+1' : '-1');
        plan.replies.push(text);
        break;
      }
      case 'error':
        // Malformed waive/unwaive/approve lines are refused by the waiver decision, with the same message.
        if (WAIVER_LINE.test(c.text)) {
          plan.evaluate = true;
          plan.answerAfterEvaluation = true;
        } else {
          react('-1');
          plan.replies.push(c.message);
        }
        break;
    }
  }
  return plan;
}
