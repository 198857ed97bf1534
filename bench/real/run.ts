/**
 * Real-commit benchmark: runs the CLI (`check --base <parent> --head <commit> --format json`) over single
 * commits of public repositories, several times each, and prints a per-repository table of wall time, CPU
 * time (the CLI and every git process it waited for) and git processes, before and after a change, with a
 * finding-for-finding comparison of the two builds' reports.
 *
 *   npx tsx bench/real/run.ts select --clone owner/name=/path/to/clone ... [--per-repo 6] [--touching GLOB] [--append]
 *       picks the newest non-merge first-parent commits of each clone (only those touching GLOB when given)
 *       and writes bench/real/manifest.json (provenance: repository, tip, commit, parent), or adds to it.
 *       Nothing of the repositories is committed here. `--set NAME` (every command) keeps a second set of
 *       commits in bench/real/manifest-NAME.json with results in bench/results/NAME*.{json,md}.
 *   npx tsx bench/real/run.ts baseline --old /path/to/old/checkout --clone owner/name=/path ... [--runs 3]
 *       runs the old build's bin/readiness-gates.js (`--entry dist-cli/index.js`: the bundled CLI the npm
 *       package ships, after `npm run bundle:cli` there) over every manifest commit and stores its timings and
 *       findings (id, rule, state, severity, location; no code) in bench/results/NAME-baseline.json.
 *   npx tsx bench/real/run.ts run --clone owner/name=/path ... [--runs 3]
 *       runs this checkout's build over the same commits and compares with the stored baseline, writing
 *       bench/results/NAME.json and the table in bench/results/NAME.md. `--measured OTHER` takes the new
 *       build's figures from bench/results/OTHER-baseline.json instead (measured by `baseline --set OTHER
 *       --old <this checkout>` with a copy of the manifest as manifest-OTHER.json), so both builds can be
 *       measured side by side on a shared machine; the tables then also count blocked commits and group
 *       the differences by rule (rules that another issue deliberately changed differ by design).
 *   npx tsx bench/real/run.ts turn-about --clone owner/name=/path ... [--old DIR] [--old-env K=V] [--new-env K=V]
 *       measures both builds turn about, commit by commit (old, then new, `--runs` times each), so a machine
 *       whose speed drifts during the bench affects both alike; without `--old`, this checkout's build against
 *       itself, told apart by the environment (e.g. `--old-env READINESS_WORKERS=0`: without worker threads)
 *       or by the entry (`--old-entry bin/readiness-gates.js --entry dist-cli/index.js`: the compiled sources
 *       against the bundled CLI the npm package ships; `--entry` is both builds' entry unless `--old-entry`).
 *       Writes bench/results/NAME.{json,md} (`--out`) like `run`; nothing is stored as a baseline.
 *
 * The comparison: every **new** finding, and every finding on a file the commit changes, must be the same
 * (id, rule, state, severity, path and line). A finding the baseline had in state `existing` (or
 * `suppressed`) on a file the commit does not change, and that the new build does not report, is debt
 * elsewhere in the repository that the scoped engine no longer computes: counted as "debt not
 * recomputed", by design (indexes are scoped to what the change can affect). Any other difference fails.
 *
 * Each clone gets a detached `git worktree` without files in the temporary directory (removed afterwards),
 * so the CLI runs in a checkout; the commits are passed explicitly, so the working tree is never judged.
 * Git is found through a wrapper on PATH that logs each invocation, to count processes; the wrapper's cost
 * (one `sh` per git process) is in both builds' figures.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
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
  /** The 1-minute load average when the run started (the machine is shared). */
  load: number;
  /** The report's findings, or undefined when the CLI printed no report. */
  findings?: Finding[];
  stderr: string;
}

/** One build's figures for one commit: medians over the runs. */
interface Timing {
  exit: number;
  wallS: number;
  cpuS: number;
  gitProcesses: number;
  gitGreps: number;
  load: number;
  runs: number;
}

/** What the baseline keeps per commit: no code, only the findings' identities and locations. */
interface BaselineCommit {
  repo: string;
  commit: string;
  timing: Timing;
  findings: Finding[];
  changed: string[];
  error?: string;
}

interface Baseline {
  build: string;
  node: string;
  date: string;
  commits: BaselineCommit[];
}

