/**
 * `.github/readiness.yml` text → a validated `ReadinessConfig`, or a `ConfigError` listing every problem
 * with its file, line, column and key path. No IO here except through the `readFile` callback.
 */
import {
  LineCounter,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  visit,
  type Document,
  type Node as YamlNode,
  type Pair,
} from 'yaml';
import { config as zodConfig, type z } from 'zod';
import type { Gate } from '../core/types.js';
import { CONFIG_PATH, ConfigError, type ConfigIssue, type ReadinessConfig } from './types.js';
import { buildConfigSchema, toReadinessConfig, type ConfigFile } from './schema.js';
import { findUnknownKeys, isPlainObject, setOwn } from './strict.js';
import { formatKeyPath, type PathSegment } from './key-path.js';

export { diffConfigs } from './diff.js';
import { EXTENDS_MAX_DEPTH, locationLabel, mergeConfigInputs, resolveExtends, type ConfigLocation } from './extends.js';
export { EXTENDS_MAX_DEPTH, locationLabel, mergeConfigInputs, resolveExtends, type ConfigLocation } from './extends.js';

// Gate lists are module-level registries, so caching by identity builds each schema once per process.
const schemaCache = new WeakMap<readonly Gate[], z.ZodType<ConfigFile>>();

function schemaFor(gates: readonly Gate[]): z.ZodType<ConfigFile> {
  let schema = schemaCache.get(gates);
  if (!schema) {
    schema = buildConfigSchema(gates);
    schemaCache.set(gates, schema);
  }
  return schema;
}

/** A problem before positions are attached: a path, and whether it points at the key or the value. */
interface RawProblem {
  path: PathSegment[];
  message: string;
  /** Unknown keys point at the key itself; everything else at the value. */
  atKey?: boolean;
}

/**
 * Parses and validates config text. An empty file, or one with only comments, is the default config.
 * Throws `ConfigError` with every issue found (YAML syntax, unknown keys, wrong types and values), sorted
 * by position.
 */
export function parseConfig(text: string, file: string, gates: readonly Gate[]): ReadinessConfig {
  const checked = validateConfigText(text, file, gates);
  if (checked.data.extends !== undefined) {
    throw new ConfigError([
      checked.locate.issue({
        path: ['extends'],
        message:
          'extends is resolved only when the config is loaded with loadConfigChain (the CLI, the Action and the App do)',
      }),
    ]);
  }
  const config = toReadinessConfig(checked.data);
  config.exceptions.forEach((entry, i) => {
    const line = checked.locate.lineOf(['exceptions', i]);
    if (line !== undefined) entry.line = line;
  });
  return config;
}

/** One file, checked on its own: the input as written (empty values dropped) and the parsed result. */
interface CheckedFile {
  input: Record<string, unknown>;
  data: ConfigFile;
  locate: Locator;
}

