/**
 * The migrations gate against squawk on real Postgres migrations.
 *
 *   npx tsx bench/migrations/run.ts [corpus-dir]      (default: ../shared/corpus/sql)
 *
 * The corpus holds `migration.sql` files of three Prisma projects with `sources.json` (original path and
 * project of each). Each file is judged the way the gate sees it in a pull request: the project's earlier
 * corpus migrations are the base, the file is the one migration the PR adds. squawk (`squawk-cli`, default
 * settings, as the corpus's recorded verdicts) lints every file in one process. Findings are matched per
 * statement (line ranges overlap) for each pair of corresponding rules, and every disagreement gets a
 * reason: a known, deliberate difference (checked against the statement) or "unexplained" for review.
 * Prints the table and writes bench/results/migrations.json. Not a test: `npm test` never reads the corpus.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseConfig } from '../../src/config/loader.js';
import { evaluate } from '../../src/core/engine.js';
import type { Finding } from '../../src/core/types.js';
import { GATES } from '../../src/gates/index.js';
import { decodeSource, loadParsers } from '../../src/lang/index.js';
import { statementOps } from '../../src/gates/migrations/sql-ops.js';
import { memoryChangeSet } from '../../src/source/memory.js';
import { CORRESPONDING, squawkBinary } from './squawk.js';

const root = join(import.meta.dirname, '..', '..');
const corpus = resolve(process.argv[2] ?? join(root, '..', 'shared', 'corpus', 'sql'));
if (!existsSync(join(corpus, 'sources.json'))) {
  console.error(
    `no corpus at ${corpus} (expected sources.json there); pass the corpus directory as the first argument`,
  );
  process.exit(2);
}

interface Source {
  file: string;
  repo: string;
  path: string;
}
interface SquawkHit {
  rule: string;
  line: number;
  line_end: number;
}

/** Rules without a counterpart, with the reason they have none (the correspondence is in squawk.ts). */
const NO_COUNTERPART: Record<string, string> = {
  'require-statement-timeout':
    'A statement_timeout guards runaway statements, not locks; lock_timeout (missing-lock-timeout) is what protects traffic, so we do not require both.',
  'prefer-robust-stmts':
    'IF [NOT] EXISTS matters for files re-run after a partial failure; Prisma runs each file in one transaction, so a failed file leaves nothing behind to be robust against.',
  'prefer-text-field':
    'varchar(n) is not a hazard by itself: widening it is metadata-only since PostgreSQL 9.2, and column-type-change recognises that. We report the narrowing that does rewrite.',
  'prefer-timestamp-tz': 'A modelling preference, not a deploy-time hazard; out of scope for a merge gate.',
  'prefer-identity': 'serial vs identity is style; the operational risk (32-bit overflow) is int-primary-key.',
  'require-enum-value-ordering':
    'Value order only affects sorting; the deploy-time hazard of ADD VALUE (in a transaction before PG 12, or used before commit) is enum-value-in-transaction.',
  'ban-drop-not-null':
    'DROP NOT NULL is instant and old code keeps working (it never writes NULL); not a deploy hazard.',
  'ban-char-field': 'A modelling preference, not a deploy-time hazard.',
};

const sources = (JSON.parse(readFileSync(join(corpus, 'sources.json'), 'utf8')) as Source[]).sort((a, b) =>
  a.repo === b.repo ? (a.path < b.path ? -1 : 1) : a.repo < b.repo ? -1 : 1,
);

// ---------------------------------------------------------------------------------------------------------
// squawk
// ---------------------------------------------------------------------------------------------------------

const squawkBin = squawkBinary(root);
const files = sources.map((s) => s.file);
const sqStart = process.hrtime.bigint();
const sq = spawnSync(squawkBin, ['--reporter', 'json', ...files], {
  cwd: corpus,
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
});
const squawkMs = Number(process.hrtime.bigint() - sqStart) / 1e6;
if (sq.error || !sq.stdout) {
  console.error(`squawk did not run (${sq.error?.message ?? sq.stderr}); see the install step above`);
  process.exit(2);
}
const squawkVersion = spawnSync(squawkBin, ['--version'], { encoding: 'utf8' }).stdout.trim();
const squawkRaw = JSON.parse(sq.stdout) as Array<{ file: string; rule_name: string; line: number; line_end?: number }>;
const squawkByFile = new Map<string, SquawkHit[]>();
for (const v of squawkRaw) {
  const list = squawkByFile.get(v.file) ?? [];
  // squawk's JSON lines are 0-based.
  list.push({ rule: v.rule_name, line: v.line + 1, line_end: (v.line_end ?? v.line) + 1 });
  squawkByFile.set(v.file, list);
}

// ---------------------------------------------------------------------------------------------------------
// The gate, one simulated pull request per corpus file
// ---------------------------------------------------------------------------------------------------------

