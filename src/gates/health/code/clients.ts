/**
 * The dependency clients a service declares: database, cache and broker libraries in its manifest
 * (`package.json` dependencies, directly or through a workspace package it depends on; Python
 * requirements files and `pyproject.toml`). A readiness check that asks none of them anything is
 * only worth a finding when there is something to ask.
 */
import type { DependencyClient, DepKind } from '../model.js';
import { JS_LIBRARIES } from './libraries.js';
import { parseJsonc } from '../../../lang/program/jsonc.js';

/** Python distributions (as written in requirements) that talk to a database, a cache or a broker. */
const PY_DISTRIBUTIONS: Readonly<Record<string, DepKind>> = {
  psycopg: 'database',
  psycopg2: 'database',
  'psycopg2-binary': 'database',
  asyncpg: 'database',
  sqlalchemy: 'database',
  sqlmodel: 'database',
  'flask-sqlalchemy': 'database',
  databases: 'database',
  'tortoise-orm': 'database',
  pymongo: 'database',
  motor: 'database',
  pymysql: 'database',
  aiomysql: 'database',
  mysqlclient: 'database',
  'mysql-connector-python': 'database',
  elasticsearch: 'database',
  redis: 'cache',
  aioredis: 'cache',
  pymemcache: 'cache',
  pika: 'queue',
  'aio-pika': 'queue',
  'kafka-python': 'queue',
  aiokafka: 'queue',
  'confluent-kafka': 'queue',
  celery: 'queue',
};

const MANIFEST_SECTIONS = ['dependencies', 'optionalDependencies', 'peerDependencies'];

/**
 * Clients declared by the service rooted at `root`. `packageJsons` are the repository's package.json
 * texts by path; `readText` reads the Python manifests at the root (only those are read).
 */
export async function clientsOf(
  root: string,
  paths: ReadonlySet<string>,
  packageJsons: ReadonlyMap<string, string>,
  readText: (path: string) => Promise<string | undefined>,
): Promise<DependencyClient[]> {
  const at = (name: string) => (root ? `${root}/${name}` : name);
  const out: DependencyClient[] = [];
  const pkgPath = at('package.json');
  const own = packageJsons.get(pkgPath);
  if (own !== undefined) {
    const byName = packagesByName(packageJsons);
    for (const dep of depsOf(own)) {
      const kind = clientKind(dep);
      if (kind) {
        out.push({ module: dep, kind, loc: { path: pkgPath, line: lineOf(own, dep) } });
        continue;
      }
      // A workspace package (`@acme/database`) that wraps the client: one hop.
      const wsPath = byName.get(dep);
      const ws = wsPath && wsPath !== pkgPath ? packageJsons.get(wsPath) : undefined;
      const wrapped = ws === undefined ? undefined : depsOf(ws).find((d) => clientKind(d));
      if (wrapped)
        out.push({
          module: `${dep} → ${wrapped}`,
          kind: clientKind(wrapped)!,
          loc: { path: pkgPath, line: lineOf(own, dep) },
        });
    }
  }
  for (const name of ['requirements.txt', 'requirements/base.txt', 'requirements/prod.txt', 'pyproject.toml']) {
    const path = at(name);
    if (!paths.has(path)) continue;
    const text = await readText(path);
    if (text === undefined) continue;
    text.split('\n').forEach((line, i) => {
      // `psycopg2-binary==2.9`, `"redis>=5"`, `sqlalchemy = "^2"`, `celery[redis]`.
      const m = /^\s*["']?([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*["']?\s*(?:[<>=!~^;,\]"']|=|$)/.exec(line);
      const dist = m?.[1]?.toLowerCase().replace(/_/g, '-');
      const kind = dist ? PY_DISTRIBUTIONS[dist] : undefined;
      if (kind && !out.some((c) => c.module === dist)) out.push({ module: dist!, kind, loc: { path, line: i + 1 } });
    });
  }
  return out;
}

/** Workspace package name → its package.json path, built once per snapshot's configuration. */
const byNameCache = new WeakMap<ReadonlyMap<string, string>, Map<string, string>>();

function packagesByName(packageJsons: ReadonlyMap<string, string>): Map<string, string> {
  let byName = byNameCache.get(packageJsons);
  if (byName) return byName;
  byName = new Map();
  for (const [path, text] of packageJsons) {
    const json = parseJsonc(text) as { name?: unknown } | undefined;
    if (json && typeof json.name === 'string' && !byName.has(json.name)) byName.set(json.name, path);
  }
  byNameCache.set(packageJsons, byName);
  return byName;
}

function depsOf(text: string): string[] {
  const json = parseJsonc(text);
  if (typeof json !== 'object' || json === null) return [];
  const out: string[] = [];
  for (const section of MANIFEST_SECTIONS) {
    const deps = (json as Record<string, unknown>)[section];
    if (typeof deps === 'object' && deps !== null) out.push(...Object.keys(deps));
  }
  return out;
}

function clientKind(module: string): DepKind | undefined {
  const spec = JS_LIBRARIES[module];
  return spec && spec.kind !== 'http' && spec.kind !== 'service' ? spec.kind : undefined;
}

function lineOf(text: string, dep: string): number {
  const i = text.indexOf(`"${dep}"`);
  return i < 0 ? 1 : text.slice(0, i).split('\n').length;
}
