import { describe, expect, it } from 'vitest';
import { parseJsonc } from '../../../src/lang/program/jsonc.js';
import {
  ModuleResolver,
  dirOf,
  joinPath,
  loadJsProjectConfig,
  type JsProjectConfig,
} from '../../../src/lang/program/modules.js';

/** A resolver over these files (path → text; the text matters only for tsconfig/package.json). */
async function resolverOf(files: Record<string, string>): Promise<ModuleResolver> {
  const paths = Object.keys(files).sort();
  const config: JsProjectConfig = await loadJsProjectConfig(paths, (p) => Promise.resolve(files[p]));
  return new ModuleResolver(paths, config);
}

describe('paths', () => {
  it('folds . and .., refuses to climb above the root', () => {
    expect(dirOf('a/b/c.ts')).toBe('a/b');
    expect(dirOf('c.ts')).toBe('');
    expect(joinPath('a/b', '../c/./d')).toBe('a/c/d');
    expect(joinPath('', '../x')).toBeUndefined();
  });
});

describe('parseJsonc', () => {
  it('reads comments and trailing commas, keeps them inside strings', () => {
    expect(parseJsonc('{ // c\n "a": "x//y", /* b */ "p": ["/*", ], }')).toEqual({ a: 'x//y', p: ['/*'] });
    expect(parseJsonc('{ "a": "q\\"," , }')).toEqual({ a: 'q",' });
    expect(parseJsonc('{ nope')).toBeUndefined();
  });
});

describe('ModuleResolver: relative JS/TS', () => {
  const r = new ModuleResolver([
    'src/metrics.ts',
    'src/lib/index.js',
    'src/view.tsx',
    'src/esm.mts',
    'src/old.cjs',
    'src/plain.js',
  ]);
  it('resolves extensions, index files and NodeNext .js → .ts', () => {
    expect(r.js('src/orders.ts', './metrics')).toBe('src/metrics.ts');
    expect(r.js('src/orders.ts', './metrics.js')).toBe('src/metrics.ts');
    expect(r.js('src/orders.ts', './view.js')).toBe('src/view.tsx');
    expect(r.js('src/orders.ts', './esm.mjs')).toBe('src/esm.mts');
    expect(r.js('src/a/b.ts', '../lib')).toBe('src/lib/index.js');
    expect(r.js('src/orders.ts', './old.cjs')).toBe('src/old.cjs');
    expect(r.js('src/orders.ts', './plain.js')).toBe('src/plain.js');
  });
  it('leaves packages and missing files unresolved', () => {
    expect(r.js('src/orders.ts', 'prom-client')).toBeUndefined();
    expect(r.js('src/orders.ts', './nope')).toBeUndefined();
    expect(r.js('src/orders.ts', '../../../x')).toBeUndefined();
    expect(r.js('src/orders.ts', 'node:fs')).toBeUndefined();
  });
});