interface CommitResult {
  repo: string;
  commit: string;
  old: Timing;
  new: Timing;
  /** Findings of the baseline. */
  findings: number;
  /** New findings and findings on changed files, equal in both builds. */
  same: number;
  /** Existing findings on unchanged files the new build no longer computes (by design). */
  debtNotRecomputed: number;
  /** Anything else that differs: fails the bench. */
  differences: string[];
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
    runs: { type: 'string', default: '3' },
    only: { type: 'string' },
    measured: { type: 'string' },
    cache: { type: 'string', default: 'none' },
    out: { type: 'string' },
    entry: { type: 'string', default: 'bin/readiness-gates.js' },
    'old-entry': { type: 'string' },
    'old-env': { type: 'string', multiple: true, default: [] },
    'new-env': { type: 'string', multiple: true, default: [] },
  },
});

/** `--old-env` / `--new-env` assignments (`NAME=VALUE`) as an environment to add. */
function envOf(assignments: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of assignments) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new Error(`expected NAME=VALUE, got "${a}"`);
    out[a.slice(0, eq)] = a.slice(eq + 1);
  }
  return out;
}
const OLD_ENV = envOf(values['old-env']);
const NEW_ENV = envOf(values['new-env']);

/**
 * How a build that keeps an analysis cache (`--cache-dir`) is measured. `none`: no cache flag at all
 * (builds from before the cache; a newer build then uses its default directory, so do not use it for
 * one). `cold`: every run starts from an empty cache directory. `warm`: as on a pull request whose base
 * branch was checked before: the parent commit's own check (against its parent) fills a cache, and every
 * measured run starts from a copy of it, so only what the commit changed is not in it. `filled`: the same,
 * with the parent's check run as the Action runs on a push to the base branch (`--fill-cache`: every index
 * built over the whole repository).
 */
const CACHE_MODE = values.cache;
if (!['none', 'cold', 'warm', 'filled'].includes(CACHE_MODE))
  throw new Error('--cache must be none, cold, warm or filled');

// A second set of commits (e.g. only those touching migrations) gets its own manifest and results.
const SET = values.set;
const OWN_MANIFEST = join(ROOT, `bench/real/${SET === 'real' ? 'manifest' : `manifest-${SET}`}.json`);
// A set with no commits of its own (a cache mode measured on the main commits) reads the main manifest.
const MANIFEST =
  positionals[0] === 'select' || existsSync(OWN_MANIFEST) ? OWN_MANIFEST : join(ROOT, 'bench/real/manifest.json');
// `--out NAME` writes the comparison to bench/results/NAME.{json,md} (e.g. one table per cache mode).
const OUT = values.out ?? SET;
const RESULTS_JSON = join(ROOT, `bench/results/${OUT}.json`);
const RESULTS_MD = join(ROOT, `bench/results/${OUT}.md`);
const BASELINE_JSON = join(ROOT, `bench/results/${SET}-baseline.json`);
const RUNS = Number(values.runs);
const TURN_ABOUT = positionals[0] === 'turn-about';

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

