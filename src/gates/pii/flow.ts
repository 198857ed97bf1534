/**
 * Value flow, a short way: what does an expression handed to a log call carry?
 *
 * `Flow.evaluate(node)` answers with the sensitive sources inside the expression — a field such as
 * `req.body.password` (classified by its name), or a whole object such as `req.headers` — each with the
 * steps it took to get there (`const { password } = req.body` on line 3). It follows local variables,
 * destructuring, object spread, template strings, f-strings, `%`/`.format` arguments and concatenation
 * inside one function, never across functions or files, and stops after a few hops.
 *
 * It also knows what makes a value clean: literals, comparisons, lengths and booleans (`password.length`,
 * `!!token`, `len(password)`), partial values (`.slice(-4)`, `token[-4:]`), and redaction helpers (the
 * configured `redactors` plus names built from mask/redact/hash/digest/encrypt…).
 */
import { spendBudget } from '../../core/budget.js';
import type { TSNode } from '../../lang/source-file.js';
import { dottedName, FunctionScopes, importsOf, lineOf, stringValue, templateParts } from '../../lang/ts-helpers.js';
import { ROUTE_MODULE_EXPORTS } from '../../lang/program/routes.js';
import { isPositionTokenType, tokenize, type SensitiveClassifier, type SensitiveMatch } from './sensitive.js';

export type FlowLanguage = 'js' | 'py';

/** A whole object that carries more than anyone meant to log. */
export type WholeObjectId =
  | 'request'
  | 'headers'
  | 'cookies'
  | 'response-headers'
  | 'lambda-event'
  | 'env'
  | 'body'
  | 'query'
  | 'user'
  | 'session'
  | 'payload'
  | 'http-error'
  | 'model-dump'
  | 'db-row';

export interface WholeObject {
  id: WholeObjectId;
  /** What it is, for messages: "the request headers". */
  label: string;
  /** What it carries: "the Authorization header and cookies". */
  carries: string;
}

export const WHOLE_OBJECTS: Record<WholeObjectId, Omit<WholeObject, 'id'>> = {
  request: { label: 'the whole request object', carries: 'every header, including Authorization and Cookie' },
  headers: { label: 'the request headers', carries: 'the Authorization header, cookies and API keys' },
  cookies: { label: 'the request cookies', carries: 'session cookies' },
  'response-headers': { label: 'the response headers', carries: 'the Set-Cookie header with the session cookie' },
  'lambda-event': {
    label: 'the whole Lambda event',
    carries: 'every request header, including Authorization and Cookie, and the body',
  },
  env: { label: 'the whole process environment', carries: 'every secret the process was started with' },
  body: { label: 'the whole request body', carries: 'whatever the client sent (passwords, emails, card numbers)' },
  query: { label: 'the whole query string', carries: 'tokens and personal data passed as parameters' },
  user: {
    label: 'a whole user object',
    carries: 'every field of the user (email, name, phone, often a password hash or tokens)',
  },
  session: { label: 'the whole session', carries: 'the session id and everything stored in the session' },
  payload: { label: 'a whole payload', carries: 'every field the client or token issuer put in it' },
  'http-error': {
    label: "an HTTP client error's request",
    carries: 'the outgoing request configuration, including its Authorization header',
  },
  'model-dump': { label: 'every field of an object', carries: 'every attribute, whatever it holds' },
  'db-row': { label: 'a whole database row', carries: 'every column of the row' },
};

/**
 * A row read through the Prisma client (`prisma.apiKey.findUnique({ where, select })`), as the call shows
 * it: which model, and which columns `select`/`omit` keep or drop. Whether the model has secret columns is
 * for the rule to ask the schema.
 */
export interface RowRead {
  /** The client accessor: `apiKey`. */
  accessor: string;
  method: string;
  /** The fields a literal `select` keeps (`true` values); undefined without `select`. */
  select?: string[];
  /** The fields a literal `omit` drops. */
  omit: string[];
  /** The arguments are not a literal object (or `select`/`omit` are not): what the row keeps is unknown. */
  dynamic: boolean;
  /** One element of the list a `findMany` returned (`for (const row of rows)`). */
  element?: boolean;
}

/** One step of a value's path, shown to the user: "`const { password } = req.body` (line 3)". */
export interface Step {
  text: string;
  line: number;
}

export interface FieldSource {
  kind: 'field';
  match: SensitiveMatch;
  /** The expression that holds the value at its origin, e.g. `req.body.password`. */
  expr: string;
  /** The node inside the sink argument where the value enters the log call. */
  node: TSNode;
  via: Step[];
  /**
   * Why this value is only possibly the secret its name says (a warning, not a blocker): `session.id` of a
   * session record, which is its cookie value in some session stores and a plain database key in others.
   */
  weak?: 'session-record-id';
}

export interface ObjectSource {
  kind: 'object';
  object: WholeObject;
  expr: string;
  node: TSNode;
  via: Step[];
  /** The merge-object key it is logged under (`{ headers: req.headers }` → `headers`). */
  key?: string;
  /**
   * A WHATWG (fetch API) Request or its Headers: JSON serialisation writes `{}` (its fields are getters
   * and private slots), util.inspect prints every header.
   */
  fetch?: boolean;
  /** A row read through the Prisma client (`db-row`, or a person-named variable holding one). */
  row?: RowRead;
}

export type Source = FieldSource | ObjectSource;

interface Result {
  sources: Source[];
  /** True when the value provably carries nothing sensitive (a literal, a length, a redacted value). */
  clean: boolean;
}

const CLEAN: Result = { sources: [], clean: true };
const UNKNOWN: Result = { sources: [], clean: false };

/** How many variable hops to follow ("a short way"). */
const MAX_DEPTH = 4;

/** Words that make a function a redactor: its result does not reveal its input. */
const REDACTOR_WORDS = new Set(
  `mask masked redact redacted redaction hash hashed digest hexdigest hmac encrypt encrypted anonymize anonymise
   anonymized anonymised pseudonymize pseudonymise obfuscate obfuscated scrub scrubbed censor censored fingerprint
   sha md5 bcrypt argon scrypt truncate truncated last4 tokenize`.split(/\s+/),
);

/** Methods that return (a form of) their receiver. */
const PROPAGATE_METHODS = new Set([
  'toString',
  'trim',
  'trimStart',
  'trimEnd',
  'toLowerCase',
  'toUpperCase',
  'toLocaleLowerCase',
  'toLocaleUpperCase',
  'normalize',
  'valueOf',
  'toJSON',
  'concat',
  'replace',
  'replaceAll',
  'padStart',
  'padEnd',
  'join',
  // Python
  'strip',
  'lstrip',
  'rstrip',
  'lower',
  'upper',
  'decode',
  'encode',
  'casefold',
  'title',
  'capitalize',
]);

/** Methods whose result is a flag, a number or a part too small to matter. */
const CLEAN_METHODS = new Set([
  'includes',
  'startsWith',
  'endsWith',
  'test',
  'has',
  'indexOf',
  'lastIndexOf',
  'localeCompare',
  'equals',
  'search',
  'slice',
  'substring',
  'substr',
  'charAt',
  'charCodeAt',
  'codePointAt',
  'at',
  'some',
  'every',
  'keys',
  'count',
  'startswith',
  'endswith',
  'isdigit',
  'isalpha',
  'find',
  'index',
  'isEmpty',
  'isValid',
  'exists',
]);

/** Functions that return (a rendering of) their first argument. */
const PROPAGATE_FUNCTIONS = new Set([
  'JSON.stringify',
  'String',
  'util.inspect',
  'inspect',
  'encodeURIComponent',
  'encodeURI',
  'escape',
  'Buffer.from',
  'btoa',
  'structuredClone',
  'Object.entries',
  'Object.values',
  'Object.assign',
  'Array.from',
  'format',
  'util.format',
  // Python
  'str',
  'repr',
  'json.dumps',
  'dict',
  'list',
  'tuple',
  'bytes',
  'pprint.pformat',
  'pformat',
  'base64.b64encode',
  'urllib.parse.quote',
  'quote',
]);

/** Functions whose result is a flag or a number. */
const CLEAN_FUNCTIONS = new Set([
  'Boolean',
  'Number',
  'parseInt',
  'parseFloat',
  'isNaN',
  'Array.isArray',
  'Object.keys',
  'isEmail',
  'validator.isEmail',
  'len',
  'bool',
  'int',
  'float',
  'isinstance',
  'hasattr',
  'callable',
  'type',
  'id',
  'hash',
  'sorted.keys',
]);

/** Names that say nothing about the value, so a merge-object key or format label decides. */
const UNINFORMATIVE = new Set([
  'value',
  'val',
  'data',
  'input',
  'arg',
  'args',
  'result',
  'res',
  'ret',
  'out',
  'tmp',
  'temp',
  'item',
  'obj',
  'raw',
  'text',
  'str',
  'string',
  'param',
  'params',
  'field',
  'entry',
  'element',
  'current',
  'x',
  'v',
  's',
  'it',
]);

/** Verbs whose call returns the thing named after them (`getAccessToken()`, `user.getEmail()`). */
const GETTER_VERBS = new Set([
  'get',
  'fetch',
  'load',
  'read',
  'extract',
  'generate',
  'create',
  'issue',
  'sign',
  'decrypt',
  'resolve',
  'find',
  'lookup',
]);
const PREPOSITIONS = new Set(['by', 'for', 'from', 'with', 'of', 'to', 'in', 'on', 'and', 'or', 'if']);

/** Person nouns: a variable of this name holds a whole person record. */
const PERSON_NOUNS = new Set([
  'user',
  'users',
  'customer',
  'customers',
  'profile',
  'profiles',
  'member',
  'members',
  'patient',
  'patients',
  'employee',
  'employees',
  'person',
  'people',
]);

