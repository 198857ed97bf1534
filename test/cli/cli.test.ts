/**
 * The CLI contract: commands, formats, outputs and exit codes (0 ready, 1 blocked, 2 usage/config error),
 * against real git repositories.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { cleanupTempDirs, makeRepo, tempDir } from '../source/helpers.js';

afterAll(cleanupTempDirs);

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => text };
}

async function cli(args: string[], cwd: string, env: Record<string, string> = {}) {
  const out = capture();
  const err = capture();
  const code = await run(args, { stdout: out.stream, stderr: err.stream, cwd, env });
  return { code, stdout: out.text(), stderr: err.text() };
}

function repoWithPr(files: Record<string, string>, baseFiles: Record<string, string> = { 'README.md': '# x\n' }) {
  const repo = makeRepo();
  repo.writeAll(baseFiles);
  repo.commit('base');
  repo.git('checkout', '-q', '-b', 'pr');
  repo.writeAll(files);
  repo.commit('pr');
  return repo;
}

describe('readiness-gates CLI', () => {
  it('rules lists every rule; explain prints docs; unknown ids suggest', async () => {
    const rules = await cli(['rules'], process.cwd());
    expect(rules.code).toBe(0);
    expect(rules.stdout).toContain('core/unused-suppression');
    const json = JSON.parse((await cli(['rules', '--format', 'json'], process.cwd())).stdout) as Array<{ id: string }>;
    expect(json.map((r) => r.id)).toContain('core/suppression-missing-reason');
    const explain = await cli(['explain', 'core/unused-suppression'], process.cwd());
    expect(explain.code).toBe(0);
    expect(explain.stdout).toContain('## ❌ Bad');
    const unknown = await cli(['explain', 'core/unused-supression'], process.cwd());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('did you mean "core/unused-suppression"');
  });

  it('usage errors exit 2', async () => {
    expect((await cli(['chekc'], process.cwd())).stderr).toContain('did you mean "check"');
    expect((await cli(['check', '--format', 'xml'], process.cwd())).code).toBe(2);
    expect((await cli(['check', '--bogus'], process.cwd())).code).toBe(2);
    expect((await cli([], process.cwd())).code).toBe(2);
    const repo = repoWithPr({ 'src/a.ts': 'export const a = 1;\n' });
    const workers = await cli(['check', '--base', 'main', '--head', 'pr'], repo.dir, { READINESS_WORKERS: 'many' });
    expect(workers.code).toBe(2);
    expect(workers.stderr).toContain(
      'READINESS_WORKERS must be a whole number of worker threads from 0 to 64; got "many"',
    );
    expect((await cli(['check', '--base', 'main', '--head', 'pr'], repo.dir, { READINESS_WORKERS: '0' })).code).toBe(0);
  });

  it('check writes each format and exits 0 when ready', async () => {
    const repo = repoWithPr({ 'src/a.ts': 'export const a = 1;\n' });
    const text = await cli(['check', '--base', 'main', '--head', 'pr'], repo.dir);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/READY/);
    const json = await cli(['check', '--base', 'main', '--format', 'json'], repo.dir);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({
      schemaVersion: 1,
      verdict: 'ready',
      base: { ref: 'main' },
      stats: { filesChanged: 1 },
    });
    const md = await cli(['check', '--base', 'main', '--format', 'markdown'], repo.dir);
    expect(md.stdout.startsWith('<!-- readiness-gates:scorecard -->')).toBe(true);
    const out = join(tempDir(), 'r.sarif');
    const sarif = await cli(['check', '--base', 'main', '--format', 'sarif', '--output', out], repo.dir);
    expect(sarif.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).version).toBe('2.1.0');
  });

  it('exits 1 when blocked', async () => {
    const repo = repoWithPr({ 'src/a.ts': '// readiness-ignore pii/no-such-rule: typo\nexport const a = 1;\n' });
    const r = await cli(['check', '--base', 'main', '--fail-on', 'warning'], repo.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('core/unused-suppression');
  });

  it('a config error on the base branch exits 2 with file:line:column and the key', async () => {
    const repo = repoWithPr(
      { 'src/a.ts': 'export const a = 1;\n' },
      { '.github/readiness.yml': 'fail-on: blocker\nbaseline: sometimes\n' },
    );
    const r = await cli(['check', '--base', 'main'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\.github\/readiness\.yml:2:11 baseline: /);
  });

  it('says what to fetch when the base is missing from a shallow clone', async () => {
    const origin = repoWithPr({ 'src/a.ts': 'export const a = 1;\n' });
    for (let i = 0; i < 3; i++) {
      origin.write(`src/n${i}.ts`, `export const n = ${i};\n`);
      origin.commit(`c${i}`);
    }
    const clone = tempDir();
    spawnSync('git', ['clone', '-q', '--depth', '1', '--no-local', '--branch', 'pr', `file://${origin.dir}`, clone]);
    spawnSync('git', ['fetch', '-q', '--depth', '1', 'origin', 'main:refs/remotes/origin/main'], { cwd: clone });
    const r = await cli(['check', '--base', 'origin/main'], clone);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/fetch/);
  });

  it('runs as a process with the right exit code', () => {
    const repo = repoWithPr({ 'src/a.ts': 'export const a = 1;\n' });
    const entry = join(import.meta.dirname, '../../src/cli/index.ts');
    // tsx's loader by absolute URL: the process runs in the test repository, not in this checkout.
    const loader = pathToFileURL(join(import.meta.dirname, '../../node_modules/tsx/dist/loader.mjs')).href;
    const r = spawnSync(process.execPath, ['--import', loader, entry, 'check', '--base', 'main', '--format', 'json'], {
      cwd: repo.dir,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).verdict).toBe('ready');
  });
});
