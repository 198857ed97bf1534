/**
 * What of the repository a change can affect in the health model (scope.ts): which services' code the
 * index reads, decided from the changed files' tokens and the files importing them, before anything is
 * parsed.
 */
import { describe, expect, it } from 'vitest';
import { healthIndex } from '../../../src/gates/health/health-index.js';
import { healthOptionsSchema, type HealthOptions } from '../../../src/gates/health/options.js';
import type { ChangeContext, ChangeSide } from '../../../src/core/types.js';
import { detectServices } from '../../../src/core/services.js';
import { memoryChangeSet, type MemoryFiles, type MemorySnapshot } from '../../../src/source/memory.js';

/** The change context the engine gives an index's `feeds` and `scope`, with every grep recorded. */
function changeOf(base: MemoryFiles, head: MemoryFiles) {
  const cs = memoryChangeSet({ base, head });
  const greps: Array<{ side: 'base' | 'head'; tokens: string[] }> = [];
  const sideOf = (name: 'base' | 'head', snapshot: MemorySnapshot): ChangeSide => {
    const grep = snapshot.grep.bind(snapshot);
    snapshot.grep = (tokens, globs) => {
      greps.push({ side: name, tokens: [...tokens] });
      return grep(tokens, globs);
    };
    const paths = snapshot.listSync();
    const services = detectServices(paths);
    return {
      snapshot,
      paths,
      changed: cs.files
        .filter((f) => (name === 'head' ? f.status !== 'removed' : f.status !== 'added'))
        .map((f) => (name === 'base' ? (f.previousPath ?? f.path) : f.path)),
      read: async (path) => {
        const r = await snapshot.read(path);
        return r.ok ? r.file : undefined;
      },
      serviceOf: services.serviceOf,
      services: services.services,
    };
  };
  const computed = new Map<object, unknown>();
  const ctx: ChangeContext<HealthOptions> = {
    gateOptions: healthOptionsSchema.parse({}),
    changes: cs.files,
    head: sideOf('head', cs.head),
    base: sideOf('base', cs.base),
    excluded: () => false,
    once: <T>(key: object, compute: () => T): T => {
      if (!computed.has(key)) computed.set(key, compute());
      return computed.get(key) as T;
    },
  };
  return { ctx, greps };
}

const service = (name: string, files: Record<string, string>): Record<string, string> => ({
  [`services/${name}/package.json`]: JSON.stringify({ name, dependencies: { express: '^4' } }),
  ...Object.fromEntries(Object.entries(files).map(([p, text]) => [`services/${name}/${p}`, text])),
});

const ROUTES = `import express from 'express';\nimport { total } from './pricing.js';\nexport const app = express();\napp.get('/healthz', (_req, res) => res.json({ total: total([]) }));\n`;

describe('health scope', () => {
  it('reads the service whose route file imports a changed helper, and not the others', async () => {
    const base = {
      ...service('api', { 'src/app.ts': ROUTES, 'src/pricing.ts': 'export const total = (xs: number[]) => 0;\n' }),
      ...service('web', { 'src/app.ts': ROUTES.replace('pricing', 'format'), 'src/format.ts': 'export {};\n' }),
    };
    const head = {
      ...base,
      'services/api/src/pricing.ts': 'export const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);\n',
    };
    const { ctx } = changeOf(base, head);
    expect(await healthIndex.feeds!(ctx)).toBe(true);
    expect(await healthIndex.scope!(ctx)).toEqual({ services: ['services/api'] });
  });

  it('a changed route file feeds its own service without any grep', async () => {
    const base = service('api', { 'src/app.ts': ROUTES, 'src/pricing.ts': 'export const total = () => 0;\n' });
    const head = { ...base, 'services/api/src/app.ts': ROUTES.replace('/healthz', '/livez') };
    const { ctx, greps } = changeOf(base, head);
    expect(await healthIndex.scope!(ctx)).toEqual({ services: ['services/api'] });
    expect(greps).toEqual([]);
  });

  it('code nothing imports feeds nothing', async () => {
    const base = service('api', { 'src/app.ts': ROUTES, 'src/pricing.ts': 'export const total = () => 0;\n' });
    const head = { ...base, 'services/api/src/unused.ts': 'export const x = 1;\n' };
    const { ctx } = changeOf(base, head);
    expect(await healthIndex.feeds!(ctx)).toBe(false);
  });

  it('when the head reaches too many importers to tell, the whole model is read and the base is not searched', async () => {
    const importers = Object.fromEntries(
      Array.from({ length: 201 }, (_, i) => [
        `src/user${i}.ts`,
        `import { total } from './pricing.js';\nexport const u${i} = total;\n`,
      ]),
    );
    const base = service('api', {
      'src/app.ts': ROUTES,
      'src/pricing.ts': 'export const total = () => 0;\n',
      ...importers,
    });
    const head = { ...base, 'services/api/src/pricing.ts': 'export const total = () => 1;\n' };
    const { ctx, greps } = changeOf(base, head);
    expect(await healthIndex.feeds!(ctx)).toBe(true);
    expect(await healthIndex.scope!(ctx)).toBeUndefined();
    expect(greps.filter((g) => g.side === 'base')).toEqual([]);
  });
});
