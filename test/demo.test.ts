/**
 * The demo is the first thing a user runs: its risky pull request must be blocked, and every registered
 * gate must show what the demo plants for it (scripts/demo/pr.mjs lists them).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GATES } from '../src/gates/index.js';
import { runCheck } from '../src/pipeline.js';
import { renderMarkdown, renderText } from '../src/render/index.js';
import { gitChangeSet } from '../src/source/index.js';
// @ts-expect-error: the demo script is plain JavaScript without types.
import { createDemoRepo } from '../scripts/demo.mjs';

/** What the demo plants for each gate: rule ids that must appear as new findings. */
export const DEMO_EXPECTATIONS: Record<string, string[]> = {
  health: ['health/liveness-checks-dependencies', 'health/leaked-timeout-timer'],
  metrics: ['metrics/duplicate-name', 'metrics/created-in-hot-path'],
  migrations: ['migrations/edited-migration', 'migrations/add-index-non-concurrent', 'migrations/drop-column'],
  pii: ['pii/unredacted-request-log', 'pii/personal-data-logged'],
};

const dir = mkdtempSync(join(tmpdir(), 'rg-demo-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('demo', () => {
  it('blocks the risky pull request and shows every gate’s planted problems', async () => {
    createDemoRepo(dir);
    const changeSet = await gitChangeSet({ cwd: dir, base: 'main', head: 'feature/order-status' });
    try {
      const report = await runCheck({ changeSet, now: new Date('2026-06-01T00:00:00Z') });
      expect(report.errors.filter((e) => /failed/.test(e.message))).toEqual([]);
      const product = GATES.filter((g) => g.id !== 'core');
      for (const gate of product) {
        const mine = report.findings.filter((f) => f.gate === gate.id && f.state === 'new');
        expect(mine.length, `gate ${gate.id} finds nothing in the demo`).toBeGreaterThan(0);
        for (const ruleId of DEMO_EXPECTATIONS[gate.id] ?? []) {
          expect(
            mine.map((f) => f.ruleId),
            `${ruleId} in the demo`,
          ).toContain(ruleId);
        }
      }
      if (product.length > 0) expect(report.verdict).toBe('blocked');
      expect(renderText(report, { color: false })).toContain('feature/order-status');
      expect(renderMarkdown(report).length).toBeLessThanOrEqual(65_536);
    } finally {
      await changeSet.close?.();
    }
  });
});
