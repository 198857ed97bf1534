/**
 * The SourceFile implementation: decoded text plus lazily built, cached parse results.
 *
 * Every getter parses at most once and never throws for bad input — parse problems are reported by
 * `parseErrors()` (and in `sql().error` / `yaml().error`). The one thing a getter does throw for is a
 * parser that was not loaded: that is a bug in the caller, and the message says which `loadParsers` call
 * is missing.
 */
import type { Dockerfile } from 'dockerfile-ast';
import type { Node as TSNode, Tree } from 'web-tree-sitter';
import type { Language, MemoKey, SourceFile, SqlParse, YamlParse } from './source-file.js';
import {
  commentLines,
  hashLineComments,
  slashComments,
  tomlComments,
  type CommentLine,
  type Span,
} from './comments.js';
import { dockerfile as dockerfileParser, isTreeSitterLanguage, pg, treeSitterParser } from './parsers.js';
import { sqlComments, toSqlParse } from './sql.js';
import { LineIndex } from './text.js';
import { parseYaml, yamlComments } from './yaml.js';

/**
 * Share of a file's non-blank text that tree-sitter could not attach to any construct above which the
 * file is reported. Tree-sitter recovers from almost anything (YAML even parses as Python annotations),
 * so a quarter of loose tokens already means prose, a template or garbage, never a typo in real code.
 */
const MOSTLY_ERROR = 0.25;

const LANGUAGE_NAMES: Partial<Record<Language, string>> = {
  typescript: 'TypeScript',
  tsx: 'TSX',
  javascript: 'JavaScript',
  python: 'Python',
  go: 'Go',
};

// A cache slot: `undefined` means "not computed yet", so results that are themselves undefined are boxed.
type Slot<T> = { value: T } | undefined;

/** @internal Construct through `decodeSource()`. */
export class SourceFileImpl implements SourceFile {
  private index: LineIndex | undefined;
  private treeSlot: Slot<Tree | undefined>;
  private sqlSlot: Slot<SqlParse | undefined>;
  private yamlSlot: Slot<YamlParse | undefined>;
  private dockerfileSlot: Slot<Dockerfile | undefined>;
  private dockerfileError: string | undefined;
  private commentSlot: Slot<readonly CommentLine[]>;
  private sqlCommentSpans: Span[] | undefined;
  private errorsSlot: Slot<readonly string[]>;
  private linesSlot: Slot<readonly string[]>;
  private readonly memos = new Map<MemoKey<unknown>, unknown>();

  constructor(
    readonly path: string,
    readonly text: string,
    readonly language: Language,
    readonly bytes: number,
    readonly irregular?: string,
  ) {}

  private lineIndex(): LineIndex {
    return (this.index ??= new LineIndex(this.text));
  }

  lines(): readonly string[] {
    return (this.linesSlot ??= { value: Object.freeze(this.lineIndex().lines()) }).value;
  }

  lineAt(offset: number): number {
    return this.lineIndex().lineAt(offset);
  }

  lineText(line: number): string {
    return this.lineIndex().lineText(line);
  }

  tree(): Tree | undefined {
    if (this.treeSlot) return this.treeSlot.value;
    const lang = this.language;
    if (!isTreeSitterLanguage(lang)) {
      this.treeSlot = { value: undefined };
      return undefined;
    }
    const parser = treeSitterParser(lang, this.path);
    // parse() returns null only without a language or when cancelled; neither applies here.
    const tree = parser.parse(this.text) ?? undefined;
    this.treeSlot = { value: tree };
    return tree;
  }

  sql(): SqlParse | undefined {
    if (this.sqlSlot) return this.sqlSlot.value;
    if (this.language !== 'sql') {
      this.sqlSlot = { value: undefined };
      return undefined;
    }
    const raw = pg(this.path).parse(this.text);
    const value = toSqlParse(this.text, raw, this.lineIndex(), this.sqlSpans());
    this.sqlSlot = { value };
    return value;
  }

  private sqlSpans(): Span[] {
    return (this.sqlCommentSpans ??= sqlComments(this.text));
  }

  yaml(): YamlParse | undefined {
    if (!this.yamlSlot) this.yamlSlot = { value: this.language === 'yaml' ? parseYaml(this.text) : undefined };
    return this.yamlSlot.value;
  }

  dockerfile(): Dockerfile | undefined {
    if (this.dockerfileSlot) return this.dockerfileSlot.value;
    if (this.language !== 'dockerfile') {
      this.dockerfileSlot = { value: undefined };
      return undefined;
    }
    const parser = dockerfileParser(this.path);
    let value: Dockerfile | undefined;
    try {
      value = parser.parse(this.text);
    } catch (e) {
      // dockerfile-ast is tolerant by design; a throw is a bug there, reported rather than propagated.
      this.dockerfileError = `could not parse this Dockerfile: ${e instanceof Error ? e.message : String(e)}`;
    }
    this.dockerfileSlot = { value };
    return value;
  }

