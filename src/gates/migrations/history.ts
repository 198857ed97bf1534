/**
 * The migration history index, built once per snapshot: every migration file classified and hashed,
 * grouped into sets in apply order, plus each tool's bookkeeping files (Prisma `migration_lock.toml`,
 * Atlas `atlas.sum`, Drizzle `meta/_journal.json`), the Alembic and Django graphs, the database dialect
 * of each set, and a replay of what earlier migrations declared (column types, validated NOT NULL
 * checks, Django field definitions) so a rule can ask "what was this column before this migration?".
 *
 * History rules compare the base index with the head index; DDL rules use it for dialect and replay.
 */
import { createHash } from 'node:crypto';
import { loadParsers } from '../../lang/index.js';
import type { IndexContext, IndexDef, RelatedLocation, ReleaseState, Snapshot } from '../../core/types.js';
import type { SourceFile } from '../../lang/source-file.js';
import { isRecord, isStringArray } from '../../core/cache.js';
import type { FactsDef } from '../../core/facts.js';
import type { WorkerFactory } from '../../core/facts-parallel.js';
import {
  classifyMigrationPath,
  compareMigrationIds,
  extraLayouts,
  isNeverMigrationPath,
  refineByContent,
  type ExtraLayouts,
  type MigrationFileInfo,
  type MigrationTool,
} from './layout.js';
import type { OrmField } from './ops.js';
import type { MigrationsOptions } from './options.js';
import { alembicMeta, type AlembicMeta } from './orm/alembic.js';
import {
  addPrismaModels,
  addSqlalchemyTables,
  djangoAppOf,
  djangoModelClasses,
  emptyCatalogue,
  resolveDjango,
  sqlalchemyTables,
  type ClassFacts,
  type ModelCatalogue,
  type ModelTable,
} from './models.js';
import { djangoMeta, djangoOps, djangoStateOnlyDrops, type DjangoMigrationMeta } from './orm/django.js';
import { decideDialect } from './dialect.js';
import { planOf } from './plan.js';
import { scanReferences } from './references.js';
import { isLockfileOrGenerated } from '../../core/feeds.js';
import { effectSignature } from './semantic.js';

export type Dialect = 'postgresql' | 'mysql' | 'sqlite' | 'other';

/** Files that feed no part of the migration history. */
const NEVER_FEEDS =
  /\.(md|mdx|txt|rst|adoc|png|jpe?g|gif|svg|ico|webp|avif|css|scss|sass|less|woff2?|ttf|otf|eot|mp3|mp4|webm|pdf)$/i;

/** What the change touches, for the history index's reference lookup. */
export interface HistoryScope {
  /** Changed paths, both sides. */
  changed: string[];
}

export interface IndexedMigration {
  info: MigrationFileInfo;
  /** SHA-256 of the text with CRLF folded to LF (what Prisma's checksum comparison tolerates). */
  hash: string;
  /** Position in its set's apply order (0-based). */
  position: number;
  alembic?: AlembicMeta;
  django?: DjangoMigrationMeta;
}

export interface MigrationSet {
  dir: string;
  tool: MigrationTool;
  dialect: Dialect;
  /**
   * The dialect is a guess: the repository names both PostgreSQL and MySQL and no explicit default
   * (settings, Helm values, compose images) decides. PostgreSQL lock rules then only warn.
   */
  dialectAmbiguous: boolean;
  /** Up and repeatable migrations in apply order (down files are listed in `downs`). */
  entries: IndexedMigration[];
  downs: string[];
}

export interface PrismaLock {
  path: string;
  provider?: string;
  line: number;
}

export interface AtlasSum {
  path: string;
  dir: string;
  /** Lines as written: file name → { hash, line }. */
  listed: Map<string, { hash: string; line: number }>;
  /** The sum line as written and as it should be. */
  total?: string;
  /** What `atlas migrate hash` would write for the directory as it is. */
  expected: Map<string, string>;
  expectedTotal: string;
}

