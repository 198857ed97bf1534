/**
 * dist/ is generated and committed (actions/typescript-action's check-dist): rebuilding from the sources
 * must give the same bytes, twice in a row (deterministic) and equal to what is committed (fresh).
 * When this fails after a source change, run `npm run bundle` and commit dist/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundle, CHUNK_NAME } from '../../scripts/bundle.js';
import { cleanup, ROOT, tempDir } from './harness.js';

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) out[name] = readFileSync(join(dir, name)).toString('base64');
  return out;
}

describe('dist/', () => {
  it('is rebuilt byte for byte, deterministically, from the sources', async () => {
    try {
      const a = await bundle(join(tempDir('rg-bundle-a-'), 'dist'));
      const b = await bundle(join(tempDir('rg-bundle-b-'), 'dist'));
      // The entry, the facts worker threads' entry, their on-demand chunks, the parsers' WebAssembly and the
      // package.json.
      expect(a.files.some((f) => CHUNK_NAME.test(f.name))).toBe(true);
      expect(a.files.map((f) => f.name).filter((name) => !CHUNK_NAME.test(name))).toEqual([
        'facts-worker.js',
        'index.js',
        'libpg-query.wasm',
        'package.json',
        'tree-sitter-go.wasm',
        'tree-sitter-javascript.wasm',
        'tree-sitter-python.wasm',
        'tree-sitter-tsx.wasm',
        'tree-sitter-typescript.wasm',
        'web-tree-sitter.wasm',
      ]);
      // What every start pays for: no parser (each loads with the first file of its language), no App
      // dependency, and not undici (only @actions/core's OIDC client, which the Action never calls, uses it).
      for (const parser of ['web-tree-sitter', 'libpg-query', 'dockerfile-ast']) {
        expect(a.packages).toContain(parser);
        expect(a.startPackages).not.toContain(parser);
      }
      for (const never of ['probot', 'ioredis', 'bullmq', 'pino', 'undici', '@actions/http-client'])
        expect(a.packages).not.toContain(never);
      const first = snapshot(a.outdir);
      expect(snapshot(b.outdir)).toEqual(first);
      const committed = snapshot(join(ROOT, 'dist'));
      const stale = Object.keys({ ...first, ...committed }).filter((name) => first[name] !== committed[name]);
      expect(stale, 'dist/ is stale: run `npm run bundle` and commit dist/').toEqual([]);
    } finally {
      cleanup();
    }
  }, 60_000);
});