const gates = GATES.filter((g) => g.id === 'migrations' || g.id === 'core');
const config = parseConfig('', 'bench', GATES);
const ours = new Map<string, Finding[]>();
const perFileMs: number[] = [];
const byRepo = new Map<string, Source[]>();
for (const s of sources) byRepo.set(s.repo, [...(byRepo.get(s.repo) ?? []), s]);
const warm = process.hrtime.bigint();
await loadParsers(['sql', 'python', 'typescript', 'javascript']);
const parserLoadMs = Number(process.hrtime.bigint() - warm) / 1e6;
const ourStart = process.hrtime.bigint();
for (const list of byRepo.values()) {
  const lockPath = list[0]!.path.replace(/\/[^/]+\/migration\.sql$/, '/migration_lock.toml');
  const base: Record<string, string> = { [lockPath]: 'provider = "postgresql"\n' };
  for (const s of list) {
    const text = readFileSync(join(corpus, s.file), 'utf8');
    const head = { ...base, [s.path]: text };
    const t = process.hrtime.bigint();
    const evaluation = await evaluate({ changeSet: memoryChangeSet({ base, head }), config, gates });
    perFileMs.push(Number(process.hrtime.bigint() - t) / 1e6);
    ours.set(
      s.file,
      evaluation.findings.filter((f) => f.path === s.path && f.gate === 'migrations' && f.state === 'new'),
    );
    base[s.path] = text;
  }
}
const ourMs = Number(process.hrtime.bigint() - ourStart) / 1e6;

// ---------------------------------------------------------------------------------------------------------
// Agreement per statement, with reasons
// ---------------------------------------------------------------------------------------------------------

interface Statement {
  line: number;
  endLine: number;
  text: string;
  createdHere: Set<string>;
  /** The file's text before this statement. */
  before: string;
}

function textBefore(st: Statement): string {
  return st.before;
}

function statementsOf(text: string): Statement[] {
  const read = decodeSource('x.sql', Buffer.from(text, 'utf8'));
  if (!read.ok) return [];
  const created = new Set<string>();
  return (read.file.sql()?.statements ?? []).map((s) => {
    for (const op of statementOps(s)) if (op.kind === 'create-table') created.add(op.table);
    return {
      line: s.line,
      endLine: s.endLine,
      text: s.text,
      createdHere: new Set(created),
      before: text.slice(0, s.start),
    };
  });
}

/** Why the two tools disagree on a statement, when it is a difference we know and stand by. */
function reasonFor(
  ourRule: string,
  onlySquawk: boolean,
  st: Statement | undefined,
  squawkRules: string[],
  finding: Finding | undefined,
): string {
  const text = st?.text ?? '';
  const tableMatch = /(?:ALTER TABLE|ON|INTO)\s+(?:ONLY\s+)?(?:"?public"?\.)?"([^"]+)"/i.exec(text);
  const table = tableMatch?.[1];
  if (onlySquawk) {
    if (
      ourRule === 'migrations/constraint-without-not-valid' &&
      /\b(?:UNIQUE|PRIMARY KEY)\b/i.test(text) &&
      !/\b(?:FOREIGN KEY|CHECK)\b/i.test(text)
    ) {
      return 'UNIQUE / PRIMARY KEY constraints cannot be NOT VALID; squawk reports them here as well, we report them once as add-unique-constraint';
    }
    if (table && st?.createdHere.has(table))
      return 'table created earlier in the same migration: it has no rows and no traffic, so there is nothing to lock (squawk only exempts same-transaction tables for some rules)';
    if (ourRule === 'migrations/int-primary-key')
      return 'squawk prefers bigint for every int column; we report only primary keys (the 2^31 overflow that forces a rewrite later), not foreign keys or counters';
    if (ourRule === 'migrations/column-type-change' && /varchar|text|decimal|numeric/i.test(text))
      return 'metadata-only change known from the history (varchar widening / to text / numeric precision growth), no rewrite';
    if (ourRule === 'migrations/column-type-change')
      return 'no rewrite by the history: the column type is unchanged or binary-coercible';
    if (
      ourRule === 'migrations/set-not-null' &&
      squawkRules.includes('adding-not-nullable-field') &&
      /ADD COLUMN/i.test(text)
    )
      return 'squawk reports NOT NULL on ADD COLUMN with a default as a set-not-null; with a constant default it is metadata-only on PostgreSQL 11+';
    if (ourRule === 'migrations/add-required-column' && st && /DELETE FROM|TRUNCATE/i.test(textBefore(st)))
      return 'the table is emptied earlier in the same transaction (DELETE without WHERE), so the NOT NULL column can be added; the DELETE is reported by drop-table instead';
    if (ourRule === 'migrations/add-column-volatile-default')
      return 'constant default (including now()/CURRENT_TIMESTAMP): metadata-only since PostgreSQL 11';
    if (ourRule === 'migrations/missing-lock-timeout')
      return 'the file takes no blocking lock on a table that existed before it (only CREATE TABLE, indexes on new tables, enum/type changes)';
    if (ourRule === 'migrations/drop-index-non-concurrent')
      return 'the index was created earlier in the same migration';
    return 'unexplained';
  }
  if (ourRule === 'migrations/backfill-with-ddl')
    return 'squawk has no rule for data backfills in the same transaction as DDL';
  if (ourRule === 'migrations/enum-value-in-transaction')
    return 'squawk has no rule for using a new enum value in the transaction that adds it';
  if (ourRule === 'migrations/missing-lock-timeout')
    return 'squawk reports the lock_timeout once per file at the first statement; we report at the first statement that locks an existing table';
  if (ourRule === 'migrations/column-type-change' && finding?.message.includes('history here does not say'))
    return 'old type unknown to both; squawk reports the statement at a different line or not at all';
  if (ourRule === 'migrations/add-required-column')
    return 'squawk exempts NOT NULL columns it cannot prove are added to a non-empty table; an existing table with rows fails the migration';
  if (ourRule === 'migrations/drop-table')
    return 'squawk has no rule for DELETE without WHERE, TRUNCATE without CASCADE or DROP VIEW on existing objects';
  return 'unexplained';
}

