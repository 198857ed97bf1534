/**
 * Analyse once, judge many: what a waiver costs. The Action and the App used to run the whole pipeline a
 * second time when a PR had waivers; now they analyse once and judge again. On the demo repository
 * (scripts/demo.mjs, its risky PR) or any checkout, in one process, median of BENCH_RUNS rounds after a warm-up:
 *
 * - before: `runCheck` without waivers, then `runCheck` again with a waiver for every new blocker (the old
 *   loop, on the same change set, so the snapshot caches were warm for the second run as they were);
 * - after: `analyseCheck` once, `judgeCheck` without waivers and again with the same waivers;
 * - one `judgeCheck` alone, timed over BENCH_JUDGES calls.
 *
 * Both ways must give the same report with waivers (`stats.durationMs` aside), or the bench fails.
 *
 *   npx tsx bench/judge/run.ts        # the demo; writes bench/results/judge.json and judge.md
 *   npx tsx bench/judge/run.ts --repo DIR --base SHA --head SHA --label NAME   # any checkout, merged by label
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import type { Waiver } from '../../src/core/engine.js';
import type { ReadinessReport } from '../../src/core/report.js';
import { analyseCheck, judgeCheck, runCheck } from '../../src/pipeline.js';
import { gitChangeSet } from '../../src/source/index.js';
// @ts-expect-error: the demo script is plain JavaScript without types.
import { createDemoRepo } from '../../scripts/demo.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const JUDGES = Number(process.env['BENCH_JUDGES'] ?? 1000);
const NOW = new Date('2026-06-01T00:00:00Z');

const { values: args } = parseArgs({
  options: {
    repo: { type: 'string' },
    base: { type: 'string' },
    head: { type: 'string' },
    label: { type: 'string' },
  },
});
const demo = args.repo === undefined;
const dir = args.repo ?? mkdtempSync(join(tmpdir(), 'rg-bench-judge-'));
if (demo) createDemoRepo(dir);
const label = args.label ?? (demo ? 'demo' : dir);
const refs = demo ? { base: 'main', head: 'feature/order-status' } : { base: args.base!, head: args.head! };
const changeSet = () => gitChangeSet({ cwd: dir, ...refs });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function waiversFor(report: ReadinessReport): Waiver[] {
  return report.findings
    .filter((f) => f.state === 'new' && f.severity === 'blocker')
    .map((f) => ({ findingId: f.id, by: 'maria', reason: 'bench', until: '2026-06-30' }));
}

const comparable = (r: ReadinessReport) => ({ ...r, stats: { ...r.stats, durationMs: 0 } });

async function before(): Promise<{ ms: number; againMs: number; report: ReadinessReport; first: ReadinessReport }> {
  const cs = await changeSet();
  const started = performance.now();
  const first = await runCheck({ changeSet: cs, now: NOW });
  const again = performance.now();
  const report = await runCheck({ changeSet: cs, now: NOW, waivers: waiversFor(first) });
  const ended = performance.now();
  return { ms: ended - started, againMs: ended - again, report, first };
}

async function after(): Promise<{ ms: number; analyseMs: number; report: ReadinessReport }> {
  const cs = await changeSet();
  const started = performance.now();
  const checked = await analyseCheck({ changeSet: cs });
  const analyseMs = performance.now() - started;
  const first = judgeCheck(checked, { now: NOW });
  const report = judgeCheck(checked, { now: NOW, waivers: waiversFor(first) });
  return { ms: performance.now() - started, analyseMs, report };
}

try {
  // Warm-up: parsers loaded, git objects in the page cache.
  await before();
  const beforeMs: number[] = [];
  const againMs: number[] = [];
  const afterMs: number[] = [];
  const analyseMs: number[] = [];
  let sample: Awaited<ReturnType<typeof before>> | undefined;
  for (let i = 0; i < RUNS; i++) {
    const b = await before();
    const a = await after();
    if (!isDeepStrictEqual(comparable(a.report), comparable(b.report)))
      throw new Error('judging again gave another report than running the pipeline again');
    beforeMs.push(b.ms);
    againMs.push(b.againMs);
    afterMs.push(a.ms);
    analyseMs.push(a.analyseMs);
    sample = b;
  }

  const checked = await analyseCheck({ changeSet: await changeSet() });
  const waivers = waiversFor(sample!.first);
  const started = performance.now();
  for (let i = 0; i < JUDGES; i++) judgeCheck(checked, { now: NOW, waivers });
  const judgeMs = (performance.now() - started) / JUDGES;

  const result = {
    pr: label,
    refs: `${refs.base} → ${refs.head}`,
    filesChanged: sample!.report.stats.filesChanged,
    findings: sample!.report.findings.length,
    waivers: waivers.length,
    verdict: `${sample!.first.verdict} → ${sample!.report.verdict}`,
    runs: RUNS,
    beforeMs: Math.round(median(beforeMs)),
    /** The waiver's share before: the second pipeline run. */
    beforeAgainMs: Math.round(median(againMs)),
    afterMs: Math.round(median(afterMs)),
    analyseMs: Math.round(median(analyseMs)),
    judgeMs: Number(judgeMs.toFixed(3)),
    judges: JUDGES,
    node: process.version,
    /** The machine's 1-minute load average when the rounds ended (the project's machine is shared). */
    load: Number(loadavg()[0]!.toFixed(1)),
    date: new Date().toISOString().slice(0, 10),
  };
  const file = join(ROOT, 'bench/results/judge.json');
  const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Array<typeof result>) : [];
  const results = [...(Array.isArray(previous) ? previous : []).filter((r) => r.pr !== label), result];
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  const table = [
    '| PR | files | findings | waivers | verdict | before: pipeline twice | of which the waiver’s second run | after: analyse once + judge twice | of which analysis | the waiver’s judgement |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.pr} | ${r.filesChanged} | ${r.findings} | ${r.waivers} | ${r.verdict} | ${r.beforeMs} ms | ${r.beforeAgainMs} ms | ${r.afterMs} ms | ${r.analyseMs} ms | ${r.judgeMs} ms (mean of ${r.judges}) |`,
    ),
  ].join('\n');
  const note = results
    .map(
      (r) =>
        `${r.pr} (${r.refs}): median of ${r.runs} rounds after a warm-up, one process; Node ${r.node}; load average ${r.load}; ${r.date}.`,
    )
    .join('\n');
  console.log(`${table}\n\n${note}`);
  writeFileSync(
    join(ROOT, 'bench/results/judge.md'),
    [
      '# Analyse once, judge many (`npx tsx bench/judge/run.ts`)',
      '',
      'What a waiver costs the Action and the App. Before: the pipeline ran again with the waivers (`runCheck`',
      'twice, the second on warm snapshot caches). After: `analyseCheck` once, `judgeCheck` without waivers and',
      'again with a waiver for every new blocker. Both give the same report (the bench checks, timing aside).',
      'On a shared 2-core machine absolute times are noisy; the point is the two waiver columns: a second',
      'pipeline run (on warm caches) against one judgement.',
      '',
      table,
      '',
      note,
      '',
    ].join('\n'),
  );
} finally {
  if (demo) rmSync(dir, { recursive: true, force: true });
}
