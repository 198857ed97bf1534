// The pii gate's rules, sorted by id. `npm run new-rule` rewrites this list; the registry test checks it.
import { rule as loggingFilterOnLogger } from './logging-filter-on-logger.js';
import { rule as loguruDiagnose } from './loguru-diagnose.js';
import { rule as personalDataLogged } from './personal-data-logged.js';
import { rule as pinoHttpMissingRedact } from './pino-http-missing-redact.js';
import { rule as pinoRedactPathMismatch } from './pino-redact-path-mismatch.js';
import { rule as pinoSerializerWithoutRedact } from './pino-serializer-without-redact.js';
import { rule as sensitiveFieldLogged } from './sensitive-field-logged.js';
import { rule as sentrySendDefaultPii } from './sentry-send-default-pii.js';
import { rule as structlogProcessorOrder } from './structlog-processor-order.js';
import { rule as unredactedRequestLog } from './unredacted-request-log.js';
import { rule as wholeObjectLogged } from './whole-object-logged.js';
import { rule as winstonRedactionOrder } from './winston-redaction-order.js';

export const rules = [
  loggingFilterOnLogger,
  loguruDiagnose,
  personalDataLogged,
  pinoHttpMissingRedact,
  pinoRedactPathMismatch,
  pinoSerializerWithoutRedact,
  sensitiveFieldLogged,
  sentrySendDefaultPii,
  structlogProcessorOrder,
  unredactedRequestLog,
  wholeObjectLogged,
  winstonRedactionOrder,
];
