/**
 * Write amplification: a PR with 10,000 findings must not cost 200 check-run writes (GitHub takes 50
 * annotations per request, and 80 content-creating requests a minute trip its secondary limits for the
 * whole installation). The run carries the most severe annotations and says how many more there are.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  BASE,
  baseFiles,
  expectCleanFake,
  latestRun,
  pullRequestEvent,
  standardRepo,
  startHarness,
  type Harness,
} from './support.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const MANY = 'a110'.repeat(10);

describe('a pull request with 10,000 findings', () => {
  it('costs at most three check-run writes: 100 annotations, blockers first, and the count of the rest in the text', async () => {
    const drops =
      Array.from({ length: 10_000 }, (_, i) => `ALTER TABLE accounts DROP COLUMN legacy_${i};`).join('\n') + '\n';
    const repo = standardRepo({
      pulls: [{ number: 9, user: 'alice', head: { sha: MANY, ref: 'cleanup' }, base: { sha: BASE, ref: 'main' } }],
    });
    repo.commits![BASE] = baseFiles({
      'db/migrations/0001_init.sql': 'CREATE TABLE accounts (id bigint PRIMARY KEY);\n',
    });
    repo.commits![MANY] = baseFiles({
      'db/migrations/0001_init.sql': 'CREATE TABLE accounts (id bigint PRIMARY KEY);\n',
      'db/migrations/0002_cleanup.sql': drops,
    });
    repo.parents![MANY] = [BASE];
    h = await startHarness({ repo });

    await h.deliver('pull_request', pullRequestEvent('opened', { number: 9, head: MANY }));
    await h.app.idle();

    const run = latestRun(h, MANY)!;
    expect(run).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(run.annotations).toHaveLength(100);
    expect(run.annotations.every((a) => a.annotation_level === 'failure')).toBe(true);
    expect(run.output.text).toMatch(/\*\*9901 more findings are not annotated\.\*\*/);
    expect(run.output.text).toContain('JSON report and the SARIF file');
    // One in-progress run at acknowledgement, then two updates of 50 annotations: not 1 + 201.
    const writes = h.fake
      .writes()
      .filter((r) => r.operationId === 'checks/create' || r.operationId === 'checks/update');
    expect(writes.length).toBeLessThanOrEqual(3);
    expectCleanFake(h);
  }, 120_000);
});