const ERROR_NAMES = new Set([
  'err',
  'error',
  'e',
  'ex',
  'exc',
  'exception',
  'axiosError',
  'axiosErr',
  'reqErr',
  'requestError',
  'httpError',
]);

export interface FlowOptions {
  classifier: SensitiveClassifier;
  /** Configured redaction helpers, by name (`maskEmail`) or dotted name (`pii.mask`). */
  redactors: readonly string[];
}

/** How a name is bound where it is used. */
type Binding =
  | { kind: 'value'; node: TSNode; init: TSNode; decl: TSNode }
  | { kind: 'destructure'; node: TSNode; init: TSNode; key: string[]; decl: TSNode }
  | { kind: 'rest'; node: TSNode; init: TSNode; decl: TSNode }
  | { kind: 'param'; node: TSNode; param: TSNode; fn: TSNode }
  | { kind: 'function'; node: TSNode; fn: TSNode }
  | { kind: 'catch'; node: TSNode }
  /** `for (const row of rows)`: only a list of database rows is followed (each element is a row). */
  | { kind: 'element'; node: TSNode; init: TSNode; decl: TSNode };

/** A property chain: `req.headers.authorization` → root `req`, segments `['req', 'headers', 'authorization']`. */
interface Chain {
  segments: string[];
  /** The root identifier node, when the chain starts at one. */
  root?: TSNode;
  /** The chain ends in a slice (`token[-4:]`): a part of the value. */
  sliced?: boolean;
  via: Step[];
  /** Built from a binding (destructuring): show the canonical chain, not the local name. */
  canonical?: boolean;
}

/** Evaluates expressions of one file. Create one per file and options; it caches nothing across files. */
export class Flow {
  private readonly redactorNames: Set<string>;
  private readonly tables = new Map<number, ScopeTable>();
  private readonly scopes = new WeakMap<object, FunctionScopes>();
  /** While a local helper's returns are evaluated: its parameters (by node id) bound to the call's arguments. */
  private readonly argumentOf = new Map<number, TSNode>();

  constructor(
    readonly lang: FlowLanguage,
    private readonly options: FlowOptions,
  ) {
    this.redactorNames = new Set(options.redactors);
  }

  get classifier(): SensitiveClassifier {
    return this.options.classifier;
  }

  /** The sensitive sources an expression carries. */
  evaluate(node: TSNode, depth = 0): Result {
    spendBudget();
    return this.lang === 'js' ? this.js(node, depth) : this.py(node, depth);
  }

  /**
   * Sources of a value logged under a name: a merge-object key, a Python keyword argument, the label
   * before a format placeholder (`"token=%s"`). The value decides when it says something; the name
   * decides when the value is uninformative (`{ password: pw }`, `token=%s` with `t`).
   */
  named(name: string | undefined, value: TSNode, labelNode: TSNode, depth = 0, asKey = true): Result {
    const r = this.evaluate(value, depth);
    if (r.sources.length > 0) {
      if (!asKey || name === undefined) return r;
      return {
        sources: r.sources.map((s) => (s.kind === 'object' && s.key === undefined ? { ...s, key: name } : s)),
        clean: false,
      };
    }
    if (r.clean || name === undefined || !this.uninformative(value)) return r;
    const match = this.classifier.classify(name);
    if (!match) return r;
    return { sources: [{ kind: 'field', match, expr: labelNode.text, node: labelNode, via: [] }], clean: false };
  }

  // -------------------------------------------------------------------------------------------------------
  // JavaScript / TypeScript
  // -------------------------------------------------------------------------------------------------------

  private js(node: TSNode, depth: number): Result {
    switch (node.type) {
      case 'parenthesized_expression':
      case 'non_null_expression':
      case 'as_expression':
      case 'satisfies_expression':
      case 'type_assertion':
      case 'await_expression':
      case 'spread_element': {
        const inner = firstExpression(node);
        return inner ? this.js(inner, depth) : UNKNOWN;
      }
      case 'string':
      case 'number':
      case 'true':
      case 'false':
      case 'null':
      case 'undefined':
      case 'regex':
      case 'arrow_function':
      case 'function_expression':
      case 'function':
      case 'class':
      case 'unary_expression':
      case 'update_expression':
        return CLEAN;
      case 'template_string':
        return this.template(node, depth);
      case 'binary_expression':
        return this.jsBinary(node, depth);
      case 'ternary_expression':
        return union([this.field(node, 'consequence', depth), this.field(node, 'alternative', depth)]);
      case 'assignment_expression':
        return this.field(node, 'right', depth);
      case 'sequence_expression': {
        const last = node.namedChildren.filter(isNode).at(-1);
        return last ? this.js(last, depth) : UNKNOWN;
      }
      case 'identifier':
      case 'shorthand_property_identifier':
        return this.identifier(node, depth);
      case 'member_expression':
      case 'subscript_expression':
        return this.member(node, depth);
      case 'call_expression':
        return this.jsCall(node, depth);
      case 'new_expression': {
        // `new Error(\`bad token ${token}\`)`: an error's message is logged with it.
        const name = dottedName(node.childForFieldName('constructor')) ?? '';
        if (!/(Error|Exception)$/.test(name)) return UNKNOWN;
        const args = node.childForFieldName('arguments');
        return args ? union(args.namedChildren.filter(isNode).map((a) => this.js(a, depth))) : CLEAN;
      }
      case 'object':
        return this.jsObject(node, depth);
      case 'array':
        return union(
          node.namedChildren
            .filter(isNode)
            .filter((c) => c.type !== 'comment')
            .map((c) => this.js(c, depth)),
        );
      default:
        return UNKNOWN;
    }
  }

  private field(node: TSNode, field: string, depth: number): Result {
    const child = node.childForFieldName(field);
    return child ? this.evaluate(child, depth) : UNKNOWN;
  }