export interface DrizzleJournal {
  path: string;
  dir: string;
  dialect?: string;
  entries: Array<{ idx: number; when: number; tag: string; line: number }>;
  /** Set when the JSON could not be read. */
  error?: string;
}

/** What earlier migrations said about one column, in apply order. */
interface ColumnEvent {
  /** `${set}\u0000${position}`-comparable order: set dir + position within it. */
  position: number;
  type?: string;
  /** The column was declared NOT NULL (CREATE TABLE, ADD COLUMN, SET NOT NULL) or nullable (DROP NOT NULL). */
  notNull?: boolean;
  notNullCheck?: 'validated' | 'not-valid';
  checkName?: string;
}

export interface MigrationIndex {
  /** Layouts beyond the conventions (alembic.ini locations, `gates.migrations.paths`), for classifyMigrationPath. */
  layouts: ExtraLayouts;
  files: Map<string, IndexedMigration>;
  sets: Map<string, MigrationSet>;
  prismaLocks: PrismaLock[];
  atlasSums: AtlasSum[];
  drizzleJournals: DrizzleJournal[];
  /** Replay of SQL sets: `${set}\u0000${table}.${column}` → events in apply order (filled lazily per set). */
  columns: Map<string, ColumnEvent[]>;
  /** Replay of Django apps: `${app}\u0000${model}.${field}` → field definitions in apply order (filled lazily). */
  djangoFields: Map<string, Array<{ position: number; field: OrmField }>>;
  /**
   * Sets not replayed yet, with their files. Replaying parses every migration of a set, so it happens on
   * the first question about that set — usually only the sets a pull request touches.
   */
  unreplayed: Map<string, Array<{ info: MigrationFileInfo; file: SourceFile }>>;
  /** Head side: `${table}.${column}` dropped/renamed by a newest migration → code that still uses it. */
  references: Map<string, RelatedLocation[]>;
  /** The ORM models of this snapshot resolved to tables and columns (what running code of this side reads). */
  models: ModelCatalogue;
  /** `table` / `table.column` keys a Django `SeparateDatabaseAndState` removed from the state only → that migration's path. */
  stateOnlyDrops: Map<string, string>;
  /** Base side: what the newest release holds of this history; undefined when the source cannot tell. */
  release?: ReleasedMigrations;
}

/** The migrations as the newest release containing this history shipped them. */
export interface ReleasedMigrations {
  /** Tag / release-branch names (a few, for messages); empty when the repository has no releases. */
  refs: readonly string[];
  /**
   * Path → the released version, for every migration of the released tree; undefined when no release
   * contains any of this history (then nothing here was released). `effect` is computed only where the
   * released text differs from this side's.
   */
  files?: Map<string, { hash: string; effect?: string }>;
}

export const HISTORY_INDEX = 'history';

function normalisedHash(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n'), 'utf8').digest('hex');
}

/** A one-key TOML read: `provider = "postgresql"` (a single string value; comments ignored). */
export function tomlString(text: string, key: string): { value: string; line: number } | undefined {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = new RegExp(`^\\s*${key}\\s*=\\s*"([^"]*)"`).exec(lines[i]!);
    if (m) return { value: m[1]!, line: i + 1 };
  }
  return undefined;
}

/** atlas.sum as Atlas computes it (`sql/migrate/dir.go` NewHashFile/Sum): a running SHA-256 over name + bytes. */
export function atlasHashes(files: Array<{ name: string; text: string }>): {
  hashes: Map<string, string>;
  total: string;
} {
  const running = createHash('sha256');
  const hashes = new Map<string, string>();
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    running.update(f.name, 'utf8');
    // `-- atlas:sum ignore` files contribute their name only and get no line.
    if (/^\s*--\s*atlas:sum\s+ignore\b/m.test(f.text)) continue;
    running.update(f.text, 'utf8');
    hashes.set(f.name, running.copy().digest('base64'));
  }
  const sum = createHash('sha256');
  for (const [name, h] of hashes) {
    sum.update(name, 'utf8');
    sum.update(h, 'utf8');
  }
  return { hashes, total: sum.digest('base64') };
}

