/**
 * Finds the deployable units (services) of a repository from its file list alone, so it works the same
 * on any snapshot and never reads a file.
 *
 * A directory is a service root when it holds a manifest (package.json, pyproject.toml, setup.py,
 * requirements.txt, go.mod, Dockerfile) *and* source files beside or below it; manifests inside vendored
 * code, test fixtures and `.github` do not count. The repository root is a service when it has a
 * manifest, or when nothing else is. Services from the config are added, and override a detected
 * service with the same root.
 */
import type { Service } from './types.js';

/** A service declared in `.github/readiness.yml` (`services: [{ name, root }]`). */
export interface ConfiguredService {
  name: string;
  root: string;
}

export interface ServiceMap {
  /** Sorted by root ("" first). */
  services: Service[];
  /**
   * The service whose root is the deepest directory containing `path`. Paths outside every service get the
   * repository-root service, which is a fallback (marker "fallback", not in `services`) when the root
   * itself is not a service.
   */
  serviceOf(path: string): Service;
}

/** Manifest file name → the language it implies (Dockerfile implies none). In priority order for `marker`. */
const MARKERS: ReadonlyArray<readonly [string, Service['languages'][number] | undefined]> = [
  ['package.json', 'node'],
  ['pyproject.toml', 'python'],
  ['setup.py', 'python'],
  ['requirements.txt', 'python'],
  ['go.mod', 'go'],
  ['Dockerfile', undefined],
];
const MARKER_NAMES = new Map(MARKERS);
const MARKER_RANK = new Map(MARKERS.map(([name], i) => [name, i]));

const SOURCE_EXTENSIONS = new Map<string, Service['languages'][number]>([
  ['.ts', 'node'],
  ['.tsx', 'node'],
  ['.mts', 'node'],
  ['.cts', 'node'],
  ['.js', 'node'],
  ['.jsx', 'node'],
  ['.mjs', 'node'],
  ['.cjs', 'node'],
  ['.py', 'python'],
  ['.go', 'go'],
]);
const LANGUAGE_ORDER: Service['languages'] = ['node', 'python', 'go'];

/**
 * Directory names whose contents never define a service: dependencies, virtualenvs, CI config, and test
 * fixtures (a fixture's package.json describes an example, not this repository).
 */
const IGNORED_DIRS = new Set([
  'node_modules',
  'bower_components',
  'vendor',
  'third_party',
  '.git',
  '.github',
  '.venv',
  'venv',
  'site-packages',
  '__pycache__',
  'fixtures',
  '__fixtures__',
  'testdata',
  '__mocks__',
]);

/**
 * Detects services in `paths` (every file of a snapshot) and merges the `configured` ones.
 * `opts.repoName` names the root service (default "root").
 */
export function detectServices(
  paths: readonly string[],
  configured: readonly ConfiguredService[] = [],
  opts: { repoName?: string } = {},
): ServiceMap {
  const markersByDir = new Map<string, string[]>();
  const dirsWithSource = new Set<string>();
  const sources: Array<{ dir: string; language: Service['languages'][number] }> = [];

  for (const path of paths) {
    const dir = dirname(path);
    if (inIgnoredDir(dir)) continue;
    const name = path.slice(dir ? dir.length + 1 : 0);
    if (MARKER_NAMES.has(name)) {
      const list = markersByDir.get(dir) ?? [];
      list.push(name);
      markersByDir.set(dir, list);
    }
    const language = SOURCE_EXTENSIONS.get(extname(name));
    if (language) {
      sources.push({ dir, language });
      // Every ancestor has source below it; stop at the first one already known.
      for (let d: string | undefined = dir; d !== undefined && !dirsWithSource.has(d); d = parentDir(d))
        dirsWithSource.add(d);
    }
  }

  interface Draft {
    root: string;
    name?: string;
    marker: string;
    languages: Set<Service['languages'][number]>;
    configured: boolean;
  }
  const drafts = new Map<string, Draft>();
  for (const [dir, names] of markersByDir) {
    if (dir !== '' && !dirsWithSource.has(dir)) continue;
    names.sort((a, b) => MARKER_RANK.get(a)! - MARKER_RANK.get(b)!);
    const languages = new Set<Service['languages'][number]>();
    for (const n of names) {
      const lang = MARKER_NAMES.get(n);
      if (lang) languages.add(lang);
    }
    drafts.set(dir, { root: dir, marker: names[0]!, languages, configured: false });
  }
  for (const c of configured) {
    const root = normalizeRoot(c.root);
    const existing = drafts.get(root);
    drafts.set(root, {
      root,
      name: c.name,
      marker: 'config',
      languages: existing?.languages ?? new Set(),
      configured: true,
    });
  }
  // With no service anywhere, the whole repository is one.
  if (drafts.size === 0) drafts.set('', { root: '', marker: 'fallback', languages: new Set(), configured: false });
  const fallbackDraft: Draft = drafts.get('') ?? {
    root: '',
    marker: 'fallback',
    languages: new Set(),
    configured: false,
  };

  const draftOf = (dir: string): Draft => {
    for (let d: string | undefined = dir; d !== undefined; d = parentDir(d)) {
      const found = drafts.get(d);
      if (found) return found;
    }
    return fallbackDraft;
  };
  for (const s of sources) draftOf(s.dir).languages.add(s.language);

  // Names: the directory's name; where two services would share one, the detected ones use their path.
  const baseName = (d: Draft) =>
    d.name ?? (d.root === '' ? opts.repoName || 'root' : d.root.slice(d.root.lastIndexOf('/') + 1));
  const counts = new Map<string, number>();
  for (const d of drafts.values()) counts.set(baseName(d), (counts.get(baseName(d)) ?? 0) + 1);
  const toService = (d: Draft): Service => {
    const name = baseName(d);
    return {
      root: d.root,
      name: !d.configured && d.root !== '' && counts.get(name)! > 1 ? d.root : name,
      marker: d.marker,
      languages: LANGUAGE_ORDER.filter((l) => d.languages.has(l)),
    };
  };

  const byRoot = new Map<string, Service>();
  for (const d of drafts.values()) byRoot.set(d.root, toService(d));
  const fallback = byRoot.get('') ?? toService(fallbackDraft);
  const services = [...byRoot.values()].sort((a, b) => (a.root < b.root ? -1 : a.root > b.root ? 1 : 0));

  return {
    services,
    serviceOf(path: string): Service {
      // Walk up from the path itself, so a service root passed as a path maps to that service.
      for (let d: string | undefined = normalizeRoot(path); d !== undefined; d = parentDir(d)) {
        const found = byRoot.get(d);
        if (found) return found;
      }
      return fallback;
    },
  };
}

function normalizeRoot(root: string): string {
  let r = root
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/\/+$/, '');
  if (r === '.' || r === '/') r = '';
  return r;
}

function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}

/** The parent directory, "" for a top-level directory, undefined above the root. */
function parentDir(dir: string): string | undefined {
  if (dir === '') return undefined;
  return dirname(dir);
}

function extname(name: string): string {
  const i = name.lastIndexOf('.');
  return i <= 0 ? '' : name.slice(i);
}

function inIgnoredDir(dir: string): boolean {
  if (dir === '') return false;
  for (const segment of dir.split('/')) if (IGNORED_DIRS.has(segment)) return true;
  return false;
}
