/**
 * `npm run bench`: the engine benchmark. Generates (or reuses) the synthetic repository and runs
 * `readiness-gates check` as separate processes (process start included) on three changes: the 1,000-file
 * PR, a 20-file PR and a check with nothing changed (head = base), `BENCH_RUNS` times each (default 3).
 * Each run's wall time, CPU time (user + system of the CLI and the git processes it waited for) and peak RSS
 * are recorded; the medians go to bench/results/engine-<label>.json (`BENCH_LABEL`, default `after`), and
 * the table in bench/results/README.md and README.md shows the `before` and `after` columns side by side.
 *
 * `BENCH_CLI=/path/to/other/checkout/bin/readiness-gates.js BENCH_LABEL=before` measures another build
 * (e.g. the commit before a change) on the same repository. `BENCH_BEFORE_CLI=/path/to/other/…/bin/…`
 * measures both in one command, turn about (before, after, before, after … for each change), and writes
 * both files, so a machine whose speed drifts affects both builds alike.
 *
 * `BENCH_CACHE` says how a build with the analysis cache is run: `cold` (default: every run starts from an
 * empty `--cache-dir`), `warm` (every run starts from a copy of the cache that one earlier run of the same
 * check left: a re-run, or the pull request's previous push), `none` (no cache flag: builds from before the
 * cache, which do not know it).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from './generate.js';

const root = join(import.meta.dirname, '..', '..');
const work = join(root, 'bench', '.work', 'engine-repo');
const cli = process.env.BENCH_CLI ?? join(root, 'bin', 'readiness-gates.js');
const label = process.env.BENCH_LABEL ?? 'after';
const runs = Number(process.env.BENCH_RUNS ?? 3);
const cacheMode = process.env.BENCH_CACHE ?? 'cold';
const beforeCli = process.env.BENCH_BEFORE_CLI;
/** The builds measured: this one (or `BENCH_CLI`), and with `BENCH_BEFORE_CLI` the other, turn about. */
const builds = [...(beforeCli ? [{ label: 'before', cli: beforeCli }] : []), { label, cli }];
if (beforeCli && label === 'before')
  throw new Error('BENCH_BEFORE_CLI measures "before": give BENCH_LABEL another name');
if (!['none', 'cold', 'warm'].includes(cacheMode)) throw new Error('BENCH_CACHE must be none, cold or warm');

if (!process.env.BENCH_CLI && !existsSync(join(root, 'build', 'cli', 'index.js'))) {
  console.error('build/ is missing: run `npm run build` first (npm ci does it).');
  process.exit(2);
}

console.log('generating the synthetic repository (10,000 files)…');
const t0 = Date.now();
const gen = generate(work);
console.log(
  `  done in ${((Date.now() - t0) / 1000).toFixed(1)} s: PR of ${gen.prFiles} files, ${(gen.prBytes / 1e6).toFixed(1)} MB`,
);

interface Run {
  wallMs: number;
  cpuMs: number;
  rssMb: number;
  status: number | null;
  /** Findings by state, to see that the builds agree on the bench PRs. */
  findings: Record<string, number>;
  load: number;
}