describe('ModuleResolver: tsconfig aliases', () => {
  it('follows paths relative to baseUrl, longest prefix first, exact patterns first', async () => {
    const r = await resolverOf({
      'tsconfig.json': `{
        // comments are allowed
        "compilerOptions": { "baseUrl": "./src", "paths": { "@/*": ["./*"], "@/lib/*": ["./shared/*"], "~metrics": ["./m/index.ts"], }, },
      }`,
      'src/lib/a.ts': '',
      'src/shared/a.ts': '',
      'src/m/index.ts': '',
      'src/util/x.ts': '',
    });
    expect(r.js('src/orders.ts', '@/lib/a')).toBe('src/shared/a.ts');
    expect(r.js('src/orders.ts', '@/util/x')).toBe('src/util/x.ts');
    expect(r.js('src/orders.ts', '~metrics')).toBe('src/m/index.ts');
    // baseUrl alone: bare specifiers resolve under it when such a file exists.
    expect(r.js('src/orders.ts', 'util/x')).toBe('src/util/x.ts');
    expect(r.js('src/orders.ts', 'prom-client')).toBeUndefined();
  });

  it('takes paths from the config it extends, relative to that config without baseUrl', async () => {
    const r = await resolverOf({
      'tsconfig.base.json': '{ "compilerOptions": { "paths": { "@app/*": ["apps/web/src/*"] } } }',
      'apps/web/tsconfig.json': '{ "extends": "../../tsconfig.base.json", "compilerOptions": { "strict": true } }',
      'apps/web/src/metrics.ts': '',
      'apps/api/src/metrics.ts': '',
    });
    expect(r.js('apps/web/src/routes/a.ts', '@app/metrics')).toBe('apps/web/src/metrics.ts');
    // A file under no tsconfig.json has no aliases.
    expect(r.js('apps/api/src/a.ts', '@app/metrics')).toBeUndefined();
  });

  it('uses the nearest tsconfig.json and lets a child override its base', async () => {
    const r = await resolverOf({
      'tsconfig.json': '{ "compilerOptions": { "paths": { "@/*": ["root/*"] } } }',
      'packages/a/tsconfig.json':
        '{ "extends": "../../tsconfig.json", "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["src/*"] } } }',
      'root/x.ts': '',
      'packages/a/src/x.ts': '',
    });
    expect(r.js('packages/a/src/y.ts', '@/x')).toBe('packages/a/src/x.ts');
    expect(r.js('other/y.ts', '@/x')).toBe('root/x.ts');
  });

  it('follows extends into a workspace config package', async () => {
    const r = await resolverOf({
      'packages/tsconfig/package.json': '{ "name": "@acme/tsconfig" }',
      'packages/tsconfig/base.json': '{ "compilerOptions": { "baseUrl": "../..", "paths": { "#/*": ["lib/*"] } } }',
      'apps/web/tsconfig.json': '{ "extends": "@acme/tsconfig/base.json" }',
      'lib/log.ts': '',
    });
    expect(r.js('apps/web/a.ts', '#/log')).toBe('lib/log.ts');
  });

  it('survives an extends cycle and an unreadable config', async () => {
    const r = await resolverOf({
      'a/tsconfig.json': '{ "extends": "../b/tsconfig.json", "compilerOptions": { "paths": { "x": ["./x.ts"] } } }',
      'b/tsconfig.json': '{ "extends": "../a/tsconfig.json" }',
      'c/tsconfig.json': '{ not json',
      'a/x.ts': '',
    });
    expect(r.js('a/y.ts', 'x')).toBe('a/x.ts');
    expect(r.js('b/y.ts', 'x')).toBe('a/x.ts');
    expect(r.js('c/y.ts', 'x')).toBeUndefined();
  });

  it("resolves SvelteKit's implicit $lib to the app's src/lib, a declared alias first", async () => {
    const r = await resolverOf({
      'apps/site/svelte.config.js': '',
      'apps/site/tsconfig.json': '{ "extends": "./.svelte-kit/tsconfig.json" }',
      'apps/site/src/lib/server/db.ts': '',
      'apps/site/src/lib/index.ts': '',
      'apps/kit/svelte.config.js': '',
      'apps/kit/tsconfig.json': '{ "compilerOptions": { "paths": { "$lib/*": ["./shared/*"] } } }',
      'apps/kit/shared/server/db.ts': '',
      'other/src/lib/server/db.ts': '',
    });
    expect(r.js('apps/site/src/routes/health/+server.ts', '$lib/server/db')).toBe('apps/site/src/lib/server/db.ts');
    expect(r.js('apps/site/src/routes/+page.server.ts', '$lib')).toBe('apps/site/src/lib/index.ts');
    expect(r.js('apps/kit/src/routes/health/+server.ts', '$lib/server/db')).toBe('apps/kit/shared/server/db.ts');
    // No svelte.config above the importer: not a SvelteKit app, `$lib` means nothing.
    expect(r.js('other/src/routes/x.ts', '$lib/server/db')).toBeUndefined();
  });
});

describe('ModuleResolver: workspace packages', () => {
  it('resolves a package by name to its entry or a subpath, a built entry to its source', async () => {
    const r = await resolverOf({
      'package.json': '{ "name": "root", "workspaces": ["packages/*"] }',
      'packages/metrics/package.json': '{ "name": "@acme/metrics", "main": "dist/index.js" }',
      'packages/metrics/src/index.ts': '',
      'packages/metrics/src/http.ts': '',
      'packages/log/package.json': '{ "name": "log-lib", "exports": { ".": { "import": "./lib/main.mjs" } } }',
      'packages/log/lib/main.mjs': '',
    });
    expect(r.js('apps/a.ts', '@acme/metrics')).toBe('packages/metrics/src/index.ts');
    expect(r.js('apps/a.ts', '@acme/metrics/http')).toBe('packages/metrics/src/http.ts');
    expect(r.js('apps/a.ts', 'log-lib')).toBe('packages/log/lib/main.mjs');
    expect(r.js('apps/a.ts', '@acme/other')).toBeUndefined();
  });
});