function parseAtlasSum(text: string): { listed: AtlasSum['listed']; total?: string } {
  const listed: AtlasSum['listed'] = new Map();
  const lines = text.split(/\r?\n/);
  const first = lines[0]?.trim();
  lines.slice(1).forEach((line, i) => {
    const at = line.indexOf('h1:');
    if (at <= 0) return;
    listed.set(line.slice(0, at).trim(), { hash: line.slice(at + 3).trim(), line: i + 2 });
  });
  return { listed, ...(first?.startsWith('h1:') ? { total: first.slice(3) } : {}) };
}

function parseJournal(file: SourceFile, dir: string): DrizzleJournal {
  try {
    const json = JSON.parse(file.text) as {
      dialect?: string;
      entries?: Array<{ idx?: number; when?: number; tag?: string }>;
    };
    const lines = file.lines();
    const lineOf = (tag: string) => {
      const i = lines.findIndex((l) => l.includes(`"${tag}"`));
      return i === -1 ? 1 : i + 1;
    };
    return {
      path: file.path,
      dir,
      ...(json.dialect ? { dialect: json.dialect } : {}),
      entries: (json.entries ?? []).map((e) => ({
        idx: e.idx ?? -1,
        when: e.when ?? 0,
        tag: e.tag ?? '',
        line: lineOf(e.tag ?? ''),
      })),
    };
  } catch (err) {
    return { path: file.path, dir, entries: [], error: (err as Error).message };
  }
}

function dialectFromProvider(provider: string | undefined): Dialect | undefined {
  if (!provider) return undefined;
  const p = provider.toLowerCase();
  if (p === 'postgresql' || p === 'postgres' || p === 'pg') return 'postgresql';
  if (p === 'mysql') return 'mysql';
  if (p === 'sqlite' || p === 'turso') return 'sqlite';
  return 'other';
}

