/** The pure layers never import a GitHub or Actions SDK; only src/github/ and the shells may. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = join(import.meta.dirname, '..', '..', 'src');
const PURE = ['core', 'config', 'gates', 'render', 'lang', 'source'];
const FORBIDDEN = /from\s+['"](@actions\/|probot|@octokit\/)|import\(\s*['"](@actions\/|probot|@octokit\/)/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

describe('layer boundaries', () => {
  for (const layer of PURE) {
    it(`src/${layer} imports no @actions/*, probot or @octokit/*`, () => {
      const offenders = files(join(src, layer)).filter((f) => FORBIDDEN.test(readFileSync(f, 'utf8')));
      expect(offenders).toEqual([]);
    });
  }
});
