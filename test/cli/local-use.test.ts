/**
 * The CLI as a developer uses it before committing: uncommitted work is judged (and said so), every
 * command has its own --help listing every flag it accepts, and a mistyped flag gets a suggestion.
 */
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { commandHelp, run } from '../../src/cli/main.js';
import { cleanupTempDirs, makeRepo } from '../source/helpers.js';

afterAll(cleanupTempDirs);

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const sink = (write: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        write(chunk.toString());
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

const MIGRATION = 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n';
const DROP = 'ALTER TABLE users DROP COLUMN email;\n';

/** main with a users table; branch `pr` with one harmless commit; the working tree clean. */
function repoOnBranch() {
  const repo = makeRepo();
  repo.writeAll({ 'README.md': '# x\n', 'db/migrations/001_users.sql': MIGRATION });
  repo.commit('base');
  repo.git('checkout', '-q', '-b', 'pr');
  repo.write('src/a.ts', 'export const a = 1;\n');
  repo.commit('pr');
  return repo;
}

/** Everything a check must leave as it was: status, index, refs, stashes. */
function visibleState(repo: ReturnType<typeof makeRepo>) {
  return {
    status: repo.git('status', '--porcelain=v1', '-z', '--untracked-files=all'),
    index: repo.git('ls-files', '-s'),
    refs: repo.git('for-each-ref'),
    stash: repo.git('stash', 'list'),
    head: repo.git('rev-parse', 'HEAD'),
  };
}

describe('check in a working tree', () => {
  it('judges an untracked file, says so on stderr, and changes nothing in the repository', async () => {
    const repo = repoOnBranch();
    repo.write('db/migrations/002_drop_email.sql', DROP);
    const before = visibleState(repo);
    const r = await cli(['check', '--base', 'main'], repo.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('migrations/drop-column');
    expect(r.stderr).toContain('including 1 uncommitted file (staged, unstaged or untracked) on top of HEAD');
    expect(r.stderr).toContain('db/migrations/002_drop_email.sql');
    expect(r.stderr).toContain('--committed checks the HEAD commit only');
    expect(visibleState(repo)).toEqual(before);
  });

  it('includes staged and unstaged changes alike; --committed judges HEAD only', async () => {
    const repo = repoOnBranch();
    repo.write('db/migrations/002_drop_email.sql', DROP);
    repo.git('add', 'db/migrations/002_drop_email.sql'); // staged
    repo.write('src/a.ts', 'export const a = 2;\n'); // unstaged
    const r = await cli(['check', '--base', 'main', '--format', 'json'], repo.dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/including 2 uncommitted files .*: db\/migrations\/002_drop_email\.sql, src\/a\.ts/);
    const report = JSON.parse(r.stdout) as { stats: { filesChanged: number }; findings: Array<{ ruleId: string }> };
    expect(report.stats.filesChanged).toBe(2);
    expect(report.findings.map((f) => f.ruleId)).toContain('migrations/drop-column');

    const committed = await cli(['check', '--base', 'main', '--committed'], repo.dir);
    expect(committed.code).toBe(0);
    expect(committed.stderr).toBe('');
    // --head names a commit, so the working tree is not involved either.
    expect((await cli(['check', '--base', 'main', '--head', 'pr'], repo.dir)).code).toBe(0);
  });

  it('ignores ignored files, and an index-only removal of a file still on disk', async () => {
    const repo = repoOnBranch();
    repo.writeAll({ '.gitignore': 'tmp/\n' });
    repo.commit('ignore tmp');
    repo.write('tmp/002_drop_email.sql', DROP);
    expect((await cli(['check', '--base', 'main'], repo.dir)).stderr).toBe('');
    repo.git('rm', '-q', '--cached', 'src/a.ts');
    const r = await cli(['check', '--base', 'main'], repo.dir);
    // The file is still on disk, so the working tree has it: removing from the index alone is no change.
    expect(r.stderr).toBe('');
  });

  it('says nothing on a clean working tree', async () => {
    const repo = repoOnBranch();
    const r = await cli(['check', '--base', 'main'], repo.dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
});

describe('per-command --help', () => {
  const flags: Record<string, string[]> = {
    check: [
      '--base',
      '--head',
      '--committed',
      '--config',
      '--format',
      '--output',
      '--fail-on',
      '--cwd',
      '--cache-dir',
      '--no-cache',
      '--fill-cache',
      '--help',
    ],
    rules: ['--format', '--help'],
    explain: ['--help'],
  };

  it.each(Object.keys(flags))('%s --help lists every flag the command accepts, and exits 0', async (command) => {
    for (const form of [
      [command, '--help'],
      [command, '-h'],
      ['help', command],
    ]) {
      const r = await cli(form, process.cwd());
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${commandHelp(command as 'check')}\n`);
    }
    const help = commandHelp(command as 'check');
    expect(help).toContain(`Usage: readiness-gates ${command}`);
    const listed = new Set(
      [...help.matchAll(/(?:^|\s)(--[a-z-]+)/gm)].filter((m) => m.index !== undefined).map((m) => m[1]!),
    );
    // Exactly the accepted flags: the help and the parser read the same table, and this keeps the list honest.
    const options = new Set(
      [...help.split('Options:')[1]!.matchAll(/^ {2}(?:-\w, | {4})(--[a-z-]+)/gm)].map((m) => m[1]!),
    );
    expect([...options].sort()).toEqual([...flags[command]!].sort());
    for (const flag of flags[command]!) expect(listed.has(flag)).toBe(true);
  });

  it('the general usage names every command and how to get its options', async () => {
    const r = await cli(['--help'], process.cwd());
    for (const command of Object.keys(flags)) expect(r.stdout).toContain(`readiness-gates ${command}`);
    expect(r.stdout).toContain('`readiness-gates <command> --help`');
    // Only real commands have help; a name every object has is an unknown command.
    const odd = await cli(['toString', '--help'], process.cwd());
    expect(odd.code).toBe(2);
    expect(odd.stderr).toContain('unknown command "toString"');
  });
});

describe('mistyped flags', () => {
  it.each([
    [['check', '--bsae', 'main'], '--bsae', '--base'],
    [['check', '--comitted'], '--comitted', '--committed'],
    [['check', '--fromat=json'], '--fromat', '--format'],
    [['rules', '--formt', 'json'], '--formt', '--format'],
  ])('%j suggests the closest flag and exits 2', async (args, typo, guess) => {
    const r = await cli(args, process.cwd());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`unknown option ${typo} for ${args[0]} (did you mean ${guess}?)`);
    // The command's own help follows, not the general usage.
    expect(r.stderr).toContain(`Usage: readiness-gates ${args[0]}`);
  });
});
