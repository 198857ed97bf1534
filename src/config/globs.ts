/**
 * The glob dialect of the config (`paths.exclude`, `exceptions[].path`): picomatch, matched against
 * repository-relative paths with forward slashes, dot files included. Validation here and matching in
 * the engine use the same options, so a glob that validates is a glob that matches.
 */
import picomatch from 'picomatch';

/** picomatch options used for every config glob. */
export const GLOB_OPTIONS: picomatch.PicomatchOptions = { dot: true };

// A backslash is an escape in picomatch; before anything but a glob metacharacter it is almost surely a
// Windows path separator, which would silently match nothing.
const STRAY_BACKSLASH = /\\(?![*?[\]{}()!+@|\\])/;

/** Why `glob` is not a usable config glob, or undefined when it is. */
export function globProblem(glob: string): string | undefined {
  if (glob.trim() === '') return 'expected a glob; got an empty string';
  if (glob.startsWith('/')) return `glob '${glob}' must be relative to the repository root (remove the leading /)`;
  if (STRAY_BACKSLASH.test(glob)) return `glob '${glob}' uses \\ as a path separator; use /`;
  try {
    // strictBrackets turns unbalanced [ { ( into errors instead of literal characters that never match.
    picomatch.makeRe(glob, { ...GLOB_OPTIONS, strictBrackets: true });
  } catch (error) {
    return `invalid glob '${glob}': ${error instanceof Error ? error.message : String(error)}`;
  }
  return undefined;
}

/** A predicate that is true for paths matching any of `globs` (empty list: matches nothing). */
export function globMatcher(globs: readonly string[]): (path: string) => boolean {
  if (globs.length === 0) return () => false;
  return picomatch([...globs], GLOB_OPTIONS);
}
