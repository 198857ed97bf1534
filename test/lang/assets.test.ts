/**
 * Where the .wasm files come from. Runs in its own module graph (vitest isolates files), so the asset
 * directory it sets does not leak into other tests.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { assetFiles, ASSETS_ENV, loadedParsers, loadParsers, setAssetDir } from '../../src/lang/index.js';
import { resolveAsset } from '../../src/lang/assets.js';
import { fileOf } from './helpers.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rg-assets-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  setAssetDir(undefined);
  delete process.env[ASSETS_ENV];
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('assetFiles', () => {
  it('lists every wasm file once, each present in node_modules', () => {
    const files = assetFiles();
    expect(files.map((f) => f.name).sort()).toEqual([
      'libpg-query.wasm',
      'tree-sitter-go.wasm',
      'tree-sitter-javascript.wasm',
      'tree-sitter-python.wasm',
      'tree-sitter-tsx.wasm',
      'tree-sitter-typescript.wasm',
      'web-tree-sitter.wasm',
    ]);
    for (const f of files) {
      expect(basename(f.source)).toBe(f.name);
      expect(f.source).toContain('node_modules');
      expect(existsSync(f.source)).toBe(true);
    }
  });
});

describe('asset lookup', () => {
  it('defaults to node_modules', () => {
    expect(resolveAsset('tree-sitter-go.wasm')).toMatch(/node_modules[\\/]tree-sitter-go[\\/]tree-sitter-go\.wasm$/);
  });

  it('uses READINESS_GATES_ASSETS, exclusively', () => {
    const dir = tempDir();
    copyFileSync(assetFiles().find((a) => a.name === 'tree-sitter-go.wasm')!.source, join(dir, 'tree-sitter-go.wasm'));
    process.env[ASSETS_ENV] = dir;
    expect(resolveAsset('tree-sitter-go.wasm')).toBe(join(dir, 'tree-sitter-go.wasm'));
    expect(() => resolveAsset('libpg-query.wasm')).toThrow(
      `language asset libpg-query.wasm not found in ${dir} (set by $READINESS_GATES_ASSETS)`,
    );
  });

  it('prefers setAssetDir over the environment', () => {
    process.env[ASSETS_ENV] = '/nonexistent/env-dir';
    const dir = tempDir();
    setAssetDir(dir);
    expect(() => resolveAsset('web-tree-sitter.wasm')).toThrow(`not found in ${dir} (set by setAssetDir())`);
  });

  it('loads parsers from a copied asset directory, and a failed load can be retried', async () => {
    const empty = tempDir();
    setAssetDir(empty);
    await expect(loadParsers(['sql'])).rejects.toThrow(
      /could not load the sql parser: language asset libpg-query\.wasm not found/,
    );
    // The tree-sitter runtime itself fails to load here; that failure must not stick either.
    await expect(loadParsers(['go'])).rejects.toThrow(
      /could not load the go parser: language asset web-tree-sitter\.wasm not found/,
    );
    expect(loadedParsers().size).toBe(0);

    const dir = tempDir();
    for (const a of assetFiles()) copyFileSync(a.source, join(dir, a.name));
    setAssetDir(dir);
    await loadParsers(['sql', 'typescript']);
    expect(fileOf('m.sql', 'DROP TABLE t;').sql()!.statements[0]!.stmt).toHaveProperty('DropStmt');
    expect(fileOf('a.ts', 'let a = 1').tree()!.rootNode.type).toBe('program');
    await loadParsers(['go']);
    expect(fileOf('a.go', 'package m').tree()!.rootNode.type).toBe('source_file');
  });
});
