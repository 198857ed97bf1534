#!/usr/bin/env node
/**
 * `npm run demo`: builds a throw-away git repository of a small service (scripts/demo/base.mjs), commits a
 * risky pull request on a branch (scripts/demo/pr.mjs), runs `readiness-gates check` on it and prints the
 * scorecard. No network, no GitHub account. Pass `--format markdown|json|sarif` to see the other outputs,
 * `--keep` to keep the repository.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baseFiles } from './demo/base.mjs';
import { prFiles } from './demo/pr.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'bin', 'readiness-gates.js');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const passThrough = args.filter((a) => a !== '--keep');

export function createDemoRepo(dir) {
  const git = (...a) =>
    execFileSync(
      'git',
      ['-c', 'user.name=Demo', '-c', 'user.email=demo@example.com', '-c', 'commit.gpgsign=false', ...a],
      {
        cwd: dir,
        stdio: 'pipe',
        env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' },
      },
    );
  const write = (files) => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  };
  git('init', '-q', '-b', 'main');
  write(baseFiles);
  git('add', '-A');
  git('commit', '-q', '-m', 'orders-api: initial service');
  git('checkout', '-q', '-b', 'feature/order-status');
  write(prFiles);
  git('add', '-A');
  git('commit', '-q', '-m', 'Add order status, customer email and a deep health check');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = mkdtempSync(join(tmpdir(), 'readiness-demo-'));
  try {
    createDemoRepo(dir);
    process.stderr.write(`demo repository: ${dir} (main ← feature/order-status)\n\n`);
    const result = spawnSync(
      process.execPath,
      [cli, 'check', '--base', 'main', '--head', 'feature/order-status', ...passThrough],
      {
        cwd: dir,
        stdio: 'inherit',
      },
    );
    if (result.status === 1)
      process.stderr.write('\nThe check exited 1: this pull request is blocked, as the demo intends.\n');
    else if (result.status !== 0) process.exitCode = result.status ?? 2;
  } finally {
    if (keep) process.stderr.write(`kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