/** The history index of one snapshot. */
export const historyIndex: IndexDef<MigrationIndex, MigrationsOptions> = {
  id: HISTORY_INDEX,
  // Migrations, schemas, models, configs and code can all change the history or what is judged against
  // it; documents, images, stylesheets, lockfiles and generated files cannot.
  async feeds(ctx) {
    return [...ctx.head.changed, ...ctx.base.changed].some(
      (p) => !ctx.excluded(p) && !isLockfileOrGenerated(p) && !NEVER_FEEDS.test(p),
    );
  },
  // References to dropped or renamed columns are looked up for the migrations the change touches only.
  async scope(ctx): Promise<HistoryScope> {
    // The base's migrations are compared with the newest release: asked now, git walks the refs and lists
    // the released tree while the other indexes are built; the build awaits the same answer.
    const basePaths = new Set(ctx.base.paths);
    if (
      ctx.base.paths.some((p) => !ctx.excluded(p) && (classifyMigrationPath(p, basePaths)?.role ?? 'down') !== 'down')
    )
      askReleases(ctx.base.snapshot).catch(() => undefined);
    return { changed: [...new Set([...ctx.head.changed, ...ctx.base.changed])].sort() };
  },
  async build(ctx) {
    // Code migrations carry SQL strings; their extractors parse them synchronously later.
    await loadParsers(['sql']);
    const pathSet = new Set(ctx.paths);
    const inis: Array<{ path: string; text: string }> = [];
    for (const path of ctx.paths) {
      if (
        !path.endsWith('alembic.ini') ||
        (path !== 'alembic.ini' && !path.endsWith('/alembic.ini')) ||
        ctx.excluded(path)
      )
        continue;
      const file = await ctx.read(path);
      if (file) inis.push({ path, text: file.text });
    }
    const layouts = extraLayouts(ctx.gateOptions, inis);
    const index: MigrationIndex = {
      layouts,
      files: new Map(),
      sets: new Map(),
      prismaLocks: [],
      atlasSums: [],
      drizzleJournals: [],
      columns: new Map(),
      djangoFields: new Map(),
      unreplayed: new Map(),
      references: new Map(),
      models: emptyCatalogue(),
      stateOnlyDrops: new Map(),
    };
    const bySet = new Map<
      string,
      {
        tool: MigrationTool;
        ups: Array<{ info: MigrationFileInfo; file: SourceFile }>;
        downs: string[];
        dialect?: Dialect;
      }
    >();
    for (const path of ctx.paths) {
      if (ctx.excluded(path)) continue;
      const info = classifyMigrationPath(path, pathSet, layouts);
      if (!info) continue;
      const set = bySet.get(info.set) ?? {
        tool: info.tool,
        ups: [],
        downs: [],
        ...(info.dialect ? { dialect: info.dialect } : {}),
      };
      bySet.set(info.set, set);
      if (info.role === 'down') {
        set.downs.push(path);
        continue;
      }
      const file = await ctx.read(path);
      if (!file) continue;
      // goose SQL files sit in plain SQL directories: their section markers say they are recorded by version.
      const refined = refineByContent(info, file.text);
      if (refined.tool !== info.tool && set.tool === info.tool) set.tool = refined.tool;
      set.ups.push({ info: refined, file });
    }
    for (const path of ctx.paths) {
      if (ctx.excluded(path)) continue;
      const name = path.slice(path.lastIndexOf('/') + 1);
      if (name === 'migration_lock.toml') {
        const file = await ctx.read(path);
        const provider = file ? tomlString(file.text, 'provider') : undefined;
        index.prismaLocks.push({ path, ...(provider ? { provider: provider.value } : {}), line: provider?.line ?? 1 });
      } else if (name === 'atlas.sum') {
        const file = await ctx.read(path);
        if (!file) continue;
        const dir = path.slice(0, Math.max(0, path.lastIndexOf('/')));
        const sqlFiles = bySet.get(dir)?.ups ?? [];
        const { listed, total } = parseAtlasSum(file.text);
        const expected = atlasHashes(
          sqlFiles.map((u) => ({ name: u.info.path.slice(u.info.path.lastIndexOf('/') + 1), text: u.file.text })),
        );
        index.atlasSums.push({
          path,
          dir,
          listed,
          ...(total ? { total } : {}),
          expected: expected.hashes,
          expectedTotal: expected.total,
        });
      } else if (name === '_journal.json' && path.endsWith('/meta/_journal.json')) {
        const file = await ctx.read(path);
        if (file) index.drizzleJournals.push(parseJournal(file, path.slice(0, -'/meta/_journal.json'.length)));
      }
    }

    const decision =
      ctx.gateOptions.dialect !== 'auto'
        ? { dialect: ctx.gateOptions.dialect, ambiguous: false }
        : await decideDialect(ctx);
    const fallback = decision.dialect;
    // Hundreds of Django headers to parse on a first run: worker threads may take some (core/facts-parallel).
    const djangoPaths = [...bySet.values()].flatMap((set) =>
      set.ups.filter((u) => u.info.tool === 'django').map((u) => u.info.path),
    );
    if (djangoPaths.length > 0) await ctx.prefetch?.(djangoPaths, djangoMetaFacts);
    for (const [dir, set] of bySet) {
      set.ups.sort((a, b) => compareMigrationIds(a.info, b.info));
      let dialect: Dialect | undefined = set.dialect;
      if (set.tool === 'prisma')
        dialect = dialectFromProvider(index.prismaLocks.find((l) => l.path === `${dir}/migration_lock.toml`)?.provider);
      if (set.tool === 'drizzle')
        dialect = dialectFromProvider(index.drizzleJournals.find((j) => j.dir === dir)?.dialect);
      const entries: IndexedMigration[] = [];
      for (const [position, { info, file }] of set.ups.entries()) {
        const entry: IndexedMigration = { info, hash: normalisedHash(file.text), position };
        if (info.tool === 'alembic') entry.alembic = alembicMeta(file);
        if (info.tool === 'django') entry.django = (await ctx.facts(djangoMetaFacts, info.path)) ?? djangoMeta(file);
        entries.push(entry);
      }
      index.sets.set(dir, {
        dir,
        tool: set.tool,
        dialect: dialect ?? fallback ?? 'postgresql',
        dialectAmbiguous: !dialect && decision.ambiguous,
        entries,
        downs: set.downs.sort(),
      });
      for (const e of entries) index.files.set(e.info.path, e);
      index.unreplayed.set(dir, set.ups);
    }
    const read = new Map<string, SourceFile>();
    for (const set of bySet.values()) for (const u of set.ups) read.set(u.info.path, u.file);
    for (const [path, file] of read) {
      if (index.files.get(path)?.info.tool === 'django' && file.text.includes('SeparateDatabaseAndState')) {
        const drops = (await ctx.facts(stateOnlyDropsFacts, path)) ?? djangoStateOnlyDrops(file);
        for (const k of drops) index.stateOnlyDrops.set(k, path);
      }
    }
    await readModels(ctx, index);
    await scanReferences(ctx, index, read);
    if (ctx.side === 'base') {
      const release = await releasedMigrations(ctx, index);
      if (release) index.release = release;
    }
    return index;
  },
};

