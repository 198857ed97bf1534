/**
 * The App's runtime dependencies, for the Docker image.
 *
 * The published npm package is the bundled CLI and declares no dependencies, so every package lives in
 * package.json's devDependencies. The App (build/app, run from a checkout or the Docker image) needs the
 * subset it really imports: probot, bullmq, ioredis, the parsers… This script finds that subset with
 * esbuild (every package src/app/index.ts reaches, plus the packages holding the WebAssembly parsers,
 * which are resolved by name at run time) and, with `--write`, moves it into `dependencies` so that
 * `npm prune --omit=dev` keeps exactly what the App needs. The Dockerfile runs it inside the build stage
 * only; the checkout's package.json is never rewritten.
 *
 *   npx tsx scripts/app-manifest.ts          # prints the App's runtime packages
 *   npx tsx scripts/app-manifest.ts --write  # rewrites ./package.json (Docker build stage)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { assetFiles } from '../src/lang/assets.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The packages the App imports at run time, sorted. */
export async function appRuntimePackages(entry = 'src/app/index.ts'): Promise<string[]> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const builtins = new Set(builtinModules);
  const names = new Set<string>();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imp of input.imports) {
      if (!imp.external || imp.path.startsWith('node:') || builtins.has(imp.path)) continue;
      names.add(packageName(imp.path));
    }
  }
  for (const asset of assetFiles()) {
    const inModules = asset.source.split(/[\\/]node_modules[\\/]/).pop()!;
    names.add(packageName(inModules.replace(/\\/g, '/')));
  }
  return [...names].sort();
}

interface Manifest {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** The manifest with `packages` moved from devDependencies into dependencies. Throws for an undeclared one. */
export function withAppDependencies(manifest: Manifest, packages: readonly string[]): Manifest {
  const dev = { ...manifest.devDependencies };
  const deps: Record<string, string> = { ...manifest.dependencies };
  const undeclared = packages.filter((name) => !(name in dev) && !(name in deps));
  if (undeclared.length)
    throw new Error(`the App imports packages package.json does not declare: ${undeclared.join(', ')}`);
  for (const name of packages) {
    if (name in dev) {
      deps[name] = dev[name]!;
      delete dev[name];
    }
  }
  return { ...manifest, dependencies: deps, devDependencies: dev };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const packages = await appRuntimePackages();
  if (process.argv.includes('--write')) {
    const path = join(ROOT, 'package.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
    writeFileSync(path, `${JSON.stringify(withAppDependencies(manifest, packages), null, 2)}\n`);
    console.log(`package.json: ${packages.length} App runtime packages moved to dependencies`);
  } else {
    console.log(packages.join('\n'));
  }
}
