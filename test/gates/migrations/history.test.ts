import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  atlasHashes,
  djangoMetaFacts,
  djangoFieldBefore,
  historyIndex,
  tomlString,
  typeBefore,
  validatedNotNullBefore,
  type MigrationIndex,
} from '../../../src/gates/migrations/history.js';
import { migrationsOptionsSchema } from '../../../src/gates/migrations/options.js';
import { memorySnapshot, type MemorySnapshot } from '../../../src/source/memory.js';
import type { IndexContext, Snapshot } from '../../../src/core/types.js';
import { loadParsers } from '../../../src/lang/index.js';
import { FactsStore, standaloneFacts } from '../../../src/core/facts.js';
import { WORKER_FACTS } from '../../../src/gates/worker-facts.js';

/** Builds the history index of an in-memory snapshot (head side; base side when given releases), as the engine would. */
async function build(
  files: Record<string, string>,
  options = {},
  releases?: Snapshot['releases'],
  /** Shared by builds that reuse each other's facts, as the engine's two sides and later runs do. */
  store?: FactsStore,
  /** Gives the snapshot git's blob ids, as a git snapshot has. */
  blobIds = false,
): Promise<MigrationIndex> {
  const snapshot = memorySnapshot(files);
  if (releases) snapshot.releases = releases;
  if (blobIds) withBlobIds(snapshot);
  const paths = await snapshot.list();
  const read = async (path: string) => {
    const r = await snapshot.read(path);
    if (!r.ok) return undefined;
    await loadParsers([r.file.language]);
    return r.file;
  };
  const ctx: IndexContext<ReturnType<typeof migrationsOptionsSchema.parse>> = {
    side: releases ? 'base' : 'head',
    snapshot,
    paths,
    gateOptions: migrationsOptionsSchema.parse(options),
    services: [],
    serviceOf: () => ({ root: '', name: 'repo', marker: 'config', languages: [] }),
    read,
    ...standaloneFacts(snapshot, paths, read, store),
    error: (path, message) => {
      throw new Error(`${path}: ${message}`);
    },
    excluded: (path) => path.startsWith('test/'),
  };
  return historyIndex.build(ctx);
}

/** Answers `blobId` as git does (sha1 of `blob <size>\0` and the bytes). */
function withBlobIds(snapshot: MemorySnapshot): MemorySnapshot {
  const asGit: Snapshot = snapshot;
  asGit.blobId = async (path) => {
    const bytes = snapshot.raw(path);
    if (!bytes) return undefined;
    const oid = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
    return { oid, size: bytes.length };
  };
  return snapshot;
}

describe('atlas.sum', () => {
  it('recomputes the sum as Atlas does: running hash, name order, atlas:sum ignore counts by name only', () => {
    // Expected values computed independently (Python hashlib) from Atlas' algorithm; the same code was
    // checked against a real atlas.sum written by `atlas migrate hash`.
    const { hashes, total } = atlasHashes([
      { name: '20240201000000_add_name.sql', text: 'ALTER TABLE users ADD COLUMN name text;\n' },
      { name: '20240101000000_init.sql', text: 'CREATE TABLE users (id bigint PRIMARY KEY);\n' },
      { name: '20240115000000_seed.sql', text: '-- atlas:sum ignore\nINSERT INTO users VALUES (1);\n' },
    ]);
    expect([...hashes]).toEqual([
      ['20240101000000_init.sql', 'bIMR+NEOk5yNuE/kRiNo2QJuyzZ+3b6tyukz79b7Lhc='],
      ['20240201000000_add_name.sql', 'pbDKjDubFy3eBjZBbE7sp+Kb2vwUlAiezSIsAo38Wd0='],
    ]);
    expect(total).toBe('GP19jPG8Mh4zpfT15cIoBGsGOu2rBlmuOpjZPAU6Q7M=');
  });
});

describe('tomlString', () => {
  it('reads one string key and its line, ignoring comments', () => {
    expect(tomlString('# Please do not edit\n# provider = "x"\nprovider = "postgresql"\n', 'provider')).toEqual({
      value: 'postgresql',
      line: 3,
    });
    expect(tomlString('other = "y"\n', 'provider')).toBeUndefined();
  });
});

