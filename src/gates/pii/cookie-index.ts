/**
 * Where a snapshot sets cookies: session middleware (express-session, cookie-session, @fastify/cookie,
 * @fastify/session, koa-session, iron-session…), `res.cookie(…)`, `reply.setCookie(…)`,
 * `cookies.set(…)`, a `Set-Cookie` header written by hand, hapi's `h.state(…)`. pino-http's missing
 * `res.headers["set-cookie"]` redaction leaks a session cookie only in a service that sets one.
 *
 * Built only when the snapshot uses pino at all, from a `git grep` for the few tokens these need and a
 * check of the files it finds: the cost of a grep, not of reading the repository.
 */
import type { IndexDef, RuleContext, Service } from '../../core/types.js';
import type { PiiOptions } from './options.js';
import { JS_FILES } from './report.js';

/** Paths that set cookies, and the first line that shows it in each. */
export interface CookieSetter {
  path: string;
  line: number;
  /** What shows it, for messages: `res.cookie(…)`, `express-session`. */
  what: string;
}

export type CookieIndex = readonly CookieSetter[];

export const COOKIE_INDEX = 'cookie-setters';

const TOKENS = [
  'express-session',
  'cookie-session',
  'fastify/cookie',
  'fastify-cookie',
  'fastify/session',
  'fastify/secure-session',
  'fastify-session',
  'koa-session',
  'iron-session',
  '.cookie(',
  'setCookie',
  'cookies.set(',
  'cookies().set(',
  'Set-Cookie',
  'set-cookie',
  '.state(',
];

/** Each pattern with how it reads in a message. */
const EVIDENCE: ReadonlyArray<[RegExp, string]> = [
  [
    /['"](express-session|cookie-session|@fastify\/(cookie|session|secure-session)|fastify-(cookie|session)|koa-session|iron-session(\/[\w-]+)?)['"]/,
    'session or cookie middleware',
  ],
  [/\b(res|resp|response|reply|ctx|c)\.(cookie|setCookie)\s*\(/, '`res.cookie(…)`'],
  [/\bcookies(\(\))?\.set\s*\(/, '`cookies.set(…)`'],
  [/\b(setHeader|header|set|append)\s*\(\s*['"]set-cookie['"]/i, 'a `Set-Cookie` header'],
  [/['"]set-cookie['"]\s*:/i, 'a `Set-Cookie` header'],
  [/\bh\.state\s*\(\s*['"]/, "hapi's `h.state(…)`"],
];

export const cookieIndex: IndexDef<CookieIndex, PiiOptions> = {
  id: COOKIE_INDEX,
  async build(ctx) {
    // Only pino-http's Set-Cookie redaction asks; a snapshot without pino needs nothing.
    if ((await ctx.snapshot.grep(['pino'], JS_FILES)).length === 0) return [];
    const out: CookieSetter[] = [];
    for (const path of await ctx.snapshot.grep(TOKENS, JS_FILES)) {
      if (
        ctx.excluded(path) ||
        /(^|\/)(test|tests|__tests__|__mocks__|fixtures?)\/|\.(test|spec)\.[cm]?[jt]sx?$/.test(path)
      )
        continue;
      const read = await ctx.snapshot.read(path);
      if (!read.ok) continue;
      const found = evidenceIn(read.file.text);
      if (found) out.push({ path, ...found });
    }
    return out;
  },
};

/** The first line of a file that sets a cookie, and what it is. */
export function evidenceIn(text: string): { line: number; what: string } | undefined {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    for (const [re, what] of EVIDENCE) if (re.test(lines[i]!)) return { line: i + 1, what };
  }
  return undefined;
}

/**
 * Whether the service of `path` sets cookies: a cookie setter in the same service (or anywhere, in a
 * repository of one service). Undefined when the index is not available (the caller keeps its default).
 */
export function cookieSetterFor(ctx: RuleContext<unknown, PiiOptions>, path: string): CookieSetter | null | undefined {
  let index: CookieIndex;
  try {
    index = ctx.index(cookieIndex);
  } catch {
    return undefined;
  }
  const service: Service = ctx.serviceOf(path);
  const same = (p: string) => ctx.services.length <= 1 || ctx.serviceOf(p).root === service.root;
  return index.find((s) => same(s.path)) ?? null;
}
