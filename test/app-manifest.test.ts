/**
 * The Docker image keeps only what the App imports: scripts/app-manifest.ts finds it. Everything is a
 * devDependency (the npm package is the bundled CLI), so a package missing here would be pruned away and
 * the image would fail at start-up.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appRuntimePackages, packageName, withAppDependencies } from '../scripts/app-manifest.js';

const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '../package.json'), 'utf8')) as {
  dependencies?: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('scripts/app-manifest.ts', () => {
  it('finds the App runtime packages: its imports and the parsers resolved by name', async () => {
    const packages = await appRuntimePackages();
    expect(packages).toEqual(
      expect.arrayContaining([
        'probot',
        'bullmq',
        'ioredis',
        'pino',
        'prom-client',
        'yaml',
        'web-tree-sitter',
        'tree-sitter-typescript',
        'libpg-query',
      ]),
    );
    for (const tool of ['typescript', 'vitest', 'esbuild', 'tsx', '@octokit/openapi'])
      expect(packages).not.toContain(tool);
    // Every one is declared, so the Docker build's rewrite cannot fail.
    const moved = withAppDependencies(manifest, packages);
    expect(Object.keys(moved.dependencies!).sort()).toEqual(packages);
    expect(moved.devDependencies).not.toHaveProperty('probot');
    expect(moved.devDependencies).toHaveProperty('vitest');
  });

  it('names packages by scope and refuses an undeclared one', () => {
    expect(packageName('@octokit/core/dist/x.js')).toBe('@octokit/core');
    expect(packageName('bottleneck/light.js')).toBe('bottleneck');
    expect(() => withAppDependencies({ devDependencies: {} }, ['left-pad'])).toThrow(/does not declare: left-pad/);
  });
});