/**
 * A Django migration's header (dependencies, replaces, atomic), as facts of the file: a project has hundreds
 * of migrations and parsing each on every run was most of the history's cost. Kept in the analysis cache;
 * a first run may have worker threads parse them.
 */
export const djangoMetaFacts: FactsDef<DjangoMigrationMeta, IndexContext<MigrationsOptions>> = {
  id: 'migrations/django-meta',
  wants: () => false,
  resolves: false,
  portable: true,
  isFacts: (value): value is DjangoMigrationMeta => isDjangoMeta(value),
  extract: (file) => djangoMeta(file),
};

/** The migrations gate's facts a worker thread can extract (see core/facts-parallel.ts). */
export const migrationsWorkerFacts: Readonly<Record<string, WorkerFactory>> = {
  'migrations/django-meta': () => djangoMetaFacts as FactsDef<unknown, never>,
};

/** What a Django migration's `SeparateDatabaseAndState` drops from the state only, facts like its header. */
const stateOnlyDropsFacts: FactsDef<string[], IndexContext<MigrationsOptions>> = {
  id: 'migrations/django-state-drops',
  wants: () => false,
  resolves: false,
  isFacts: isStringArray,
  extract: (file) => djangoStateOnlyDrops(file),
};

function isDjangoMeta(value: unknown): value is DjangoMigrationMeta {
  return (
    isRecord(value) &&
    typeof value.app === 'string' &&
    typeof value.name === 'string' &&
    Array.isArray(value.dependencies) &&
    value.dependencies.every(
      (d: unknown) =>
        isRecord(d) && typeof d.app === 'string' && typeof d.name === 'string' && typeof d.line === 'number',
    ) &&
    Array.isArray(value.replaces) &&
    value.replaces.every((r: unknown) => isRecord(r) && typeof r.app === 'string' && typeof r.name === 'string') &&
    typeof value.atomic === 'boolean' &&
    typeof value.valid === 'boolean'
  );
}

/**
 * The model classes of one Django models module (null: it does not parse), extracted once per content
 * and kept in the analysis cache: a Django project reads hundreds of them on every check.
 */
const djangoModelFacts: FactsDef<ClassFacts[] | null, IndexContext<MigrationsOptions>> = {
  id: 'migrations/django-models',
  wants: () => false,
  resolves: false,
  isFacts: (value): value is ClassFacts[] | null =>
    value === null ||
    (Array.isArray(value) &&
      value.every(
        (c: unknown) =>
          isRecord(c) &&
          typeof c.name === 'string' &&
          isStringArray(c.supers) &&
          typeof c.abstract === 'boolean' &&
          c.columns instanceof Set,
      )),
  extract: (file) => djangoModelClasses(file) ?? null,
};

