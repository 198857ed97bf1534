import { describe, expect, it } from 'vitest';
import { loadConfigChain, mergeConfigInputs, resolveExtends, type ConfigLocation } from '../../src/config/loader.js';
import { ConfigError, type ConfigIssue } from '../../src/config/types.js';
import { loadPolicy } from '../../src/pipeline.js';
import { memoryChangeSet } from '../../src/source/memory.js';
import { FAKE_GATES } from './fake-gates.js';

const FILE = '.github/readiness.yml';

/** A reader over files of this repository and of others (`owner/repo:path` keys). */
function reader(files: Record<string, string>) {
  const reads: string[] = [];
  const read = async (location: ConfigLocation) => {
    const key = location.repository
      ? `${location.repository.owner}/${location.repository.repo}:${location.path}`
      : location.path;
    reads.push(key);
    return files[key];
  };
  return { read, reads };
}

async function issuesOf(promise: Promise<unknown>): Promise<ConfigIssue[]> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveExtends', () => {
  it('reads paths from the root or relative to the extending file, and repositories as owner/repo[:path][@ref]', () => {
    const from = { path: '.github/readiness.yml' };
    expect(resolveExtends('config/readiness-base.yml', from)).toEqual({ path: 'config/readiness-base.yml' });
    expect(resolveExtends('./base.yaml', from)).toEqual({ path: '.github/base.yaml' });
    expect(resolveExtends('../shared/r.yml', from)).toEqual({ path: 'shared/r.yml' });
    expect(resolveExtends('acme/policy', from)).toEqual({
      path: '.github/readiness.yml',
      repository: { owner: 'acme', repo: 'policy' },
    });
    expect(resolveExtends('acme/policy:teams/api.yml@v2', from)).toEqual({
      path: 'teams/api.yml',
      repository: { owner: 'acme', repo: 'policy', ref: 'v2' },
    });
    // A path inside another repository's file stays in that repository.
    const remote = { path: 'teams/api.yml', repository: { owner: 'acme', repo: 'policy' } };
    expect(resolveExtends('./org.yml', remote)).toEqual({
      path: 'teams/org.yml',
      repository: { owner: 'acme', repo: 'policy' },
    });
    expect(resolveExtends('../../x.yml', from)).toMatch(/outside the repository/);
    expect(resolveExtends('not a ref', from)).toMatch(/expected a path ending in \.yml/);
  });
});

describe('mergeConfigInputs', () => {
  it('lets the extending file win key by key, and adds up exceptions, services and exclude-add', () => {
    const merged = mergeConfigInputs(
      {
        'fail-on': 'warning',
        rules: { a: 'off', b: 'warning' },
        exceptions: [1],
        services: [{ name: 's' }],
        paths: { exclude: ['x'], 'exclude-add': ['y'] },
      },
      { rules: { b: 'blocker' }, exceptions: [2], paths: { exclude: ['z'], 'exclude-add': ['w'] } },
    );
    expect(merged).toEqual({
      'fail-on': 'warning',
      rules: { a: 'off', b: 'blocker' },
      exceptions: [1, 2],
      services: [{ name: 's' }],
      paths: { exclude: ['z'], 'exclude-add': ['y', 'w'] },
    });
  });
});

describe('loadConfigChain', () => {
  it('applies a shared file, then the extending one on top', async () => {
    const { read } = reader({
      'acme/policy:.github/readiness.yml':
        'fail-on: warning\nwaivers: { max-days: 30, allow-author: true }\nexceptions:\n  - { rule: pii, path: "legacy/**", reason: org-wide }\n',
    });
    const config = await loadConfigChain(
      'extends: acme/policy\nwaivers: { max-days: 14 }\nexceptions:\n  - { rule: migrations, path: "db/**", reason: ours }\n',
      FILE,
      FAKE_GATES,
      read,
    );
    expect(config.failOn).toBe('warning');
    expect(config.waivers).toMatchObject({ maxDays: 14, allowAuthor: true });
    expect(config.exceptions.map((e) => [e.reason, e.line])).toEqual([
      ['org-wide', undefined],
      ['ours', 4],
    ]);
  });

  it('reads a list in order, the later entry winning, and follows chains', async () => {
    const { read, reads } = reader({
      'config/a.yml': 'extends: ./b.yml\nfail-on: never\nbaseline: off\n',
      'config/b.yml': 'on-error: neutral\nfail-on: blocker\n',
      'config/c.yml': 'fail-on: warning\n',
    });
    const config = await loadConfigChain('extends: [config/a.yml, config/c.yml]\n', FILE, FAKE_GATES, read);
    expect(reads).toEqual(['config/a.yml', 'config/b.yml', 'config/c.yml']);
    expect(config).toMatchObject({ failOn: 'warning', baseline: 'off', onError: 'neutral' });
  });

  it('names the file, line and column of an error in an extended file', async () => {
    const { read } = reader({ 'acme/policy:.github/readiness.yml': 'waivers:\n  max-days: 999\n' });
    const [issue] = await issuesOf(loadConfigChain('extends: acme/policy\n', FILE, FAKE_GATES, read));
    expect(issue).toMatchObject({
      file: 'acme/policy:.github/readiness.yml',
      line: 2,
      column: 13,
      key: 'waivers.max-days',
    });
  });

  it('reports a missing file, a cycle and a chain too deep at the extends entry', async () => {
    const missing = await issuesOf(
      loadConfigChain('fail-on: never\nextends:\n  - shared.yml\n', FILE, FAKE_GATES, reader({}).read),
    );
    expect(missing).toEqual([
      expect.objectContaining({
        file: FILE,
        line: 3,
        column: 5,
        key: 'extends[0]',
        message: 'shared.yml does not exist',
      }),
    ]);

    const cycle = await issuesOf(
      loadConfigChain(
        'extends: a.yml\n',
        FILE,
        FAKE_GATES,
        reader({ 'a.yml': 'extends: b.yml\n', 'b.yml': 'extends: a.yml\n' }).read,
      ),
    );
    expect(cycle[0]).toMatchObject({ file: 'b.yml', line: 1, column: 10 });
    expect(cycle[0]!.message).toBe('extends a.yml again: .github/readiness.yml → a.yml → b.yml → a.yml is a cycle');

    const deep = reader({
      '1.yml': 'extends: 2.yml\n',
      '2.yml': 'extends: 3.yml\n',
      '3.yml': 'extends: 4.yml\n',
      '4.yml': 'extends: 5.yml\n',
      '5.yml': '',
    });
    const tooDeep = await issuesOf(loadConfigChain('extends: 1.yml\n', FILE, FAKE_GATES, deep.read));
    expect(tooDeep[0]).toMatchObject({ file: '4.yml' });
    expect(tooDeep[0]!.message).toMatch(/more than 5 files/);
  });

  it('rejects a malformed entry with its position', async () => {
    const issues = await issuesOf(loadConfigChain('extends: 42\n', FILE, FAKE_GATES, reader({}).read));
    expect(issues[0]).toMatchObject({ line: 1, column: 10, key: 'extends' });
  });
});

