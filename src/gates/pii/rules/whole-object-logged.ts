import type { FileRule } from '../../../core/types.js';
import type { SourceFile } from '../../../lang/source-file.js';
import type { LoggedObject, SinkClaim, SinkFinding, SinkPredicate } from '../analyse.js';
import type { RowRead, WholeObjectId } from '../flow.js';
import { loggerIndexOf, resolveLogger, type PinoLoggerIndex } from '../logger-index.js';
import type { PiiOptions } from '../options.js';
import { covers } from '../pino.js';
import { prismaIndexOf, type PrismaSecretIndex } from '../prisma-index.js';
import { baseData, listOf, reportSinks, SINK_PREFILTER, sinkHits, SOURCE_FILES } from '../report.js';

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
  'db-row': "the row's id and the columns you need by name",
};

/** What the schema says about a logged row: its model and the secret columns the read keeps. */
export interface SecretRow {
  model: string;
  /** Where the model is declared. */
  path: string;
  line: number;
  /** "`passwordHash` (password, hashed or encrypted)". */
  columns: string[];
  /** The field names of those columns, as the row object has them. */
  fields: string[];
  /** The read returns a list of rows (`findMany`). */
  many: boolean;
  /** Why the row keeps them: no `select`/`omit` at all, a `select` asking for one, or arguments it cannot read. */
  how: 'all' | 'selected' | 'dynamic';
}

/** What this rule's predicate says about a whole object it reports. */
export interface WholeObjectClaim extends SinkClaim {
  /** Why the object counts as carrying a credential (the finding is then a blocker). */
  credential?: string;
  /** A whole database row whose model has secret columns the read keeps. */
  secretRow?: SecretRow;
}

/** Why a logged row keeps its secret columns, for the message. */
const HOW: Record<SecretRow['how'], string> = {
  all: 'a read without `select` or `omit` returns every column',
  selected: "the read's `select` asks for it",
  dynamic: "the read's arguments are not a literal object, so nothing shows the column is left out",
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
  'db-row',
]);

/**
 * Reports a whole body, query, user, session, payload, HTTP client error, every field of an object, or
 * the environment: a warning, a blocker for the environment and where the file shows the object carries
 * a credential (`credential` of the logged object).
 */
export const claim: SinkPredicate<WholeObjectClaim> = ({ source }) => {
  if (source.kind !== 'object' || !WHOLE_OBJECT_IDS.has(source.object.id)) return undefined;
  if (source.object.id === 'env')
    return { severity: 'blocker', credential: "the environment holds the service's secrets" };
  return source.credential ? { severity: 'blocker', credential: source.credential } : {};
};

/**
 * The same predicate with the schema's secret columns: a row read through the Prisma client whose model
 * has a secret column the read keeps is reported as such (a blocker when the read certainly keeps a
 * password, plain or hashed, or a plain API key, token or secret; a warning for the hash of a random
 * secret, an argument list it cannot read, or a model name several schemas declare differently). A row
 * of a model without one is left to its variable's name (`user` is still a user record).
 */
export function claimWithSchema(index: PrismaSecretIndex | undefined): SinkPredicate<WholeObjectClaim> {
  return (hit) => {
    const { source } = hit;
    if (source.kind === 'object' && source.row) {
      const found = secretRowOf(source.row, index);
      if (found) return found;
      if (source.object.id === 'db-row') return undefined;
    }
    return claim(hit);
  };
}

function secretRowOf(row: RowRead, index: PrismaSecretIndex | undefined): WholeObjectClaim | undefined {
  const models = index?.get(row.accessor);
  if (!models?.length) return undefined;
  // Several schemas declare the model (a monorepo): report what any of them keeps, surely only if all agree.
  const first = models.find((m) => m.secrets.length > 0);
  if (!first) return undefined;
  const kept = first.secrets.filter(
    (c) => !row.omit.includes(c.field) && (row.select === undefined || row.select.includes(c.field)),
  );
  if (kept.length === 0) return undefined;
  const agreed = models.every((m) => m.secrets.map((c) => c.field).join() === first.secrets.map((c) => c.field).join());
  const certain = !row.dynamic && agreed && kept.some((c) => !c.stored || c.password);
  const secretRow: SecretRow = {
    model: first.model,
    path: first.path,
    line: first.line,
    columns: kept.map((c) => `\`${c.field}\` (${c.label}${c.stored ? ', hashed or encrypted' : ''})`),
    fields: kept.map((c) => c.field),
    many: /Many/.test(row.method) && !row.element,
    how: row.dynamic ? 'dynamic' : row.select ? 'selected' : 'all',
  };
  return { severity: certain ? 'blocker' : 'warning', secretRow };
}

/**
 * Whether the pino logger of the call (made in this file or imported from one the logger index knows)
 * redacts every secret column of the row at the shape logged here: `account.passwordHash` under the key
 * `account`, `passwordHash` as the merge object, `rows.0.passwordHash` for a list (`rows[*].passwordHash`).
 */
function redactedByLogger(
  f: SinkFinding<WholeObjectClaim>,
  row: SecretRow,
  file: SourceFile,
  loggers: PinoLoggerIndex | undefined,
) {
  if (f.sink.kind !== 'log' || f.sink.name.startsWith('console.')) return false;
  const receiver = f.sink.name.slice(0, f.sink.name.lastIndexOf('.'));
  const known = /^[A-Za-z_$][\w$]*$/.test(receiver) ? resolveLogger(file, receiver, loggers) : undefined;
  if (!known || known.unknown || !known.redact?.length) return false;
  const source = f.source as LoggedObject;
  const prefix = [...(source.key !== undefined ? [source.key] : []), ...(row.many ? ['0'] : [])];
  return row.fields.every((field) => known.redact!.some((r) => covers(r, [...prefix, field].join('.'))));
}

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
  facts: [sinkHits],
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
      secretColumnRow:
        '`{{sink}}` {{verb}} a whole `{{model}}` row (`{{value}}`){{via}} {{where}}, and the row carries {{columns}}: {{how}} (model at {{schema}}). Everyone with access to {{store}} can read it.',
    },
    fixes: {
      default: 'Log {{instead}}.',
      secretColumnRow:
        "Log the row's id and the columns you need by name, or read it with a `select` that leaves the secret out (or `omit: { {{omit}}: true }`).",
    },
  },
  check(file, _change, ctx) {
    const loggers = loggerIndexOf(ctx);
    reportSinks(claimWithSchema(prismaIndexOf(ctx)), file, ctx, (f) => {
      const source = f.source as LoggedObject;
      if (f.secretRow && redactedByLogger(f, f.secretRow, file, loggers)) return undefined;
      if (f.secretRow)
        return {
          messageId: 'secretColumnRow',
          data: {
            ...baseData(f),
            model: f.secretRow.model,
            schema: `${f.secretRow.path}:${f.secretRow.line}`,
            columns: listOf(f.secretRow.columns),
            omit: f.secretRow.columns[0]!.replace(/^`([^`]+)`.*$/, '$1'),
            how: HOW[f.secretRow.how],
          },
          related: [{ path: f.secretRow.path, line: f.secretRow.line, message: `model ${f.secretRow.model}` }],
        };
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