/** Parses and validates one file; throws `ConfigError` with every issue, sorted by position. */
function validateConfigText(text: string, file: string, gates: readonly Gate[]): CheckedFile {
  const lineCounter = new LineCounter();
  // The YAML 1.2 core schema whatever a `%YAML 1.1` directive says: `off` and `no` stay strings (a
  // severity, not false) and `2027-03-31` stays text (a date, not a timestamp).
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true, schema: 'core' });
  const locate = new Locator(doc, lineCounter, file);

  const issues: ConfigIssue[] = [];
  let syntaxBroken = false;
  for (const error of [...doc.errors, ...doc.warnings]) {
    // A duplicate key leaves a well-formed document, so validation can still report the other problems;
    // after a real syntax error the recovered document is a guess, and judging it would add noise.
    if (error.code !== 'DUPLICATE_KEY') syntaxBroken = true;
    issues.push(locate.yamlError(error.pos[0], error.code, error.message));
  }
  // A list or mapping used as a key has no meaning in this file (and would be stringified by toJS).
  visit(doc, {
    Pair(_key, pair) {
      const key = pair.key as YamlNode | null;
      if (key && !isScalar(key) && !isAlias(key)) {
        syntaxBroken = true;
        issues.push(
          locate.yamlError(key.range?.[0] ?? 0, 'COMPLEX_KEY', 'keys must be plain text, not lists or mappings'),
        );
      }
    },
  });
  if (syntaxBroken) throw new ConfigError(sortIssues(dedupe(issues)));

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    issues.push(
      locate.issue({
        path: [],
        message: `cannot read the YAML: ${error instanceof Error ? error.message : String(error)}`,
      }),
    );
    throw new ConfigError(sortIssues(issues));
  }
  if (raw === null || raw === undefined) raw = {};
  if (!isPlainObject(raw)) {
    issues.push(
      locate.issue({ path: [], message: `expected a mapping of settings (key: value); got ${describeValue(raw)}` }),
    );
    throw new ConfigError(sortIssues(issues));
  }

  const schema = schemaFor(gates);
  const input = dropEmptyValues(raw);
  const walked = findUnknownKeys(schema, input);
  const problems: RawProblem[] = walked.issues.map((u) => ({ path: u.path, message: u.message, atKey: true }));
  // reportInput keeps each issue's input, which zod's locale needs to reproduce its default messages.
  const result = schema.safeParse(walked.value, { reportInput: true });
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(...explainIssue(issue, [], walked.value));
  }
  issues.push(...problems.map((problem) => locate.issue(problem)));
  if (issues.length > 0 || !result.success) throw new ConfigError(sortIssues(dedupe(issues)));
  return { input: walked.value as Record<string, unknown>, data: result.data, locate };
}

/**
 * Reads the text of a config an `extends:` entry names (undefined: no such file). Throws `ConfigError` when
 * the location cannot be read from where the check runs (another repository without a token).
 */
export type ExtendsReader = (location: ConfigLocation) => Promise<string | undefined>;

/**
 * Parses config text and every config it `extends`, merged in precedence order (see {@link mergeConfigInputs}),
 * then validates the result. Each file is validated on its own first, so an error names that file's label
 * (`org/policy:.github/readiness.yml:3:5`), line and column; a missing file, a cycle or a chain deeper than
 * {@link EXTENDS_MAX_DEPTH} is an error at the `extends` entry that asked for it.
 */
export async function loadConfigChain(
  text: string,
  file: string,
  gates: readonly Gate[],
  read: ExtendsReader,
  location: ConfigLocation = { path: file },
): Promise<ReadinessConfig> {
  const own = validateConfigText(text, file, gates);
  const merged = await mergedInput(own, location, gates, read, [locationLabel(location)]);
  const schema = schemaFor(gates);
  const result = schema.safeParse(merged, { reportInput: true });
  if (!result.success) {
    // Each file was valid alone; only the combination is not (a rule set to a shorthand in one file and
    // given options in another). Point at the `extends` that combined them.
    const problems: RawProblem[] = [];
    for (const issue of result.error.issues) problems.push(...explainIssue(issue, [], merged));
    throw new ConfigError(
      sortIssues(
        dedupe(
          problems.map((p) =>
            own.locate.issue({
              path: ['extends'],
              message: `with what it extends: ${formatKeyPath(p.path)}: ${p.message}`,
            }),
          ),
        ),
      ),
    );
  }
  const config = toReadinessConfig(result.data);
  // Only this file's own exceptions have lines in this file; inherited ones come first in the list.
  const ownCount = Array.isArray(own.input['exceptions']) ? (own.input['exceptions'] as unknown[]).length : 0;
  const offset = config.exceptions.length - ownCount;
  config.exceptions.forEach((entry, i) => {
    if (i < offset) return;
    const line = own.locate.lineOf(['exceptions', i - offset]);
    if (line !== undefined) entry.line = line;
  });
  return config;
}

