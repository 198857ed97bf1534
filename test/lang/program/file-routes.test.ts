import { describe, expect, it } from 'vitest';
import {
  fileRoutePlan,
  isFileRouteCandidate,
  isNextApiRouteModule,
  isNextAppRouteModule,
  mayServe,
  nextRoute,
} from '../../../src/lang/program/file-routes.js';

describe('file-system route candidates', () => {
  it('accepts the files Next.js, Remix and SvelteKit route', () => {
    for (const p of [
      'app/api/health/route.ts',
      'web/src/app/route.js',
      'pages/api/health.ts',
      'app/routes/api.health.tsx',
      'src/routes/health/+server.ts',
    ])
      expect(isFileRouteCandidate(p), p).toBe(true);
  });

  it('refuses files no router serves', () => {
    for (const p of ['app/api/health/page.tsx', 'pages/index.tsx', 'src/routes/+page.svelte', 'lib/route.ts'])
      expect(isFileRouteCandidate(p), p).toBe(false);
  });

  it('tells Next.js route modules anywhere in the repository', () => {
    expect(isNextAppRouteModule('apps/web/app/api/x/route.mts')).toBe(true);
    expect(isNextAppRouteModule('app/api/x/page.ts')).toBe(false);
    expect(isNextApiRouteModule('pages/api/users/[id].ts')).toBe(true);
    expect(isNextApiRouteModule('pages/users.ts')).toBe(false);
  });
});

describe('URLs from paths', () => {
  const none = new Set<string>();

  it('Next.js: groups, slots, private folders, catch-alls and index pages', () => {
    expect(nextRoute('app/api/health/route.ts')).toEqual({ router: 'app', url: '/api/health' });
    expect(nextRoute('src/app/(ops)/@slot/healthz/route.ts')).toEqual({ router: 'app', url: '/healthz' });
    expect(nextRoute('app/[...rest]/route.ts')).toEqual({ router: 'app', url: '/*' });
    expect(nextRoute('app/_internal/route.ts')).toBeUndefined();
    expect(nextRoute('pages/api/health/index.ts')).toEqual({ router: 'pages', url: '/api/health' });
    expect(nextRoute('lib/route.ts')).toBeUndefined();
  });

  it('SvelteKit: groups, parameters, optional and rest segments', () => {
    expect(fileRoutePlan('src/routes/(app)/users/[id=int]/+server.ts', '', none)).toEqual({
      kind: 'sveltekit',
      url: '/users/:id',
    });
    expect(fileRoutePlan('svc/src/routes/[[lang]]/files/[...path]/+server.ts', 'svc', none)).toEqual({
      kind: 'sveltekit',
      url: '/files/*',
    });
  });

  it('Remix flat routes, nested folders and remix-flat-routes `+` folders', () => {
    const plan = (p: string, paths = none) => fileRoutePlan(p, '', paths);
    expect(plan('app/routes/api.health.ts')).toEqual({ kind: 'remix', url: '/api/health' });
    expect(plan('app/routes/_auth.login.tsx')).toEqual({ kind: 'remix', url: '/login' });
    expect(plan('app/routes/users.$id.tsx')).toEqual({ kind: 'remix', url: '/users/:id' });
    expect(plan('app/routes/concerts_.mine.tsx')).toEqual({ kind: 'remix', url: '/concerts/mine' });
    expect(plan('app/routes/sitemap[.]xml.ts')).toEqual({ kind: 'remix', url: '/sitemap.xml' });
    expect(plan('app/routes/files.$.ts')).toEqual({ kind: 'remix', url: '/files/*' });
    expect(plan('app/routes/api+/health.ts')).toEqual({ kind: 'remix', url: '/api/health' });
    expect(plan('app/routes/status/route.tsx')).toEqual({ kind: 'remix', url: '/status' });
    // A helper beside a folder's route module is not a route.
    const folder = new Set(['app/routes/status/route.tsx']);
    expect(plan('app/routes/status/helpers.ts', folder)).toBeUndefined();
  });

  it('leaves Next.js paths to nextRoute, relative to the service root', () => {
    expect(fileRoutePlan('web/app/api/route.ts', 'web', none)).toEqual({ kind: 'next', rel: 'app/api/route.ts' });
  });

  it('skips modules whose text cannot export what the router needs', () => {
    expect(mayServe({ kind: 'remix', url: '/x' }, 'export const action = 1')).toBe(false);
    expect(mayServe({ kind: 'remix', url: '/x' }, 'export async function loader() {}')).toBe(true);
    expect(mayServe({ kind: 'sveltekit', url: '/x' }, 'export const prerender = true')).toBe(false);
    expect(mayServe({ kind: 'sveltekit', url: '/x' }, 'export function GET() {}')).toBe(true);
    expect(mayServe({ kind: 'next', rel: 'app/route.ts' }, '')).toBe(true);
  });
});
