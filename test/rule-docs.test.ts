/**
 * The ❌/✅ examples in each rule's docs are tests: every "Bad" block must be reported by its rule and
 * every "Good" block must not. A fence's info string names the file: ```ts path=src/app.ts```; add
 * `side=base` to put a block in the base tree only, `side=both` for both trees (context files), `pad=N` to
 * pad it with blank lines to N bytes.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/loader.js';
import { UNANALYSED_FILE_RULE } from '../src/core/core-rules.js';
import { evaluate } from '../src/core/engine.js';
import type { Finding } from '../src/core/types.js';
import { GATES, allRules } from '../src/gates/index.js';
import { ruleDocs } from '../src/gates/docs.js';
import { memoryChangeSet } from '../src/source/memory.js';

interface Example {
  kind: 'bad' | 'good';
  files: Array<{ path: string; side: 'head' | 'base' | 'both'; text: string }>;
}

/** Splits a rule's markdown into examples: each `## ❌` / `## ✅` section with its fenced blocks. */
export function examplesOf(markdown: string): Example[] {
  const out: Example[] = [];
  const sections = markdown.split(/^## /m).slice(1);
  for (const section of sections) {
    const heading = section.split('\n', 1)[0] ?? '';
    const kind = heading.includes('❌') ? 'bad' : heading.includes('✅') ? 'good' : undefined;
    if (!kind) continue;
    const files: Example['files'] = [];
    for (const m of section.matchAll(/^```[^\n]*?path=(\S+)([^\n]*)\n([\s\S]*?)^```/gm)) {
      const side = /side=(base|both)/.exec(m[2] ?? '')?.[1] as 'base' | 'both' | undefined;
      // `pad=N`: the file is padded with blank lines to N bytes (a file over a size limit, in a few lines).
      const pad = Number(/pad=(\d+)/.exec(m[2] ?? '')?.[1] ?? 0);
      const text = m[3]!.length < pad ? m[3]! + '\n'.repeat(pad - m[3]!.length) : m[3]!;
      files.push({ path: m[1]!, side: side ?? 'head', text });
    }
    if (files.length) out.push({ kind, files });
  }
  return out;
}

const rules = allRules().map((r) => r.meta.id);

const mineOf = (evaluation: { findings: readonly Finding[] }, id: string) =>
  evaluation.findings.filter((f) => f.ruleId === id && f.state === 'new');

describe('rule docs', () => {
  it.each(rules.map((id) => [id] as const))('%s has docs with a bad and a good example', (id) => {
    const docs = ruleDocs(id);
    expect(
      docs,
      `src/gates/${id.split('/')[0]}/rules/${id.split('/')[1]}.md is missing (then npm run generate)`,
    ).toBeTruthy();
    const examples = examplesOf(docs!);
    expect(examples.some((e) => e.kind === 'bad')).toBe(true);
    expect(examples.some((e) => e.kind === 'good')).toBe(true);
  });

  const all = rules.flatMap((id) =>
    examplesOf(ruleDocs(id) ?? '').map((e, i) => [`${id} ${e.kind} #${i + 1}`, id, e] as const),
  );
  it.each(all)('%s', async (_name, id, example) => {
    const base: Record<string, string> = {};
    const head: Record<string, string> = {};
    for (const f of example.files) {
      if (f.side !== 'head') base[f.path] = f.text;
      if (f.side !== 'base') head[f.path] = f.text;
    }
    const gate = id.split('/')[0];
    const evaluation = await evaluate({
      changeSet: memoryChangeSet({ base, head }),
      config: parseConfig('', 'docs', GATES),
      // The engine's own rules are about what the product gates read: run them all.
      gates: gate === 'core' ? GATES : GATES.filter((g) => g.id === gate || g.id === 'core'),
      now: new Date('2026-06-01T00:00:00Z'),
    });
    // A rule that throws reports nothing, which would pass every ✅ example: no example may raise an error.
    // The one exception is core/unanalysed-file's own ❌ examples, whose subject is a file the engine had to
    // skip: that skip is the finding's evidence, and the finding itself is asserted below.
    const evidence =
      id === UNANALYSED_FILE_RULE && example.kind === 'bad'
        ? new Set(mineOf(evaluation, id).map((f) => f.path))
        : new Set<string>();
    expect(evaluation.errors.filter((e) => !evidence.has(e.path))).toEqual([]);
    const mine = mineOf(evaluation, id);
    if (example.kind === 'bad') expect(mine.length, JSON.stringify(evaluation.errors)).toBeGreaterThan(0);
    else expect(mine.map((f) => `${f.path}:${f.line} ${f.message}`)).toEqual([]);
  });
});
