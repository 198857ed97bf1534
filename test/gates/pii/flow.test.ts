/**
 * The sink analysis on small snippets: which calls are sinks, what the value flow finds (and where it
 * came from), what is clean, and how whole objects are escalated. The rule fixtures cover realistic
 * files; these pin down the semantics one construct at a time.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeSource, loadParsers, type SourceFile } from '../../../src/lang/index.js';
import { analyseSinks, describeVia, type SinkHit, type SinkPredicate } from '../../../src/gates/pii/analyse.js';
import { WHOLE_OBJECTS, type WholeObjectId } from '../../../src/gates/pii/flow.js';
import { piiOptionsSchema, resolveOptions } from '../../../src/gates/pii/options.js';
import { findSinks } from '../../../src/gates/pii/sinks.js';
import { claim as personalDataLogged } from '../../../src/gates/pii/rules/personal-data-logged.js';
import { claim as sensitiveFieldLogged } from '../../../src/gates/pii/rules/sensitive-field-logged.js';
import { claim as unredactedRequestLog, REQUEST_LEVEL } from '../../../src/gates/pii/rules/unredacted-request-log.js';
import { claim as wholeObjectLogged, WHOLE_OBJECT_IDS } from '../../../src/gates/pii/rules/whole-object-logged.js';

/** The four sink rules' own predicates: each hit must be claimed by exactly one. */
const CLAIMS: ReadonlyArray<[string, SinkPredicate]> = [
  ['sensitive-field-logged', sensitiveFieldLogged],
  ['personal-data-logged', personalDataLogged],
  ['unredacted-request-log', unredactedRequestLog],
  ['whole-object-logged', wholeObjectLogged],
];

beforeAll(async () => {
  await loadParsers(['typescript', 'javascript', 'python']);
});

function file(path: string, text: string): SourceFile {
  const r = decodeSource(path, Buffer.from(text));
  if (!r.ok) throw new Error(r.detail);
  return r.file;
}

/** `rule expr` for every finding of a snippet (one statement per line keeps lines obvious). */
function findings(text: string, path = 'src/a.ts', options = {}): string[] {
  return analyseSinks(file(path, text), resolveOptions(piiOptionsSchema.parse(options))).map(show);
}

/** The hit as the rule that claims it reports it (the rules dedupe per value and line; these snippets repeat none). */
function claimed(hit: SinkHit): SinkHit & { rule: string; severity?: string; credential?: string } {
  const owners = CLAIMS.flatMap(([rule, claim]) => {
    const c = claim(hit);
    return c ? [{ ...hit, ...c, rule }] : [];
  });
  expect(owners.map((o) => o.rule)).toHaveLength(1);
  return owners[0]!;
}

function show(hit: SinkHit): string {
  const f = claimed(hit);
  const what = f.source.kind === 'field' ? f.source.match.label : f.source.object.id;
  return `${f.rule}${f.severity ? `[${f.severity}]` : ''} ${what} ${f.source.expr}`;
}

function all(text: string, path = 'src/a.ts'): Array<ReturnType<typeof claimed>> {
  return analyseSinks(file(path, text), resolveOptions(undefined)).map(claimed);
}

describe('sink rule predicates', () => {
  it('the request-level and whole-object rules split every whole object between them', () => {
    for (const id of Object.keys(WHOLE_OBJECTS) as WholeObjectId[])
      expect([REQUEST_LEVEL.has(id), WHOLE_OBJECT_IDS.has(id)].filter(Boolean)).toHaveLength(1);
  });
});

