/**
 * Which database a repository's migrations run on, when the migration tool does not record it (Prisma's
 * migration_lock.toml and the Drizzle journal do).
 *
 * Dependency and settings files name drivers. When they name only PostgreSQL or only MySQL, that is the
 * answer. Projects that support both (Grafana OnCall: MySQL, PostgreSQL and SQLite) name both, and then
 * the explicit default decides, read from parsed files, never from text patterns:
 *  1. settings defaults — the fallback of an environment lookup in Python settings
 *     (`os.environ.get("DATABASE_TYPE", "mysql")`, `env("DATABASE_URL", default="postgres://…")`,
 *     `ENGINE = "django.db.backends.mysql"`);
 *  2. Helm values — `database.type` (also `db.type`, `database.driver`, `externalDatabase.type`);
 *  3. docker-compose — the images of its services, when they run only one of the two databases.
 * When none of these decides, the dialect is PostgreSQL but `ambiguous`: the PostgreSQL lock rules then
 * report warnings, not blockers, because they may be judging MySQL migrations.
 */
import type { Node as TSNode } from 'web-tree-sitter';
import type { IndexContext } from '../../core/types.js';
import { calleeName, descendantsOfType, keywordArgs, positionalArgs, stringValue } from '../../lang/ts-helpers.js';
import type { SourceFile } from '../../lang/source-file.js';

export type RepoDialect = 'postgresql' | 'mysql' | 'sqlite';

export interface DialectDecision {
  dialect: RepoDialect | undefined;
  /** Both PostgreSQL and MySQL appear and no explicit default decides. */
  ambiguous: boolean;
  /** Where the decision came from, for messages and debugging. */
  source?: string;
}

/** A database named by a string: a Django engine, a URL scheme, a driver or image name. */
export function dialectOfValue(value: string): RepoDialect | undefined {
  const v = value.trim().toLowerCase();
  if (
    /^(?:postgres(?:ql)?|pg|psql|pgsql)$/.test(v) ||
    /backends\.postgresql|^postgres(?:ql)?(?:\+\w+)?:\/\/|^(?:\S+\/)?postgres(?:ql)?(?::|$)|^(?:\S+\/)?postgis/.test(v)
  )
    return 'postgresql';
  if (
    /^(?:mysql|mariadb)$/.test(v) ||
    /backends\.mysql|^mysql(?:\+\w+)?:\/\/|^mariadb:\/\/|^(?:\S+\/)?(?:mysql|mariadb)(?::|$)/.test(v)
  )
    return 'mysql';
  if (/^sqlite3?$/.test(v) || /backends\.sqlite3|^sqlite:\/\//.test(v)) return 'sqlite';
  return undefined;
}

const LOOKUPS = /(?:^|\.)(?:get|getenv|env|str|config|get_env|environ\.get)$/;

/** Explicit defaults in Python settings: lookup fallbacks and literal ENGINE / DATABASE_TYPE assignments. */
export function pythonSettingsDefaults(file: SourceFile): RepoDialect[] {
  const root = file.tree()?.rootNode;
  if (!root) return [];
  const out: RepoDialect[] = [];
  for (const call of descendantsOfType(root, 'call')) {
    if (!LOOKUPS.test(calleeName(call) ?? '')) continue;
    const key = positionalArgs(call)[0];
    const keyText = key ? stringValue(key) : undefined;
    if (!keyText || !/DATABASE|DB_|ENGINE/i.test(keyText)) continue;
    const fallback = keywordArgs(call).get('default') ?? positionalArgs(call)[1];
    const d = fallback ? valueDialect(fallback) : undefined;
    if (d) out.push(d);
  }
  for (const a of descendantsOfType(root, 'assignment')) {
    const left = a.childForFieldName('left')?.text ?? '';
    if (!/^(?:DATABASE_TYPE|DB_TYPE|DB_ENGINE|DATABASE_ENGINE)$/.test(left)) continue;
    const right = a.childForFieldName('right');
    const d = right ? valueDialect(right) : undefined;
    if (d) out.push(d);
  }
  for (const pair of descendantsOfType(root, 'pair')) {
    const key = pair.childForFieldName('key');
    if (!key || stringValue(key) !== 'ENGINE') continue;
    const value = pair.childForFieldName('value');
    const d = value ? valueDialect(value) : undefined;
    if (d) out.push(d);
  }
  return out;
}

/** A string literal, or a constant like `DatabaseTypes.MYSQL`. */
function valueDialect(node: TSNode): RepoDialect | undefined {
  const s = stringValue(node);
  if (s !== undefined) return dialectOfValue(s);
  if (node.type === 'attribute' || node.type === 'identifier') return dialectOfValue(node.text.split('.').pop() ?? '');
  return undefined;
}

/** `database.type` and its usual spellings in Helm values. */
export function helmValuesDefault(file: SourceFile): RepoDialect | undefined {
  const doc = file.yaml()?.documents[0];
  if (!doc) return undefined;
  const json = doc.toJS() as unknown;
  if (!json || typeof json !== 'object') return undefined;
  const get = (path: string[]): unknown =>
    path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), json);
  for (const path of [
    ['database', 'type'],
    ['db', 'type'],
    ['database', 'driver'],
    ['externalDatabase', 'type'],
    ['database', 'engine'],
  ]) {
    const v = get(path);
    if (typeof v === 'string') {
      const d = dialectOfValue(v);
      if (d) return d;
    }
  }
  return undefined;
}

