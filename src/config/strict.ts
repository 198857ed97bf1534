/**
 * Deep strictness for option schemas the config does not own.
 *
 * Gates and rules bring their own zod schemas, usually plain `z.object(...)`, which silently drops
 * unknown keys. In a policy file a misspelt key is a policy that silently does not apply, so the config
 * treats every object as strict: an unknown key anywhere (top level, inside `gates.<id>`, inside rule
 * options, inside lists) is an error with a "did you mean". `looseObject` and `.catchall()` stay open:
 * there the gate author asked for free-form keys.
 *
 * Two wrappers carry gate and rule schemas into the config schema: `strictOptions` (rule options) and
 * `gateEntrySchema` (`gates.<id>`: `enabled` plus the gate's options). Each applies the author's schema
 * exactly once to exactly what the user wrote, so the author's defaults, refinements and transforms all
 * hold. The JSON schema generator looks the wrappers up with `wrapperOf` to document the wrapped shape.
 */
import { z } from 'zod';
import { didYouMean } from './suggest.js';
import type { PathSegment } from './key-path.js';

/** An unknown key found by `findUnknownKeys`: `path` ends with the key itself. */
export interface UnknownKey {
  path: PathSegment[];
  message: string;
}

/** What a wrapper schema wraps, for the JSON schema generator. */
export type Wrapper =
  | { kind: 'options'; options: z.ZodType }
  | { kind: 'gate'; gateId: string; options: z.ZodType | undefined; enabled: z.ZodType };

/** Builds the message for an unknown key given the keys allowed at that level. */
export type UnknownKeyMessage = (key: string, allowed: readonly string[]) => string;

/**
 * Zod's internal definition, the only stable handle shared by a schema and its `.describe()`/`.meta()`
 * clones (they are new instances over the same def), so registries are keyed by it.
 */
interface Def {
  type: string;
  [key: string]: unknown;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

const wrappers = new WeakMap<Def, Wrapper>();
const unknownKeyMessages = new WeakMap<Def, UnknownKeyMessage>();

/** The wrapper behind `schema` (or one of its clones), if it is one. */
export function wrapperOf(schema: z.ZodType): Wrapper | undefined {
  return wrappers.get(defOf(schema));
}

/** Gives an object schema its own unknown-key message (e.g. "unknown rule" under `rules`). Returns the schema. */
export function withUnknownKeyMessage<T extends z.ZodType>(schema: T, message: UnknownKeyMessage): T {
  unknownKeyMessages.set(defOf(schema), message);
  return schema;
}

/** The generic message: a close suggestion, else the allowed keys when there are few. */
export function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const hint = didYouMean(key, allowed);
  if (hint !== '') return `unknown key \`${key}\`${hint}`;
  if (allowed.length === 0) return `unknown key \`${key}\`; nothing can be set here`;
  if (allowed.length <= 12)
    return `unknown key \`${key}\`; expected one of ${allowed.map((k) => `\`${k}\``).join(', ')}`;
  return `unknown key \`${key}\``;
}

/** True for mappings as YAML produces them (not arrays, dates or null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Sets an own property; plain assignment would let a `__proto__` key from the file replace the prototype. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const WRAPPING_TYPES = new Set([
  'optional',
  'nullable',
  'default',
  'prefault',
  'readonly',
  'catch',
  'nonoptional',
  'success',
]);

/** Unwraps optional/default/pipe/lazy… to the schema that decides what a value looks like. */
function core(schema: z.ZodType): z.ZodType {
  for (let current = schema, depth = 0; depth < 64; depth++) {
    if (wrappers.has(defOf(current))) return current;
    const def = defOf(current);
    if (WRAPPING_TYPES.has(def.type)) current = def['innerType'] as z.ZodType;
    else if (def.type === 'pipe') current = def['in'] as z.ZodType;
    else if (def.type === 'lazy') current = (def['getter'] as () => z.ZodType)();
    else return current;
  }
  return schema;
}

/** Whether a union branch could accept a value of this shape at all (mapping vs list vs scalar). */
function acceptsShape(schema: z.ZodType, value: unknown): boolean {
  const inner = core(schema);
  const wrapper = wrappers.get(defOf(inner));
  if (wrapper?.kind === 'gate') return isPlainObject(value);
  if (wrapper?.kind === 'options') return acceptsShape(wrapper.options, value);
  const def = defOf(inner);
  switch (def.type) {
    case 'object':
    case 'record':
      return isPlainObject(value);
    case 'array':
    case 'tuple':
      return Array.isArray(value);
    case 'union':
      return (def['options'] as z.ZodType[]).some((option) => acceptsShape(option, value));
    case 'any':
    case 'unknown':
    case 'intersection':
      return true;
    default:
      return !isPlainObject(value) && !Array.isArray(value);
  }
}