describe('sinks', () => {
  const names = (text: string, path = 'src/a.ts') => findSinks(file(path, text)).map((s) => `${s.kind}:${s.name}`);

  it('finds JS/TS loggers by receiver name, factory binding and library', () => {
    const text = [
      "import pino from 'pino';",
      "import createDebug from 'debug';",
      "import * as Sentry from '@sentry/node';",
      'const l = pino();',
      "const dbg = createDebug('app');",
      'l.info(x);',
      'logger.warn(x);',
      'this.logger.log(x);',
      'req.log.error(x);',
      'fastify.log.debug(x);',
      'auditLog.info(x);',
      'Logger.verbose(x);',
      'winston.info(x);',
      'logger.child({ a });',
      'logger.child({ a }).info(x);',
      'dbg(x);',
      'console.table(x);',
      'process.stderr.write(x);',
      'Sentry.setUser(x);',
      'scope.setExtra(k, x);',
    ].join('\n');
    expect(names(text)).toEqual([
      'log:l.info',
      'log:logger.warn',
      'log:this.logger.log',
      'log:req.log.error',
      'log:fastify.log.debug',
      'log:auditLog.info',
      'log:Logger.verbose',
      'log:winston.info',
      'log:logger.child',
      'log:logger.child({ a }).info',
      'log:logger.child',
      'log:dbg',
      'log:console.table',
      'stdout:process.stderr.write',
      'tracker:Sentry.setUser',
      'tracker:scope.setExtra',
    ]);
  });

  it('ignores look-alikes that are not loggers', () => {
    const text = [
      'Math.log(x);',
      'changelog.info(x);',
      'dialog.error(x);',
      'blog.log(x);',
      'history.log(x);',
      'catalog.warn(x);',
      'debug(x);',
    ].join('\n');
    expect(names(text)).toEqual([]);
  });

  it('finds Python loggers, structlog/loguru binds, print and sentry_sdk', () => {
    const text = [
      'import logging',
      'import sentry_sdk',
      'import structlog',
      'lg = logging.getLogger(__name__)',
      'lg.info(x)',
      'logging.warning(x)',
      'logging.getLogger(__name__).error(x)',
      'structlog.get_logger().info("e", a=x)',
      'self.logger.exception(x)',
      'current_app.logger.info(x)',
      'log.bind(a=x)',
      'logger.opt(exception=True).info(x)',
      'print(x)',
      'sentry_sdk.set_user(x)',
      'sys.stdout.write(x)',
    ].join('\n');
    expect(names(text, 'app/a.py')).toEqual([
      'log:lg.info',
      'log:logging.warning',
      'log:logging.getLogger(__name__).error',
      'log:structlog.get_logger().info',
      'log:self.logger.exception',
      'log:current_app.logger.info',
      'log:log.bind',
      'log:logger.opt(exception=True).info',
      'stdout:print',
      'tracker:sentry_sdk.set_user',
      'stdout:sys.stdout.write',
    ]);
  });

  it('print is not a sink in command-line scripts', () => {
    expect(names('import argparse\nprint(token)\n', 'app/tool.py')).toEqual([]);
    expect(names('print(token)\nif __name__ == "__main__":\n    main()\n', 'app/tool.py')).toEqual([]);
    expect(names('print(token)\n', 'app/management/commands/rotate.py')).toEqual([]);
  });

  it('captureException: the error is not data we add, its context is', () => {
    const f = all("import * as Sentry from '@sentry/node';\nSentry.captureException(token, { extra: { token } });\n");
    expect(f.map(show)).toEqual(['sensitive-field-logged token token']);
  });
});

