/**
 * `npm run bench`: the engine benchmark. Generates (or reuses) the synthetic repository, runs
 * `readiness-gates check` on the 1,000-file PR and on a 20-file PR, five times each, as separate
 * processes (process start included), and writes bench/results/engine.json and the table in
 * bench/results/README.md and README.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from './generate.js';

const root = join(import.meta.dirname, '..', '..');
const work = join(root, 'bench', '.work', 'engine-repo');
const cli = join(root, 'bin', 'readiness-gates.js');
const runs = Number(process.env.BENCH_RUNS ?? 5);

if (!existsSync(join(root, 'build', 'cli', 'index.js'))) {
  console.error('build/ is missing: run `npm run build` first (npm ci does it).');
  process.exit(2);
}

console.log('generating the synthetic repository (10,000 files)…');
const t0 = Date.now();
const gen = generate(work);
console.log(
  `  done in ${((Date.now() - t0) / 1000).toFixed(1)} s: PR of ${gen.prFiles} files, ${(gen.prBytes / 1e6).toFixed(1)} MB`,
);

function runOnce(head: string): {
  ms: number;
  rssMb: number;
  status: number | null;
  report: { findings: unknown[]; errors: unknown[] };
} {
  const tmp = mkdtempSync(join(tmpdir(), 'rg-bench-'));
  const rssFile = join(tmp, 'rss');
  const out = join(tmp, 'report.json');
  const start = process.hrtime.bigint();
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      join(import.meta.dirname, 'rss-hook.mjs'),
      cli,
      'check',
      '--base',
      'main',
      '--head',
      head,
      '--format',
      'json',
      '--output',
      out,
    ],
    { cwd: gen.dir, env: { ...process.env, READINESS_BENCH_RSS_FILE: rssFile }, encoding: 'utf8' },
  );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`check failed (exit ${result.status}): ${result.stderr}`);
  }
  const rssKb = Number(readFileSync(rssFile, 'utf8'));
  return { ms, rssMb: rssKb / 1024, status: result.status, report: JSON.parse(readFileSync(out, 'utf8')) };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

const large: ReturnType<typeof runOnce>[] = [];
for (let i = 0; i < runs; i++) {
  large.push(runOnce('pr'));
  console.log(`  1,000-file PR run ${i + 1}: ${large[i]!.ms.toFixed(0)} ms, ${large[i]!.rssMb.toFixed(0)} MB`);
}
const small: ReturnType<typeof runOnce>[] = [];
for (let i = 0; i < runs; i++) {
  small.push(runOnce('small-pr'));
  console.log(`  20-file PR run ${i + 1}: ${small[i]!.ms.toFixed(0)} ms`);
}

const medianMs = Math.round(median(large.map((r) => r.ms)));
const result = {
  prFiles: gen.prFiles,
  prBytes: gen.prBytes,
  medianMs,
  peakRssMb: Math.round(Math.max(...large.map((r) => r.rssMb))),
  smallPrMedianMs: Math.round(median(small.map((r) => r.ms))),
  filesPerSecond: Math.round(gen.prFiles / (medianMs / 1000)),
  mbPerSecond: Number((gen.prBytes / 1e6 / (medianMs / 1000)).toFixed(2)),
  findings: large[0]!.report.findings.length,
  errors: large[0]!.report.errors.length,
  runs,
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  date: new Date().toISOString().slice(0, 10),
};
writeFileSync(join(root, 'bench/results/engine.json'), JSON.stringify(result, null, 2) + '\n');

const table = [
  '| PR | files | MB | median of ' + runs + ' | files/s | MB/s | peak RSS |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  `| synthetic large | ${result.prFiles} | ${(result.prBytes / 1e6).toFixed(1)} | ${result.medianMs} ms | ${result.filesPerSecond} | ${result.mbPerSecond} | ${result.peakRssMb} MB |`,
  `| synthetic small | 20 | — | ${result.smallPrMedianMs} ms (incl. process start) | — | — | ${Math.round(Math.max(...small.map((r) => r.rssMb)))} MB |`,
  '',
  `Node ${result.node}, ${result.cpu}, ${result.date}. Targets: under 5 s and 500 MB for the large PR; under 1 s for the small one.`,
].join('\n');
console.log('\n' + table);

const resultsReadme = join(root, 'bench/results/README.md');
const section = (text: string) =>
  text.replace(
    /<!-- bench:engine -->[\s\S]*?<!-- \/bench:engine -->/,
    `<!-- bench:engine -->\n${table}\n<!-- /bench:engine -->`,
  );
const existing = existsSync(resultsReadme)
  ? readFileSync(resultsReadme, 'utf8')
  : "# Benchmark results\n\nWritten by the benchmarks in bench/; numbers from one run on this project's 2-core machine.\n\n## Engine (`npm run bench`)\n\n<!-- bench:engine -->\n<!-- /bench:engine -->\n";
writeFileSync(resultsReadme, section(existing));
const readme = join(root, 'README.md');
writeFileSync(readme, section(readFileSync(readme, 'utf8')));
