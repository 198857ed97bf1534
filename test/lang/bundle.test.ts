/**
 * The Action ships as one esbuild bundle with the .wasm files copied beside it and no node_modules.
 * This builds such a bundle in a temporary directory outside the repository (so nothing can resolve
 * from node_modules) and runs it in a child process.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { assetFiles, ESM_BUNDLE_BANNER } from '../../src/lang/index.js';

const dir = mkdtempSync(join(tmpdir(), 'rg-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LANG_INDEX = fileURLToPath(new URL('../../src/lang/index.ts', import.meta.url));

const ENTRY = `
import { decodeSource, loadParsers, loadedParsers } from ${JSON.stringify(LANG_INDEX)};
const enc = (s) => new TextEncoder().encode(s);
const file = (path, text) => { const r = decodeSource(path, enc(text)); if (!r.ok) throw new Error(r.detail); return r.file; };
await loadParsers(['typescript', 'python', 'sql', 'dockerfile']);
const out = {
  ts: file('a.ts', 'const x: number = 1;\\n').tree().rootNode.type,
  py: file('a.py', 'import os\\n').tree().rootNode.type,
  sql: file('a.sql', '-- c\\nALTER TABLE t ADD COLUMN c int;\\n').sql().statements.map((s) => [Object.keys(s.stmt)[0], s.line]),
  docker: file('Dockerfile', 'FROM node:20\\n').dockerfile().getFROMs().length,
  loaded: [...loadedParsers()].sort(),
};
console.log(JSON.stringify(out));
`;

describe('bundled build', () => {
  it('finds the wasm files beside the bundle and parses without node_modules', async () => {
    const entry = join(dir, 'entry.mjs');
    writeFileSync(entry, ENTRY);
    // Split as scripts/bundle.ts splits: each parser's JavaScript is a chunk beside the entry, loaded on demand.
    const outfile = join(dir, 'dist', 'index.mjs');
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outdir: join(dir, 'dist'),
      entryNames: 'index',
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunk-[hash]',
      splitting: true,
      logLevel: 'silent',
      banner: { js: ESM_BUNDLE_BANNER },
    });
    for (const a of assetFiles()) copyFileSync(a.source, join(dir, 'dist', a.name));
    const env = { ...process.env };
    delete env.READINESS_GATES_ASSETS;
    const stdout = execFileSync(process.execPath, [outfile], { cwd: dir, env, encoding: 'utf8' });
    expect(JSON.parse(stdout)).toEqual({
      ts: 'program',
      py: 'module',
      sql: [['AlterTableStmt', 2]],
      docker: 1,
      loaded: ['dockerfile', 'python', 'sql', 'typescript'],
    });
  }, 60_000);
});