describe('value flow (TS/JS)', () => {
  it('follows destructuring, aliases and template strings, and says where the value came from', () => {
    const f = all(
      'function h(req) {\n  const { password } = req.body;\n  const p = password;\n  log.info(`login ${p}`);\n}\n',
    );
    expect(f.map(show)).toEqual(['sensitive-field-logged password req.body.password']);
    expect(describeVia(f[0]!.source.via)).toBe(
      ' (via `{ password } = req.body` on line 2, then `p = password` on line 3)',
    );
    expect(f[0]!.line).toBe(4);
  });

  it('follows concatenation, spread, arrays, ternaries and JSON.stringify', () => {
    expect(findings('log.info("t=" + token);')).toEqual(['sensitive-field-logged token token']);
    expect(findings('log.info({ ...{ apiKey } });')).toEqual(['sensitive-field-logged API key apiKey']);
    expect(findings('log.info([user.email]);')).toEqual(['personal-data-logged email address user.email']);
    expect(findings('log.info(ok ? user.phone : null);')).toEqual(['personal-data-logged phone number user.phone']);
    expect(findings('log.info(JSON.stringify({ ssn }));')).toEqual([
      'sensitive-field-logged social security number ssn',
    ]);
    expect(findings('log.info(new Error(`bad token ${token}`));')).toEqual(['sensitive-field-logged token token']);
  });

  it('names values by merge-object key, format label or preceding string when their own name says nothing', () => {
    expect(findings('log.info({ password: pw });')).toEqual(['sensitive-field-logged password password: pw']);
    expect(findings("log.info('token %s', t);")).toEqual(['sensitive-field-logged token t']);
    expect(findings('log.info(`api key=${k}`);')).toEqual(['sensitive-field-logged API key k']);
    expect(findings("console.log('password', value);")).toEqual(['sensitive-field-logged password value']);
    // The value's own name wins when it says something.
    expect(findings('log.info({ password: user.passwordChangedAt });')).toEqual([]);
    expect(findings('log.info({ token: userId });')).toEqual([]);
  });

  it('header lookups and getters name their value', () => {
    expect(findings("log.info(req.get('Authorization'));")).toEqual([
      "sensitive-field-logged Authorization header req.get('Authorization')",
    ]);
    expect(findings("log.info(headers.get('x-api-key'));")).toEqual([
      "sensitive-field-logged API key headers.get('x-api-key')",
    ]);
    expect(findings("log.info(req.headers['x-forwarded-for']);")).toEqual([
      "personal-data-logged client IP address (X-Forwarded-For) req.headers['x-forwarded-for']",
    ]);
    expect(findings('log.info(await getAccessToken());')).toEqual(['sensitive-field-logged token getAccessToken()']);
    expect(findings('log.info(user.getEmail());')).toEqual(['personal-data-logged email address user.getEmail()']);
    expect(findings('log.info(jwt.sign(claims, key));')).toEqual(['sensitive-field-logged JWT jwt.sign(claims, key)']);
    expect(findings("log.info(req.get('accept'));")).toEqual([]);
    expect(findings("log.info({ password: cfg.get('DB_PW') });")).toEqual([
      "sensitive-field-logged password password: cfg.get('DB_PW')",
    ]);
    expect(findings("log.info({ password: cfg.get('passwordPolicy') });")).toEqual([]);
    expect(findings('log.info(getTokenCount());')).toEqual([]);
  });

  it('lengths, booleans, comparisons, partial and redacted values are clean', () => {
    const clean = [
      'log.info({ n: password.length });',
      'log.info({ set: !!token });',
      'log.info({ set: Boolean(token) });',
      'log.info({ t: typeof token });',
      'log.info({ same: password === confirmation });',
      'log.info({ has: token != null });',
      'log.info({ tail: token.slice(-4) });',
      "log.info({ ok: token.startsWith('ey') });",
      'log.info({ email: maskEmail(email) });',
      'log.info({ email: redact(email) });',
      "log.info({ h: createHash('sha256').update(token).digest('hex') });",
      "log.info({ password: '***' });",
      'log.info({ keys: Object.keys(req.headers) });',
      'const masked = maskEmail(user.email);\nlog.info({ email: masked });',
      'const email = maskEmail(user.email);\nlog.info({ email });',
    ];
    for (const text of clean) expect(findings(text), text).toEqual([]);
  });

  it('configured redactors make values clean', () => {
    expect(findings('log.info({ email: obscure(email) });')).toEqual([
      'personal-data-logged email address email: obscure(email)',
    ]);
    expect(findings('log.info({ email: obscure(email) });', 'src/a.ts', { redactors: ['obscure'] })).toEqual([]);
    expect(findings('log.info({ email: pii.hide(email) });', 'src/a.ts', { redactors: ['pii.hide'] })).toEqual([]);
  });

  it('a typed parameter decides: booleans and numbers are not values, strings are', () => {
    expect(findings('function f(token: boolean) { log.info({ token }); }')).toEqual([]);
    expect(findings('function f(emailCount: number, email: string) { log.info({ email }); }')).toEqual([
      'personal-data-logged email address email',
    ]);
  });

  it('does not follow a name across functions or past later assignments', () => {
    expect(
      findings('const password = load();\nfunction f(password) {}\nfunction g() { const x = 1; log.info({ x }); }'),
    ).toEqual([]);
    expect(findings('function f() { log.info({ v }); const v = token; }')).toEqual([]);
  });

  it('a caught error is not relabelled by the words before it', () => {
    expect(findings('try { a(); } catch (e) { log.error(`refresh token: ${e}`); }')).toEqual([]);
    expect(findings('try:\n    a()\nexcept Exception as e:\n    log.error(f"bad email: {e}")\n', 'app/a.py')).toEqual(
      [],
    );
  });
});

