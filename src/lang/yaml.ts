/**
 * YAML files, including Helm chart templates.
 *
 * A Helm template is not YAML until rendered: `name: {{ .Values.name }}` even parses — wrongly — as a
 * nested flow mapping, and `{{- if … }}` lines break the structure. So when a file contains Go template
 * actions we parse a masked copy instead: an action alone on its line becomes blank, an inline action
 * becomes a same-length run of `_`. Offsets, lines and columns stay those of the original file, values
 * that were templated read as `_…_` (slice the original text by the node's range to see the template),
 * and the result is flagged `templated`. Both branches of an if/else then sit side by side, so duplicate
 * keys are allowed there.
 */
import { LineCounter, Parser as CstParser, parseAllDocuments, type Document, type YAMLError } from 'yaml';
import type { YamlParse } from './source-file.js';
import type { Span } from './comments.js';

/** One Go template action `{{ … }}`: its span in the text and what is between the braces. */
export interface TemplateAction extends Span {
  /** The text between `{{` and `}}`, trim markers (`{{-`, `-}}`) and surrounding blanks removed. */
  inner: string;
}

/**
 * Every `{{ … }}` in `text`, in order, each ending at the first `}}` after its `{{` (as Go's template
 * lexer reads them). By default an action preceded by `$` is skipped: GitHub Actions' `${{ … }}` is a plain
 * YAML scalar. One pass with `indexOf`: once no `}}` follows, no later `{{` can close either, so the scan
 * stops — a lazy `\{\{[\s\S]*?\}\}` regex instead re-scanned to the end from every `{{` (600 KB of `{{`
 * took 47 s).
 */
export function templateActions(text: string, opts: { skipDollar?: boolean } = {}): TemplateAction[] {
  const skipDollar = opts.skipDollar ?? true;
  const out: TemplateAction[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf('{{', from);
    if (start === -1) break;
    if (skipDollar && start > 0 && text[start - 1] === '$') {
      from = start + 1;
      continue;
    }
    const close = text.indexOf('}}', start + 2);
    if (close === -1) break;
    out.push({ start, end: close + 2, inner: actionInner(text.slice(start + 2, close)) });
    from = close + 2;
  }
  return out;
}

/** `- .Values.x -` → `.Values.x`: one trim marker on each side, then blanks. */
function actionInner(raw: string): string {
  let inner = raw.trim();
  if (inner.startsWith('-')) inner = inner.slice(1);
  if (inner.endsWith('-')) inner = inner.slice(0, -1);
  return inner.trim();
}

/** True when the text contains Go/Helm template actions (`{{ … }}`, not GitHub's `${{ … }}`). */
export function hasTemplateActions(text: string): boolean {
  return templateActions(text).length > 0;
}

/** The masked copy described above; same length as `text`, line breaks preserved. Linear in the text. */
export function maskTemplateActions(text: string): string {
  const ranges = templateActions(text);
  if (ranges.length === 0) return text;
  // Non-blank characters outside actions, as a prefix count, so "is the rest of this line blank?" is O(1).
  const outside = new Uint8Array(text.length);
  let r = 0;
  for (let i = 0; i < text.length; i++) {
    while (r < ranges.length && ranges[r]!.end <= i) r++;
    const inAction = r < ranges.length && ranges[r]!.start <= i;
    outside[i] = !inAction && !/\s/.test(text[i]!) ? 1 : 0;
  }
  const prefix = new Uint32Array(text.length + 1);
  for (let i = 0; i < text.length; i++) prefix[i + 1] = prefix[i]! + outside[i]!;
  const blank = (from: number, to: number) => prefix[to]! - prefix[from]! === 0;
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineOf = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  let out = '';
  let at = 0;
  for (const { start, end } of ranges) {
    out += text.slice(at, start);
    const lineStart = lineStarts[lineOf(start)]!;
    const next = lineOf(end) + 1;
    const lineEnd = next < lineStarts.length ? lineStarts[next]! - 1 : text.length;
    // Only blanks and other actions around it on its line? Then the action is a control line.
    const ownLine = blank(lineStart, start) && blank(end, lineEnd);
    const filler = ownLine ? ' ' : '_';
    out += text.slice(start, end).replace(/[^\r\n]/g, filler);
    at = end;
  }
  return out + text.slice(at);
}

