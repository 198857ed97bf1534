/**
 * Logger and error-tracker configurations that let secrets through, outside pino:
 * - winston: a redaction format placed after the format that renders the line (`json()`, `printf()`…);
 * - Python logging: a redaction filter attached to a logger instead of its handlers;
 * - structlog: a redaction processor placed after the renderer;
 * - loguru: a handler added with `diagnose` on (the default), which prints local variables in tracebacks;
 * - Sentry: `sendDefaultPii: true` / `send_default_pii=True`.
 * Each check returns plain findings; the rules report them.
 */
import type { SourceFile, TSNode } from '../../lang/source-file.js';
import {
  calleeName,
  descendantsOfType,
  dottedName,
  importsOf,
  keywordArgs,
  objectProps,
  positionalArgs,
  stringValue,
} from '../../lang/ts-helpers.js';
import { tokenize } from './sensitive.js';
import { jsDeclaratorOf } from '../../lang/program/scope.js';

/** Words that make a format, filter or processor a redaction step. */
const REDACTION_WORDS = new Set([
  'redact',
  'redacted',
  'redaction',
  'redactor',
  'mask',
  'masking',
  'masker',
  'scrub',
  'scrubber',
  'scrubbing',
  'censor',
  'sanitize',
  'sanitise',
  'sanitizer',
  'sanitiser',
  'obfuscate',
  'anonymize',
  'anonymise',
  'pii',
  'sensitive',
  'secrets',
]);

/** Whether a name (`redactSecrets`, `RedactingFilter`, `mask_pii`) reads as a redaction step. */
export function isRedactionName(name: string | undefined, redactors: readonly string[] = []): boolean {
  if (!name) return false;
  const last = name.split('.').at(-1) ?? name;
  if (redactors.includes(name) || redactors.includes(last)) return true;
  return tokenize(last).some((t) => REDACTION_WORDS.has(t));
}

export interface ConfigFinding {
  node: TSNode;
  data: Record<string, string>;
  messageId: string;
  key: string;
}

// ---------------------------------------------------------------------------------------------------------
// winston
// ---------------------------------------------------------------------------------------------------------

/** Formats that compute the final line (`info[MESSAGE]`); anything after them changes nothing printed. */
const WINSTON_FINALIZERS = new Set(['json', 'printf', 'simple', 'logstash', 'prettyPrint', 'cli']);

