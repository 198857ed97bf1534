import { describe, expect, it } from 'vitest';
import { migrationsGate } from '../../../src/gates/migrations/index.js';
import { migrationsOptionsSchema } from '../../../src/gates/migrations/options.js';
import { memoryChangeSet, memorySnapshot } from '../../../src/source/memory.js';
import { parseConfig } from '../../../src/config/loader.js';
import { evaluate } from '../../../src/core/engine.js';
import { GATES } from '../../../src/gates/index.js';
import { migrationFindings } from './helpers.js';

/** The demo's trees (plain .mjs data modules without type declarations). */
async function demoTrees(): Promise<{ base: Record<string, string>; pr: Record<string, string> }> {
  const base = (await import(new URL('../../../scripts/demo/base.mjs', import.meta.url).href)) as {
    baseFiles: Record<string, string>;
  };
  const pr = (await import(new URL('../../../scripts/demo/pr.mjs', import.meta.url).href)) as {
    prFiles: Record<string, string>;
  };
  return { base: base.baseFiles, pr: pr.prFiles };
}

const applies = async (files: Record<string, string>) => {
  const snapshot = memorySnapshot(files);
  return migrationsGate.applies({
    snapshot,
    paths: await snapshot.list(),
    gateOptions: migrationsOptionsSchema.parse({}),
  });
};