describe('whole objects', () => {
  it('request, headers, cookies, response headers and Lambda events are blockers', () => {
    expect(
      findings(
        'function h(req, res) { log.info(req); log.info(req.headers); log.info(req.cookies); log.info(res.getHeaders()); }',
      ),
    ).toEqual([
      'unredacted-request-log request req',
      'unredacted-request-log headers req.headers',
      'unredacted-request-log cookies req.cookies',
      'unredacted-request-log response-headers res.getHeaders()',
    ]);
    expect(findings('export const handler = async (event, context) => { log.info(event); };')).toEqual([
      'unredacted-request-log lambda-event event',
    ]);
    expect(findings('function onClick(event) { log.info(event); }')).toEqual([]);
  });

  it('body, user, session and payload are warnings, escalated when they visibly carry a credential', () => {
    expect(findings("router.post('/orders', (req) => { log.info(req.body); });")).toEqual([
      'whole-object-logged body req.body',
    ]);
    expect(findings("router.post('/login', (req) => { log.info(req.body); });")).toEqual([
      'whole-object-logged[blocker] body req.body',
    ]);
    expect(findings("router.post('/x', (req) => { check(req.body.password); log.info(req.body); });")).toEqual([
      'whole-object-logged[blocker] body req.body',
    ]);
    expect(findings('function f(user) { log.info({ user }); }')).toEqual(['whole-object-logged user user']);
    expect(findings('function f(user) { verify(user.password); log.info({ user }); }')).toEqual([
      'whole-object-logged[blocker] user user',
    ]);
    expect(findings('log.info(process.env);')).toEqual(['whole-object-logged[blocker] env process.env']);
  });

  it('an HTTP client error is escalated when the file sets an Authorization header', () => {
    const plain = 'try { await get(u); } catch (err) { log.error(err.config); }';
    expect(findings(plain)).toEqual(['whole-object-logged http-error err.config']);
    expect(findings(`const c = axios.create({ headers: { Authorization: t } });\n${plain}`)).toEqual([
      'whole-object-logged[blocker] http-error err.config',
    ]);
    // The name's text is looked for before the tree: spelled with escapes, it is still found.
    for (const key of ["'Author\\u0069zation'", "'Author\\x69zation'", "'Author\\izat\\ion'", "'Author\\\nization'"])
      expect(findings(`const c = axios.create({ headers: { ${key}: t } });\n${plain}`), key).toEqual([
        'whole-object-logged[blocker] http-error err.config',
      ]);
    expect(findings(`const c = axios.create({ headers: { 'X-Auth\\tn': t } });\n${plain}`)).toEqual([
      'whole-object-logged http-error err.config',
    ]);
  });

  it('Fastify request loggers serialize req without headers', () => {
    expect(
      findings("import Fastify from 'fastify';\napp.get('/', (request) => { request.log.info({ req: request }); });"),
    ).toEqual([]);
    expect(
      findings("import express from 'express';\napp.get('/', (request) => { request.log.info({ req: request }); });"),
    ).toEqual(['unredacted-request-log request request']);
  });
});

