import type { FileRule } from '../../../core/types.js';
import { lineOf } from '../../../lang/ts-helpers.js';
import type { PiiOptions } from '../options.js';
import { loggerIndexOf } from '../logger-index.js';
import { checkPino } from '../pino-check.js';
import { JS_FILES, listOf, skipFile } from '../report.js';

const PART = {
  headers: {
    what: 'the request headers',
    consequence: "every request's Authorization header and cookies land in the logs",
  },
  cookies: { what: 'the request cookies', consequence: "every request's session cookie lands in the logs" },
  body: { what: 'the request body', consequence: 'passwords, emails and whatever else clients send land in the logs' },
} as const;

/**
 * pii/pino-serializer-without-redact: a custom pino / pino-http / Fastify serializer copies request
 * headers, cookies or the body into the log line (or passes the std-serialized request through) and no
 * `redact` path covers what it adds.
 */
export const rule: FileRule<unknown, PiiOptions> = {
  scope: 'file',
  files: JS_FILES,
  prefilter: ['pino', 'astify', 'serializers'],
  meta: {
    id: 'pii/pino-serializer-without-redact',
    gate: 'pii',
    severity: 'blocker',
    description:
      'A custom pino, pino-http or Fastify serializer logs request headers, cookies or bodies that no redact path covers.',
    messages: {
      headers:
        'The custom `{{key}}` serializer logs {{what}} (`{{expr}}`) at `{{at}}`, and no `redact` path covers {{paths}}: {{consequence}}.',
      body: 'The custom `{{key}}` serializer logs {{what}} (`{{expr}}`) at `{{at}}`, and no `redact` path reaches into it: {{consequence}}.',
    },
    fixes: {
      headers:
        "Return only the fields you need from the serializer (id, method, url, user agent), or add {{paths}} to the logger's `redact` paths.",
      body: 'Copy only the body fields you need in the serializer, or redact the sensitive ones under `{{at}}` (e.g. {{paths}}, `{{at}}.email`).',
    },
  },
  check(file, _change, ctx) {
    if (skipFile(file, ctx)) return;
    for (const e of checkPino(file, loggerIndexOf(ctx)).exposures) {
      const expr = e.expr.length > 70 ? `${e.expr.slice(0, 67)}…` : e.expr;
      ctx.report({
        messageId: e.part === 'body' ? 'body' : 'headers',
        line: lineOf(e.node),
        key: `${e.key}|${e.at}`,
        data: {
          key: e.key,
          what: PART[e.part].what,
          consequence: PART[e.part].consequence,
          expr,
          at: e.at,
          paths: listOf(e.paths.map((p) => `\`${p}\``)),
        },
      });
    }
  },
};
