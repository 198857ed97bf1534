/**
 * The migrations gate on real migrations of public projects, with squawk's verdicts side by side.
 *
 *   npx tsx bench/migrations/real.ts <clones-dir>
 *
 * The corpus is bench/migrations/real-corpus.json: for each project a repository, a commit and the globs
 * of its migrations — provenance only. `<clones-dir>` holds one clone per project, named `owner+name`
 * (`git clone https://github.com/<owner>/<name> <clones-dir>/<owner>+<name>`); files are read with
 * `git show <commit>:<path>` and never copied into this repository.
 *
 * For each project the most recently added migrations (`judge` of them, by `git log --diff-filter=A`)
 * each become one simulated pull request: the base holds the project's support files and the migrations
 * of the same set that precede it (up to `baseWindow`), the head adds the file. squawk (pinned, default
 * settings, installed on demand like bench/migrations/run.ts) lints the same SQL: the file itself for
 * SQL migrations, and for code migrations whose SQL is a string (db-migrate `db.runSql`, goose Go
 * `tx.ExecContext`) that SQL, placed at its own line numbers. ORM-builder migrations (Django operations,
 * Sequelize queryInterface) have no SQL for squawk to read; only the gate judges them.
 *
 * Writes bench/results/migrations-real.{md,json}. Not a test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import picomatch from 'picomatch';
import { parseConfig } from '../../src/config/loader.js';
import { evaluate } from '../../src/core/engine.js';
import type { Finding } from '../../src/core/types.js';
import { GATES } from '../../src/gates/index.js';
import { statementOps } from '../../src/gates/migrations/sql-ops.js';
import { decodeSource, loadParsers } from '../../src/lang/index.js';
import { calleeName, descendantsOfType, lineOf, positionalArgs, templateParts } from '../../src/lang/ts-helpers.js';
import { memoryChangeSet } from '../../src/source/memory.js';
import { CORRESPONDING, squawkBinary } from './squawk.js';

const root = join(import.meta.dirname, '..', '..');
const clones = process.argv[2] ? resolve(process.argv[2]) : undefined;
if (!clones || !existsSync(clones)) {
  console.error(
    'usage: npx tsx bench/migrations/real.ts <clones-dir>   (one clone per project, named owner+name; see real-corpus.json)',
  );
  process.exit(2);
}

interface RepoSpec {
  repo: string;
  commit: string;
  runner: string;
  paths: string[];
  support: string[];
  config?: string;
}
const corpus = JSON.parse(readFileSync(join(import.meta.dirname, 'real-corpus.json'), 'utf8')) as {
  judge: number;
  baseWindow: number;
  repos: RepoSpec[];
};

/** squawk rules whose hits are substantive (a lock, a rewrite, lost data, a failing deploy), not style. */
const SUBSTANTIVE = new Set(
  Object.keys(CORRESPONDING).filter((r) => r !== 'require-lock-timeout' && r !== 'prefer-bigint-over-int'),
);

const HISTORY_RULES = new Set(
  [
    'divergent-history',
    'removed-migration',
    'edited-migration',
    'out-of-order-migration',
    'schema-without-migration',
    'schema-dump-stale',
    'lock-provider-changed',
    'atlas-sum-mismatch',
    'drizzle-journal-order',
  ].map((r) => `migrations/${r}`),
);

