/**
 * Glob matching shared by every Snapshot implementation, so `list(globs)` means the same thing whether
 * the tree comes from git, the GitHub API or memory: picomatch, dot files included, any glob may match.
 */
import picomatch from 'picomatch';

const cache = new Map<string, (path: string) => boolean>();

/** A predicate for "matches any of `globs`"; no globs (undefined or empty) matches everything. Cached per glob list. */
export function globMatcher(globs: readonly string[] | undefined): (path: string) => boolean {
  if (!globs || globs.length === 0) return () => true;
  const key = globs.join('\u0000');
  let match = cache.get(key);
  if (!match) {
    const compiled = picomatch([...globs], { dot: true });
    match = (path: string) => compiled(path);
    // The cache only guards against recompiling the same few rule globs; bound it so odd callers cannot grow it.
    if (cache.size > 500) cache.clear();
    cache.set(key, match);
  }
  return match;
}
