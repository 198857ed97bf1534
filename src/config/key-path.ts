/**
 * Key paths as users read them in messages: `gates.pii.redactors[2]`, `rules.migrations/drop-column`,
 * `exceptions[1].until`.
 */

/** One step into the config: a mapping key or a list index. */
export type PathSegment = string | number;

// Rule ids contain `/` and keys are kebab-case, so both stay bare; anything else (dots, spaces…) is
// quoted so the path cannot be misread.
const BARE_KEY = /^[A-Za-z0-9_/-]+$/;

/** Formats a path; the empty path (the whole file) is `(root)`. */
export function formatKeyPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (BARE_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(root)' : out;
}