describe('loadPolicy with extends', () => {
  it('reads paths from the base snapshot and other repositories through the surface reader', async () => {
    const changeSet = memoryChangeSet({
      base: { [FILE]: 'extends: [acme/policy, .github/team.yml]\n', '.github/team.yml': 'baseline: off\n' },
      head: { [FILE]: 'extends: [acme/policy, .github/team.yml]\n', '.github/team.yml': 'baseline: merge-base\n' },
    });
    const remote = async (repository: { owner: string; repo: string }, path: string) =>
      repository.owner === 'acme' && path === FILE ? 'fail-on: warning\n' : undefined;
    const { config } = await loadPolicy(changeSet, FAKE_GATES, FILE, undefined, remote);
    expect(config).toMatchObject({ failOn: 'warning', baseline: 'off' });
  });

  it('says where another repository cannot be read without a token', async () => {
    const changeSet = memoryChangeSet({
      base: { [FILE]: 'extends: acme/policy\n' },
      head: { [FILE]: 'extends: acme/policy\n' },
    });
    const issues = await issuesOf(loadPolicy(changeSet, FAKE_GATES, FILE));
    expect(issues[0]).toMatchObject({ file: FILE, line: 1, column: 10 });
    expect(issues[0]!.message).toMatch(/only the Action and the App read/);
  });

  it('previews an edit to a file the config extends, with the config itself unchanged', async () => {
    const main = { [FILE]: 'extends: .github/readiness-base.yml\n' };
    const edited = await loadPolicy(
      memoryChangeSet({
        base: { ...main, '.github/readiness-base.yml': 'fail-on: blocker\n' },
        head: { ...main, '.github/readiness-base.yml': 'fail-on: never\n' },
      }),
      FAKE_GATES,
      FILE,
    );
    expect(edited.preview).toEqual({ changed: true, differences: ['fail-on: blocker → never'], errors: [] });
    const untouched = await loadPolicy(
      memoryChangeSet({
        base: { ...main, '.github/readiness-base.yml': 'fail-on: blocker\n' },
        head: { ...main, '.github/readiness-base.yml': 'fail-on: blocker\n' },
      }),
      FAKE_GATES,
      FILE,
    );
    expect(untouched.preview).toBeUndefined();
    const broken = await loadPolicy(
      memoryChangeSet({ base: { ...main, '.github/readiness-base.yml': '' }, head: main }),
      FAKE_GATES,
      FILE,
    );
    expect(broken.preview?.errors[0]).toMatch(
      /\.github\/readiness\.yml:1:10 extends: \.github\/readiness-base\.yml does not exist/,
    );
  });

  it('previews an invalid PR config as an error, never as "no change"', async () => {
    const base = { [FILE]: 'fail-on: blocker\n' };
    for (const head of [
      { [FILE]: 'fail-on: blockers\n' },
      { [FILE]: 'extends: missing.yml\nfail-on: blocker\n' },
      { [FILE]: 'fail-on: blocker\n\tbad: [\n' },
    ]) {
      const { preview } = await loadPolicy(memoryChangeSet({ base, head }), FAKE_GATES, FILE);
      expect(preview?.changed).toBe(true);
      expect(preview?.errors.length, JSON.stringify(head)).toBeGreaterThan(0);
      expect(preview?.differences).toEqual([]);
    }
  });
});
