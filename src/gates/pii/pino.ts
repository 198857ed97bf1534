/**
 * pino configurations as code writes them, and pino's redaction semantics.
 *
 * `pinoConfigs(file)` finds every pino logger and HTTP logger a TS/JS file creates — `pino(opts)`,
 * `pinoHttp(opts)` / `require('pino-http')(opts)`, `express-pino-logger`, `hapi-pino` registrations,
 * nestjs-pino `LoggerModule.forRoot({ pinoHttp })`, Fastify's `logger` option — and reads their
 * options statically: `redact` paths, custom `serializers`, pino-http's `customAttributeKeys`,
 * `autoLogging`, `quietReqLogger`/`quietResLogger`, `wrapSerializers`, and the `logger` it wraps.
 *
 * Semantics checked against pino 10.4 (`lib/redaction.js`, `@pinojs/redact`), pino-http 11
 * (`logger.js`) and pino-std-serializers 7 (`lib/req.js`, `lib/res.js`), and by the oracle test:
 * - the std `req` serializer copies all `req.headers`; the std `res` serializer copies `getHeaders()`
 *   (with `set-cookie`); pino-http logs them under `req`/`res` (renamable by `customAttributeKeys`);
 * - redact paths are case-sensitive, `*` matches exactly one level, a path redacts everything below it;
 * - a child logger's own `redact` replaces its parent's (pino-http's `logger` option makes a child);
 * - pino-http binds `req` to `req.log` unless `quietReqLogger`, and logs `res` (with `req` unless
 *   `quietResLogger`) on completion unless `autoLogging: false`;
 * - with `wrapSerializers` (default) a custom `req` serializer receives the std-serialized request, so one
 *   that returns its argument still logs the headers.
 */
import type { MemoKey, SourceFile, TSNode } from '../../lang/source-file.js';
import {
  calleeName,
  descendantsOfType,
  importsOf,
  lineOf,
  objectProps,
  positionalArgs,
  stringValue,
} from '../../lang/ts-helpers.js';
import { jsDeclaratorOf } from '../../lang/program/scope.js';

export type PinoKind = 'pino' | 'pino-http' | 'express-pino-logger' | 'hapi-pino' | 'nestjs-pino' | 'fastify';

/** True for the kinds that log every request and response by themselves. */
export function logsRequests(kind: PinoKind): boolean {
  return kind === 'pino-http' || kind === 'express-pino-logger' || kind === 'hapi-pino' || kind === 'nestjs-pino';
}

export interface RedactConfig {
  /** The literal paths. */
  paths: string[];
  /** The node of each path, for positions. */
  nodes: TSNode[];
  /** The `redact` value node. */
  node: TSNode;
  /** Some paths are not literals (a spread, a variable): coverage cannot be judged. */
  dynamic: boolean;
}

export interface PinoConfig {
  kind: PinoKind;
  /** The call that creates the logger or middleware. */
  call: TSNode;
  /** The options object literal, when one was found. */
  options?: TSNode;
  /** The options could not be read (a variable from elsewhere, a spread, a factory). */
  unknown: boolean;
  redact?: RedactConfig;
  /** Custom serializers by key (the value node: a function, or a reference like `pino.stdSerializers.req`). */
  serializers: Map<string, TSNode>;
  keys: { req: string; res: string };
  autoLogging: boolean;
  quietReqLogger: boolean;
  quietResLogger: boolean;
  wrapSerializers: boolean;
  /** The `logger` option (pino-http wraps a pino logger as a child): the parent's config, or 'unknown'. */
  parent?: PinoConfig | 'unknown';
  /** The `logger` option's identifier when it is not made in this file (resolved through the logger index). */
  parentName?: string;
  /** Local name the result is bound to (`const logger = pino(…)`), for cross-file lookups. */
  boundTo?: string;
}

/** The configs hold nodes of the file's tree: memoised on the file, dropped with the tree when it is freed. */
const PINO_CONFIGS: MemoKey<PinoConfig[]> = { name: 'pino configs' };

/** Every pino configuration in a TS/JS file. */
export function pinoConfigs(file: SourceFile): PinoConfig[] {
  return file.memo(PINO_CONFIGS, () => compute(file));
}

