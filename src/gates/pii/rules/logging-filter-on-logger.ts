import type { FileRule } from '../../../core/types.js';
import { lineOf } from '../../../lang/ts-helpers.js';
import { loggingFilterFindings } from '../config-checks.js';
import { resolveOptions, type PiiOptions } from '../options.js';
import { PY_FILES, skipFile } from '../report.js';

/**
 * pii/logging-filter-on-logger: a redaction-looking `logging.Filter` added to a logger
 * (`logger.addFilter(RedactFilter())`, `logging.getLogger().addFilter(...)`, dictConfig
 * `loggers.<name>.filters`) instead of to its handlers. Python applies a logger's filters only to records
 * logged on it, not to records propagated from child loggers.
 */
export const rule: FileRule<unknown, PiiOptions> = {
  scope: 'file',
  files: PY_FILES,
  prefilter: ['addFilter', 'filters'],
  meta: {
    id: 'pii/logging-filter-on-logger',
    gate: 'pii',
    severity: 'warning',
    description:
      'A Python redaction filter attached to a logger instead of its handlers, so records from child and library loggers bypass it.',
    messages: {
      logger:
        "The redaction filter `{{filter}}` is attached to {{logger}}, not to a handler. A logger's filters only see records logged on that very logger: records of its child loggers and of libraries reach the handlers without passing it, so their secrets are written unredacted.",
      dictConfig:
        'The redaction filter "{{filter}}" is attached to {{logger}} under `loggers`, not to a handler. A logger\'s filters only see records logged on that very logger: records of its child loggers and of libraries reach the handlers without passing it, so their secrets are written unredacted.',
    },
    fixes: {
      logger:
        'Attach it to every handler instead: `handler.addFilter({{filter}})` (or list it under `filters` of each entry in `handlers` with dictConfig).',
      dictConfig: 'Move "{{filter}}" to the `filters` list of each entry under `handlers`.',
    },
  },
  check(file, _change, ctx) {
    if (skipFile(file, ctx)) return;
    const redactors = resolveOptions(ctx.gateOptions).redactors;
    for (const f of loggingFilterFindings(file, redactors))
      ctx.report({ messageId: f.messageId, line: lineOf(f.node), key: f.key, data: f.data });
  },
};
