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
}

function digest(parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/**
 * Assigns ids to a list of fingerprint inputs. Inputs with the same (rule, path, context, key) get
 * ordinals 0, 1, 2… in the order given (callers pass them sorted by line), so two identical lines in
 * one file get two ids that stay stable while their relative order does.
 */
export function assignFingerprints(inputs: readonly FingerprintInput[]): string[] {
  const seen = new Map<string, number>();
  return inputs.map((input) => {
    const base = digest([input.ruleId, input.path, normaliseContext(input.context), input.key ?? '']);
    const ordinal = seen.get(base) ?? 0;
    seen.set(base, ordinal + 1);
    return digest([base, String(ordinal)]).slice(0, 12);
  });
}
