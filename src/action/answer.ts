/**
 * The answer to a `/readiness` comment: 👍 when every command in it was applied, 👎 with a reply saying why
 * when one was not, and a reply for `help` and `explain`. Pure: the decision about waivers is made in
 * src/github/waivers.ts from all comments; this only reads what it says about the one being answered.
 */
import { COMMAND_USAGE, parseCommand, type WaiverDecision } from '../github/index.js';

/** What to do about one comment. */
export interface CommentAnswer {
  reaction: '+1' | '-1';
  /** Markdown for a reply, when there is something to say. */
  reply?: string;
  /** Whether the comment asks for an evaluation (waive, unwaive, recheck) rather than only information. */
  evaluate: boolean;
}

/** Quoting the command keeps the reply readable and, as a block quote, keeps it from being parsed as one. */
function quote(text: string): string {
  return `> ${text.replace(/\n/g, ' ')}`;
}

/**
 * Builds the answer for comment `commentId` by `login`. `decision` is undefined when no evaluation ran
 * (help or explain only); `explain` returns a rule's docs.
 */
export function answerComment(
  commentId: number,
  body: string,
  login: string,
  decision: WaiverDecision | undefined,
  explain: (ruleId: string) => string | undefined,
): CommentAnswer {
  const parsed = parseCommand(body);
  const lines = body.split(/\r?\n/);
  const refusals: string[] = [];
  const info: string[] = [];
  let evaluate = false;
  for (const c of parsed) {
    const text = (lines[c.line - 1] ?? '').trim();
    switch (c.kind) {
      case 'error':
        refusals.push(`${quote(text)}\n\n${c.message}`);
        break;
      case 'help':
        info.push(
          'Readiness Gates commands (one per line, at the start of a comment line):\n\n' +
            Object.values(COMMAND_USAGE)
              .map((u) => `- \`${u}\``)
              .join('\n') +
            '\n\nWho may waive (or approve a suppression comment this pull request added) is set by `waivers:` in the base branch’s `.github/readiness.yml`.',
        );
        break;
      case 'explain': {
        const docs = explain(c.ruleId);
        info.push(
          docs
            ? docs.slice(0, 20_000)
            : `\`${c.ruleId}\` is not a rule of Readiness Gates; the scorecard links each finding’s rule.`,
        );
        break;
      }
      case 'recheck':
        evaluate = true;
        break;
      case 'waive':
      case 'unwaive':
      case 'approve': {
        evaluate = true;
        const refused = decision?.refused.find((r) => r.commentId === commentId && r.line === c.line);
        if (refused) refusals.push(`${quote(text)}\n\n${refused.reason}`);
        const accepted = decision?.accepted.find((a) => a.commentId === commentId && a.line === c.line);
        if (accepted?.capped)
          info.push(
            `The waiver of \`${accepted.findingId}\` ends on ${accepted.until}: \`waivers.max-days\` caps how long a waiver may last.`,
          );
        break;
      }
    }
  }
  const parts: string[] = [];
  if (refusals.length > 0) parts.push(`@${login}, this was not applied:\n\n${refusals.join('\n\n')}`);
  parts.push(...info);
  return {
    reaction: refusals.length > 0 ? '-1' : '+1',
    ...(parts.length ? { reply: parts.join('\n\n---\n\n') } : {}),
    evaluate,
  };
}
