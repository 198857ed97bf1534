import { describe, expect, it } from 'vitest';
import { detectServices } from '../../src/core/services.js';

describe('detectServices', () => {
  const monorepo = [
    'package.json', // root with workspaces
    'README.md',
    'services/api/package.json',
    'services/api/src/server.ts',
    'services/api/src/routes/health.ts',
    'services/api/test/server.test.ts',
    'services/worker/pyproject.toml',
    'services/worker/worker/main.py',
    'services/worker/Dockerfile',
    'node_modules/left-pad/package.json',
    'node_modules/left-pad/index.js',
    'test/fixtures/app/package.json',
    'test/fixtures/app/index.js',
    'services/api/src/__fixtures__/pkg/package.json',
    'services/api/src/__fixtures__/pkg/a.js',
    '.github/actions/setup/package.json',
    '.github/actions/setup/index.js',
    'docs/package.json', // a manifest with nothing to run beside it
    'docs/index.md',
  ];

  it('finds each service root of a monorepo and the root workspace', () => {
    const { services } = detectServices(monorepo, [], { repoName: 'shop' });
    expect(services).toEqual([
      { root: '', name: 'shop', marker: 'package.json', languages: ['node'] },
      { root: 'services/api', name: 'api', marker: 'package.json', languages: ['node'] },
      { root: 'services/worker', name: 'worker', marker: 'pyproject.toml', languages: ['python'] },
    ]);
  });

  it('ignores manifests in node_modules, fixtures, .github and directories without source', () => {
    const roots = detectServices(monorepo, []).services.map((s) => s.root);
    expect(roots).not.toContain('node_modules/left-pad');
    expect(roots).not.toContain('test/fixtures/app');
    expect(roots).not.toContain('services/api/src/__fixtures__/pkg');
    expect(roots).not.toContain('.github/actions/setup');
    expect(roots).not.toContain('docs');
  });

  it('maps a path to the deepest service containing it', () => {
    const { serviceOf } = detectServices(monorepo, []);
    expect(serviceOf('services/api/src/routes/health.ts').root).toBe('services/api');
    expect(serviceOf('services/api/src/__fixtures__/pkg/a.js').root).toBe('services/api');
    expect(serviceOf('services/worker/worker/main.py').name).toBe('worker');
    expect(serviceOf('services/worker').name).toBe('worker');
    expect(serviceOf('README.md').root).toBe('');
    expect(serviceOf('services/apiary/x.ts').root).toBe(''); // a prefix of a name is not a parent
  });

  it('names the root "root" by default', () => {
    expect(detectServices(['go.mod', 'main.go'], []).services).toEqual([
      { root: '', name: 'root', marker: 'go.mod', languages: ['go'] },
    ]);
  });

  it('makes the root a fallback service when nothing is marked', () => {
    const map = detectServices(['src/index.ts', 'README.md'], []);
    expect(map.services).toEqual([{ root: '', name: 'root', marker: 'fallback', languages: ['node'] }]);
    expect(map.serviceOf('src/index.ts')).toBe(map.services[0]);
  });

  it('keeps an unmarked root out of the list when other services exist, but still maps paths to it', () => {
    const map = detectServices(['api/go.mod', 'api/main.go', 'scripts/release.py'], []);
    expect(map.services.map((s) => s.root)).toEqual(['api']);
    expect(map.serviceOf('scripts/release.py')).toEqual({
      root: '',
      name: 'root',
      marker: 'fallback',
      languages: ['python'],
    });
  });

  it('counts a Dockerfile with source beside it and takes the languages from the files', () => {
    const { services } = detectServices(['svc/Dockerfile', 'svc/app/main.go', 'svc/app/tool.py'], []);
    expect(services).toContainEqual({ root: 'svc', name: 'svc', marker: 'Dockerfile', languages: ['python', 'go'] });
  });

  it('recognises setup.py and requirements.txt as python manifests', () => {
    const { services } = detectServices(['a/setup.py', 'a/a.py', 'b/requirements.txt', 'b/app.py'], []);
    expect(services.map((s) => [s.root, s.marker, s.languages])).toEqual([
      ['a', 'setup.py', ['python']],
      ['b', 'requirements.txt', ['python']],
    ]);
  });

  it('adds configured services and lets them override a detected one', () => {
    const map = detectServices(monorepo, [
      { name: 'public-api', root: 'services/api/' },
      { name: 'billing', root: './billing' },
    ]);
    expect(map.services.find((s) => s.root === 'services/api')).toEqual({
      root: 'services/api',
      name: 'public-api',
      marker: 'config',
      languages: ['node'],
    });
    expect(map.services.find((s) => s.root === 'billing')).toMatchObject({ name: 'billing', marker: 'config' });
    expect(map.serviceOf('billing/x.py').name).toBe('billing');
  });

  it('disambiguates two detected services with the same directory name by their path', () => {
    const { services } = detectServices(
      ['apps/api/package.json', 'apps/api/a.ts', 'libs/api/go.mod', 'libs/api/a.go'],
      [],
    );
    expect(services.map((s) => s.name)).toEqual(['apps/api', 'libs/api']);
  });
});
