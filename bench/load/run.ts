/**
 * `npm run bench:load`: the load and fault test at full size against the built app — two web processes
 * and two workers, 1,000 signed deliveries for 200 PRs over 60 s, 5 % 5xx and 1 % secondary rate limits
 * from the fake GitHub, one worker killed with SIGKILL midway and restarted. Prints a table, writes
 * bench/results/load.json and the load sections of bench/results/README.md and README.md, and exits 1 when a
 * requirement fails. Process logs go to bench/.work/load/.
 *
 * Flags for exploring (the defaults are the published run): --prs, --deliveries, --duration-ms,
 * --webs, --workers, --seed, --no-kill, --no-faults, --log-level, --write-interval-ms, --no-write.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureSystemDeps, REDIS } from '../../test/support/system-deps.js';
import { ROOT, runLoad, type LoadResult } from './harness.js';

const { values } = parseArgs({
  options: {
    prs: { type: 'string', default: '200' },
    deliveries: { type: 'string', default: '1000' },
    'duration-ms': { type: 'string', default: '60000' },
    webs: { type: 'string', default: '2' },
    workers: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    'no-kill': { type: 'boolean', default: false },
    'no-faults': { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'warn' },
    'write-interval-ms': { type: 'string', default: '30' },
    'no-write': { type: 'boolean', default: false },
  },
});

if (!existsSync(join(ROOT, 'build', 'app', 'index.js'))) {
  console.error('build/ is missing: run `npm run build` first (`npm run bench:load` does it).');
  process.exit(2);
}

// The same setup as npm test: find redis-server, or install Debian's package when allowed, or say how.
ensureSystemDeps({ requirements: [REDIS] });

const workDir = join(ROOT, 'bench', '.work', 'load');
rmSync(workDir, { recursive: true, force: true });
const writeIntervalMs = values['write-interval-ms']!;
const options = {
  prs: Number(values.prs),
  deliveries: Number(values.deliveries),
  durationMs: Number(values['duration-ms']),
  webs: Number(values.webs),
  workers: Number(values.workers),
  killWorker: !values['no-kill'],
  faults: !values['no-faults'],
  seed: Number(values.seed),
  appCommand: [process.execPath, 'build/app/index.js'],
  workDir,
  env: { LOG_LEVEL: values['log-level']!, READINESS_GITHUB_WRITE_INTERVAL_MS: writeIntervalMs },
  onProgress: (line: string) => console.log(`  ${line}`),
};
console.log(
  `load test: ${options.webs} web + ${options.workers} worker processes, ${options.deliveries} deliveries for ${options.prs} PRs over ${options.durationMs / 1000} s` +
    `${options.faults ? ', GitHub faults on' : ''}${options.killWorker ? ', one worker killed midway' : ''}`,
);
const result: LoadResult = await runLoad(options);

const musts: Array<[string, boolean]> = [
  ['every delivery acknowledged', result.acknowledged === result.deliveries],
  ['ack p99 under 1 s', result.ackP99Ms < 1000],
  ['every PR’s final check on its newest head, with the right verdict', result.prsFinalOnNewestHead === result.prs],
  ['no duplicate scorecard comments', result.duplicateComments === 0],
  ['no lost jobs', result.lostJobs === 0],
  ['no check run left in progress', result.openRunsLeft === 0],
  ['settled', result.settled],
];

const rss = result.processes
  .map((p) => `${p.name}${p.killed ? ' (killed)' : ''} ${Math.round(p.peakRssMb)} MB`)
  .join(', ');
const faults = Object.entries(result.faultsInjected)
  .map(([status, n]) => `${n}× ${status}`)
  .join(', ');
const outcomes = Object.entries(result.evaluationsByOutcome)
  .map(([outcome, n]) => `${n} ${outcome}`)
  .join(', ');
const date = new Date().toISOString().slice(0, 10);
const cpu = cpus()[0]?.model ?? 'unknown';
const table = [
  '| figure | value |',
  '| --- | --- |',
  `| deliveries acknowledged | ${result.acknowledged} / ${result.deliveries} (${result.mix.opened} opened, ${result.mix.synchronize} synchronize, ${result.mix.recheck} recheck comments, ${result.mix.redelivery} redeliveries) |`,
  `| acknowledgement p50 / p95 / p99 / max | ${result.ackP50Ms} / ${result.ackP95Ms} / ${result.ackP99Ms} / ${result.ackMaxMs} ms |`,
  `| evaluations completed | ${result.evaluations} (${outcomes}) |`,
  `| PRs whose final check is on their newest head | ${result.prsFinalOnNewestHead} / ${result.prs} |`,
  `| duplicate scorecard comments | ${result.duplicateComments} |`,
  `| lost jobs | ${result.lostJobs} |`,
  `| GitHub requests per evaluation | ${result.requestsPerEvaluation} (${result.githubRequests} requests; faults injected: ${faults || 'none'}) |`,
  `| job retries / dead letters | ${result.jobRetries} / ${result.deadLetters} |`,
  `| settled after the last delivery | ${(result.settleMs / 1000).toFixed(1)} s |`,
  `| peak RSS per process | ${rss} |`,
  '',
  `${options.webs} web + ${options.workers} worker processes (\`node build/app/index.js web|worker\`), real redis-server, fake GitHub in its own process; ` +
    `${options.faults ? '5 % 5xx and 1 % secondary rate limits (`retry-after: 1`) on every API request; ' : ''}` +
    `${options.killWorker ? `worker-1 SIGKILLed at ${options.durationMs / 2000} s and restarted 3 s later; ` : ''}` +
    `write spacing ${writeIntervalMs} ms per installation (GitHub asks for 1,000 ms), debounce ${result.settings['READINESS_DEBOUNCE_MS']} ms, job lock ${result.settings['READINESS_JOB_LOCK_MS']} ms. ` +
    `Node ${process.version}, ${cpus().length}× ${cpu}, ${date}.`,
].join('\n');
console.log('\n' + table + '\n');
for (const [what, ok] of musts) console.log(`${ok ? '✓' : '✗'} ${what}`);
if (result.problems.length > 0) console.log(`\nproblems:\n${result.problems.map((p) => `  - ${p}`).join('\n')}`);
if (result.openRuns.length > 0)
  console.log(`\ncheck runs left in progress:\n${result.openRuns.map((r) => `  - ${r}`).join('\n')}`);
if (result.unexpectedRequests > 0)
  console.log(`\nthe fake GitHub saw ${result.unexpectedRequests} request(s) GitHub would reject`);
const crashed = result.processes.filter((p) => p.crashed);
if (crashed.length > 0)
  console.log(`\nprocesses that exited by themselves: ${crashed.map((p) => `${p.name} (${p.crashed})`).join(', ')}`);

if (!values['no-write']) {
  const json = {
    deliveries: result.deliveries,
    acknowledged: result.acknowledged,
    ackP50Ms: result.ackP50Ms,
    ackP95Ms: result.ackP95Ms,
    ackP99Ms: result.ackP99Ms,
    evaluations: result.evaluations,
    prs: result.prs,
    prsFinalOnNewestHead: result.prsFinalOnNewestHead,
    duplicateComments: result.duplicateComments,
    lostJobs: result.lostJobs,
    requestsPerEvaluation: result.requestsPerEvaluation,
    ackMaxMs: result.ackMaxMs,
    evaluationsByOutcome: result.evaluationsByOutcome,
    githubRequests: result.githubRequests,
    faultsInjected: result.faultsInjected,
    jobRetries: result.jobRetries,
    deadLetters: result.deadLetters,
    openRunsLeft: result.openRunsLeft,
    openRuns: result.openRuns,
    unexpectedRequests: result.unexpectedRequests,
    settleMs: result.settleMs,
    mix: result.mix,
    peakRssMb: Object.fromEntries(result.processes.map((p) => [p.name, p.peakRssMb])),
    processes: result.processes,
    durationMs: options.durationMs,
    webs: options.webs,
    workers: options.workers,
    workerKilled: options.killWorker,
    faults: options.faults ? { '5xx': 0.05, secondaryRateLimit: 0.01, retryAfterSeconds: 1 } : null,
    writeIntervalMs: Number(writeIntervalMs),
    settings: result.settings,
    passed: musts.every(([, ok]) => ok),
    node: process.version,
    cpu: `${cpus().length}× ${cpu}`,
    date,
  };
  writeFileSync(join(ROOT, 'bench/results/load.json'), JSON.stringify(json, null, 2) + '\n');
  const resultsReadme = join(ROOT, 'bench/results/README.md');
  const existing = readFileSync(resultsReadme, 'utf8');
  const section = `<!-- bench:load -->\n${table}\n<!-- /bench:load -->`;
  const updated = /<!-- bench:load -->[\s\S]*?<!-- \/bench:load -->/.test(existing)
    ? existing.replace(/<!-- bench:load -->[\s\S]*?<!-- \/bench:load -->/, () => section)
    : `${existing.trimEnd()}\n\n## Load and faults (\`npm run bench:load\`)\n\n${section}\n`;
  writeFileSync(resultsReadme, updated);
  // The README's deployment section quotes the same table.
  const readme = join(ROOT, 'README.md');
  const text = readFileSync(readme, 'utf8');
  if (/<!-- load:readme -->[\s\S]*?<!-- \/load:readme -->/.test(text)) {
    writeFileSync(
      readme,
      text.replace(
        /<!-- load:readme -->[\s\S]*?<!-- \/load:readme -->/,
        () => `<!-- load:readme -->\n${table}\n<!-- /load:readme -->`,
      ),
    );
  }
}

process.exit(musts.every(([, ok]) => ok) ? 0 : 1);
