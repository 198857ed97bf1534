/**
 * The release workflow cannot run here (it pushes tags and publishes), so what can be checked is: the
 * workflow file parses, every command it runs exists (npm scripts) and runs here, the checks come before
 * anything irreversible, third-party actions are pinned by commit, and the version plan is right.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { changelogSection, releasePlan } from '../scripts/release.js';

const ROOT = join(import.meta.dirname, '..');
const text = readFileSync(join(ROOT, '.github/workflows/release.yml'), 'utf8');
const workflow = parse(text) as {
  on: { workflow_dispatch: { inputs: Record<string, { required: boolean; type: string }> } };
  permissions: Record<string, string>;
  jobs: Record<
    string,
    {
      permissions: Record<string, string>;
      steps: Array<{ name?: string; uses?: string; run?: string; id?: string; env?: Record<string, string> }>;
    }
  >;
};
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  scripts: Record<string, string>;
};
const steps = workflow.jobs['release']!.steps;
const runs = steps.map((s) => s.run ?? '');
const indexOf = (pattern: RegExp) => runs.findIndex((r) => pattern.test(r));

describe('.github/workflows/release.yml', () => {
  it('is started by hand with a required version, and only the job may write', () => {
    expect(workflow.on.workflow_dispatch.inputs['version']).toMatchObject({ required: true, type: 'string' });
    expect(workflow.permissions).toEqual({ contents: 'read' });
    expect(workflow.jobs['release']!.permissions).toEqual({ contents: 'write', 'id-token': 'write' });
  });

  it('runs only npm scripts that exist', () => {
    const used = runs.flatMap((r) => [...r.matchAll(/npm run (?:--silent )?([\w:-]+)/g)].map((m) => m[1]!));
    expect(used).toEqual(
      expect.arrayContaining(['release:check', 'typecheck', 'generate', 'check:dist', 'release:notes']),
    );
    for (const script of used) expect(manifest.scripts, script).toHaveProperty(script);
    expect(runs.some((r) => /^npm test$/m.test(r))).toBe(true);
    expect(manifest.scripts['test']).toBeDefined();
    expect(manifest.scripts['prepack']).toBeDefined(); // npm publish bundles the CLI through it
  });

  it('checks everything before the first irreversible step, then tags, moves the major tag and publishes', () => {
    const firstPush = indexOf(/git push/);
    for (const check of [
      /release:check/,
      /npm run typecheck/,
      /generate -- --check/,
      /check:dist/,
      /^npm test$/m,
      /npm publish --dry-run/,
    ]) {
      const at = indexOf(check);
      expect(at, String(check)).toBeGreaterThan(-1);
      expect(at, String(check)).toBeLessThan(firstPush);
    }
    const tagStep = runs[firstPush]!;
    expect(tagStep).toContain('git tag -a "$TAG"');
    expect(tagStep).toContain('git tag -fa "$MAJOR"');
    expect(tagStep).toContain('git push --force origin "refs/tags/$MAJOR"');
    expect(indexOf(/npm publish --provenance/)).toBeGreaterThan(firstPush);
    expect(steps.find((s) => s.id === 'plan')?.run).toContain('>> "$GITHUB_OUTPUT"');
  });

  it('pins every action by full commit id', () => {
    const uses = steps.flatMap((s) => (s.uses ? [s.uses] : []));
    expect(uses.length).toBeGreaterThan(0);
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    // …with the version it stands for beside it, for whoever updates it.
    for (const u of uses) expect(text).toMatch(new RegExp(`${u.replace(/[.]/g, '\\.')} # v\\d+\\.\\d+\\.\\d+`));
  });

  it('its version check passes on this checkout, as the workflow runs it', () => {
    const r = spawnSync('npm', ['run', '--silent', 'release:check', '--', manifest.version], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`tag=v${manifest.version}\nmajor=v${manifest.version.split('.')[0]}\n`);
  });
});

describe('releasePlan', () => {
  const changelog =
    '# Changelog\n\n## [Unreleased]\n\n## [1.2.0] — 2027-01-01\n\n### Added\n- a thing\n\n## [1.1.0]\n- older\n\n[1.2.0]: https://example.com\n';
  const ok = { packageVersion: '1.2.0', sourceVersion: '1.2.0', changelog };

  it('tags vX.Y.Z and moves vX; a pre-release moves nothing', () => {
    expect(releasePlan('1.2.0', ok)).toEqual({ version: '1.2.0', tag: 'v1.2.0', major: 'v1', problems: [] });
    const rc = releasePlan('2.0.0-rc.1', {
      ...ok,
      packageVersion: '2.0.0-rc.1',
      sourceVersion: '2.0.0-rc.1',
      changelog: `${changelog}\n## [2.0.0-rc.1]\n- rc\n`,
    });
    expect(rc).toMatchObject({ tag: 'v2.0.0-rc.1', major: undefined, problems: [] });
  });

  it('names every source that does not say the version', () => {
    const plan = releasePlan('1.3.0', ok);
    expect(plan.problems).toHaveLength(3);
    expect(plan.problems.join('\n')).toMatch(
      /package\.json says 1\.2\.0[\s\S]*src\/version\.ts says 1\.2\.0[\s\S]*no "## \[1\.3\.0\]" section/,
    );
    expect(releasePlan('v1.2.0', ok).problems[0]).toMatch(/not a semantic version/);
  });

  it('takes the release notes from the CHANGELOG section', () => {
    expect(changelogSection(changelog, '1.2.0')).toBe('### Added\n- a thing');
    expect(changelogSection(changelog, '1.1.0')).toBe('- older');
    expect(changelogSection(changelog, '9.9.9')).toBeUndefined();
  });
});
