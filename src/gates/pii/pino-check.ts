/**
 * Judges pino configurations: what each HTTP logger and custom serializer writes, and whether the
 * `redact` paths in force cover it. Shared by the three pino rules so they never report the same path
 * twice: a missing path goes to `pino-http-missing-redact`, a path written but mistyped (case, prefix,
 * wildcard depth) to `pino-redact-path-mismatch`, a custom serializer's additions to
 * `pino-serializer-without-redact`.
 */
import type { MemoKey, SourceFile, TSNode } from '../../lang/source-file.js';
import { descendantsOfType, dottedName, stringValue, unwrap } from '../../lang/ts-helpers.js';
import { resolveLogger, type PinoLoggerIndex } from './logger-index.js';
import {
  covers,
  effectiveRedact,
  type ExternalLogger,
  formatPath,
  logsRequests,
  parsePath,
  type PinoConfig,
  pinoConfigs,
  type RedactConfig,
} from './pino.js';

/** A redact path an HTTP logger needs and does not have. */
export interface MissingRedact {
  config: PinoConfig;
  /** Needed paths not covered and not near-missed, formatted for pino. */
  missing: string[];
  /** The config has its own `redact`, which replaced a parent's that covered these. */
  overridesParent: boolean;
  /** wrapSerializers: false with no req/res serializers: raw objects are logged. */
  raw: boolean;
}

/** A redact path that aims at something logged and misses it. */
export interface PathMismatch {
  config: PinoConfig;
  path: string;
  node: TSNode;
  kind: 'case' | 'shape';
  /** The path that would match. */
  target: string;
  reason: string;
}

/** Something a custom serializer adds to the log that no redact path covers. */
export interface SerializerExposure {
  config: PinoConfig;
  key: string;
  node: TSNode;
  part: 'headers' | 'body' | 'cookies';
  /** Where it lands in the log line (`req.headers`). */
  at: string;
  expr: string;
  /** Paths to add. */
  paths: string[];
}

export interface PinoFindings {
  missing: MissingRedact[];
  mismatches: PathMismatch[];
  exposures: SerializerExposure[];
}

/** Per logger index (the findings hold nodes of the file's tree: memoised on the file, see pinoConfigs). */
const PINO_FINDINGS: MemoKey<WeakMap<object, PinoFindings>> = { name: 'pino findings' };
const NO_INDEX = {};

/**
 * The pino findings of a file. `index` resolves loggers imported from other modules (pino-http's
 * `logger` option); without it their redaction is unknown and not judged.
 */
export function checkPino(file: SourceFile, index?: PinoLoggerIndex): PinoFindings {
  const perIndex = file.memo(PINO_FINDINGS, () => new WeakMap<object, PinoFindings>());
  const hit = perIndex.get(index ?? NO_INDEX);
  if (hit) return hit;
  const out: PinoFindings = { missing: [], mismatches: [], exposures: [] };
  const external = (name: string) => resolveLogger(file, name, index);
  for (const config of pinoConfigs(file)) checkConfig(config, out, external);
  perIndex.set(index ?? NO_INDEX, out);
  return out;
}

interface Need {
  segments: string[];
}

function checkConfig(
  config: PinoConfig,
  out: PinoFindings,
  external: (name: string) => ExternalLogger | undefined,
): void {
  const redact = effectiveRedact(config, external);
  // Header names in paths: Node lower-cases incoming header names, pino matches case-sensitively.
  if (config.redact) {
    config.redact.paths.forEach((path, i) => {
      const segs = parsePath(path);
      const at = segs.findIndex((s) => s === 'headers');
      if (at < 0 || segs[0] === 'event' || at === segs.length - 1) return;
      const header = segs.slice(at + 1);
      if (!header.some((s) => s !== s.toLowerCase())) return;
      const target = formatPath([...segs.slice(0, at + 1), ...header.map((s) => s.toLowerCase())]);
      out.mismatches.push({ config, path, node: config.redact!.nodes[i]!, kind: 'case', target, reason: '' });
    });
  }
  if (config.unknown || redact === 'unknown') return;
  const paths = redact?.paths ?? [];
  if (redact?.dynamic) return;

  if (logsRequests(config.kind)) {
    const raw = !config.wrapSerializers && !(hasSerializer(config, 'req') && hasSerializer(config, 'res'));
    const needs = raw ? [] : neededPaths(config);
    const missing: string[] = [];
    for (const need of needs) {
      const target = formatPath(need.segments);
      if (paths.some((p) => covers(p, target))) continue;
      const near = config.redact ? nearMiss(config.redact, need.segments) : undefined;
      if (near) {
        // A case-only miss is already reported above.
        if (near.kind === 'shape')
          out.mismatches.push({ config, path: near.path, node: near.node, kind: 'shape', target, reason: near.reason });
        continue;
      }
      missing.push(target);
    }
    const parentRedact = config.redact ? effectiveRedact({ ...config, redact: undefined }, external) : undefined;
    const parent = parentRedact && parentRedact !== 'unknown' ? parentRedact : undefined;
    const overridesParent = !!parent && missing.some((m) => parent.paths.some((p) => covers(p, m)));
    if (missing.length > 0 || raw) out.missing.push({ config, missing, overridesParent, raw });
  }
  for (const [key, node] of config.serializers) checkSerializer(config, key, node, paths, out);
}

