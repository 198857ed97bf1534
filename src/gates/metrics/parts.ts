/**
 * String expressions as lists of parts (literal text, imported constants, runtime data, unknowns), and
 * their resolution once every file's exported constants are known.
 */
import type { ResolvedName, StrPart } from './model.js';

/** A literal. */
export function text(value: string): StrPart[] {
  return [{ kind: 'text', value }];
}

/** Concatenates part lists, merging adjacent literal text. */
export function concat(...lists: StrPart[][]): StrPart[] {
  const out: StrPart[] = [];
  for (const list of lists) {
    for (const p of list) {
      const last = out[out.length - 1];
      if (p.kind === 'text' && last?.kind === 'text')
        out[out.length - 1] = { kind: 'text', value: last.value + p.value };
      else if (p.kind !== 'text' || p.value !== '') out.push(p);
    }
  }
  return out;
}

/** A template or f-string: its literal strings with its interpolated expressions read between them. */
export function templateStrParts<T>(
  template: { strings: readonly string[]; expressions: readonly T[] },
  read: (expression: T) => StrPart[],
): StrPart[] {
  const out: StrPart[][] = [];
  template.strings.forEach((s, i) => {
    out.push(text(s));
    const e = template.expressions[i];
    if (e) out.push(read(e));
  });
  return concat(...out);
}

/** Elements joined by a separator: `['a', b].join('_')`, `"_".join(["a", b])`. */
export function joinParts<T>(elements: readonly T[], separator: string, read: (element: T) => StrPart[]): StrPart[] {
  const lists: StrPart[][] = [];
  elements.forEach((el, i) => {
    if (i > 0) lists.push(text(separator));
    lists.push(read(el));
  });
  return concat(...lists);
}

/**
 * A format string's literal pieces with the arguments read between them (`"{}_total".format(x)`,
 * `fmt.Sprintf("%s_total", x)`); a missing argument stays as its `placeholder`, unknown.
 */
export function formatParts<T>(
  pieces: readonly string[],
  args: readonly T[],
  read: (arg: T) => StrPart[],
  placeholder: string,
): StrPart[] {
  const lists: StrPart[][] = [];
  pieces.forEach((p, i) => {
    lists.push(text(p));
    if (i < pieces.length - 1) {
      const arg = args[i];
      lists.push(arg !== undefined ? read(arg) : [{ kind: 'unknown', text: placeholder }]);
    }
  });
  return concat(...lists);
}

/** The literal value when every part is text. */
export function staticValue(parts: readonly StrPart[]): string | undefined {
  let out = '';
  for (const p of parts) {
    if (p.kind !== 'text') return undefined;
    out += p.value;
  }
  return out;
}

/** Looks up an exported constant: (module path, name) → its parts, or undefined. */
export type ConstantLookup = (module: string, name: string) => StrPart[] | undefined;

/**
 * Replaces imported constants by their values (following chains, at most `depth` hops) and classifies
 * the result: all text → static; any runtime part → runtime; else unknown.
 */
export function resolveName(
  parts: readonly StrPart[],
  lookup: ConstantLookup,
  sourceText: string,
  depth = 8,
): ResolvedName {
  const flat = expand(parts, lookup, depth);
  const runtime = flat.filter((p): p is Extract<StrPart, { kind: 'runtime' }> => p.kind === 'runtime');
  if (runtime.length > 0) {
    return {
      kind: 'runtime',
      text: sourceText,
      origins: [...new Set(runtime.map((p) => p.origin))],
      sources: runtime.map((p) => p.text),
    };
  }
  const value = staticValue(flat);
  return value === undefined ? { kind: 'unknown', text: sourceText } : { kind: 'static', value };
}

/** Expands imported constants; unresolvable imports become unknown parts. */
export function expand(parts: readonly StrPart[], lookup: ConstantLookup, depth = 8): StrPart[] {
  const out: StrPart[][] = [];
  for (const p of parts) {
    if (p.kind !== 'import') {
      out.push([p]);
      continue;
    }
    const found = depth > 0 ? lookup(p.module, p.name) : undefined;
    out.push(found ? expand(found, lookup, depth - 1) : [{ kind: 'unknown', text: p.name }]);
  }
  return concat(...out);
}

/** True when some part is runtime data. */
export function hasRuntime(parts: readonly StrPart[]): boolean {
  return parts.some((p) => p.kind === 'runtime');
}
