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

/** Why the value `node` is unbounded or personal, or undefined when it looks bounded (or we cannot tell). */
export function unboundedValue(node: TSNode, isRequestRoot: RequestRootTest, depth = 0): string | undefined {
  if (depth > 6) return undefined;
  const n = unwrap(node);
  const parts = templateParts(n);
  if (parts) {
    for (const e of parts.expressions) {
      const r = unboundedValue(e, isRequestRoot, depth + 1);
      if (r) return r;
    }
    return undefined;
  }
  switch (n.type) {
    case 'identifier': {
      if (ERROR_ROOTS.test(n.text) && isStringified(n)) return 'an error message';
      const risk = classifyLabelName(n.text);
      return risk && risk.category !== 'free-text' ? risk.what : undefined;
    }
    case 'member_expression':
    case 'attribute':
    case 'selector_expression':
    case 'subscript_expression':
    case 'subscript':
    case 'index_expression':
      return chainValue(n, isRequestRoot);
    case 'call_expression':
    case 'call':
      return callValue(n, isRequestRoot, depth);
    case 'new_expression': {
      // `new URL(req.url).pathname` — the chain is handled by the member case; here, the argument.
      for (const a of positionalArgs(n)) {
        const r = unboundedValue(a, isRequestRoot, depth + 1);
        if (r) return r;
      }
      return undefined;
    }
    case 'binary_expression':
    case 'binary_operator': {
      for (const side of [n.childForFieldName('left'), n.childForFieldName('right')]) {
        const r = side ? unboundedValue(side, isRequestRoot, depth + 1) : undefined;
        if (r) return r;
      }
      return undefined;
    }
    default:
      return undefined;
  }
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

function chainValue(n: TSNode, isRequestRoot: RequestRootTest): string | undefined {
  const segs = segmentsOf(n);
  if (!segs || segs.length < 2) return undefined;
  return segmentsValue(segs, n, isRequestRoot);
}

function segmentsValue(segs: string[], at: TSNode, isRequestRoot: RequestRootTest): string | undefined {
  const root = segs[0]!;
  const rest = segs.slice(1);
  const last = segs[segs.length - 1]!;
  if (rest.some((s) => ROUTE_SEGMENTS.has(s))) return undefined;
  if (isRequestRoot(root, at)) {
    const headerAt = rest.findIndex((s) => HEADER_SEGMENTS.has(s));
    if (headerAt !== -1 && rest[headerAt] !== 'get') {
      const header = rest[headerAt + 1]?.toLowerCase();
      if (header && /user.agent/.test(header)) return 'the User-Agent header';
      if (header && /(forwarded|real.ip|remote.addr|client.ip)/.test(header)) return 'the client IP address';
      return `a request header${header ? ` (${rest[headerAt + 1]})` : ''}`;
    }
    if (rest.some((s) => IP_SEGMENTS.has(s))) return 'the client IP address';
    if (rest.some((s) => INPUT_SEGMENTS.has(s))) return `raw request input (${segs.join('.')})`;
    if (URL_SEGMENTS.has(last) || rest.some((s) => s === 'url' || s === 'URL'))
      return 'the raw request URL/path (a new series for every id and query string in it)';
    if (rest.includes('user') || rest.includes('session')) {
      const risk = classifyLabelName(`${rest[rest.length - 2] ?? ''} ${last}`) ?? classifyLabelName(last);
      return risk?.what ?? 'data about the signed-in user';
    }
    return undefined;
  }
  if (ERROR_ROOTS.test(root) && (last === 'message' || last === 'stack' || last === 'args' || last === 'Error'))
    return 'an error message';
  const pair = classifyLabelName(`${segs[segs.length - 2]} ${last}`);
  if (pair && pair.category !== 'free-text' && pair.category !== 'raw-url') return pair.what;
  const single = classifyLabelName(last);
  if (single && single.category !== 'free-text' && single.category !== 'entity-id' && single.category !== 'raw-url')
    return single.what;
  return undefined;
}

function callValue(n: TSNode, isRequestRoot: RequestRootTest, depth: number): string | undefined {
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
    if (u.type === 'identifier' && ERROR_ROOTS.test(u.text)) return 'an error message';
    return unboundedValue(a, isRequestRoot, depth + 1);
  }
  const fn = n.childForFieldName('function');
  if (!fn) return undefined;
  const f = unwrap(fn);
  // Method calls: `req.get('user-agent')`, `r.Header.Get("X")`, `err.Error()`, `c.ClientIP()`, `request.get_full_path()`, `x.toLowerCase()`.
  if (f.type === 'member_expression' || f.type === 'attribute' || f.type === 'selector_expression') {
    const segs = segmentsOf(f);
    if (!segs) {
      const object = f.childForFieldName('object') ?? f.childForFieldName('operand');
      return object ? unboundedValue(object, isRequestRoot, depth + 1) : undefined;
    }
    const last = segs[segs.length - 1]!;
    if ((last === 'get' || last === 'Get' || last === 'header' || last === 'GetHeader') && segs.length >= 2) {
      const header = args[0] ? stringValue(args[0]) : undefined;
      if (isRequestRoot(segs[0]!, f) && header !== undefined) {
        const h = header.toLowerCase();
        if (/user.agent/.test(h)) return 'the User-Agent header';
        if (/(forwarded|real.ip|client.ip)/.test(h)) return 'the client IP address';
        return `a request header (${header})`;
      }
    }
    if (last === 'Error' && segs.length === 2 && ERROR_ROOTS.test(segs[0]!)) return 'an error message';
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
      return unboundedValue(object, isRequestRoot, depth + 1);
    }
  }
  return undefined;
}

/** JS/TS entry point (kept for readability at call sites). */
export const unboundedJsValue = unboundedValue;
