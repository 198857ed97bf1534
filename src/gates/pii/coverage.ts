/**
 * The PII gate's coverage facts: the pino loggers whose redaction it read, and those whose options it
 * could not read statically (their redaction is then unknown, so what reaches them is judged without it).
 */
import type { CoverageContext, GateCoverage } from '../../core/types.js';
import { pinoLoggerIndex } from './logger-index.js';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function piiCoverage(ctx: CoverageContext): GateCoverage {
  const loggers = [...ctx.index(pinoLoggerIndex).values()].flat();
  const opaque = loggers.filter((l) => l.unknown);
  const first = opaque[0];
  return {
    examined:
      loggers.length > 0
        ? [
            `${plural(loggers.length, 'pino logger')} with ${plural(loggers.filter((l) => l.redact).length, 'redaction list')} read`,
          ]
        : [],
    notAnalysed:
      opaque.length > 0
        ? [
            {
              subject: plural(opaque.length, 'pino logger'),
              reason: 'options not readable statically: its redaction is unknown',
              ...(first ? { path: first.path, line: first.line } : {}),
            },
          ]
        : [],
  };
}
