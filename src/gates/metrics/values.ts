/**
 * Label *values* that make a series per request, per user or per error: the raw URL instead of the route
 * template, the client IP, request input, error messages, entity ids. Works on member chains
 * (`req.originalUrl`, `request.url.path`, `r.URL.Path`) and the calls around them (`String(x)`,
 * `str(exc)`, `err.Error()`), in JS/TS, Python and Go trees.
 */
import type { Node as TSNode } from 'web-tree-sitter';
import {
  calleeName,
  dottedName,
  positionalArgs,
  stringValue,
  templateParts,
  unwrapAwait as unwrap,
} from '../../lang/ts-helpers.js';
import { classifyLabelName } from './labels.js';

/** Is `name` (at `at`) the request object of a handler? Each language answers from its own scopes. */
export type RequestRootTest = (name: string, at: TSNode) => boolean;

const URL_SEGMENTS = new Set([
  'url',
  'originalUrl',
  'path',
  'href',
  'pathname',
  'baseUrl',
  'rawUrl',
  'raw_path',
  'rawPath',
  'querystring',
  'search',
  'full_path',
  'RequestURI',
  'URL',
  'Path',
  'RawQuery',
  'get_full_path',
  'build_absolute_uri',
]);
const IP_SEGMENTS = new Set([
  'ip',
  'ips',
  'remoteAddress',
  'remote_addr',
  'RemoteAddr',
  'ClientIP',
  'RealIP',
  'client_ip',
]);
const INPUT_SEGMENTS = new Set([
  'params',
  'query',
  'body',
  'rawBody',
  'raw_body',
  'data',
  'cookies',
  'args',
  'form',
  'json',
  'GET',
  'POST',
  'query_params',
  'path_params',
  'Param',
  'Query',
  'PostForm',
  'FormValue',
  'Params',
]);
const HEADER_SEGMENTS = new Set(['headers', 'header', 'Header', 'META', 'get', 'get_header', 'GetHeader', 'Get']);
/** Segments that denote the matched route template: bounded by the number of routes. */
const ROUTE_SEGMENTS = new Set([
  'route',
  'routeOptions',
  'routerPath',
  'routePath',
  '_matchedRoute',
  'matchedRoute',
  'url_rule',
  'resolver_match',
  'endpoint',
  'FullPath',
  'method',
  'Method',
  'statusCode',
  'status',
  'status_code',
  'scope',
]);
const ERROR_ROOTS = /^(err|error|e|ex|exc|exception)$/;

/**
 * What the extractor of one language knows about a name where it is used: a value drawn from a fixed set
 * (a string-literal union or enum type, `Literal[...]`, a constant), or the expressions it was assigned
 * (to follow them), or nothing.
 */
export type NameResolution = { bounded: true } | { values: TSNode[] } | undefined;

/** The language-specific questions the value analysis asks. */
export interface ValueScope {
  /** Is `name` (at `at`) the request object of a handler? */
  isRequestRoot: RequestRootTest;
  /** What `name` (an identifier at `at`) is bound to, when the extractor can tell. */
  resolve?: (name: string, at: TSNode) => NameResolution;
}

/**
 * A label value's provenance. `unbounded`: why (`source`), and whether it comes straight from the request
 * being served (`request`: evidence a reviewer accepts). `bounded`: drawn from a fixed set of literals.
 */
export type ValueVerdict = { kind: 'unbounded'; source: string; request: boolean } | { kind: 'bounded' };

