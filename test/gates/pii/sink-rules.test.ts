/**
 * The four sink rules each own their predicate. On plain sink-hit data (no parsing, no syntax nodes),
 * each predicate alone decides whether a hit is its rule's finding and at what severity; through the
 * engine, turning one of the four off leaves exactly what the other three report.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/loader.js';
import { evaluate } from '../../../src/core/engine.js';
import { coreGate } from '../../../src/gates/core/index.js';
import type { LoggedField, LoggedObject, SinkClaim, SinkHit, SinkPredicate } from '../../../src/gates/pii/analyse.js';
import { WHOLE_OBJECTS, type WholeObjectId } from '../../../src/gates/pii/flow.js';
import { piiGate } from '../../../src/gates/pii/index.js';
import type { PrismaSecretIndex } from '../../../src/gates/pii/prisma-index.js';
import { claim as personalDataLogged } from '../../../src/gates/pii/rules/personal-data-logged.js';
import { claim as sensitiveFieldLogged } from '../../../src/gates/pii/rules/sensitive-field-logged.js';
import { claim as unredactedRequestLog } from '../../../src/gates/pii/rules/unredacted-request-log.js';
import { claimWithSchema, claim as wholeObjectLogged } from '../../../src/gates/pii/rules/whole-object-logged.js';
import type { SensitiveMatch } from '../../../src/gates/pii/sensitive.js';
import { memoryChangeSet } from '../../../src/source/memory.js';

const SINK_RULES = [
  'pii/personal-data-logged',
  'pii/sensitive-field-logged',
  'pii/unredacted-request-log',
  'pii/whole-object-logged',
] as const;

const PREDICATES: Record<(typeof SINK_RULES)[number], SinkPredicate> = {
  'pii/personal-data-logged': personalDataLogged,
  'pii/sensitive-field-logged': sensitiveFieldLogged,
  'pii/unredacted-request-log': unredactedRequestLog,
  'pii/whole-object-logged': wholeObjectLogged,
};

const LOGGER = { name: 'logger.info', kind: 'log' } as const;

function field(match: Omit<SensitiveMatch, 'identifier'>, expr: string, weak?: LoggedField['weak']): LoggedField {
  return { kind: 'field', match: { ...match, identifier: expr }, expr, via: [], ...(weak ? { weak } : {}) };
}

function object(id: WholeObjectId, extra: Partial<LoggedObject> = {}): LoggedObject {
  return { kind: 'object', object: { id, ...WHOLE_OBJECTS[id] }, expr: id, via: [], ...extra };
}

function hit(source: SinkHit['source'], sink: SinkHit['sink'] = LOGGER): SinkHit {
  return { sink, source, line: 1 };
}

/** Every rule whose predicate claims the hit, with its claim. */
function owners(h: SinkHit, predicates: Record<string, SinkPredicate> = PREDICATES): Record<string, SinkClaim> {
  const out: Record<string, SinkClaim> = {};
  for (const [rule, claim] of Object.entries(predicates)) {
    const c = claim(h);
    if (c) out[rule] = c;
  }
  return out;
}

const PASSWORD = { category: 'credential', severity: 'blocker', label: 'password', term: 'password' } as const;
const CARD = { category: 'payment', severity: 'blocker', label: 'card number', term: 'card number' } as const;
const EMAIL = { category: 'contact', severity: 'warning', label: 'email address', term: 'email' } as const;
const SESSION_ID = { category: 'token', severity: 'blocker', label: 'session id', term: 'session id' } as const;

