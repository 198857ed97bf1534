/**
 * The demo's pull request (scripts/demo/pr.mjs) points the liveness probe at /healthz, whose handler
 * queries the database through a `withTimeout` helper that never clears its timer. Both must come out
 * as new blockers with fixes that name the file to change, and the healthy base must be clean.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/loader.js';
import { evaluate } from '../../../src/core/engine.js';
import { GATES } from '../../../src/gates/index.js';
import { memoryChangeSet } from '../../../src/source/memory.js';
// @ts-expect-error: the demo scripts are plain JavaScript without types.
import { baseFiles } from '../../../scripts/demo/base.mjs';
// @ts-expect-error: the demo scripts are plain JavaScript without types.
import { prFiles } from '../../../scripts/demo/pr.mjs';

const gates = GATES.filter((g) => g.id === 'health' || g.id === 'core');

describe('health gate on the demo', () => {
  it('reports the dependency-checking liveness probe and the leaked timer, each with a fix', async () => {
    const head = { ...(baseFiles as Record<string, string>), ...(prFiles as Record<string, string>) };
    const evaluation = await evaluate({
      changeSet: memoryChangeSet({ base: baseFiles, head }),
      config: parseConfig('', 'demo', GATES),
      gates,
    });
    expect(evaluation.errors).toEqual([]);
    const health = evaluation.findings.filter((f) => f.gate === 'health');
    expect(health.map((f) => `${f.state} ${f.severity} ${f.ruleId} ${f.path}`).sort()).toEqual([
      'new blocker health/leaked-timeout-timer src/health.ts',
      'new blocker health/liveness-checks-dependencies k8s/deployment.yaml',
    ]);
    const liveness = health.find((f) => f.ruleId === 'health/liveness-checks-dependencies')!;
    expect(head['k8s/deployment.yaml']!.split('\n')[liveness.line - 1]).toContain('/healthz');
    expect(liveness.message).toContain('db.$queryRaw');
    expect(liveness.fix).toContain('k8s/deployment.yaml');
    expect(liveness.fix).toContain('path: /livez');
    expect(liveness.related?.map((r) => r.path)).toContain('src/health.ts');
    const leak = health.find((f) => f.ruleId === 'health/leaked-timeout-timer')!;
    expect(head['src/health.ts']!.split('\n')[leak.line - 1]).toContain('setTimeout');
    expect(leak.message).toContain('withTimeout');
    expect(leak.fix).toContain('clearTimeout');
  });

  it('finds nothing on the healthy base', async () => {
    const evaluation = await evaluate({
      changeSet: memoryChangeSet({ base: {}, head: baseFiles }),
      config: parseConfig('', 'demo', GATES),
      gates,
    });
    expect(evaluation.findings.filter((f) => f.gate === 'health')).toEqual([]);
  });

  it('keeps a finding that was already on the base as existing when the PR only touches another line', async () => {
    const base = { ...(baseFiles as Record<string, string>), ...(prFiles as Record<string, string>) };
    const head = { ...base, 'k8s/deployment.yaml': base['k8s/deployment.yaml']!.replace('replicas: 3', 'replicas: 4') };
    const evaluation = await evaluate({
      changeSet: memoryChangeSet({ base, head }),
      config: parseConfig('', 'demo', GATES),
      gates,
    });
    const liveness = evaluation.findings.filter((f) => f.ruleId === 'health/liveness-checks-dependencies');
    expect(liveness.map((f) => f.state)).toEqual(['existing']);
  });
});
