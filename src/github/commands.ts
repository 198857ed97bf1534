/**
 * `/readiness …` commands in PR comments. The comments are the waiver audit trail, re-read on every
 * evaluation, so parsing must be deterministic and must not pick commands out of quoted or fenced
 * text (a reply quoting someone's waiver is not a second waiver).
 */
import { closest, distance } from 'fastest-levenshtein';

/** A well-formed command, with the 1-based line of the comment it came from. */
export type ReadinessCommand =
  | { kind: 'waive'; findingId: string; until?: string; reason: string; line: number }
  | { kind: 'unwaive'; findingId: string; line: number }
  | { kind: 'approve'; findingId: string; reason?: string; line: number }
  | { kind: 'recheck'; line: number }
  | { kind: 'explain'; ruleId: string; line: number }
  | { kind: 'help'; line: number };

/** Why a `/readiness` line could not be understood. */
export type CommandErrorCode =
  'unknown-subcommand' | 'missing-finding-id' | 'missing-reason' | 'bad-date' | 'missing-rule-id' | 'bad-rule-id';

/** A `/readiness` line that is not a valid command; `message` is written for the commenter. */
export interface CommandParseError {
  kind: 'error';
  code: CommandErrorCode;
  message: string;
  line: number;
  /** The offending line, trimmed. */
  text: string;
}

/** One result per `/readiness` line. */
export type ParsedCommand = ReadinessCommand | CommandParseError;

/** Options of `parseCommand`. */
export interface ParseCommandOptions {
  /** Today as YYYY-MM-DD (UTC); when given, a `--until` date before it is rejected. */
  today?: string;
}

const SUBCOMMANDS = ['waive', 'unwaive', 'approve', 'recheck', 'explain', 'help'] as const;

/** Usage lines, for error messages and the `help` answer. */
export const COMMAND_USAGE: Readonly<Record<(typeof SUBCOMMANDS)[number], string>> = {
  waive: '/readiness waive <finding-id> [--until YYYY-MM-DD] <reason>',
  unwaive: '/readiness unwaive <finding-id>',
  approve: '/readiness approve <finding-id> [<note>]',
  recheck: '/readiness recheck',
  explain: '/readiness explain <rule-id>',
  help: '/readiness help',
};

/**
 * Every `/readiness` command in a comment body, one per line, in order. A line counts only when it
 * starts with `/readiness` (up to three spaces of indentation); lines in fenced or indented code
 * blocks, block quotes (`> /readiness …`) and HTML comments are ignored. An empty array means the
 * comment holds no command.
 */
