/**
 * Sinks: the calls whose arguments end up in a log, on stdout (which the platform ships to the logs) or
 * at an error tracker (a third party).
 *
 * TS/JS: `console.*`, `process.stdout/stderr.write`, pino/winston/bunyan/log4js/NestJS loggers
 * (`logger.info`, `this.logger.log`, `req.log.info`, `fastify.log.warn`, `Logger.error`, any receiver
 * named `…log`/`…logger` or bound to a logger factory), `logger.child(bindings)`, `debug('ns')`
 * instances, Sentry (`captureMessage`, `captureException`'s context, `setUser`, `setContext`, `setExtra`,
 * `setTag`, `addBreadcrumb`, on `Sentry` or a scope).
 * Python: `logging.*`, logger methods (`logger`, `self.log`, `app.logger`, `logging.getLogger(…)`,
 * `structlog.get_logger()`, loguru), `extra=`, structlog/loguru keyword arguments, `.bind(…)`,
 * `bind_contextvars(…)`, `print` outside CLI scripts, `sys.stdout/stderr.write`, `sentry_sdk.*` and scopes.
 */
import type { SourceFile, TSNode } from '../../lang/source-file.js';
import {
  calleeName,
  descendantsOfType,
  dottedName,
  importsOf,
  keywordArgs,
  positionalArgs,
  stringValue,
} from '../../lang/ts-helpers.js';
import { trailingLabel } from './flow.js';
import { tokenize } from './sensitive.js';

export type SinkKind = 'log' | 'tracker' | 'stdout';

/** One value a sink emits, with the name it is logged under when the call gives one. */
export interface SinkArg {
  node: TSNode;
  /** Python keyword argument name (`password=pw`), or the label string before it (`print("token:", t)`). */
  name?: string;
  /** The node to point at when the name decides (the keyword argument). */
  labelNode?: TSNode;
  /** Placeholder label from the format string (`"token %s"`). */
  formatLabel?: string;
}

export interface Sink {
  call: TSNode;
  /** How the code calls it: `logger.info`, `console.log`, `print`, `Sentry.setUser`. */
  name: string;
  kind: SinkKind;
  args: SinkArg[];
  /** A Fastify logger: its `req` serializer logs no headers. */
  fastify: boolean;
}