function checkOnce(
  bin: string,
  cwd: string,
  c: ManifestCommit,
  wrapperDir: string,
  work: string,
  extra: readonly string[] = [],
  env: Record<string, string> = {},
): Run {
  const log = join(work, 'git.log');
  const timeOut = join(work, 'time.txt');
  writeFileSync(log, '');
  const load = loadavg()[0]!;
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
      ...extra,
    ],
    {
      cwd,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      timeout: TIMEOUT_MS,
      env: {
        ...process.env,
        ...env,
        PATH: `${wrapperDir}:${process.env['PATH'] ?? ''}`,
        RG_BENCH_GIT_LOG: log,
        NO_COLOR: '1',
      },
    },
  );
  const [wall = 'NaN', user = 'NaN', sys = 'NaN'] = readFileSync(timeOut, 'utf8').trim().split('\n').at(-1)!.split(' ');
  const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  let findings: Finding[] | undefined;
  try {
    const report = JSON.parse(r.stdout) as { findings: Finding[] };
    findings = report.findings.map((f) => ({
      id: f.id,
      ruleId: f.ruleId,
      state: f.state,
      severity: f.severity,
      path: f.path,
      line: f.line,
    }));
  } catch {
    findings = undefined;
  }
  return {
    exit: r.status ?? -1,
    wallS: Number(wall),
    cpuS: Number(user) + Number(sys),
    gitProcesses: calls.length,
    gitGreps: calls.filter((a) => / grep /.test(` ${a} `)).length,
    load,
    ...(findings ? { findings } : {}),
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

const keyOf = (f: Finding) => `${f.id} ${f.ruleId} ${f.state} ${f.severity} ${f.path}:${f.line ?? ''}`;

/** Runs one build `RUNS` times on one commit: the median timing and the first run's findings. */
function measure(
  bin: string,
  cwd: string,
  c: ManifestCommit,
  wrapperDir: string,
  work: string,
  env: Record<string, string> = {},
): { timing: Timing; findings?: Finding[]; error?: string } {
  const runs: Run[] = [];
  const primed =
    CACHE_MODE === 'warm' || CACHE_MODE === 'filled'
      ? primeCache(bin, cwd, c, wrapperDir, work, CACHE_MODE === 'filled')
      : undefined;
  for (let i = 0; i < RUNS; i++) {
    let extra: string[] = [];
    if (CACHE_MODE !== 'none') {
      const dir = join(work, 'cache-run');
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      if (primed) cpSync(primed, dir, { recursive: true });
      extra = ['--cache-dir', dir];
    }
    runs.push(checkOnce(bin, cwd, c, wrapperDir, work, extra, env));
  }
  const first = runs[0]!;
  // Every run must agree with the first: a build whose findings vary between runs is a bug of its own.
  const unstable = runs.some(
    (r) => JSON.stringify(r.findings?.map(keyOf)) !== JSON.stringify(first.findings?.map(keyOf)),
  );
  return {
    timing: {
      exit: first.exit,
      wallS: median(runs.map((r) => r.wallS)),
      cpuS: median(runs.map((r) => r.cpuS)),
      gitProcesses: median(runs.map((r) => r.gitProcesses)),
      gitGreps: median(runs.map((r) => r.gitGreps)),
      load: median(runs.map((r) => r.load)),
      runs: runs.length,
    },
    ...(first.findings ? { findings: first.findings } : {}),
    ...(first.findings === undefined
      ? { error: `printed no report (exit ${first.exit}): ${first.stderr}` }
      : unstable
        ? { error: 'findings differ between runs of the same build' }
        : {}),
  };
}

/**
 * A cache as the base branch's last check leaves it: the parent commit checked against its own first
 * parent (or, for a root commit's child, nothing). Returns the directory.
 */
function primeCache(
  bin: string,
  cwd: string,
  c: ManifestCommit,
  wrapperDir: string,
  work: string,
  fill: boolean,
): string {
  const dir = join(work, 'cache-primed');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let grandparent: string | undefined;
  try {
    grandparent = git(cwd, 'rev-parse', '--verify', '--quiet', `${c.parent}^1`);
  } catch {
    grandparent = undefined;
  }
  if (grandparent)
    checkOnce(bin, cwd, { commit: c.parent, parent: grandparent, subject: '' }, wrapperDir, work, [
      '--cache-dir',
      dir,
      ...(fill ? ['--fill-cache'] : []),
    ]);
  return dir;
}

/** Runs `each` over every manifest commit inside a file-less worktree of its clone. */
function forEachCommit(
  manifest: Manifest,
  each: (entry: ManifestRepo, c: ManifestCommit, checkout: string, wrapperDir: string, work: string) => void,
): void {
  const work = mkdtempSync(join(tmpdir(), 'rg-bench-real-'));
  const wrapperDir = gitWrapper(work);
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
        for (const c of entry.commits) each(entry, c, checkout, wrapperDir, work);
      } finally {
        git(clone, 'worktree', 'remove', '--force', checkout);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function changedFiles(checkout: string, c: ManifestCommit): string[] {
  // Without rename detection a renamed file counts under both its paths.
  return git(checkout, 'diff', '--name-only', '--no-renames', c.parent, c.commit).split('\n').filter(Boolean);
}

function baseline(): void {
  if (!values.old) throw new Error('baseline needs --old /path/to/old/checkout (with bin/readiness-gates.js built)');
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest;
  const oldBin = resolve(values.old, values.entry);
  // An interrupted baseline resumes: commits already measured are kept.
  const out: Baseline = existsSync(BASELINE_JSON)
    ? (JSON.parse(readFileSync(BASELINE_JSON, 'utf8')) as Baseline)
    : { build: values.old, node: process.version, date: today(), commits: [] };
  forEachCommit(manifest, (entry, c, checkout, wrapperDir, work) => {
    if (out.commits.some((b) => b.repo === entry.repo && b.commit === c.commit)) return;
    const m = measure(oldBin, checkout, c, wrapperDir, work);
    out.commits.push({
      repo: entry.repo,
      commit: c.commit,
      timing: m.timing,
      findings: (m.findings ?? []).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1)),
      changed: changedFiles(checkout, c),
      ...(m.error ? { error: m.error } : {}),
    });
    writeFileSync(BASELINE_JSON, JSON.stringify(out, null, 1) + '\n');
    console.log(
      `${entry.repo} ${c.commit.slice(0, 10)} exit ${m.timing.exit} wall ${m.timing.wallS} s cpu ${m.timing.cpuS.toFixed(2)} s findings ${m.findings?.length ?? '—'}${m.error ? ` ERROR ${m.error}` : ''}`,
    );
  });
  console.log(`wrote ${BASELINE_JSON}`);
}