  comments(): readonly { line: number; text: string }[] {
    if (this.commentSlot) return this.commentSlot.value;
    const value = Object.freeze(commentLines(this.text, this.commentSpans(), this.lineIndex()));
    this.commentSlot = { value };
    return value;
  }

  private commentSpans(): Iterable<Span> {
    switch (this.language) {
      case 'typescript':
      case 'tsx':
      case 'javascript':
      case 'python':
      case 'go': {
        const tree = this.tree();
        if (!tree) return [];
        // descendantsOfType runs in WASM with a cursor: no JS recursion, fast on big files.
        return tree.rootNode
          .descendantsOfType(['comment', 'html_comment'])
          .filter((n): n is TSNode => n !== null)
          .map((n) => ({ start: n.startIndex, end: n.endIndex }));
      }
      case 'sql':
        return this.sqlSpans();
      case 'yaml':
        return yamlComments(this.text);
      case 'dockerfile':
        return hashLineComments(this.text);
      case 'toml':
        return tomlComments(this.text);
      case 'prisma':
        return slashComments(this.text, false);
      case 'json':
        return slashComments(this.text, true);
      case 'text':
        return [];
    }
  }

  parseErrors(): readonly string[] {
    if (this.errorsSlot) return this.errorsSlot.value;
    const errors: string[] = [];
    const lang = this.language;
    if (isTreeSitterLanguage(lang)) {
      const tree = this.tree();
      const share = tree ? errorShare(tree.rootNode, this.text) : 0;
      if (share > MOSTLY_ERROR) {
        errors.push(
          `${Math.round(share * 100)}% of this file could not be parsed as ${LANGUAGE_NAMES[lang] ?? lang}; findings in it may be incomplete`,
        );
      }
    } else if (lang === 'sql') {
      const error = this.sql()?.error;
      if (error) errors.push(`PostgreSQL cannot parse this file: line ${error.line}: ${error.message}`);
    } else if (lang === 'yaml') {
      const parsed = this.yaml();
      // A Helm template is not YAML until rendered; failing to parse one is expected, not a defect.
      if (parsed && !parsed.templated) {
        for (const doc of parsed.documents) {
          for (const e of doc.errors) {
            const line = e.linePos?.[0].line ?? parsed.lineCounter.linePos(e.pos[0]).line;
            errors.push(`YAML syntax error at line ${line}: ${e.message.split('\n')[0]}`);
          }
        }
      }
    } else if (lang === 'dockerfile') {
      this.dockerfile();
      if (this.dockerfileError) errors.push(this.dockerfileError);
    }
    const value = Object.freeze(errors);
    this.errorsSlot = { value };
    return value;
  }

  memo<T>(key: MemoKey<T>, compute: () => T): T {
    if (this.memos.has(key)) return this.memos.get(key) as T;
    const value = compute();
    this.memos.set(key, value);
    return value;
  }

  dispose(): void {
    // Trees own WASM memory that JS garbage collection reclaims late or never; free it now. A later
    // tree() call parses again, but nodes handed out before are invalid from here on, and so are the
    // memoised values that may hold them. What the tree says of parse errors is kept (plain strings), so a
    // file whose tree an index freed is not parsed again just to report them.
    if (this.treeSlot?.value && !this.errorsSlot) this.parseErrors();
    this.treeSlot?.value?.delete();
    this.treeSlot = undefined;
    this.memos.clear();
  }
}

/**
 * Share of the non-blank characters of `text` that the parser could not attach to any construct: tokens
 * sitting directly in an ERROR node. Well-formed code that error recovery wrapped in an ERROR node (all
 * the functions after one broken parameter list, say) is not counted, so one typo does not condemn a
 * file, while prose, a template or another language in a code file does. The ERROR search runs natively
 * in WASM; nothing here recurses in JS.
 */
function errorShare(root: TSNode, text: string): number {
  if (!root.hasError) return 0;
  const nonBlank = countNonBlank(text, 0, text.length);
  if (nonBlank === 0) return 0;
  let unattached = 0;
  for (const error of root.descendantsOfType('ERROR')) {
    if (!error) continue;
    if (error.childCount === 0) {
      unattached += countNonBlank(text, error.startIndex, error.endIndex);
      continue;
    }
    // Nested ERROR children are visited on their own by the outer loop; count only leaves here.
    for (const child of error.children) {
      if (child && child.childCount === 0 && child.type !== 'ERROR')
        unattached += countNonBlank(text, child.startIndex, child.endIndex);
    }
  }
  return unattached / nonBlank;
}

function countNonBlank(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) n++;
  }
  return n;
}