/**
 * Finds keys the schema does not allow, anywhere in `value`, and returns a copy of `value` without them
 * (so the schema's own parse reports only the remaining problems, never the same key twice).
 * `extraAllowed` are keys accepted at the top level on top of the schema's (e.g. `enabled` for gates).
 */
export function findUnknownKeys(
  schema: z.ZodType,
  value: unknown,
  path: readonly PathSegment[] = [],
  extraAllowed: readonly string[] = [],
): { value: unknown; issues: UnknownKey[] } {
  const issues: UnknownKey[] = [];
  const cleaned = walk(schema, value, [...path], issues, extraAllowed);
  return { value: cleaned, issues };
}

function walk(
  schema: z.ZodType,
  value: unknown,
  path: PathSegment[],
  issues: UnknownKey[],
  extraAllowed: readonly string[],
): unknown {
  const def = defOf(schema);
  const wrapper = wrappers.get(def);
  if (wrapper?.kind === 'gate') return walkGateEntry(wrapper, value, path, issues);
  if (wrapper?.kind === 'options') return walk(wrapper.options, value, path, issues, extraAllowed);
  if (value === undefined) return value;

  if (WRAPPING_TYPES.has(def.type)) return walk(def['innerType'] as z.ZodType, value, path, issues, extraAllowed);
  switch (def.type) {
    case 'pipe':
      return walk(def['in'] as z.ZodType, value, path, issues, extraAllowed);
    case 'lazy':
      return walk((def['getter'] as () => z.ZodType)(), value, path, issues, extraAllowed);
    case 'object':
      return walkObject(schema, def, value, path, issues, extraAllowed);
    case 'array':
      if (!Array.isArray(value)) return value;
      return value.map((item, i) => walk(def['element'] as z.ZodType, item, [...path, i], issues, []));
    case 'tuple': {
      if (!Array.isArray(value)) return value;
      const items = def['items'] as z.ZodType[];
      const rest = def['rest'] as z.ZodType | null | undefined;
      return value.map((item, i) => {
        const itemSchema = items[i] ?? rest;
        return itemSchema ? walk(itemSchema, item, [...path, i], issues, []) : item;
      });
    }
    case 'record': {
      if (!isPlainObject(value)) return value;
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        setOwn(out, key, walk(def['valueType'] as z.ZodType, item, [...path, key], issues, []));
      }
      return out;
    }
    case 'union':
      return walkUnion(def['options'] as z.ZodType[], value, path, issues, extraAllowed);
    default:
      // Leaves, and intersections (whose allowed keys are the union of both sides; not checked deeply).
      return value;
  }
}

function walkObject(
  schema: z.ZodType,
  def: Def,
  value: unknown,
  path: PathSegment[],
  issues: UnknownKey[],
  extraAllowed: readonly string[],
): unknown {
  if (!isPlainObject(value)) return value;
  const shape = def['shape'] as Record<string, z.ZodType>;
  const catchall = def['catchall'] as z.ZodType | undefined;
  const open = catchall !== undefined && defOf(catchall).type !== 'never';
  const allowed = [...extraAllowed, ...Object.keys(shape)];
  const message = unknownKeyMessages.get(def) ?? unknownKeyMessage;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (Object.hasOwn(shape, key)) setOwn(out, key, walk(shape[key]!, item, [...path, key], issues, []));
    else if (extraAllowed.includes(key)) setOwn(out, key, item);
    else if (open) setOwn(out, key, walk(catchall, item, [...path, key], issues, []));
    else issues.push({ path: [...path, key], message: message(key, allowed) });
  }
  return out;
}

function walkUnion(
  options: readonly z.ZodType[],
  value: unknown,
  path: PathSegment[],
  issues: UnknownKey[],
  extraAllowed: readonly string[],
): unknown {
  // Scalars carry no keys. For mappings and lists, judge by the branch that fits best: the one whose
  // shape matches and that finds the fewest unknown keys (first on ties, as zod tries branches in order).
  if (!isPlainObject(value) && !Array.isArray(value)) return value;
  let best: { value: unknown; issues: UnknownKey[] } | undefined;
  for (const option of options) {
    if (!acceptsShape(option, value)) continue;
    const attempt: UnknownKey[] = [];
    const cleaned = walk(option, value, path, attempt, extraAllowed);
    if (best === undefined || attempt.length < best.issues.length) best = { value: cleaned, issues: attempt };
  }
  if (best === undefined) return value;
  issues.push(...best.issues);
  return best.value;
}

function walkGateEntry(
  wrapper: Extract<Wrapper, { kind: 'gate' }>,
  value: unknown,
  path: PathSegment[],
  issues: UnknownKey[],
): unknown {
  if (!isPlainObject(value)) return value;
  const { enabled, rest } = splitEnabled(value);
  let cleaned: unknown = rest;
  if (wrapper.options) {
    cleaned = walk(wrapper.options, rest, path, issues, ['enabled']);
  } else {
    for (const key of Object.keys(rest)) {
      issues.push({
        path: [...path, key],
        message: `unknown key \`${key}\`; gate \`${wrapper.gateId}\` has no options besides \`enabled\``,
      });
    }
    cleaned = {};
  }
  if (enabled === undefined || !isPlainObject(cleaned)) return cleaned;
  const out: Record<string, unknown> = {};
  setOwn(out, 'enabled', enabled);
  for (const [key, item] of Object.entries(cleaned)) setOwn(out, key, item);
  return out;
}

