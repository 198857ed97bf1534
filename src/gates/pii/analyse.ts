/**
 * The sink analysis shared by the four "what reaches a log" rules: every sink call in a file, every
 * sensitive value in its arguments, and what the file shows about each value, as plain data (no syntax
 * nodes). Computed once per file and options. Which rule reports a hit, and at what severity, is each
 * rule's own predicate (`claim` in its rule file); this module only gathers the hits and the evidence
 * the predicates weigh, and names no rule.
 */
import type { MemoKey, SourceFile, TSNode } from '../../lang/source-file.js';
import { descendantsOfType, enclosingFunction, lineOf, positionalArgs, stringValue } from '../../lang/ts-helpers.js';
import { Flow, type FieldSource, type ObjectSource, type Source, type Step } from './flow.js';
import type { ResolvedOptions } from './options.js';
import { findSinks, type Sink, type SinkKind } from './sinks.js';
import { jsRouteCall, jsRoutePathIndex, pyRouteDecorator } from '../../lang/program/routes.js';

/** A sensitive value in a sink's arguments, before any rule has claimed it. Plain data. */
export interface SinkHit {
  /** The call, as the code names it (`logger.info`, `print`), and where it writes. */
  sink: { name: string; kind: SinkKind };
  source: LoggedValue;
  /** The line where the value enters the call. */
  line: number;
}

/** A value whose name says what it is (`req.body.password`): the flow's field source, without its node. */
export type LoggedField = Omit<FieldSource, 'node'>;

/** A whole object (a request, a body, the environment): the flow's object source, without its node. */
export interface LoggedObject extends Omit<ObjectSource, 'node'> {
  /**
   * Why the object visibly carries a credential, when the file shows it: the same function reads a
   * secret field from it, the route is a login/token endpoint, the error's request headers are logged,
   * or the file sets an Authorization header on its HTTP client.
   */
  credential?: string;
}

export type LoggedValue = LoggedField | LoggedObject;

/** What a rule's predicate says about a hit it reports; a rule may add what its messages need. */
export interface SinkClaim {
  /** Set when the finding's severity differs from the rule's default (escalations, the environment). */
  severity?: 'blocker' | 'warning';
}

/** A sink rule's predicate: the claim when the rule reports this hit, else undefined. */
export type SinkPredicate<Claim extends SinkClaim = SinkClaim> = (hit: SinkHit) => Claim | undefined;

/** A hit as one rule reports it. */
export type SinkFinding<Claim extends SinkClaim = SinkClaim> = SinkHit & Claim;

/**
 * The file's sink hits per options key, memoised on the file: the first of the four rules to check a file
 * computes them, the other three read them.
 */
const SINK_HITS: MemoKey<Map<string, SinkHit[]>> = { name: 'pii sink hits' };

/** The sink hits of one file (TS/JS or Python), computed once per file and options. */
export function analyseSinks(file: SourceFile, options: ResolvedOptions): SinkHit[] {
  const perOptions = file.memo(SINK_HITS, () => new Map<string, SinkHit[]>());
  let hits = perOptions.get(options.key);
  if (!hits) {
    hits = compute(file, options);
    perOptions.set(options.key, hits);
  }
  return hits;
}

/** What the file shows, for the evidence of each hit. */
interface FileEvidence {
  flow: Flow;
  /** The file sets an Authorization header on its outgoing HTTP requests. */
  authorizedClient: boolean;
}

function compute(file: SourceFile, options: ResolvedOptions): SinkHit[] {
  const lang = file.language === 'python' ? 'py' : 'js';
  const flow = new Flow(lang, { classifier: options.classifier, redactors: options.redactors });
  const out: SinkHit[] = [];
  const evidence: FileEvidence = { flow, authorizedClient: setsAuthorizationHeader(file) };
  for (const sink of findSinks(file)) {
    for (const arg of sink.args) {
      const result =
        arg.name !== undefined
          ? flow.named(arg.name, arg.node, arg.labelNode ?? arg.node)
          : arg.formatLabel !== undefined
            ? flow.labelled(arg.formatLabel, arg.node, arg.node)
            : flow.evaluate(arg.node);
      for (const source of result.sources) {
        if (
          source.kind === 'object' &&
          sink.fastify &&
          source.key === 'req' &&
          source.object.id === 'request' &&
          /\blog$/.test(receiverOf(sink.name))
        ) {
          // Fastify's default `req` serializer logs method, url, host and remote address only.
          continue;
        }
        out.push({
          sink: { name: sink.name, kind: sink.kind },
          source: loggedValue(source, sink, evidence),
          line: lineOf(source.node),
        });
      }
    }
  }
  return out;
}

/** The source without its syntax node; an object with the credential the file shows it carries. */
function loggedValue(source: Source, sink: Sink, evidence: FileEvidence): LoggedValue {
  if (source.kind === 'field') {
    const { node: _node, ...field } = source;
    return field;
  }
  const { node: _node, ...object } = source;
  const credential = credentialReason(source, sink, evidence);
  return credential === undefined ? object : { ...object, credential };
}

function receiverOf(name: string): string {
  return name.slice(0, name.lastIndexOf('.'));
}

/**
 * Why a body, user, session or error object visibly carries a credential: the same function reads a
 * secret field from it (`req.body.password`), the route is a login/token endpoint, the error's request
 * headers are logged, or this file sets an Authorization header on its HTTP client.
 */
