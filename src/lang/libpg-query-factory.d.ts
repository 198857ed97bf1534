/**
 * Types for the Emscripten factory inside libpg-query (`wasm/libpg-query.js`), which the package does not
 * type. We load the factory directly, rather than the package's entry point, because the entry point
 * instantiates the WASM module at import time from a path next to itself and offers no way to point it
 * at a bundle's asset directory. Only the members `pg.ts` uses are declared.
 */
declare module 'libpg-query/wasm/libpg-query.js' {
  export interface PgQueryEmscriptenModule {
    _malloc(size: number): number;
    _free(ptr: number): void;
    _wasm_parse_query_raw(queryPtr: number): number;
    _wasm_free_parse_result(resultPtr: number): void;
    _wasm_scan(queryPtr: number): number;
    _wasm_free_string(ptr: number): void;
    getValue(ptr: number, type: 'i32'): number;
    UTF8ToString(ptr: number): string;
    stringToUTF8(str: string, ptr: number, maxBytes: number): void;
    lengthBytesUTF8(str: string): number;
  }
  export type PgQueryFactory = (options?: {
    locateFile?: (path: string, scriptDirectory: string) => string;
  }) => Promise<PgQueryEmscriptenModule>;
  const factory: PgQueryFactory & { default?: PgQueryFactory };
  export default factory;
}
