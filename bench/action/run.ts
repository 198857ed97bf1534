/**
 * The Action's benchmark: the size of the bundle GitHub downloads (dist/) and its cold start on a 20-file
 * pull request, run the way GitHub runs it (`node dist/index.js` in a fresh process, runner environment,
 * the fake GitHub API on loopback). Reports, as medians of several runs:
 * - first output: process start to the first line on stdout (module loading and start-up);
 * - outputs written: process start to exit, with the comment and the check run published;
 * - of which the engine: the report's own `stats.durationMs` (collect → evaluate → score), to tell the
 *   Action's overhead (start-up, git, API calls, outputs) from the gates' work.
 * Targets: bundle under 15 MB, cold start under 1 s. Writes bench/results/action.json and prints a table.
 *
 *   npx tsx bench/action/run.ts          (BENCH_RUNS=9 for more runs)
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import {
  ActionWorld,
  BASE_FILES,
  cleanup,
  pullRequestPayload,
  ROOT,
  runAction,
  type ActionRun,
} from '../../test/action/harness.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 7);
const FILES = 20;
const SIZE_TARGET_MB = 15;
const START_TARGET_MS = 1000;

/** A 20-file change of a small service: handlers that log, Python jobs, migrations and manifests. */
function prFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < 8; i++) {
    files[`src/handlers/h${i}.ts`] = [
      "import { logger } from '../logger.js';",
      '',
      ...Array.from({ length: 12 }, (_, k) =>
        [
          `export async function handle${k}(req, res) {`,
          `  const { id, email } = req.body;`,
          `  logger.info({ id, step: ${k} }, 'handling request ${i}.${k}');`,
          `  res.json({ id, ok: true, email: email ? 'set' : 'unset' });`,
          '}',
          '',
        ].join('\n'),
      ),
    ].join('\n');
  }
  for (let i = 0; i < 5; i++) {
    files[`jobs/job_${i}.py`] = [
      'import logging',
      '',
      'logger = logging.getLogger(__name__)',
      '',
      ...Array.from(
        { length: 10 },
        (_, k) =>
          `def step_${k}(payload):\n    logger.info("step %s for %s", ${k}, payload.get("id"))\n    return payload\n`,
      ),
    ].join('\n');
  }
  for (let i = 0; i < 4; i++) {
    files[`db/migrations/00${10 + i}_change.sql`] =
      `-- migration ${i}\nSET lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN note_${i} text;\nCREATE INDEX CONCURRENTLY orders_note_${i}_idx ON orders (note_${i});\n`;
  }
  for (let i = 0; i < 3; i++) {
    files[`deploy/service-${i}.yaml`] =
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop-${i}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: shop:${i}\n          readinessProbe:\n            httpGet: { path: /readyz, port: 8080 }\n          livenessProbe:\n            httpGet: { path: /livez, port: 8080 }\n`;
  }
  if (Object.keys(files).length !== FILES)
    throw new Error(`expected ${FILES} files, made ${Object.keys(files).length}`);
  return files;
}

/** The engine's share of a run, from the JSON report it wrote. */
const engineMs = (run: ActionRun): number =>
  (JSON.parse(readFileSync(run.outputs['report-file']!, 'utf8')) as { stats: { durationMs: number } }).stats.durationMs;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dist = join(ROOT, 'dist');
const bundle = readdirSync(dist).map((name) => ({ name, bytes: statSync(join(dist, name)).size }));
const totalBytes = bundle.reduce((n, f) => n + f.bytes, 0);
const jsBytes = bundle.find((f) => f.name === 'index.js')?.bytes ?? 0;

const world = await ActionWorld.create();
const base = world.commit(BASE_FILES, 'base');
world.repo.git('checkout', '-q', '-b', 'feature');
const head = world.commit(prFiles(), 'a 20-file change');
world.pull({ number: 20, base, head });

const runs: ActionRun[] = [];
const engine: number[] = [];
try {
  // One unmeasured run warms the OS file cache, as a runner that just downloaded the action would have it.
  await runAction({
    event: 'pull_request',
    payload: pullRequestPayload({ number: 20, base, head }),
    workspace: world.repo.dir,
    fake: world.fake,
  });
  for (let i = 0; i < RUNS; i++) {
    const run = await runAction({
      event: 'pull_request',
      payload: pullRequestPayload({ number: 20, base, head, action: 'synchronize' }),
      workspace: world.repo.dir,
      fake: world.fake,
    });
    if (run.code !== 0 && run.code !== 1)
      throw new Error(`the Action failed (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
    runs.push(run);
    engine.push(engineMs(run));
    console.log(
      `  run ${i + 1}: first output ${run.firstOutputMs.toFixed(0)} ms, outputs written ${run.totalMs.toFixed(0)} ms, engine ${engine.at(-1)} ms (${run.outputs['verdict']})`,
    );
  }
} finally {
  await world.close();
  cleanup();
}

const result = {
  bundleBytes: totalBytes,
  /** MiB; the target is checked against decimal MB, the stricter reading. */
  bundleMb: Number((totalBytes / 1024 / 1024).toFixed(2)),
  indexJsBytes: jsBytes,
  wasmBytes: bundle.filter((f) => f.name.endsWith('.wasm')).reduce((n, f) => n + f.bytes, 0),
  prFiles: FILES,
  runs: RUNS,
  firstOutputMs: Math.round(median(runs.map((r) => r.firstOutputMs))),
  totalMs: Math.round(median(runs.map((r) => r.totalMs))),
  totalMinMs: Math.round(Math.min(...runs.map((r) => r.totalMs))),
  engineMs: Math.round(median(engine)),
  loadAverage: Number(loadavg()[0]!.toFixed(1)),
  verdict: runs[0]?.outputs['verdict'],
  targets: { bundleMb: SIZE_TARGET_MB, coldStartMs: START_TARGET_MS },
  node: process.version,
  cpu: cpus()[0]?.model.trim() ?? 'unknown',
  cores: cpus().length,
  date: new Date().toISOString().slice(0, 10),
};
writeFileSync(join(ROOT, 'bench', 'results', 'action.json'), `${JSON.stringify(result, null, 2)}\n`);

const ok = (good: boolean) => (good ? 'yes' : 'NO');
console.log('');
console.log('| measure | value | target | met |');
console.log('| --- | --- | --- | --- |');
console.log(
  `| bundle (dist/: index.js + ${bundle.filter((f) => f.name.endsWith('.wasm')).length} wasm) | ${result.bundleMb} MiB (index.js ${(jsBytes / 1024 / 1024).toFixed(2)} MiB) | < ${SIZE_TARGET_MB} MB | ${ok(totalBytes < SIZE_TARGET_MB * 1e6)} |`,
);
console.log(
  `| cold start: process start → first output | ${result.firstOutputMs} ms | < ${START_TARGET_MS} ms | ${ok(result.firstOutputMs < START_TARGET_MS)} |`,
);
console.log(
  `| 20-file PR: process start → outputs written (comment + check run published) | ${result.totalMs} ms (best ${result.totalMinMs} ms) | < ${START_TARGET_MS} ms | ${ok(result.totalMs < START_TARGET_MS)} |`,
);
console.log(`| … of which the engine (report stats.durationMs) | ${result.engineMs} ms | — | — |`);
console.log(
  `\nmedian of ${RUNS} runs · ${result.node} · ${result.cpu} (${result.cores} cores, load average ${result.loadAverage}) · written to bench/results/action.json`,
);