const LITERAL_TYPES = new Set([
  'number',
  'integer',
  'float',
  'true',
  'false',
  'none',
  'null',
  'undefined',
  'int_literal',
  'float_literal',
  'rune_literal',
  'nil',
]);
const TERNARY_TYPES = new Set(['ternary_expression', 'conditional_expression']);
/** `Status.Active`, `Kind.REMOTE.value`, `prometheus.Labels`: a member of an enum-like (capitalised) object. */
const ENUM_MEMBER = /^[A-Z][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/;
const CONSTANT_NAME = /^[A-Z][A-Z0-9_]*$/;

/** Why the value `node` is unbounded or personal, or undefined when it looks bounded (or we cannot tell). */
export function unboundedValue(node: TSNode, isRequestRoot: RequestRootTest, depth = 0): string | undefined {
  const v = judgeValue(node, { isRequestRoot }, depth);
  return v?.kind === 'unbounded' ? v.source : undefined;
}

/**
 * The provenance of a label value: unbounded (and whether from the request), bounded (a literal, a ternary
 * or `??` between bounded values, an enum member, a constant, a name typed as a literal union), or
 * undefined when we cannot tell.
 */
export function judgeValue(node: TSNode, scope: ValueScope, depth = 0): ValueVerdict | undefined {
  if (depth > 6) return undefined;
  const isRequestRoot = scope.isRequestRoot;
  const n = unwrap(node);
  if (LITERAL_TYPES.has(n.type)) return BOUNDED;
  const parts = templateParts(n);
  if (parts) return all(parts.expressions, scope, depth);
  if (TERNARY_TYPES.has(n.type)) {
    // The condition decides which branch, not what is recorded.
    const branches =
      n.type === 'ternary_expression'
        ? [n.childForFieldName('consequence'), n.childForFieldName('alternative')]
        : n.namedChildren.filter((c) => c.type !== 'comment').filter((_, i) => i !== 1);
    return all(
      branches.filter((b): b is TSNode => b !== null),
      scope,
      depth,
    );
  }
  switch (n.type) {
    case 'identifier':
    case 'shorthand_property_identifier': {
      if (ERROR_ROOTS.test(n.text) && isStringified(n)) return unbounded('an error message');
      const resolved = scope.resolve?.(n.text, n);
      if (resolved && 'bounded' in resolved) return BOUNDED;
      if (resolved && resolved.values.length > 0) {
        const v = all(resolved.values, scope, depth);
        if (v) return v;
      }
      if (CONSTANT_NAME.test(n.text) && n.text.length > 1) return BOUNDED;
      const risk = classifyLabelName(n.text);
      return risk && risk.category !== 'free-text' ? unbounded(risk.what) : undefined;
    }
    case 'member_expression':
    case 'attribute':
    case 'selector_expression':
    case 'subscript_expression':
    case 'subscript':
    case 'index_expression': {
      const v = chainVerdict(n, isRequestRoot);
      if (v) return v;
      const dotted = dottedName(n);
      if (dotted && ENUM_MEMBER.test(dotted)) {
        const root = dotted.split('.')[0]!;
        if (!scope.resolve || scope.resolve(root, n) === undefined || CONSTANT_NAME.test(root)) return BOUNDED;
      }
      // `JSON.parse(body).team`, `(await req.json()).team`, `cursor.fetchone()[0]`: a field of a parsed body or a row.
      const { base, field } = chainBase(n);
      if (base.type === 'call_expression' || base.type === 'call') return recordField(base, field, scope, depth);
      // `const path = req.path; … { route: path.x }`, `const body = JSON.parse(raw); body.team`: follow the root variable.
      const root = base.type === 'identifier' ? base.text : undefined;
      if (root && scope.resolve) {
        const resolved = scope.resolve(root, n);
        if (resolved && 'values' in resolved) {
          let found: ValueVerdict | undefined;
          for (const value of resolved.values) {
            const r = judgeValue(value, scope, depth + 1);
            if (r?.kind === 'unbounded' && r.request) return r;
            const v = unwrap(value);
            if (!found && (v.type === 'call_expression' || v.type === 'call')) {
              const f = recordField(v, field, scope, depth);
              if (f?.kind === 'unbounded') found = f;
            }
          }
          if (found) return found;
        }
      }
      return undefined;
    }
    case 'call_expression':
    case 'call':
      return callVerdict(n, scope, depth);
    case 'new_expression': {
      // `new URL(req.url).pathname` — the chain is handled by the member case; here, the argument.
      for (const a of positionalArgs(n)) {
        const r = judgeValue(a, scope, depth + 1);
        if (r?.kind === 'unbounded') return r;
      }
      return undefined;
    }
    case 'binary_expression':
    case 'binary_operator':
    case 'boolean_operator': {
      const sides = [n.childForFieldName('left'), n.childForFieldName('right')].filter((s): s is TSNode => !!s);
      return all(sides, scope, depth);
    }
    default:
      return undefined;
  }
}

const BOUNDED: ValueVerdict = { kind: 'bounded' };

function unbounded(source: string, request = false): ValueVerdict {
  return { kind: 'unbounded', source, request };
}

/** Several values that may each be recorded: the first unbounded one (request evidence first), bounded when all are. */
function all(nodes: readonly TSNode[], scope: ValueScope, depth: number): ValueVerdict | undefined {
  let allBounded = true;
  let found: ValueVerdict | undefined;
  for (const e of nodes) {
    const r = judgeValue(e, scope, depth + 1);
    if (r?.kind === 'unbounded') {
      if (r.request) return r;
      found ??= r;
    }
    if (r?.kind !== 'bounded') allBounded = false;
  }
  return found ?? (allBounded ? BOUNDED : undefined);
}

/** `String(err)`, `str(exc)`, `${err}` — an error turned into its message. */
function isStringified(n: TSNode): boolean {
  const p = n.parent?.type === 'arguments' || n.parent?.type === 'argument_list' ? n.parent.parent : n.parent;
  if (!p) return false;
  if (p.type === 'template_substitution' || p.type === 'interpolation') return true;
  const callee = p.type === 'call_expression' || p.type === 'call' ? calleeName(p) : undefined;
  return (
    callee === 'String' || callee === 'str' || callee === 'repr' || callee === 'fmt.Sprint' || callee === 'fmt.Sprintf'
  );
}

function segmentsOf(n: TSNode): string[] | undefined {
  const dotted = dottedName(n);
  if (dotted) return dotted.split('.');
  // Python subscripts (`request.headers["user-agent"]`) and Go index expressions are not dotted names.
  if (n.type === 'subscript' || n.type === 'index_expression' || n.type === 'subscript_expression') {
    const object =
      n.childForFieldName('value') ??
      n.childForFieldName('operand') ??
      n.childForFieldName('object') ??
      n.namedChildren[0];
    const index = n.childForFieldName('subscript') ?? n.childForFieldName('index') ?? n.namedChildren[1];
    const base = object ? segmentsOf(object) : undefined;
    const key = index ? stringValue(index) : undefined;
    if (base) return key !== undefined ? [...base, key] : [...base, '[]'];
  }
  return undefined;
}

function chainVerdict(n: TSNode, isRequestRoot: RequestRootTest): ValueVerdict | undefined {
  const segs = segmentsOf(n);
  if (!segs || segs.length < 2) return undefined;
  return segmentsValue(segs, n, isRequestRoot);
}

function segmentsValue(segs: string[], at: TSNode, isRequestRoot: RequestRootTest): ValueVerdict | undefined {
  const root = segs[0]!;
  const rest = segs.slice(1);
  const last = segs[segs.length - 1]!;
  if (rest.some((s) => ROUTE_SEGMENTS.has(s))) return undefined;
  if (isRequestRoot(root, at)) {
    const headerAt = rest.findIndex((s) => HEADER_SEGMENTS.has(s));
    if (headerAt !== -1 && rest[headerAt] !== 'get') {
      const header = rest[headerAt + 1]?.toLowerCase();
      if (header && /user.agent/.test(header)) return unbounded('the User-Agent header', true);
      if (header && /(forwarded|real.ip|remote.addr|client.ip)/.test(header))
        return unbounded('the client IP address', true);
      return unbounded(`a request header${header ? ` (${rest[headerAt + 1]})` : ''}`, true);
    }
    if (rest.some((s) => IP_SEGMENTS.has(s))) return unbounded('the client IP address', true);
    if (rest.some((s) => INPUT_SEGMENTS.has(s))) return unbounded(`raw request input (${segs.join('.')})`, true);
    if (URL_SEGMENTS.has(last) || rest.some((s) => s === 'url' || s === 'URL'))
      return unbounded('the raw request URL/path (a new series for every id and query string in it)', true);
    if (rest.includes('user') || rest.includes('session')) {
      // `request.user.id`, `req.user.email`: one series per user. `request.user.role`, `req.user.is_staff`
      // are attributes with few values: not evidence, at most a warning.
      const risk = classifyLabelName(last === 'id' || last === 'pk' ? `${rest[rest.length - 2] ?? ''} id` : last);
      if (risk && risk.category !== 'free-text') return unbounded(risk.what, true);
      return undefined;
    }
    return undefined;
  }
  if (ERROR_ROOTS.test(root) && (last === 'message' || last === 'stack' || last === 'args' || last === 'Error'))
    return unbounded('an error message');
  const pair = classifyLabelName(`${segs[segs.length - 2]} ${last}`);
  if (pair && pair.category !== 'free-text' && pair.category !== 'raw-url') return unbounded(pair.what);
  const single = classifyLabelName(last);
  if (single && single.category !== 'free-text' && single.category !== 'entity-id' && single.category !== 'raw-url')
    return unbounded(single.what);
  return undefined;
}

/** Parsers of a JSON document: their result's fields are whatever the sender wrote. */
const JSON_PARSERS = /^(JSON\.parse|json\.loads|orjson\.loads|ujson\.loads|simplejson\.loads)$/;
/** The request's own body parsers: `await req.json()`, `request.json()`, `request.get_json()`. */
const BODY_METHODS = new Set(['json', 'get_json', 'formData', 'text']);
/**
 * Calls returning one database row (or rows): ORM lookups and DB-API cursors. A row's fields are as many as
 * the table has rows.
 */
const ROW_FETCHES = new Set([
  'fetchone',
  'fetchall',
  'fetchmany',
  'fetchrow',
  'fetchval',
  'findUnique',
  'findUniqueOrThrow',
  'findFirst',
  'findFirstOrThrow',
  'findOne',
  'findOneBy',
  'findOneOrFail',
  'findOneByOrFail',
  'findByPk',
  'findById',
  'executeTakeFirst',
  'executeTakeFirstOrThrow',
  'one_or_none',
  'scalar_one',
  'scalar_one_or_none',
  'get_object_or_404',
]);
/** Row columns that usually hold a few values (a status, a type): not judged. */
const FEW_VALUED_FIELD =
  /^(status|state|type|kind|role|plan|tier|level|category|region|enabled|active|is_.*|.*_(type|kind|status|state))$/i;

/** The innermost object of a member/subscript chain (parentheses and `await` removed), and the chain's first field. */
function chainBase(n: TSNode): { base: TSNode; field: string | undefined } {
  let cur = n;
  let field: string | undefined;
  for (let i = 0; i < 12; i++) {
    const object =
      cur.type === 'member_expression' || cur.type === 'attribute' || cur.type === 'selector_expression'
        ? (cur.childForFieldName('object') ?? cur.childForFieldName('operand'))
        : cur.type === 'subscript_expression' || cur.type === 'subscript' || cur.type === 'index_expression'
          ? (cur.childForFieldName('object') ??
            cur.childForFieldName('value') ??
            cur.childForFieldName('operand') ??
            cur.namedChildren[0])
          : null;
    if (!object) break;
    const key =
      cur.childForFieldName('property') ??
      cur.childForFieldName('attribute') ??
      cur.childForFieldName('field') ??
      cur.childForFieldName('index') ??
      cur.childForFieldName('subscript') ??
      cur.namedChildren[1];
    field = key ? (stringValue(key) ?? key.text) : undefined;
    cur = unwrap(object);
  }
  return { base: cur, field };
}

/**
 * A field read from what `call` returns: a JSON document parsed from the request (request evidence) or
 * from elsewhere (user data of unknown size: a warning), or a database row (a warning: the cardinality is
 * the table's). Undefined for any other call.
 */
function recordField(
  call: TSNode,
  field: string | undefined,
  scope: ValueScope,
  depth: number,
): ValueVerdict | undefined {
  const callee = calleeName(call) ?? '';
  const segs = callee.split('.');
  // `Order.objects.filter(…).first()` has no dotted callee: its method name is enough for rows.
  const fn = call.childForFieldName('function');
  const last = callee
    ? segs[segs.length - 1]!
    : (fn?.childForFieldName('property') ?? fn?.childForFieldName('attribute') ?? fn?.childForFieldName('field'))?.text;
  if (!last) return undefined;
  if (JSON_PARSERS.test(callee)) {
    const [arg] = positionalArgs(call);
    const r = arg ? judgeValue(arg, scope, depth + 1) : undefined;
    if (r?.kind === 'unbounded' && r.request) return unbounded("a field of the request's JSON body", true);
    return unbounded('a field of parsed JSON data (whatever its sender wrote)');
  }
  if (BODY_METHODS.has(last) && segs.length >= 2 && scope.isRequestRoot(segs[0]!, call))
    return unbounded("a field of the request's body", true);
  const queryChain = !callee || /(^|\.)(objects|query|session|db)(\.|$)/.test(callee);
  if (
    ROW_FETCHES.has(last) ||
    (last === 'get' && segs[segs.length - 2] === 'objects') ||
    ((last === 'first' || last === 'one') && queryChain)
  ) {
    if (field !== undefined && FEW_VALUED_FIELD.test(field)) return undefined;
    return unbounded('a database row field (one series per row of the table)');
  }
  return undefined;
}

function callVerdict(n: TSNode, scope: ValueScope, depth: number): ValueVerdict | undefined {
  const isRequestRoot = scope.isRequestRoot;
  const callee = calleeName(n);
  const args = positionalArgs(n);
  if (
    callee === 'String' ||
    callee === 'str' ||
    callee === 'repr' ||
    callee === 'encodeURIComponent' ||
    callee === 'decodeURIComponent'
  ) {
    const [a] = args;
    if (!a) return undefined;
    const u = unwrap(a);
    if (u.type === 'identifier' && ERROR_ROOTS.test(u.text)) return unbounded('an error message');
    return judgeValue(a, scope, depth + 1);
  }
  const fn = n.childForFieldName('function');
  if (!fn) return undefined;
  const f = unwrap(fn);
  // Method calls: `req.get('user-agent')`, `r.Header.Get("X")`, `err.Error()`, `c.ClientIP()`, `request.get_full_path()`, `x.toLowerCase()`.
  if (f.type === 'member_expression' || f.type === 'attribute' || f.type === 'selector_expression') {
    const segs = segmentsOf(f);
    if (!segs) {
      const object = f.childForFieldName('object') ?? f.childForFieldName('operand');
      return object ? judgeValue(object, scope, depth + 1) : undefined;
    }
    const last = segs[segs.length - 1]!;
    if ((last === 'get' || last === 'Get' || last === 'header' || last === 'GetHeader') && segs.length >= 2) {
      const header = args[0] ? stringValue(args[0]) : undefined;
      if (isRequestRoot(segs[0]!, f) && header !== undefined) {
        const h = header.toLowerCase();
        if (/user.agent/.test(h)) return unbounded('the User-Agent header', true);
        if (/(forwarded|real.ip|client.ip)/.test(h)) return unbounded('the client IP address', true);
        return unbounded(`a request header (${header})`, true);
      }
    }
    if (last === 'Error' && segs.length === 2 && ERROR_ROOTS.test(segs[0]!)) return unbounded('an error message');
    const viaChain = segs.length >= 2 ? segmentsValue(segs, f, isRequestRoot) : undefined;
    if (viaChain) return viaChain;
    // `req.originalUrl.split('?')[0]`, `path.toLowerCase()`: the object decides.
    const object = f.childForFieldName('object') ?? f.childForFieldName('operand');
    if (
      object &&
      /^(split|slice|substring|substr|toLowerCase|toUpperCase|trim|replace|lower|upper|strip|String|toString)$/.test(
        last,
      )
    ) {
      return judgeValue(object, scope, depth + 1);
    }
  }
  return undefined;
}

/** JS/TS entry point (kept for readability at call sites). */
export const unboundedJsValue = unboundedValue;