function git(dir: string, args: string[]): string {
  const r = spawnSync('git', ['-C', dir, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${dir}: ${r.stderr}`);
  return r.stdout;
}

/** The set a migration belongs to: Prisma folders share their parent, everything else its directory. */
function setOf(path: string): string {
  return path.endsWith('/migration.sql') ? dirname(dirname(path)) : dirname(path);
}

/** goose / dbmate down sections blanked out (line numbers kept): squawk would lint them, the deploy never runs them. */
function upSectionsOnly(text: string): string {
  let down = false;
  return text
    .split('\n')
    .map((l) => {
      if (/^\s*--\s*(?:\+goose\s+down|migrate:down)\b/i.test(l)) down = true;
      else if (/^\s*--\s*(?:\+goose\s+up|migrate:up)\b/i.test(l)) down = false;
      return down ? '' : l;
    })
    .join('\n');
}

/** Line ranges of down functions (`exports.down = …`, `down: …`, `function down`, goose's registered down). */
function downRanges(root: import('web-tree-sitter').Node): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const n of descendantsOfType(root, [
    'assignment_expression',
    'pair',
    'function_declaration',
    'method_definition',
  ])) {
    const name =
      n.childForFieldName('left')?.text ?? n.childForFieldName('key')?.text ?? n.childForFieldName('name')?.text ?? '';
    if (/(?:^|\.)down$|^down\w*/i.test(name)) out.push([n.startPosition.row + 1, n.endPosition.row + 1]);
  }
  return out;
}

/** SQL that squawk can read for a file, at the file's own line numbers; undefined when there is none. */
function squawkInput(path: string, text: string): string | undefined {
  if (path.endsWith('.sql') || path.endsWith('.sql.postgres')) return upSectionsOnly(text);
  if (!/\.(?:js|ts|go)$/.test(path)) return undefined;
  const read = decodeSource(path, Buffer.from(text, 'utf8'));
  if (!read.ok) return undefined;
  const tree = read.file.tree();
  if (!tree) return undefined;
  const lines: string[] = text.split('\n').map(() => '');
  let any = false;
  const downs = downRanges(tree.rootNode);
  for (const call of descendantsOfType(tree.rootNode, 'call_expression')) {
    if (downs.some(([a, b]) => lineOf(call) >= a && lineOf(call) <= b)) continue;
    const callee = calleeName(call) ?? '';
    const arg = /\.runSql$/.test(callee)
      ? positionalArgs(call)[0]
      : /\.ExecContext$/.test(callee)
        ? positionalArgs(call)[1]
        : /\.Exec$/.test(callee)
          ? positionalArgs(call)[0]
          : undefined;
    const parts = arg ? templateParts(arg) : undefined;
    if (!arg || !parts) continue;
    const sql = parts.strings.join('__expr');
    const start = lineOf(arg) - 1;
    sql.split('\n').forEach((l, i) => {
      if (start + i < lines.length)
        lines[start + i] = (lines[start + i] ? `${lines[start + i]} ` : '') + l.replace(/^`|`$/g, '');
    });
    lines[Math.min(lines.length - 1, start + sql.split('\n').length - 1)] += ';';
    any = true;
  }
  read.file.dispose();
  return any ? lines.join('\n') : undefined;
}

interface Statement {
  line: number;
  endLine: number;
  text: string;
  /** Tables this file created before (and including) the statement. */
  createdHere: Set<string>;
}
function statementsOf(text: string): Statement[] {
  const read = decodeSource('x.sql', Buffer.from(text, 'utf8'));
  if (!read.ok) return [];
  const created = new Set<string>();
  const out = (read.file.sql()?.statements ?? []).map((s) => {
    for (const op of statementOps(s)) if (op.kind === 'create-table') created.add(op.table);
    return { line: s.line, endLine: s.endLine, text: s.text, createdHere: new Set(created) };
  });
  read.file.dispose();
  return out;
}
function tableOf(text: string): string | undefined {
  const m =
    /(?:ALTER TABLE|ON|INTO|DROP TABLE|TABLE)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(?:ONLY\s+)?(?:"?public"?\.)?"?([A-Za-z_][\w$]*)"?/i.exec(
      text,
    );
  return m?.[1];
}

await loadParsers(['sql', 'python', 'typescript', 'javascript', 'go']);
const squawkBin = squawkBinary(root);
const squawkVersion = spawnSync(squawkBin, ['--version'], { encoding: 'utf8' }).stdout.trim();
const work = join(root, 'bench', '.work', 'real');
rmSync(work, { recursive: true, force: true });

interface Judged {
  repo: string;
  path: string;
  findings: Finding[];
  squawk?: Array<{ rule: string; line: number; line_end: number }>;
  statements: Statement[];
}
const judged: Judged[] = [];
const provenance: Array<{ repo: string; commit: string; runner: string; judged: string[] }> = [];
const gates = GATES.filter((g) => g.id === 'migrations' || g.id === 'core');
const started = process.hrtime.bigint();

for (const spec of corpus.repos) {
  const dir = join(clones, spec.repo.replace('/', '+'));
  if (!existsSync(dir)) {
    console.error(`skipping ${spec.repo}: no clone at ${dir} (git clone https://github.com/${spec.repo} ${dir})`);
    continue;
  }
  const isMigration = picomatch(spec.paths.filter((p) => !p.endsWith('.toml')));
  const selected = picomatch(spec.paths);
  const all = git(dir, ['ls-tree', '-r', '--name-only', spec.commit]).split('\n').filter(Boolean);
  const present = new Set(all.filter((p) => selected(p)));
  const recent: string[] = [];
  const log = git(dir, [
    'log',
    '--diff-filter=A',
    '--name-only',
    '--format=',
    '-n',
    '600',
    spec.commit,
    '--',
    ...spec.paths.map((p) => `:(glob)${p}`),
  ]);
  for (const p of log.split('\n')) if (p && present.has(p) && isMigration(p) && !recent.includes(p)) recent.push(p);
  const toJudge = recent.slice(0, corpus.judge).sort();
  provenance.push({ repo: spec.repo, commit: spec.commit, runner: spec.runner, judged: toJudge });
  const show = (p: string) => git(dir, ['show', `${spec.commit}:${p}`]);
  const support: Record<string, string> = {};
  for (const p of [...spec.support, ...[...present].filter((p) => p.endsWith('.toml'))])
    if (all.includes(p)) support[p] = show(p);
  const config = parseConfig(spec.config ?? '', 'bench', GATES);
  const texts = new Map<string, string>();
  const text = (p: string) => {
    let t = texts.get(p);
    if (t === undefined) texts.set(p, (t = show(p)));
    return t;
  };
  const squawkFiles: string[] = [];
  for (const path of toJudge) {
    const earlier = [...present]
      .filter((p) => isMigration(p) && setOf(p) === setOf(path) && p < path)
      .sort()
      .slice(-corpus.baseWindow);
    const base: Record<string, string> = { ...support };
    for (const p of earlier) base[p] = text(p);
    const evaluation = await evaluate({
      changeSet: memoryChangeSet({ base, head: { ...base, [path]: text(path) } }),
      config,
      gates,
    });
    // DDL rules only: one file added on top of the files that sort before it is not a pull request the
    // history rules can judge (two 0100_ migrations later merged look like two leaves here); the
    // real-commit runs in bench/results/migrations-real-commits.md judge those.
    const findings = evaluation.findings.filter(
      (f) => f.gate === 'migrations' && f.state === 'new' && f.path === path && !HISTORY_RULES.has(f.ruleId),
    );
    const input = path.endsWith('.sql.sqlite') ? undefined : squawkInput(path, text(path));
    const entry: Judged = { repo: spec.repo, path, findings, statements: input ? statementsOf(input) : [] };
    if (input !== undefined) {
      const out = join(work, spec.repo.replace('/', '+'), `${path}.sql`);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, input);
      squawkFiles.push(out);
      entry.squawk = [];
    }
    judged.push(entry);
  }
  if (squawkFiles.length) {
    const sq = spawnSync(squawkBin, ['--reporter', 'json', ...squawkFiles], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const hits = JSON.parse(sq.stdout || '[]') as Array<{
      file: string;
      rule_name: string;
      line: number;
      line_end?: number;
    }>;
    for (const h of hits) {
      const rel = resolve(h.file)
        .slice(join(work, spec.repo.replace('/', '+')).length + 1)
        .replace(/\.sql$/, '');
      const entry = judged.find((j) => j.repo === spec.repo && j.path === rel);
      entry?.squawk?.push({ rule: h.rule_name, line: h.line + 1, line_end: (h.line_end ?? h.line) + 1 });
    }
  }
  console.log(`${spec.repo}: ${toJudge.length} migrations judged, ${squawkFiles.length} with SQL squawk can read`);
}
const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;

// ---------------------------------------------------------------------------------------------------------
// Per rule, side by side
// ---------------------------------------------------------------------------------------------------------

interface Row {
  blockers: number;
  warnings: number;
  notices: number;
  /** Files squawk read: statements both reported / only squawk / only us. */
  both: number;
  onlySquawk: number;
  /** Of onlySquawk: on a table the same file created (we exempt new tables on purpose). */
  onlySquawkNewTable: number;
  onlyUs: number;
  /** Findings on files squawk cannot read (ORM builders). */
  noSquawkInput: number;
}
const rows = new Map<string, Row>();
const row = (r: string) => {
  let x = rows.get(r);
  if (!x)
    rows.set(
      r,
      (x = {
        blockers: 0,
        warnings: 0,
        notices: 0,
        both: 0,
        onlySquawk: 0,
        onlySquawkNewTable: 0,
        onlyUs: 0,
        noSquawkInput: 0,
      }),
    );
  return x;
};
let substantive = 0;
let recalled = 0;
const missed: Array<{ repo: string; path: string; line: number; rule: string; statement: string }> = [];
const oursOnly: Array<{ repo: string; path: string; line: number; rule: string; severity: string; message: string }> =
  [];

for (const j of judged) {
  for (const f of j.findings) {
    const r = row(f.ruleId);
    if (f.severity === 'blocker') r.blockers++;
    else if (f.severity === 'warning') r.warnings++;
    else r.notices++;
  }
  if (!j.squawk) {
    for (const f of j.findings) {
      row(f.ruleId).noSquawkInput++;
      oursOnly.push({
        repo: j.repo,
        path: j.path,
        line: f.line ?? 0,
        rule: f.ruleId,
        severity: f.severity,
        message: f.message,
      });
    }
    continue;
  }
  const stmtAt = (line: number) =>
    j.statements.find((s) => line >= s.line && line <= s.endLine) ?? j.statements.find((s) => s.line >= line);
  const keyOf = (line: number) => stmtAt(line)?.line ?? line;
  const sqByStmtRule = new Map<string, string[]>();
  for (const h of j.squawk) {
    const ours = CORRESPONDING[h.rule];
    if (!ours) continue;
    const k = `${keyOf(h.line)}|${ours}`;
    sqByStmtRule.set(k, [...(sqByStmtRule.get(k) ?? []), h.rule]);
  }
  const ourKeys = new Set(j.findings.map((f) => `${keyOf(f.line ?? 1)}|${f.ruleId}`));
  // squawk reports UNIQUE constraints as constraint-missing-not-valid too (they cannot be NOT VALID); we
  // report them once, as add-unique-constraint.
  for (const f of j.findings)
    if (f.ruleId === 'migrations/add-unique-constraint')
      ourKeys.add(`${keyOf(f.line ?? 1)}|migrations/constraint-without-not-valid`);
  for (const [k, sqRules] of sqByStmtRule) {
    const [line, rule] = [Number(k.split('|')[0]), k.split('|')[1]!];
    const hit = ourKeys.has(k);
    const st = stmtAt(line);
    const table = st ? tableOf(st.text) : undefined;
    const onExisting =
      !(table && [...(st?.createdHere ?? [])].some((c) => c.toLowerCase() === table.toLowerCase())) &&
      !/^\s*CREATE\s+TABLE/i.test(st?.text ?? '');
    if (hit) row(rule).both++;
    else {
      row(rule).onlySquawk++;
      if (!onExisting) row(rule).onlySquawkNewTable++;
    }
    if (sqRules.some((r) => SUBSTANTIVE.has(r)) && onExisting) {
      substantive++;
      if (hit) recalled++;
      else
        missed.push({
          repo: j.repo,
          path: j.path,
          line,
          rule: sqRules.join('+'),
          statement: (st?.text ?? '').split('\n')[0]!.slice(0, 140),
        });
    }
  }
  for (const f of j.findings) {
    const k = `${keyOf(f.line ?? 1)}|${f.ruleId}`;
    if (sqByStmtRule.has(k)) continue;
    row(f.ruleId).onlyUs++;
    oursOnly.push({
      repo: j.repo,
      path: j.path,
      line: f.line ?? 0,
      rule: f.ruleId,
      severity: f.severity,
      message: f.message,
    });
  }
}

const sorted = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
const squawkFor = (rule: string) =>
  Object.entries(CORRESPONDING)
    .filter(([, r]) => r === rule)
    .map(([k]) => k)
    .join(', ') || '—';
const md: string[] = [];
md.push(`# Migrations gate on real migrations, with squawk side by side`);
md.push('');
md.push(
  `Command: \`npx tsx bench/migrations/real.ts <clones-dir>\` · corpus: bench/migrations/real-corpus.json · ${squawkVersion} (default settings) · ${judged.length} simulated pull requests in ${(elapsedMs / 1000).toFixed(1)} s`,
);
md.push('');
md.push('| project | commit | runner | migrations judged | with SQL squawk reads |');
md.push('|---|---|---|---|---|');
for (const p of provenance)
  md.push(
    `| ${p.repo} | ${p.commit.slice(0, 12)} | ${p.runner} | ${p.judged.length} | ${judged.filter((j) => j.repo === p.repo && j.squawk).length} |`,
  );
md.push('');
md.push(
  'Per rule: our new findings by severity; then, per statement on the files squawk reads, who reported it ("only squawk" splits off the statements on a table the same file created, which we exempt on purpose); then our findings on migrations squawk cannot read (ORM builders).',
);
md.push('');
md.push(
  '| our rule | squawk rule(s) | blockers | warnings | notices | both | only squawk (of which new table) | only us | only us, squawk cannot read the file |',
);
md.push('|---|---|---|---|---|---|---|---|---|');
for (const [rule, r] of sorted)
  md.push(
    `| ${rule} | ${squawkFor(rule)} | ${r.blockers} | ${r.warnings} | ${r.notices} | ${r.both} | ${r.onlySquawk} (${r.onlySquawkNewTable}) | ${r.onlyUs} | ${r.noSquawkInput} |`,
  );
md.push('');
md.push(
  `**Recall of squawk's substantive hits on existing tables:** ${recalled}/${substantive}${substantive ? ` (${((100 * recalled) / substantive).toFixed(0)} %)` : ''} — substantive = every mapped squawk rule except require-lock-timeout and prefer-bigint-over-int; on existing tables = the statement's table was not created earlier in the same file.`,
);
md.push('');
if (missed.length) {
  md.push('Missed (squawk substantive, not us):');
  md.push('');
  for (const m of missed)
    md.push(`- ${m.repo} \`${m.path}:${m.line}\` ${m.rule}: \`${m.statement.replace(/`/g, "'")}\``);
  md.push('');
}
md.push(
  `**Ours that squawk lacks:** ${oursOnly.length} findings (${oursOnly.filter((o) => o.severity === 'blocker').length} blockers), of which ${oursOnly.filter((o) => !judged.find((j) => j.repo === o.repo && j.path === o.path)?.squawk).length} on migrations squawk cannot read.`,
);
md.push('');
for (const o of oursOnly)
  md.push(`- ${o.severity} ${o.rule} — ${o.repo} \`${o.path}:${o.line}\`: ${o.message.split('\n')[0]!.slice(0, 200)}`);
md.push('');
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'migrations-real.md'), md.join('\n'));
writeFileSync(
  join(root, 'bench', 'results', 'migrations-real.json'),
  JSON.stringify(
    {
      squawk: squawkVersion,
      provenance,
      rules: Object.fromEntries(sorted),
      recall: { recalled, substantive },
      missed,
      oursOnly,
    },
    null,
    2,
  ) + '\n',
);
console.log(md.join('\n'));
