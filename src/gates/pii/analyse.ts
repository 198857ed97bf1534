/**
 * The sink analysis shared by the four "what reaches a log" rules: every sink call in a file and every
 * sensitive source in its arguments. Computed once per file and options. Which rule reports a hit, and at
 * what severity, is each rule's own predicate (`claim` in its rule file); this module only gathers the
 * hits and the evidence the predicates weigh (`credentialReason`).
 */
import type { MemoKey, SourceFile, TSNode } from '../../lang/source-file.js';
import { descendantsOfType, enclosingFunction, lineOf, positionalArgs, stringValue } from '../../lang/ts-helpers.js';
import { Flow, type ObjectSource, type Source, type Step } from './flow.js';
import type { ResolvedOptions } from './options.js';
import { findSinks, type Sink } from './sinks.js';

/** A sensitive source in a sink's arguments, before any rule has claimed it. */
export interface SinkHit {
  sink: Sink;
  source: Source;
  line: number;
  /** What the file shows, for predicates that weigh evidence (see {@link credentialReason}). */
  evidence: SinkEvidence;
}

/** Per-file evidence shared by the hits of one file. */
export interface SinkEvidence {
  flow: Flow;
  /** The file sets an Authorization header on its outgoing HTTP requests. */
  authorizedClient: boolean;
}

/** What a rule's predicate says about a hit it reports. */
export interface SinkClaim {
  /** Set when the finding's severity differs from the rule's default (escalations, the environment). */
  severity?: 'blocker' | 'warning';
  /** Why a whole object counts as carrying a credential. */
  credential?: string;
  /** A whole database row whose model has secret columns the read keeps. */
  secretRow?: SecretRow;
}

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

/** A sink rule's predicate: the claim when the rule reports this hit, else undefined. */
export type SinkPredicate = (hit: SinkHit) => SinkClaim | undefined;

/** A hit as one rule reports it. */
export type SinkFinding = SinkHit & SinkClaim;

/**
 * The file's sink hits per options key, memoised on the file: the first of the four rules to check a file
 * computes them, the other three read them, and the engine's `dispose()` of the file drops them with the
 * tree their nodes belong to.
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

function compute(file: SourceFile, options: ResolvedOptions): SinkHit[] {
  const lang = file.language === 'python' ? 'py' : 'js';
  const flow = new Flow(lang, { classifier: options.classifier, redactors: options.redactors });
  const out: SinkHit[] = [];
  const evidence: SinkEvidence = { flow, authorizedClient: setsAuthorizationHeader(file) };
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
        out.push({ sink, source, line: lineOf(source.node), evidence });
      }
    }
  }
  return out;
}

function receiverOf(name: string): string {
  return name.slice(0, name.lastIndexOf('.'));
}

/**
 * Why a body, user, session or error object visibly carries a credential: the same function reads a
 * secret field from it (`req.body.password`), the route is a login/token endpoint, the error's request
 * headers are logged, or this file sets an Authorization header on its HTTP client.
 */
export function credentialReason(hit: SinkHit & { source: ObjectSource }): string | undefined {
  const { source, sink } = hit;
  const { flow, authorizedClient } = hit.evidence;
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

/** The route path of a handler: `router.post('/login', handler)` or `@app.post("/login")`. */
function routeOf(fn: TSNode, lang: 'js' | 'py'): string | undefined {
  if (lang === 'js') {
    const args = fn.parent;
    const call = args?.parent;
    if (args?.type !== 'arguments' || call?.type !== 'call_expression') return undefined;
    const first = positionalArgs(call)[0];
    return first ? stringValue(first) : undefined;
  }
  const decorated = fn.parent;
  if (decorated?.type !== 'decorated_definition') return undefined;
  for (const d of decorated.namedChildren) {
    if (d?.type !== 'decorator') continue;
    const call = d.namedChildren.find((c) => c?.type === 'call');
    const first = call ? positionalArgs(call)[0] : undefined;
    const path = first ? stringValue(first) : undefined;
    if (path?.startsWith('/')) return path;
  }
  return undefined;
}

/**
 * Whether the file sets an Authorization header on outgoing requests: `headers: { Authorization: … }`,
 * `headers['Authorization'] = …`, `axios.defaults.headers.common.Authorization = …`, Python
 * `{"Authorization": …}`. Found on the syntax tree: keys, subscripts and properties named so.
 */
function setsAuthorizationHeader(file: SourceFile): boolean {
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
