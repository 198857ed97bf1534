/**
 * Helm templates without running Helm. Only what can be resolved for certain from the chart's default
 * `values.yaml` is resolved: `.Values.a.b` (with `| default x`, `| quote`, `| int`), `toYaml .Values.x`,
 * `with .Values.x` … `toYaml .`, and `if .Values.x` / `if not .Values.x` around a block. Everything else
 * (`include`, `tpl`, `range`, functions of several values) is left unresolved, and the caller says so.
 */
import { isMap, isScalar, type Node } from 'yaml';
import type { SourceFile } from '../../../lang/source-file.js';
import { templateActions } from '../../../lang/yaml.js';
import { yget, yjs, type YCtx, type YNode } from './yaml-util.js';

/** The chart's default values, with positions (findings on a value point at values.yaml). */
export interface HelmValues {
  path: string;
  ctx: YCtx;
  root: YNode;
}

export interface HelmContext {
  chartDir: string;
  values?: HelmValues;
}

/** A control block (`if`/`with`/`range`…`end`) of a template, by 1-based lines. */
interface Block {
  kind: 'if' | 'with' | 'range' | 'define' | 'else';
  expr: string;
  start: number;
  end: number;
  /** For `else`: the `if` it belongs to. */
  of?: Block;
}

/** Where a template line sits: inside a branch known to render, known not to render, or unknown. */
export type Presence = 'rendered' | 'absent' | 'unknown';

/** A value from values.yaml: its node, when it exists there. */
export interface ValueRef {
  node: YNode;
  /** `.Values.a.b` → `a.b`. */
  path: string;
}

/** The template's control structure and a resolver for value references. */
export class HelmTemplate {
  private readonly blocks: Block[] = [];

  constructor(
    readonly file: SourceFile,
    readonly helm: HelmContext,
  ) {
    const lines = file.lines();
    const stack: Block[] = [];
    lines.forEach((text, i) => {
      const line = i + 1;
      for (const m of text.matchAll(/\{\{-?\s*(if|with|range|define|else|end|block)\b([^}]*?)-?\}\}/g)) {
        const kw = m[1]!;
        const expr = (m[2] ?? '').trim();
        if (kw === 'end') {
          const open = stack.pop();
          if (open) {
            open.end = line;
            // An `else` closes together with its `if`.
            if (open.kind === 'else' && open.of) open.of.end = open.of.end || line;
          }
        } else if (kw === 'else') {
          const open = stack.pop();
          if (open) open.end = line;
          const b: Block = { kind: 'else', expr, start: line, end: 0, ...(open ? { of: open } : {}) };
          this.blocks.push(b);
          stack.push(b);
        } else {
          const b: Block = { kind: kw === 'block' ? 'define' : (kw as Block['kind']), expr, start: line, end: 0 };
          this.blocks.push(b);
          stack.push(b);
        }
      }
    });
    for (const b of stack) b.end = lines.length;
  }

  /** Blocks around a line, outermost first. */
  private around(line: number): Block[] {
    return this.blocks.filter((b) => b.start < line && line < b.end).sort((a, b) => a.start - b.start);
  }

  /** Whether a line renders with the default values. */
  presence(line: number): Presence {
    let result: Presence = 'rendered';
    for (const b of this.around(line)) {
      const p = this.blockPresence(b);
      if (p === 'absent') return 'absent';
      if (p === 'unknown') result = 'unknown';
    }
    return result;
  }

  private blockPresence(b: Block): Presence {
    switch (b.kind) {
      case 'define':
        // A named template renders only where it is included: we cannot tell where.
        return 'unknown';
      case 'range':
        return 'unknown';
      case 'with':
      case 'if': {
        const t = this.truthy(b.expr);
        return t === undefined ? 'unknown' : t ? 'rendered' : 'absent';
      }
      case 'else': {
        if (!b.of || b.expr !== '') return 'unknown'; // `else if …`
        const t = this.truthy(b.of.expr);
        return t === undefined ? 'unknown' : t ? 'absent' : 'rendered';
      }
    }
  }

  /** Truthiness of a simple condition with the default values; undefined when it is not simple. */
  private truthy(expr: string): boolean | undefined {
    const e = expr.replace(/^\(|\)$/g, '').trim();
    const not = /^not\s+(\S+)$/.exec(e);
    if (not) {
      const t = this.truthy(not[1]!);
      return t === undefined ? undefined : !t;
    }
    if (!/^\.Values(\.[\w-]+)+$/.test(e)) return undefined;
    if (!this.helm.values) return undefined;
    const v = yjs(this.lookup(e.slice('.Values.'.length))?.node);
    if (v === undefined || v === null || v === false || v === '' || v === 0) return false;
    if (Array.isArray(v)) return v.length > 0;
    if (typeof v === 'object') return Object.keys(v as object).length > 0;
    return true;
  }

  /** The `with .Values.x` that sets `.` at a line, as a values path. */
  dotAt(line: number): string | undefined {
    const withs = this.around(line).filter((b) => b.kind === 'with');
    const inner = withs[withs.length - 1];
    if (!inner) return undefined;
    const m = /^\.Values((?:\.[\w-]+)+)$/.exec(inner.expr.trim());
    return m ? m[1]!.slice(1) : undefined;
  }

  /** A node of values.yaml by dotted path. */
  lookup(path: string): ValueRef | undefined {
    const values = this.helm.values;
    if (!values) return undefined;
    let node: YNode = values.root;
    for (const k of path.split('.')) {
      if (!isMap(node)) return undefined;
      node = yget(node, k);
      if (node === undefined) return undefined;
    }
    return { node, path };
  }

  /**
   * Resolves the template actions of a block value (`{{- toYaml .Values.x | nindent 12 }}`, or
   * `toYaml .` inside `with .Values.x`) to a values.yaml node. Undefined when it is anything else.
   */
  resolveBlock(actions: readonly string[], line: number): ValueRef | undefined {
    const meaningful = actions.filter(
      (a) => !/^\s*(end|else)\b/.test(a) && !/^\s*(if|with|range)\b/.test(a) && a.trim() !== '',
    );
    if (meaningful.length !== 1) return undefined;
    const a = meaningful[0]!.trim();
    const m =
      /^toYaml\s+\(?\s*(\.Values(?:\.[\w-]+)+|\.)\s*\)?\s*(\|\s*(nindent|indent)\s+\d+\s*)?(\|\s*trim\s*)?$/.exec(a);
    if (!m) return undefined;
    const target = m[1]!;
    const path = target === '.' ? this.dotAt(line) : target.slice('.Values.'.length);
    return path ? this.lookup(path) : undefined;
  }

  /**
   * Resolves a scalar template action (`{{ .Values.a.b }}`, `{{ .Values.x | default 8080 }}`,
   * `{{ .Values.x | quote }}`) to its value with the default values.
   */
  resolveScalar(source: string): { value: string | number; ref?: ValueRef } | undefined {
    const inner = wholeAction(source);
    if (inner === undefined) return undefined;
    const parts = inner.split('|').map((p) => p.trim());
    const head = parts[0]!;
    let value: unknown;
    let ref: ValueRef | undefined;
    const v = /^\.Values((?:\.[\w-]+)+)$/.exec(head);
    if (v) {
      ref = this.lookup(v[1]!.slice(1));
      value = ref && isScalar(ref.node as Node) ? yjs(ref.node) : undefined;
    } else if (/^\d+$/.test(head)) {
      value = Number(head);
    } else if (/^"[^"]*"$/.test(head)) {
      value = head.slice(1, -1);
    } else {
      return undefined;
    }
    for (const p of parts.slice(1)) {
      const d = /^default\s+(\S+)$/.exec(p);
      if (d) {
        if (value === undefined || value === null || value === '') {
          const lit = d[1]!;
          value = /^\d+$/.test(lit) ? Number(lit) : /^"[^"]*"$/.test(lit) ? lit.slice(1, -1) : undefined;
          ref = undefined;
        }
      } else if (!/^(quote|int|toString|trim|squote)$/.test(p)) {
        return undefined;
      }
    }
    if (typeof value === 'number' || typeof value === 'string') return ref ? { value, ref } : { value };
    return undefined;
  }
}

