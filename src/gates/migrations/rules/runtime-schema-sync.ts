import type { FileRule } from '../../../core/types.js';
import type { SourceFile, TSNode } from '../../../lang/source-file.js';
import { calleeName, descendantsOfType, lineOf, objectProps, positionalArgs } from '../../../lang/ts-helpers.js';
import type { MigrationsOptions } from '../options.js';

/** Script names that run in development or tests only. */
const DEV_SCRIPT =
  /(?:^|:)(?:dev|develop|test|tests|e2e|seed|db:dev|local|storybook|lint|format|typecheck)(?:$|:)|^(?:db:push|push)$/;

/** Commands that push the ORM schema straight into the database, bypassing migrations. */
const PUSH_COMMANDS: Array<{ re: RegExp; what: string }> = [
  { re: /\bprisma\s+db\s+push\b/, what: 'prisma db push' },
  { re: /\bdrizzle-kit\s+push\b/, what: 'drizzle-kit push' },
  { re: /\btypeorm(?:-ts-node-\w+)?\s+schema:sync\b/, what: 'typeorm schema:sync' },
];

/** True when an enclosing condition makes the code run only outside production. */
function guardedByEnvironment(node: TSNode): boolean {
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'if_statement' || n.type === 'ternary_expression') {
      const cond = (n.childForFieldName('condition') ?? n.namedChildren[0])?.text ?? '';
      if (/NODE_ENV|\bENV\b|APP_ENV|isDev|isTest|development|\btest\b/.test(cond)) return true;
    }
  }
  return false;
}

function literalTrue(node: TSNode | undefined): boolean {
  return node?.type === 'true';
}

/**
 * migrations/runtime-schema-sync: production code that changes the schema at startup instead of through
 * reviewed migrations — TypeORM `synchronize: true` / `dropSchema: true`, Sequelize
 * `sync({ alter: true })` / `sync({ force: true })`, and `prisma db push` / `drizzle-kit push` /
 * `typeorm schema:sync` in start, build or deploy scripts, Dockerfiles and deploy workflows. Code guarded by
 * an environment check and dev/test scripts are left alone.
 */
export const rule: FileRule<unknown, MigrationsOptions> = {
  scope: 'file',
  files: [
    '**/*.{ts,mts,cts,js,mjs,cjs}',
    '**/package.json',
    '**/Dockerfile',
    '**/Dockerfile.*',
    '**/*.Dockerfile',
    '**/*.sh',
    '**/.github/workflows/*.{yml,yaml}',
    '**/Procfile',
  ],
  prefilter: ['synchronize', 'dropSchema', '.sync(', 'db push', 'drizzle-kit push', 'schema:sync'],
  meta: {
    id: 'migrations/runtime-schema-sync',
    gate: 'migrations',
    severity: 'blocker',
    description:
      'Production code or deploy scripts sync the ORM schema into the database directly, bypassing migrations.',
    messages: {
      synchronize:
        '`{{option}}: true` makes TypeORM {{effect}} on every start: in production a renamed or removed entity field drops the column and its data, with no migration to review.',
      sequelizeSync:
        '`{{call}}({ {{option}}: true })` makes Sequelize {{effect}} on every start: in production it can drop columns and data, and concurrent instances race to alter the same tables.',
      push: '`{{what}}` in {{where}} applies the ORM schema straight to the database: destructive changes (dropped columns, changed types) happen without a reviewed migration{{dataLoss}}.',
    },
    fixes: {
      synchronize:
        'Set `synchronize: false` (or derive it from a development-only flag) and apply schema changes with migrations in the deploy (`migrationsRun` or `typeorm migration:run`).',
      sequelizeSync:
        'Remove the sync call outside development and use migrations (`sequelize-cli db:migrate`) in the deploy.',
      push: 'Use migrations in deploys: `prisma migrate deploy` / `drizzle-kit migrate` / `typeorm migration:run`; keep `{{what}}` for local prototyping.',
    },
  },
  check(file, _change, ctx) {
    if (ctx.side !== 'head') return;
    if (file.language === 'typescript' || file.language === 'javascript' || file.language === 'tsx')
      codeCheck(file, ctx);
    else scriptCheck(file, ctx);
  },
};

type Ctx = Parameters<FileRule<unknown, MigrationsOptions>['check']>[2];

function codeCheck(file: SourceFile, ctx: Ctx): void {
  const root = file.tree()?.rootNode;
  if (!root) return;
  for (const obj of descendantsOfType(root, 'object')) {
    const props = objectProps(obj);
    // A TypeORM DataSource/connection options object: has `type` and `entities`, or is passed to one.
    const looksTypeorm =
      (props.has('type') && (props.has('entities') || props.has('database') || props.has('url'))) ||
      /DataSource|TypeOrmModule|createConnection/.test(obj.parent?.parent?.text.slice(0, 80) ?? '');
    if (!looksTypeorm) continue;
    for (const [option, effect] of [
      ['synchronize', 'alter the database to match the entities'],
      ['dropSchema', 'drop the whole schema'],
    ] as const) {
      const value = props.get(option);
      if (!value || !literalTrue(value) || guardedByEnvironment(obj)) continue;
      ctx.report({ messageId: 'synchronize', data: { option, effect }, line: lineOf(value), key: option });
    }
  }
  for (const call of descendantsOfType(root, 'call_expression')) {
    const callee = calleeName(call) ?? '';
    if (!callee.endsWith('.sync') && callee !== 'sync') continue;
    const arg = positionalArgs(call)[0];
    if (arg?.type !== 'object') continue;
    const props = objectProps(arg);
    for (const [option, effect] of [
      ['force', 'drop and re-create every table'],
      ['alter', 'alter every table to match the models'],
    ] as const) {
      if (!literalTrue(props.get(option)) || guardedByEnvironment(call)) continue;
      ctx.report({
        messageId: 'sequelizeSync',
        data: { call: callee, option, effect },
        line: lineOf(call),
        key: `${callee}:${option}`,
      });
    }
  }
}

function scriptCheck(file: SourceFile, ctx: Ctx): void {
  const isPackageJson = file.path.endsWith('package.json');
  let scripts: Record<string, string> = {};
  if (isPackageJson) {
    try {
      scripts = (JSON.parse(file.text) as { scripts?: Record<string, string> }).scripts ?? {};
    } catch {
      return;
    }
  }
  const lines = file.lines();
  lines.forEach((text, i) => {
    for (const { re, what } of PUSH_COMMANDS) {
      if (!re.test(text)) continue;
      let where = file.path;
      if (isPackageJson) {
        // Which script holds it: a dev/test script is fine.
        const name = Object.entries(scripts).find(
          ([, cmd]) => re.test(cmd) && text.includes(JSON.stringify(cmd).slice(1, -1)),
        )?.[0];
        if (!name || DEV_SCRIPT.test(name)) continue;
        where = `the "${name}" script of ${file.path}`;
      } else if (/^\s*#/.test(text)) {
        continue;
      }
      ctx.report({
        messageId: 'push',
        data: {
          what,
          where,
          dataLoss: /--accept-data-loss|--force/.test(text) ? ', and the data-loss prompt is switched off' : '',
        },
        line: i + 1,
        key: what,
      });
    }
  });
}