/**
 * What the library's `prettyErrors` adds to a message's first line — `… at line 3, column 5`, and a colon
 * when a line of context would follow — with `linePos`, in constant time per error.
 */
function locate(error: YAMLError, source: string, lineCounter: LineCounter): void {
  if (error.pos[0] === -1 || error.linePos) return;
  const start = lineCounter.linePos(error.pos[0]);
  error.linePos = [start, lineCounter.linePos(error.pos[1])];
  const lineStart = lineCounter.lineStarts[start.line - 1] ?? 0;
  // The library shows at most 80 characters around the column; context follows when they are not all blank.
  const from = Math.max(lineStart, lineStart + start.col - 1 - 40);
  const nl = source.indexOf('\n', from);
  const window = source.slice(from, Math.min(nl === -1 ? source.length : nl, from + 80)).replace(/\r$/, '');
  error.message += ` at line ${start.line}, column ${start.col}${/[^ ]/.test(window) ? ':' : ''}`;
}

/** Parses every `---` document with positions. Never throws: problems land in `documents[i].errors` and `error`. */
export function parseYaml(text: string): YamlParse {
  const templated = hasTemplateActions(text);
  const source = templated ? maskTemplateActions(text) : text;
  const lineCounter = new LineCounter();
  let documents: Document.Parsed[] = [];
  let error: YamlParse['error'];
  try {
    // Array.from: an empty stream comes back as a special array subclass; callers get a plain array.
    // prettyErrors off: the library would copy the whole offending line into every error (a 600 KB line
    // of `{{` gave 300,000 errors, quadratic); positions are added here from the line counter instead.
    documents = Array.from(parseAllDocuments(source, { lineCounter, uniqueKeys: !templated, prettyErrors: false }));
    for (const doc of documents) for (const e of [...doc.errors, ...doc.warnings]) locate(e, source, lineCounter);
    for (const doc of documents) {
      const first = doc.errors[0];
      if (first) {
        error = {
          message: first.message.split('\n')[0]!,
          line: first.linePos?.[0].line ?? lineCounter.linePos(first.pos[0]).line,
        };
        break;
      }
    }
  } catch (e) {
    // The library reports problems as document errors; this guards against a bug in it, not bad input.
    error = { message: e instanceof Error ? e.message : String(e), line: 1 };
  }
  return error ? { documents, lineCounter, templated, error } : { documents, lineCounter, templated };
}

/** YAML comment spans, from the concrete syntax tree (so `#` in quoted and block scalars is not a comment). */
export function yamlComments(text: string): Span[] {
  const source = hasTemplateActions(text) ? maskTemplateActions(text) : text;
  const out: Span[] = [];
  try {
    for (const token of new CstParser().parse(source)) {
      // The CST nests tokens in arrays and objects (start, sep, items, value…); walk it without recursion.
      const stack: unknown[] = [token];
      while (stack.length > 0) {
        const t = stack.pop();
        if (Array.isArray(t)) {
          for (const item of t) stack.push(item);
        } else if (t !== null && typeof t === 'object') {
          const tok = t as { type?: unknown; offset?: unknown; source?: unknown };
          if (tok.type === 'comment' && typeof tok.offset === 'number' && typeof tok.source === 'string') {
            out.push({ start: tok.offset, end: tok.offset + tok.source.length });
          }
          for (const value of Object.values(t)) if (value !== null && typeof value === 'object') stack.push(value);
        }
      }
    }
  } catch {
    // As above: the CST parser is tolerant; if it fails anyway, there are no comments we can trust.
    return [];
  }
  return out.sort((a, b) => a.start - b.start);
}
