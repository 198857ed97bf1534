/**
 * `extends:` — a config that builds on shared ones, so an organisation sets policy once.
 *
 * An entry names a file in the same repository (`.github/readiness-base.yml` from the root, or `./x.yml`
 * and `../x.yml` relative to the extending file), or another repository: `owner/repo` (its
 * `.github/readiness.yml` on the default branch), `owner/repo:path`, `owner/repo:path@ref`. A path inside a
 * file from another repository stays in that repository. Pure: reading is the caller's
 * (`loadConfigChain`'s reader: the snapshot, the disk, or the GitHub port with the surface's token).
 */
import { posix } from 'node:path';
import { isPlainObject, setOwn } from './strict.js';
import { CONFIG_PATH } from './types.js';

/** Files in one chain at most, counting the one being loaded: deep chains are hard to review. */
export const EXTENDS_MAX_DEPTH = 5;

/** Where a config file lives: a path, in the repository being checked or in another one. */
export interface ConfigLocation {
  path: string;
  /** Absent: the repository being checked (at the commit whose policy is being read). */
  repository?: { owner: string; repo: string; ref?: string };
}

/** How a location is named in messages and errors: `path`, or `owner/repo:path[@ref]`. */
export function locationLabel(location: ConfigLocation): string {
  const r = location.repository;
  return r ? `${r.owner}/${r.repo}:${location.path}${r.ref ? `@${r.ref}` : ''}` : location.path;
}

const NAME = '[A-Za-z0-9_.-]+';
const REPOSITORY_REF = new RegExp(`^(${NAME})/(${NAME})(?::([^@]+))?(?:@(.+))?$`);

/**
 * The location an entry names, seen from the file that lists it; or why it names none (a string).
 * A bare `a/b` is a repository unless it ends in `.yml`/`.yaml` (then it is a path).
 */
export function resolveExtends(entry: string, from: ConfigLocation): ConfigLocation | string {
  const text = entry.trim();
  const isYaml = /\.ya?ml$/i.test(text);
  if (isYaml && !text.includes(':')) {
    const relative = text.startsWith('./') || text.startsWith('../');
    const joined = posix.normalize(relative ? posix.join(posix.dirname(from.path), text) : text.replace(/^\/+/, ''));
    if (joined.startsWith('../') || joined === '..') return `${text} points outside the repository`;
    return { path: joined, ...(from.repository ? { repository: from.repository } : {}) };
  }
  const m = REPOSITORY_REF.exec(text);
  if (!m) return `expected a path ending in .yml or .yaml, or a repository as owner/repo[:path][@ref]; got '${text}'`;
  const path = (m[3] ?? CONFIG_PATH).replace(/^\/+/, '');
  if (posix.normalize(path).startsWith('..')) return `${text} points outside the repository`;
  return { path: posix.normalize(path), repository: { owner: m[1]!, repo: m[2]!, ...(m[4] ? { ref: m[4] } : {}) } };
}

/** Top-level lists that add up across the chain instead of replacing each other. */
const ADDITIVE_LISTS = new Set(['exceptions', 'services']);

/**
 * `over` on top of `base`, as written in the files (kebab-case keys): mappings merge key by key, a value
 * in `over` replaces the one in `base`, and `exceptions`, `services` and `paths.exclude-add` add up
 * (base first). Neither argument is changed.
 */
export function mergeConfigInputs(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
  depth = 0,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(base)) setOwn(out, k, v);
  for (const [key, value] of Object.entries(over)) {
    const before = out[key];
    const additive = (depth === 0 && ADDITIVE_LISTS.has(key)) || (depth === 1 && key === 'exclude-add');
    if (additive && Array.isArray(before) && Array.isArray(value)) setOwn(out, key, [...before, ...value]);
    else if (isPlainObject(before) && isPlainObject(value))
      setOwn(out, key, mergeConfigInputs(before, value, depth + 1));
    else setOwn(out, key, value);
  }
  return out;
}