describe('value flow (Python)', () => {
  const py = (text: string, options = {}) => findings(text, 'app/views.py', options);

  it('follows assignments, %-args, f-strings, .format, concatenation and extra=', () => {
    expect(py('def f(request):\n    pw = request.POST["password"]\n    logger.info("login %s", pw)\n')).toEqual([
      'sensitive-field-logged password request.POST["password"]',
    ]);
    expect(py('logger.info(f"token={token}")')).toEqual(['sensitive-field-logged token token']);
    expect(py('logger.info("tok {}".format(access_token))')).toEqual(['sensitive-field-logged token access_token']);
    expect(py('logger.info("t=" + api_key)')).toEqual(['sensitive-field-logged API key api_key']);
    expect(py('logger.info("x %s" % (user.email,))')).toEqual(['personal-data-logged email address user.email']);
    expect(py('logger.info("x", extra={"card_number": c})')).toEqual([
      'sensitive-field-logged card number "card_number": c',
    ]);
    expect(py('log.info("login", password=pw)')).toEqual(['sensitive-field-logged password password=pw']);
    expect(py('logger.info("user %(email)s", {"email": e})')).toEqual([
      'personal-data-logged email address "email": e',
    ]);
  });

  it('header and environment lookups name their value', () => {
    expect(py('logger.info(request.headers.get("Authorization"))')).toEqual([
      'sensitive-field-logged Authorization header request.headers.get("Authorization")',
    ]);
    expect(py('logger.info(os.environ["DATABASE_URL"])')).toEqual([
      'sensitive-field-logged database URL os.environ["DATABASE_URL"]',
    ]);
    expect(py('logger.info(os.getenv("STRIPE_SECRET_KEY"))')).toEqual([
      'sensitive-field-logged secret key os.getenv("STRIPE_SECRET_KEY")',
    ]);
    expect(py('logger.info(request.headers.get("User-Agent"))')).toEqual([]);
  });

  it('lengths, booleans, slices and hashes are clean', () => {
    for (const text of [
      'logger.info("%d", len(password))',
      'logger.info("%s", token is None)',
      'logger.info("%s", not token)',
      'logger.info("%s", bool(api_key))',
      'logger.info("%s", token[-4:])',
      'logger.info("%s", hashlib.sha256(token.encode()).hexdigest())',
      'logger.info("%s", mask_email(email))',
    ]) {
      expect(py(text), text).toEqual([]);
    }
  });

  it('request headers, META, cookies, environment and model dumps are whole objects', () => {
    expect(
      py(
        'def v(request):\n    logger.info(request.headers)\n    logger.info(request.META)\n    logger.info(request.COOKIES)\n',
      ),
    ).toEqual([
      'unredacted-request-log headers request.headers',
      'unredacted-request-log headers request.META',
      'unredacted-request-log cookies request.COOKIES',
    ]);
    expect(py('logger.info(os.environ)')).toEqual(['whole-object-logged[blocker] env os.environ']);
    expect(py('logger.info(vars(user))')).toEqual(['whole-object-logged model-dump vars(user)']);
    expect(py('logger.info(order.model_dump())')).toEqual(['whole-object-logged model-dump order.model_dump()']);
    // A request's repr is its method and URL.
    expect(py('logger.info("%s", request)')).toEqual([]);
  });
});

describe('options', () => {
  it('the gate excludes scripts and Python test modules by default, and takes more globs', async () => {
    const defaults = resolveOptions(undefined);
    expect(defaults.excluded('scripts/seed.ts')).toBe(true);
    expect(defaults.excluded('app/tests/test_views.py')).toBe(true);
    expect(defaults.excluded('app/test_views.py')).toBe(true);
    expect(defaults.excluded('src/orders.ts')).toBe(false);
    const custom = resolveOptions(piiOptionsSchema.parse({ exclude: ['tools/**'] }));
    expect(custom.excluded('tools/x.ts')).toBe(true);
    expect(custom.excluded('scripts/seed.ts')).toBe(false);
    const added = resolveOptions(piiOptionsSchema.parse({ 'exclude-add': ['tools/**'] }));
    expect(added.excluded('tools/x.ts')).toBe(true);
    expect(added.excluded('scripts/seed.ts')).toBe(true);
  });
});
