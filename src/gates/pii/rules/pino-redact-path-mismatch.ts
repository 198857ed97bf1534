import type { FileRule } from '../../../core/types.js';
import { lineOf } from '../../../lang/ts-helpers.js';
import type { PiiOptions } from '../options.js';
import { loggerIndexOf } from '../logger-index.js';
import { checkPino } from '../pino-check.js';
import { JS_FILES, skipFile } from '../report.js';

/**
 * pii/pino-redact-path-mismatch: a pino `redact` path that aims at a secret but cannot match what is
 * logged — a header name in capitals (Node lower-cases them, pino paths are case-sensitive), a prefix the
 * logger does not use (`headers.authorization`, `request.…` under pino-http's `req`), a leading `*` that
 * matches one level where the value sits deeper.
 */
export const rule: FileRule<unknown, PiiOptions> = {
  scope: 'file',
  files: JS_FILES,
  prefilter: ['redact'],
  meta: {
    id: 'pii/pino-redact-path-mismatch',
    gate: 'pii',
    severity: 'warning',
    description:
      'A pino redact path that does not match the shape actually logged (header case, prefix, one-level wildcards).',
    messages: {
      case: 'Redact path `{{path}}` never matches: Node lower-cases incoming header names and pino paths are case-sensitive, so the header it names is logged in clear.',
      shape:
        'Redact path `{{path}}` does not match where this logger writes the value, `{{target}}`{{reason}}, so the value is logged in clear.',
    },
    fixes: {
      case: 'Write it as `{{target}}`.',
      shape: 'Use `{{target}}` (pino paths name each level; `*` stands for exactly one).',
    },
  },
  check(file, _change, ctx) {
    if (skipFile(file, ctx)) return;
    for (const m of checkPino(file, loggerIndexOf(ctx)).mismatches) {
      ctx.report({
        messageId: m.kind,
        line: lineOf(m.node),
        key: m.path,
        data: { path: m.path, target: m.target, reason: m.reason },
      });
    }
  },
};
