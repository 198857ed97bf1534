/**
 * The CLI's analysis cache end to end: a warm run reports exactly what a run without the cache reports,
 * also when a file that an unchanged file's facts depended on has changed since the cache was filled,
 * and a cache that cannot be used never changes the report.
 */
import { cpSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/main.js';
import { DiskCache } from '../../src/source/disk-cache.js';
import { CatFileBatch } from '../../src/source/git-process.js';
import { cleanupTempDirs, makeRepo, tempDir } from '../source/helpers.js';

afterAll(cleanupTempDirs);

const FIXTURE = join(import.meta.dirname, '../fixtures/rules/health/liveness-checks-dependencies/handler-changed');

async function check(cwd: string, base: string, head: string, extra: string[] = []) {
  let stdout = '';
  let stderr = '';
  const sink = (write: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        write(chunk.toString());
        cb();
      },
    });
  const code = await run(['check', '--base', base, '--head', head, '--format', 'json', ...extra], {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    cwd,
    env: {},
  });
  const report = JSON.parse(stdout) as { stats: Record<string, unknown>; findings: unknown[]; verdict: string };
  delete report.stats.durationMs;
  return { code, report, stderr };
}

/** A service (Express routes across files, a k8s probe, a metric) on main, changed by a PR. */
function serviceRepo() {
  const repo = makeRepo();
  cpSync(join(FIXTURE, 'before'), repo.dir, { recursive: true });
  repo.write(
    'src/metrics.ts',
    "import client from 'prom-client';\nexport const jobs = new client.Counter({ name: 'jobs_total', help: 'jobs' });\n",
  );
  const base = repo.commit('base');
  for (const entry of readdirSync(join(FIXTURE, 'after')))
    cpSync(join(FIXTURE, 'after', entry), join(repo.dir, entry), { recursive: true });
  repo.write(
    'src/metrics.ts',
    "import client from 'prom-client';\nexport const jobs = new client.Counter({ name: 'jobs_total', help: 'jobs' });\nexport const runs = new client.Counter({ name: 'jobs_total', help: 'runs' });\n",
  );
  const head = repo.commit('pr');
  return { repo, base, head };
}

