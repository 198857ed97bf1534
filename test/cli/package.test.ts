/**
 * The npm package end to end, as a new user gets it: pack the package, install the tarball OFFLINE into an
 * empty directory, and run `npx readiness-gates` on a small git repository. The package must carry the
 * bundled CLI and its WebAssembly parsers and nothing the App needs (probot, bullmq, ioredis).
 *
 * The tarball is packed from a staging copy of what package.json's `files` lists, with the CLI bundled into
 * it the way `prepack` does, so the test does not write into the checkout.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, type BundleResult } from '../../scripts/bundle.js';
import { cleanupTempDirs, makeRepo, tempDir } from '../source/helpers.js';

const ROOT = join(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  files: string[];
  dependencies?: Record<string, string>;
  bin: Record<string, string>;
  scripts: Record<string, string>;
};

afterAll(cleanupTempDirs);

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    encoding: 'utf8',
    // An empty cache proves nothing is fetched: with --offline npm fails on anything it would download.
    env: { ...process.env, npm_config_cache: join(cwd, '.npm-cache'), npm_config_update_notifier: 'false' },
  });

let tarball = '';
let built: BundleResult | undefined;
let installDir = '';

beforeAll(async () => {
  const stage = tempDir('rg-pack-');
  for (const entry of manifest.files) {
    if (entry === 'dist-cli') continue; // built below, as prepack does
    cpSync(join(ROOT, entry), join(stage, entry), { recursive: true });
  }
  cpSync(join(ROOT, 'package.json'), join(stage, 'package.json'));
  built = await bundle(join(stage, 'dist-cli'), 'cli');
  // --ignore-scripts: prepare/prepack would rebuild from sources the stage does not have (done above).
  const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts'], stage)) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  tarball = join(stage, packed[0]!.filename);
  installDir = tempDir('rg-install-');
  writeFileSync(join(installDir, 'package.json'), '{ "name": "empty", "private": true }\n');
  npm(['install', '--offline', tarball], installDir);
}, 120_000);

describe('the npm package', () => {
  it('declares no runtime dependencies and builds the CLI bundle when packed', () => {
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.scripts['prepack']).toBe('npm run bundle:cli');
    expect(manifest.files).toEqual(expect.arrayContaining(['bin', 'dist-cli', 'LICENSE', 'CHANGELOG.md', 'README.md']));
    expect(manifest.files).not.toContain('build');
  });

  it('starts without the parsers, the engine or any App dependency: each command imports its own', () => {
    // `--version` and usage errors run the entry alone; the parsers load only for a file of their language.
    expect(built!.startPackages).toEqual(['fastest-levenshtein']);
    for (const parser of ['web-tree-sitter', 'libpg-query', 'dockerfile-ast'])
      expect(built!.packages).toContain(parser);
    for (const app of ['probot', 'ioredis', 'bullmq', 'bottleneck', 'pino', '@octokit/core', '@actions/core'])
      expect(built!.packages).not.toContain(app);
  });

  it('installs offline into an empty directory as one package with its parsers', () => {
    expect(readdirSync(join(installDir, 'node_modules')).filter((n) => !n.startsWith('.'))).toEqual([manifest.name]);
    const pkg = join(installDir, 'node_modules', manifest.name);
    for (const name of ['index.js', 'web-tree-sitter.wasm', 'tree-sitter-typescript.wasm', 'libpg-query.wasm']) {
      expect(existsSync(join(pkg, 'dist-cli', name)), name).toBe(true);
    }
    for (const heavy of ['probot', 'bullmq', 'ioredis'])
      expect(existsSync(join(installDir, 'node_modules', heavy))).toBe(false);
    expect(existsSync(join(pkg, 'LICENSE'))).toBe(true);
  });

  it('runs `npx readiness-gates` on a git repository: --version, a ready check and a blocked one', () => {
    const npx = (args: string[], cwd: string) =>
      spawnSync('npx', ['--offline', '--prefix', installDir, manifest.name, ...args], {
        cwd,
        encoding: 'utf8',
        env: { ...process.env, npm_config_cache: join(installDir, '.npm-cache'), NO_COLOR: '1' },
      });
    const version = npx(['--version'], installDir);
    expect(version.stdout.trim()).toBe(manifest.version);

    const repo = makeRepo();
    repo.writeAll({
      'README.md': '# shop\n',
      'db/migrations/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n',
    });
    repo.commit('base');
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write('src/a.ts', 'export const a = 1;\n');
    repo.commit('ready change');
    const ready = npx(['check', '--base', 'main', '--format', 'json'], repo.dir);
    expect(ready.stderr).toBe('');
    expect(ready.status).toBe(0);
    expect(JSON.parse(ready.stdout)).toMatchObject({
      verdict: 'ready',
      tool: { name: 'readiness-gates', version: manifest.version },
    });

    // A new user's first run: the risky migration is not even committed yet.
    repo.write('db/migrations/002_drop_email.sql', 'ALTER TABLE users DROP COLUMN email;\n');
    const uncommitted = npx(['check'], repo.dir); // --base defaults to main
    expect(uncommitted.status).toBe(1);
    expect(uncommitted.stdout).toContain('migrations/drop-column');
    expect(uncommitted.stderr).toContain('including 1 uncommitted file');
    expect(npx(['check', '--committed'], repo.dir).status).toBe(0);

    repo.commit('risky change');
    const blocked = npx(['check', '--base', 'main'], repo.dir);
    expect(blocked.status).toBe(1);
    expect(blocked.stdout).toContain('migrations/drop-column');
  });
});
