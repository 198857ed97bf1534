/**
 * Small readers over `yaml` documents with positions. Helm templates are parsed from a masked copy (see
 * src/lang/yaml.ts): a templated scalar reads as a run of `_`, so `text()` hands back the original
 * template text for those, and callers decide whether they can resolve it.
 */
import { isMap, isPair, isScalar, isSeq, type LineCounter, type Node, type Pair, type YAMLMap } from 'yaml';

/** A YAML node with what is needed to turn positions into lines and masked scalars back into text. */
export interface YCtx {
  lc: LineCounter;
  /** The original file text (templates unmasked). */
  text: string;
}

export type YNode = Node | null | undefined;

/** 1-based line where a node starts (0 when it has no range). */
export function yline(ctx: YCtx, node: YNode | Pair): number {
  const range = isPair(node) ? (node.key as Node | null)?.range : (node as Node | null | undefined)?.range;
  if (!range) return 0;
  return ctx.lc.linePos(range[0]).line;
}

/** 1-based line where a node's value ends. */
export function yendLine(ctx: YCtx, node: YNode): number {
  if (!node?.range) return 0;
  const end = Math.max(node.range[0], node.range[1] - 1);
  return ctx.lc.linePos(end).line;
}

/** The pair for `key` in a map node. */
export function ypair(node: YNode, key: string): Pair | undefined {
  if (!isMap(node)) return undefined;
  for (const item of (node as YAMLMap).items) {
    if (isPair(item) && isScalar(item.key) && String(item.key.value) === key) return item as Pair;
  }
  return undefined;
}

/** The value node of `key` in a map node. */
export function yget(node: YNode, key: string): YNode {
  const pair = ypair(node, key);
  return pair ? (pair.value as YNode) : undefined;
}

/** Walks `keys` through nested maps. */
export function ypath(node: YNode, ...keys: string[]): YNode {
  let n: YNode = node;
  for (const k of keys) n = yget(n, k);
  return n;
}

/** 1-based line of the key `key` in a map node (0 when absent). */
export function ykeyLine(ctx: YCtx, node: YNode, key: string): number {
  const pair = ypair(node, key);
  return pair ? yline(ctx, pair) : 0;
}

/** Entries of a map node: key → value node, with the key line. */
export function yentries(ctx: YCtx, node: YNode): Array<{ key: string; value: YNode; line: number }> {
  if (!isMap(node)) return [];
  const out: Array<{ key: string; value: YNode; line: number }> = [];
  for (const item of (node as YAMLMap).items) {
    if (isPair(item) && isScalar(item.key))
      out.push({ key: String(item.key.value), value: item.value as YNode, line: yline(ctx, item) });
  }
  return out;
}

/** Items of a sequence node. */
export function yitems(node: YNode): Node[] {
  if (!isSeq(node)) return [];
  return node.items.filter((i): i is Node => i !== null && typeof i === 'object' && 'range' in (i as object));
}

/** True when a scalar came from a masked template action (`{{ … }}` replaced by `_`). */
export function isMasked(node: YNode): boolean {
  return (
    isScalar(node) && typeof node.value === 'string' && /^_{2,}$/.test(node.value.trim()) && node.value.length >= 4
  );
}

/** The original source text of a node (for masked scalars: the template action). */
export function ysource(ctx: YCtx, node: YNode): string {
  if (!node?.range) return '';
  return ctx.text.slice(node.range[0], node.range[1]);
}

/** A scalar as a string (numbers and booleans stringified); undefined for non-scalars, nulls and masked values. */
export function ystr(node: YNode): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  if (isMasked(node)) return undefined;
  return String(node.value);
}

/** A scalar as a number: YAML numbers and numeric strings. */
export function ynum(node: YNode): number | undefined {
  if (!isScalar(node) || isMasked(node)) return undefined;
  const v = node.value;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

/** A flat map of string scalars (labels, selectors, env maps). Masked entries are skipped. */
export function ystringMap(node: YNode): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isMap(node)) return out;
  for (const item of (node as YAMLMap).items) {
    if (!isPair(item) || !isScalar(item.key)) continue;
    const v = ystr(item.value as YNode);
    if (v !== undefined) out[String(item.key.value)] = v;
  }
  return out;
}

/** A sequence of string scalars (`command: [a, b]`); a lone string becomes `[s]`. */
export function ystrings(node: YNode): string[] {
  if (isScalar(node)) {
    const s = ystr(node);
    return s === undefined ? [] : [s];
  }
  return yitems(node)
    .map((n) => ystr(n))
    .filter((s): s is string => s !== undefined);
}

/** A plain JS value of a node (for values.yaml lookups); masked scalars become undefined. */
export function yjs(node: YNode): unknown {
  if (!node) return undefined;
  if (isScalar(node)) return isMasked(node) ? undefined : node.value;
  if (isSeq(node)) return yitems(node).map((n) => yjs(n));
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const item of (node as YAMLMap).items)
      if (isPair(item) && isScalar(item.key)) out[String(item.key.value)] = yjs(item.value as YNode);
    return out;
  }
  return undefined;
}