describe('check --cache-dir', () => {
  it('a warm run reports what a run without the cache reports, and reads its facts from the cache', async () => {
    const { repo, base, head } = serviceRepo();
    const dir = tempDir('rg-cli-cache-');
    const uncached = await check(repo.dir, base, head, ['--no-cache']);
    expect(uncached.report.findings.length).toBeGreaterThan(0);
    const cold = await check(repo.dir, base, head, ['--cache-dir', dir]);
    expect(cold.report).toEqual(uncached.report);
    expect(existsSync(join(dir, 'analysis-cache.bin'))).toBe(true);
    const stored = new DiskCache(dir);
    expect(stored.loadProblem).toBeUndefined();
    expect(stored.size).toBeGreaterThan(0);
    const warm = await check(repo.dir, base, head, ['--cache-dir', dir]);
    expect(warm.report).toEqual(uncached.report);
    expect(warm.code).toBe(uncached.code);
  });

  it('a warm run does not read the unchanged code files whose facts it has', async () => {
    const { repo, head } = serviceRepo();
    repo.git('checkout', '-q', head);
    // Route files the pull request leaves alone: the health index asks for their facts on both sides.
    const route = (i: number, path: string) =>
      `// @ts-nocheck\nimport type { Express } from 'express';\nexport function r${i}(app: Express): void {\n  app.get('${path}', (_req, res) => res.send('ok'));\n}\n`;
    for (let i = 0; i < 5; i++) repo.write(`src/routes/r${i}.ts`, route(i, `/r${i}`));
    const base = repo.commit('routes');
    repo.write('src/routes/r0.ts', route(0, '/r0/v2'));
    const pr = repo.commit('pr');
    const dir = tempDir('rg-cli-cache-');
    await check(repo.dir, base, pr, ['--cache-dir', dir]);
    const blob = (path: string) => repo.git('rev-parse', `${pr}:${path}`).trim();
    const read = vi.spyOn(CatFileBatch.prototype, 'read');
    let oids: string[];
    let warm: Awaited<ReturnType<typeof check>>;
    try {
      warm = await check(repo.dir, base, pr, ['--cache-dir', dir]);
      oids = read.mock.calls.map((c) => c[0]);
    } finally {
      read.mockRestore();
    }
    expect(warm.report).toEqual((await check(repo.dir, base, pr, ['--no-cache'])).report);
    expect(oids).toContain(blob('src/routes/r0.ts'));
    for (const i of [1, 2, 3, 4]) expect(oids).not.toContain(blob(`src/routes/r${i}.ts`));
  });

  it('facts of an unchanged file are not reused when a file they depended on changed', async () => {
    const { repo, base, head } = serviceRepo();
    const dir = tempDir('rg-cli-cache-');
    await check(repo.dir, base, head, ['--cache-dir', dir]);
    // The routes file that the unchanged server.ts mounts now serves the liveness path through a helper.
    repo.write(
      'src/health.ts',
      "// @ts-nocheck\nimport type { Express } from 'express';\nimport { ping } from './ping.js';\n\nexport function healthRoutes(app: Express): void {\n  app.get('/livez', (_req, res) => res.send('ok'));\n  app.get('/healthz', async (_req, res) => {\n    await ping();\n    res.send('ok');\n  });\n}\n",
    );
    repo.write('src/ping.ts', '// @ts-nocheck\nexport async function ping(): Promise<boolean> {\n  return true;\n}\n');
    const second = repo.commit('pr, second push');
    const warm2 = await check(repo.dir, base, second, ['--cache-dir', dir]);
    const uncached2 = await check(repo.dir, base, second, ['--no-cache']);
    expect(warm2.report).toEqual(uncached2.report);
    // Only the helper changes: the handler's own file does not, but its analysis followed the call here.
    repo.write(
      'src/ping.ts',
      "// @ts-nocheck\nimport { db } from './db.js';\nexport async function ping(): Promise<boolean> {\n  await db.$queryRaw`SELECT 1`;\n  return true;\n}\n",
    );
    const third = repo.commit('pr, third push');
    const warm3 = await check(repo.dir, base, third, ['--cache-dir', dir]);
    const uncached3 = await check(repo.dir, base, third, ['--no-cache']);
    expect(warm3.report).toEqual(uncached3.report);
    const liveness = (r: typeof uncached3) =>
      (r.report.findings as Array<{ ruleId: string }>).filter(
        (f) => f.ruleId === 'health/liveness-checks-dependencies',
      );
    expect(liveness(uncached2)).toHaveLength(0);
    expect(liveness(uncached3)).toHaveLength(1);
  });

  it('--fill-cache on the base branch builds every index, so a pull request that feeds one finds its facts', async () => {
    const { repo, base, head } = serviceRepo();
    // A push to main that touches only the README: no index is fed, a plain run caches nothing of the code.
    repo.git('checkout', '-q', '-b', 'main-next', base);
    repo.write('README.md', '# orders\n');
    const pushed = repo.commit('docs');
    const plain = tempDir('rg-cli-cache-');
    await check(repo.dir, base, pushed, ['--cache-dir', plain]);
    const filled = tempDir('rg-cli-cache-');
    const fill = await check(repo.dir, base, pushed, ['--cache-dir', filled, '--fill-cache']);
    expect(fill.code).toBe(0);
    const kinds = (dir: string) => new Set(new DiskCache(dir).keys().map((k) => k.slice(0, k.indexOf(':'))));
    expect(kinds(plain).has('health/file-facts')).toBe(false);
    expect(kinds(plain).has('metrics/file-facts')).toBe(false);
    expect([...kinds(filled)]).toEqual(expect.arrayContaining(['health/file-facts', 'metrics/file-facts']));
    // The pull request (branched from base) then reads the health facts of its unchanged files from there.
    const warm = await check(repo.dir, base, head, ['--cache-dir', filled]);
    const uncached = await check(repo.dir, base, head, ['--no-cache']);
    expect(warm.report).toEqual(uncached.report);
    expect(new DiskCache(filled).size).toBeGreaterThan(new DiskCache(plain).size);
  });

  it('--fill-cache needs a cache', async () => {
    const { repo, base, head } = serviceRepo();
    let stderr = '';
    const code = await run(['check', '--base', base, '--head', head, '--no-cache', '--fill-cache'], {
      stdout: new Writable({ write: (_c, _e, cb) => cb() }),
      stderr: new Writable({
        write(chunk, _enc, cb) {
          stderr += chunk.toString();
          cb();
        },
      }),
      cwd: repo.dir,
      env: {},
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/--fill-cache fills the analysis cache: it cannot go with --no-cache/);
  });

  it('the default cache lives in the repository’s git directory, and --no-cache writes none', async () => {
    const { repo, base, head } = serviceRepo();
    await check(repo.dir, base, head, ['--no-cache']);
    expect(existsSync(join(repo.dir, '.git/readiness-gates'))).toBe(false);
    await check(repo.dir, base, head);
    expect(existsSync(join(repo.dir, '.git/readiness-gates/analysis-cache.bin'))).toBe(true);
  });

  it('a damaged cache file changes nothing in the report', async () => {
    const { repo, base, head } = serviceRepo();
    const dir = tempDir('rg-cli-cache-');
    const uncached = await check(repo.dir, base, head, ['--no-cache']);
    writeFileSync(join(dir, 'analysis-cache.bin'), 'readiness-gates analysis cache 1\n{"stamp":"x"}\ngarbage');
    const run1 = await check(repo.dir, base, head, ['--cache-dir', dir]);
    expect(run1.report).toEqual(uncached.report);
    // Entries of the wrong shape under the real keys (a file written by a buggy or hostile tool with
    // this build's stamp) are recomputed, not trusted.
    const poisoned = new DiskCache(dir);
    expect(poisoned.size).toBeGreaterThan(0);
    for (const key of poisoned.keys()) poisoned.set(key, { routes: 'nope', lookups: 7 });
    poisoned.save();
    const run2 = await check(repo.dir, base, head, ['--cache-dir', dir]);
    expect(run2.report).toEqual(uncached.report);
  });
});