/** winston `format.combine(...)` calls where a redaction format runs after the line is rendered. */
export function winstonFindings(file: SourceFile, redactors: readonly string[]): ConfigFinding[] {
  const tree = file.tree();
  if (!tree || file.language === 'python') return [];
  const imports = importsOf(tree);
  if (!imports.has('winston') && !imports.has('logform')) return [];
  const out: ConfigFinding[] = [];
  for (const call of descendantsOfType(tree.rootNode, 'call_expression')) {
    const name = calleeName(call);
    if (!name || !/(^|\.)combine$/.test(name)) continue;
    const args = positionalArgs(call);
    let finalizer: string | undefined;
    for (const arg of args) {
      const fmt = formatName(arg);
      if (finalizer === undefined) {
        if (fmt.name && WINSTON_FINALIZERS.has(fmt.name)) finalizer = fmt.name;
        continue;
      }
      if (!fmt.redaction && !isRedactionName(fmt.name, redactors)) continue;
      // A format that rewrites the rendered line itself (info[MESSAGE]) still works after json().
      if (fmt.body && /Symbol\.for\(\s*['"]message['"]\s*\)|\bMESSAGE\b/.test(fmt.body.text)) continue;
      out.push({
        node: arg,
        messageId: 'order',
        data: { format: arg.text.replace(/\s+/g, ' ').slice(0, 60), finalizer: `${finalizer}()` },
        key: arg.text,
      });
    }
  }
  return out;
}

/**
 * What a `combine` argument is: its format name (`json`, `redactSecrets`), the body of a custom format
 * function, and whether that body visibly redacts (assigns a mask string or deletes keys).
 */
function formatName(arg: TSNode): { name?: string; body?: TSNode; redaction: boolean } {
  if (arg.type !== 'call_expression') return { name: dottedName(arg)?.split('.').at(-1), redaction: false };
  const fn = arg.childForFieldName('function');
  if (!fn) return { redaction: false };
  // winston.format((info) => …)()
  if (fn.type === 'call_expression') {
    const body = positionalArgs(fn)[0];
    return { name: undefined, ...(body ? { body } : {}), redaction: body ? visiblyRedacts(body) : false };
  }
  const name = dottedName(fn)?.split('.').at(-1);
  // const redact = format((info) => …); … redact()
  if (fn.type === 'identifier') {
    const decl = jsDeclaratorOf(fn);
    const init = decl?.childForFieldName('value');
    const body = init?.type === 'call_expression' ? positionalArgs(init)[0] : undefined;
    if (body) return { ...(name ? { name } : {}), body, redaction: visiblyRedacts(body) };
  }
  return { ...(name ? { name } : {}), redaction: false };
}

function visiblyRedacts(body: TSNode): boolean {
  for (const s of descendantsOfType(body, ['string', 'template_string'])) {
    if (/redact|\*{3}|censor|filtered|masked|hidden/i.test(stringValue(s) ?? '')) return true;
  }
  return descendantsOfType(body, 'unary_expression').some((u) => u.text.startsWith('delete '));
}

// ---------------------------------------------------------------------------------------------------------
// Python logging filters
// ---------------------------------------------------------------------------------------------------------

/** Python redaction filters attached to loggers (`logger.addFilter(RedactFilter())`, dictConfig `loggers.*.filters`). */
export function loggingFilterFindings(file: SourceFile, redactors: readonly string[]): ConfigFinding[] {
  const tree = file.tree();
  if (!tree || file.language !== 'python') return [];
  const root = tree.rootNode;
  const assigned = pythonAssignments(root);
  const out: ConfigFinding[] = [];
  for (const call of descendantsOfType(root, 'call')) {
    const fn = call.childForFieldName('function');
    if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'addFilter') continue;
    const recv = fn.childForFieldName('object');
    const filter = positionalArgs(call)[0];
    if (!recv || !filter) continue;
    const filterName = filter.type === 'call' ? calleeName(filter) : dottedName(filter);
    if (!isRedactionName(filterName, redactors) && !isRedactionName(assignedCallee(filter, assigned), redactors))
      continue;
    const logger = loggerDescription(recv, assigned);
    if (!logger) continue;
    out.push({
      node: call,
      messageId: 'logger',
      data: { filter: filter.text, logger },
      key: `${recv.text}|${filter.text}`,
    });
  }
  // dictConfig / Django LOGGING: "loggers": {"app": {"filters": ["redact"]}}
  for (const dict of descendantsOfType(root, 'dictionary')) {
    const props = pyDictProps(dict);
    const loggers = props.get('loggers');
    const filters = props.get('filters');
    if (loggers?.type !== 'dictionary') continue;
    const definitions = filters?.type === 'dictionary' ? pyDictProps(filters) : new Map<string, TSNode>();
    const entries: Array<[string, TSNode]> = [...pyDictProps(loggers)];
    const rootLogger = props.get('root');
    if (rootLogger) entries.push(['root', rootLogger]);
    for (const [loggerName, config] of entries) {
      if (config.type !== 'dictionary') continue;
      const attached = pyDictProps(config).get('filters');
      if (attached?.type !== 'list') continue;
      for (const item of attached.namedChildren) {
        const id = item ? stringValue(item) : undefined;
        if (!item || id === undefined) continue;
        const def = definitions.get(id);
        const factory = def?.type === 'dictionary' ? pyDictProps(def).get('()') : undefined;
        const target = factory ? stringValue(factory) : undefined;
        if (!isRedactionName(id, redactors) && !isRedactionName(target, redactors)) continue;
        out.push({
          node: item,
          messageId: 'dictConfig',
          data: { filter: id, logger: loggerName === 'root' ? 'the root logger' : `"${loggerName}"` },
          key: `${loggerName}|${id}`,
        });
      }
    }
  }
  return out;
}

/** `x = logging.getLogger(…)` and `h = logging.StreamHandler()`: name → callee. */
function pythonAssignments(root: TSNode): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of descendantsOfType(root, 'assignment')) {
    const left = dottedName(a.childForFieldName('left'));
    const right = a.childForFieldName('right');
    const callee = right?.type === 'call' ? calleeName(right) : undefined;
    if (left && callee) out.set(left, callee);
  }
  return out;
}

