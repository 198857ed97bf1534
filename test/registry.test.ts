/**
 * The registry is explicit; this test makes forgetting a step fail: every gate folder is registered,
 * every rule file is in its gate's sorted list, every rule has docs and fixtures, ids match file names,
 * and generated files are in sync with their sources.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { placeholders } from '../src/core/messages.js';
import { GATES, allRules } from '../src/gates/index.js';
import { generatedArtifacts } from '../scripts/generated-artifacts.js';
import { readFileSync } from 'node:fs';

const root = join(import.meta.dirname, '..');
const gatesDir = join(root, 'src/gates');

describe('registry', () => {
  it('registers every gate folder, product gates sorted by id and core last', () => {
    const folders = readdirSync(gatesDir).filter((f) => statSync(join(gatesDir, f)).isDirectory());
    expect(GATES.map((g) => g.id).sort()).toEqual([...folders].sort());
    const product = GATES.filter((g) => g.id !== 'core').map((g) => g.id);
    expect(product).toEqual([...product].sort());
    expect(GATES[GATES.length - 1]?.id).toBe('core');
  });

  for (const gate of GATES) {
    describe(gate.id, () => {
      it('lists exactly the rule files of its folder, sorted', () => {
        const rulesDir = join(gatesDir, gate.id, 'rules');
        const files = existsSync(rulesDir)
          ? readdirSync(rulesDir)
              .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
              .map((f) => `${gate.id}/${f.slice(0, -3)}`)
          : [];
        const ids = gate.rules.map((r) => r.meta.id);
        expect(ids).toEqual([...ids].sort());
        expect([...ids].sort()).toEqual(files.sort());
      });

      it.each(gate.rules.map((r) => [r.meta.id, r] as const))('%s is well-formed', (id, rule) => {
        expect(id).toMatch(/^[a-z]+\/[a-z0-9]+(?:-[a-z0-9]+)*$/);
        expect(rule.meta.gate).toBe(gate.id);
        expect(id.startsWith(`${gate.id}/`)).toBe(true);
        expect(rule.meta.description.length).toBeGreaterThan(10);
        expect(Object.keys(rule.meta.messages).length).toBeGreaterThan(0);
        const [, name] = id.split('/');
        expect(existsSync(join(gatesDir, gate.id, 'rules', `${name}.md`)), `${name}.md beside the rule`).toBe(true);
        expect(existsSync(join(root, 'test/fixtures/rules', gate.id, name!)), 'fixture folder').toBe(true);
        for (const messageId of Object.keys(rule.meta.messages)) {
          const fix = rule.meta.fixes[messageId] ?? rule.meta.fixes.default;
          expect(fix, `fix for messageId ${messageId}`).toBeTruthy();
          // Templates render with the engine's own formatter: a placeholder it cannot parse (`{{ a b }}`,
          // `{{}}`) would stay in every message. That each placeholder gets a value is checked on the
          // rendered findings of the fixture cases (test/rules.test.ts).
          for (const template of [rule.meta.messages[messageId]!, fix!]) {
            const braces = template.match(/\{\{[^}]*\}\}/g) ?? [];
            expect(braces.length, `malformed placeholder in ${messageId}: ${template}`).toBe(
              placeholders(template).length,
            );
          }
        }
      });
    });
  }

  it('rule ids are unique', () => {
    const ids = allRules().map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('generated files are in sync (run `npm run generate`)', async () => {
    const stale: string[] = [];
    for (const artifact of await generatedArtifacts(root)) {
      const path = join(root, artifact.path);
      const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
      if (current !== artifact.content) stale.push(artifact.path);
    }
    expect(stale).toEqual([]);
  });
});
