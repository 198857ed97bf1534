import type { FileRule } from '../../../core/types.js';
import { lineOf } from '../../../lang/ts-helpers.js';
import { winstonFindings } from '../config-checks.js';
import { resolveOptions, type PiiOptions } from '../options.js';
import { JS_FILES, skipFile } from '../report.js';

/**
 * pii/winston-redaction-order: in `format.combine(...)` a redaction format (by name, a configured
 * redactor, or a custom format that visibly masks or deletes keys) comes after `json()`, `printf()`,
 * `simple()`, `logstash()`, `prettyPrint()` or `cli()`, which compute the final line; unless it rewrites
 * that line (`info[MESSAGE]`), it changes nothing that is written.
 */
export const rule: FileRule<unknown, PiiOptions> = {
  scope: 'file',
  files: JS_FILES,
  prefilter: ['winston', 'logform'],
  meta: {
    id: 'pii/winston-redaction-order',
    gate: 'pii',
    severity: 'warning',
    description:
      'A winston redaction format placed after the format that renders the line (json, printf, simple…), so it redacts nothing.',
    messages: {
      order:
        'The redaction format `{{format}}` runs after `{{finalizer}}`, which has already rendered the log line: its changes never reach the output, so the fields it was meant to hide are logged in clear.',
    },
    fixes: {
      order:
        'Move `{{format}}` before `{{finalizer}}` in `format.combine(…)`: formats run in the order they are passed.',
    },
  },
  check(file, _change, ctx) {
    if (skipFile(file, ctx)) return;
    const redactors = resolveOptions(ctx.gateOptions).redactors;
    for (const f of winstonFindings(file, redactors))
      ctx.report({ messageId: f.messageId, line: lineOf(f.node), key: f.key, data: f.data });
  },
};
