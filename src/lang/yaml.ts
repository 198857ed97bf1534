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
import { LineCounter, Parser as CstParser, parseAllDocuments, type Document } from 'yaml';
import type { YamlParse } from './source-file.js';
import type { Span } from './comments.js';

/**
 * `{{ … }}` not preceded by `$`: GitHub Actions' `${{ … }}` expressions are plain YAML scalars. A fresh
 * regex each time: a shared global one carries `lastIndex` from call to call (and into matchAll).
 */
const templateAction = (): RegExp => /(?<!\$)\{\{[\s\S]*?\}\}/g;

/** True when the text contains Go/Helm template actions (`{{ … }}`, not GitHub's `${{ … }}`). */
export function hasTemplateActions(text: string): boolean {
  return templateAction().test(text);
}

/** The masked copy described above; same length as `text`, line breaks preserved. */
export function maskTemplateActions(text: string): string {
  const ranges: Span[] = [];
  for (const m of text.matchAll(templateAction())) ranges.push({ start: m.index, end: m.index + m[0].length });
  let out = '';
  let at = 0;
  for (const { start, end } of ranges) {
    out += text.slice(at, start);
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    const nl = text.indexOf('\n', end);
    const lineEnd = nl === -1 ? text.length : nl;
    // Only blanks and other actions around it on its line? Then the action is a control line.
    const before = text.slice(lineStart, start).replace(templateAction(), '');
    const rest = text.slice(end, lineEnd).replace(templateAction(), '');
    const ownLine = before.trim() === '' && rest.trim() === '';
    const filler = ownLine ? ' ' : '_';
    out += text.slice(start, end).replace(/[^\r\n]/g, filler);
    at = end;
  }
  return out + text.slice(at);
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
    documents = Array.from(parseAllDocuments(source, { lineCounter, uniqueKeys: !templated }));
    for (const doc of documents) {
      const first = doc.errors[0];
      if (first) {
        error = { message: first.message.split('\n')[0]!, line: first.linePos?.[0].line ?? lineCounter.linePos(first.pos[0]).line };
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