/**
 * What is inside a scalar that is one template action, optionally quoted (`"{{ .Values.x | quote }}"`):
 * from the first `{{` to the last `}}`, trim markers and blanks removed. Sliced by hand, not matched with
 * a backtracking regex, so a long scalar costs one pass.
 */
function wholeAction(source: string): string | undefined {
  let s = source.trim();
  if (s.startsWith('"')) s = s.slice(1);
  if (s.endsWith('"') && !s.endsWith('}}')) s = s.slice(0, -1);
  if (!s.startsWith('{{') || !s.endsWith('}}') || s.length < 4) return undefined;
  let inner = s.slice(2, -2);
  if (inner.startsWith('-')) inner = inner.slice(1);
  inner = inner.trim();
  if (inner.endsWith('-')) inner = inner.slice(0, -1);
  return inner.trim();
}

/** Renders a scalar whose text mixes literals and actions (`"{{ .Values.image.repository }}:{{ .Values.image.tag }}"`). */
export function renderInline(template: HelmTemplate, source: string): string | undefined {
  const text = source
    .trim()
    .replace(/^"([\s\S]*)"$/, '$1')
    .replace(/^'([\s\S]*)'$/, '$1');
  let failed = false;
  let out = '';
  let at = 0;
  for (const action of templateActions(text, { skipDollar: false })) {
    const r = template.resolveScalar(text.slice(action.start, action.end));
    if (!r) failed = true;
    out += text.slice(at, action.start) + (r ? String(r.value) : '');
    at = action.end;
  }
  return failed ? undefined : out + text.slice(at);
}

/** The chart directory of a path inside `<chart>/templates/`, given the set of Chart.yaml directories. */
export function chartOf(path: string, chartDirs: ReadonlySet<string>): string | undefined {
  const i = path.indexOf('/templates/');
  const j = path.startsWith('templates/') ? 0 : -1;
  if (i === -1 && j === -1) return undefined;
  const dir = i === -1 ? '' : path.slice(0, i);
  return chartDirs.has(dir) ? dir : undefined;
}