describe('history index', () => {
  it('counts a released migration it could not read (over the byte budget) as released, never as unreleased', async () => {
    const files = {
      'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
      'prisma/migrations/20240101000000_a/migration.sql': 'CREATE TABLE "t" ("id" INT);\n',
      'prisma/migrations/20240201000000_b/migration.sql': 'ALTER TABLE "t" ADD COLUMN "b" INT;\n',
    };
    const released = memorySnapshot(
      { ...files, 'prisma/migrations/20240101000000_a/migration.sql': 'CREATE TABLE "t" ("id" BIGINT);\n' },
      { sha: 'r' },
    );
    const read = released.read.bind(released);
    released.read = (path) =>
      path.endsWith('20240101000000_a/migration.sql')
        ? Promise.resolve({ ok: false, reason: 'over-budget', detail: 'not downloaded' })
        : read(path);
    const index = await build(files, {}, async () => ({ refs: ['v1.0.0'], released }));
    const a = index.release?.files?.get('prisma/migrations/20240101000000_a/migration.sql');
    expect(a).toBeDefined();
    expect(a!.hash).not.toBe(index.files.get('prisma/migrations/20240101000000_a/migration.sql')!.hash);
    expect(index.release?.files?.has('prisma/migrations/20240201000000_b/migration.sql')).toBe(true);
  });

  it('reads only the released migrations whose blob differs from the base, with the same answer as reading all', async () => {
    const files = {
      'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
      'prisma/migrations/20240101000000_a/migration.sql': 'CREATE TABLE "t" ("id" INT);\n',
      'prisma/migrations/20240201000000_b/migration.sql': 'ALTER TABLE "t" ADD COLUMN "b" INT;\n',
      'prisma/migrations/20240301000000_c/migration.sql': 'ALTER TABLE "t" ADD COLUMN "c" INT;\n',
    };
    const releasedFiles = {
      ...files,
      // Edited since the release, and a migration the base no longer has.
      'prisma/migrations/20240201000000_b/migration.sql': 'ALTER TABLE "t" ADD COLUMN "b" BIGINT;\n',
      'prisma/migrations/20231201000000_z/migration.sql': 'CREATE TABLE "z" ("id" INT);\n',
    };
    const indexOf = async (blobIds: boolean) => {
      const released = memorySnapshot(releasedFiles, { sha: 'r' });
      if (blobIds) withBlobIds(released);
      const reads: string[] = [];
      const read = released.read.bind(released);
      released.read = (path) => {
        reads.push(path);
        return read(path);
      };
      const index = await build(files, {}, async () => ({ refs: ['v1.0.0'], released }), undefined, blobIds);
      return { index, reads };
    };
    const byBlob = await indexOf(true);
    const byText = await indexOf(false);
    expect(byBlob.reads.sort()).toEqual([
      'prisma/migrations/20231201000000_z/migration.sql',
      'prisma/migrations/20240201000000_b/migration.sql',
    ]);
    expect(byText.reads).toHaveLength(4);
    const sorted = (m: Map<string, unknown> | undefined) => [...(m ?? [])].sort(([a], [b]) => (a < b ? -1 : 1));
    expect(sorted(byBlob.index.release?.files)).toEqual(sorted(byText.index.release?.files));
    expect(byBlob.index.release?.files?.size).toBe(4);
    // The edited one carries its released effect, for the rules to compare.
    expect(byBlob.index.release?.files?.get('prisma/migrations/20240201000000_b/migration.sql')?.effect).toBeDefined();
  });

  it('asks for the release when scoped, before any index is built, only when the base holds migrations', async () => {
    const scopeOf = async (files: Record<string, string>) => {
      let asked = 0;
      const snapshot = memorySnapshot(files);
      snapshot.releases = async () => {
        asked++;
        return { refs: [] };
      };
      const side = {
        snapshot,
        paths: snapshot.listSync(),
        changed: ['src/app.ts'],
        read: async () => undefined,
        serviceOf: () => ({ root: '', name: 'repo', marker: 'config' as const, languages: [] }),
        services: [],
      };
      const scope = await historyIndex.scope!({
        gateOptions: migrationsOptionsSchema.parse({}),
        changes: [],
        head: side,
        base: side,
        excluded: () => false,
        once: (_key, compute) => compute(),
      });
      return { scope, asked };
    };
    const withMigrations = await scopeOf({
      'src/app.ts': 'export {};\n',
      'prisma/migrations/20240101000000_a/migration.sql': 'CREATE TABLE "t" ("id" INT);\n',
    });
    expect(withMigrations.asked).toBe(1);
    expect(withMigrations.scope).toEqual({ changed: ['src/app.ts'] });
    expect((await scopeOf({ 'src/app.ts': 'export {};\n' })).asked).toBe(0);
  });

  it('does not ask for releases when the base has no migrations', async () => {
    let asked = 0;
    const index = await build({ 'src/app.ts': 'export {};\n' }, {}, async () => {
      asked++;
      return { refs: [] };
    });
    expect(asked).toBe(0);
    expect(index.release).toBeUndefined();
  });

  it('groups sets in apply order, with dialects from the lock file and the journal', async () => {
    const index = await build({
      'prisma/migrations/migration_lock.toml': 'provider = "mysql"\n',
      'prisma/migrations/20240201000000_b/migration.sql': 'ALTER TABLE `t` ADD COLUMN `b` INT;\n',
      'prisma/migrations/20240101000000_a/migration.sql': 'CREATE TABLE `t` (`id` INT);\n',
      'drizzle/0000_init.sql': 'CREATE TABLE "x" ("id" serial);\n',
      'drizzle/meta/_journal.json': '{"dialect":"sqlite","entries":[{"idx":0,"when":1,"tag":"0000_init"}]}',
      'db/migrations/000001_init.up.sql': 'CREATE TABLE y (id int);\n',
      'db/migrations/000001_init.down.sql': 'DROP TABLE y;\n',
      'test/migrations/0001_x.sql': 'DROP TABLE y;\n',
    });
    const prisma = index.sets.get('prisma/migrations')!;
    expect(prisma.dialect).toBe('mysql');
    expect(prisma.entries.map((e) => e.info.id)).toEqual(['20240101000000_a', '20240201000000_b']);
    expect(index.sets.get('drizzle')!.dialect).toBe('sqlite');
    expect(index.sets.get('db/migrations')!.downs).toEqual(['db/migrations/000001_init.down.sql']);
    expect(index.sets.get('db/migrations')!.dialect).toBe('postgresql');
    expect(index.drizzleJournals[0]!.entries).toEqual([{ idx: 0, when: 1, tag: '0000_init', line: 1 }]);
    expect([...index.files.keys()].some((p) => p.startsWith('test/'))).toBe(false);
  });

  it('takes the dialect of tools that do not record it from config', async () => {
    const index = await build(
      { 'migrations/20240101000000_init.js': 'exports.up = (knex) => knex.schema.createTable("t", () => {});\n' },
      { dialect: 'sqlite' },
    );
    expect(index.sets.get('migrations')!.dialect).toBe('sqlite');
  });

  it('reads the Alembic and Django graphs', async () => {
    const index = await build({
      'alembic/env.py': '',
      'alembic/versions/a1_init.py': 'revision = "a1"\ndown_revision = None\n',
      'alembic/versions/b2_merge.py': '"""merge"""\nrevision = "b2"\ndown_revision = ("a1", "x9")\ndepends_on = "c3"\n',
      'shop/migrations/0001_initial.py':
        'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = []\n',
      'shop/migrations/0002_squashed.py':
        'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    atomic = False\n    replaces = [("shop", "0001_initial")]\n    dependencies = [("shop", "0001_initial"), ("auth", "0012_x")]\n    operations = []\n',
    });
    expect(index.files.get('alembic/versions/b2_merge.py')!.alembic).toEqual({
      revision: 'b2',
      downRevisions: ['a1', 'x9'],
      dependsOn: ['c3'],
      line: 2,
    });
    expect(index.files.get('alembic/versions/a1_init.py')!.alembic!.downRevisions).toEqual([]);
    const dj = index.files.get('shop/migrations/0002_squashed.py')!.django!;
    expect(dj).toMatchObject({
      app: 'shop',
      name: '0002_squashed',
      atomic: false,
      valid: true,
      replaces: [{ app: 'shop', name: '0001_initial' }],
    });
    expect(dj.dependencies.map((d) => `${d.app}.${d.name}@${d.line}`)).toEqual([
      'shop.0001_initial@6',
      'auth.0012_x@6',
    ]);
  });

  it('replays column types and validated NOT NULL checks per migration position', async () => {
    const index = await build({
      'db/migrations/000001_init.up.sql': 'CREATE TABLE a (id bigint, name varchar(20));\n',
      'db/migrations/000002_widen.up.sql':
        'ALTER TABLE a ALTER COLUMN name TYPE varchar(50);\nALTER TABLE a ADD CONSTRAINT a_name_nn CHECK (name IS NOT NULL) NOT VALID;\n',
      'db/migrations/000003_validate.up.sql': 'ALTER TABLE a VALIDATE CONSTRAINT a_name_nn;\n',
    });
    expect(typeBefore(index, 'db/migrations', 1, 'a', 'name')).toBe('varchar(20)');
    expect(typeBefore(index, 'db/migrations', 2, 'a', 'name')).toBe('varchar(50)');
    expect(validatedNotNullBefore(index, 'db/migrations', 2, 'a', 'name')).toBe(false);
    expect(validatedNotNullBefore(index, 'db/migrations', 3, 'a', 'name')).toBe(true);
  });

  it('replays Django field definitions for AlterField', async () => {
    const index = await build({
      'shop/migrations/0001_initial.py':
        'from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n    operations = [\n        migrations.CreateModel(name="Order", fields=[("ref", models.CharField(max_length=20, null=True))]),\n    ]\n',
      'shop/migrations/0002_alter.py':
        'from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_initial")]\n    operations = [migrations.AlterField("order", "ref", models.CharField(max_length=40))]\n',
    });
    expect(djangoFieldBefore(index, 'shop/migrations', 'shop', 1, 'shop_order', 'ref')).toMatchObject({
      type: 'varchar(20)',
      null: true,
    });
    expect(djangoFieldBefore(index, 'shop/migrations', 'shop', 2, 'shop_order', 'ref')).toMatchObject({
      type: 'varchar(40)',
      null: false,
    });
  });
});

