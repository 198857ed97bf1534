/**
 * CODEOWNERS, for waiver policy ("the code owners of a finding's path may waive it"). Semantics follow
 * GitHub's documentation, which differs from gitignore in ways that matter:
 * - the last matching line wins, and a matching line without owners means nobody owns the path;
 * - `docs/*` owns the files directly in `docs/`, not deeper ones;
 * - `!` negation, `[ ]` ranges and escaping a leading `#` with `\` do not work: GitHub reports such
 *   lines as errors and skips them, and so do we;
 * - paths are case-sensitive.
 */
import picomatch from 'picomatch';

/** Where GitHub looks for the file, in order; the first one found is used. */
export const CODEOWNERS_LOCATIONS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const;

/** One effective line of a CODEOWNERS file. */
export interface CodeownersRule {
  pattern: string;
  /** `@user`, `@org/team` or an email, as written; empty = explicitly unowned. */
  owners: string[];
  /** 1-based line number. */
  line: number;
  matches(path: string): boolean;
}

/** A line GitHub would reject (and skip). */
export interface CodeownersError {
  line: number;
  message: string;
}

/** A parsed CODEOWNERS file. */
export interface Codeowners {
  rules: CodeownersRule[];
  errors: CodeownersError[];
}

const GLOB_OPTIONS = {
  dot: true,
  nobrace: true,
  noextglob: true,
  nonegate: true,
  nobracket: true,
  windows: false,
} as const;
const OWNER = /^(@[A-Za-z0-9](?:[A-Za-z0-9-]*)(?:\/[A-Za-z0-9._-]+)?|[^@\s]+@[^@\s]+\.[^@\s]+)$/;

/** Parses a CODEOWNERS file into rules (in file order) and the lines GitHub would reject. */
export function parseCodeowners(text: string): Codeowners {
  const rules: CodeownersRule[] = [];
  const errors: CodeownersError[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    // A trailing `# …` after whitespace is a comment (as in most CODEOWNERS in the wild).
    const tokens = trimmed.split(/\s+/);
    const commentAt = tokens.findIndex((t, i) => i > 0 && t.startsWith('#'));
    const [pattern, ...owners] = commentAt > 0 ? tokens.slice(0, commentAt) : tokens;
    if (!pattern) return;
    const reject = (message: string) => errors.push({ line, message });
    if (pattern.startsWith('\\#')) return reject(`"${pattern}": escaping a leading # does not work in CODEOWNERS`);
    if (pattern.startsWith('!')) return reject(`"${pattern}": negation (!) does not work in CODEOWNERS`);
    if (/[[\]]/.test(pattern)) return reject(`"${pattern}": character ranges ([ ]) do not work in CODEOWNERS`);
    const badOwner = owners.find((o) => !OWNER.test(o));
    if (badOwner !== undefined) return reject(`"${badOwner}" is not a user (@name), team (@org/team) or email`);
    rules.push({ pattern, owners, line, matches: compilePattern(pattern) });
  });
  return { rules, errors };
}

/**
 * A path matcher for one CODEOWNERS pattern. Patterns without a slash (other than a trailing one)
 * match at any depth; a leading or inner slash anchors them to the root; a trailing slash matches
 * directories only. A pattern matching a directory owns everything below it, except a final `*`
 * segment (`docs/*`), which owns only the directory's direct children.
 */
function compilePattern(pattern: string): (path: string) => boolean {
  const dirOnly = pattern.endsWith('/');
  let p = pattern.replace(/\/+$/, '');
  const anchored = p.startsWith('/') || p.includes('/');
  p = p.replace(/^\/+/, '');
  if (p === '') return () => true; // `/` alone: the whole repository
  const match = picomatch(anchored ? p : `**/${p}`, GLOB_OPTIONS);
  // `*` alone owns everything; `/*` and `docs/*` own only the files directly in that directory.
  const directChildrenOnly = /(^|\/)\*$/.test(p) && (anchored || p !== '*');
  return (rawPath) => {
    const path = rawPath.replace(/^\/+/, '');
    if (!dirOnly && match(path)) return true;
    if (directChildrenOnly) return false;
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) if (match(parts.slice(0, i).join('/'))) return true;
    return false;
  };
}

let cache: { text: string; parsed: Codeowners } | undefined;

/**
 * Owners of `path` per the CODEOWNERS text: those of the last matching rule. An empty array means
 * no rule matched or the last match lists no owners (explicitly unowned).
 */
export function codeownersFor(path: string, codeownersText: string): string[] {
  if (cache?.text !== codeownersText) cache = { text: codeownersText, parsed: parseCodeowners(codeownersText) };
  const rules = cache.parsed.rules;
  for (let i = rules.length - 1; i >= 0; i--) if (rules[i]!.matches(path)) return [...rules[i]!.owners];
  return [];
}