/** Compares the new build's findings with the baseline's (see the header for the rules). */
function compare(
  old: readonly Finding[],
  now: readonly Finding[],
  changed: ReadonlySet<string>,
): { same: number; debtNotRecomputed: number; differences: string[] } {
  const nowKeys = new Set(now.map(keyOf));
  const oldKeys = new Set(old.map(keyOf));
  let same = 0;
  let debtNotRecomputed = 0;
  const differences: string[] = [];
  for (const f of old) {
    if (nowKeys.has(keyOf(f))) {
      same++;
      continue;
    }
    if ((f.state === 'existing' || f.state === 'suppressed') && !changed.has(f.path)) debtNotRecomputed++;
    else differences.push(`- ${keyOf(f)}`);
  }
  for (const f of now) if (!oldKeys.has(keyOf(f))) differences.push(`+ ${keyOf(f)}`);
  return { same, debtNotRecomputed, differences };
}

function runAll(): void {
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest;
  const base = JSON.parse(readFileSync(BASELINE_JSON, 'utf8')) as Baseline;
  const newBin = join(ROOT, values.entry);
  // `--measured NAME` takes the new build's figures from bench/results/NAME-baseline.json (measured with
  // `baseline --set NAME --old <this checkout>`, e.g. at the same time as the old build's baseline).
  const measured = values.measured
    ? (JSON.parse(readFileSync(join(ROOT, `bench/results/${values.measured}-baseline.json`), 'utf8')) as Baseline)
    : undefined;
  const results: CommitResult[] = [];
  forEachCommit(manifest, (entry, c, checkout, wrapperDir, work) => {
    const old = base.commits.find((b) => b.repo === entry.repo && b.commit === c.commit);
    if (!old) {
      console.error(`${entry.repo} ${c.commit.slice(0, 10)}: not in the baseline, skipped`);
      return;
    }
    const stored = measured?.commits.find((b) => b.repo === entry.repo && b.commit === c.commit);
    if (measured && !stored) {
      console.error(`${entry.repo} ${c.commit.slice(0, 10)}: not measured in --measured ${values.measured}, skipped`);
      return;
    }
    const m = stored
      ? { timing: stored.timing, findings: stored.findings, ...(stored.error ? { error: stored.error } : {}) }
      : measure(newBin, checkout, c, wrapperDir, work);
    const cmp = compare(old.findings, m.findings ?? [], new Set(old.changed));
    if (m.error) cmp.differences.unshift(`new build: ${m.error}`);
    if (old.error) cmp.differences.unshift(`baseline: ${old.error}`);
    const result: CommitResult = {
      repo: entry.repo,
      commit: c.commit,
      old: old.timing,
      new: m.timing,
      findings: old.findings.length,
      ...cmp,
    };
    results.push(result);
    save(results, manifest, base);
    console.log(
      `${entry.repo} ${c.commit.slice(0, 10)} exit ${old.timing.exit}/${m.timing.exit} wall ${old.timing.wallS}/${m.timing.wallS} s cpu ${old.timing.cpuS.toFixed(2)}/${m.timing.cpuS.toFixed(2)} s git ${old.timing.gitProcesses}/${m.timing.gitProcesses} findings ${old.findings.length}/${m.findings?.length ?? '—'} same ${cmp.same}, debt not recomputed ${cmp.debtNotRecomputed}${cmp.differences.length ? `, DIFFERENT:\n  ${cmp.differences.join('\n  ')}` : ''}`,
    );
  });
  console.log(save(results, manifest, base));
  if (results.some((r) => r.differences.length > 0)) {
    console.error('FAILED: the new build reports different findings (see the differences above)');
    process.exitCode = 1;
  }
}

