/**
 * Stable finding ids.
 *
 * A finding's id must survive line shifts and rebases, so it is built from the rule id, the path, the
 * normalised text of the reported line (whitespace folded, trailing comments kept — they are part of the
 * code a reviewer sees), an optional rule-supplied key, and an ordinal that separates identical
 * occurrences in one file. Never from the line number. A finding reported with `anchor: 'key'` leaves the
 * line's text out: its key alone says what it is (a value reaching a sink), so rewording the rest of the
 * line does not make it new.
 */
import { createHash } from 'node:crypto';

/** Folds whitespace so re-indentation or CRLF → LF does not change an id. */
export function normaliseContext(lineText: string): string {
  return lineText.replace(/\s+/g, ' ').trim();
}

export interface FingerprintInput {
  ruleId: string;
  path: string;
  context: string;
  key?: string;
  /**
   * How much the pull request touched the finding, on its side of the diff: 2 its reported line was added
   * or changed (head) / removed (base), 1 another line of its span was, 0 none (the default).
   */
  touched?: 0 | 1 | 2;
}

function digest(parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** What an input's id is built from before its ordinal: identical occurrences share it. */
export function fingerprintGroup(input: FingerprintInput): string {
  return digest([input.ruleId, input.path, normaliseContext(input.context), input.key ?? '']);
}

/** How many inputs share each {@link fingerprintGroup}: the `counterpart` of the other side's call. */
export function groupCounts(inputs: readonly FingerprintInput[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const input of inputs) {
    const group = fingerprintGroup(input);
    counts.set(group, (counts.get(group) ?? 0) + 1);
  }
  return counts;
}

/**
 * Assigns ids to a list of fingerprint inputs. Inputs with the same (rule, path, context, key) get
 * ordinals 0, 1, 2… in the order given (callers pass them sorted by line), so two identical lines in
 * one file get two ids that stay stable while their relative order does.
 *
 * `counterpart` (the other side's {@link groupCounts}) pairs the two sides of a diff: when a group has more
 * occurrences here than there, only as many can be the other side's, and those are the ones the pull
 * request touched least (ties: in the order given); they take ordinals 0…k-1 in order, the rest k… So a PR
 * that adds a third identical line between two old ones gets the new id on the line it added, not on the
 * last old one, and a waiver of an old occurrence stays on it.
 */
export function assignFingerprints(
  inputs: readonly FingerprintInput[],
  counterpart?: ReadonlyMap<string, number>,
): string[] {
  const groups = new Map<string, number[]>();
  const groupOf = inputs.map((input, i) => {
    const group = fingerprintGroup(input);
    let members = groups.get(group);
    if (!members) groups.set(group, (members = []));
    members.push(i);
    return group;
  });
  const ordinals: number[] = [];
  for (const [group, members] of groups) {
    const paired = counterpart ? Math.min(counterpart.get(group) ?? 0, members.length) : members.length;
    const kept =
      paired === members.length
        ? new Set(members)
        : new Set(
            [...members]
              .sort((a, b) => (inputs[a]!.touched ?? 0) - (inputs[b]!.touched ?? 0) || a - b)
              .slice(0, paired),
          );
    let next = 0;
    let extra = paired;
    for (const i of members) ordinals[i] = kept.has(i) ? next++ : extra++;
  }
  return inputs.map((_, i) => digest([groupOf[i]!, String(ordinals[i])]).slice(0, 12));
}