async function mergedInput(
  file: CheckedFile,
  location: ConfigLocation,
  gates: readonly Gate[],
  read: ExtendsReader,
  chain: readonly string[],
): Promise<Record<string, unknown>> {
  const entries =
    file.data.extends === undefined ? [] : Array.isArray(file.data.extends) ? file.data.extends : [file.data.extends];
  const listed = Array.isArray(file.data.extends);
  let merged: Record<string, unknown> = {};
  for (const [i, entry] of entries.entries()) {
    const at: PathSegment[] = listed ? ['extends', i] : ['extends'];
    const fail = (message: string): never => {
      throw new ConfigError([file.locate.issue({ path: at, message })]);
    };
    const target = resolveExtends(entry, location);
    if (typeof target === 'string') fail(target);
    const next = target as ConfigLocation;
    const label = locationLabel(next);
    if (chain.includes(label)) fail(`extends ${label} again: ${[...chain, label].join(' → ')} is a cycle`);
    if (chain.length >= EXTENDS_MAX_DEPTH)
      fail(`extends chains more than ${EXTENDS_MAX_DEPTH} files: ${[...chain, label].join(' → ')}`);
    let text: string | undefined;
    try {
      text = await read(next);
    } catch (err) {
      if (err instanceof ConfigError) fail(err.issues.map((issue) => issue.message).join('; '));
      throw err;
    }
    if (text === undefined)
      fail(`${label} does not exist${next.repository ? ' (or the token cannot read that repository)' : ''}`);
    const parent = validateConfigText(text!, label, gates);
    merged = mergeConfigInputs(merged, await mergedInput(parent, next, gates, read, [...chain, label]));
  }
  const { extends: _extends, ...rest } = file.input;
  return mergeConfigInputs(merged, rest);
}

/**
 * Reads the config through `readFile` (undefined = no such file) and parses it. A missing file is the
 * default config (`source: 'default'`); an invalid one throws `ConfigError`.
 */
export async function loadConfig(
  readFile: (path: string) => Promise<string | undefined>,
  gates: readonly Gate[],
  path: string = CONFIG_PATH,
): Promise<{ config: ReadinessConfig; source: 'file' | 'default' }> {
  const text = await readFile(path);
  if (text === undefined) return { config: parseConfig('', path, gates), source: 'default' };
  return { config: parseConfig(text, path, gates), source: 'file' };
}

/** One line per issue: `file:line:column key: message`. */
export function formatConfigError(error: ConfigError): string {
  return error.issues.map((i) => `${i.file}:${i.line}:${i.column} ${i.key}: ${i.message}`).join('\n');
}

/**
 * `key:` with nothing after it is YAML null. Outside gate and rule options (which belong to their
 * authors) it means "not set", as people leave `exceptions:` or `gates:` empty while editing.
 */
function dropEmptyValues(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === null) continue;
    let kept = value;
    if (isPlainObject(value)) {
      const inner: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) if (v !== null) setOwn(inner, k, v);
      kept = inner;
    }
    setOwn(out, key, kept);
  }
  return out;
}

// -------------------------------------------------------------------------------------------------------
// Messages
// -------------------------------------------------------------------------------------------------------

/** A value as it appears in a message: strings quoted, collections named. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return 'a list';
  if (isPlainObject(value)) return 'a mapping';
  if (value instanceof Date) return `the timestamp ${value.toISOString()}`;
  return String(value);
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  tuple: 'a list',
  record: 'a mapping',
  date: 'a date',
  bigint: 'an integer',
  null: 'an empty value',
};

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let current = root;
  for (const segment of path) {
    if (Array.isArray(current) && typeof segment === 'number') current = current[segment];
    else if (isPlainObject(current) && typeof segment === 'string' && Object.hasOwn(current, segment))
      current = current[segment];
    else return undefined;
  }
  return current;
}

function list(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
}

/** What a failing branch of a union wanted, for "expected X or Y" messages. */
function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_value':
      return issue.values.length === 1 ? `'${String(issue.values[0])}'` : `one of ${list(issue.values)}`;
    case 'invalid_type':
      return TYPE_NAMES[issue.expected] ?? issue.expected;
    default:
      return 'a valid value';
  }
}

