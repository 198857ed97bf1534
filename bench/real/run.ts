/**
 * Real-commit benchmark: runs the CLI (`check --base <parent> --head <commit> --format json`) of two builds
 * over single commits of public repositories, checks that both builds report the same findings, and prints
 * a per-repository table of wall time, CPU time (the CLI and every git process it waited for) and the
 * number of git processes per run.
 *
 *   npx tsx bench/real/run.ts select --clone owner/name=/path/to/clone ... [--per-repo 6] [--touching GLOB] [--append]
 *       picks the newest non-merge first-parent commits of each clone (only those touching GLOB when given)
 *       and writes bench/real/manifest.json (provenance: repository, tip, commit, parent), or adds to it.
 *       Nothing of the repositories is committed here. `--set NAME` (both commands) keeps a second set of
 *       commits in bench/real/manifest-NAME.json with results in bench/results/NAME.{json,md}.
 *   npx tsx bench/real/run.ts run --old /path/to/old/checkout --clone owner/name=/path ... [--label-old before] [--label-new after]
 *       checks every manifest commit with the old build's bin/readiness-gates.js and this checkout's, one
 *       after the other, and writes bench/results/real.json and the table in bench/results/real.md.
 *
 * Each clone gets a detached `git worktree` without files in the temporary directory (removed afterwards),
 * so the CLI runs in a checkout; the commits are passed explicitly, so the working tree is never judged.
 * Git is found through a wrapper on PATH that logs each invocation, to count processes; the wrapper's cost
 * (one `sh` per git process) is in both builds' figures.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TIMEOUT_MS = 180_000;

interface ManifestCommit {
  commit: string;
  parent: string;
  subject: string;
}
interface ManifestRepo {
  repo: string;
  /** The clone's tip when the commits were picked. */
  tip: string;
  files: number;
  commits: ManifestCommit[];
}
interface Manifest {
  note: string;
  repos: ManifestRepo[];
}

interface Run {
  exit: number;
  wallS: number;
  cpuS: number;
  gitProcesses: number;
  gitGreps: number;
  /** The report minus timing, or undefined when the CLI printed none. */
  report?: Record<string, unknown>;
  stderr: string;
}

interface CommitResult {
  repo: string;
  commit: string;
  old: Omit<Run, 'report' | 'stderr'>;
  new: Omit<Run, 'report' | 'stderr'>;
  findings: number;
  sameFindings: boolean;
  sameReport: boolean;
  differences?: string[];
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    clone: { type: 'string', multiple: true, default: [] },
    'per-repo': { type: 'string', default: '6' },
    touching: { type: 'string', multiple: true, default: [] },
    append: { type: 'boolean', default: false },
    set: { type: 'string', default: 'real' },
    old: { type: 'string' },
    'label-old': { type: 'string', default: 'before' },
    'label-new': { type: 'string', default: 'after' },
    only: { type: 'string' },
  },
});

// A second set of commits (e.g. only those touching migrations) gets its own manifest and results.
const SET = values.set;
const MANIFEST = join(ROOT, `bench/real/${SET === 'real' ? 'manifest' : `manifest-${SET}`}.json`);
const RESULTS_JSON = join(ROOT, `bench/results/${SET}.json`);
const RESULTS_MD = join(ROOT, `bench/results/${SET}.md`);

const clones = new Map<string, string>();
for (const spec of values.clone) {
  const eq = spec.indexOf('=');
  if (eq < 1) throw new Error(`--clone wants owner/name=/path, got ${spec}`);
  clones.set(spec.slice(0, eq), spec.slice(eq + 1));
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).trim();
}

function select(): void {
  const perRepo = Number(values['per-repo']);
  const repos: ManifestRepo[] = [];
  for (const [repo, dir] of clones) {
    const tip = git(dir, 'rev-parse', 'HEAD');
    const files = git(dir, 'ls-tree', '-r', '--name-only', 'HEAD').split('\n').length;
    const pathspecs = values.touching.length ? ['--', ...values.touching.map((g) => `:(glob)${g}`)] : [];
    const lines = git(
      dir,
      'log',
      '--first-parent',
      '--no-merges',
      `-n${perRepo}`,
      '--format=%H%x00%P%x00%s',
      'HEAD',
      ...pathspecs,
    ).split('\n');
    const commits = lines.map((line) => {
      const [commit = '', parents = '', subject = ''] = line.split('\0');
      return { commit, parent: parents.split(' ')[0] ?? '', subject };
    });
    repos.push({ repo, tip, files, commits });
  }
  const previous = values.append ? (JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest).repos : [];
  const manifest: Manifest = {
    note: 'Public repositories and commits the real-commit benchmark checks (each commit against its first parent). Fetch the repositories yourself; none of their code is kept here.',
    repos: [...previous, ...repos],
  };
  writeFileSync(MANIFEST, JSON.stringify(manifest, null, 2) + '\n');
  console.log(`wrote ${MANIFEST}: ${manifest.repos.reduce((n, r) => n + r.commits.length, 0)} commits`);
}

