/**
 * Bad input through the whole pipeline on a real git repository: the report always comes out, every file
 * that could not be analysed is listed with its reason, nothing crashes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../src/pipeline.js';
import { gitChangeSet, memoryChangeSet } from '../../src/source/index.js';
import { cleanupTempDirs, makeRepo } from '../source/helpers.js';

afterAll(cleanupTempDirs);

describe('bad input', () => {
  it('binary, huge, non-UTF-8, CRLF+BOM, empty, syntax errors, deep nesting, removals, renames, submodule, symlink', async () => {
    const repo = makeRepo();
    repo.writeAll({
      'src/keep.ts': 'export const a = 1;\n',
      'src/old-name.ts': Array.from({ length: 40 }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n',
      'src/removed.py': 'print("bye")\n',
      'db/schema.sql': 'CREATE TABLE t (id int);\n',
    });
    const base = repo.commit('base');
    repo.git('checkout', '-q', '-b', 'pr');
    const deep = 'const x = ' + '['.repeat(3000) + ']'.repeat(3000) + ';\n';
    repo.writeAll({
      'assets/logo.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
      'data/huge.json': '{"a":"' + 'x'.repeat(1_200_000) + '"}\n',
      'src/latin1.py': new Uint8Array([0x23, 0x20, 0x63, 0x61, 0x66, 0xe9, 0x0a]),
      'src/crlf-bom.ts': '\ufeffexport const b = 2;\r\nexport const c = 3;\r\n',
      'src/empty.ts': '',
      'src/broken.ts': 'export function (( {\n',
      'db/broken.sql': 'ALTER TABLE WHERE;\n',
      'src/deep.ts': deep,
      'src/long.ts': Array.from({ length: 50_000 }, (_, i) => `f(${i});`).join('\n') + '\n',
    });
    repo.git('rm', '-q', 'src/removed.py');
    repo.git('mv', 'src/old-name.ts', 'src/new-name.ts');
    repo.write(
      'src/new-name.ts',
      Array.from({ length: 40 }, (_, i) => `export const v${i} = ${i === 3 ? 33 : i};`).join('\n') + '\n',
    );
    const { symlinkSync } = await import('node:fs');
    symlinkSync('keep.ts', `${repo.dir}/src/link.ts`);
    repo.git('add', '-A');
    // A gitlink (submodule pointer) has no work-tree content; stage it straight into the index.
    repo.git('update-index', '--add', '--cacheinfo', `160000,${base},libs/shared`);
    repo.commit('risky', { stage: false });

    const changeSet = await gitChangeSet({ cwd: repo.dir, base: 'main', head: 'pr' });
    try {
      const report = await runCheck({ changeSet });
      expect(report.schemaVersion).toBe(1);
      expect(['ready', 'blocked']).toContain(report.verdict);
      const reasons = Object.fromEntries(report.errors.map((e) => [e.path, e.message]));
      expect(reasons['assets/logo.png']).toMatch(/binary/);
      expect(reasons['data/huge.json']).toMatch(/limit/);
      // Not UTF-8 is decoded (windows-1252) and analysed, not skipped.
      expect(reasons['src/latin1.py']).toBeUndefined();
      expect(reasons['libs/shared']).toMatch(/submodule/);
      expect(reasons['src/link.ts']).toMatch(/symbolic link/);
      expect(reasons['db/broken.sql']).toBeDefined();
      expect(reasons['src/crlf-bom.ts']).toBeUndefined();
      expect(reasons['src/empty.ts']).toBeUndefined();
      expect(reasons['src/long.ts']).toBeUndefined();
      expect(reasons['src/deep.ts']).toBeUndefined();
      // Nothing in a gate's scope went unanalysed: the image and the JSON are in none, a symlink's content
      // is its target's, and the latin-1 source was decoded.
      expect(report.incomplete).toBeUndefined();
      expect(report.stats.filesChanged).toBeGreaterThanOrEqual(13);
      expect(report.stats.filesAnalyzed).toBeGreaterThan(0);
    } finally {
      await changeSet.close?.();
    }
  });

  it('a pull request of 3,000 changed files', async () => {
    const head: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) head[`src/m${i}/index.ts`] = `export const v${i} = ${i};\n`;
    const report = await runCheck({ changeSet: memoryChangeSet({ base: {}, head }) });
    expect(report.stats.filesChanged).toBe(3000);
    expect(report.stats.filesAnalyzed).toBe(3000);
    expect(report.errors).toEqual([]);
  });
});