function hasSerializer(config: PinoConfig, which: 'req' | 'res'): boolean {
  return config.serializers.has(config.keys[which]) || config.serializers.has(which);
}

/** The headers pino-http (and friends) log with the std serializers, under the configured keys. */
function neededPaths(config: PinoConfig): Need[] {
  const httpOptions = config.kind !== 'hapi-pino';
  const reqLogged = !httpOptions || !config.quietReqLogger || (config.autoLogging && !config.quietResLogger);
  const resLogged = !httpOptions || config.autoLogging;
  const needs: Need[] = [];
  const std = (which: 'req' | 'res') => {
    const s = config.serializers.get(config.keys[which]) ?? config.serializers.get(which);
    return s === undefined || isStdSerializer(s, which);
  };
  if (reqLogged && std('req')) {
    needs.push(
      { segments: [config.keys.req, 'headers', 'authorization'] },
      { segments: [config.keys.req, 'headers', 'cookie'] },
    );
  }
  if (resLogged && std('res')) needs.push({ segments: [config.keys.res, 'headers', 'set-cookie'] });
  return needs;
}

function isStdSerializer(node: TSNode, which: 'req' | 'res'): boolean {
  const name = dottedName(node);
  return name !== undefined && new RegExp(`(^|\\.)stdSerializers\\.${which}$`).test(name);
}

/** A written path that aims at `target` but misses it: wrong case, wrong prefix, a too-shallow `*`. */
function nearMiss(
  redact: RedactConfig,
  target: string[],
): { path: string; node: TSNode; kind: 'case' | 'shape'; reason: string } | undefined {
  const last = target[target.length - 1]!.toLowerCase();
  for (let i = 0; i < redact.paths.length; i++) {
    const path = redact.paths[i]!;
    const segs = parsePath(path);
    const lower = segs.map((s) => s.toLowerCase());
    if (lower[lower.length - 1] !== last) continue;
    const node = redact.nodes[i]!;
    if (lower.length === target.length && lower.every((s, k) => s === '*' || s === target[k]!.toLowerCase())) {
      return { path, node, kind: 'case', reason: '' };
    }
    let reason: string;
    if (segs[0] === '*' && segs.length < target.length)
      reason = ' (a `*` wildcard matches exactly one level, not any depth)';
    else if (segs[0] !== target[0] && segs[0] !== '*')
      reason = ` (this logger writes it under \`${target[0]}\`, not \`${segs[0]}\`)`;
    else reason = '';
    return { path, node, kind: 'shape', reason };
  }
  return undefined;
}

/**
 * What a custom serializer returns: the request headers, body or cookies it copies (or the whole
 * std-serialized object it passes through), and whether redaction covers them.
 */
function checkSerializer(
  config: PinoConfig,
  key: string,
  node: TSNode,
  paths: readonly string[],
  out: PinoFindings,
): void {
  const isReq = key === config.keys.req || key === 'req' || key === 'request';
  const isRes = key === config.keys.res || key === 'res' || key === 'response' || key === 'reply';
  if (!isReq && !isRes) return;
  const exposures: Array<{ part: SerializerExposure['part']; at: string[]; expr: string; node: TSNode }> = [];
  const wrapped = config.wrapSerializers && logsRequests(config.kind);
  if (isStdSerializer(node, isReq ? 'req' : 'res')) {
    // In pino-http this is the default (judged as missing redaction); in plain pino it adds headers.
    if (!wrapped) exposures.push({ part: 'headers', at: [key, 'headers'], expr: node.text, node });
  } else {
    const fn = functionOf(node);
    if (!fn) return;
    const param = firstParam(fn);
    for (const ret of returnedValues(fn)) collectReturned(ret, param, key, exposures);
    if (param) {
      // `req.body = req.raw.body` before `return req`
      for (const a of descendantsOfType(fn, 'assignment_expression')) {
        const left = a.childForFieldName('left');
        const right = a.childForFieldName('right');
        if (left?.type !== 'member_expression' || !right) continue;
        if (left.childForFieldName('object')?.text !== param) continue;
        const prop = left.childForFieldName('property')?.text;
        const part = partOf(right);
        if (prop && part && returnsParam(fn, param)) exposures.push({ part, at: [key, prop], expr: a.text, node: a });
      }
    }
  }
  const seen = new Set<string>();
  for (const e of exposures) {
    const uncovered: string[] = [];
    for (const n of neededFor(e.part, e.at, isRes)) {
      if (paths.some((p) => covers(p, n) || (e.part === 'body' && startsWith(p, e.at)))) continue;
      const near = config.redact ? nearMiss(config.redact, parsePath(n)) : undefined;
      if (near) {
        if (near.kind === 'shape' && !out.mismatches.some((m) => m.node.id === near.node.id)) {
          out.mismatches.push({
            config,
            path: near.path,
            node: near.node,
            kind: 'shape',
            target: n,
            reason: near.reason,
          });
        }
        continue;
      }
      uncovered.push(n);
    }
    const id = `${e.part}:${e.at.join('.')}`;
    if (uncovered.length === 0 || seen.has(id)) continue;
    seen.add(id);
    out.exposures.push({
      config,
      key,
      node: e.node,
      part: e.part,
      at: formatPath(e.at),
      expr: e.expr.replace(/\s+/g, ' '),
      paths: uncovered,
    });
  }
}

