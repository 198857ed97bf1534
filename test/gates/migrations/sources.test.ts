import { describe, expect, it } from 'vitest';
import {
  changedObjects,
  djangoObjects,
  drizzleObjects,
  prismaObjects,
  sqlalchemyObjects,
  typeormObjects,
} from '../../../src/gates/migrations/schema-sources.js';
import { semanticSignature } from '../../../src/gates/migrations/semantic.js';
import { source } from './helpers.js';

const changed = async (
  path: string,
  before: string,
  after: string,
  fn: typeof prismaObjects,
  key: 'signature' | 'stateSignature' = 'signature',
) =>
  changedObjects(fn(await source(path, before)), fn(await source(path, after)), key).map((c) => `${c.kind} ${c.name}`);

describe('schema signatures', () => {
  const prisma =
    'model User {\n  id    Int    @id @default(autoincrement())\n  email String @unique\n}\n\nenum Role {\n  ADMIN\n  USER\n}\n';

  it('Prisma: formatting, comments, attribute order and generator blocks are not schema changes', async () => {
    const reformatted =
      'generator client {\n  provider = "prisma-client-js"\n  previewFeatures = ["views"]\n}\n\n/// Accounts.\nmodel User {\n  id Int @default(autoincrement()) @id // primary key\n\n  email String   @unique\n}\n\nenum Role {\n  ADMIN // admins\n  USER\n}\n';
    expect(await changed('schema.prisma', prisma, reformatted, prismaObjects)).toEqual([]);
    expect(
      await changed('schema.prisma', prisma, prisma.replace('  USER\n', '  USER\n  GUEST\n'), prismaObjects),
    ).toEqual(['changed enum Role']);
    expect(await changed('schema.prisma', prisma, prisma + '\nmodel Tag {\n  id Int @id\n}\n', prismaObjects)).toEqual([
      'added model Tag',
    ]);
    expect(
      await changed('schema.prisma', prisma, prisma.replace('@unique', '@unique @db.VarChar(100)'), prismaObjects),
    ).toEqual(['changed model User']);
  });

  it('Prisma: @@ignore models are not managed', async () => {
    const ignored = prisma.replace('  email String @unique\n}', '  email String @unique\n  @@ignore\n}');
    expect(await changed('schema.prisma', ignored, ignored.replace('@unique', ''), prismaObjects)).toEqual([]);
  });

  it('Django: DB-relevant kwargs vs state-only ones; abstract models skipped', async () => {
    const models =
      'from django.db import models\n\nclass Order(models.Model):\n    ref = models.CharField(max_length=20)\n    note = models.TextField(blank=True)\n\nclass Base(models.Model):\n    x = models.IntegerField()\n    class Meta:\n        abstract = True\n';
    expect(
      await changed(
        'shop/models.py',
        models,
        models.replace('blank=True', 'blank=True, help_text="Shown"'),
        djangoObjects,
      ),
    ).toEqual([]);
    expect(
      await changed(
        'shop/models.py',
        models,
        models.replace('blank=True', 'blank=True, help_text="Shown"'),
        djangoObjects,
        'stateSignature',
      ),
    ).toEqual(['changed model Order']);
    expect(
      await changed('shop/models.py', models, models.replace('max_length=20', 'max_length=40'), djangoObjects),
    ).toEqual(['changed model Order']);
    expect(
      await changed(
        'shop/models.py',
        models,
        models.replace('x = models.IntegerField()', 'x = models.BigIntegerField()'),
        djangoObjects,
      ),
    ).toEqual([]);
  });

  it('Drizzle, TypeORM and SQLAlchemy: comments and relations() do not count', async () => {
    const drizzle =
      "import { pgTable, text } from 'drizzle-orm/pg-core';\nexport const posts = pgTable('posts', { title: text('title') });\nexport const rel = relations(posts, () => ({}));\n";
    expect(
      await changed(
        'src/schema.ts',
        drizzle,
        drizzle.replace('({})', '({ a: 1 })').replace("text('title') }", "text('title') /* shown */ }"),
        drizzleObjects,
      ),
    ).toEqual([]);
    expect(
      await changed(
        'src/schema.ts',
        drizzle,
        drizzle.replace("text('title')", "text('title').notNull()"),
        drizzleObjects,
      ),
    ).toEqual(['changed table posts']);
    const entity = "@Entity('user')\nexport class User {\n  @Column()\n  name!: string;\n}\n";
    expect(
      await changed(
        'src/user.entity.ts',
        entity,
        entity.replace('@Column()', '@Column({ nullable: true })'),
        typeormObjects,
      ),
    ).toEqual(['changed entity User']);
    const sa =
      'class User(Base):\n    __tablename__ = "users"\n    name = Column(String(20))\n\n    def greet(self):\n        return 1\n';
    expect(await changed('app/models.py', sa, sa.replace('return 1', 'return 2'), sqlalchemyObjects)).toEqual([]);
    expect(await changed('app/models.py', sa, sa.replace('String(20)', 'String(40)'), sqlalchemyObjects)).toEqual([
      'changed table users',
    ]);
  });
});

describe('semantic signatures of migrations', () => {
  it('ignore comments and whitespace in SQL, docstrings/comments/atomic in Python, comments in JS', async () => {
    const sig = async (path: string, text: string) => semanticSignature(await source(path, text));
    expect(await sig('a.sql', 'ALTER TABLE t ADD COLUMN a int;')).toBe(
      await sig('a.sql', '-- why\nALTER TABLE t\n  ADD COLUMN a int;\n'),
    );
    expect(await sig('a.sql', 'ALTER TABLE t ADD COLUMN a int;')).not.toBe(
      await sig('a.sql', 'ALTER TABLE t ADD COLUMN a bigint;'),
    );
    const py = 'from django.db import migrations\n\nclass Migration(migrations.Migration):\n    operations = []\n';
    expect(await sig('m.py', py)).toBe(
      await sig(
        'm.py',
        '# Generated by Django 5.0\n' +
          py.replace('    operations', '    """Doc."""\n    atomic = False\n    operations'),
      ),
    );
    expect(await sig('m.py', py)).not.toBe(await sig('m.py', py.replace('[]', '[migrations.RunSQL("SELECT 1")]')));
    expect(await sig('m.js', 'exports.up = () => 1;')).toBe(
      await sig('m.js', '// note\nexports.up = () => 1; /* x */'),
    );
  });
});