/** Both builds on every commit, one right after the other (see the header). */
function turnAbout(): void {
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest;
  const oldBin = resolve(values.old ?? ROOT, values['old-entry'] ?? values.entry);
  const newBin = join(ROOT, values.entry);
  const base: Baseline = { build: values.old ?? ROOT, node: process.version, date: today(), commits: [] };
  const results: CommitResult[] = [];
  forEachCommit(manifest, (entry, c, checkout, wrapperDir, work) => {
    const old = measure(oldBin, checkout, c, wrapperDir, work, OLD_ENV);
    const now = measure(newBin, checkout, c, wrapperDir, work, NEW_ENV);
    const changed = changedFiles(checkout, c);
    base.commits.push({
      repo: entry.repo,
      commit: c.commit,
      timing: old.timing,
      findings: old.findings ?? [],
      changed,
    });
    const cmp = compare(old.findings ?? [], now.findings ?? [], new Set(changed));
    if (now.error) cmp.differences.unshift(`new build: ${now.error}`);
    if (old.error) cmp.differences.unshift(`old build: ${old.error}`);
    results.push({
      repo: entry.repo,
      commit: c.commit,
      old: old.timing,
      new: now.timing,
      findings: old.findings?.length ?? 0,
      ...cmp,
    });
    save(results, manifest, base);
    console.log(
      `${entry.repo} ${c.commit.slice(0, 10)} wall ${old.timing.wallS}/${now.timing.wallS} s cpu ${old.timing.cpuS.toFixed(2)}/${now.timing.cpuS.toFixed(2)} s findings ${old.findings?.length ?? '—'}/${now.findings?.length ?? '—'}${cmp.differences.length ? `, DIFFERENT:\n  ${cmp.differences.join('\n  ')}` : ''}`,
    );
  });
  console.log(save(results, manifest, base));
  if (results.some((r) => r.differences.length > 0)) {
    console.error('FAILED: the two builds report different findings (see the differences above)');
    process.exitCode = 1;
  }
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Writes the results so far (a crash or a timeout keeps what was measured); returns the table. */
function save(results: CommitResult[], manifest: Manifest, base: Baseline): string {
  writeFileSync(
    RESULTS_JSON,
    JSON.stringify({ baseline: base.date, node: process.version, date: today(), runs: RUNS, results }, null, 2) + '\n',
  );
  const table = render(results, manifest, base);
  writeFileSync(RESULTS_MD, table);
  return table;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The differences grouped by rule: findings only the baseline reports (−) and only the new build reports (+). */
function renderDifferences(results: CommitResult[]): string[] {
  const byRule = new Map<string, { minus: number; plus: number; commits: Set<string> }>();
  for (const r of results) {
    for (const d of r.differences) {
      const m = /^([-+]) \S+ (\S+) (\S+) (\S+) /.exec(d);
      const rule = m ? `${m[2]} (${m[3]}, ${m[4]})` : d.split(':')[0]!;
      const e = byRule.get(rule) ?? { minus: 0, plus: 0, commits: new Set<string>() };
      if (m?.[1] === '+') e.plus++;
      else e.minus++;
      e.commits.add(`${r.repo.split('/')[1]}@${r.commit.slice(0, 7)}`);
      byRule.set(rule, e);
    }
  }
  if (byRule.size === 0) return [];
  return [
    'Differences by rule (state, severity): findings only before (−) and only after (+), and the commits they are on.',
    '',
    '| rule | − before only | + after only | commits |',
    '| --- | --- | --- | --- |',
    ...[...byRule]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([rule, e]) => `| ${rule} | ${e.minus} | ${e.plus} | ${[...e.commits].join(', ')} |`),
    '',
  ];
}

function render(results: CommitResult[], manifest: Manifest, base: Baseline): string {
  const rows: string[] = [];
  const groups = new Map<string, CommitResult[]>();
  for (const r of results) groups.set(r.repo, [...(groups.get(r.repo) ?? []), r]);
  groups.set('all', results);
  const f = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '—');
  for (const [repo, rs] of groups) {
    const files = manifest.repos.find((m) => m.repo === repo)?.files;
    const pair = (pick: (t: Timing) => number, agg: (xs: number[]) => number, d = 2) =>
      `${f(agg(rs.map((r) => pick(r.old))), d)} → ${f(agg(rs.map((r) => pick(r.new))), d)}`;
    const max = (xs: number[]) => Math.max(...xs);
    const differing = rs.filter((r) => r.differences.length > 0).length;
    const blocked = (pick: (r: CommitResult) => Timing) => rs.filter((r) => pick(r).exit === 1).length;
    rows.push(
      `| ${repo} | ${files ?? '—'} | ${rs.length} | ${pair((t) => t.cpuS, median)} | ${pair((t) => t.cpuS, max)} | ${pair((t) => t.wallS, median)} | ${pair((t) => t.wallS, max)} | ${pair((t) => t.gitProcesses, median, 0)} | ${pair((t) => t.load, median, 1)} | ${blocked((r) => r.old)} → ${blocked((r) => r.new)} | ${rs.reduce((n, r) => n + r.findings, 0)} | ${rs.reduce((n, r) => n + r.same, 0)} | ${rs.reduce((n, r) => n + r.debtNotRecomputed, 0)} | ${differing === 0 ? 'none' : `**${differing} commits**`} |`,
    );
  }
  return [
    `# Real commits: before → after`,
    '',
    `Written by \`bench/real/run.ts\` (commits in \`bench/real/${basename(MANIFEST)}\`, each checked against its first parent). ${TURN_ABOUT ? `Before and after measured turn about, commit by commit, ${today()}: before ${values.old ? `the build in \`${values.old}\`` : "this checkout's build"}${Object.keys(OLD_ENV).length ? ` with ${values['old-env'].map((e) => `\`${e}\``).join(', ')}` : ''}, after this checkout's build${Object.keys(NEW_ENV).length ? ` with ${values['new-env'].map((e) => `\`${e}\``).join(', ')}` : ''}${values['old-entry'] ? `; entries: before \`${values['old-entry']}\`, after \`${values.entry}\`` : ''}.` : `Before: the stored baseline (\`bench/results/${SET}-baseline.json\`, ${base.date}); after: this checkout's build, ${today()}.`} Runs per commit, ${TURN_ABOUT && CACHE_MODE !== 'none' ? `${CACHE_MODE} for both builds (${CACHE_MODE === 'cold' ? 'each run starts from an empty analysis cache and saves it' : `each run starts from the analysis cache that the same build's check of the parent commit left${CACHE_MODE === 'filled' ? ' with --fill-cache' : ''}`})` : CACHE_MODE === 'filled' ? "before cold (nothing is kept between runs), after filled (each run starts from the analysis cache that the parent commit's own check left with --fill-cache, as the Action leaves it on a push to the base branch)" : CACHE_MODE === 'warm' ? "before cold (nothing is kept between runs), after warm (each run starts from the analysis cache that the parent commit's own check left, as on a pull request whose base branch was checked before)" : CACHE_MODE === 'cold' ? 'cold (before: nothing is kept between runs; after: each run starts from an empty analysis cache and saves it)' : 'cold (nothing is kept between runs)'}: before ${[...new Set(base.commits.map((c) => c.timing.runs))].sort().join(' or ')}, after ${[...new Set(results.map((r) => r.new.runs))].sort().join(' or ')}; figures are the median of a commit's runs, then the median (or max) over the commits, in seconds. CPU is user + system of the CLI and the git processes it waited for. The machine has 2 cores shared with other work: the load column is the 1-minute load average when the runs started, and CPU time is the steadier figure.`,
    '',
    'Findings: "same" counts baseline findings the new build reports identically (id, rule, state, severity, path, line) — every **new** finding and every finding on a file the commit changes must be among them. "debt not recomputed" counts findings the baseline had as `existing` (or `suppressed`) on files the commit does not touch that the new build no longer computes: the indexes are scoped to what the change can affect, so debt elsewhere in the repository is no longer re-derived on every run — the deliberate trade of this change. Any other difference fails the bench.',
    '',
    `| repository | files | commits | CPU median | CPU max | wall median | wall max | git processes | load | blocked | findings (before) | same | debt not recomputed | other differences |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    ...renderDifferences(results),
    `Node ${process.version}.`,
    '',
  ].join('\n');
}

if (positionals[0] === 'select') select();
else if (positionals[0] === 'baseline') baseline();
else if (positionals[0] === 'run') runAll();
else if (TURN_ABOUT) turnAbout();
else {
  console.error(
    'usage: tsx bench/real/run.ts select|baseline|run|turn-about --clone owner/name=PATH ... [--old DIR] [--runs N]',
  );
  process.exit(2);
}