function runOnce(cliPath: string, head: string, primed?: string): Run {
  const tmp = mkdtempSync(join(tmpdir(), 'rg-bench-'));
  const cacheArgs: string[] = [];
  if (cacheMode !== 'none') {
    const dir = join(tmp, 'cache');
    mkdirSync(dir);
    if (primed) cpSync(primed, dir, { recursive: true });
    cacheArgs.push('--cache-dir', dir);
  }
  const rssFile = join(tmp, 'rss');
  const out = join(tmp, 'report.json');
  const load = loadavg()[0]!;
  const start = process.hrtime.bigint();
  const timeFile = join(tmp, 'time');
  const result = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '%e %U %S',
      '-o',
      timeFile,
      process.execPath,
      '--import',
      join(import.meta.dirname, 'rss-hook.mjs'),
      cliPath,
      'check',
      '--base',
      'main',
      '--head',
      head,
      '--format',
      'json',
      '--output',
      out,
      ...cacheArgs,
    ],
    { cwd: gen.dir, env: { ...process.env, READINESS_BENCH_RSS_FILE: rssFile }, encoding: 'utf8' },
  );
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`check failed (exit ${result.status}): ${result.stderr}`);
  }
  // The hook writes the CLI's peak RSS at exit; time(1) the CPU of the CLI and every git process it waited for.
  const rssKb = readFileSync(rssFile, 'utf8').trim().split(' ')[0] ?? 'NaN';
  const [, user = 'NaN', system = 'NaN'] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ');
  const report = JSON.parse(readFileSync(out, 'utf8')) as { findings: Array<{ state: string }> };
  rmSync(tmp, { recursive: true, force: true });
  const findings: Record<string, number> = {};
  for (const f of report.findings) findings[f.state] = (findings[f.state] ?? 0) + 1;
  return {
    wallMs,
    cpuMs: (Number(user) + Number(system)) * 1000,
    rssMb: Number(rssKb) / 1024,
    status: result.status,
    findings,
    load,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const CONFIGS = [
  { id: 'large', head: 'pr', title: `1,000-file PR (${(gen.prBytes / 1e6).toFixed(1)} MB)` },
  { id: 'small', head: 'small-pr', title: '20-file PR' },
  { id: 'empty', head: 'main', title: 'nothing changed' },
] as const;

function outputOf(buildLabel: string, buildCli: string) {
  return {
    label: buildLabel,
    cache: cacheMode,
    cli: buildCli,
    turnAbout: beforeCli !== undefined,
    prFiles: gen.prFiles,
    prBytes: gen.prBytes,
    configs: results[buildLabel] ?? {},
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    date: new Date().toISOString().slice(0, 10),
  };
}

interface ConfigResult {
  title: string;
  runs: number;
  medianWallMs: number;
  medianCpuMs: number;
  maxWallMs: number;
  peakRssMb: number;
  findings: Record<string, number>;
  loadAvg: number;
}

function write(): void {
  for (const b of builds)
    writeFileSync(
      join(root, `bench/results/engine-${b.label}.json`),
      JSON.stringify(outputOf(b.label, b.cli), null, 2) + '\n',
    );
  const output = outputOf(label, cli);

  type Output = typeof output;
  const read = (l: string): Output | undefined => {
    const path = join(root, `bench/results/engine-${l}.json`);
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Output) : undefined;
  };
  const before = read('before');
  const after = read('after');
  const s = (ms: number | undefined) =>
    ms === undefined || !Number.isFinite(ms) ? '—' : `${(ms / 1000).toFixed(2)} s`;
  const pair = (f: (o: Output) => number | undefined, unit = s) =>
    `${unit(before ? f(before) : undefined)} → ${unit(after ? f(after) : undefined)}`;
  const mb = (n: number | undefined) => (n === undefined ? '—' : `${n} MB`);
  const counts = (o: Output | undefined, id: string) =>
    o
      ? Object.entries(o.configs[id]?.findings ?? {})
          .sort()
          .map(([k, v]) => `${v} ${k}`)
          .join(', ') || 'none'
      : '—';
  const table = [
    `| change | median wall | median CPU | max wall | peak RSS | findings before / after | load (1 min) |`,
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...CONFIGS.map(
      (c) =>
        `| ${c.title} | ${pair((o) => o.configs[c.id]?.medianWallMs)} | ${pair((o) => o.configs[c.id]?.medianCpuMs)} | ${pair((o) => o.configs[c.id]?.maxWallMs)} | ${pair((o) => o.configs[c.id]?.peakRssMb, mb)} | ${counts(before, c.id)} / ${counts(after, c.id)} | ${before?.configs[c.id]?.loadAvg ?? '—'} / ${after?.configs[c.id]?.loadAvg ?? '—'} |`,
    ),
    '',
    `Before → after; ${runs} runs per change and build${beforeCli ? ', turn about (before, after, before, …)' : ', one build after the other'}, each a separate \`readiness-gates check\` process on the synthetic 10,000-file repository. CPU is user + system time of the CLI and the git processes it waited for (time(1)). Node ${output.node}, ${output.cpu}, ${output.cores} cores shared with other work (the load column is the 1-minute load average during the runs), ${before?.date ?? '—'} / ${after?.date ?? '—'}. Targets: 1,000-file PR under 5 s and 500 MB; 20-file PR under 1 s warm, 3 s cold; nothing changed under 0.5 s.`,
  ].join('\n');
  console.log('\n' + table);

  const resultsReadme = join(root, 'bench/results/README.md');
  const section = (text: string) =>
    text.replace(
      /<!-- bench:engine -->[\s\S]*?<!-- \/bench:engine -->/,
      `<!-- bench:engine -->\n${table}\n<!-- /bench:engine -->`,
    );
  writeFileSync(resultsReadme, section(readFileSync(resultsReadme, 'utf8')));
  const readme = join(root, 'README.md');
  writeFileSync(readme, section(readFileSync(readme, 'utf8')));
}
const results: Record<string, Record<string, ConfigResult>> = {};
// The quick changes first: a long run under load still yields their figures.
for (const config of [...CONFIGS].reverse()) {
  const rs = new Map<string, Run[]>(builds.map((b) => [b.label, []]));
  // Each build primes its own cache: a cache written by another build has another stamp and is ignored.
  const primed = new Map<string, string>();
  if (cacheMode === 'warm') {
    for (const b of builds) {
      const dir = mkdtempSync(join(tmpdir(), 'rg-bench-primed-'));
      spawnSync(
        process.execPath,
        [b.cli, 'check', '--base', 'main', '--head', config.head, '--format', 'json', '--cache-dir', dir],
        // The report is not read: a pipe would cap it (spawnSync's maxBuffer, 1 MiB) and kill a primer whose
        // report is larger, sometimes before it saved the cache.
        { cwd: gen.dir, stdio: 'ignore' },
      );
      primed.set(b.label, dir);
    }
  }
  for (let i = 0; i < runs; i++) {
    for (const b of builds) {
      const r = runOnce(b.cli, config.head, primed.get(b.label));
      rs.get(b.label)!.push(r);
      console.log(
        `  ${config.title} ${b.label} run ${i + 1}: wall ${r.wallMs.toFixed(0)} ms, CPU ${r.cpuMs.toFixed(0)} ms, ${r.rssMb.toFixed(0)} MB, load ${r.load.toFixed(1)}`,
      );
    }
  }
  for (const b of builds) {
    const runsOf = rs.get(b.label)!;
    (results[b.label] ??= {})[config.id] = {
      title: config.title,
      runs,
      medianWallMs: Math.round(median(runsOf.map((r) => r.wallMs))),
      medianCpuMs: Math.round(median(runsOf.map((r) => r.cpuMs))),
      maxWallMs: Math.round(Math.max(...runsOf.map((r) => r.wallMs))),
      peakRssMb: Math.round(Math.max(...runsOf.map((r) => r.rssMb))),
      findings: runsOf[0]!.findings,
      loadAvg: Number(median(runsOf.map((r) => r.load)).toFixed(1)),
    };
  }
  for (const dir of primed.values()) rmSync(dir, { recursive: true, force: true });
  // Written after each change, so a long run keeps what it measured.
  write();
}
