import type { FileRule } from '../../../core/types.js';
import { credentialReason, type SinkPredicate } from '../analyse.js';
import type { ObjectSource, WholeObjectId } from '../flow.js';
import type { PiiOptions } from '../options.js';
import { baseData, reportSinks, SINK_PREFILTER, SOURCE_FILES } from '../report.js';

/** What to log instead, per object. */
const INSTEAD: Partial<Record<WholeObjectId, string>> = {
  body: 'the fields you need by name (`{ orderId: body.orderId, items: body.items.length }`)',
  query: 'the parameters you need by name',
  user: "the user's opaque id (`{ userId: user.id }`)",
  session: "the session's opaque id hash or the user id",
  payload: 'the claims you need by name (`sub`, `iss`), never the whole payload',
  'http-error':
    '`err.message`, `err.code` and `err.response?.status` (axios keeps the request configuration and headers on the error)',
  env: 'the specific non-secret settings you need by name',
  'model-dump': 'the attributes you need by name',
};

/** The objects this rule reports: they carry more than anyone meant to log, credentials only sometimes. */
export const WHOLE_OBJECT_IDS: ReadonlySet<WholeObjectId> = new Set<WholeObjectId>([
  'body',
  'query',
  'user',
  'session',
  'payload',
  'http-error',
  'env',
  'model-dump',
]);

/**
 * Reports a whole body, query, user, session, payload, HTTP client error, every field of an object, or
 * the environment: a warning, a blocker for the environment and where the object visibly carries a
 * credential ({@link credentialReason}).
 */
export const claim: SinkPredicate = (hit) => {
  const { source } = hit;
  if (source.kind !== 'object' || !WHOLE_OBJECT_IDS.has(source.object.id)) return undefined;
  if (source.object.id === 'env')
    return { severity: 'blocker', credential: "the environment holds the service's secrets" };
  const credential = credentialReason({ ...hit, source });
  return credential ? { severity: 'blocker', credential } : {};
};

/**
 * pii/whole-object-logged: a request body, query, user record, session, token payload, an HTTP client
 * error's request configuration, the process environment or every attribute of an object is logged.
 * Warning; blocker when the object visibly carries a credential (the handler reads `req.body.password`,
 * the route is `/login`, the error's request sets an Authorization header) and for the environment.
 */
export const rule: FileRule<unknown, PiiOptions> = {
  scope: 'file',
  files: SOURCE_FILES,
  prefilter: SINK_PREFILTER,
  meta: {
    id: 'pii/whole-object-logged',
    gate: 'pii',
    severity: 'warning',
    description:
      'A whole request body, user record, session, payload, HTTP client error or the environment is logged (blocker when it visibly carries a credential).',
    messages: {
      object:
        '`{{sink}}` {{verb}} {{label}} (`{{value}}`){{via}} {{where}}. It carries {{carries}}; every field lands in {{store}}, including fields added later.',
      credential:
        '`{{sink}}` {{verb}} {{label}} (`{{value}}`){{via}} {{where}}, and it carries a credential: {{credential}}. Everyone with access to {{store}} can reuse it.',
    },
    fixes: {
      default: 'Log {{instead}}.',
    },
  },
  check(file, _change, ctx) {
    reportSinks(claim, file, ctx, (f) => {
      const source = f.source as ObjectSource;
      const data = {
        ...baseData(f),
        label: source.object.label,
        carries: source.object.carries,
        instead: INSTEAD[source.object.id] ?? 'the fields you need by name',
      };
      return f.credential
        ? { messageId: 'credential', data: { ...data, credential: f.credential } }
        : { messageId: 'object', data };
    });
  },
};
