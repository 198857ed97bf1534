/**
 * Files the engine cannot read (issue 13, item 2), through the CLI against real git repositories: text
 * that is not UTF-8 and NUL bytes are decoded and analysed; what still cannot be analysed (over
 * `max-file-bytes`, over the analysis budget) makes the report incomplete and blocks, unless the base
 * config says `on-unanalysed: warn`; an unreadable base config is a configuration error.
 */
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { cleanupTempDirs, makeRepo } from '../source/helpers.js';

afterAll(cleanupTempDirs);

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => text };
}

async function check(cwd: string, env: Record<string, string> = {}) {
  const out = sink();
  const err = sink();
  const code = await run(['check', '--base', 'main', '--head', 'pr', '--format', 'json'], {
    stdout: out.stream,
    stderr: err.stream,
    cwd,
    env,
  });
  return { code, report: code === 2 ? undefined : JSON.parse(out.text()), stderr: err.text() };
}

type Files = Record<string, string | Uint8Array>;

function repoWithPr(head: Files, base: Files = {}) {
  const repo = makeRepo();
  repo.writeAll({ 'README.md': '# x\n', ...base });
  repo.commit('base');
  repo.git('checkout', '-q', '-b', 'pr');
  repo.writeAll(head);
  repo.commit('pr');
  return repo;
}

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

const PINO = {
  'package.json': '{ "name": "svc", "dependencies": { "pino": "^9.0.0" } }\n',
  'src/logger.ts': "import pino from 'pino';\nexport const logger = pino();\n",
};
const MIGRATIONS = { 'migrations/001_init.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n' };

const rules = (report: { findings: Array<{ ruleId: string; state: string }> }) =>
  report.findings.filter((f) => f.state === 'new').map((f) => f.ruleId);

