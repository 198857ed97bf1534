/**
 * The README's "GitHub Action" workflows are meant to be copied unchanged, so each one is checked: it parses,
 * every Readiness Gates step uses only inputs action.yml declares, every workflow states its permissions,
 * and each event the Action supports has a workflow.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ROOT } from './harness.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const start = readme.indexOf('\n## GitHub Action\n');
const end = readme.indexOf('\n## ', start + 5);
const section = readme.slice(start, end === -1 ? undefined : end);
const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
const inputs = Object.keys(
  (parseYaml(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown> }).inputs,
);

type Step = { uses?: string; with?: Record<string, unknown>; run?: string };
type Workflow = {
  on?: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, { steps: Step[]; permissions?: Record<string, string>; 'runs-on'?: string }>;
};

describe('README: GitHub Action', () => {
  it('has the section and its workflows', () => {
    expect(start).toBeGreaterThan(0);
    expect(blocks.length).toBeGreaterThanOrEqual(7);
  });

  it.each(blocks.map((b, i) => [i, b] as const))('workflow %i parses and uses only declared inputs', (_i, text) => {
    const wf = parseYaml(text) as Workflow;
    const jobs = Object.values(wf.jobs);
    expect(jobs.length).toBeGreaterThan(0);
    for (const job of jobs) {
      expect(job['runs-on']).toBe('ubuntu-latest');
      expect(job.permissions ?? wf.permissions, 'every workflow states its permissions').toBeTruthy();
      const ours = job.steps.filter((s) => s.uses?.startsWith('readiness-gates/readiness-gates@'));
      expect(ours).toHaveLength(1);
      for (const key of Object.keys(ours[0]!.with ?? {})) expect(inputs).toContain(key);
    }
  });

  it('covers every event the Action handles', () => {
    const events = new Set(blocks.flatMap((b) => Object.keys((parseYaml(b) as Workflow).on ?? {})));
    for (const e of [
      'pull_request',
      'pull_request_target',
      'merge_group',
      'push',
      'workflow_dispatch',
      'issue_comment',
      'workflow_run',
    ])
      expect(events).toContain(e);
  });

  it('the two-workflow pattern passes the report from one to the other', () => {
    const publish = blocks.map((b) => parseYaml(b) as Workflow).find((w) => w.on && 'workflow_run' in w.on)!;
    const steps = Object.values(publish.jobs)[0]!.steps;
    expect(steps.find((s) => s.uses?.startsWith('actions/download-artifact@'))?.with).toMatchObject({
      name: 'readiness-report',
      'run-id': '${{ github.event.workflow_run.id }}',
    });
    expect(steps.find((s) => s.uses?.startsWith('readiness-gates/'))?.with).toEqual({
      mode: 'publish',
      'report-file': 'readiness-report.json',
    });
    expect(publish.permissions).toMatchObject({ actions: 'read', 'pull-requests': 'write', checks: 'write' });
  });

  it('the pull_request_target workflow never checks out the head', () => {
    const target = blocks.map((b) => parseYaml(b) as Workflow).find((w) => w.on && 'pull_request_target' in w.on)!;
    for (const job of Object.values(target.jobs)) {
      for (const step of job.steps) {
        expect(step.run, 'no step runs anything').toBeUndefined();
        expect(JSON.stringify(step.with ?? {})).not.toContain('head');
      }
    }
  });
});