/** The databases docker-compose runs (by service image). */
export function composeImages(file: SourceFile): Set<RepoDialect> {
  const out = new Set<RepoDialect>();
  const json = file.yaml()?.documents[0]?.toJS() as { services?: Record<string, { image?: unknown }> } | undefined;
  for (const svc of Object.values(json?.services ?? {})) {
    if (typeof svc?.image !== 'string') continue;
    const d = dialectOfValue(svc.image.split('@')[0]!);
    if (d && d !== 'sqlite') out.add(d);
  }
  return out;
}

const DEP_GLOBS = [
  '**/package.json',
  '**/settings*.py',
  '**/settings/*.py',
  '**/requirements*.txt',
  '**/pyproject.toml',
  '**/alembic.ini',
  '**/Gemfile',
  '**/database.yml',
  '**/go.mod',
];

/** The repository's database from its files (see the module comment). */
export async function decideDialect(ctx: IndexContext<unknown>): Promise<DialectDecision> {
  const has = async (tokens: string[]) => (await ctx.snapshot.grep(tokens, DEP_GLOBS)).some((p) => !ctx.excluded(p));
  const pg = await has([
    '"pg"',
    'postgres',
    'psycopg',
    'asyncpg',
    'django.db.backends.postgresql',
    'jackc/pgx',
    'lib/pq',
  ]);
  const my = await has(['mysql', 'mariadb']);
  if (pg && !my) return { dialect: 'postgresql', ambiguous: false };
  if (my && !pg) return { dialect: 'mysql', ambiguous: false };
  if (!pg && !my)
    return (await has(['sqlite'])) ? { dialect: 'sqlite', ambiguous: false } : { dialect: undefined, ambiguous: false };

  // Both: the explicit default decides.
  const settings = (await ctx.snapshot.list(['**/settings*.py', '**/settings/*.py'])).filter((p) => !ctx.excluded(p));
  const fromSettings = new Set<RepoDialect>();
  for (const path of settings) {
    const file = await ctx.read(path);
    if (!file) continue;
    for (const d of pythonSettingsDefaults(file)) if (d !== 'sqlite') fromSettings.add(d);
  }
  if (fromSettings.size === 1) return { dialect: [...fromSettings][0]!, ambiguous: false, source: 'settings default' };

  const values = (await ctx.snapshot.list(['**/values.yaml', '**/values.yml'])).filter((p) => !ctx.excluded(p));
  const fromHelm = new Set<RepoDialect>();
  for (const path of values) {
    const file = await ctx.read(path);
    const d = file ? helmValuesDefault(file) : undefined;
    if (d && d !== 'sqlite') fromHelm.add(d);
  }
  if (fromHelm.size === 1) return { dialect: [...fromHelm][0]!, ambiguous: false, source: 'Helm values database.type' };

  const compose = (await ctx.snapshot.list(['**/docker-compose*.{yml,yaml}', '**/compose*.{yml,yaml}'])).filter(
    (p) => !ctx.excluded(p),
  );
  const fromCompose = new Set<RepoDialect>();
  for (const path of compose) {
    const file = await ctx.read(path);
    if (file) for (const d of composeImages(file)) fromCompose.add(d);
  }
  if (fromCompose.size === 1)
    return { dialect: [...fromCompose][0]!, ambiguous: false, source: 'docker-compose images' };

  return { dialect: 'postgresql', ambiguous: true };
}