  private jsBinary(node: TSNode, depth: number): Result {
    const op = node.childForFieldName('operator')?.text ?? '';
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left || !right) return UNKNOWN;
    // "token=" + t: the label before an uninformative value names it.
    if (op === '+') return this.concatenation(node, depth);
    if (op === '||' || op === '??') return union([this.js(left, depth), this.js(right, depth)]);
    if (op === '&&') return this.js(right, depth);
    return CLEAN;
  }

  /**
   * `a + b + … + z` (JS `binary_expression`, Python `binary_operator`): each operand once, walking the
   * left-leaning chain in a loop. Recursing instead would nest once per operand, so a 40 KB chain of
   * 10,000 operands overflowed the stack. A string operand labels the value after it (`"token=" + t`).
   */
  private concatenation(node: TSNode, depth: number): Result {
    const parts: Result[] = [];
    for (let n = node; ;) {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (!left || !right) {
        parts.push(UNKNOWN);
        break;
      }
      const label = stringValue(left);
      parts.push(
        label !== undefined ? this.labelled(trailingLabel(label), right, right, depth) : this.evaluate(right, depth),
      );
      if (left.type === n.type && left.childForFieldName('operator')?.text === '+') {
        n = left;
        continue;
      }
      parts.push(this.evaluate(left, depth));
      break;
    }
    return union(parts.reverse());
  }

  private jsObject(node: TSNode, depth: number): Result {
    const parts: Result[] = [];
    for (const child of node.namedChildren) {
      if (!child) continue;
      switch (child.type) {
        case 'pair': {
          const key = child.childForFieldName('key');
          const value = child.childForFieldName('value');
          if (!key || !value) break;
          const name = key.type === 'computed_property_name' ? undefined : (stringValue(key) ?? key.text);
          parts.push(this.named(name, value, child, depth));
          break;
        }
        case 'shorthand_property_identifier':
          parts.push(this.named(child.text, child, child, depth));
          break;
        case 'spread_element':
          parts.push(this.js(child, depth));
          break;
        default:
          break;
      }
    }
    return union(parts);
  }

  private jsCall(node: TSNode, depth: number): Result {
    const fn = node.childForFieldName('function');
    const args = (node.childForFieldName('arguments')?.namedChildren ?? [])
      .filter(isNode)
      .filter((a) => a.type !== 'comment');
    if (!fn) return UNKNOWN;
    const name = dottedName(fn);
    if (this.isRedactor(fn, name)) return CLEAN;
    if (name !== undefined) {
      if (CLEAN_FUNCTIONS.has(name)) return CLEAN;
      // A WHATWG Request (and its Headers) keeps its fields in prototype getters and private slots:
      // JSON.stringify gives `{}`. What `request.headers.get(…)` returns still counts.
      if (name === 'JSON.stringify' && args[0] && this.isWhatwgRequest(args[0], depth)) return CLEAN;
      if (PROPAGATE_FUNCTIONS.has(name)) {
        // util.format('%s', token) and Object.assign({}, a, b) carry every argument.
        const sub = ['Object.assign', 'util.format', 'format'].includes(name) ? args : args.slice(0, 1);
        return union(sub.map((a) => this.js(a, depth)));
      }
    }
    if (fn.type === 'member_expression') {
      const method = fn.childForFieldName('property')?.text ?? '';
      const receiver = fn.childForFieldName('object');
      const row = prismaRowRead(fn, method, args);
      if (row) return { sources: [{ ...this.objectSource('db-row', node, [], undefined), row }], clean: false };
      if (CLEAN_METHODS.has(method)) return CLEAN;
      if (PROPAGATE_METHODS.has(method) && receiver) return this.js(receiver, depth);
      // `items.map((t) => \`${t.name}\`)`: each element becomes what the callback returns.
      if ((method === 'map' || method === 'flatMap') && args[0] && JS_CALLBACKS.has(args[0].type)) {
        const mapped = this.returnsOf(args[0], depth);
        if (mapped) return mapped;
      }
      // res.getHeaders(): the response headers, Set-Cookie included.
      if (method === 'getHeaders' && receiver && /^(res|reply|response)$/.test(lastSegment(receiver))) {
        return this.object('response-headers', node, [], undefined);
      }
      // req.get('authorization'), req.header('cookie'), headers.get('x-api-key'), formData.get('password')
      const lookup = this.lookupCall(node, method, args);
      if (lookup) return lookup;
    }
    return this.localCall(node, fn, args, depth) ?? this.getterCall(node, name);
  }

  /**
   * Whether a JS expression is a WHATWG (fetch API) `Request` or its `headers`: made by `new Request(…)`,
   * a parameter typed `Request`/`NextRequest` that is not imported from a Node framework (Express, Koa,
   * Fastify, NestJS, hapi), the `request` of a Remix/React Router loader or action, or the first
   * parameter of an exported `GET`/`POST`/… route handler (Next.js, SvelteKit).
   */
  isWhatwgRequest(node: TSNode, depth = 0): boolean {
    const n = unwrap(node);
    if (n.type === 'new_expression')
      return /^(Request|NextRequest)$/.test(dottedName(n.childForFieldName('constructor')) ?? '');
    if (n.type === 'member_expression') {
      const object = n.childForFieldName('object');
      return n.childForFieldName('property')?.text === 'headers' && !!object && object.type !== 'member_expression'
        ? this.isWhatwgRequest(object, depth)
        : false;
    }
    if ((n.type !== 'identifier' && n.type !== 'shorthand_property_identifier') || depth >= MAX_DEPTH) return false;
    const binding = this.bindingOf(n);
    if (binding?.kind === 'value') return this.isWhatwgRequest(binding.init, depth + 1);
    if (binding?.kind !== 'param') return false;
    const type = paramType(binding.param);
    const fetchRequest = (t: string) => {
      const from = [...importsOf(n.tree).entries()].find(([, list]) => list.some((b) => b.local === t))?.[0];
      return from === undefined || !NODE_FRAMEWORKS.test(from);
    };
    if (type !== undefined) {
      if (/^(Request|NextRequest|globalThis\.Request)$/.test(type)) return fetchRequest(type);
      // A destructured parameter typed inline: `({ request }: { request: Request })`.
      const inline = new RegExp(`(^|[{;,\\s])${n.text}\\??\\s*:\\s*(Request|NextRequest)\\s*[;,}\\n]`).exec(type);
      if (inline && type.startsWith('{')) return fetchRequest(inline[2]!);
      // Remix / React Router: `({ request }: LoaderFunctionArgs)`.
      if (
        n.text === 'request' &&
        /(^|\.)(Loader|Action|ClientLoader|ClientAction|DataFunction)(Function)?Args\b/.test(type)
      )
        return true;
      return false;
    }
    // `export async function POST(request)` in a route module; SvelteKit's `({ request })` as well.
    const fn = binding.fn;
    const fnName = fn.childForFieldName('name')?.text ?? enclosingName(fn);
    const exported = fn.parent?.type === 'export_statement' || fn.parent?.parent?.parent?.type === 'export_statement';
    return n.text.startsWith('req') && exported && ROUTE_MODULE_EXPORTS.includes(fnName ?? '');
  }

  /**
   * A call to a function or method defined in this file (`toPublicUser(user)`, `this.describe(token)`,
   * `self._summary(user)`): what its return values carry, with its parameters bound to the call's
   * arguments. Clean when every return is a literal shape (object, list, string) that carries nothing;
   * undefined when the callee is not found here or its returns say nothing (the name decides then).
   */
  private localCall(call: TSNode, fn: TSNode, args: TSNode[], depth: number): Result | undefined {
    if (depth >= MAX_DEPTH) return undefined;
    const def = this.localFunction(fn);
    if (!def) return undefined;
    const returns = returnedExpressions(def, this.lang);
    if (returns.length === 0) return CLEAN;
    const params = simpleParams(def, this.lang);
    const bound: number[] = [];
    params.forEach((p, i) => {
      const arg = args[i];
      if (!p || !arg || this.argumentOf.has(p.id) || arg.type === 'keyword_argument') return;
      this.argumentOf.set(p.id, arg);
      bound.push(p.id);
    });
    let r: Result;
    try {
      r = union(returns.map((e) => this.evaluate(e, depth + 1)));
    } finally {
      for (const id of bound) this.argumentOf.delete(id);
    }
    if (r.sources.length > 0) {
      const shown = returns.length === 1 ? returns[0]! : undefined;
      const text = `${dottedName(fn) ?? fn.text}() returns ${shown ? shown.text.replace(/\s+/g, ' ') : 'it'}`;
      return withStep(r, { text: text.length > 80 ? `${text.slice(0, 77)}…` : text, line: lineOf(shown ?? def) }, call);
    }
    return this.readAll(returns, r);
  }

  /**
   * Every return was read and none carries a source: clean, unless one is an opaque value whose own name
   * says nothing (`return compute(x)`), where a label or the helper's name still decides (undefined).
   */
  private readAll(returns: readonly TSNode[], r: Result): Result | undefined {
    if (r.clean || returns.every((e) => SHAPES.has(unwrap(e).type) || isFormatting(e) || !this.uninformative(e)))
      return CLEAN;
    return undefined;
  }

  /** What an inline callback returns (`(t) => \`${t.name}\``), or undefined when that says nothing. */
  private returnsOf(fn: TSNode, depth: number): Result | undefined {
    const returns = returnedExpressions(fn, this.lang);
    if (returns.length === 0) return CLEAN;
    const r = union(returns.map((e) => this.evaluate(e, depth + 1)));
    return r.sources.length > 0 ? r : this.readAll(returns, r);
  }

  /** The function a callee names in this file: a local function or arrow, or a method of the enclosing class. */
  private localFunction(fn: TSNode): TSNode | undefined {
    if (fn.type === 'identifier') {
      const b = this.bindingOf(fn);
      if (b?.kind === 'function') return b.fn;
      if (b?.kind === 'value' && ['arrow_function', 'function_expression', 'function'].includes(b.init.type))
        return b.init;
      return undefined;
    }
    const object = fn.childForFieldName('object');
    const method = (fn.childForFieldName('property') ?? fn.childForFieldName('attribute'))?.text;
    if (!object || !method || !(object.type === 'this' || (object.type === 'identifier' && object.text === 'self')))
      return undefined;
    let cls: TSNode | null = fn.parent;
    while (cls && !['class_declaration', 'class', 'class_definition'].includes(cls.type)) cls = cls.parent;
    const body = cls?.childForFieldName('body');
    for (const m of body?.namedChildren ?? []) {
      const def = m?.type === 'decorated_definition' ? m.childForFieldName('definition') : m;
      if (
        (def?.type === 'method_definition' || def?.type === 'function_definition') &&
        def.childForFieldName('name')?.text === method
      )
        return def;
    }
    return undefined;
  }

  /** `x.get('name')`-style lookups: the string names the value. */
  private lookupCall(node: TSNode, method: string, args: TSNode[]): Result | undefined {
    if (!['get', 'header', 'getHeader', 'get_header', 'getenv', 'pop', 'getlist'].includes(method)) return undefined;
    const first = args[0];
    const key = first ? stringValue(first) : undefined;
    if (key === undefined) return undefined;
    const match = this.classifier.classify(key);
    // A key that names metadata (`passwordPolicy`) is clean; one that names nothing known leaves it to a label.
    if (!match) return this.classifier.mentionsTerm(key) ? CLEAN : UNKNOWN;
    return { sources: [{ kind: 'field', match, expr: node.text, node, via: [] }], clean: false };
  }

  /** `getAccessToken()`, `user.getEmail()`, `jwt.sign(…)`: the name says what comes back. */
  private getterCall(node: TSNode, name: string | undefined): Result {
    if (name === undefined) return UNKNOWN;
    if (/(^|\.)(jwt|jsonwebtoken)\.sign$/.test(name)) {
      const match = this.classifier.classify('jwt');
      if (match)
        return {
          sources: [{ kind: 'field', match: { ...match, identifier: name }, expr: node.text, node, via: [] }],
          clean: false,
        };
    }
    const last = name.split('.').at(-1) ?? name;
    const tokens = tokenize(last);
    if (tokens.length < 2 || !GETTER_VERBS.has(tokens[0]!)) return UNKNOWN;
    const rest: string[] = [];
    for (const t of tokens.slice(1)) {
      if (PREPOSITIONS.has(t)) break;
      rest.push(t);
    }
    const match = rest.length ? this.classifier.classify(rest.join('_')) : undefined;
    if (!match) return UNKNOWN;
    return {
      sources: [{ kind: 'field', match: { ...match, identifier: name }, expr: node.text, node, via: [] }],
      clean: false,
    };
  }

  private isRedactor(fn: TSNode, name: string | undefined): boolean {
    const last = name?.split('.').at(-1) ?? (fn.type === 'identifier' ? fn.text : undefined) ?? lastSegment(fn);
    if (name !== undefined && this.redactorNames.has(name)) return true;
    if (last && this.redactorNames.has(last)) return true;
    if (!last) return false;
    // hashlib.sha256(x).hexdigest(), crypto.createHash('sha256').update(x).digest('hex')
    return tokenize(last).some((t) => REDACTOR_WORDS.has(t));
  }

  // -------------------------------------------------------------------------------------------------------
  // Python
  // -------------------------------------------------------------------------------------------------------

  private py(node: TSNode, depth: number): Result {
    switch (node.type) {
      case 'parenthesized_expression':
      case 'await':
      case 'list_splat':
      case 'dictionary_splat':
      case 'expression_statement': {
        const inner = firstExpression(node);
        return inner ? this.py(inner, depth) : UNKNOWN;
      }
      case 'integer':
      case 'float':
      case 'true':
      case 'false':
      case 'none':
      case 'lambda':
      case 'not_operator':
      case 'comparison_operator':
      case 'unary_operator':
        return CLEAN;
      case 'string':
      case 'concatenated_string':
        return this.template(node, depth);
      case 'binary_operator':
        return this.pyBinary(node, depth);
      case 'boolean_operator':
        return union([this.field(node, 'left', depth), this.field(node, 'right', depth)]);
      case 'conditional_expression': {
        const [body, , alternative] = node.namedChildren.filter(isNode);
        return union([body ? this.py(body, depth) : UNKNOWN, alternative ? this.py(alternative, depth) : UNKNOWN]);
      }
      case 'named_expression':
        return this.field(node, 'value', depth);
      case 'identifier':
        return this.identifier(node, depth);
      case 'attribute':
      case 'subscript':
        return this.member(node, depth);
      case 'call':
        return this.pyCall(node, depth);
      case 'dictionary':
        return this.pyDict(node, depth);
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list':
        return union(
          node.namedChildren
            .filter(isNode)
            .filter((c) => c.type !== 'comment')
            .map((c) => this.py(c, depth)),
        );
      default:
        return UNKNOWN;
    }
  }

  private pyBinary(node: TSNode, depth: number): Result {
    const op = node.childForFieldName('operator')?.text ?? '';
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left || !right) return UNKNOWN;
    if (op === '%') {
      const format = stringValue(left);
      if (format !== undefined)
        return this.formatArgs(
          format,
          right.type === 'tuple' ? right.namedChildren.filter(isNode) : [right],
          depth,
          'percent',
        );
      return CLEAN;
    }
    if (op === '+') return this.concatenation(node, depth);
    return CLEAN;
  }

  private pyDict(node: TSNode, depth: number): Result {
    const parts: Result[] = [];
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'pair') {
        const key = child.childForFieldName('key');
        const value = child.childForFieldName('value');
        if (!key || !value) continue;
        parts.push(this.named(stringValue(key), value, child, depth));
      } else if (child.type === 'dictionary_splat') {
        parts.push(this.py(child, depth));
      }
    }
    return union(parts);
  }

  private pyCall(node: TSNode, depth: number): Result {
    const fn = node.childForFieldName('function');
    const argList = node.childForFieldName('arguments');
    const all = (argList?.namedChildren ?? []).filter(isNode).filter((a) => a.type !== 'comment');
    const args = all.filter((a) => a.type !== 'keyword_argument');
    if (!fn) return UNKNOWN;
    const name = dottedName(fn);
    if (this.isRedactor(fn, name)) return CLEAN;
    if (name !== undefined) {
      if (CLEAN_FUNCTIONS.has(name)) return CLEAN;
      if (name === 'vars' || name === 'asdict' || name === 'dataclasses.asdict' || name === 'model_to_dict') {
        return args[0] ? this.object('model-dump', node, [], undefined) : UNKNOWN;
      }
      if (PROPAGATE_FUNCTIONS.has(name)) return union(args.slice(0, 1).map((a) => this.py(a, depth)));
      if (name === 'os.getenv' || name === 'getenv') return this.lookupCall(node, 'getenv', args) ?? UNKNOWN;
      if (/(Error|Exception)$/.test(name)) return union(args.map((a) => this.py(a, depth)));
    }
    if (fn.type === 'attribute') {
      const method = fn.childForFieldName('attribute')?.text ?? '';
      const receiver = fn.childForFieldName('object');
      if (!receiver) return UNKNOWN;
      if (method === 'format') {
        const format = stringValue(receiver);
        if (format !== undefined) return this.formatArgs(format, all, depth, 'brace');
      }
      if (CLEAN_METHODS.has(method)) return CLEAN;
      // `", ".join(parts)`: the parts are the value, the separator is not.
      if (method === 'join' && stringValue(receiver) !== undefined) return union(args.map((a) => this.py(a, depth)));
      if (PROPAGATE_METHODS.has(method)) return this.py(receiver, depth);
      if (['dict', 'model_dump', 'to_dict', 'as_dict', 'asdict', 'model_dump_json', 'json'].includes(method)) {
        const chain = this.chainOf(receiver, depth);
        // request.json() / request.get_json() is the body, not a model.
        if (method === 'json' && chain && isRequestRoot(chain.segments))
          return this.object('body', node, chain.via, undefined);
        if (method === 'json') return UNKNOWN;
        return this.object('model-dump', node, chain?.via ?? [], undefined);
      }
      if (['get_json', 'body', 'form'].includes(method)) {
        const chain = this.chainOf(receiver, depth);
        if (chain && isRequestRoot(chain.segments)) return this.object('body', node, chain.via, undefined);
      }
      const lookup = this.lookupCall(node, method, args);
      if (lookup) {
        // request.headers.get(…) on a header that is not sensitive is clean; so is any other miss.
        return lookup;
      }
    }
    return this.localCall(node, fn, args, depth) ?? this.getterCall(node, name);
  }

  // -------------------------------------------------------------------------------------------------------
  // Shared: templates and format strings
  // -------------------------------------------------------------------------------------------------------

  /** Template literals, f-strings and plain strings: the union of what is interpolated. */
  private template(node: TSNode, depth: number): Result {
    const parts = templateParts(node);
    if (!parts) return UNKNOWN;
    if (parts.expressions.length === 0) return CLEAN;
    return union(parts.expressions.map((e, i) => this.labelled(trailingLabel(parts.strings[i] ?? ''), e, e, depth)));
  }

  /** `"user %s token %s" % (a, b)`, `"{} {token}".format(a, token=b)`, and printf-style log arguments. */
  formatArgs(format: string, args: TSNode[], depth: number, style: 'percent' | 'brace' | 'printf'): Result {
    const labels = placeholderLabels(format, style);
    const parts: Result[] = [];
    let positional = 0;
    for (const arg of args) {
      if (arg.type === 'keyword_argument') {
        const name = arg.childForFieldName('name')?.text;
        const value = arg.childForFieldName('value');
        if (value) parts.push(this.named(name, value, arg, depth));
        continue;
      }
      if (arg.type === 'dictionary' && style === 'percent' && labels.named) {
        parts.push(this.evaluate(arg, depth));
        continue;
      }
      const label = labels.positional[positional++];
      parts.push(label !== undefined ? this.labelled(label, arg, arg, depth) : this.evaluate(arg, depth));
    }
    if (args.length === 0) return CLEAN;
    return union(parts);
  }

  /** A value preceded by a label in text (`token=${t}`): the label decides when the value is uninformative. */
  labelled(label: string, value: TSNode, labelNode: TSNode, depth = 0): Result {
    return this.named(label === '' ? undefined : label, value, labelNode, depth, false);
  }

  // -------------------------------------------------------------------------------------------------------
  // Shared: names, chains, bindings
  // -------------------------------------------------------------------------------------------------------

  private identifier(node: TSNode, depth: number): Result {
    const name = node.text;
    if (name === 'undefined' || name === 'None') return CLEAN;
    const binding = this.bindingOf(node);
    if (binding?.kind === 'param' && depth < MAX_DEPTH) {
      // Inside a local helper being followed: the parameter is the caller's argument.
      const arg = this.argumentOf.get(binding.node.id);
      if (arg) {
        const r = this.evaluate(arg, depth + 1);
        if (r.sources.length > 0 || r.clean) return r;
      }
    }
    if (binding && depth < MAX_DEPTH) {
      switch (binding.kind) {
        case 'value': {
          const later = this.updatesOf(node, binding);
          const assigned = later.filter((u) => u.kind === 'assign').at(-1);
          const base = assigned ?? binding;
          // What was appended or added after the declaration (or the last plain assignment) travels with it.
          const added = later.filter((u) => u.kind === 'add' && u.start > (assigned?.start ?? -1));
          const r = union([
            this.evaluate(assigned ? assigned.value : binding.init, depth + 1),
            ...added.map((u) =>
              withStep(
                u.key !== undefined ? this.named(u.key, u.value, u.stmt, depth + 1) : this.evaluate(u.value, depth + 1),
                stepOf(u.stmt),
                node,
              ),
            ),
          ]);
          const step = stepOf(base === binding ? binding.decl : assigned!.stmt);
          if (r.sources.length > 0) return withStep(this.namedRows(r, name, binding), step, node);
          if (r.clean) return CLEAN;
          // Literals and object/array literals say what the variable holds: trust them over its name.
          const init = assigned ? assigned.value : binding.init;
          if (['object', 'array', 'dictionary', 'list', 'template_string', 'string'].includes(init.type)) return r;
          // A property that names the same kind of value was judged with its owner (`stream.last_token`).
          if (['member_expression', 'attribute'].includes(init.type) && this.classifier.mentionsTerm(lastSegment(init)))
            return r;
          return withStep(this.byName(node, name, binding), step, node);
        }
        case 'destructure': {
          const chain = this.chainOf(binding.init, depth + 1);
          const step = stepOf(binding.decl);
          if (chain) {
            const r = this.chainResult(
              { ...chain, segments: [...chain.segments, ...binding.key], canonical: true },
              node,
            );
            if (r.sources.length > 0 || r.clean) return withStep(r, step, node);
          }
          const match = this.classifier.classify(binding.key.at(-1) ?? name);
          if (match)
            return withStep(
              { sources: [{ kind: 'field', match, expr: binding.key.join('.'), node, via: [] }], clean: false },
              step,
              node,
            );
          return this.byName(node, name, binding);
        }
        case 'rest': {
          const r = this.evaluate(binding.init, depth + 1);
          return withStep(r, stepOf(binding.decl), node);
        }
        case 'element': {
          const rows = this.evaluate(binding.init, depth + 1).sources.flatMap((s) =>
            s.kind === 'object' && s.row
              ? [
                  {
                    ...s,
                    object: { id: 'db-row' as const, ...WHOLE_OBJECTS['db-row'] },
                    row: { ...s.row, element: true },
                  },
                ]
              : [],
          );
          if (rows.length > 0)
            return withStep(
              this.namedRows({ sources: rows, clean: false }, name, binding),
              { text: `${name} of ${binding.init.text}`, line: lineOf(binding.decl) },
              node,
            );
          break;
        }
        default:
          break;
      }
    }
    return this.byName(node, name, binding);
  }

  /**
   * A row held by a variable whose name says what it is (`const user = await prisma.user.findUnique(…)`)
   * is read as that object (a user record), keeping the row for the rule to check against the schema.
   */
  private namedRows(r: Result, name: string, binding: Binding): Result {
    if (!r.sources.some((s) => s.kind === 'object' && s.object.id === 'db-row')) return r;
    const whole = this.wholeByName(name, binding, undefined);
    // The variable names the row better than the query does.
    return {
      ...r,
      sources: r.sources.map((s) =>
        s.kind === 'object' && s.object.id === 'db-row'
          ? { ...s, expr: name, ...(whole ? { object: { id: whole, ...WHOLE_OBJECTS[whole] } } : {}) }
          : s,
      ),
    };
  }

  /** What a name alone says: a request object, a user record, or a classified field. */
  private byName(node: TSNode, name: string, binding: Binding | undefined): Result {
    const param = binding?.kind === 'param' ? binding.param : undefined;
    const typeText = param ? paramType(param) : undefined;
    if (typeText && /^(boolean|number|bigint|bool|int|float|Date|datetime)$/.test(typeText)) return CLEAN;
    // `from_token: StreamToken`: a position in a stream, whatever the name says.
    if (typeText && isPositionTokenType(typeText)) return CLEAN;
    const whole = this.wholeByName(name, binding, typeText);
    if (whole) return this.object(whole, node, [], undefined);
    if (binding?.kind === 'catch') return UNKNOWN;
    const match = this.classifier.classify(name);
    if (match) return { sources: [{ kind: 'field', match, expr: name, node, via: [] }], clean: false };
    return UNKNOWN;
  }

  private wholeByName(
    name: string,
    binding: Binding | undefined,
    typeText: string | undefined,
  ): WholeObjectId | undefined {
    const primitive = typeText !== undefined && /^(string|str)$/.test(typeText);
    if (this.lang === 'js') {
      if (
        /^(req|request)$/.test(name) ||
        (typeText && /(^|\.)(Request|FastifyRequest|IncomingMessage|NextRequest|NextApiRequest)\b/.test(typeText))
      ) {
        return primitive ? undefined : 'request';
      }
      if (binding?.kind === 'param' && hasDecorator(binding.param, 'Body')) return 'body';
      if (binding?.kind === 'param' && hasDecorator(binding.param, 'Headers')) return 'headers';
      if (binding?.kind === 'param' && hasDecorator(binding.param, 'Req')) return 'request';
    }
    if (name === 'event' && binding?.kind === 'param' && isLambdaHandler(binding.fn)) return 'lambda-event';
    if (primitive) return undefined;
    const tokens = tokenize(name);
    const last = tokens.at(-1);
    if (last === undefined) return undefined;
    if (PERSON_NOUNS.has(last) && this.lang === 'js') return 'user';
    if (last === 'session' && tokens.length <= 2 && this.lang === 'js') return 'session';
    if ((last === 'payload' || last === 'claims') && tokens.length <= 2) return 'payload';
    if (name === 'formData') return 'body';
    return undefined;
  }

  private member(node: TSNode, depth: number): Result {
    const chain = this.chainOf(node, depth);
    if (!chain) {
      // A computed or call-rooted chain: the last name still says what it is (`getUser().email`).
      const prop =
        this.lang === 'js' ? node.childForFieldName('property')?.text : node.childForFieldName('attribute')?.text;
      if (prop === undefined) return UNKNOWN;
      const match = this.classifier.classify(prop);
      return match ? { sources: [{ kind: 'field', match, expr: node.text, node, via: [] }], clean: false } : UNKNOWN;
    }
    return this.chainResult(chain, node);
  }

  /** What a canonical chain is: a whole object, a classified field, or nothing known. */
  private chainResult(chain: Chain, node: TSNode): Result {
    if (chain.sliced) return CLEAN;
    const segs = chain.segments;
    const whole = this.wholeByChain(chain);
    if (whole) return this.object(whole, node, chain.via, exprOf(chain, node));
    const last = segs.at(-1);
    if (last === undefined) return UNKNOWN;
    if (segs.length === 1 && chain.root) {
      // A bare identifier reached through a binding: judge it by name.
      return this.byName(node, last, undefined);
    }
    const match = this.classifier.classifyChain(segs);
    if (!match) return UNKNOWN;
    const source: FieldSource = { kind: 'field', match, expr: exprOf(chain, node), node, via: chain.via };
    if (isSessionRecordId(segs, match)) source.weak = 'session-record-id';
    return { sources: [source], clean: false };
  }

  private wholeByChain(chain: Chain): WholeObjectId | undefined {
    const segs =
      chain.segments[0] === 'this' || chain.segments[0] === 'self' ? chain.segments.slice(1) : chain.segments;
    const [a, b, c] = segs;
    const n = segs.length;
    if (n === 0) return undefined;
    const rootBinding = chain.root ? this.bindingOf(chain.root) : undefined;
    if (this.lang === 'js') {
      const requestish = (s: string | undefined) => s === 'req' || s === 'request';
      if (n === 1) return this.wholeByName(a!, rootBinding, undefined);
      if (n === 2 && a === 'process' && b === 'env') return 'env';
      if (n === 2 && requestish(a) && (b === 'headers' || b === 'rawHeaders')) return 'headers';
      if (n === 3 && requestish(a) && b === 'raw' && c === 'headers') return 'headers';
      if (n === 2 && a === 'ctx' && (b === 'headers' || b === 'header')) return 'headers';
      if (n === 3 && a === 'ctx' && (b === 'request' || b === 'req') && (c === 'headers' || c === 'header'))
        return 'headers';
      if (n === 2 && a === 'ctx' && (b === 'request' || b === 'req')) return 'request';
      if (
        n === 2 &&
        a === 'event' &&
        (b === 'headers' || b === 'multiValueHeaders') &&
        rootBinding?.kind === 'param' &&
        isLambdaHandler(rootBinding.fn)
      )
        return 'headers';
      if (n === 2 && requestish(a) && (b === 'cookies' || b === 'signedCookies')) return 'cookies';
      if (n === 2 && requestish(a) && (b === 'body' || b === 'payload')) return 'body';
      if (n === 3 && a === 'ctx' && b === 'request' && c === 'body') return 'body';
      if (n === 2 && requestish(a) && b === 'query') return 'query';
      if (n === 2 && requestish(a) && b === 'session') return 'session';
      if (n === 2 && a === 'ctx' && b === 'session') return 'session';
      if (n === 2 && requestish(a) && b === 'user') return 'user';
      if (n === 3 && a === 'ctx' && b === 'state' && c === 'user') return 'user';
    } else {
      const requestish = (s: string | undefined) => s === 'request' || s === 'req';
      if (n === 1) return this.wholeByName(a!, rootBinding, undefined);
      if (n === 2 && a === 'os' && b === 'environ') return 'env';
      if (n === 2 && requestish(a) && (b === 'headers' || b === 'META')) return 'headers';
      if (n === 2 && requestish(a) && (b === 'COOKIES' || b === 'cookies')) return 'cookies';
      if (n === 2 && requestish(a) && ['body', 'data', 'POST', 'form', 'json', 'values', 'stream'].includes(b!))
        return 'body';
      if (n === 2 && requestish(a) && ['GET', 'args', 'query_params'].includes(b!)) return 'query';
      if (n === 2 && requestish(a) && b === 'session') return 'session';
      if (n === 2 && b === '__dict__') return 'model-dump';
      if (
        n === 2 &&
        a === 'event' &&
        (b === 'headers' || b === 'multiValueHeaders' || b === 'body') &&
        rootBinding?.kind === 'param' &&
        isLambdaHandler(rootBinding.fn)
      ) {
        return b === 'body' ? 'body' : 'headers';
      }
    }
    // HTTP client errors: err.config, err.request, err.response.config (axios keeps the Authorization header there).
    if (a !== undefined && (ERROR_NAMES.has(a) || rootBinding?.kind === 'catch') && n >= 2) {
      if ((n === 2 && (b === 'config' || b === 'request')) || (n === 3 && b === 'config' && c === 'headers'))
        return 'http-error';
      if (n === 3 && b === 'response' && (c === 'config' || c === 'request')) return 'http-error';
    }
    return undefined;
  }

  private object(id: WholeObjectId, node: TSNode, via: Step[], expr: string | undefined): Result {
    return { sources: [this.objectSource(id, node, via, expr)], clean: false };
  }

  private objectSource(id: WholeObjectId, node: TSNode, via: Step[], expr: string | undefined): ObjectSource {
    const source: ObjectSource = {
      kind: 'object',
      object: { id, ...WHOLE_OBJECTS[id] },
      expr: expr ?? node.text,
      node,
      via,
    };
    if ((id === 'request' || id === 'headers') && this.lang === 'js' && this.isWhatwgRequest(node)) source.fetch = true;
    return source;
  }

  /**
   * The canonical chain of a member/attribute/subscript expression, with its root variable resolved
   * through local bindings: `h.authorization` after `const h = req.headers` is `req.headers.authorization`.
   */
  chainOf(node: TSNode, depth: number): Chain | undefined {
    const segments: string[] = [];
    let sliced = false;
    let n: TSNode | null = node;
    while (n) {
      switch (n.type) {
        case 'parenthesized_expression':
        case 'non_null_expression':
        case 'as_expression':
        case 'await_expression':
        case 'await':
          n = firstExpression(n) ?? null;
          continue;
        case 'member_expression': {
          const prop = n.childForFieldName('property');
          if (!prop) return undefined;
          segments.push(prop.text);
          n = n.childForFieldName('object');
          continue;
        }
        case 'attribute': {
          const prop = n.childForFieldName('attribute');
          if (!prop) return undefined;
          segments.push(prop.text);
          n = n.childForFieldName('object');
          continue;
        }
        case 'subscript_expression': {
          const index = n.childForFieldName('index');
          const key = index ? stringValue(index) : undefined;
          if (key === undefined) {
            if (index?.type !== 'number') return undefined;
          } else segments.push(key);
          n = n.childForFieldName('object');
          continue;
        }
        case 'subscript': {
          const index = n.childForFieldName('subscript');
          if (index?.type === 'slice') {
            if (segments.length === 0) sliced = true;
            n = n.childForFieldName('value');
            continue;
          }
          const key = index ? stringValue(index) : undefined;
          if (key === undefined) {
            if (index?.type !== 'integer') return undefined;
          } else segments.push(key);
          n = n.childForFieldName('value');
          continue;
        }
        case 'this':
          segments.push('this');
          return { segments: segments.reverse(), sliced, via: [] };
        case 'identifier':
        case 'shorthand_property_identifier': {
          const name = n.text;
          const binding = depth < MAX_DEPTH ? this.bindingOf(n) : undefined;
          if (binding?.kind === 'value' && isChainLike(binding.init)) {
            const inner = this.chainOf(binding.init, depth + 1);
            if (inner)
              return {
                segments: [...inner.segments, ...segments.reverse()],
                root: inner.root ?? n,
                sliced,
                via: [...inner.via, stepOf(binding.decl)],
              };
          }
          if (binding?.kind === 'destructure' && isChainLike(binding.init)) {
            const inner = this.chainOf(binding.init, depth + 1);
            if (inner) {
              return {
                segments: [...inner.segments, ...binding.key, ...segments.reverse()],
                root: inner.root ?? n,
                sliced,
                via: [...inner.via, stepOf(binding.decl)],
              };
            }
          }
          segments.push(name);
          return { segments: segments.reverse(), root: n, sliced, via: [] };
        }
        default:
          return undefined;
      }
    }
    return undefined;
  }

  /** The nearest binding of an identifier before `use`, in its function or an enclosing one, or the module. */
  bindingOf(use: TSNode): Binding | undefined {
    const name = use.text;
    const scopes = this.scopesOf(use);
    for (const scope of scopes.around(use)) {
      const found = lookup(this.tableOf(scope), name, use);
      if (found) return found;
    }
    return lookup(this.tableOf(scopes.root), name, use);
  }

  /**
   * What happens to a variable between its declaration and `use`, in the scope that declares it:
   * plain assignments (`x = …`), and what is appended or added to it (`msg += …`, `parts.push(…)`,
   * `parts.append(…)`, `meta.password = …`, `meta["k"] = …`). In source order; control flow is not modelled.
   */
  private updatesOf(use: TSNode, binding: Binding): Update[] {
    const scopes = this.scopesOf(use);
    for (const scope of [...scopes.around(use), scopes.root]) {
      const table = this.tableOf(scope);
      if (!(table.decls.get(use.text) ?? []).some((d) => d.binding === binding)) continue;
      const declEnd = binding.kind === 'value' ? binding.decl.endIndex : 0;
      return (table.updates.get(use.text) ?? []).filter((u) => u.start >= declEnd && u.end <= use.startIndex);
    }
    return [];
  }

  /** The function ranges of the tree `node` belongs to, built once per tree (never by walking up parents). */
  private scopesOf(node: TSNode): FunctionScopes {
    const tree = node.tree;
    let scopes = this.scopes.get(tree);
    if (!scopes) {
      scopes = new FunctionScopes(tree.rootNode);
      this.scopes.set(tree, scopes);
    }
    return scopes;
  }

  /** The declarations of one scope, collected once (a file can have thousands of log calls). */
  private tableOf(scope: TSNode): ScopeTable {
    let table = this.tables.get(scope.id);
    if (!table) {
      table = this.lang === 'js' ? jsScopeTable(scope) : pyScopeTable(scope);
      this.tables.set(scope.id, table);
    }
    return table;
  }

  /** True when a node's own name says nothing (`x`, `value`, `pw`), so a key or label decides. */
  uninformative(node: TSNode): boolean {
    let n = node;
    while (
      ['parenthesized_expression', 'await_expression', 'await', 'non_null_expression', 'as_expression'].includes(n.type)
    ) {
      const inner = firstExpression(n);
      if (!inner) break;
      n = inner;
    }
    let name: string | undefined;
    if (n.type === 'identifier' || n.type === 'shorthand_property_identifier') {
      // A caught error is an error, whatever the words before it say ("failed to read token: {e}").
      if (this.bindingOf(n)?.kind === 'catch') return false;
      name = n.text;
    } else if (n.type === 'member_expression') name = n.childForFieldName('property')?.text;
    else if (n.type === 'attribute') name = n.childForFieldName('attribute')?.text;
    else if (n.type === 'subscript_expression' || n.type === 'subscript') return false;
    else if (n.type === 'call_expression' || n.type === 'call') return true;
    else return false;
    if (name === undefined) return false;
    return name.length <= 3 || UNINFORMATIVE.has(name) || UNINFORMATIVE.has(name.toLowerCase());
  }
}