/** The tables one SQLAlchemy module maps (null: it does not parse), kept like Django's. */
const sqlalchemyModelFacts: FactsDef<ModelTable[] | null, IndexContext<MigrationsOptions>> = {
  id: 'migrations/sqlalchemy-models',
  wants: () => false,
  resolves: false,
  isFacts: (value): value is ModelTable[] | null =>
    value === null ||
    (Array.isArray(value) &&
      value.every(
        (t: unknown) =>
          isRecord(t) &&
          typeof t.table === 'string' &&
          t.columns instanceof Set &&
          typeof t.path === 'string' &&
          typeof t.model === 'string',
      )),
  extract: (file) => sqlalchemyTables(file) ?? null,
};

/** At most this many model files are read per kind. */
const MAX_MODEL_FILES = 400;

/** Reads the ORM models of the ecosystems that have migrations here (Django apps, SQLAlchemy, Prisma). */
async function readModels(ctx: IndexContext<MigrationsOptions>, index: MigrationIndex): Promise<void> {
  const tools = new Set([...index.sets.values()].map((s) => s.tool));
  const usable = (p: string) => !ctx.excluded(p) && !index.files.has(p) && !isNeverMigrationPath(p);
  if (tools.has('django')) {
    const pending: Parameters<typeof resolveDjango>[0] = [];
    for (const path of ctx.paths
      .filter((p) => usable(p) && djangoAppOf(p) !== undefined && !/\/migrations\//.test(p))
      .slice(0, MAX_MODEL_FILES)) {
      const classes = await ctx.facts(djangoModelFacts, path);
      if (!classes) continue;
      const app = djangoAppOf(path)!;
      index.models.seen.add(app);
      for (const cls of classes) pending.push({ app, path, cls });
    }
    resolveDjango(pending, index.models);
  }
  if (tools.has('alembic')) {
    for (const path of (await ctx.snapshot.grep(['__tablename__'], ['**/*.py']))
      .filter(usable)
      .slice(0, MAX_MODEL_FILES)) {
      const tables = await ctx.facts(sqlalchemyModelFacts, path);
      if (tables) addSqlalchemyTables(tables, index.models);
    }
  }
  if (tools.has('prisma')) {
    for (const path of ctx.paths.filter((p) => usable(p) && p.endsWith('.prisma')).slice(0, MAX_MODEL_FILES)) {
      const file = await ctx.read(path);
      if (file) addPrismaModels(file, index.models);
    }
  }
}

/** Released trees with more migration files than this are not read (the release is then treated as unknown). */
const MAX_RELEASED_FILES = 5000;

/**
 * The migrations of the newest release in this snapshot's history. Files whose released text equals
 * this side's keep only their hash; the others (usually none or a handful) also get their effect
 * signature, so an edit can be compared with what was released.
 */
/**
 * Asks where a snapshot stands against the releases, and has the released tree listed, without waiting
 * (snapshots keep both answers: asking again is free). Only asked when there are migrations, since
 * releases only matter for them (on GitHub they cost API calls).
 */
function askReleases(snapshot: Snapshot): Promise<ReleaseState | undefined> {
  const state = snapshot.releases ? snapshot.releases() : Promise.resolve(undefined);
  // Listed ahead (the snapshot keeps its listing); a failure here is asked again, and reported, below.
  state.then((s) => (s?.released && s.released.sha !== snapshot.sha ? s.released.list() : undefined)).catch(() => {});
  return state;
}

/**
 * The migrations of the newest release in this snapshot's history. Files whose released text equals
 * this side's keep only their hash; the others (usually none or a handful) also get their effect
 * signature, so an edit can be compared with what was released. A released file whose blob is this
 * side's is not read: same bytes, same hash.
 */
async function releasedMigrations(
  ctx: IndexContext<MigrationsOptions>,
  index: MigrationIndex,
): Promise<ReleasedMigrations | undefined> {
  // Releases only matter for the base's migrations: without any, no tag or branch is asked for (API calls).
  if (index.files.size === 0) return undefined;
  const state = await askReleases(ctx.snapshot);
  if (!state) return undefined;
  if (state.refs.length === 0 || !state.released) return { refs: state.refs };
  const files = new Map<string, { hash: string; effect?: string }>();
  if (state.released.sha === ctx.snapshot.sha) {
    for (const [path, e] of index.files) files.set(path, { hash: e.hash });
    return { refs: state.refs, files };
  }
  const released = state.released;
  const releasedPaths = await released.list();
  const pathSet = new Set(releasedPaths);
  const infos = releasedPaths.flatMap((p) => {
    const info = ctx.excluded(p) ? undefined : classifyMigrationPath(p, pathSet);
    return info && info.role !== 'down' ? [info] : [];
  });
  if (infos.length > MAX_RELEASED_FILES) return undefined;
  const unchanged = await Promise.all(
    infos.map(async (info) => index.files.has(info.path) && sameBlobAsMine(ctx.snapshot, released, info.path)),
  );
  for (const [i, info] of infos.entries())
    if (unchanged[i]) files.set(info.path, { hash: index.files.get(info.path)!.hash });
  const toRead = infos.filter((_, i) => !unchanged[i]);
  released.prefetch?.(toRead.map((i) => i.path));
  for (const info of toRead) {
    const read = await released.read(info.path);
    if (!read.ok) {
      // The release holds this path but its text could not be read (over the API's byte budget, too large):
      // it is released, with a text that matches nothing. Leaving it out would call it unreleased and turn
      // a blocker into a warning.
      files.set(info.path, { hash: '' });
      continue;
    }
    const hash = normalisedHash(read.file.text);
    const mine = index.files.get(info.path);
    if (mine && mine.hash === hash) {
      files.set(info.path, { hash });
    } else {
      const effect = effectSignature(read.file, info);
      files.set(info.path, effect === undefined ? { hash } : { hash, effect });
    }
    read.file.dispose();
  }
  return { refs: state.refs, files };
}

/** Whether a path holds the same blob in both snapshots (false when either cannot say). */
async function sameBlobAsMine(mine: Snapshot, released: Snapshot, path: string): Promise<boolean> {
  if (!mine.blobId || !released.blobId) return false;
  const [a, b] = await Promise.all([mine.blobId(path), released.blobId(path)]);
  return a !== undefined && b !== undefined && a.oid === b.oid;
}

/** Records what each migration of a set declares about columns, in apply order. */
function replay(index: MigrationIndex, dir: string, ups: Array<{ info: MigrationFileInfo; file: SourceFile }>): void {
  ups.forEach(({ info, file }, position) => {
    if (info.tool === 'django') {
      const app = dir.split('/').slice(-2, -1)[0] ?? '';
      for (const d of djangoOps(file).declarations) {
        const key = `${app}\u0000${d.model}.${d.field}`;
        const list = index.djangoFields.get(key) ?? [];
        list.push({ position, field: d.orm });
        index.djangoFields.set(key, list);
      }
      return;
    }
    let plan;
    try {
      plan = planOf(file, info);
    } catch {
      return;
    }
    const event = (table: string, column: string, e: Omit<ColumnEvent, 'position'>) => {
      const key = `${dir}\u0000${table}.${column}`;
      const list = index.columns.get(key) ?? [];
      list.push({ position, ...e });
      index.columns.set(key, list);
    };
    const pendingChecks = new Map<string, { table: string; column: string }>();
    for (const op of plan.ops) {
      switch (op.kind) {
        case 'create-table':
          for (const c of op.columns)
            event(op.table, c.name, { ...(c.type ? { type: c.type } : {}), notNull: c.notNull });
          break;
        case 'add-column':
          event(op.table, op.column.name, {
            ...(op.column.type ? { type: op.column.type } : {}),
            notNull: op.column.notNull,
          });
          break;
        case 'set-not-null':
          event(op.table, op.column, { notNull: true });
          break;
        case 'alter-column-type':
          if (op.type || op.notNull !== undefined)
            event(op.table, op.column, {
              ...(op.type ? { type: op.type } : {}),
              ...(op.notNull !== undefined ? { notNull: op.notNull } : {}),
            });
          break;
        case 'other-lock':
          if (op.what === 'DROP NOT NULL' && op.column) event(op.table, op.column, { notNull: false });
          break;
        case 'add-constraint':
          if (op.constraint === 'check' && op.notNullColumn) {
            event(op.table, op.notNullColumn, {
              notNullCheck: op.notValid ? 'not-valid' : 'validated',
              ...(op.name ? { checkName: op.name } : {}),
            });
            if (op.notValid && op.name) pendingChecks.set(op.name, { table: op.table, column: op.notNullColumn });
          }
          break;
        case 'validate-constraint': {
          const pending = pendingChecks.get(op.name);
          if (pending) event(pending.table, pending.column, { notNullCheck: 'validated', checkName: op.name });
          else {
            // Validated in a later migration than the one that added it: find it by name in this set.
            for (const [key, events] of index.columns) {
              if (!key.startsWith(`${dir}\u0000${op.table}.`)) continue;
              if (events.some((e) => e.checkName === op.name)) {
                events.push({ position, notNullCheck: 'validated', checkName: op.name });
              }
            }
          }
          break;
        }
        default:
          break;
      }
    }
  });
}

/** Replays a set on first use (pure computation over files the index already read). */
function ensureReplayed(index: MigrationIndex, set: string): void {
  const ups = index.unreplayed.get(set);
  if (!ups) return;
  index.unreplayed.delete(set);
  replay(index, set, ups);
}

/** The column type declared before `position` in the set (undefined when the history does not say). */
export function typeBefore(
  index: MigrationIndex,
  set: string,
  position: number,
  table: string,
  column: string,
): string | undefined {
  ensureReplayed(index, set);
  const events = index.columns.get(`${set}\u0000${table}.${column}`) ?? [];
  let type: string | undefined;
  for (const e of events) if (e.position < position && e.type) type = e.type;
  return type;
}

/**
 * The migration of the set that introduced the column (its first CREATE TABLE or ADD COLUMN before
 * `position`), by path; undefined when the history does not say.
 */
export function columnIntroducedBy(
  index: MigrationIndex,
  set: string,
  position: number,
  table: string,
  column: string,
): string | undefined {
  ensureReplayed(index, set);
  const first = (index.columns.get(`${set}\u0000${table}.${column}`) ?? []).find((e) => e.position < position);
  if (!first) return undefined;
  for (const [path, m] of index.files) if (m.info.set === set && m.position === first.position) return path;
  return undefined;
}

/** Whether the history declared the column NOT NULL before `position` (and did not make it nullable since). */
export function notNullBefore(
  index: MigrationIndex,
  set: string,
  position: number,
  table: string,
  column: string,
): boolean {
  ensureReplayed(index, set);
  const events = index.columns.get(`${set}\u0000${table}.${column}`) ?? [];
  let notNull = false;
  for (const e of events) if (e.position < position && e.notNull !== undefined) notNull = e.notNull;
  return notNull;
}

/** Whether a `CHECK (column IS NOT NULL)` was validated by a migration before `position`. */
export function validatedNotNullBefore(
  index: MigrationIndex,
  set: string,
  position: number,
  table: string,
  column: string,
): boolean {
  ensureReplayed(index, set);
  const events = index.columns.get(`${set}\u0000${table}.${column}`) ?? [];
  return events.some((e) => e.position < position && e.notNullCheck === 'validated');
}

/** The Django field definition in force before `position` of the app's migrations (`set`: the app's migrations folder). */
export function djangoFieldBefore(
  index: MigrationIndex,
  set: string,
  app: string,
  position: number,
  model: string,
  field: string,
): OrmField | undefined {
  ensureReplayed(index, set);
  const events = index.djangoFields.get(`${app}\u0000${model}.${field}`) ?? [];
  let found: OrmField | undefined;
  for (const e of events) if (e.position < position) found = e.field;
  return found;
}