const CONSOLE_METHODS = new Set(['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'table', 'assert']);
const JS_LOG_METHODS = new Set([
  'trace',
  'debug',
  'info',
  'warn',
  'warning',
  'error',
  'fatal',
  'log',
  'verbose',
  'silly',
  'notice',
  'crit',
  'critical',
  'alert',
  'emerg',
  'http',
  'success',
]);
const PY_LOG_METHODS = new Set([
  'debug',
  'info',
  'warning',
  'warn',
  'error',
  'exception',
  'critical',
  'fatal',
  'log',
  'trace',
  'success',
  'msg',
]);
const SENTRY_METHODS = new Set([
  'captureMessage',
  'captureException',
  'captureEvent',
  'setUser',
  'setContext',
  'setExtra',
  'setExtras',
  'setTag',
  'setTags',
  'addBreadcrumb',
]);
const SENTRY_PY = new Set([
  'capture_message',
  'capture_exception',
  'capture_event',
  'set_user',
  'set_context',
  'set_extra',
  'set_tag',
  'add_breadcrumb',
]);
/** Logger receivers by their last name token. */
const LOGGER_WORDS = new Set(['log', 'logger', 'logging', 'logs']);
/** Default loggers exported by libraries. */
const LIBRARY_LOGGERS = new Set(['winston', 'consola', 'signale', 'bunyan']);
/** Calls that make a logger (the variable they are assigned to is a logger, whatever its name). */
const JS_LOGGER_FACTORY =
  /^(pino|pinoHttp|createLogger|winston\.createLogger|bunyan\.createLogger|log4js\.getLogger|getLogger|Logger|consola\.create|createConsola|consola\.withTag|signale\.scope)$|\.child$/;
const PY_LOGGER_FACTORY =
  /^(logging\.getLogger|getLogger|structlog\.get_logger|structlog\.getLogger|structlog\.wrap_logger|get_logger|wrap_logger)$|\.(bind|new|opt|getChild|patch)$/;
/** Keyword arguments of stdlib logging calls that carry no data. */
const PY_CONTROL_KWARGS = new Set([
  'exc_info',
  'stack_info',
  'stacklevel',
  'level',
  'depth',
  'colors',
  'lazy',
  'raw',
  'capture',
]);

/** Every sink call in a TS/JS or Python file. */
export function findSinks(file: SourceFile): Sink[] {
  const tree = file.tree();
  if (!tree) return [];
  const py = file.language === 'python';
  const root = tree.rootNode;
  const imports = importsOf(tree);
  const ctx: FileContext = {
    py,
    loggerVars: loggerVariables(root, py),
    debugVars: py ? new Set() : debugVariables(root, imports),
    sentryNames: sentryBindings(imports, py),
    fastify: !py && [...imports.keys()].some((m) => m === 'fastify' || m.startsWith('@fastify/')),
    cli: py && isCliScript(file, imports),
  };
  const out: Sink[] = [];
  for (const call of descendantsOfType(root, py ? 'call' : 'call_expression')) {
    const sink = py ? pythonSink(call, ctx) : jsSink(call, ctx);
    if (sink) out.push(sink);
  }
  return out;
}

interface FileContext {
  py: boolean;
  loggerVars: Set<string>;
  debugVars: Set<string>;
  /** Local names bound to Sentry: `Sentry` namespaces, `sentry_sdk`, named `captureException`… */
  sentryNames: Map<string, 'namespace' | string>;
  fastify: boolean;
  cli: boolean;
}

function jsSink(call: TSNode, ctx: FileContext): Sink | undefined {
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  const args = positionalArgs(call);
  if (fn.type === 'member_expression') {
    const method = fn.childForFieldName('property')?.text ?? '';
    const recv = fn.childForFieldName('object');
    if (!recv) return undefined;
    const recvName = dottedName(recv);
    const name = `${recvName ?? recv.text.replace(/\s+/g, ' ')}.${method}`;
    if (recvName === 'console' && CONSOLE_METHODS.has(method)) {
      return make(call, name, 'log', method === 'assert' ? args.slice(1) : args, ctx);
    }
    if ((recvName === 'process.stdout' || recvName === 'process.stderr') && method === 'write')
      return make(call, name, 'stdout', args.slice(0, 1), ctx);
    if (
      recvName !== undefined &&
      SENTRY_METHODS.has(method) &&
      (ctx.sentryNames.get(recvName) === 'namespace' || recvName === 'Sentry' || isScope(recvName))
    ) {
      return make(call, name, 'tracker', sentryArgs(method, args), ctx);
    }
    if (method === 'child' && isJsLogger(recv, ctx)) return make(call, name, 'log', args.slice(0, 1), ctx);
    if (JS_LOG_METHODS.has(method) && isJsLogger(recv, ctx)) return make(call, name, 'log', args, ctx);
    return undefined;
  }
  if (fn.type === 'identifier') {
    const imported = ctx.sentryNames.get(fn.text);
    if (imported && imported !== 'namespace' && SENTRY_METHODS.has(imported))
      return make(call, fn.text, 'tracker', sentryArgs(imported, args), ctx);
    if (ctx.debugVars.has(fn.text)) return make(call, fn.text, 'log', args, ctx);
  }
  return undefined;
}

function sentryArgs(method: string, args: TSNode[]): TSNode[] {
  // captureException(err, context): the error is what Sentry is for; the context is data we send.
  return method === 'captureException' || method === 'capture_exception' ? args.slice(1) : args;
}

function isScope(name: string): boolean {
  return tokenize(name.split('.').at(-1) ?? name).at(-1) === 'scope';
}

function isJsLogger(recv: TSNode, ctx: FileContext): boolean {
  if (recv.type === 'call_expression') {
    const callee = calleeName(recv);
    if (callee === undefined) return false;
    if (callee.endsWith('.child')) {
      const inner = recv.childForFieldName('function')?.childForFieldName('object');
      return inner ? isJsLogger(inner, ctx) : false;
    }
    return JS_LOGGER_FACTORY.test(callee);
  }
  const name = dottedName(recv);
  if (name === undefined) return false;
  if (ctx.loggerVars.has(name) || LIBRARY_LOGGERS.has(name)) return true;
  const last = name.split('.').at(-1) ?? name;
  return LOGGER_WORDS.has(tokenize(last).at(-1) ?? '');
}

function pythonSink(call: TSNode, ctx: FileContext): Sink | undefined {
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  const name = calleeName(call);
  if (fn.type === 'identifier') {
    if (fn.text === 'print')
      return ctx.cli ? undefined : makePy(call, 'print', 'stdout', new Set(['file', 'sep', 'end', 'flush']));
    const imported = ctx.sentryNames.get(fn.text);
    if (imported && imported !== 'namespace' && SENTRY_PY.has(imported))
      return makePy(call, fn.text, 'tracker', undefined, imported === 'capture_exception');
    if (fn.text === 'bind_contextvars') return makePy(call, fn.text, 'log');
    return undefined;
  }
  if (fn.type !== 'attribute') return undefined;
  const method = fn.childForFieldName('attribute')?.text ?? '';
  const recv = fn.childForFieldName('object');
  if (!recv) return undefined;
  const recvName = dottedName(recv);
  const shown = name ?? `${recv.text.replace(/\s+/g, ' ')}.${method}`;
  if (recvName === 'logging' && PY_LOG_METHODS.has(method)) return makePy(call, shown, 'log');
  if ((recvName === 'sys.stdout' || recvName === 'sys.stderr') && method === 'write')
    return makePy(call, shown, 'stdout');
  if (
    recvName !== undefined &&
    SENTRY_PY.has(method) &&
    (ctx.sentryNames.get(recvName) === 'namespace' || recvName === 'sentry_sdk' || isScope(recvName))
  ) {
    return makePy(call, shown, 'tracker', undefined, method === 'capture_exception');
  }
  if (method === 'bind_contextvars') return makePy(call, shown, 'log');
  if ((method === 'bind' || method === 'new') && isPyLogger(recv, ctx)) return makePy(call, shown, 'log');
  if (PY_LOG_METHODS.has(method) && isPyLogger(recv, ctx)) return makePy(call, shown, 'log');
  return undefined;
}

function isPyLogger(recv: TSNode, ctx: FileContext): boolean {
  if (recv.type === 'call') {
    const callee = calleeName(recv);
    if (callee === undefined) return false;
    if (/\.(bind|new|opt|patch)$/.test(callee)) {
      const inner = recv.childForFieldName('function')?.childForFieldName('object');
      return inner ? isPyLogger(inner, ctx) : false;
    }
    return PY_LOGGER_FACTORY.test(callee);
  }
  const name = dottedName(recv);
  if (name === undefined) return false;
  if (ctx.loggerVars.has(name)) return true;
  const last = name.split('.').at(-1) ?? name;
  return LOGGER_WORDS.has(tokenize(last).at(-1) ?? '');
}

function make(call: TSNode, name: string, kind: SinkKind, args: TSNode[], ctx: FileContext): Sink {
  return { call, name, kind, args: labelArgs(args, 'printf'), fastify: ctx.fastify };
}

function makePy(call: TSNode, name: string, kind: SinkKind, skipKw?: Set<string>, skipFirst = false): Sink {
  const positional = positionalArgs(call);
  const args = labelArgs(skipFirst ? positional.slice(1) : positional, name === 'print' ? 'print' : 'percent');
  for (const [kw, value] of keywordArgs(call)) {
    if (PY_CONTROL_KWARGS.has(kw) || skipKw?.has(kw)) continue;
    // extra={…}: the dict's keys name the fields; other keyword arguments are structlog/loguru fields.
    const kwNode = value.parent ?? value;
    args.push(kw === 'extra' ? { node: value } : { node: value, name: kw, labelNode: kwNode });
  }
  // `**fields`
  const list = call.childForFieldName('arguments');
  for (const a of list?.namedChildren ?? []) if (a?.type === 'dictionary_splat') args.push({ node: a });
  return { call, name, kind, args, fastify: false };
}

/**
 * Labels positional arguments: after a format string (`"user %s token %s"`, `'token %s'`) each argument
 * gets the words before its placeholder; after a plain string (`print("token:", t)`,
 * `console.log('token', t)`) the next argument gets that string's last words.
 */
function labelArgs(args: TSNode[], style: 'percent' | 'printf' | 'print'): SinkArg[] {
  const out: SinkArg[] = [];
  let labels: string[] | undefined;
  let next = 0;
  let pendingLabel: string | undefined;
  for (const arg of args) {
    const text = stringValue(arg);
    if (labels && next < labels.length) {
      out.push({ node: arg, formatLabel: labels[next++]! });
      continue;
    }
    if (text !== undefined) {
      const found = style === 'print' ? [] : placeholders(text);
      if (found.length > 0) {
        labels = found;
        next = 0;
      } else {
        pendingLabel = trailingLabel(text);
      }
      out.push({ node: arg });
      continue;
    }
    out.push(pendingLabel ? { node: arg, formatLabel: pendingLabel } : { node: arg });
    pendingLabel = undefined;
  }
  return out;
}

/** The words before each `%s`-style placeholder. */
function placeholders(format: string): string[] {
  const out: string[] = [];
  let last = 0;
  for (const m of format.matchAll(/%%|%(\([^)]*\))?[#0\- +]*\d*(?:\.\d+)?[sdrifxXoeEgGcajO]/g)) {
    if (m[0] === '%%') continue;
    out.push(trailingLabel(format.slice(last, m.index)));
    last = (m.index ?? 0) + m[0].length;
  }
  return out;
}

/** Names assigned from a logger factory anywhere in the file (`const l = pino()`, `self.log = structlog.get_logger()`). */
function loggerVariables(root: TSNode, py: boolean): Set<string> {
  const out = new Set<string>();
  if (py) {
    for (const a of descendantsOfType(root, 'assignment')) {
      const right = a.childForFieldName('right');
      const left = dottedName(a.childForFieldName('left'));
      const callee = right?.type === 'call' ? calleeName(right) : undefined;
      if (left && callee && PY_LOGGER_FACTORY.test(callee)) out.add(left);
    }
    return out;
  }
  for (const d of descendantsOfType(root, [
    'variable_declarator',
    'public_field_definition',
    'assignment_expression',
  ])) {
    const value = d.childForFieldName('value') ?? d.childForFieldName('right');
    const target = d.childForFieldName('name') ?? d.childForFieldName('property') ?? d.childForFieldName('left');
    if (!value || !target) continue;
    const callee = value.type === 'call_expression' || value.type === 'new_expression' ? calleeName(value) : undefined;
    if (!callee || !JS_LOGGER_FACTORY.test(callee)) continue;
    const name = dottedName(target);
    if (!name) continue;
    out.add(name);
    if (d.type === 'public_field_definition') out.add(`this.${name}`);
  }
  return out;
}

/** Variables made by the `debug` package: `const log = debug('app:orders')`. */
function debugVariables(root: TSNode, imports: ReturnType<typeof importsOf>): Set<string> {
  const factories = new Set((imports.get('debug') ?? []).map((b) => b.local));
  const out = new Set<string>();
  if (factories.size === 0 && !/require\(\s*['"]debug['"]\s*\)\s*\(/.test(root.text)) return out;
  for (const d of descendantsOfType(root, 'variable_declarator')) {
    const value = d.childForFieldName('value');
    const target = d.childForFieldName('name');
    if (value?.type !== 'call_expression' || target?.type !== 'identifier') continue;
    const fn = value.childForFieldName('function');
    const direct = fn?.type === 'identifier' && factories.has(fn.text);
    // require('debug')('ns')
    const required =
      fn?.type === 'call_expression' &&
      calleeName(fn) === 'require' &&
      stringValue(positionalArgs(fn)[0] ?? fn) === 'debug';
    if (direct || required) out.add(target.text);
  }
  return out;
}

function sentryBindings(imports: ReturnType<typeof importsOf>, py: boolean): Map<string, 'namespace' | string> {
  const out = new Map<string, 'namespace' | string>();
  for (const [module, bindings] of imports) {
    const isSentry = py ? module === 'sentry_sdk' || module.startsWith('sentry_sdk.') : module.startsWith('@sentry/');
    if (!isSentry) continue;
    for (const b of bindings)
      out.set(b.local, b.imported === '*' || b.imported === 'default' ? 'namespace' : b.imported);
  }
  return out;
}

/** A command-line script prints to a terminal, not to a service's logs. */
function isCliScript(file: SourceFile, imports: ReturnType<typeof importsOf>): boolean {
  if (/(^|\/)(management\/commands|bin|cli|scripts?)\//.test(file.path)) return true;
  if (/^if\s+__name__\s*==\s*['"]__main__['"]\s*:/m.test(file.text)) return true;
  return ['argparse', 'click', 'typer', 'fire', 'docopt'].some((m) => imports.has(m));
}