// ---------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------

/** How to show a chain: as written when it was not reached through variables, else canonical. */
/** Receivers that name a Prisma client: `prisma`, `this.prismaService`, `db`, `tx` (an interactive transaction). */
const PRISMA_CLIENT = /prisma|^(db|tx|trx|database|client|dbClient)$/i;
const PRISMA_ROW_METHODS = new Set([
  'findUnique',
  'findUniqueOrThrow',
  'findFirst',
  'findFirstOrThrow',
  'findMany',
  'create',
  'update',
  'upsert',
  'delete',
  'createManyAndReturn',
  'updateManyAndReturn',
]);

/**
 * `<client>.<model>.<method>(args)` where the method returns whole rows: the model's accessor and what a
 * literal `select`/`omit` keeps. Undefined for anything else (the schema decides later whether the
 * accessor names a model at all).
 */
function prismaRowRead(fn: TSNode, method: string, args: readonly TSNode[]): RowRead | undefined {
  if (!PRISMA_ROW_METHODS.has(method)) return undefined;
  const model = fn.childForFieldName('object');
  if (model?.type !== 'member_expression') return undefined;
  const accessor = model.childForFieldName('property')?.text;
  const client = model.childForFieldName('object');
  if (!accessor || !/^[a-z]\w*$/.test(accessor) || !client) return undefined;
  if (!PRISMA_CLIENT.test(lastSegment(client))) return undefined;
  const row: RowRead = { accessor, method, omit: [], dynamic: false };
  const first = args[0] ? unwrap(args[0]) : undefined;
  if (!first) return row;
  if (first.type !== 'object') return { ...row, dynamic: true };
  for (const p of first.namedChildren.filter(isNode)) {
    if (p.type === 'spread_element') row.dynamic = true;
    if (p.type !== 'pair') continue;
    const key = p.childForFieldName('key');
    const keyName = key ? (stringValue(key) ?? key.text) : '';
    if (keyName !== 'select' && keyName !== 'omit') continue;
    const value = p.childForFieldName('value');
    const shape = value ? unwrap(value) : undefined;
    if (shape?.type !== 'object') {
      row.dynamic = true;
      continue;
    }
    const kept: string[] = [];
    for (const q of shape.namedChildren.filter(isNode)) {
      if (q.type === 'spread_element') row.dynamic = true;
      if (q.type === 'shorthand_property_identifier') {
        // `select: { password }`: whatever the variable holds.
        row.dynamic = true;
        continue;
      }
      if (q.type !== 'pair') continue;
      const k = q.childForFieldName('key');
      const v = q.childForFieldName('value');
      const name = k ? (stringValue(k) ?? k.text) : '';
      if (!name || !v) continue;
      if (v.type === 'false') continue;
      if (v.type !== 'true' && v.type !== 'object') {
        row.dynamic = true;
        continue;
      }
      kept.push(name);
    }
    if (keyName === 'select') row.select = kept;
    else row.omit = kept;
  }
  return row;
}