describe('each sink rule owns its predicate, judged on plain sink-hit data', () => {
  it('named values: secrets and regulated data, personal data, and the id of a session record', () => {
    expect(owners(hit(field(PASSWORD, 'req.body.password')))).toEqual({ 'pii/sensitive-field-logged': {} });
    expect(owners(hit(field(CARD, 'card.number')))).toEqual({ 'pii/sensitive-field-logged': {} });
    expect(owners(hit(field(EMAIL, 'user.email')))).toEqual({ 'pii/personal-data-logged': {} });
    // A session record's id is only possibly the cookie: the secret rule reports it, as a warning.
    expect(owners(hit(field(SESSION_ID, 'session.id', 'session-record-id')))).toEqual({
      'pii/sensitive-field-logged': { severity: 'warning' },
    });
  });

  it('request-level objects; a fetch Request is a warning only where a structured logger serialises it', () => {
    for (const id of ['request', 'headers', 'cookies', 'response-headers', 'lambda-event'] as const)
      expect(owners(hit(object(id)))).toEqual({ 'pii/unredacted-request-log': {} });
    const fetchRequest = object('request', { fetch: true });
    expect(owners(hit(fetchRequest))).toEqual({ 'pii/unredacted-request-log': { severity: 'warning' } });
    expect(owners(hit(fetchRequest, { name: 'console.log', kind: 'log' }))).toEqual({
      'pii/unredacted-request-log': {},
    });
    expect(owners(hit(fetchRequest, { name: 'Sentry.captureMessage', kind: 'tracker' }))).toEqual({
      'pii/unredacted-request-log': {},
    });
    // What the file shows about a request-level object does not move it to the other object rule.
    expect(owners(hit(object('headers', { credential: 'the route is /login' })))).toEqual({
      'pii/unredacted-request-log': {},
    });
  });

  it('whole objects: a warning, a blocker for the environment and where the analysis saw a credential', () => {
    for (const id of ['body', 'query', 'user', 'session', 'payload', 'http-error', 'model-dump'] as const)
      expect(owners(hit(object(id)))).toEqual({ 'pii/whole-object-logged': {} });
    expect(owners(hit(object('body', { credential: 'it is the body of the `/login` route' })))).toEqual({
      'pii/whole-object-logged': { severity: 'blocker', credential: 'it is the body of the `/login` route' },
    });
    expect(owners(hit(object('env')))).toEqual({
      'pii/whole-object-logged': { severity: 'blocker', credential: "the environment holds the service's secrets" },
    });
  });

  it("whole rows: the schema's secret columns decide, and a row without one is left to its variable's name", () => {
    const index: PrismaSecretIndex = new Map([
      [
        'account',
        [
          {
            model: 'Account',
            path: 'prisma/schema.prisma',
            line: 3,
            columns: ['id', 'email', 'passwordHash'],
            secrets: [{ field: 'passwordHash', line: 6, label: 'password', stored: true, password: true }],
          },
        ],
      ],
      ['invoice', [{ model: 'Invoice', path: 'prisma/schema.prisma', line: 9, columns: ['id'], secrets: [] }]],
    ]);
    const withSchema = { ...PREDICATES, 'pii/whole-object-logged': claimWithSchema(index) };
    const read = { method: 'findUnique', omit: [], dynamic: false };
    expect(owners(hit(object('db-row', { row: { accessor: 'account', ...read } })), withSchema)).toEqual({
      'pii/whole-object-logged': {
        severity: 'blocker',
        secretRow: {
          model: 'Account',
          path: 'prisma/schema.prisma',
          line: 3,
          columns: ['`passwordHash` (password, hashed or encrypted)'],
          fields: ['passwordHash'],
          many: false,
          how: 'all',
        },
      },
    });
    // `omit` drops the secret: a row is then clean, a user-named row is still a user record.
    const omitted = { accessor: 'account', ...read, omit: ['passwordHash'] };
    expect(owners(hit(object('db-row', { row: omitted })), withSchema)).toEqual({});
    expect(owners(hit(object('user', { row: omitted })), withSchema)).toEqual({ 'pii/whole-object-logged': {} });
    expect(owners(hit(object('db-row', { row: { accessor: 'invoice', ...read } })), withSchema)).toEqual({});
  });
});

const GATES = [piiGate, coreGate];

/** One change with findings for each of the four sink rules, in TS and Python. */
const HEAD = {
  'src/routes.ts': [
    "import { logger } from './logger.js';",
    "router.post('/login', (req) => { logger.info({ body: req.body }); });",
    "router.post('/orders', (req) => { logger.info({ order: req.body }); });",
    'export function audit(req, user) {',
    '  logger.info({ password: req.body.password });',
    '  logger.info({ email: user.email, phone: user.phone });',
    '  logger.info({ headers: req.headers });',
    '  console.log(process.env);',
    '}',
  ].join('\n'),
  'src/logger.ts': "import pino from 'pino';\nexport const logger = pino({ redact: ['user.password'] });\n",
  'app/views.py': [
    'import logging',
    'logger = logging.getLogger(__name__)',
    'def view(request, user):',
    '    logger.info("login %s %s", user.email, request.POST["password"])',
    '    logger.info("headers %s", request.headers)',
    '    logger.info("user %s", user.__dict__)',
  ].join('\n'),
};

async function findingsWith(config: string) {
  const report = await evaluate({
    changeSet: memoryChangeSet({ base: {}, head: HEAD }),
    config: parseConfig(config, '.github/readiness.yml', GATES),
    gates: GATES,
    now: new Date('2026-06-01T00:00:00Z'),
  });
  return report.findings
    .filter((f) => (SINK_RULES as readonly string[]).includes(f.ruleId))
    .map((f) => ({ ruleId: f.ruleId, path: f.path, line: f.line, severity: f.severity, message: f.message }));
}

describe('each sink rule reports on its own', () => {
  it('turning one of the four off leaves what the other three report unchanged', async () => {
    const all = await findingsWith('');
    for (const rule of SINK_RULES)
      expect(
        all.filter((f) => f.ruleId === rule),
        rule,
      ).not.toEqual([]);
    for (const off of SINK_RULES) {
      const without = await findingsWith(`rules:\n  ${off}: off\n`);
      expect(without, `with ${off} off`).toEqual(all.filter((f) => f.ruleId !== off));
    }
  });
});
