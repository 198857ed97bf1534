/** The Action's inputs: defaults, validation, and agreement with action.yml. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { InputError, readInputs } from '../../src/action/inputs.js';
import { ROOT } from './harness.js';

const from = (values: Record<string, string>) => (name: string) => values[name] ?? '';

const ACTION = parseYaml(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { default?: string; description: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
  branding: { icon: string; color: string };
};

describe('readInputs', () => {
  it('applies the defaults of action.yml', () => {
    const defaults = Object.fromEntries(
      Object.entries(ACTION.inputs).map(([k, v]) => [
        k,
        String(v.default ?? '').replace('${{ github.token }}', 'ghs_x'),
      ]),
    );
    expect(readInputs(from(defaults))).toEqual({
      token: 'ghs_x',
      configPath: '.github/readiness.yml',
      comment: 'on-change',
      checkRun: true,
      annotations: 'auto',
      workingDirectory: '.',
      mode: 'check',
    });
  });

  it('reads every input', () => {
    expect(
      readInputs(
        from({
          'github-token': 't',
          config: './ci/readiness.yml',
          'fail-on': 'warning',
          comment: 'never',
          'check-run': 'False',
          annotations: 'workflow',
          'sarif-file': 'out.sarif',
          'report-file': 'out.json',
          base: 'main',
          head: 'HEAD',
          'working-directory': 'services/api',
          mode: 'publish',
        }),
      ),
    ).toEqual({
      token: 't',
      configPath: 'ci/readiness.yml',
      failOn: 'warning',
      comment: 'never',
      checkRun: false,
      annotations: 'workflow',
      sarifFile: 'out.sarif',
      reportFile: 'out.json',
      base: 'main',
      head: 'HEAD',
      workingDirectory: 'services/api',
      mode: 'publish',
    });
  });

  it.each([
    [{ comment: 'sometimes' }, 'input `comment` must be one of `always`, `on-change`, `never`; got `sometimes`'],
    [{ 'fail-on': 'error' }, 'input `fail-on` must be one of `blocker`, `warning`, `never`; got `error`'],
    [{ 'check-run': 'yes' }, 'input `check-run` must be `true` or `false`; got `yes`'],
    [{ mode: 'upload' }, 'input `mode` must be one of `check`, `publish`; got `upload`'],
    [{ annotations: 'both' }, 'input `annotations` must be one of `auto`, `check-run`, `workflow`; got `both`'],
    [{ mode: 'publish' }, '`mode: publish` needs `report-file`'],
    [
      { config: '../other/readiness.yml' },
      "input `config` is a path inside the repository (read at the base branch's tip)",
    ],
    [
      { config: '/etc/readiness.yml' },
      "input `config` is a path inside the repository (read at the base branch's tip)",
    ],
  ])('rejects %j', (values, message) => {
    expect(() => readInputs(from(values))).toThrow(InputError);
    expect(() => readInputs(from(values))).toThrow(message);
  });
});

describe('action.yml', () => {
  it('runs the bundle on node24, with branding', () => {
    expect(ACTION.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(ACTION.branding.icon).toBeTruthy();
    expect(ACTION.branding.color).toBeTruthy();
  });

  it('declares exactly the inputs the Action reads and the outputs it sets', () => {
    const read = new Set<string>();
    readInputs((name) => (read.add(name), name === 'github-token' ? 't' : ''));
    expect(Object.keys(ACTION.inputs).sort()).toEqual([...read].sort());
    const main = readFileSync(join(ROOT, 'src/action/main.ts'), 'utf8');
    const set = [...main.matchAll(/core\.setOutput\('([^']+)'/g)].map((m) => m[1]);
    expect(Object.keys(ACTION.outputs).sort()).toEqual([...new Set(set)].sort());
    expect(ACTION.inputs['github-token']!.default).toBe('${{ github.token }}');
    expect(ACTION.inputs['comment']!.default).toBe('on-change');
  });
});