function exprOf(chain: Chain, node: TSNode): string {
  return chain.via.length > 0 || chain.canonical ? chain.segments.join('.') : node.text.replace(/\s+/g, '');
}

/** Modules whose `Request` type is a Node request (IncomingMessage), not a WHATWG Request. */
const NODE_FRAMEWORKS =
  /^(express|express-serve-static-core|@types\/express|koa|@types\/koa|fastify|@nestjs\/|@hapi\/|restify|http$|node:http)/;

const JS_CALLBACKS = new Set(['arrow_function', 'function_expression', 'function']);

/** Expressions whose shape is known from the text: a helper returning only these returns what they carry. */
const SHAPES = new Set([
  'object',
  'dictionary',
  'array',
  'list',
  'tuple',
  'string',
  'template_string',
  'number',
  'integer',
  'true',
  'false',
  'null',
  'none',
]);

/**
 * `session.id`, `run.session.id`: the id property of a session object that is not the request's session
 * (`req.session.id`, `ctx.session.id`) nor read from a cookie or header.
 */
function isSessionRecordId(segs: readonly string[], match: SensitiveMatch): boolean {
  if (match.term !== 'session id' || segs.length < 2 || segs.at(-1) !== 'id') return false;
  if (tokenize(segs.at(-2)!).at(-1) !== 'session') return false;
  const s = segs[0] === 'this' || segs[0] === 'self' ? segs.slice(1) : segs;
  if (/^(req|request|ctx|context|event|c)$/.test(s[0] ?? '') && s.length > 2) return false;
  return !segs.some((x) => /cookie|header/i.test(x));
}