describe('files the engine could not read', () => {
  it('decodes a latin-1 byte as windows-1252 and analyses the file', async () => {
    const repo = repoWithPr(
      {
        'src/signup.ts': bytes(
          "import { logger } from './logger';\n// caf",
          [0xe9],
          '\nexport function signup(password: string) {\n  logger.info({ password });\n}\n',
        ),
      },
      PINO,
    );
    const { code, report } = await check(repo.dir);
    expect(rules(report)).toContain('pii/sensitive-field-logged');
    expect(report.verdict).toBe('blocked');
    expect(code).toBe(1);
  });

  it('analyses a TypeScript file with a NUL byte early in it', async () => {
    const repo = repoWithPr(
      {
        'src/signup.ts': bytes(
          '// ',
          [0],
          "\nimport { logger } from './logger';\nexport function signup(password: string) {\n  logger.info({ password });\n}\n",
        ),
      },
      PINO,
    );
    const { code, report } = await check(repo.dir);
    expect(rules(report)).toContain('pii/sensitive-field-logged');
    expect(code).toBe(1);
  });

  it('does not drop the SQL after a NUL byte', async () => {
    const repo = repoWithPr(
      { 'migrations/002_drop.sql': bytes('-- cleanup', [0], '\nDROP TABLE users;\n') },
      MIGRATIONS,
    );
    const { code, report } = await check(repo.dir);
    expect(rules(report)).toContain('migrations/drop-table');
    expect(code).toBe(1);
  });

  it('a migration padded past max-file-bytes makes the report incomplete: blocked, with the reason and the fix', async () => {
    const padded = `DROP TABLE users;\n${'-- padding\n'.repeat(200)}`;
    const repo = repoWithPr(
      { 'migrations/002_drop.sql': padded },
      { ...MIGRATIONS, '.github/readiness.yml': 'max-file-bytes: 1024\n' },
    );
    const { code, report } = await check(repo.dir);
    expect(code).toBe(1);
    expect(report.verdict).toBe('blocked');
    const finding = report.findings.find((f: { ruleId: string }) => f.ruleId === 'core/unanalysed-file');
    expect(finding).toMatchObject({ severity: 'blocker', state: 'new', path: 'migrations/002_drop.sql', line: 1 });
    expect(finding.message).toContain('over the 1.0 KiB limit (config max-file-bytes)');
    expect(finding.message).toContain('the migrations gate');
    expect(finding.fix).toContain('max-file-bytes');
    expect(report.incomplete).toEqual({
      blocking: true,
      files: [
        { path: 'migrations/002_drop.sql', reason: expect.stringContaining('max-file-bytes'), gates: ['migrations'] },
      ],
    });
    expect(report.schemaVersion).toBe(1);
  });

  it('on-unanalysed: warn in the base config reports the same file as a warning and lets the PR pass', async () => {
    const padded = `DROP TABLE users;\n${'-- padding\n'.repeat(200)}`;
    const repo = repoWithPr(
      { 'migrations/002_drop.sql': padded },
      { ...MIGRATIONS, '.github/readiness.yml': 'max-file-bytes: 1024\non-unanalysed: warn\n' },
    );
    const { code, report } = await check(repo.dir);
    expect(code).toBe(0);
    expect(report.findings.find((f: { ruleId: string }) => f.ruleId === 'core/unanalysed-file')).toMatchObject({
      severity: 'warning',
    });
    expect(report.incomplete.blocking).toBe(false);
  });

  it('a large file no gate reads does not block', async () => {
    const repo = repoWithPr(
      { 'docs/big.md': `${'words '.repeat(400)}\n` },
      { ...MIGRATIONS, '.github/readiness.yml': 'max-file-bytes: 1024\n' },
    );
    const { code, report } = await check(repo.dir);
    expect(code).toBe(0);
    expect(report.incomplete).toBeUndefined();
  });

  it('a file whose analysis exceeds the per-file budget is too complex: incomplete, blocked', async () => {
    const chain = Array.from({ length: 1000 }, (_, i) => `a${i % 10}`).join(' + ');
    const repo = repoWithPr(
      {
        'src/noise.ts': `import { logger } from './logger';\nexport function f(${Array.from({ length: 10 }, (_, i) => `a${i}: string`).join(', ')}) {\n  logger.info(${chain});\n}\n`,
      },
      PINO,
    );
    const { code, report } = await check(repo.dir, { READINESS_FILE_BUDGET_MS: '1' });
    expect(code).toBe(1);
    expect(report.findings.find((f: { ruleId: string }) => f.ruleId === 'core/unanalysed-file')).toMatchObject({
      path: 'src/noise.ts',
      state: 'new',
    });
    expect(report.incomplete.files[0].reason).toMatch(/^too complex: /);
  });

  describe('an unreadable base config is a configuration error, not the defaults', () => {
    it.each([
      ['not UTF-8', { '.github/readiness.yml': bytes('fail-on: never # caf', [0xe9], '\n') }, 'not valid UTF-8'],
      ['too large', { '.github/readiness.yml': `fail-on: never\n${'#\n'.repeat(600_000)}` }, 'limit'],
    ] as const)('%s', async (_name, base, message) => {
      const repo = repoWithPr({ 'migrations/002_drop.sql': 'DROP TABLE users;\n' }, { ...MIGRATIONS, ...base });
      const { code, stderr } = await check(repo.dir);
      expect(code).toBe(2);
      expect(stderr).toContain('.github/readiness.yml:1:1');
      expect(stderr).toContain(message);
    });

    it('a symlink', async () => {
      const repo = makeRepo();
      repo.writeAll({ 'README.md': '# x\n', 'lenient.yml': 'fail-on: never\n', ...MIGRATIONS });
      repo.writeAll({ '.github/.keep': '' });
      symlinkSync('../lenient.yml', join(repo.dir, '.github/readiness.yml'));
      repo.commit('base');
      repo.git('checkout', '-q', '-b', 'pr');
      repo.writeAll({ 'migrations/002_drop.sql': 'DROP TABLE users;\n' });
      repo.commit('pr');
      const { code, stderr } = await check(repo.dir);
      expect(code).toBe(2);
      expect(stderr).toContain('.github/readiness.yml:1:1');
      expect(stderr).toContain('is a symbolic link');
    });
  });
});
