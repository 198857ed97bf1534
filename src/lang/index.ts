/**
 * The language layer: decode files, load parsers on demand, parse lazily.
 *
 * ```ts
 * await loadParsers(files.map((f) => languageOf(f.path)));
 * const read = decodeSource(path, bytes);
 * if (read.ok) read.file.tree();
 * ```
 * Tree-sitter (TS/TSX/JS/Python/Go) and libpg-query (PostgreSQL) run as WebAssembly; see `assets.ts` for
 * where their .wasm files are found in a bundled build.
 */
export type { Language, MemoKey, SourceFile, SqlParse, SqlStatement, YamlParse, TSNode, Tree } from './source-file.js';
export { languageOf, decodeSource, formatBytes, DEFAULT_MAX_BYTES, type DecodeOptions } from './decode.js';
export { loadParsers, loadedParsers, isTreeSitterLanguage, type TreeSitterLanguage } from './parsers.js';
export { setAssetDir, assetFiles, ASSETS_ENV, ESM_BUNDLE_BANNER } from './assets.js';

/**
 * True when `text` contains any of `tokens` literally (case-sensitive). The engine calls it before
 * parsing, so a rule interested in `prom-client` never costs a parse of a file that cannot mention it.
 * No tokens means no constraint: true.
 */
export function prefilter(text: string, tokens: readonly string[]): boolean {
  if (tokens.length === 0) return true;
  for (const token of tokens) if (text.includes(token)) return true;
  return false;
}