function credentialReason(source: ObjectSource, sink: Sink, evidence: FileEvidence): string | undefined {
  const { flow, authorizedClient } = evidence;
  if (source.object.id === 'http-error') {
    if (/\.headers$/.test(source.expr)) return 'the request headers include the Authorization header';
    if (authorizedClient) return 'this file sets an Authorization header on its HTTP requests, and the error keeps it';
    return undefined;
  }
  const fn = enclosingFunction(sink.call)?.node;
  if (!fn) return undefined;
  const base = source.expr;
  // A secret field read off the same object in the same function.
  const memberTypes = flow.lang === 'js' ? ['member_expression', 'subscript_expression'] : ['attribute', 'subscript'];
  for (const m of descendantsOfType(fn, memberTypes)) {
    const chain = flow.chainOf(m, 0);
    if (!chain || chain.segments.length < 2) continue;
    const joined = chain.segments.slice(0, -1).join('.');
    if (joined !== base) continue;
    const match = flow.classifier.classifyChain(chain.segments);
    if (match?.severity === 'blocker')
      return `this function also reads \`${chain.segments.join('.')}\` (a ${match.label}) from it`;
  }
  if (flow.lang === 'js') {
    for (const d of descendantsOfType(fn, 'variable_declarator')) {
      const pattern = d.childForFieldName('name');
      const init = d.childForFieldName('value');
      if (pattern?.type !== 'object_pattern' || !init) continue;
      const chain = flow.chainOf(init, 0);
      if (!chain || chain.segments.join('.') !== base) continue;
      for (const key of descendantsOfType(pattern, ['shorthand_property_identifier_pattern', 'property_identifier'])) {
        const match = flow.classifier.classify(key.text);
        if (match?.severity === 'blocker')
          return `this function destructures \`${key.text}\` (a ${match.label}) from it`;
      }
    }
  }
  if (source.object.id === 'body' || source.object.id === 'payload') {
    const route = routeOf(fn, flow.lang);
    if (route && /(log-?in|sign-?in|sign-?up|register|password|token|auth|oauth|session|credential)/i.test(route)) {
      return `it is the body of the \`${route}\` route, which carries credentials`;
    }
  }
  return undefined;
}

/**
 * The route path of a handler, as the route detector reads its registration: `router.post('/login',
 * handler)`, `app.route('/login').post(handler)`, `@app.post("/login")`. Undefined for a function passed
 * to any other call, whatever string stands first there (`program.command('login', fn)` is no route).
 */
function routeOf(fn: TSNode, lang: 'js' | 'py'): string | undefined {
  if (lang === 'js') {
    const args = fn.parent;
    const route = args?.type === 'arguments' && args.parent ? jsRouteCall(args.parent) : undefined;
    if (!route) return undefined;
    if (route.chain) {
      const path = positionalArgs(route.chain)[0];
      return path ? stringValue(path) : undefined;
    }
    const at = jsRoutePathIndex(route.args);
    return at === undefined ? undefined : stringValue(route.args[at]!);
  }
  const decorated = fn.parent;
  if (decorated?.type !== 'decorated_definition') return undefined;
  for (const d of decorated.namedChildren) {
    if (d?.type !== 'decorator') continue;
    const route = pyRouteDecorator(d);
    const path = route?.pathNode ? stringValue(route.pathNode) : undefined;
    if (path !== undefined) return path;
  }
  return undefined;
}

/** A JS escape that may decode to a letter of "authorization" (`\t`, `\r`, `\n` decode to whitespace). */
const LETTER_ESCAPE = /\\[uxUX0-7auhoizAUTHORIZN\r\n]/;

/**
 * Whether the file sets an Authorization header on outgoing requests: `headers: { Authorization: … }`,
 * `headers['Authorization'] = …`, `axios.defaults.headers.common.Authorization = …`, Python
 * `{"Authorization": …}`. Found on the syntax tree: keys, subscripts and properties named so.
 */
function setsAuthorizationHeader(file: SourceFile): boolean {
  // JS/TS spells the name in the text, or with an escape that can stand for one of its letters (\u, \x,
  // octal, a line continuation, a letter escaping itself); a Python string may also be adjacent pieces
  // ("Author" "ization"), so Python files are always looked at.
  if (
    file.language !== 'python' &&
    !LETTER_ESCAPE.test(file.text) &&
    !file.text.toLowerCase().includes('authorization')
  )
    return false;
  const root = file.tree()?.rootNode;
  if (!root) return false;
  const isAuth = (n: TSNode | null | undefined) => !!n && (stringValue(n) ?? n.text).toLowerCase() === 'authorization';
  for (const n of descendantsOfType(root, ['pair', 'subscript_expression', 'member_expression', 'subscript'])) {
    if (n.type === 'pair' && isAuth(n.childForFieldName('key'))) return true;
    if (n.type === 'subscript_expression' && isAuth(n.childForFieldName('index'))) return true;
    if (n.type === 'subscript' && isAuth(n.childForFieldName('subscript'))) return true;
    if (
      n.type === 'member_expression' &&
      isAuth(n.childForFieldName('property')) &&
      n.parent?.type === 'assignment_expression'
    )
      return true;
  }
  return false;
}

/** "via `const { password } = req.body` (line 3)". */
export function describeVia(via: readonly Step[]): string {
  if (via.length === 0) return '';
  return ` (via ${via.map((s) => `\`${s.text}\` on line ${s.line}`).join(', then ')})`;
}
