/**
 * Verdict integrity on the CLI (issue 13, item 1): a suppression comment the branch adds next to its own
 * blocker does not make `check` pass — the CLI has no approver, so it reports the finding as blocking and
 * says what GitHub will need; a bare peer marker (no reason) suppresses nothing; a suppression that is
 * already on the base branch keeps working.
 */
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { cleanupTempDirs, makeRepo } from '../source/helpers.js';

afterAll(cleanupTempDirs);

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        append(chunk.toString());
        cb();
      },
    });
  const code = await run(args, {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    cwd,
    env: {},
  });
  return { code, stdout, stderr };
}

function branch(base: Record<string, string>, pr: Record<string, string>) {
  const repo = makeRepo();
  repo.writeAll(base);
  repo.commit('base');
  repo.git('checkout', '-q', '-b', 'pr');
  repo.writeAll(pr);
  repo.commit('pr');
  return repo;
}

const PACKAGE = JSON.stringify({ name: 'shop', version: '1.0.0', dependencies: { pino: '^9.0.0' } }) + '\n';
const LOGGER = "import pino from 'pino';\n\nexport const logger = pino();\n";
const AUTH = (extra: string) =>
  `import { logger } from './logger.js';\n\nexport async function login(req) {\n  const { username, password } = req.body;\n${extra}  logger.info(\`login attempt for \${username} with \${password}\`);\n}\n`;
const MIGRATIONS_BASE = { 'db/migrations/000001_init.up.sql': 'CREATE TABLE sessions (id bigint PRIMARY KEY);\n' };

interface JsonFinding {
  id: string;
  ruleId: string;
  state: string;
  severity: string;
  pendingApproval?: { kind: string; reason: string; by: string; marker?: string };
}

describe('suppression comments the branch adds', () => {
  it('`readiness-ignore pii: <any text>` next to its own blocker: still blocked (exit 1), and says what GitHub will need', async () => {
    const repo = branch(
      { 'package.json': PACKAGE, 'src/logger.ts': LOGGER, 'README.md': '# x\n' },
      { 'src/auth.ts': AUTH('  // readiness-ignore pii: it is only a demo\n') },
    );
    const json = await cli(['check', '--base', 'main', '--format', 'json'], repo.dir);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { schemaVersion: number; verdict: string; findings: JsonFinding[] };
    expect(report.schemaVersion).toBe(1);
    expect(report.verdict).toBe('blocked');
    const f = report.findings.find((x) => x.ruleId.startsWith('pii/'))!;
    expect(f).toMatchObject({
      state: 'new',
      severity: 'blocker',
      pendingApproval: { kind: 'comment', reason: 'it is only a demo', by: 'src/auth.ts:5' },
    });

    const text = await cli(['check', '--base', 'main'], repo.dir);
    expect(text.code).toBe(1);
    // The terminal report wraps long lines; the words matter, not where they break.
    const words = text.stdout.replace(/\s+/g, ' ');
    expect(words).toContain('awaiting approval, so it still blocks');
    expect(words).toContain(`/readiness approve ${f.id}`);
  });

  it('bare `-- atlas:nolint` and `-- squawk-ignore-file ban-drop-table` (no reason) do not clear a DROP TABLE', async () => {
    const repo = branch(MIGRATIONS_BASE, {
      'db/migrations/000002_drop.up.sql':
        "SET lock_timeout = '1s';\n-- squawk-ignore-file ban-drop-table\n-- atlas:nolint\nDROP TABLE sessions;\n",
    });
    const r = await cli(['check', '--base', 'main', '--format', 'json'], repo.dir);
    expect(r.code).toBe(1);
    const findings = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
    expect(findings.find((f) => f.ruleId === 'migrations/drop-table')).toMatchObject({
      state: 'new',
      severity: 'blocker',
    });
    expect(findings.find((f) => f.ruleId === 'migrations/drop-table')!.pendingApproval).toBeUndefined();
    expect(findings.filter((f) => f.ruleId === 'core/suppression-missing-reason')).toHaveLength(2);
  });

  it('a peer marker with a reason, added by the branch, waits for approval like ours', async () => {
    const repo = branch(MIGRATIONS_BASE, {
      'db/migrations/000002_drop.up.sql':
        "SET lock_timeout = '1s';\n-- squawk-ignore ban-drop-table: emptied and unused since #41\nDROP TABLE sessions;\n",
    });
    const r = await cli(['check', '--base', 'main', '--format', 'json'], repo.dir);
    expect(r.code).toBe(1);
    const drop = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings.find(
      (f) => f.ruleId === 'migrations/drop-table',
    )!;
    expect(drop).toMatchObject({
      state: 'new',
      pendingApproval: { kind: 'native', marker: 'squawk-ignore', reason: 'emptied and unused since #41' },
    });
  });

  it('a suppression already on the base branch keeps working (exit 0)', async () => {
    const marker = '// readiness-ignore-file pii: demo service, its logs go nowhere\n';
    const repo = branch(
      { 'package.json': PACKAGE, 'src/logger.ts': LOGGER, 'src/auth.ts': `${marker}export const x = 1;\n` },
      { 'src/auth.ts': marker + AUTH('') },
    );
    const r = await cli(['check', '--base', 'main', '--format', 'json'], repo.dir);
    expect(r.code).toBe(0);
    expect(
      (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings.find((f) => f.ruleId.startsWith('pii/')),
    ).toMatchObject({ state: 'suppressed' });
  });

  it('`suppressions: { new-blockers: allow }` in the base config restores the old behaviour', async () => {
    const repo = branch(
      {
        'package.json': PACKAGE,
        'src/logger.ts': LOGGER,
        '.github/readiness.yml': 'suppressions:\n  new-blockers: allow\n',
      },
      { 'src/auth.ts': AUTH('  // readiness-ignore pii: it is only a demo\n') },
    );
    expect((await cli(['check', '--base', 'main'], repo.dir)).code).toBe(0);
  });
});