export function parseCommand(body: string, options: ParseCommandOptions = {}): ParsedCommand[] {
  const results: ParsedCommand[] = [];
  const lines = body.split(/\r?\n/);
  let fence: string | undefined;
  let inHtmlComment = false;
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    if (inHtmlComment) {
      if (raw.includes('-->')) inHtmlComment = false;
      return;
    }
    const fenceMatch = /^ {0,3}(`{3,}|~{3,})/.exec(raw);
    if (fence !== undefined) {
      // A fence closes with the same character, at least as long, and nothing else on the line.
      if (
        fenceMatch &&
        fenceMatch[1]![0] === fence[0] &&
        fenceMatch[1]!.length >= fence.length &&
        raw.trim() === fenceMatch[1]
      )
        fence = undefined;
      return;
    }
    if (fenceMatch) {
      fence = fenceMatch[1];
      return;
    }
    const htmlStart = raw.indexOf('<!--');
    if (htmlStart >= 0 && !raw.includes('-->', htmlStart)) inHtmlComment = true;
    // At most three spaces of indentation: four would be an indented code block in Markdown.
    // Trailing whitespace (a stray \r from a pasted CRLF) must not hide the end of the line.
    const m = /^ {0,3}\/readiness(?=\s|$)(.*)$/i.exec(raw.replace(/\s+$/, ''));
    if (!m) return;
    results.push(parseLine(m[1]!.trim(), lineNo, raw.trim(), options));
  });
  return results;
}

function parseLine(rest: string, line: number, text: string, options: ParseCommandOptions): ParsedCommand {
  const error = (code: CommandErrorCode, message: string): CommandParseError => ({
    kind: 'error',
    code,
    message,
    line,
    text,
  });
  const [word = '', ...args] = rest.split(/\s+/).filter(Boolean);
  const sub = word.toLowerCase();
  switch (sub) {
    case '':
    case 'help':
      return { kind: 'help', line };
    case 'recheck':
      return { kind: 'recheck', line };
    case 'unwaive': {
      const id = cleanId(args[0]);
      if (!id) return error('missing-finding-id', `Say which finding to stop waiving: \`${COMMAND_USAGE.unwaive}\`.`);
      return { kind: 'unwaive', findingId: id, line };
    }
    case 'approve': {
      // Accepts the suppression comment the pull request added for this finding; the comment's own
      // reason is the justification, so a note here is optional.
      const id = cleanId(args[0]);
      if (!id || id.startsWith('--')) {
        return error(
          'missing-finding-id',
          `Say which finding's suppression comment to approve: \`${COMMAND_USAGE.approve}\`. The id is shown next to the finding in the scorecard.`,
        );
      }
      const note = rest.slice(word.length).trim().slice(args[0]!.length).trim();
      return { kind: 'approve', findingId: id, ...(note ? { reason: note } : {}), line };
    }
    case 'explain': {
      const ruleId = cleanId(args[0]);
      if (!ruleId)
        return error(
          'missing-rule-id',
          `Say which rule to explain: \`${COMMAND_USAGE.explain}\`, e.g. \`/readiness explain migrations/drop-column\`.`,
        );
      if (!/^[a-z][a-z0-9-]*\/[a-z0-9][a-z0-9-]*$/.test(ruleId)) {
        return error(
          'bad-rule-id',
          `\`${ruleId}\` is not a rule id; rule ids look like \`migrations/drop-column\` (\`<gate>/<rule>\`).`,
        );
      }
      return { kind: 'explain', ruleId, line };
    }
    case 'waive':
      return parseWaive(rest.slice(word.length).trim(), line, options, error);
    default: {
      const guess = closest(sub, [...SUBCOMMANDS]);
      const hint = distance(sub, guess) <= 2 ? ` Did you mean \`/readiness ${guess}\`?` : '';
      return error(
        'unknown-subcommand',
        `\`${word}\` is not a readiness command.${hint} Commands: ${SUBCOMMANDS.join(', ')} (\`/readiness help\`).`,
      );
    }
  }
}

function parseWaive(
  rest: string,
  line: number,
  options: ParseCommandOptions,
  error: (code: CommandErrorCode, message: string) => CommandParseError,
): ParsedCommand {
  const idMatch = /^(\S+)\s*(.*)$/.exec(rest);
  const findingId = cleanId(idMatch?.[1]);
  if (!findingId || findingId.startsWith('--')) {
    return error(
      'missing-finding-id',
      `Say which finding to waive: \`${COMMAND_USAGE.waive}\`. The finding id is shown next to each finding in the scorecard.`,
    );
  }
  let remainder = idMatch![2]!;
  let until: string | undefined;
  const untilMatch = /^--until(?:=|\s+)?(\S*)\s*(.*)$/.exec(remainder);
  if (untilMatch) {
    const date = untilMatch[1]!;
    if (!date) return error('bad-date', `\`--until\` needs a date: \`--until YYYY-MM-DD\`.`);
    if (!isCalendarDate(date))
      return error('bad-date', `\`${date}\` is not a date; write \`--until YYYY-MM-DD\`, e.g. \`--until 2026-03-31\`.`);
    if (options.today && date < options.today)
      return error('bad-date', `\`--until ${date}\` is in the past; a waiver has to end today or later.`);
    until = date;
    remainder = untilMatch[2]!;
  }
  const reason = remainder.trim();
  if (!reason) {
    return error(
      'missing-reason',
      `A waiver needs a reason, so reviewers later know why it was accepted: \`${COMMAND_USAGE.waive}\`.`,
    );
  }
  return { kind: 'waive', findingId, ...(until ? { until } : {}), reason, line };
}

/** Ids are often pasted with the backticks the scorecard shows them in. */
function cleanId(token: string | undefined): string | undefined {
  const id = token?.replace(/^`+|`+$/g, '');
  return id ? id : undefined;
}

/** YYYY-MM-DD that exists on the calendar (no 2026-02-30). */
function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}