/** A directory holding a `git` that logs its arguments to $RG_BENCH_GIT_LOG and runs the real git. */
function gitWrapper(work: string): string {
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const dir = join(work, 'bin');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'git');
  writeFileSync(path, `#!/bin/sh\nprintf '%s\\n' "$*" >> "$RG_BENCH_GIT_LOG"\nexec ${realGit} "$@"\n`);
  chmodSync(path, 0o755);
  return dir;
}

function checkOnce(bin: string, cwd: string, c: ManifestCommit, wrapperDir: string, work: string): Run {
  const log = join(work, 'git.log');
  const timeOut = join(work, 'time.txt');
  writeFileSync(log, '');
  const r = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '%e %U %S',
      '-o',
      timeOut,
      process.execPath,
      bin,
      'check',
      '--base',
      c.parent,
      '--head',
      c.commit,
      '--format',
      'json',
    ],
    {
      cwd,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      timeout: TIMEOUT_MS,
      env: { ...process.env, PATH: `${wrapperDir}:${process.env['PATH'] ?? ''}`, RG_BENCH_GIT_LOG: log, NO_COLOR: '1' },
    },
  );
  const [wall = 'NaN', user = 'NaN', sys = 'NaN'] = readFileSync(timeOut, 'utf8').trim().split('\n').at(-1)!.split(' ');
  const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  let report: Record<string, unknown> | undefined;
  try {
    report = JSON.parse(r.stdout) as Record<string, unknown>;
    const stats = report['stats'] as Record<string, unknown> | undefined;
    if (stats) delete stats['durationMs'];
  } catch {
    report = undefined;
  }
  return {
    exit: r.status ?? -1,
    wallS: Number(wall),
    cpuS: Number(user) + Number(sys),
    gitProcesses: calls.length,
    gitGreps: calls.filter((a) => / grep /.test(` ${a} `)).length,
    report,
    stderr: r.stderr.slice(-2000),
  };
}

interface Finding {
  id: string;
  ruleId: string;
  state: string;
  severity: string;
  path: string;
  line?: number;
}

function findingKeys(report: Record<string, unknown> | undefined): string[] {
  const findings = (report?.['findings'] ?? []) as Finding[];
  return findings.map((f) => `${f.id} ${f.ruleId} ${f.state} ${f.severity} ${f.path}:${f.line ?? ''}`).sort();
}

function strip(run: Run): Omit<Run, 'report' | 'stderr'> {
  const { report: _report, stderr: _stderr, ...rest } = run;
  return rest;
}

