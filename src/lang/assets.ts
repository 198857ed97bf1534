/**
 * Where the language layer finds its WebAssembly files.
 *
 * In development and in the npm package the .wasm files live in node_modules and are resolved from there.
 * The GitHub Action ships as one esbuild bundle in `dist/` with the .wasm files copied beside it; there
 * node_modules does not exist, so the loader also looks beside the module that contains this code (which,
 * in the bundle, is the bundle itself). `setAssetDir()` and `READINESS_GATES_ASSETS` override both.
 *
 * Lookup order for one file:
 *   1. the directory given to `setAssetDir()` (exclusively, when set);
 *   2. else `$READINESS_GATES_ASSETS` (exclusively, when set and non-empty);
 *   3. else the directory of this module, when the file exists there (the bundled build);
 *   4. else node_modules, through Node's resolver.
 * An explicit directory is used exclusively so that a broken bundle fails loudly instead of silently
 * picking up a different grammar version from some node_modules up the tree.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The environment variable a deployment can set to the directory holding the .wasm files. */
export const ASSETS_ENV = 'READINESS_GATES_ASSETS';

/** Every .wasm file the layer may load: file name (unique, used as-is in an asset dir) and its npm specifier. */
const ASSETS = [
  { name: 'web-tree-sitter.wasm', specifier: 'web-tree-sitter/web-tree-sitter.wasm' },
  { name: 'tree-sitter-typescript.wasm', specifier: 'tree-sitter-typescript/tree-sitter-typescript.wasm' },
  { name: 'tree-sitter-tsx.wasm', specifier: 'tree-sitter-typescript/tree-sitter-tsx.wasm' },
  { name: 'tree-sitter-javascript.wasm', specifier: 'tree-sitter-javascript/tree-sitter-javascript.wasm' },
  { name: 'tree-sitter-python.wasm', specifier: 'tree-sitter-python/tree-sitter-python.wasm' },
  { name: 'tree-sitter-go.wasm', specifier: 'tree-sitter-go/tree-sitter-go.wasm' },
  { name: 'libpg-query.wasm', specifier: 'libpg-query/wasm/libpg-query.wasm' },
] as const;

/** The name of one of the layer's .wasm files. */
export type AssetName = (typeof ASSETS)[number]['name'];

let explicitDir: string | undefined;

/**
 * Points the loader at a directory holding the .wasm files (e.g. the bundle's own directory), or back at
 * the default lookup with `undefined`. Takes effect for parsers loaded afterwards; already loaded ones stay.
 */
export function setAssetDir(dir: string | undefined): void {
  explicitDir = dir === undefined || dir === '' ? undefined : dir;
}

/** The directory currently forced by `setAssetDir()` or the environment, if any. */
export function assetDirOverride(): string | undefined {
  if (explicitDir !== undefined) return explicitDir;
  const fromEnv = process.env[ASSETS_ENV];
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

function resolveFromNodeModules(specifier: string): string | undefined {
  try {
    return createRequire(import.meta.url).resolve(specifier);
  } catch {
    return undefined;
  }
}

function moduleDir(): string | undefined {
  try {
    return fileURLToPath(new URL('.', import.meta.url));
  } catch {
    // Not a file: URL (e.g. a data: or http: module); there is no "beside me" to look in.
    return undefined;
  }
}

/**
 * Absolute path of one .wasm file per the lookup order above. Throws an error that says where it looked
 * and how to fix it, so a misconfigured bundle is diagnosable from the Action log alone.
 */
export function resolveAsset(name: AssetName): string {
  const asset = ASSETS.find((a) => a.name === name);
  if (!asset) throw new Error(`unknown language asset ${name}`);
  const override = assetDirOverride();
  if (override !== undefined) {
    const path = join(override, name);
    if (existsSync(path)) return path;
    const how = explicitDir !== undefined ? 'setAssetDir()' : `$${ASSETS_ENV}`;
    throw new Error(
      `language asset ${name} not found in ${override} (set by ${how}); copy it there from node_modules/${asset.specifier}`,
    );
  }
  const here = moduleDir();
  if (here !== undefined && existsSync(join(here, name))) return join(here, name);
  const fromNodeModules = resolveFromNodeModules(asset.specifier);
  if (fromNodeModules !== undefined) return fromNodeModules;
  throw new Error(
    `language asset ${name} not found: not beside ${here ?? 'this module'} and node_modules/${asset.specifier} does not resolve; ` +
      `copy the .wasm files next to the bundle or set ${ASSETS_ENV} to their directory`,
  );
}

/**
 * Every .wasm file the language layer needs, with its location in node_modules, for the bundler script
 * to copy next to `dist/index.js`. Throws when a dependency is not installed.
 */
export function assetFiles(): Array<{ name: string; source: string }> {
  return ASSETS.map(({ name, specifier }) => {
    const source = resolveFromNodeModules(specifier);
    if (source === undefined) throw new Error(`cannot resolve ${specifier}: is its package installed?`);
    return { name, source };
  });
}

/**
 * The banner an ESM bundle (esbuild `format: 'esm'`, `platform: 'node'`) needs for the parsers' CommonJS
 * and Emscripten code inside it: a real `require` (for `require("fs")` and friends) and `__filename` /
 * `__dirname` (libpg-query's Emscripten glue reads `__dirname` unconditionally under Node). Use it as
 * esbuild's `banner.js`; test/lang/bundle.test.ts builds a bundle with it and runs it without node_modules.
 */
export const ESM_BUNDLE_BANNER = [
  "import { createRequire as __rgCreateRequire } from 'node:module';",
  "import { fileURLToPath as __rgFileURLToPath } from 'node:url';",
  "import { dirname as __rgDirname } from 'node:path';",
  'const require = __rgCreateRequire(import.meta.url);',
  'const __filename = __rgFileURLToPath(import.meta.url);',
  'const __dirname = __rgDirname(__filename);',
].join('\n');