/** True when a union branch failed only because the value has the wrong shape for it. */
function isShapeMismatch(branch: readonly z.core.$ZodIssue[], value: unknown): boolean {
  if (branch.length !== 1) return false;
  const [issue] = branch;
  if (!issue || issue.path.length > 0) return false;
  if (issue.code === 'invalid_type') return true;
  return issue.code === 'invalid_value' && !issue.values.some((v) => typeof v === typeof value);
}

/**
 * True when a schema author wrote this message (`z.string().min(1, 'name the metric prefix')`): theirs
 * wins over ours. zod's own messages are recognised by asking its locale for the default text.
 */
function hasAuthorMessage(issue: z.core.$ZodIssue): boolean {
  const localeError = zodConfig().localeError;
  if (!localeError) return false;
  const fallback = localeError(issue as unknown as Parameters<typeof localeError>[0]);
  const text = typeof fallback === 'string' ? fallback : fallback?.message;
  return text !== undefined && text !== issue.message;
}

/** Turns one zod issue into positioned problems, with messages in the config's own voice. */
function explainIssue(issue: z.core.$ZodIssue, prefix: readonly PathSegment[], root: unknown): RawProblem[] {
  const path = [...prefix, ...(issue.path as PathSegment[])];
  const value = valueAt(root, path);
  const got = `got ${describeValue(value)}`;
  if (issue.code !== 'invalid_union' && issue.code !== 'custom' && hasAuthorMessage(issue))
    return [{ path, message: issue.message }];
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) {
        return [
          {
            path,
            message: `missing required key \`${String(path.at(-1))}\` (${TYPE_NAMES[issue.expected] ?? issue.expected})`,
          },
        ];
      }
      return [{ path, message: `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}; ${got}` }];
    case 'invalid_value':
      return [{ path, message: `expected ${expectation(issue)}; ${got}` }];
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string')
        return [{ path, message: min <= 1 ? `must not be empty` : `expected at least ${min} characters; ${got}` }];
      if (issue.origin === 'array' || issue.origin === 'set')
        return [{ path, message: `expected at least ${min} item${min === 1 ? '' : 's'}` }];
      return [
        { path, message: `expected a number ${issue.inclusive ? 'of at least' : 'greater than'} ${min}; ${got}` },
      ];
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return [{ path, message: `expected at most ${max} characters` }];
      if (issue.origin === 'array' || issue.origin === 'set')
        return [{ path, message: `expected at most ${max} item${max === 1 ? '' : 's'}` }];
      return [{ path, message: `expected a number ${issue.inclusive ? 'of at most' : 'less than'} ${max}; ${got}` }];
    }
    case 'unrecognized_keys':
      // Normally found earlier by findUnknownKeys (with suggestions); kept for schemas it cannot see into.
      return issue.keys.map((key) => ({ path: [...path, key], message: `unknown key \`${key}\``, atKey: true }));
    case 'invalid_union': {
      const relevant = issue.errors.filter((branch) => !isShapeMismatch(branch, value));
      const [only] = relevant;
      if (relevant.length === 1 && only) return only.flatMap((inner) => explainIssue(inner, path, root));
      const wanted = [...new Set(issue.errors.map((branch) => (branch[0] ? expectation(branch[0]) : 'a valid value')))];
      return [{ path, message: `expected ${wanted.join(' or ')}; ${got}` }];
    }
    case 'custom': {
      const params = (issue as { params?: { unknownKey?: boolean } }).params;
      return [{ path, message: issue.message, atKey: params?.unknownKey === true }];
    }
    case 'invalid_format':
      if (issue.format === 'regex' && 'pattern' in issue)
        return [{ path, message: `expected text matching ${String(issue.pattern)}; ${got}` }];
      return [{ path, message: `expected ${issue.format}; ${got}` }];
    default:
      return [{ path, message: issue.message }];
  }
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const id = `${i.line}:${i.column}:${i.key}:${i.message}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.column - b.column || a.key.localeCompare(b.key));
}

// -------------------------------------------------------------------------------------------------------
// Positions
// -------------------------------------------------------------------------------------------------------

/** Finds where a key path is written in the YAML document. */
class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly file: string,
  ) {}

  private position(offset: number): { line: number; column: number } {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /**
   * The node at `path` (or the pair holding it), or, when part of the path is not in the file (a
   * missing required key), the deepest ancestor that is.
   */
  private find(path: readonly PathSegment[]): { node: YamlNode | null; pair?: Pair; complete: boolean } {
    let node = this.doc.contents as YamlNode | null;
    let pair: Pair | undefined;
    for (const segment of path) {
      if (isMap(node)) {
        const found = node.items.find((item) => isPair(item) && keyText(item.key) === String(segment));
        if (!found) return { node, complete: false };
        pair = found;
        node = (found.value as YamlNode | null) ?? null;
        if (node === null) return { node: null, pair, complete: true };
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment] as YamlNode | undefined;
        if (!item) return { node, complete: false };
        pair = undefined;
        node = item;
      } else {
        return { node, ...(pair ? { pair } : {}), complete: false };
      }
    }
    return { node, ...(pair ? { pair } : {}), complete: true };
  }

  private offsetOf(path: readonly PathSegment[], atKey: boolean): number {
    const { node, pair, complete } = this.find(path);
    const keyRange = pair && (pair.key as YamlNode | null)?.range;
    if (complete && atKey && keyRange) return keyRange[0];
    if (node?.range) return node.range[0];
    // `key:` with no value: point at the key.
    if (keyRange) return keyRange[0];
    return 0;
  }

  /** 1-based line of the node at `path`, if it is in the file. */
  lineOf(path: readonly PathSegment[]): number | undefined {
    const { node, complete } = this.find(path);
    return complete && node?.range ? this.position(node.range[0]).line : undefined;
  }

  issue(problem: RawProblem): ConfigIssue {
    const { line, column } = this.position(this.offsetOf(problem.path, problem.atKey === true));
    return { file: this.file, line, column, key: formatKeyPath(problem.path), message: problem.message };
  }

  /** A YAML parser error or warning, with the key path of the innermost node around it. */
  yamlError(offset: number, code: string, message: string): ConfigIssue {
    const { line, column } = this.position(offset);
    // The parser's message ends with " at line L, column C:" and a code frame; the position is ours already.
    const text = (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
    const friendly = code === 'DUPLICATE_KEY' ? 'duplicate key: a key may appear only once in a mapping' : text;
    return {
      file: this.file,
      line,
      column,
      key: formatKeyPath(pathAtOffset(this.doc.contents as YamlNode | null, offset)),
      message: friendly,
    };
  }
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

/** The key path of the innermost mapping entry or list item whose text contains `offset`. */
function pathAtOffset(root: YamlNode | null, offset: number): PathSegment[] {
  const path: PathSegment[] = [];
  let node = root;
  for (let depth = 0; depth < 100 && node; depth++) {
    if (isMap(node)) {
      // Searched from the end: a value's range runs up to the next key, so the later entry wins a tie.
      const hit = node.items.findLast((item) => {
        const start = (item.key as YamlNode | null)?.range?.[0];
        const end = (item.value as YamlNode | null)?.range?.[2] ?? (item.key as YamlNode | null)?.range?.[2];
        return start !== undefined && end !== undefined && offset >= start && offset <= end;
      });
      const key = hit ? keyText(hit.key) : undefined;
      if (!hit || key === undefined) break;
      path.push(key);
      node = (hit.value as YamlNode | null) ?? null;
    } else if (isSeq(node)) {
      const index = node.items.findLastIndex((item) => {
        const range = (item as YamlNode | null)?.range;
        return range !== undefined && range !== null && offset >= range[0] && offset <= range[2];
      });
      if (index === -1) break;
      path.push(index);
      node = node.items[index] as YamlNode;
    } else break;
  }
  return path;
}