function runAll(): void {
  if (!values.old) throw new Error('run needs --old /path/to/old/checkout (with bin/readiness-gates.js built)');
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest;
  const oldBin = resolve(values.old, 'bin/readiness-gates.js');
  const newBin = join(ROOT, 'bin/readiness-gates.js');
  const work = mkdtempSync(join(tmpdir(), 'rg-bench-real-'));
  const wrapperDir = gitWrapper(work);
  const results: CommitResult[] = [];
  try {
    for (const entry of manifest.repos) {
      if (values.only && !entry.repo.includes(values.only)) continue;
      const clone = clones.get(entry.repo);
      if (!clone) {
        console.error(`skipping ${entry.repo}: no --clone ${entry.repo}=PATH`);
        continue;
      }
      const checkout = join(work, entry.repo.replace('/', '+'));
      // No files are checked out: the commits are judged from git's objects (a snapshot may lack large blobs).
      git(clone, 'worktree', 'add', '--detach', '--no-checkout', '-f', checkout, entry.commits[0]!.commit);
      try {
        for (const c of entry.commits) {
          const before = checkOnce(oldBin, checkout, c, wrapperDir, work);
          const after = checkOnce(newBin, checkout, c, wrapperDir, work);
          const a = findingKeys(before.report);
          const b = findingKeys(after.report);
          const sameFindings = before.report !== undefined && JSON.stringify(a) === JSON.stringify(b);
          const sameReport =
            before.report !== undefined && JSON.stringify(before.report) === JSON.stringify(after.report);
          const result: CommitResult = {
            repo: entry.repo,
            commit: c.commit,
            old: strip(before),
            new: strip(after),
            findings: a.length,
            sameFindings,
            sameReport,
          };
          if (!sameFindings)
            result.differences = [
              ...a.filter((k) => !b.includes(k)).map((k) => `- ${k}`),
              ...b.filter((k) => !a.includes(k)).map((k) => `+ ${k}`),
            ];
          if (before.report === undefined)
            result.differences = [`old build printed no report (exit ${before.exit}): ${before.stderr}`];
          results.push(result);
          save(results, manifest);
          console.log(
            `${entry.repo} ${c.commit.slice(0, 10)} exit ${before.exit}/${after.exit} wall ${before.wallS}/${after.wallS} s cpu ${before.cpuS.toFixed(2)}/${after.cpuS.toFixed(2)} s git ${before.gitProcesses}/${after.gitProcesses} (grep ${before.gitGreps}/${after.gitGreps}) findings ${a.length}/${b.length} ${sameReport ? 'same report' : sameFindings ? 'same findings' : 'DIFFERENT'}`,
          );
        }
      } finally {
        git(clone, 'worktree', 'remove', '--force', checkout);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log(save(results, manifest));
}

/** Writes the results so far (a crash or a timeout keeps what was measured); returns the table. */
function save(results: CommitResult[], manifest: Manifest): string {
  const labels = [values['label-old'], values['label-new']];
  writeFileSync(
    RESULTS_JSON,
    JSON.stringify({ labels, node: process.version, date: new Date().toISOString().slice(0, 10), results }, null, 2) +
      '\n',
  );
  const table = render(results, manifest);
  writeFileSync(RESULTS_MD, table);
  return table;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function render(results: CommitResult[], manifest: Manifest): string {
  const [lo, ln] = [values['label-old'], values['label-new']];
  const rows: string[] = [];
  const groups = new Map<string, CommitResult[]>();
  for (const r of results) groups.set(r.repo, [...(groups.get(r.repo) ?? []), r]);
  groups.set('all', results);
  for (const [repo, rs] of groups) {
    const files = manifest.repos.find((m) => m.repo === repo)?.files;
    const f = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '—');
    const same = rs.filter((r) => r.sameFindings).length;
    rows.push(
      `| ${repo} | ${files ?? '—'} | ${rs.length} | ${f(median(rs.map((r) => r.old.gitProcesses)), 0)} → ${f(median(rs.map((r) => r.new.gitProcesses)), 0)} | ${f(median(rs.map((r) => r.old.gitGreps)), 0)} → ${f(median(rs.map((r) => r.new.gitGreps)), 0)} | ${f(median(rs.map((r) => r.old.wallS)))} → ${f(median(rs.map((r) => r.new.wallS)))} | ${f(Math.max(...rs.map((r) => r.old.wallS)))} → ${f(Math.max(...rs.map((r) => r.new.wallS)))} | ${f(median(rs.map((r) => r.old.cpuS)))} → ${f(median(rs.map((r) => r.new.cpuS)))} | ${rs.reduce((n, r) => n + r.findings, 0)} | ${same}/${rs.length}${rs.every((r) => r.sameReport) ? ' (reports identical)' : ''} |`,
    );
  }
  return [
    `# Real commits: ${lo} → ${ln}`,
    '',
    'Written by `bench/real/run.ts` (commits in `bench/real/manifest.json`, each checked against its first parent, one cold run per build, 2-core shared machine).',
    'Wall and CPU are medians per commit in seconds; CPU is user + system of the CLI and the git processes it waited for.',
    '"same findings" compares every finding\'s id, rule, state, severity and location; "reports identical" the whole JSON report except `stats.durationMs`.',
    '',
    `| repository | files | commits | git processes | git grep | wall median | wall max | CPU median | findings | same findings |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
    '',
  ].join('\n');
}

if (positionals[0] === 'select') select();
else if (positionals[0] === 'run') runAll();
else {
  console.error('usage: tsx bench/real/run.ts select|run --clone owner/name=PATH ... [--old DIR]');
  process.exit(2);
}