describe('Django headers', () => {
  const files = {
    'shop/migrations/0001_initial.py':
      'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = []\n',
    'shop/migrations/0002_next.py':
      'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    dependencies = [("shop", "0001_initial")]\n    operations = []\n',
  };

  it('are facts: parsed once per content, and a worker thread rebuilds the same definition', async () => {
    const store = new FactsStore();
    const first = await build(files, {}, undefined, store);
    const extracted = store.extractions;
    expect(extracted).toBe(2);
    const again = await build(files, {}, undefined, store);
    expect(store.extractions).toBe(extracted);
    expect(again.files.get('shop/migrations/0002_next.py')!.django).toEqual(
      first.files.get('shop/migrations/0002_next.py')!.django,
    );
    expect(first.files.get('shop/migrations/0002_next.py')!.django!.dependencies.map((d) => d.name)).toEqual([
      '0001_initial',
    ]);
    // What a worker would run (core/facts-parallel) is this definition, and it gives the same header.
    expect(djangoMetaFacts.portable).toBe(true);
    const rebuilt = WORKER_FACTS[djangoMetaFacts.id]!('', {} as never);
    expect(rebuilt.id).toBe(djangoMetaFacts.id);
    const r = await memorySnapshot(files).read('shop/migrations/0002_next.py');
    if (!r.ok) throw new Error('unreadable');
    await loadParsers(['python']);
    const modules = { has: () => false, js: () => undefined, python: () => undefined, goDir: () => undefined };
    const consult = () => Promise.resolve(undefined);
    expect(await rebuilt.extract(r.file, { modules, consult } as never, undefined as never)).toEqual(
      first.files.get('shop/migrations/0002_next.py')!.django,
    );
  });
});