describe('migrations gate', () => {
  it('applies to repositories with migrations, schema files or runtime schema sync, and only those', async () => {
    expect(await applies({ 'prisma/schema.prisma': 'model A { id Int @id }' })).toBe(true);
    expect(await applies({ 'shop/migrations/0001_initial.py': 'x' })).toBe(true);
    expect(await applies({ 'src/db.ts': 'new DataSource({ synchronize: true })' })).toBe(true);
    expect(await applies({ 'scripts/migration.sql': 'SELECT 1;' })).toBe(true);
    expect(
      await applies({ 'src/app.ts': 'console.log(1)', 'README.md': '# x', 'db/queries/report.sql': 'SELECT 1;' }),
    ).toBe(false);
  });

  it('defaults to the current PostgreSQL major and auto dialect', () => {
    expect(migrationsOptionsSchema.parse({})).toEqual({
      'postgres-version': 17,
      dialect: 'auto',
      'small-tables': [],
      paths: [],
    });
  });

  it("reports the demo pull request's edited migration, blocking index and dropped column, with fixes", async () => {
    const { base, pr } = await demoTrees();
    const findings = await migrationFindings(base, { ...base, ...pr });
    const newBlockers = findings
      .filter((f) => f.state === 'new' && f.severity === 'blocker')
      .map((f) => `${f.ruleId} ${f.path}:${f.line}`);
    expect(newBlockers.sort()).toEqual([
      'migrations/add-index-non-concurrent prisma/migrations/20260301000000_order_status/migration.sql:6',
      'migrations/drop-column prisma/migrations/20260301000000_order_status/migration.sql:3',
      'migrations/edited-migration prisma/migrations/20260101000000_init/migration.sql:5',
    ]);
    expect(findings.every((f) => f.fix.length > 20)).toBe(true);
  });

  it('lists head code that still uses a dropped or renamed column', async () => {
    const base = {
      'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
      'prisma/migrations/20240101000000_init/migration.sql':
        'CREATE TABLE "Order" ("id" BIGSERIAL NOT NULL, "total" DECIMAL(10,2) NOT NULL, "note" TEXT);\n',
      'prisma/schema.prisma': 'model Order {\n  id    BigInt  @id\n  total Decimal\n  memo  String? @map("note")\n}\n',
      'src/orders.ts':
        'import { db } from "./db";\nexport const create = (t: number) => db.order.create({ data: { total: t } });\nexport const report = `SELECT "note" FROM "Order" WHERE id = $1`;\nexport const cart = { total: 0 };\n',
      'billing/models.py':
        'from sqlalchemy import Column, Numeric\n\nclass Order(Base):\n    __tablename__ = "Order"\n    total = Column(Numeric)\n',
    };
    const head = {
      ...base,
      'prisma/migrations/20240301000000_x/migration.sql':
        'ALTER TABLE "Order" DROP COLUMN "total";\nALTER TABLE "Order" RENAME COLUMN "note" TO "comment";\n',
    };
    const findings = await migrationFindings(base, head, 'rules:\n  migrations/missing-lock-timeout: off\n');
    const drop = findings.find((f) => f.ruleId === 'migrations/drop-column')!;
    // Prisma schemas first (they map fields to columns), then the other files in path order; the unrelated
    // `cart.total` object is no reference.
    expect(drop.related?.map((r) => `${r.path}:${r.line}`)).toEqual([
      'prisma/schema.prisma:3',
      'billing/models.py:5',
      'src/orders.ts:2',
    ]);
    expect(drop.message).toContain(
      "This pull request's code still uses it: prisma/schema.prisma:3, billing/models.py:5, src/orders.ts:2.",
    );
    const rename = findings.find((f) => f.ruleId === 'migrations/rename-column')!;
    expect(rename.related?.map((r) => `${r.path}:${r.line}`)).toEqual(['prisma/schema.prisma:4', 'src/orders.ts:3']);
  });

  it('honours squawk-ignore and atlas:nolint (with a reason) for the corresponding rules only', async () => {
    const base = { 'db/migrations/000001_init.up.sql': 'CREATE TABLE t (id bigint PRIMARY KEY, a text, b text);\n' };
    const head = {
      ...base,
      'db/migrations/000002_x.up.sql':
        "SET lock_timeout = '1s';\n-- squawk-ignore ban-drop-column: unused since v3\nALTER TABLE t DROP COLUMN a;\n-- atlas:nolint DS103: unused since v3\nALTER TABLE t DROP COLUMN b;\n-- squawk-ignore renaming-column: n/a\nCREATE INDEX t_a ON t (id);\n",
    };
    // The markers are the PR's own: `allow` lets them clear blockers by themselves (the default waits for approval).
    const findings = await migrationFindings(base, head, 'suppressions: { new-blockers: allow }\n');
    const states = findings.map((f) => `${f.ruleId}@${f.line}:${f.state}`).sort();
    expect(states).toEqual([
      'migrations/add-index-non-concurrent@7:new',
      'migrations/drop-column@3:suppressed',
      'migrations/drop-column@5:suppressed',
    ]);
  });

  it('bare peer markers (no reason) suppress nothing and are reported; with a reason they wait for approval', async () => {
    const base = {
      'db/migrations/000001_init.up.sql':
        'CREATE TABLE t (id bigint PRIMARY KEY, a text);\nCREATE TABLE u (id bigint PRIMARY KEY);\n',
    };
    const evaluateHead = async (sql: string) =>
      (
        await evaluate({
          changeSet: memoryChangeSet({ base, head: { ...base, 'db/migrations/000002_x.up.sql': sql } }),
          config: parseConfig('', 'test', GATES),
          gates: GATES.filter((g) => g.id === 'migrations' || g.id === 'core'),
          now: new Date('2026-06-01T00:00:00Z'),
        })
      ).findings
        .map((f) => `${f.ruleId}@${f.line}:${f.state}${f.pendingApproval ? ':pending' : ''}`)
        .sort();
    expect(
      await evaluateHead(
        "SET lock_timeout = '1s';\n-- squawk-ignore-file ban-drop-table\n-- atlas:nolint\nDROP TABLE u;\n",
      ),
    ).toEqual([
      'core/suppression-missing-reason@2:new',
      'core/suppression-missing-reason@3:new',
      'migrations/drop-table@4:new',
    ]);
    expect(
      await evaluateHead(
        "SET lock_timeout = '1s';\n-- squawk-ignore-file ban-drop-table: table emptied in #41\nDROP TABLE u;\n",
      ),
    ).toEqual(['migrations/drop-table@3:new:pending']);
  });

  it('judges MySQL migrations for destructive changes only', async () => {
    const base = {
      'prisma/migrations/migration_lock.toml': 'provider = "mysql"\n',
      'prisma/migrations/1_init/migration.sql': 'CREATE TABLE `t` (`id` BIGINT NOT NULL, `a` TEXT);\n',
    };
    const head = {
      ...base,
      'prisma/migrations/2_x/migration.sql': 'ALTER TABLE `t` DROP COLUMN `a`;\nCREATE INDEX `t_id` ON `t`(`id`);\n',
    };
    // The PostgreSQL parser rejects MySQL's backticks as a file; statement by statement, the DROP still parses.
    const findings = await migrationFindings(base, head, '', { allowErrors: true });
    expect(findings.map((f) => `${f.ruleId}@${f.line}`)).toEqual(['migrations/drop-column@1']);
  });
});

