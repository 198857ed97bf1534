/**
 * Policy comes from the base branch's tip, not from the merge-base (which the PR's author chooses by
 * choosing where to branch). The diff and the baseline still use the merge-base.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { run } from '../../src/cli/main.js';
import { cleanupTempDirs, makeRepo } from '../source/helpers.js';

afterAll(cleanupTempDirs);

async function cli(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, cb) {
        append(chunk.toString());
        cb();
      },
    });
  const code = await run(args, {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    cwd,
    env: {},
  });
  return { code, stdout, stderr };
}

const PACKAGE = JSON.stringify({ name: 'shop', version: '1.0.0', dependencies: { pino: '^9.0.0' } }) + '\n';
const LOGGER = "import pino from 'pino';\n\nexport const logger = pino();\n";
/** A password reaches a log line: pii/sensitive-field-logged, a blocker. */
const LEAKY =
  "import { logger } from './logger.js';\n\nexport async function login(req) {\n  const { username, password } = req.body;\n  logger.info(`login attempt for ${username} with ${password}`);\n}\n";

/**
 * main starts report-only (`fail-on: never`); the PR branches off there and logs a password; then main
 * switches to enforcing and, separately, gains a leak of its own (in a file the PR never touches).
 */
function staleBranchRepo() {
  const repo = makeRepo();
  repo.writeAll({ 'package.json': PACKAGE, 'src/logger.ts': LOGGER, '.github/readiness.yml': 'fail-on: never\n' });
  const mergeBase = repo.commit('report-only');
  repo.git('checkout', '-q', '-b', 'pr');
  repo.write('src/auth.ts', LEAKY);
  repo.commit('log in');
  repo.git('checkout', '-q', 'main');
  repo.write('.github/readiness.yml', 'fail-on: blocker\n');
  repo.write('src/legacy.ts', LEAKY);
  const tip = repo.commit('enforce');
  return { repo, mergeBase, tip };
}

describe('readiness-gates check --base', () => {
  it('enforces the config at the tip of --base, not at the merge-base the PR branched from', async () => {
    const { repo, mergeBase } = staleBranchRepo();
    const r = await cli(['check', '--base', 'main', '--head', 'pr', '--format', 'json'], repo.dir);
    const report = JSON.parse(r.stdout);
    expect(report.failOn).toBe('blocker');
    expect(report.verdict).toBe('blocked');
    expect(r.code).toBe(1);
    // The diff and the baseline are still the merge-base's: main's own leak is not the PR's.
    expect(report.base.sha).toBe(mergeBase);
    expect(report.findings.map((f: { path: string }) => f.path)).toEqual(['src/auth.ts']);
    // The PR does not touch the config, so there is nothing to preview.
    expect(report.configPreview).toBeUndefined();
  });

  it('previews a config the PR edits against the one enforced at the tip', async () => {
    const { repo } = staleBranchRepo();
    repo.git('checkout', '-q', 'pr');
    repo.write('.github/readiness.yml', 'fail-on: never\nbaseline: off\n');
    repo.commit('loosen');
    const r = await cli(['check', '--base', 'main', '--head', 'pr', '--format', 'json'], repo.dir);
    const report = JSON.parse(r.stdout);
    expect(r.code).toBe(1);
    expect(report.configPreview.changed).toBe(true);
    expect(JSON.stringify(report.configPreview.differences)).toContain('fail-on');
  });
});