describe('ORM models', () => {
  const migration = () =>
    `from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n    operations = [migrations.CreateModel(name="Thing", fields=[("id", models.AutoField(primary_key=True))])]\n`;
  const files = (invoiceField: string): Record<string, string> => ({
    'shop/migrations/0001_initial.py': migration(),
    'shop/models.py':
      'from django.db import models\n\nclass Base(models.Model):\n    created = models.DateTimeField()\n    class Meta:\n        abstract = True\n\nclass Order(Base):\n    ref = models.CharField(max_length=20)\n    customer = models.ForeignKey("Customer", on_delete=models.CASCADE)\n',
    'billing/migrations/0001_initial.py': migration(),
    'billing/models.py': `from django.db import models\nfrom shop.models import Base\n\nclass Invoice(Base):\n    ${invoiceField} = models.IntegerField()\n    class Meta:\n        db_table = "invoices"\n`,
  });
  const columns = (index: MigrationIndex) =>
    Object.fromEntries([...index.models.tables].map(([t, m]) => [t, [...m.columns].sort()]));

  it('reads each models module once per content, resolving inherited fields across modules every time', async () => {
    const store = new FactsStore();
    const first = await build(files('total'), {}, undefined, store);
    expect(columns(first)).toEqual({
      shop_order: ['created', 'customer', 'customer_id', 'ref'],
      invoices: ['created', 'total'],
    });
    const extracted = store.extractions;
    expect(extracted).toBeGreaterThanOrEqual(2);
    const again = await build(files('total'), {}, undefined, store);
    expect(store.extractions).toBe(extracted);
    expect(columns(again)).toEqual(columns(first));
    // One module changes: only it is read again, and its inherited fields still come from the other one.
    const changed = await build(files('amount'), {}, undefined, store);
    expect(store.extractions).toBe(extracted + 1);
    expect(columns(changed).invoices).toEqual(['amount', 'created']);
  });
});