/** A string built from a literal: `"%s in %s" % (a, b)`, `'id ' + id`, `"{}".format(x)`. */
function isFormatting(node: TSNode): boolean {
  const n = unwrap(node);
  if (n.type === 'binary_operator' || n.type === 'binary_expression') {
    const left = n.childForFieldName('left');
    return !!left && (stringValue(left) !== undefined || isFormatting(left));
  }
  if (n.type === 'call') {
    const fn = n.childForFieldName('function');
    const receiver = fn?.type === 'attribute' ? fn.childForFieldName('object') : undefined;
    return fn?.childForFieldName('attribute')?.text === 'format' && !!receiver && stringValue(receiver) !== undefined;
  }
  return false;
}

/** The expressions a function returns: an arrow's expression body, else its `return` values (not nested functions'). */
function returnedExpressions(fn: TSNode, lang: FlowLanguage): TSNode[] {
  const body = fn.childForFieldName('body');
  if (!body) return [];
  if (fn.type === 'arrow_function' && body.type !== 'statement_block') return [body];
  const out: TSNode[] = [];
  scopeNodes(body, lang === 'js' ? JS_FUNCTIONS : PY_FUNCTIONS, (n) => {
    if (n.type !== 'return_statement') return;
    const value = n.namedChildren.find((c): c is TSNode => c !== null && c.type !== 'comment');
    if (value) out.push(value);
  });
  return out;
}

