/**
 * Builds the Action into dist/: an ESM entry (dist/index.js, what action.yml runs) with the modules it loads
 * only on demand split into `chunk-<hash>.js` files beside it (each parser's JavaScript, the rule docs…), the
 * WebAssembly parsers beside it, and a package.json that makes Node read the bundle as ESM wherever dist/ is
 * copied. Splitting is what makes start-up cost what the change needs: a process parses and runs only the
 * chunks it imports, so a change without SQL never compiles libpg-query's glue (bench/startup).
 * With `--cli`, builds the CLI the same way into dist-cli/ (what the npm package ships: `prepack` runs it,
 * so the published package needs no runtime dependencies; dist-cli/ is not committed).
 *
 *   npx tsx scripts/bundle.ts            # writes dist/
 *   npx tsx scripts/bundle.ts --cli      # writes dist-cli/
 *   npx tsx scripts/bundle.ts --outdir X # writes X/ (tests build twice and compare)
 *
 * The output is deterministic — same sources, same bytes — so CI can rebuild and fail on any difference
 * (`npm run bundle && git diff --exit-code dist/`): no timestamps, paths relative to the repository, files
 * written in a fixed order, and a stale file from an earlier build is removed.
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Metafile, type Plugin } from 'esbuild';
import { assetFiles, ESM_BUNDLE_BANNER } from '../src/lang/assets.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Files the build writes, in the order it writes them (everything else in the directory is removed). */
export interface BundleResult {
  outdir: string;
  files: Array<{ name: string; bytes: number }>;
  /** Source modules in the bundle. */
  modules: number;
  /** The npm packages in the bundle, sorted. */
  packages: string[];
  /** Those that `node index.js` loads before any `import()`: what every start pays for (sorted). */
  startPackages: string[];
}

/** The npm package a bundled input comes from (`node_modules/@scope/name/…` → `@scope/name`), if any. */
function packageOf(input: string): string | undefined {
  return /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(input)?.[1];
}

/** The packages of the outputs that `entry` reaches through static imports only. */
function startPackages(metafile: Metafile, entry: string): string[] {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const out = queue.pop()!;
    if (seen.has(out) || !metafile.outputs[out]) continue;
    seen.add(out);
    for (const i of metafile.outputs[out].imports) if (i.kind === 'import-statement') queue.push(i.path);
  }
  return packagesIn(metafile, [...seen]);
}

/** The packages with code in these outputs (an input tree-shaken to nothing does not count). */
function packagesIn(metafile: Metafile, outputs: string[]): string[] {
  const packages = outputs.flatMap((out) =>
    Object.entries(metafile.outputs[out]!.inputs).map(([input, i]) =>
      i.bytesInOutput > 0 ? packageOf(input) : undefined,
    ),
  );
  return [...new Set(packages.filter((p): p is string => p !== undefined))].sort();
}

/** What to bundle: the Action (dist/, committed) or the CLI (dist-cli/, built when the package is packed). */
export type BundleTarget = 'action' | 'cli';

const ENTRIES: Record<BundleTarget, { entry: string; outdir: string }> = {
  action: { entry: 'src/action/index.ts', outdir: 'dist' },
  cli: { entry: 'src/cli/index.ts', outdir: 'dist-cli' },
};

/** The entry of the facts worker threads, bundled beside the main entry as `facts-worker.js`. */
const FACTS_WORKER_ENTRY = 'src/facts-worker.ts';

/** Code-split chunks: flat beside the entry (the parsers find their .wasm files beside their own module). */
export const CHUNK_NAME = /^chunk-[A-Z0-9]+\.js$/;

/**
 * Packages whose module code has no effect on import, though their package.json does not say so: only what
 * the bundle uses of them is kept. @actions/core imports its OIDC client, and through it @actions/http-client
 * and undici (≈0.8 MB the Action would parse at every start), for `getIDToken()`, which we never call.
 */
const SIDE_EFFECT_FREE = ['@actions/http-client', '@actions/exec', '@actions/io'];

const sideEffectFree: Plugin = {
  name: 'side-effect-free',
  setup(b) {
    const filter = new RegExp(`^(${SIDE_EFFECT_FREE.map((n) => n.replace(/[/.]/g, '\\$&')).join('|')})(/|$)`);
    b.onResolve({ filter }, async (args) => {
      if (args.pluginData === 'side-effect-free') return undefined;
      const r = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'side-effect-free',
      });
      return r.errors.length ? { errors: r.errors } : { path: r.path, sideEffects: false };
    });
  },
};

/** Builds the Action (or the CLI) into `outdir` (default dist/, or dist-cli/ for the CLI). */
export async function bundle(outdir?: string, target: BundleTarget = 'action'): Promise<BundleResult> {
  outdir ??= join(ROOT, ENTRIES[target].outdir);
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    absWorkingDir: ROOT,
    // The facts worker threads' entry beside the main one (src/facts-workers.ts starts it from there).
    entryPoints: { index: ENTRIES[target].entry, 'facts-worker': FACTS_WORKER_ENTRY },
    outdir,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    splitting: true,
    plugins: [sideEffectFree],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // The parsers' CommonJS and Emscripten code need require/__dirname inside an ESM bundle.
    banner: { js: ESM_BUNDLE_BANNER },
    // Readable output keeps `git diff dist/` reviewable; minifying saved little start-up time (bench/action).
    minify: false,
    sourcemap: false,
    legalComments: 'eof',
    logLevel: 'warning',
    metafile: true,
    write: true,
  });
  const names = Object.keys(result.metafile.outputs).map((path) => basename(path));
  for (const asset of [...assetFiles()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    copyFileSync(asset.source, join(outdir, asset.name));
    names.push(asset.name);
  }
  // dist/ must be ESM on its own, even copied out of this repository.
  writeFileSync(join(outdir, 'package.json'), `${JSON.stringify({ type: 'module', private: true }, null, 2)}\n`);
  names.push('package.json');
  for (const name of readdirSync(outdir))
    if (!names.includes(name)) rmSync(join(outdir, name), { recursive: true, force: true });
  const files = names.sort().map((name) => ({ name, bytes: statSync(join(outdir, name)).size }));
  const entry = Object.keys(result.metafile.outputs).find((path) => basename(path) === 'index.js')!;
  return {
    outdir,
    files,
    modules: Object.keys(result.metafile.inputs).length,
    packages: packagesIn(result.metafile, Object.keys(result.metafile.outputs)),
    startPackages: startPackages(result.metafile, entry),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { outdir: { type: 'string' }, cli: { type: 'boolean', default: false } } });
  const out = await bundle(values.outdir ? resolve(values.outdir) : undefined, values.cli ? 'cli' : 'action');
  const total = out.files.reduce((n, f) => n + f.bytes, 0);
  for (const f of out.files) console.log(`${f.name.padEnd(32)} ${(f.bytes / 1024).toFixed(0).padStart(7)} KiB`);
  console.log(`${'total'.padEnd(32)} ${(total / 1024 / 1024).toFixed(2).padStart(7)} MiB → ${out.outdir}`);
}
