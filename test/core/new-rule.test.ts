/** `npm run new-rule` scaffolds a rule, its docs, a reported and a clean fixture, and the sorted registry. */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { cleanupTempDirs, tempDir } from '../source/helpers.js';

afterAll(cleanupTempDirs);

const root = join(import.meta.dirname, '..', '..');
const loader = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;

it('scaffolds a rule and keeps the gate registry sorted', () => {
  const scratch = tempDir('rg-newrule-');
  cpSync(join(root, 'src/gates/core'), join(scratch, 'src/gates/core'), { recursive: true });
  mkdirSync(join(scratch, 'test/fixtures/rules'), { recursive: true });
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', loader, join(root, 'scripts/new-rule.ts'), ...args], {
      encoding: 'utf8',
      env: { ...process.env, READINESS_ROOT: scratch },
    });
  const ok = run('core', 'aaa-first-rule');
  expect(ok.status, ok.stderr).toBe(0);
  expect(existsSync(join(scratch, 'src/gates/core/rules/aaa-first-rule.ts'))).toBe(true);
  expect(readFileSync(join(scratch, 'src/gates/core/rules/aaa-first-rule.md'), 'utf8')).toContain('## ❌ Bad');
  expect(
    readFileSync(join(scratch, 'test/fixtures/rules/core/aaa-first-rule/reported/after/example.ts'), 'utf8'),
  ).toContain('ruleid: core/aaa-first-rule');
  expect(existsSync(join(scratch, 'test/fixtures/rules/core/aaa-first-rule/clean/after/example.ts'))).toBe(true);
  const registry = readFileSync(join(scratch, 'src/gates/core/rules/index.ts'), 'utf8');
  expect(registry).toContain(
    'export const rules = [aaaFirstRule, suppressionMissingReason, unanalysedFile, unusedSuppression];',
  );
  expect(run('core', 'aaa-first-rule').status).toBe(2);
  expect(run('core', 'Bad_Name').status).toBe(2);
  expect(run('nogate', 'x').status).toBe(2);
});