describe('ModuleResolver: Python', () => {
  const r = new ModuleResolver([
    'app/__init__.py',
    'app/metrics.py',
    'app/api/__init__.py',
    'app/api/views.py',
    'app/api/v1/handlers.py',
    'src/other/app/metrics.py',
    '__init__.py',
  ]);
  it('resolves dotted modules and packages, nearest first', () => {
    expect(r.python('app/api/views.py', 'app.metrics')).toBe('app/metrics.py');
    expect(r.python('src/other/x.py', 'app.metrics')).toBe('src/other/app/metrics.py');
    expect(r.python('x.py', 'app.api')).toBe('app/api/__init__.py');
    expect(r.python('x.py', 'requests')).toBeUndefined();
  });
  it('a dotted name means every file whose path ends with it, part by part (any source root)', () => {
    const paths = [
      ...['app', 'src/app', 'lib/src/app', 'tests/app'].flatMap((root) => [
        `${root}/__init__.py`,
        `${root}/models.py`,
        `${root}/api/__init__.py`,
        `${root}/api/models.py`,
      ]),
      'models.py',
      '__init__.py',
      'odd.dir/mod.py',
      'pkg/a.b.py',
      'pkg/.py',
      '.py',
      'web/index.ts',
    ];
    // The meaning, spelled out: a name is a module when it joins the last parts of a file's path.
    const claims = (name: string) =>
      paths.filter((p) => {
        if (!p.endsWith('.py')) return false;
        const stem = p.slice(0, -3).replace(/\/__init__$/, '');
        const parts = stem.split('/');
        return name !== '' && parts.some((_, i) => parts.slice(i).join('.') === name);
      });
    const nearest = (from: string, files: string[]) =>
      [...files].sort((a, b) => commonPrefix(b, from) - commonPrefix(a, from) || (a < b ? -1 : 1))[0];
    const commonPrefix = (a: string, b: string) => {
      let n = 0;
      while (n < a.length && n < b.length && a[n] === b[n]) n++;
      return n;
    };
    const resolver = new ModuleResolver(paths);
    const names = [
      'app',
      'app.models',
      'models',
      'api.models',
      'src.app.api',
      'lib.src.app.api.models',
      '__init__',
      'odd.dir.mod',
      'dir.mod',
      'mod',
      'a.b',
      'pkg.a.b',
      'b',
      'pkg.',
      'index',
      'nope',
      'app.nope',
    ];
    for (const from of ['x.py', 'src/app/api/views.py', 'tests/app/test_x.py', 'lib/src/y.py'])
      for (const name of names)
        expect(resolver.python(from, name), `${name} from ${from}`).toBe(nearest(from, claims(name)));
    expect(resolver.python('x.py', 'a.b')).toBe('pkg/a.b.py');
    expect(resolver.python('x.py', 'dir.mod')).toBeUndefined();
  });
  it('resolves relative imports', () => {
    expect(r.python('app/api/views.py', '.')).toBe('app/api/__init__.py');
    expect(r.python('app/api/views.py', '..metrics')).toBe('app/metrics.py');
    expect(r.python('app/api/v1/handlers.py', '..views')).toBe('app/api/views.py');
    expect(r.python('app/api/v1/handlers.py', '...metrics')).toBe('app/metrics.py');
    expect(r.python('app/api/views.py', '.nope')).toBeUndefined();
  });
  it('from <module> import <name>: the submodule when there is one, else the module', () => {
    expect(r.pythonFrom('app/api/v1/handlers.py', '..', 'views')).toBe('app/api/views.py');
    expect(r.pythonFrom('app/api/views.py', '.', 'router')).toBe('app/api/__init__.py');
    expect(r.pythonFrom('x.py', 'app', 'metrics')).toBe('app/metrics.py');
    expect(r.pythonFrom('x.py', 'app.metrics', 'REQUESTS')).toBe('app/metrics.py');
  });
});

describe('ModuleResolver: Go', () => {
  it('maps an import path to the longest matching directory', () => {
    const r = new ModuleResolver(['internal/metrics/m.go', 'pkg/internal/metrics/m.go', 'main.go']);
    expect(r.goDir('github.com/acme/svc/internal/metrics')).toBe('internal/metrics');
    expect(r.goDir('github.com/acme/svc/pkg/internal/metrics')).toBe('pkg/internal/metrics');
    expect(r.goDir('github.com/prometheus/client_golang/prometheus')).toBeUndefined();
  });
});
