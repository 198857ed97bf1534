/**
 * `npm run new-rule -- <gate> <name>` scaffolds a rule: src/gates/<gate>/rules/<name>.ts and .md, a
 * reported and a clean fixture case, and rewrites the gate's sorted rules/index.ts. The new fixtures fail
 * until the rule is written — forgetting a step fails a test, not a reviewer.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [gate, name] = process.argv.slice(2);
// READINESS_ROOT lets the generator's own test run it against a scratch copy.
const root = process.env.READINESS_ROOT ?? join(import.meta.dirname, '..');
if (!gate || !name || !/^[a-z]+$/.test(gate) || !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(name)) {
  console.error('usage: npm run new-rule -- <gate> <kebab-name>   e.g. npm run new-rule -- migrations drop-column');
  process.exit(2);
}
const gateDir = join(root, 'src/gates', gate);
if (!existsSync(gateDir)) {
  console.error(`no gate folder src/gates/${gate}`);
  process.exit(2);
}
const id = `${gate}/${name}`;
const rulesDir = join(gateDir, 'rules');
const rulePath = join(rulesDir, `${name}.ts`);
if (existsSync(rulePath)) {
  console.error(`${id} already exists`);
  process.exit(2);
}
mkdirSync(rulesDir, { recursive: true });

writeFileSync(
  rulePath,
  `import type { FileRule } from '../../../core/types.js';

/** ${id}: say what it catches and why it matters. */
export const rule: FileRule = {
  scope: 'file',
  files: ['**/*.ts'],
  prefilter: [],
  meta: {
    id: '${id}',
    gate: '${gate}',
    severity: 'warning',
    description: 'Describe in one line what this rule catches.',
    messages: { default: 'State what breaks, for whom, when this ships.' },
    fixes: { default: 'State the safe alternative.' },
  },
  check(file, _change, ctx) {
    void file;
    void ctx;
    throw new Error('${id} is not written yet');
  },
};
`,
);
writeFileSync(
  join(rulesDir, `${name}.md`),
  `# ${id}

What the rule catches, in one paragraph.

## Why
What breaks in production, and for whom.

## ❌ Bad
\`\`\`ts path=src/example.ts
// code that is reported
\`\`\`

## ✅ Good
\`\`\`ts path=src/example.ts
// the safe alternative
\`\`\`

## How to fix
The exact steps.
`,
);
const fixtureDir = join(root, 'test/fixtures/rules', gate, name);
for (const [caseName, body] of [
  ['reported', `// ruleid: ${id}\nreplaceMe();\n`],
  ['clean', `// ok: ${id}\nreplaceMe();\n`],
] as const) {
  mkdirSync(join(fixtureDir, caseName, 'before'), { recursive: true });
  mkdirSync(join(fixtureDir, caseName, 'after'), { recursive: true });
  writeFileSync(join(fixtureDir, caseName, 'before', '.gitkeep'), '');
  writeFileSync(join(fixtureDir, caseName, 'after', 'example.ts'), body);
}

// Rewrite the gate's sorted registry from the folder.
const names = readdirSync(rulesDir)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
  .map((f) => f.slice(0, -3))
  .sort();
const camel = (s: string) => s.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
writeFileSync(
  join(rulesDir, 'index.ts'),
  `// The ${gate} gate's rules, sorted by id. \`npm run new-rule\` rewrites this list; the registry test checks it.\n` +
    names.map((n) => `import { rule as ${camel(n)} } from './${n}.js';`).join('\n') +
    `\n\nexport const rules = [${names.map(camel).join(', ')}];\n`,
);
console.log(
  `created ${id}: src/gates/${gate}/rules/${name}.{ts,md}, test/fixtures/rules/${id}/{reported,clean}; run npm run generate`,
);
