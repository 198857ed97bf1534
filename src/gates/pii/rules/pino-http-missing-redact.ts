import type { FileRule } from '../../../core/types.js';
import type { PiiOptions } from '../options.js';
import { cookieSetterFor } from '../cookie-index.js';
import { loggerIndexOf } from '../logger-index.js';
import { checkPino } from '../pino-check.js';
import { configLine } from '../pino.js';
import { JS_FILES, listOf, skipFile } from '../report.js';

const NAMES = {
  'pino-http': 'pino-http',
  'express-pino-logger': 'express-pino-logger',
  'hapi-pino': 'hapi-pino',
  'nestjs-pino': 'nestjs-pino',
} as const;

/** What each missing path leaks, for the message. */
function whatOf(paths: readonly string[]): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    if (/authorization$/.test(p)) out.add("the caller's bearer token");
    else if (/set-cookie/.test(p)) out.add('the session cookie the response sets');
    else if (/cookie$/.test(p)) out.add("the caller's session cookie");
  }
  return [...out];
}

/**
 * pii/pino-http-missing-redact: pino-http (or express-pino-logger, hapi-pino, nestjs-pino) logs every
 * request with the std serializers — all request headers and the response's Set-Cookie — and its
 * `redact` paths in force do not cover `req.headers.authorization`, `req.headers.cookie` and
 * `res.headers["set-cookie"]` (under the configured attribute keys).
 */
export const rule: FileRule<unknown, PiiOptions> = {
  scope: 'file',
  files: JS_FILES,
  prefilter: ['pino'],
  meta: {
    id: 'pii/pino-http-missing-redact',
    gate: 'pii',
    severity: 'blocker',
    description:
      'pino-http, express-pino-logger, hapi-pino or nestjs-pino logs every request without redacting the Authorization header and cookies.',
    messages: {
      missing:
        'This {{library}} logger writes the headers of every request and response, and its redaction does not cover {{missing}}: every request puts {{what}} in the logs.',
      overrides:
        'This {{library}} logger has its own `redact`, which replaces the redaction of the logger it wraps, and does not cover {{missing}}: every request puts {{what}} in the logs.',
      setCookie:
        'This {{library}} logger writes the headers of every response, and its redaction does not cover {{missing}}. Nothing in this service sets a cookie yet (no session middleware, `res.cookie(…)` or `Set-Cookie` header), so nothing leaks today; the first session cookie it sets will be written to the logs with every response.',
      raw: 'This {{library}} logger has `wrapSerializers: false` without its own `req` and `res` serializers, so it logs the raw request and response objects: every header (Authorization, Cookie, Set-Cookie) and the raw header lists, which no redact path reliably covers.',
    },
    fixes: {
      setCookie:
        "Add {{paths}} to its `redact` paths before the service sets cookies, e.g. `redact: { paths: [{{all}}], censor: '[Redacted]' }`.",
      missing: "Add {{paths}} to its `redact` paths, e.g. `redact: { paths: [{{all}}], censor: '[Redacted]' }`.",
      overrides:
        "Add {{paths}} to this logger's own `redact` paths too: a child logger's `redact` replaces its parent's.",
      raw: 'Remove `wrapSerializers: false`, or give `req` and `res` serializers that return only the fields you need (method, url, id, statusCode).',
    },
  },
  check(file, _change, ctx) {
    if (skipFile(file, ctx)) return;
    const findings = checkPino(file, loggerIndexOf(ctx)).missing;
    // The response's Set-Cookie leaks a session cookie only where the service sets one.
    const setsCookies = findings.length > 0 ? cookieSetterFor(ctx, file.path) !== null : true;
    for (const m of findings) {
      const library = NAMES[m.config.kind as keyof typeof NAMES] ?? m.config.kind;
      const all = [...(m.config.redact?.paths ?? []), ...m.missing]
        .map((p) => `'${p.replace(/'/g, "\\'")}'`)
        .join(', ');
      const leaking = setsCookies || m.raw ? m.missing : m.missing.filter((p) => !/set-cookie/.test(p));
      const quoted = (leaking.length > 0 ? leaking : m.missing).map((p) => `\`${p}\``);
      const data = { library, missing: listOf(quoted), paths: listOf(quoted), all, what: listOf(whatOf(leaking)) };
      if (!m.raw && leaking.length === 0) {
        ctx.report({
          messageId: 'setCookie',
          line: configLine(m.config),
          severity: 'warning',
          key: `${m.config.kind}|${m.missing.join(',')}`,
          data,
        });
        continue;
      }
      const messageId = m.raw ? 'raw' : m.overridesParent ? 'overrides' : 'missing';
      ctx.report({ messageId, line: configLine(m.config), key: `${m.config.kind}|${m.missing.join(',')}`, data });
    }
  },
};