/**
 * Each positional parameter as its binding knows it (the node the scope table keys it by), in order;
 * `undefined` holds the place of a destructured or rest parameter, which gets no argument bound.
 * Python's `self`/`cls` of a method are skipped (the call does not pass them).
 */
function simpleParams(fn: TSNode, lang: FlowLanguage): Array<TSNode | undefined> {
  const params = fn.childForFieldName('parameters') ?? fn.childForFieldName('parameter');
  if (!params) return [];
  const list = params.type === 'identifier' ? [params] : params.namedChildren.filter(isNode);
  const out: Array<TSNode | undefined> = [];
  for (const p of list) {
    if (p.type === 'comment' || p.type === 'decorator') continue;
    if (lang === 'js') {
      const pattern = p.childForFieldName('pattern') ?? p;
      out.push(pattern.type === 'identifier' ? p : undefined);
      continue;
    }
    if (p.type === 'list_splat_pattern' || p.type === 'dictionary_splat_pattern' || p.type === 'keyword_separator')
      break;
    const id =
      p.type === 'identifier'
        ? p
        : (p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier'));
    if (out.length === 0 && id && (id.text === 'self' || id.text === 'cls') && fn.parent?.parent?.type !== 'module')
      continue;
    out.push(id ?? undefined);
  }
  return out;
}

/** Strips parentheses and type-only wrappers. */
function unwrap(node: TSNode): TSNode {
  let n = node;
  while (
    ['parenthesized_expression', 'non_null_expression', 'as_expression', 'satisfies_expression'].includes(n.type)
  ) {
    const inner = firstExpression(n);
    if (!inner) break;
    n = inner;
  }
  return n;
}

function isNode(n: TSNode | null): n is TSNode {
  return n !== null;
}

function firstExpression(node: TSNode): TSNode | undefined {
  return node.namedChildren.find(
    (c): c is TSNode =>
      c !== null && c.type !== 'comment' && !c.type.startsWith('type') && c.type !== 'predefined_type',
  );
}

function union(results: Result[]): Result {
  const sources = results.flatMap((r) => r.sources);
  return { sources, clean: sources.length === 0 && results.every((r) => r.clean) };
}

function lastSegment(node: TSNode): string {
  if (node.type === 'member_expression') return node.childForFieldName('property')?.text ?? '';
  if (node.type === 'attribute') return node.childForFieldName('attribute')?.text ?? '';
  return node.text;
}

function isChainLike(node: TSNode): boolean {
  return [
    'member_expression',
    'subscript_expression',
    'attribute',
    'subscript',
    'identifier',
    'parenthesized_expression',
    'as_expression',
    'non_null_expression',
  ].includes(node.type);
}

function isRequestRoot(segments: readonly string[]): boolean {
  const s = segments[0] === 'self' || segments[0] === 'this' ? segments.slice(1) : segments;
  return s.length === 1 && (s[0] === 'request' || s[0] === 'req');
}

function stepOf(decl: TSNode): Step {
  const text = decl.text.replace(/\s+/g, ' ');
  return { text: text.length > 80 ? `${text.slice(0, 77)}…` : text, line: lineOf(decl) };
}

function withStep(r: Result, step: Step, node: TSNode): Result {
  return { clean: r.clean, sources: r.sources.map((s) => ({ ...s, node, via: [...s.via, step] })) };
}

/** The last words of a format string before a placeholder: `"login token="` → `token`. */
export function trailingLabel(text: string): string {
  const m = /([A-Za-z][A-Za-z0-9_\-. ]{0,40}?)\s*[=:]?\s*["'`([]*$/.exec(text);
  if (!m) return '';
  const words = m[1]!
    .trim()
    .split(/[\s.]+/)
    .filter(Boolean);
  // One or two words name a field ("auth header", "password"); more is prose.
  return words.slice(-2).join('_');
}

/** Labels before each placeholder of a format string, and whether it uses named placeholders. */
function placeholderLabels(
  format: string,
  style: 'percent' | 'brace' | 'printf',
): { positional: string[]; named: boolean } {
  const positional: string[] = [];
  let named = false;
  const re =
    style === 'brace' ? /\{\{|\}\}|\{([^{}]*)\}/g : /%%|%(\([^)]*\))?[#0\- +]*\d*(?:\.\d+)?[sdrifxXoeEgGcajOb]/g;
  let last = 0;
  for (const m of format.matchAll(re)) {
    const text = m[0];
    if (text === '%%' || text === '{{' || text === '}}') continue;
    const before = format.slice(last, m.index);
    last = (m.index ?? 0) + text.length;
    if (style === 'brace' && m[1] && !/^\d*$/.test(m[1].split(/[!:]/)[0] ?? '')) continue; // named: matched by keyword
    if (style !== 'brace' && m[1]) {
      named = true;
      continue;
    }
    positional.push(trailingLabel(before));
  }
  return { positional, named };
}

function paramType(param: TSNode): string | undefined {
  const type = param.childForFieldName('type');
  if (!type) return undefined;
  return type.text.replace(/^:\s*/, '').trim();
}

function hasDecorator(param: TSNode, name: string): boolean {
  return param.namedChildren.some((c) => c?.type === 'decorator' && new RegExp(`^@${name}\\b`).test(c.text));
}

/** `handler(event, context)`, `exports.handler = async (event) => …`, `def lambda_handler(event, context)`. */
function isLambdaHandler(fn: TSNode): boolean {
  const params = fn.childForFieldName('parameters');
  const names = (params?.namedChildren ?? [])
    .filter(isNode)
    .map((p) => (p.childForFieldName('pattern') ?? p.childForFieldName('name') ?? p).text);
  if (names[0] !== 'event') return false;
  if (names[1] !== undefined && /^_?(context|ctx)$/.test(names[1])) return true;
  const fnName = enclosingName(fn);
  return fnName !== undefined && /handler$/i.test(fnName);
}

function enclosingName(fn: TSNode): string | undefined {
  const own = fn.childForFieldName('name')?.text;
  if (own) return own;
  const parent = fn.parent;
  if (parent?.type === 'variable_declarator') return parent.childForFieldName('name')?.text;
  if (parent?.type === 'assignment_expression') return parent.childForFieldName('left')?.text;
  if (parent?.type === 'pair') return parent.childForFieldName('key')?.text;
  return undefined;
}

const JS_FUNCTIONS = new Set([
  'function_declaration',
  'function_expression',
  'function',
  'generator_function_declaration',
  'generator_function',
  'arrow_function',
  'method_definition',
  'class_declaration',
  'class',
]);
const PY_FUNCTIONS = new Set(['function_definition', 'lambda', 'class_definition']);

/** A later change to a variable: `x = value` (assign) or `x += value`, `x.push(value)`, `x.k = value` (add). */
interface Update {
  kind: 'assign' | 'add';
  value: TSNode;
  /** The property it is stored under (`meta.password = pw`), which names an uninformative value. */
  key?: string;
  stmt: TSNode;
  start: number;
  end: number;
}

const ADD_METHODS = new Set(['push', 'unshift', 'append', 'extend', 'add', 'insert', 'update', 'appendleft']);

function addUpdate(
  table: ScopeTable,
  name: string,
  kind: Update['kind'],
  value: TSNode,
  stmt: TSNode,
  key?: string,
): void {
  const list = table.updates.get(name) ?? [];
  list.push({ kind, value, stmt, start: stmt.startIndex, end: stmt.endIndex, ...(key !== undefined ? { key } : {}) });
  table.updates.set(name, list);
}

/** Records `x = v`, `x += v`, `x.push(v)`, `x.k = v`, `x["k"] = v` (JS and Python shapes). */
function collectUpdate(table: ScopeTable, n: TSNode): void {
  switch (n.type) {
    case 'assignment':
    case 'assignment_expression':
    case 'augmented_assignment_expression':
    case 'augmented_assignment': {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (!left || !right) return;
      const op = n.childForFieldName('operator')?.text ?? '=';
      if (left.type === 'identifier') {
        // A Python assignment to a name is a declaration of its own.
        if (n.type === 'assignment') return;
        if (n.type === 'assignment_expression') addUpdate(table, left.text, 'assign', right, n);
        else if (op === '+=' || op === '||=' || op === '??=') addUpdate(table, left.text, 'add', right, n);
        return;
      }
      // `meta.password = pw`, `meta["password"] = pw`: the value goes in under that name.
      const object =
        left.childForFieldName('object') ?? (left.type === 'subscript' ? left.childForFieldName('value') : null);
      if (object?.type !== 'identifier') return;
      if (!['member_expression', 'subscript_expression', 'subscript', 'attribute'].includes(left.type)) return;
      const index = left.childForFieldName('index') ?? left.childForFieldName('subscript');
      const key =
        (left.childForFieldName('property') ?? left.childForFieldName('attribute'))?.text ??
        (index ? stringValue(index) : undefined);
      addUpdate(table, object.text, 'add', right, n, key);
      return;
    }
    case 'call_expression':
    case 'call': {
      const fn = n.childForFieldName('function');
      const object = fn?.childForFieldName('object');
      const method = (fn?.childForFieldName('property') ?? fn?.childForFieldName('attribute'))?.text;
      if (object?.type !== 'identifier' || !method || !ADD_METHODS.has(method)) return;
      const args = (n.childForFieldName('arguments')?.namedChildren ?? [])
        .filter(isNode)
        .filter((a) => a.type !== 'comment');
      const value = method === 'insert' ? args.at(-1) : args[0];
      if (value) addUpdate(table, object.text, 'add', value, n);
      return;
    }
    default:
      return;
  }
}

/** The bindings a scope declares: declarations by name (in source order), catch parameters, parameters. */
interface ScopeTable {
  decls: Map<string, Array<{ end: number; binding: Binding }>>;
  /** Later assignments and additions by variable name, in source order. */
  updates: Map<string, Update[]>;
  catches: Array<{ node: TSNode; name: string; binding: Binding }>;
  params: Map<string, Binding>;
}

/**
 * The last declaration of `name` before `use`; a catch parameter around `use`; else the scope's own
 * parameter. Block scoping is not modelled: a declaration in an earlier block counts.
 */
function lookup(table: ScopeTable, name: string, use: TSNode): Binding | undefined {
  for (const c of table.catches) {
    if (c.name === name && c.node.startIndex <= use.startIndex && c.node.endIndex >= use.endIndex) return c.binding;
  }
  const list = table.decls.get(name);
  if (list) {
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.end <= use.startIndex) return list[i]!.binding;
  }
  return table.params.get(name);
}

function addDecl(table: ScopeTable, name: string, end: number, binding: Binding): void {
  const list = table.decls.get(name) ?? [];
  list.push({ end, binding });
  table.decls.set(name, list);
}

/** Walks a scope's body once, not entering nested functions and classes (they have their own scope). */
function scopeNodes(body: TSNode | null, nested: ReadonlySet<string>, visit: (n: TSNode) => void): void {
  if (!body) return;
  const stack: TSNode[] = [body];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.id !== body.id && nested.has(n.type)) continue;
    visit(n);
    for (let i = n.namedChildCount - 1; i >= 0; i--) {
      const c = n.namedChild(i);
      if (c) stack.push(c);
    }
  }
}

