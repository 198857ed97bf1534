/**
 * The layer boundaries are lint rules (eslint.config.js: no-restricted-imports and, for dynamic
 * `import()`, no-restricted-syntax). This test proves the rules catch violations — static, type-only and
 * dynamic imports of an SDK in a pure layer, core/ importing source/ — leave the shells alone, and that
 * the real tree has no violation.
 */
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const BOUNDARY_RULES = new Set(['@typescript-eslint/no-restricted-imports', 'no-restricted-syntax']);
const eslint = new ESLint({ cwd: root, ruleFilter: ({ ruleId }) => BOUNDARY_RULES.has(ruleId) });

/** Boundary violations in `code` as if it were the file at `path`. */
async function violations(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layer boundaries (lint rules)', () => {
  it.each([
    ['src/core/x.ts', "import { Octokit } from '@octokit/core';\nexport const o = Octokit;\n"],
    ['src/gates/pii/x.ts', "import * as core from '@actions/core';\nexport const c = core;\n"],
    ['src/render/x.ts', "import type { Context } from 'probot';\nexport type C = Context;\n"],
    ['src/config/x.ts', "export const load = () => import('@octokit/core');\n"],
    ['src/lang/x.ts', "export { getOctokit } from '@actions/github';\n"],
    ['src/core/x.ts', "import { memoryChangeSet } from '../source/memory.js';\nexport const m = memoryChangeSet;\n"],
    ['src/core/x.ts', "import { gitChangeSet } from '../source/index.js';\nexport const g = gitChangeSet;\n"],
  ])('rejects %s: %s', async (path, code) => {
    expect(await violations(path, code)).toHaveLength(1);
  });

  it.each([
    ['src/github/x.ts', "import { Octokit } from '@octokit/core';\nexport const o = Octokit;\n"],
    ['src/action/x.ts', "import * as core from '@actions/core';\nexport const c = core;\n"],
    ['src/source/x.ts', "import type { Snapshot } from '../core/types.js';\nexport type S = Snapshot;\n"],
    ['src/core/x.ts', "import type { Snapshot } from './types.js';\nexport type S = Snapshot;\n"],
  ])('allows %s: %s', async (path, code) => {
    expect(await violations(path, code)).toEqual([]);
  });

  it('holds for the whole source tree', async () => {
    const results = await eslint.lintFiles(['src']);
    const found = results.flatMap((r) =>
      r.messages.map((m) => `${r.filePath.slice(root.length + 1)}:${m.line} ${m.message}`),
    );
    expect(found).toEqual([]);
  }, 120_000);
});