function compute(file: SourceFile): PinoConfig[] {
  const tree = file.tree();
  if (!tree || file.language === 'python') return [];
  const imports = importsOf(tree);
  const local = (module: string): Set<string> =>
    new Set(
      (imports.get(module) ?? []).filter((b) => b.imported === 'default' || b.imported === '*').map((b) => b.local),
    );
  const named = (module: string, name: string): Set<string> =>
    new Set((imports.get(module) ?? []).filter((b) => b.imported === name).map((b) => b.local));
  const factories: Array<[Set<string>, PinoKind]> = [
    [local('pino'), 'pino'],
    [new Set([...named('pino', 'pino'), ...named('pino', 'default')]), 'pino'],
    [
      new Set([...local('pino-http'), ...named('pino-http', 'pinoHttp'), ...named('pino-http', 'default')]),
      'pino-http',
    ],
    [local('express-pino-logger'), 'express-pino-logger'],
    [new Set([...local('fastify'), ...named('fastify', 'fastify'), ...named('fastify', 'default')]), 'fastify'],
  ];
  const hapiPino = new Set([...local('hapi-pino'), ...named('hapi-pino', 'default')]);
  const nestLoggerModule = named('nestjs-pino', 'LoggerModule');
  const root = tree.rootNode;
  const configs: PinoConfig[] = [];
  const byCall = new Map<number, PinoConfig>();

  for (const call of descendantsOfType(root, ['call_expression', 'new_expression'])) {
    const kind = kindOf(call, factories, hapiPino, nestLoggerModule);
    if (!kind) continue;
    const optionsArg = optionsArgument(call, kind);
    const config = readConfig(call, kind, optionsArg);
    byCall.set(call.id, config);
    configs.push(config);
  }
  // Resolve `logger:` options to configs made in this file.
  for (const config of configs) {
    if (!config.options) continue;
    const loggerNode = objectProps(config.options).get('logger');
    if (!loggerNode || config.kind === 'pino' || config.kind === 'fastify') continue;
    config.parent = resolveLogger(loggerNode, byCall) ?? 'unknown';
    if (
      config.parent === 'unknown' &&
      (loggerNode.type === 'identifier' || loggerNode.type === 'shorthand_property_identifier')
    ) {
      config.parentName = loggerNode.text;
    }
  }
  return configs;
}

function kindOf(
  call: TSNode,
  factories: Array<[Set<string>, PinoKind]>,
  hapiPino: Set<string>,
  nest: Set<string>,
): PinoKind | undefined {
  const fn = call.childForFieldName(call.type === 'new_expression' ? 'constructor' : 'function');
  if (!fn) return undefined;
  // require('pino')(opts), require('pino-http')(opts)
  if (fn.type === 'call_expression' && calleeName(fn) === 'require') {
    const module = stringValue(positionalArgs(fn)[0] ?? fn);
    if (module === 'pino') return 'pino';
    if (module === 'pino-http') return 'pino-http';
    if (module === 'express-pino-logger') return 'express-pino-logger';
    if (module === 'fastify') return 'fastify';
    return undefined;
  }
  const name = calleeName(call);
  if (name === undefined) return undefined;
  for (const [names, kind] of factories) if (names.has(name)) return kind;
  // pino.default(…) / pino.pino(…)
  const [head, tail] = name.split('.');
  if (tail && (tail === 'default' || tail === 'pino') && factories[0]![0].has(head!)) return 'pino';
  // server.register({ plugin: HapiPino, options }) / register({ plugin: require('hapi-pino') })
  if (/(^|\.)register$/.test(name)) {
    const arg = positionalArgs(call)[0];
    if (arg?.type !== 'object') return undefined;
    const plugin = objectProps(arg).get('plugin');
    if (!plugin) return undefined;
    if (plugin.type === 'identifier' && hapiPino.has(plugin.text)) return 'hapi-pino';
    if (
      plugin.type === 'call_expression' &&
      calleeName(plugin) === 'require' &&
      stringValue(positionalArgs(plugin)[0] ?? plugin) === 'hapi-pino'
    )
      return 'hapi-pino';
    return undefined;
  }
  // LoggerModule.forRoot({ pinoHttp: {…} })
  if (/\.forRoot$/.test(name) && nest.has(name.split('.')[0]!)) return 'nestjs-pino';
  return undefined;
}

/** The options object of each kind of call, resolved through a same-file `const` when needed. */
function optionsArgument(call: TSNode, kind: PinoKind): TSNode | undefined | null {
  const first = positionalArgs(call)[0];
  if (!first) return null; // no options at all: the defaults
  let node: TSNode | undefined = resolveObject(first);
  if (!node) return undefined;
  if (kind === 'hapi-pino') {
    const options = objectProps(node).get('options');
    return options ? (resolveObject(options) ?? undefined) : null;
  }
  if (kind === 'nestjs-pino') {
    const http = objectProps(node).get('pinoHttp');
    if (!http) return null;
    // pinoHttp: [options, stream]
    node =
      http.type === 'array' ? resolveObject(http.namedChildren.find((c) => c !== null) ?? http) : resolveObject(http);
    return node ?? undefined;
  }
  if (kind === 'fastify') {
    const logger = objectProps(node).get('logger');
    if (!logger) return null;
    if (logger.type === 'true' || logger.type === 'false') return null;
    return resolveObject(logger) ?? undefined;
  }
  return node;
}

/** An object literal, or an identifier bound to one by a `const` in the same file. */
function resolveObject(node: TSNode): TSNode | undefined {
  if (node.type === 'object') return node;
  if (node.type === 'identifier' || node.type === 'shorthand_property_identifier') {
    const decl = jsDeclaratorOf(node);
    const value = decl?.childForFieldName('value');
    if (value?.type === 'object') return value;
  }
  return undefined;
}

