import type { FileRule } from '../../../core/types.js';
import { lineOf } from '../../../lang/ts-helpers.js';
import { loguruFindings } from '../config-checks.js';
import type { PiiOptions } from '../options.js';
import { PY_FILES, skipFile } from '../report.js';

/**
 * pii/loguru-diagnose: `logger.add(...)` (or a `logger.configure(handlers=[…])` entry) of loguru without
 * `diagnose=False`. loguru defaults `diagnose` to True (`LOGURU_DIAGNOSE`), and its maintainer ships a
 * hardened build that turns it off "to keep context information from leaking into the logs".
 */
export const rule: FileRule<unknown, PiiOptions> = {
  scope: 'file',
  files: PY_FILES,
  prefilter: ['loguru'],
  meta: {
    id: 'pii/loguru-diagnose',
    gate: 'pii',
    severity: 'warning',
    description:
      'A loguru handler with diagnose on (the default), which prints the values of local variables in every traceback.',
    messages: {
      default:
        "`{{call}}` leaves `diagnose` at loguru's default, True: every logged exception prints the values of the local variables in each frame — passwords, tokens, request bodies in scope end up in the logs.",
      explicit:
        '`{{call}}` sets `diagnose=True`: every logged exception prints the values of the local variables in each frame — passwords, tokens, request bodies in scope end up in the logs.',
    },
    fixes: {
      default:
        'Pass `diagnose=False` (keep `backtrace` if you want longer traces); enable it only in local development, e.g. `diagnose=settings.DEBUG`.',
      explicit: 'Use `diagnose=False` in production, e.g. `diagnose=settings.DEBUG`.',
    },
  },
  check(file, _change, ctx) {
    if (skipFile(file, ctx)) return;
    for (const f of loguruFindings(file))
      ctx.report({ messageId: f.messageId, line: lineOf(f.node), key: f.key, data: f.data });
  },
};
