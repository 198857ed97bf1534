/**
 * The contract between the language layer and the rules. (Interface only: the implementation lives in
 * `src/lang/index.ts` and its neighbours.)
 *
 * A SourceFile is decoded text plus lazily built, cached parse results. Each parser runs at most once per
 * file per snapshot, and all rules share the result. Parsers must have been loaded (async, WASM) before a
 * rule calls a getter; the engine does that from the languages of the files it preloads.
 */
import type { Node as TSNode, Tree } from 'web-tree-sitter';
import type { Document, LineCounter } from 'yaml';
import type { Dockerfile } from 'dockerfile-ast';

export type Language =
  | 'typescript'
  | 'tsx'
  | 'javascript'
  | 'python'
  | 'go'
  | 'sql'
  | 'yaml'
  | 'dockerfile'
  | 'json'
  | 'toml'
  | 'prisma'
  | 'text';

/** One SQL statement from libpg-query with its 1-based line span in the file. */
export interface SqlStatement {
  /** The libpg-query JSON node of the statement, e.g. `{ AlterTableStmt: {...} }`. */
  stmt: Record<string, any>;
  /** Byte-accurate character offsets in the file's text. */
  start: number;
  end: number;
  line: number;
  endLine: number;
  /** The statement's source text. */
  text: string;
}

export interface SqlParse {
  statements: SqlStatement[];
  /** Set when the parser rejected the file; statements is then empty. */
  error?: { message: string; line: number };
}

export interface YamlParse {
  /** One per `---` document; a document with errors is kept with its `errors`. */
  documents: Document.Parsed[];
  lineCounter: LineCounter;
  /** True when the file contains Helm/Go template syntax (`{{ }}`) and could not be parsed as plain YAML. */
  templated: boolean;
  error?: { message: string; line: number };
}

/**
 * Names one kind of value derived from a file, for {@link SourceFile.memo}: the key object's identity tells
 * values apart (`name` only helps a reader), and `T` is the value's type. Owned by the analysis that
 * computes the value, e.g. a gate's shared analysis of the files its rules check.
 */
export interface MemoKey<T> {
  readonly name: string;
  /** Never set: carries `T`, so one key always yields one type. */
  readonly value?: T;
}

export interface SourceFile {
  readonly path: string;
  /** Decoded text: BOM removed, line endings as in the file. */
  readonly text: string;
  readonly language: Language;
  /** Size in bytes of the raw file. */
  readonly bytes: number;
  /**
   * How the bytes differed from plain UTF-8 text, when they did: "not valid UTF-8 (…), read as
   * windows-1252" or "NUL byte at offset N read as a space". Analysis goes on; a config file refuses it.
   */
  readonly irregular?: string;
  /**
   * The git blob the text was decoded from, when the source knows it: the file's identity for the analysis
   * cache without hashing (or even reading) the text.
   */
  blobId?: string;
  /** Lines without their terminators (CRLF and LF both handled). */
  lines(): readonly string[];
  /** 1-based line of a character offset. */
  lineAt(offset: number): number;
  /** The text of a 1-based line ('' when out of range). */
  lineText(line: number): string;
  /** tree-sitter tree for typescript/tsx/javascript/python/go; undefined for other languages. */
  tree(): Tree | undefined;
  /** libpg-query statements for sql files. */
  sql(): SqlParse | undefined;
  /** Parsed YAML documents with positions. */
  yaml(): YamlParse | undefined;
  /** Parsed Dockerfile. */
  dockerfile(): Dockerfile | undefined;
  /** Comments in the file, with their 1-based line, in the file's own syntax (tree-sitter/libpg-query/yaml based where available). */
  comments(): readonly { line: number; text: string }[];
  /** Parse problems worth reporting as analysis errors (e.g. SQL the parser rejected). Empty when none. */
  parseErrors(): readonly string[];
  /**
   * A value derived from this file, computed on the first call with `key` and returned to every later
   * caller with the same key: the rules of a gate that share one analysis of the file run it once. Kept
   * until `dispose()`, since the value may hold nodes of the tree it frees; a throwing `compute` stores
   * nothing.
   */
  memo<T>(key: MemoKey<T>, compute: () => T): T;
  /**
   * Frees WASM memory held by parse trees, and drops the memoised values derived from them. The engine
   * calls it when an evaluation ends.
   */
  dispose(): void;
}

export type { TSNode, Tree };