function assignedCallee(node: TSNode, assigned: Map<string, string>): string | undefined {
  const name = dottedName(node);
  return name ? assigned.get(name) : undefined;
}

/** "the root logger", "`logger`" — or undefined when the receiver is a handler or unknown. */
function loggerDescription(recv: TSNode, assigned: Map<string, string>): string | undefined {
  const isGetLogger = (callee: string | undefined) => callee !== undefined && /(^|\.)getLogger$/.test(callee);
  if (recv.type === 'call' && isGetLogger(calleeName(recv))) {
    const args = positionalArgs(recv);
    const first = args[0];
    if (!first || first.type === 'none' || stringValue(first) === '') return 'the root logger';
    return `\`${recv.text}\``;
  }
  const name = dottedName(recv);
  if (!name) return undefined;
  const callee = assigned.get(name);
  if (callee && /Handler$/.test(callee)) return undefined;
  if (isGetLogger(callee)) return `\`${name}\``;
  const tokens = tokenize(name.split('.').at(-1) ?? name);
  if (tokens.includes('handler') || tokens.includes('handlers')) return undefined;
  const last = tokens.at(-1);
  return last === 'logger' || last === 'log' ? `\`${name}\`` : undefined;
}

function pyDictProps(dict: TSNode): Map<string, TSNode> {
  const out = new Map<string, TSNode>();
  for (const pair of dict.namedChildren) {
    if (pair?.type !== 'pair') continue;
    const key = pair.childForFieldName('key');
    const value = pair.childForFieldName('value');
    const name = key ? stringValue(key) : undefined;
    if (name !== undefined && value) out.set(name, value);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// structlog
// ---------------------------------------------------------------------------------------------------------

/** Processors that turn the event dict into the final string (or hand it to stdlib logging). */
const STRUCTLOG_RENDERERS = new Set([
  'JSONRenderer',
  'ConsoleRenderer',
  'LogfmtRenderer',
  'KeyValueRenderer',
  'render_to_log_kwargs',
  'wrap_for_formatter',
]);

/** structlog processor lists where a redaction processor comes after the renderer. */
export function structlogFindings(file: SourceFile, redactors: readonly string[]): ConfigFinding[] {
  const tree = file.tree();
  if (!tree || file.language !== 'python') return [];
  const imports = importsOf(tree);
  if (![...imports.keys()].some((m) => m === 'structlog' || m.startsWith('structlog.'))) return [];
  const out: ConfigFinding[] = [];
  for (const call of descendantsOfType(tree.rootNode, 'call')) {
    const name = calleeName(call) ?? '';
    if (!/(^|\.)(configure|wrap_logger|ProcessorFormatter)$/.test(name)) continue;
    let list = keywordArgs(call).get('processors');
    if (list?.type === 'identifier') list = pythonListOf(list) ?? list;
    if (list?.type !== 'list') continue;
    let renderer: string | undefined;
    for (const el of list.namedChildren) {
      if (!el || el.type === 'comment') continue;
      const elName = (el.type === 'call' ? calleeName(el) : dottedName(el)) ?? '';
      const last = elName.split('.').at(-1) ?? '';
      if (renderer === undefined) {
        if (STRUCTLOG_RENDERERS.has(last)) renderer = el.text;
        continue;
      }
      if (!isRedactionName(elName, redactors)) continue;
      out.push({ node: el, messageId: 'order', data: { processor: el.text, renderer }, key: el.text });
    }
  }
  return out;
}

function pythonListOf(id: TSNode): TSNode | undefined {
  let root = id;
  while (root.parent) root = root.parent;
  let found: TSNode | undefined;
  for (const a of descendantsOfType(root, 'assignment')) {
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (left?.text === id.text && right?.type === 'list' && a.startIndex < id.startIndex) found = right;
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------
// loguru
// ---------------------------------------------------------------------------------------------------------

/** `logger.add(…)` / `logger.configure(handlers=[…])` of loguru with `diagnose` on. */
export function loguruFindings(file: SourceFile): ConfigFinding[] {
  const tree = file.tree();
  if (!tree || file.language !== 'python') return [];
  const imports = importsOf(tree);
  const names = new Set((imports.get('loguru') ?? []).filter((b) => b.imported === 'logger').map((b) => b.local));
  if ((imports.get('loguru') ?? []).some((b) => b.imported === '*')) names.add('loguru.logger');
  if (names.size === 0) return [];
  const out: ConfigFinding[] = [];
  for (const call of descendantsOfType(tree.rootNode, 'call')) {
    const name = calleeName(call);
    if (!name) continue;
    const dot = name.lastIndexOf('.');
    const recv = name.slice(0, dot);
    const method = name.slice(dot + 1);
    if (!names.has(recv)) continue;
    if (method === 'add') {
      const judged = judgeDiagnose(keywordArgs(call).get('diagnose'));
      if (judged)
        out.push({
          node: judged.node ?? call,
          messageId: judged.explicit ? 'explicit' : 'default',
          data: { call: `${name}(${positionalArgs(call)[0]?.text ?? ''}, …)` },
          key: call.text,
        });
    } else if (method === 'configure') {
      const handlers = keywordArgs(call).get('handlers');
      if (handlers?.type !== 'list') continue;
      for (const h of handlers.namedChildren) {
        if (h?.type !== 'dictionary') continue;
        const judged = judgeDiagnose(pyDictProps(h).get('diagnose'));
        const sink = pyDictProps(h).get('sink')?.text ?? '…';
        if (judged)
          out.push({
            node: judged.node ?? h,
            messageId: judged.explicit ? 'explicit' : 'default',
            data: { call: `handler with sink ${sink}` },
            key: h.text,
          });
      }
    }
  }
  return out;
}

/** `diagnose=True` → explicit; missing → the default (True); anything else (False, settings.DEBUG) → fine. */
function judgeDiagnose(value: TSNode | undefined): { explicit: boolean; node?: TSNode } | undefined {
  if (!value) return { explicit: false };
  if (value.type === 'true') return { explicit: true, node: value.parent ?? value };
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Sentry
// ---------------------------------------------------------------------------------------------------------

/** `Sentry.init({ sendDefaultPii: true })` and `sentry_sdk.init(send_default_pii=True)`. */
export function sentryFindings(file: SourceFile): ConfigFinding[] {
  const tree = file.tree();
  if (!tree) return [];
  const py = file.language === 'python';
  const imports = importsOf(tree);
  const namespaces = new Set<string>();
  const inits = new Set<string>();
  for (const [module, bindings] of imports) {
    const sentry = py ? module === 'sentry_sdk' : module.startsWith('@sentry/');
    if (!sentry) continue;
    for (const b of bindings) {
      if (b.imported === '*' || b.imported === 'default') namespaces.add(b.local);
      else if (b.imported === 'init') inits.add(b.local);
    }
  }
  if (namespaces.size === 0 && inits.size === 0) return [];
  const out: ConfigFinding[] = [];
  for (const call of descendantsOfType(tree.rootNode, py ? 'call' : 'call_expression')) {
    const name = calleeName(call);
    if (!name) continue;
    const isInit = inits.has(name) || (name.endsWith('.init') && namespaces.has(name.slice(0, -'.init'.length)));
    if (!isInit) continue;
    if (py) {
      const v = keywordArgs(call).get('send_default_pii');
      if (v?.type === 'true') out.push({ node: v.parent ?? v, messageId: 'python', data: {}, key: 'send_default_pii' });
    } else {
      const options = positionalArgs(call)[0];
      if (options?.type !== 'object') continue;
      const v = objectProps(options).get('sendDefaultPii');
      if (v?.type === 'true') out.push({ node: v.parent ?? v, messageId: 'js', data: {}, key: 'sendDefaultPii' });
    }
  }
  return out;
}
