/**
 * "Did you mean …?" for config keys, rule ids and gate ids.
 *
 * A suggestion is only offered when it is close: a wrong guess is worse than none, because people
 * copy suggestions without reading them.
 */
import { distance } from 'fastest-levenshtein';

/** Lower-case kebab form, so `failOn`, `fail_on` and `Fail-On` all compare equal to `fail-on`. */
function normalize(word: string): string {
  return word
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[_\s]+/g, '-');
}

/** True when `b` is `a` with one pair of adjacent characters swapped (`fial` → `fail`). */
function isTransposition(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const diffs: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diffs.push(i);
  const [i, j] = diffs;
  return diffs.length === 2 && i !== undefined && j === i + 1 && a[i] === b[j] && a[j] === b[i];
}

/** Levenshtein distance, except that swapping two neighbours (the commonest typo) costs one edit, not two. */
function editDistance(a: string, b: string): number {
  return isTransposition(a, b) ? 1 : distance(a, b);
}

/**
 * The candidate the user most likely meant by `input`, or undefined when none is close.
 *
 * Close means: equal after normalising case and separators; or `input` is a rule id without its gate
 * prefix (`drop-column` → `migrations/drop-column`); or within an edit distance of a quarter of the
 * input's length (1 to 3 edits; an adjacent swap is one edit). `include` is not offered `exclude`. Ties go to the alphabetically first candidate, so the answer is
 * stable.
 */
export function closest(input: string, candidates: Iterable<string>): string | undefined {
  const wanted = normalize(input);
  const sorted = [...new Set(candidates)].filter((c) => c !== input).sort();
  const exact = sorted.find((c) => normalize(c) === wanted);
  if (exact !== undefined) return exact;
  const suffixed = sorted.filter((c) => normalize(c).endsWith(`/${wanted}`));
  if (suffixed.length === 1) return suffixed[0];

  const limit = Math.min(3, Math.max(1, Math.floor(wanted.length / 4)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of sorted) {
    const d = editDistance(wanted, normalize(candidate));
    if (d <= limit && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** `; did you mean \`x\`?` or the empty string, for appending to a message. */
export function didYouMean(input: string, candidates: Iterable<string>): string {
  const guess = closest(input, candidates);
  return guess === undefined ? '' : `; did you mean \`${guess}\`?`;
}