function neededFor(part: SerializerExposure['part'], at: string[], isRes: boolean): string[] {
  if (part === 'headers')
    return isRes
      ? [formatPath([...at, 'set-cookie'])]
      : [formatPath([...at, 'authorization']), formatPath([...at, 'cookie'])];
  if (part === 'cookies') return [formatPath(at)];
  return [formatPath([...at, 'password'])];
}

function startsWith(path: string, prefix: string[]): boolean {
  const segs = parsePath(path);
  return segs.length > prefix.length && prefix.every((p, i) => segs[i] === p || segs[i] === '*');
}

function collectReturned(
  ret: TSNode,
  param: string | undefined,
  key: string,
  out: Array<{ part: SerializerExposure['part']; at: string[]; expr: string; node: TSNode }>,
): void {
  const r = unwrap(ret);
  if (r.type === 'identifier' && r.text === param) {
    // The argument itself: std-serialized (headers included) under pino-http, the raw object otherwise.
    out.push({ part: 'headers', at: [key, 'headers'], expr: `return ${r.text}`, node: r });
    return;
  }
  if (
    r.type === 'call_expression' &&
    /(^|\.)stdSerializers\.req$/.test(dottedName(r.childForFieldName('function')) ?? '')
  ) {
    out.push({ part: 'headers', at: [key, 'headers'], expr: r.text, node: r });
    return;
  }
  if (r.type !== 'object') return;
  for (const child of r.namedChildren) {
    if (!child) continue;
    if (child.type === 'spread_element') {
      const inner = child.namedChildren.find((c) => c !== null);
      if (!inner) continue;
      if (
        inner.text === param ||
        (inner.type === 'member_expression' && inner.childForFieldName('property')?.text === 'raw')
      ) {
        out.push({ part: 'headers', at: [key, 'headers'], expr: child.text, node: child });
      } else if (partOf(inner) === 'headers') {
        out.push({ part: 'headers', at: [key], expr: child.text, node: child });
      }
      continue;
    }
    if (child.type !== 'pair' && child.type !== 'shorthand_property_identifier') continue;
    const name =
      child.type === 'pair'
        ? (stringValue(child.childForFieldName('key')!) ?? child.childForFieldName('key')!.text)
        : child.text;
    const value = child.type === 'pair' ? child.childForFieldName('value') : child;
    const part = value ? partOf(value) : undefined;
    if (part) out.push({ part, at: [key, name], expr: child.text, node: child });
  }
}

/** `req.headers`, `request.raw.headers`, `req.body`, `req.cookies` → what part of a request it is. */
function partOf(node: TSNode): SerializerExposure['part'] | undefined {
  const name = dottedName(node);
  if (name === undefined) return undefined;
  const last = name.split('.').at(-1);
  if (last === 'headers' || last === 'rawHeaders') return 'headers';
  if (last === 'body' || last === 'payload') return 'body';
  if (last === 'cookies') return 'cookies';
  return undefined;
}

function functionOf(node: TSNode): TSNode | undefined {
  if (['arrow_function', 'function_expression', 'function', 'method_definition'].includes(node.type)) return node;
  return undefined;
}

function firstParam(fn: TSNode): string | undefined {
  const params = fn.childForFieldName('parameters') ?? fn.childForFieldName('parameter');
  if (!params) return undefined;
  if (params.type === 'identifier') return params.text;
  const first = params.namedChildren.find((c) => c !== null);
  const id = first?.type === 'identifier' ? first : (first?.childForFieldName('pattern') ?? undefined);
  return id?.type === 'identifier' ? id.text : undefined;
}

function returnedValues(fn: TSNode): TSNode[] {
  const body = fn.childForFieldName('body');
  if (!body) return [];
  if (body.type !== 'statement_block') return [body];
  const out: TSNode[] = [];
  for (const r of descendantsOfType(body, 'return_statement')) {
    // Skip returns of nested functions.
    let owner = r.parent;
    while (
      owner &&
      owner.id !== fn.id &&
      !['arrow_function', 'function_expression', 'function_declaration', 'method_definition'].includes(owner.type)
    )
      owner = owner.parent;
    if (owner?.id !== fn.id) continue;
    const value = r.namedChildren.find((c) => c !== null);
    if (value) out.push(value);
  }
  return out;
}

function returnsParam(fn: TSNode, param: string): boolean {
  return returnedValues(fn).some((r) => r.type === 'identifier' && r.text === param);
}
