/**
 * A thin adapter over libpg-query's WebAssembly module: the real PostgreSQL parser.
 *
 * We instantiate the Emscripten factory ourselves (instead of importing the package's entry point) so we
 * control where `libpg-query.wasm` is read from: node_modules in development, the bundle's directory in
 * the Action. The calls below follow the C API of libpg_query as exposed by that module.
 */
import type { PgQueryEmscriptenModule } from 'libpg-query/wasm/libpg-query.js';
import { resolveAsset } from './assets.js';

/** What the parser said about a whole SQL text. Offsets are as libpg-query reports them. */
export type RawPgParse =
  | { ok: true; stmts: Array<{ stmt: Record<string, any>; stmt_location?: number; stmt_len?: number }> }
  /** `cursor` is libpg_query's 1-based character (code point) position, 0 when unknown. */
  | { ok: false; message: string; cursor: number };

/** The loaded parser. Synchronous once loaded. */
export interface PgParser {
  parse(sql: string): RawPgParse;
}

// Byte layout of the C structs returned by pg_query_parse (wasm32: pointers and ints are 4 bytes):
//   PgQueryParseResult { char *parse_tree; char *stderr_buffer; PgQueryError *error; }
//   PgQueryError       { char *message; char *funcname; char *filename; int lineno; int cursorpos; char *context; }
const RESULT_PARSE_TREE = 0;
const RESULT_ERROR = 8;
const ERROR_MESSAGE = 0;
const ERROR_CURSORPOS = 16;

/** Instantiates libpg-query's WASM module from the resolved asset location. */
export async function loadPgParser(): Promise<PgParser> {
  const wasmPath = resolveAsset('libpg-query.wasm');
  const imported = await import('libpg-query/wasm/libpg-query.js');
  // The factory is a CommonJS export; depending on the loader (Node, a bundler) it arrives as the default
  // export itself or wrapped once more.
  const factory = typeof imported.default === 'function' ? imported.default : (imported as any).default?.default;
  if (typeof factory !== 'function') throw new Error('libpg-query: unexpected module shape (no factory function)');
  const module: PgQueryEmscriptenModule = await factory({ locateFile: () => wasmPath });
  return { parse: (sql) => parseWith(module, sql) };
}

function parseWith(m: PgQueryEmscriptenModule, sql: string): RawPgParse {
  const size = m.lengthBytesUTF8(sql) + 1;
  const queryPtr = m._malloc(size);
  if (!queryPtr) throw new Error('libpg-query: out of memory');
  let resultPtr = 0;
  try {
    m.stringToUTF8(sql, queryPtr, size);
    resultPtr = m._wasm_parse_query_raw(queryPtr);
    if (!resultPtr) throw new Error('libpg-query: out of memory');
    const errorPtr = m.getValue(resultPtr + RESULT_ERROR, 'i32');
    if (errorPtr) {
      const messagePtr = m.getValue(errorPtr + ERROR_MESSAGE, 'i32');
      return {
        ok: false,
        message: messagePtr ? m.UTF8ToString(messagePtr) : 'unknown parse error',
        cursor: Math.max(0, m.getValue(errorPtr + ERROR_CURSORPOS, 'i32')),
      };
    }
    const treePtr = m.getValue(resultPtr + RESULT_PARSE_TREE, 'i32');
    const json = treePtr ? (JSON.parse(m.UTF8ToString(treePtr)) as { stmts?: RawPgParseStmts }) : {};
    return { ok: true, stmts: json.stmts ?? [] };
  } finally {
    m._free(queryPtr);
    if (resultPtr) m._wasm_free_parse_result(resultPtr);
  }
}

type RawPgParseStmts = Extract<RawPgParse, { ok: true }>['stmts'];
