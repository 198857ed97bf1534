import type { FileRule } from '../../../core/types.js';
import { lineOf } from '../../../lang/ts-helpers.js';
import { structlogFindings } from '../config-checks.js';
import { resolveOptions, type PiiOptions } from '../options.js';
import { PY_FILES, skipFile } from '../report.js';

/**
 * pii/structlog-processor-order: in `structlog.configure(processors=[…])` (or `wrap_logger`,
 * `ProcessorFormatter`) a redaction-looking processor comes after `JSONRenderer`, `ConsoleRenderer`,
 * `LogfmtRenderer`, `KeyValueRenderer` or `ProcessorFormatter.wrap_for_formatter`.
 */
export const rule: FileRule<unknown, PiiOptions> = {
  scope: 'file',
  files: PY_FILES,
  prefilter: ['structlog'],
  meta: {
    id: 'pii/structlog-processor-order',
    gate: 'pii',
    severity: 'warning',
    description: 'A structlog redaction processor placed after the renderer, so it never sees the event dict.',
    messages: {
      order:
        'The processor `{{processor}}` comes after the renderer `{{renderer}}`: by then the event dict is already a rendered string, so the redaction never applies (or breaks logging) and the fields it should hide are logged in clear.',
    },
    fixes: {
      order: 'Move `{{processor}}` before `{{renderer}}`: the renderer must be the last processor.',
    },
  },
  check(file, _change, ctx) {
    if (skipFile(file, ctx)) return;
    const redactors = resolveOptions(ctx.gateOptions).redactors;
    for (const f of structlogFindings(file, redactors))
      ctx.report({ messageId: f.messageId, line: lineOf(f.node), key: f.key, data: f.data });
  },
};
