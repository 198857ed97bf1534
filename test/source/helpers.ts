/**
 * Throw-away git repositories for the source tests: created under the OS temp dir, isolated from the
 * machine's system and global git config, removed after the run.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// The code under test spawns git with process.env, so isolate it here too: no system or user config
// (a developer's diff.noprefix or color.ui must not change what the parsers see in these tests).
process.env.GIT_CONFIG_NOSYSTEM = '1';
process.env.GIT_CONFIG_GLOBAL = '/dev/null';
// Fixed dates make commit ids stable enough to read in failure output.
process.env.GIT_AUTHOR_DATE = '2024-01-01T00:00:00Z';
process.env.GIT_COMMITTER_DATE = '2024-01-01T00:00:00Z';

const dirs: string[] = [];

/** Removes every directory made by {@link tempDir}. Call from afterAll. */
export function cleanupTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function tempDir(prefix = 'rg-source-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

export class TestRepo {
  constructor(readonly dir: string) {}

  /** Runs git in the repository and returns stdout (throws with stderr on failure). */
  git(...args: string[]): string {
    return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
      cwd: this.dir,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  write(path: string, content: string | Uint8Array): void {
    const full = join(this.dir, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }

  /** Writes many files at once (relative path → content). */
  writeAll(files: Record<string, string | Uint8Array>): void {
    for (const [p, c] of Object.entries(files)) this.write(p, c);
  }

  /**
   * Stages everything (unless `stage: false`, for index-only entries such as gitlinks) and commits;
   * returns the new commit's sha.
   */
  commit(message: string, opts: { stage?: boolean } = {}): string {
    if (opts.stage !== false) this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
    return this.head();
  }

  head(): string {
    return this.git('rev-parse', 'HEAD').trim();
  }
}

/** A fresh repository on branch `main`. */
export function makeRepo(): TestRepo {
  const dir = tempDir();
  const repo = new TestRepo(dir);
  repo.git('init', '-q', '-b', 'main');
  return repo;
}