describe('locks on a column added in the same migration (issue 14, cause 4)', () => {
  const lock = { 'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n' };
  const base = {
    ...lock,
    'prisma/migrations/20240101000000_init/migration.sql':
      'CREATE TABLE "Team" ("id" TEXT PRIMARY KEY);\nCREATE TABLE "Doc" ("id" TEXT PRIMARY KEY, "ownerId" TEXT, "source" TEXT);\n',
  };
  it('are warnings, while the same constraint on an existing column blocks', async () => {
    const head = {
      ...base,
      'prisma/migrations/20240301000000_team/migration.sql': [
        'ALTER TABLE "Doc" ADD COLUMN "teamId" TEXT;',
        'ALTER TABLE "Doc" ADD CONSTRAINT "Doc_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id");',
        'ALTER TABLE "Doc" ADD CONSTRAINT "Doc_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "Team"("id");',
        'ALTER TABLE "Doc" ADD COLUMN "status" TEXT DEFAULT \'x\';',
        'ALTER TABLE "Doc" ALTER COLUMN "status" SET NOT NULL;',
        'ALTER TABLE "Doc" ALTER COLUMN "source" SET NOT NULL;',
      ].join('\n'),
    };
    const findings = await migrationFindings(base, head);
    const got = findings
      .filter((f) => f.ruleId === 'migrations/constraint-without-not-valid' || f.ruleId === 'migrations/set-not-null')
      .map((f) => `${f.ruleId}:${f.line}:${f.severity}`)
      .sort();
    expect(got).toEqual([
      'migrations/constraint-without-not-valid:2:warning',
      'migrations/constraint-without-not-valid:3:blocker',
      'migrations/set-not-null:5:warning',
      'migrations/set-not-null:6:blocker',
    ]);
  });
});

describe('repositories that name both MySQL and PostgreSQL (issue 14, cause 5)', () => {
  const base = {
    'requirements.txt': 'mysqlclient==2.2.4\npsycopg2==2.9.9\n',
    'db/migrations/0001_init.sql': 'CREATE TABLE alerts (id bigint PRIMARY KEY, status int NOT NULL);\n',
  };
  const head = {
    ...base,
    'db/migrations/0002_status_index.sql': 'CREATE INDEX alerts_status_idx ON alerts (status);\n',
  };
  const severities = async (extra: Record<string, string>) =>
    (await migrationFindings({ ...base, ...extra }, { ...head, ...extra }))
      .filter((f) => f.ruleId === 'migrations/add-index-non-concurrent')
      .map((f) => f.severity);

  it('warn when nothing says which one runs', async () => {
    expect(await severities({})).toEqual(['warning']);
  });
  it('block when compose runs only PostgreSQL', async () => {
    expect(await severities({ 'docker-compose.yml': 'services:\n  db:\n    image: postgres:16\n' })).toEqual([
      'blocker',
    ]);
  });
  it('stay silent when the settings default is MySQL', async () => {
    expect(
      await severities({
        'app/settings.py': 'import os\nDATABASE_URL = os.environ.get("DATABASE_URL", "mysql://root@localhost/app")\n',
      }),
    ).toEqual([]);
  });
});