function readConfig(call: TSNode, kind: PinoKind, options: TSNode | undefined | null): PinoConfig {
  const config: PinoConfig = {
    kind,
    call,
    unknown: options === undefined,
    serializers: new Map(),
    keys: { req: 'req', res: 'res' },
    autoLogging: true,
    quietReqLogger: false,
    quietResLogger: false,
    wrapSerializers: kind !== 'pino' && kind !== 'fastify',
  };
  const bound = call.parent?.type === 'variable_declarator' ? call.parent.childForFieldName('name') : undefined;
  if (bound?.type === 'identifier') config.boundTo = bound.text;
  if (!options) return config;
  config.options = options;
  if (options.namedChildren.some((c) => c?.type === 'spread_element')) config.unknown = true;
  const props = objectProps(options);
  const redact = props.get('redact');
  if (redact) config.redact = readRedact(redact);
  const serializers = props.get('serializers');
  if (serializers) {
    const obj = resolveObject(serializers);
    if (!obj) config.unknown = true;
    else for (const [k, v] of objectProps(obj)) config.serializers.set(k, v);
  }
  const keys = props.get('customAttributeKeys');
  if (keys?.type === 'object') {
    const p = objectProps(keys);
    const req = p.get('req');
    const res = p.get('res');
    if (req) config.keys.req = stringValue(req) ?? config.keys.req;
    if (res) config.keys.res = stringValue(res) ?? config.keys.res;
  }
  const bool = (name: string): boolean | undefined => {
    const v = props.get(name);
    return v?.type === 'true' ? true : v?.type === 'false' ? false : undefined;
  };
  config.autoLogging = bool('autoLogging') ?? true;
  config.quietReqLogger = bool('quietReqLogger') ?? false;
  config.quietResLogger = bool('quietResLogger') ?? false;
  config.wrapSerializers = bool('wrapSerializers') ?? config.wrapSerializers;
  return config;
}

function readRedact(node: TSNode): RedactConfig {
  let list: TSNode | undefined = node;
  if (node.type === 'object') list = objectProps(node).get('paths');
  if (list?.type === 'identifier') {
    const value = jsDeclaratorOf(list)?.childForFieldName('value');
    list = value ?? list;
  }
  if (!list || list.type !== 'array') return { paths: [], nodes: [], node, dynamic: true };
  const paths: string[] = [];
  const nodes: TSNode[] = [];
  let dynamic = false;
  for (const el of list.namedChildren) {
    if (!el || el.type === 'comment') continue;
    const value = stringValue(el);
    if (value === undefined) dynamic = true;
    else {
      paths.push(value);
      nodes.push(el);
    }
  }
  return { paths, nodes, node, dynamic };
}

function resolveLogger(node: TSNode, byCall: Map<number, PinoConfig>): PinoConfig | undefined {
  if (node.type === 'call_expression') return byCall.get(node.id);
  if (node.type === 'identifier' || node.type === 'shorthand_property_identifier') {
    const value = jsDeclaratorOf(node)?.childForFieldName('value');
    if (value) return byCall.get(value.id);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Redact paths
// ---------------------------------------------------------------------------------------------------------

/** Splits a pino redact path into segments: `res.headers["set-cookie"]` → `res`, `headers`, `set-cookie`. */
export function parsePath(path: string): string[] {
  const out: string[] = [];
  for (const m of path.matchAll(/[^.[\]]+|\[([^[\]]*?)\]/g)) {
    const seg = m[1] !== undefined ? m[1].trim().replace(/^(["'`])(.*)\1$/, '$2') : m[0];
    out.push(seg);
  }
  return out;
}

/** Whether a redact path hides `target`: each segment equal (case-sensitive) or `*`, and no longer than it. */
export function covers(redactPath: string, target: string): boolean {
  const r = parsePath(redactPath);
  const t = parsePath(target);
  if (r.length === 0 || r.length > t.length) return false;
  return r.every((seg, i) => seg === '*' || seg === t[i]);
}

/** A path as pino wants it written: dots for plain names, brackets and quotes for the rest. */
export function formatPath(segments: readonly string[]): string {
  return segments.map((s, i) => (/^[A-Za-z_$][\w$]*$/.test(s) ? (i === 0 ? s : `.${s}`) : `["${s}"]`)).join('');
}

/** A logger made in another module, as the logger index knows it. */
export interface ExternalLogger {
  redact?: string[];
  unknown: boolean;
}

/**
 * The effective redaction: a child's own `redact` replaces its parent's. A parent from another module
 * is looked up with `external`; unknown when it cannot be.
 */
export function effectiveRedact(
  config: PinoConfig,
  external?: (name: string) => ExternalLogger | undefined,
): RedactConfig | 'unknown' | undefined {
  if (config.redact) return config.redact;
  if (config.parent === 'unknown') {
    const found = config.parentName !== undefined ? external?.(config.parentName) : undefined;
    if (!found || found.unknown) return 'unknown';
    return found.redact ? { paths: found.redact, nodes: [], node: config.call, dynamic: false } : undefined;
  }
  return config.parent?.redact;
}

/** The line of a config, for reports. */
export function configLine(config: PinoConfig): number {
  return lineOf(config.call);
}