function splitEnabled(value: Record<string, unknown>): { enabled: unknown; rest: Record<string, unknown> } {
  const rest: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (key !== 'enabled') setOwn(rest, key, item);
  return { enabled: value['enabled'], rest };
}

/** Copies issues of a nested parse into the current refinement context, keeping their paths and codes. */
function forwardIssues(
  ctx: z.RefinementCtx,
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PathSegment[] = [],
): void {
  for (const issue of issues) {
    ctx.addIssue({ ...issue, path: [...prefix, ...(issue.path as PathSegment[])] } as z.core.$ZodRawIssue);
  }
}

/**
 * The defaults of an options schema: what it yields for "not set" (`undefined`), or for an empty
 * mapping when it requires one. Undefined when neither parses (the options have required fields).
 */
export function optionDefaults(schema: z.ZodType | undefined): unknown {
  if (schema === undefined) return undefined;
  const fromUndefined = schema.safeParse(undefined);
  if (fromUndefined.success) return fromUndefined.data;
  const fromEmpty = schema.safeParse({});
  return fromEmpty.success ? fromEmpty.data : undefined;
}

/**
 * Wraps a rule's options schema: unknown keys anywhere are errors (see the module comment), then the
 * rule's own schema parses what the user wrote, once.
 */
export function strictOptions(options: z.ZodType): z.ZodType {
  const wrapper = z.unknown().transform((value, ctx) => {
    const walked = findUnknownKeys(options, value);
    for (const unknown of walked.issues) {
      ctx.addIssue({ code: 'custom', message: unknown.message, path: unknown.path, params: { unknownKey: true } });
    }
    const result = options.safeParse(walked.value, { reportInput: true });
    if (!result.success) {
      forwardIssues(ctx, result.error.issues);
      return z.NEVER;
    }
    return walked.issues.length === 0 ? result.data : z.NEVER;
  });
  wrappers.set(defOf(wrapper), { kind: 'options', options });
  return wrapper;
}

/** The parsed value of `gates.<id>`. */
export interface GateEntry {
  enabled: boolean;
  /** The gate's options as its schema parsed them (defaults filled); undefined for gates without options. */
  options: unknown;
}

/**
 * The schema of `gates.<id>`: `enabled` (from the given schema, default true) merged with the gate's own
 * options at the same level, parsed into `{ enabled, options }`. An empty value means all defaults.
 */
export function gateEntrySchema(
  gateId: string,
  options: z.ZodType | undefined,
  enabled: z.ZodType<boolean>,
): z.ZodType<GateEntry> {
  const entry = z.unknown().transform((value, ctx): GateEntry => {
    const input = value ?? {};
    if (typeof input === 'boolean') {
      // `pii: false` is the natural guess by analogy with `rules: { id: off }`; say what works instead.
      ctx.addIssue({
        code: 'custom',
        input,
        message: `expected a mapping; to switch the gate on or off write \`${gateId}: { enabled: ${input} }\``,
      });
      return z.NEVER;
    }
    if (!isPlainObject(input)) {
      ctx.addIssue({ code: 'invalid_type', expected: 'object', input: value });
      return z.NEVER;
    }
    const { enabled: rawEnabled, rest } = splitEnabled(input);
    let failed = false;
    const enabledResult = enabled.safeParse(rawEnabled, { reportInput: true });
    if (!enabledResult.success) {
      forwardIssues(ctx, enabledResult.error.issues, ['enabled']);
      failed = true;
    }
    const walked = findUnknownKeys(options ?? z.strictObject({}), rest, [], ['enabled']);
    for (const unknown of walked.issues) {
      const message = options
        ? unknown.message
        : `unknown key \`${String(unknown.path.at(-1))}\`; gate \`${gateId}\` has no options besides \`enabled\``;
      ctx.addIssue({ code: 'custom', message, path: unknown.path, params: { unknownKey: true } });
      failed = true;
    }
    let parsedOptions: unknown;
    if (options) {
      const result = options.safeParse(walked.value, { reportInput: true });
      if (result.success) parsedOptions = result.data;
      else {
        forwardIssues(ctx, result.error.issues);
        failed = true;
      }
    }
    // (`!enabledResult.success` is implied by `failed`; spelt out so TypeScript narrows `data`.)
    if (failed || !enabledResult.success) return z.NEVER;
    return { enabled: enabledResult.data, options: parsedOptions };
  });
  wrappers.set(defOf(entry), { kind: 'gate', gateId, options, enabled });
  return entry;
}