function jsScopeTable(scope: TSNode): ScopeTable {
  const table: ScopeTable = { decls: new Map(), updates: new Map(), catches: [], params: new Map() };
  const body = scope.type === 'program' ? scope : scope.childForFieldName('body');
  scopeNodes(body, JS_FUNCTIONS, (n) => {
    collectUpdate(table, n);
    if (n.type === 'variable_declarator') {
      const target = n.childForFieldName('name');
      const init = n.childForFieldName('value');
      if (!target || !init) return;
      if (target.type === 'identifier')
        addDecl(table, target.text, n.endIndex, { kind: 'value', node: target, init, decl: n });
      else {
        for (const found of patternNames(target)) {
          const binding: Binding = found.rest
            ? { kind: 'rest', node: found.node, init, decl: n }
            : { kind: 'destructure', node: found.node, init, key: found.key, decl: n };
          addDecl(table, found.name, n.endIndex, binding);
        }
      }
    } else if (n.type === 'for_in_statement' && n.childForFieldName('operator')?.text === 'of') {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (left?.type === 'identifier' && right)
        addDecl(table, left.text, left.endIndex, { kind: 'element', node: left, init: right, decl: n });
    } else if (n.type === 'catch_clause') {
      const p = n.childForFieldName('parameter');
      if (p?.type === 'identifier') table.catches.push({ node: n, name: p.text, binding: { kind: 'catch', node: p } });
    }
  });
  // Function declarations are hoisted: visible everywhere in their scope.
  for (const c of body?.namedChildren ?? []) {
    const d = c?.type === 'export_statement' ? c.childForFieldName('declaration') : c;
    if (d?.type !== 'function_declaration' && d?.type !== 'generator_function_declaration') continue;
    const id = d.childForFieldName('name');
    if (id) addDecl(table, id.text, 0, { kind: 'function', node: id, fn: d });
  }
  if (scope.type === 'program') return table;
  const params = scope.childForFieldName('parameters') ?? scope.childForFieldName('parameter');
  if (!params) return table;
  const list = params.type === 'identifier' ? [params] : params.namedChildren.filter(isNode);
  const catchCallback = isCatchCallback(scope);
  for (const p of list) {
    for (const name of jsParamNames(p)) {
      if (table.params.has(name)) continue;
      // `.catch((err) => …)`: the error of a failed call.
      table.params.set(
        name,
        catchCallback ? { kind: 'catch', node: p } : { kind: 'param', node: p, param: p, fn: scope },
      );
    }
  }
  return table;
}

function pyScopeTable(scope: TSNode): ScopeTable {
  const table: ScopeTable = { decls: new Map(), updates: new Map(), catches: [], params: new Map() };
  const body = scope.type === 'module' ? scope : scope.childForFieldName('body');
  scopeNodes(body, PY_FUNCTIONS, (n) => {
    if (n.type === 'augmented_assignment' || n.type === 'call') collectUpdate(table, n);
    if (n.type === 'assignment') {
      const target = n.childForFieldName('left');
      if (target?.type === 'subscript' || target?.type === 'attribute') collectUpdate(table, n);
    }
    if (n.type === 'assignment') {
      const left = n.childForFieldName('left');
      let right = n.childForFieldName('right');
      // `a = b = value`
      while (right?.type === 'assignment') right = right.childForFieldName('right');
      if (left?.type === 'identifier' && right)
        addDecl(table, left.text, n.endIndex, { kind: 'value', node: left, init: right, decl: n });
    } else if (n.type === 'except_clause') {
      const alias = n.descendantsOfType('as_pattern_target')[0];
      if (alias) table.catches.push({ node: n, name: alias.text, binding: { kind: 'catch', node: alias } });
    }
  });
  // A function defined in this scope is callable from anywhere in it by the time the call runs.
  for (const c of body?.namedChildren ?? []) {
    const d = c?.type === 'decorated_definition' ? c.childForFieldName('definition') : c;
    if (d?.type !== 'function_definition') continue;
    const id = d.childForFieldName('name');
    if (id) addDecl(table, id.text, 0, { kind: 'function', node: id, fn: d });
  }
  if (scope.type === 'module') return table;
  for (const p of scope.childForFieldName('parameters')?.namedChildren ?? []) {
    if (!p) continue;
    const id =
      p.type === 'identifier'
        ? p
        : (p.childForFieldName('name') ?? p.namedChildren.find((c) => c?.type === 'identifier'));
    if (id && !table.params.has(id.text)) table.params.set(id.text, { kind: 'param', node: id, param: p, fn: scope });
  }
  return table;
}

function isCatchCallback(fn: TSNode): boolean {
  const args = fn.parent;
  const call = args?.parent;
  if (args?.type !== 'arguments' || call?.type !== 'call_expression') return false;
  const callee = call.childForFieldName('function');
  return callee?.type === 'member_expression' && callee.childForFieldName('property')?.text === 'catch';
}

function jsParamNames(p: TSNode): string[] {
  const pattern = p.childForFieldName('pattern') ?? p.childForFieldName('left') ?? p;
  if (pattern.type === 'identifier') return [pattern.text];
  if (pattern.type === 'rest_pattern')
    return pattern.namedChildren.filter((c) => c?.type === 'identifier').map((c) => c!.text);
  return patternNames(pattern).map((x) => x.name);
}

/** Names bound by an object/array pattern with the property path each comes from. */
function patternNames(
  pattern: TSNode,
  prefix: string[] = [],
): Array<{ name: string; key: string[]; node: TSNode; rest?: boolean }> {
  const out: Array<{ name: string; key: string[]; node: TSNode; rest?: boolean }> = [];
  if (pattern.type === 'object_pattern') {
    for (const c of pattern.namedChildren) {
      if (!c) continue;
      if (c.type === 'shorthand_property_identifier_pattern')
        out.push({ name: c.text, key: [...prefix, c.text], node: c });
      else if (c.type === 'object_assignment_pattern') {
        const left = c.childForFieldName('left');
        if (left) out.push({ name: left.text, key: [...prefix, left.text], node: left });
      } else if (c.type === 'pair_pattern') {
        const key = c.childForFieldName('key');
        let value = c.childForFieldName('value');
        if (value?.type === 'assignment_pattern') value = value.childForFieldName('left');
        const k = key ? (stringValue(key) ?? key.text) : undefined;
        if (!k || !value) continue;
        if (value.type === 'identifier') out.push({ name: value.text, key: [...prefix, k], node: value });
        else out.push(...patternNames(value, [...prefix, k]));
      } else if (c.type === 'rest_pattern') {
        const id = c.namedChildren.find((x) => x?.type === 'identifier');
        if (id && prefix.length === 0) out.push({ name: id.text, key: prefix, node: id, rest: true });
      }
    }
  }
  return out;
}
