import type { FileRule } from '../../../core/types.js';
import type { LoggedObject, SinkPredicate } from '../analyse.js';
import type { WholeObjectId } from '../flow.js';
import type { PiiOptions } from '../options.js';
import { loggerIndexOf, resolveLogger } from '../logger-index.js';
import { covers } from '../pino.js';
import { baseData, listOf, reportSinks, SINK_PREFILTER, sinkHits, SOURCE_FILES } from '../report.js';

/** Objects whose logging leaks credentials by construction: every request puts them in the log. */
export const REQUEST_LEVEL: ReadonlySet<WholeObjectId> = new Set<WholeObjectId>([
  'request',
  'headers',
  'cookies',
  'response-headers',
  'lambda-event',
]);

/** Sinks that print objects with util.inspect, which shows a fetch Request's headers. */
const INSPECTS = /^(console\.|process\.std(out|err)\.)/;

/**
 * Reports a whole request, its headers or cookies, the response headers or a Lambda event. A fetch-API
 * Request (or its Headers) handed to a structured logger is a warning: JSON serialisation writes `{}`,
 * and only a logger that formats with util.inspect prints its headers.
 */
export const claim: SinkPredicate = ({ source, sink }) => {
  if (source.kind !== 'object' || !REQUEST_LEVEL.has(source.object.id)) return undefined;
  if (source.fetch && sink.kind === 'log' && !INSPECTS.test(sink.name)) return { severity: 'warning' };
  return {};
};

/** Receivers that are pino loggers whatever the file imports (Fastify's and pino-http's request loggers). */
const PINO_RECEIVER = /^(req|request|reply|res|fastify|app|server)\.log$/;

/**
 * The pino `redact` paths that would hide the credentials in this object, logged under `key`.
 * Paths follow the shape actually logged: `logger.info({ headers: req.headers })` needs
 * `headers.authorization`, not `req.headers.authorization`.
 */
export function redactPathsFor(source: LoggedObject): string[] {
  const at = (rest: string) => (source.key ? `${bracket(source.key)}.${rest}` : rest);
  switch (source.object.id) {
    case 'headers':
      return [at('authorization'), at('cookie')];
    case 'request':
      return [at('headers.authorization'), at('headers.cookie')];
    case 'lambda-event':
      // API Gateway keeps the client's header case.
      return [at('headers.authorization'), at('headers.Authorization'), at('headers.cookie'), at('headers.Cookie')];
    case 'response-headers':
      return [at('["set-cookie"]').replace('.[', '[')];
    default:
      return source.key ? [bracket(source.key)] : [];
  }
}

function bracket(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
}

/** An example of logging by name, in the sink's language. */
function example(py: boolean, lambda: boolean): string {
  if (lambda) return py ? '`event["requestContext"]["requestId"]`' : '`{ requestId: event.requestContext.requestId }`';
  return py ? '`request.method` and `request.path`' : '`{ requestId: req.id, method: req.method, path: req.path }`';
}

/**
 * pii/unredacted-request-log: a whole request, its headers or cookies, the response headers or a
 * Lambda event reaches a log call, stdout or the error tracker. When the logger is a pino logger the
 * gate knows (made in this file or imported from a module that makes one), the fix names the `redact`
 * paths for the shape logged here; when that logger's redaction already covers them, nothing is
 * reported.
 */
export const rule: FileRule<unknown, PiiOptions> = {
  scope: 'file',
  files: SOURCE_FILES,
  prefilter: SINK_PREFILTER,
  facts: [sinkHits],
  meta: {
    id: 'pii/unredacted-request-log',
    gate: 'pii',
    severity: 'blocker',
    description:
      'A whole request, its headers or cookies, the response headers or a Lambda event is logged, with every Authorization header and session cookie in it.',
    messages: {
      fetchRequest:
        '`{{sink}}` {{verb}} {{label}} (`{{value}}`){{via}} {{where}}. It is a fetch-API `Request`: a logger that serialises with JSON writes `{}` for it, but one that formats with util.inspect (console, log4js, pretty printers) prints every header, Authorization and Cookie included.',
      object:
        '`{{sink}}` {{verb}} {{label}} (`{{value}}`){{via}} {{where}}. It carries {{carries}}, so every request puts live credentials in {{store}}.',
      objectPino:
        '`{{sink}}` {{verb}} {{label}} (`{{value}}`){{via}} {{where}}{{under}}. It carries {{carries}}, so every request puts live credentials in {{store}}.',
      objectKnown:
        '`{{sink}}` {{verb}} {{label}} (`{{value}}`){{via}} {{where}}{{under}}. It carries {{carries}}, and the redaction of `{{logger}}` ({{loggerAt}}) does not cover this shape{{current}}, so every request puts live credentials in {{store}}.',
    },
    fixes: {
      fetchRequest:
        'Log the fields you need by name, e.g. `{ method: request.method, url: request.url }`: they read the same whatever the logger does.',
      object: 'Log only the fields you need by name, e.g. {{example}}, never the whole object.',
      objectPino:
        "Log only the fields you need by name, e.g. {{example}}. If the object must stay, add {{paths}} to the logger's `redact` paths: redaction matches the shape logged here, not `req.headers.*`.",
      objectKnown:
        'Log only the fields you need by name, e.g. {{example}}. If the object must stay, add {{paths}} to the `redact` paths of `{{logger}}` in {{loggerAt}}.',
    },
  },
  check(file, _change, ctx) {
    const pinoFile = /\bpino\b|fastify|hapi-pino|nestjs-pino/.test(file.text);
    const index = loggerIndexOf(ctx);
    const py = file.language === 'python';
    reportSinks(claim, file, ctx, (f) => {
      const source = f.source as LoggedObject;
      if (source.fetch && f.severity === 'warning')
        return { messageId: 'fetchRequest', data: { ...baseData(f), label: source.object.label } };
      const data = {
        ...baseData(f),
        label: source.object.label,
        carries: source.object.carries,
        example: example(py, source.object.id === 'lambda-event'),
      };
      const receiver = f.sink.name.slice(0, f.sink.name.lastIndexOf('.'));
      if (f.sink.kind !== 'log' || py || f.sink.name.startsWith('console.')) return { messageId: 'object', data };
      const paths = redactPathsFor(source);
      if (paths.length === 0) return { messageId: 'object', data };
      const under = source.key ? ` under the key \`${source.key}\`` : ' as the merge object';
      const quoted = listOf(paths.map((p) => `\`${p}\``));
      const known = /^[A-Za-z_$][\w$]*$/.test(receiver) ? resolveLogger(file, receiver, index) : undefined;
      if (known && !known.unknown) {
        const current = known.redact ?? [];
        // The logger already hides the credentials at this shape: the object is redacted.
        if (paths.every((p) => current.some((r) => covers(r, p)))) return undefined;
        return {
          messageId: 'objectKnown',
          data: {
            ...data,
            under,
            paths: quoted,
            logger: known.name,
            loggerAt: `${known.path}:${known.line}`,
            current: current.length
              ? ` (it redacts ${listOf(current.map((p) => `\`${p}\``))})`
              : ' (it has no `redact` paths)',
          },
        };
      }
      if (!(PINO_RECEIVER.test(receiver) || pinoFile)) return { messageId: 'object', data };
      return { messageId: 'objectPino', data: { ...data, under, paths: quoted } };
    });
  },
};
