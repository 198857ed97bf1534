/**
 * The bundled Action with facts worker threads (dist/facts-worker.js beside dist/index.js): on a pull
 * request whose health index reads hundreds of route modules, the workers extract some of them, and the
 * report is the one the Action writes with `READINESS_WORKERS=0`.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTree } from '../support/rule-harness.js';
import { ActionWorld, cleanup, explain, pullRequestPayload, reportOf, runAction } from './harness.js';

const FIXTURE = join(import.meta.dirname, '../fixtures/rules/health/liveness-checks-dependencies/handler-changed');

/** A fixture directory's files as text, for {@link ActionWorld.commit}. */
function tree(dir: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(readTree(dir)).map(([path, bytes]) => [path, Buffer.from(bytes).toString('utf8')]),
  );
}

let world: ActionWorld;
let base: string;
let head: string;

beforeAll(async () => {
  world = await ActionWorld.create();
  const routes: Record<string, string> = {
    'src/lib/respond.ts': "// @ts-nocheck\nexport const ok = (res) => res.send('ok');\n",
  };
  // More route modules than the engine's threshold for starting workers (200).
  for (let i = 0; i < 260; i++)
    routes[`src/routes/r${i}.ts`] =
      `// @ts-nocheck\nimport type { Express } from 'express';\nimport { ok } from '../lib/respond';\nexport function r${i}(app: Express): void {\n  app.get('/r${i}', (_req, res) => ok(res));\n}\n`;
  base = world.commit({ ...tree(join(FIXTURE, 'before')), ...routes }, 'base');
  world.repo.git('checkout', '-q', '-b', 'feature');
  head = world.commit(tree(join(FIXTURE, 'after')), 'liveness pings the database');
  world.repo.git('checkout', '-q', '--detach', head);
  world.pull({ number: 3, base, head });
});

afterAll(async () => {
  await world.close();
  cleanup();
});

describe('facts worker threads in the bundled Action', () => {
  it('extract route modules, and the report is the one without them', async () => {
    const run = (workers: string) =>
      runAction({
        event: 'pull_request',
        payload: pullRequestPayload({ number: 3, base, head }),
        workspace: world.repo.dir,
        fake: world.fake,
        inputs: { comment: 'never', 'check-run': 'false' },
        env: { READINESS_WORKERS: workers },
      });
    const alone = await run('0');
    expect(alone.code, explain(alone)).toBe(1);
    const aloneReport = reportOf(alone);
    expect(aloneReport.findings.map((f) => f.ruleId)).toContain('health/liveness-checks-dependencies');
    expect(alone.stdout).not.toContain('Worker threads extracted');

    const parallel = await run('1');
    expect(parallel.code, explain(parallel)).toBe(1);
    const extracted = /Worker threads extracted the facts of (\d+) file\(s\)\./.exec(parallel.stdout);
    expect(extracted, explain(parallel)).not.toBeNull();
    expect(Number(extracted![1])).toBeGreaterThan(0);
    const { findings, verdict } = reportOf(parallel);
    expect({ findings, verdict }).toEqual({ findings: aloneReport.findings, verdict: aloneReport.verdict });
  }, 120_000);

  it('refuses a READINESS_WORKERS that is not a number of threads, saying so', async () => {
    const run = await runAction({
      event: 'pull_request',
      payload: pullRequestPayload({ number: 3, base, head }),
      workspace: world.repo.dir,
      fake: world.fake,
      inputs: { comment: 'never', 'check-run': 'false' },
      env: { READINESS_WORKERS: 'all' },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('READINESS_WORKERS must be a whole number of worker threads from 0 to 64; got "all"');
  }, 60_000);
});