interface Tally {
  both: number;
  onlySquawk: number;
  onlyUs: number;
  disagreements: Array<{
    file: string;
    line: number;
    side: 'only squawk' | 'only us';
    statement: string;
    reason: string;
  }>;
}
const tallies = new Map<string, Tally>();
const tally = (rule: string) => {
  let t = tallies.get(rule);
  if (!t) {
    t = { both: 0, onlySquawk: 0, onlyUs: 0, disagreements: [] };
    tallies.set(rule, t);
  }
  return t;
};
const unmapped = new Map<string, number>();
const perFileRules = new Set(['migrations/missing-lock-timeout']);

for (const s of sources) {
  const text = readFileSync(join(corpus, s.file), 'utf8');
  const statements = statementsOf(text);
  const stmtAt = (line: number) =>
    statements.find((st) => line >= st.line && line <= st.endLine) ?? statements.find((st) => st.line >= line);
  const squawkHits = squawkByFile.get(s.file) ?? [];
  for (const h of squawkHits) if (!CORRESPONDING[h.rule]) unmapped.set(h.rule, (unmapped.get(h.rule) ?? 0) + 1);
  const mine = ours.get(s.file) ?? [];
  const ourRules = new Set([...Object.values(CORRESPONDING), ...mine.map((f) => f.ruleId)]);
  for (const rule of ourRules) {
    const squawkRules = Object.entries(CORRESPONDING)
      .filter(([, r]) => r === rule)
      .map(([k]) => k);
    const sqHits = squawkHits.filter((h) => squawkRules.includes(h.rule));
    const ourHits = mine.filter((f) => f.ruleId === rule);
    if (sqHits.length === 0 && ourHits.length === 0) continue;
    const t = tally(rule);
    if (perFileRules.has(rule)) {
      if (sqHits.length && ourHits.length) t.both++;
      else if (sqHits.length) {
        t.onlySquawk++;
        t.disagreements.push({
          file: s.file,
          line: sqHits[0]!.line,
          side: 'only squawk',
          statement: stmtAt(sqHits[0]!.line)?.text.split('\n')[0] ?? '',
          reason: reasonFor(rule, true, undefined, squawkRules, undefined),
        });
      } else {
        t.onlyUs++;
        t.disagreements.push({
          file: s.file,
          line: ourHits[0]!.line,
          side: 'only us',
          statement: stmtAt(ourHits[0]!.line)?.text.split('\n')[0] ?? '',
          reason: reasonFor(rule, false, undefined, [], ourHits[0]),
        });
      }
      continue;
    }
    // One unit per statement: squawk may fire two of its rules on one statement (FK: two rules).
    const units = new Map<number, { sq: string[]; us?: Finding; st?: Statement }>();
    for (const h of sqHits) {
      const st = stmtAt(h.line);
      const key = st?.line ?? h.line;
      const u = units.get(key) ?? { sq: [], ...(st ? { st } : {}) };
      u.sq.push(h.rule);
      units.set(key, u);
    }
    for (const f of ourHits) {
      const st = stmtAt(f.line);
      const key = st?.line ?? f.line;
      const u = units.get(key) ?? { sq: [], ...(st ? { st } : {}) };
      u.us = f;
      units.set(key, u);
    }
    for (const [line, u] of units) {
      if (u.sq.length && u.us) t.both++;
      else if (u.sq.length) {
        t.onlySquawk++;
        t.disagreements.push({
          file: s.file,
          line,
          side: 'only squawk',
          statement: u.st?.text.split('\n')[0] ?? '',
          reason: reasonFor(rule, true, u.st, u.sq, undefined),
        });
      } else {
        t.onlyUs++;
        t.disagreements.push({
          file: s.file,
          line,
          side: 'only us',
          statement: u.st?.text.split('\n')[0] ?? '',
          reason: reasonFor(rule, false, u.st, [], u.us),
        });
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------------------

const rows = [...tallies.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
const pad = (s: string | number, n: number) => String(s).padEnd(n);
console.log(`\nmigrations gate vs ${squawkVersion} on ${sources.length} migrations (${corpus})\n`);
console.log(`${pad('our rule', 44)}${pad('squawk rule(s)', 64)}${pad('both', 6)}${pad('only squawk', 13)}only us`);
for (const [rule, t] of rows) {
  const sqRules =
    Object.entries(CORRESPONDING)
      .filter(([, r]) => r === rule)
      .map(([k]) => k)
      .join(', ') || '—';
  console.log(`${pad(rule, 44)}${pad(sqRules, 64)}${pad(t.both, 6)}${pad(t.onlySquawk, 13)}${t.onlyUs}`);
}
const reasons = new Map<string, number>();
for (const [rule, t] of rows)
  for (const d of t.disagreements)
    reasons.set(`${rule} · ${d.side} · ${d.reason}`, (reasons.get(`${rule} · ${d.side} · ${d.reason}`) ?? 0) + 1);
console.log('\nDisagreements by reason:');
for (const [r, n] of [...reasons].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(3)}  ${r}`);
console.log('\nsquawk rules without a counterpart (not compared):');
for (const [r, n] of [...unmapped].sort((a, b) => b[1] - a[1]))
  console.log(`  ${String(n).padStart(3)}  ${r}: ${NO_COUNTERPART[r] ?? 'no corresponding rule'}`);
const mean = perFileMs.reduce((a, b) => a + b, 0) / perFileMs.length;
const sorted = [...perFileMs].sort((a, b) => a - b);
console.log(`\ntime: squawk ${squawkMs.toFixed(0)} ms for all ${sources.length} files (one process, incl. start-up)`);
console.log(
  `      gate   ${ourMs.toFixed(0)} ms for ${sources.length} simulated PRs (in-process, parsers preloaded in ${parserLoadMs.toFixed(0)} ms; per PR mean ${mean.toFixed(1)} ms, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms)`,
);

const totals = rows.reduce(
  (acc, [, t]) => ({
    both: acc.both + t.both,
    onlySquawk: acc.onlySquawk + t.onlySquawk,
    onlyUs: acc.onlyUs + t.onlyUs,
  }),
  { both: 0, onlySquawk: 0, onlyUs: 0 },
);
const unexplained = rows.flatMap(([, t]) => t.disagreements).filter((d) => d.reason === 'unexplained').length;
console.log(
  `\ntotal: both ${totals.both}, only squawk ${totals.onlySquawk}, only us ${totals.onlyUs}; unexplained disagreements: ${unexplained}`,
);

mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(root, 'bench', 'results', 'migrations.json'),
  JSON.stringify(
    {
      corpus: { files: sources.length, projects: [...byRepo.keys()] },
      squawk: { version: squawkVersion, settings: 'defaults', ms: Math.round(squawkMs) },
      gate: {
        mode: 'one simulated PR per file, earlier corpus migrations of the project as base',
        ms: Math.round(ourMs),
        parserLoadMs: Math.round(parserLoadMs),
        perPrMeanMs: Number(mean.toFixed(1)),
      },
      totals: { ...totals, unexplained },
      rules: Object.fromEntries(
        rows.map(([rule, t]) => [
          rule,
          {
            squawk: Object.entries(CORRESPONDING)
              .filter(([, r]) => r === rule)
              .map(([k]) => k),
            both: t.both,
            onlySquawk: t.onlySquawk,
            onlyUs: t.onlyUs,
            disagreements: t.disagreements,
          },
        ]),
      ),
      findings: Object.fromEntries(
        sources.map((src) => [
          src.file,
          (ours.get(src.file) ?? []).map((f) => ({
            rule: f.ruleId,
            line: f.line,
            severity: f.severity,
            message: f.message,
          })),
        ]),
      ),
      squawkRulesWithoutCounterpart: Object.fromEntries(
        [...unmapped].map(([r, n]) => [r, { hits: n, why: NO_COUNTERPART[r] ?? 'no corresponding rule' }]),
      ),
    },
    null,
    2,
  ) + '\n',
);
console.log('\nwrote bench/results/migrations.json');
