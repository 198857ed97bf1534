import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CatFileBatch } from '../../src/source/git-process.js';
import { cleanupTempDirs, makeRepo, tempDir } from './helpers.js';

afterAll(cleanupTempDirs);

function blobIds(repo: ReturnType<typeof makeRepo>): Map<string, string> {
  const ids = new Map<string, string>();
  for (const line of repo.git('ls-tree', '-r', '-z', 'HEAD').split('\0')) {
    if (!line) continue;
    const [meta, path] = line.split('\t') as [string, string];
    ids.set(path, meta.split(' ')[2]!);
  }
  return ids;
}

describe('CatFileBatch', () => {
  const repo = makeRepo();
  const files: Record<string, string> = {};
  for (let i = 0; i < 2000; i++) files[`pkg${i % 20}/file ${i}.txt`] = `file ${i}\n`.repeat((i % 7) + 1);
  const big = randomBytes(3 * 1024 * 1024 + 17); // several pipe chunks, odd size
  repo.writeAll({ ...files, 'big.bin': big, 'empty.txt': '' });
  repo.commit('files');
  const ids = blobIds(repo);

  it('reads 2,000 files through one process, concurrently and in order', async () => {
    const cat = new CatFileBatch(repo.dir);
    const paths = Object.keys(files);
    const started = performance.now();
    const contents = await Promise.all(paths.map((p) => cat.read(ids.get(p)!)));
    const elapsed = performance.now() - started;
    contents.forEach((c, i) => expect(c?.toString('utf8')).toBe(files[paths[i]!]));
    expect(cat.running).toBe(true);
    await cat.close();
    expect(cat.running).toBe(false);
    // One process answers all of them; per-file spawns would take several seconds.
    expect(elapsed).toBeLessThan(5_000);
  });

  it('reads a multi-megabyte blob byte for byte, and an empty one', async () => {
    const cat = new CatFileBatch(repo.dir);
    const [got, empty, small] = await Promise.all([
      cat.read(ids.get('big.bin')!),
      cat.read(ids.get('empty.txt')!),
      cat.read(ids.get('pkg0/file 0.txt')!),
    ]);
    expect(got!.equals(big)).toBe(true);
    expect(empty!.length).toBe(0);
    expect(small!.toString()).toBe('file 0\n');
    await cat.close();
  });

  it('answers undefined for an object the repository does not have, and keeps going', async () => {
    const cat = new CatFileBatch(repo.dir);
    expect(await cat.read('0123456789012345678901234567890123456789')).toBeUndefined();
    expect((await cat.read(ids.get('pkg1/file 1.txt')!))!.toString()).toBe('file 1\nfile 1\n');
    await cat.close();
  });

  it('rejects something that is not an object id instead of sending it to git', async () => {
    const cat = new CatFileBatch(repo.dir);
    await expect(cat.read('HEAD:README')).rejects.toThrow(/not an object id/);
    expect(cat.running).toBe(false);
  });

  it('starts a new process for reads after close', async () => {
    const cat = new CatFileBatch(repo.dir);
    await cat.read(ids.get('pkg0/file 0.txt')!);
    await cat.close();
    await cat.close(); // idempotent
    expect((await cat.read(ids.get('pkg0/file 20.txt')!))!.toString()).toBe(files['pkg0/file 20.txt']);
    await cat.close();
  });

  it('rejects pending reads when the repository is unusable', async () => {
    const cat = new CatFileBatch(tempDir()); // not a repository: git exits at once
    await expect(cat.read(ids.get('pkg0/file 0.txt')!)).rejects.toThrow(/cat-file --batch ended/);
  });

  it('does not keep a process alive while idle: a script that never calls close() exits', async () => {
    // A child Node process reads one file and returns without closing; if the idle cat-file process
    // were referenced, the child would hang until the timeout below.
    const script = join(tempDir(), 'no-close.mts');
    const moduleUrl = new URL('../../src/source/git-process.ts', import.meta.url).href;
    writeFileSync(
      script,
      `import { CatFileBatch } from ${JSON.stringify(moduleUrl)};
const cat = new CatFileBatch(${JSON.stringify(repo.dir)});
const bytes = await cat.read(${JSON.stringify(ids.get('pkg0/file 0.txt'))});
process.stdout.write(String(bytes) + (cat.running ? 'running' : 'stopped'));
`,
    );
    const tsxLoader = fileURLToPath(new URL('../../node_modules/tsx/dist/esm/index.mjs', import.meta.url));
    const child = spawn(process.execPath, ['--import', tsxLoader, script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill();
        resolve(null);
      }, 20_000);
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // The process was still running when the script ended: it exited because nothing referenced it.
    expect(stdout).toBe('file 0\nrunning');
  }, 30_000);
});
