import type { Gate } from '../../core/types.js';
import { cookieIndex } from './cookie-index.js';
import { piiCoverage } from './coverage.js';
import { pinoLoggerIndex } from './logger-index.js';
import { prismaSecretIndex } from './prisma-index.js';
import { piiOptionsSchema, type PiiOptions } from './options.js';
import { SOURCE_FILES } from './report.js';
import { rules } from './rules/index.js';

/** Tokens whose absence from every source file means nothing in the repository logs anything. */
const LOGGING_TOKENS = [
  'console.',
  'logger',
  'logging',
  '.log',
  'log.',
  'print(',
  'Sentry',
  'sentry',
  'pino',
  'winston',
  'structlog',
  'loguru',
  'bunyan',
  'log4js',
  'debug',
  'stdout',
  'stderr',
];

/**
 * The PII-redaction gate: personal data and secrets on their way into a log, an error tracker or a
 * metric label, and logger configurations that would let them through.
 */
export const piiGate: Gate<PiiOptions> = {
  id: 'pii',
  title: 'PII redaction',
  description:
    'Finds secrets and personal data on their way into logs, stdout and error trackers (passwords, tokens, headers, emails, whole request objects), and logger configurations that would let them through (pino/pino-http redaction, winston format order, Python logging filters, structlog processors, loguru diagnose, Sentry default PII).',
  options: piiOptionsSchema,
  async applies({ snapshot, paths }) {
    const match = (p: string) => /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs|py)$/.test(p);
    if (!paths.some(match)) return false;
    return (await snapshot.grep(LOGGING_TOKENS, SOURCE_FILES)).length > 0;
  },
  indexes: [pinoLoggerIndex, cookieIndex, prismaSecretIndex],
  coverage: piiCoverage,
  rules,
};
