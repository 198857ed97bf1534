/**
 * Start-up alone: what a process pays before it does the change's work. Times, in fresh processes, for each
 * way the engine ships:
 * - the checkout CLI (`node bin/readiness-gates.js`, which runs build/),
 * - the bundled CLI (scripts/bundle.ts --cli, what the npm package ships), copied out of the repository so
 *   nothing resolves from node_modules,
 * - the Action bundle (scripts/bundle.ts into a temporary directory, never dist/), run the way GitHub runs it
 *   against the test suite's fake GitHub;
 * the commands `--version`, `rules` and a check of a change that concerns no gate (a README edit on a small
 * service: TypeScript, Python, Go, SQL, Kubernetes, Dockerfile). CPU is user + system of the process and its
 * children (GNU time), the figure to compare on a shared machine; wall and peak RSS are printed beside it.
 *
 *   npm run bench:startup                                  # this checkout (builds it first)
 *   npx tsx bench/startup/run.ts --before DIR              # also DIR (another checkout, built), interleaved
 *
 * With `--before`, each measurement alternates the two checkouts run by run, so a machine that slows down
 * slows both. Writes bench/results/startup.json and bench/results/startup.md and prints the table.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RUNS = Number(process.env['BENCH_RUNS'] ?? 9);
const TIME = '/usr/bin/time';
const TIME_FORMAT = '%U %S %e %M';

const { values } = parseArgs({ options: { before: { type: 'string' } } });
const work = mkdtempSync(join(tmpdir(), 'rg-bench-startup-'));

if (!existsSync(TIME)) throw new Error(`${TIME} (GNU time) is needed to measure CPU of a process and its children`);
// The Action harness runs the bundle through ACTION_NODE (read when it is imported): GNU time, then node.
process.env['ACTION_NODE'] = TIME;
const harness = await import('../../test/action/harness.js');

/** One build to measure: its checkout and the bundles made from it. */
interface Build {
  label: 'before' | 'after';
  root: string;
  cliBundle: string;
  actionBundle: string;
}

/** One process's figures. */
interface Sample {
  cpuMs: number;
  wallMs: number;
  rssMb: number;
}

async function prepare(label: Build['label'], root: string): Promise<Build> {
  if (!existsSync(join(root, 'build/cli/index.js')))
    throw new Error(`${root}/build is missing: run \`npm run build\` there first`);
  const { bundle } = (await import(pathToFileURL(join(root, 'scripts/bundle.ts')).href)) as {
    bundle: (outdir: string, target: 'action' | 'cli') => Promise<unknown>;
  };
  const dir = join(work, label);
  await bundle(join(dir, 'cli-build'), 'cli');
  await bundle(join(dir, 'action-build'), 'action');
  // Run the bundles from outside any checkout, so they cannot lean on node_modules.
  cpSync(join(dir, 'cli-build'), join(dir, 'cli'), { recursive: true });
  cpSync(join(dir, 'action-build'), join(dir, 'action'), { recursive: true });
  return { label, root, cliBundle: join(dir, 'cli/index.js'), actionBundle: join(dir, 'action/index.js') };
}

/** A small service, and a second commit that only edits its README: a change no gate is concerned with. */
const SERVICE: Record<string, string> = {
  'README.md': '# shop\n',
  'package.json': '{ "name": "shop", "type": "module", "dependencies": { "pino": "^9.0.0", "express": "^4.0.0" } }\n',
  'src/logger.ts': "import pino from 'pino';\nexport const logger = pino();\n",
  'src/server.ts': [
    "import express from 'express';",
    "import { logger } from './logger.js';",
    'const app = express();',
    "app.get('/healthz', (_req, res) => res.send('ok'));",
    "app.get('/orders/:id', (req, res) => { logger.info({ id: req.params.id }, 'order'); res.json({}); });",
    'app.listen(8080);',
    '',
  ].join('\n'),
  'jobs/report.py':
    'import logging\n\nlogger = logging.getLogger(__name__)\n\n\ndef run(order):\n    logger.info("report %s", order["id"])\n',
  'cmd/worker/main.go': 'package main\n\nimport "log"\n\nfunc main() {\n\tlog.Println("worker started")\n}\n',
  'db/migrations/001_orders.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, note text);\n',
  'deploy/app.yaml':
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: shop }\nspec:\n  template:\n    spec:\n      containers:\n        - name: shop\n          image: shop:1\n          readinessProbe:\n            httpGet: { path: /healthz, port: 8080 }\n',
  Dockerfile: 'FROM node:20-slim\nCOPY . .\nCMD ["node", "build/server.js"]\n',
};

function cliRepo(): string {
  const dir = join(work, 'repo');
  mkdirSync(dir);
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', ...args], { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  for (const [path, text] of Object.entries(SERVICE)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  writeFileSync(join(dir, 'README.md'), '# shop\n\nOrders and reports.\n');
  git('commit', '-q', '-am', 'readme');
  return dir;
}

function parseTime(file: string): Sample {
  const [user, sys, wall, rssKb] = readFileSync(file, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
  return { cpuMs: (user! + sys!) * 1000, wallMs: wall! * 1000, rssMb: rssKb! / 1024 };
}

const timeFile = join(work, 'time.txt');

/** One CLI process under GNU time. */
function runCli(entry: string, args: string[], cwd: string, expect: number): Sample {
  const r = spawnSync(TIME, ['-f', TIME_FORMAT, '-o', timeFile, process.execPath, entry, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (r.status !== expect) throw new Error(`${entry} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return parseTime(timeFile);
}

interface ActionSetup {
  world: Awaited<ReturnType<typeof harness.ActionWorld.create>>;
  base: string;
  head: string;
}

async function actionWorld(): Promise<ActionSetup> {
  const world = await harness.ActionWorld.create();
  const base = world.commit(SERVICE, 'base');
  world.repo.git('checkout', '-q', '-b', 'feature');
  const head = world.commit({ 'README.md': '# shop\n\nOrders and reports.\n' }, 'readme');
  world.pull({ number: 7, base, head });
  return { world, base, head };
}

async function runActionOnce(entry: string, a: ActionSetup): Promise<Sample> {
  const run = await harness.runAction({
    event: 'pull_request',
    payload: harness.pullRequestPayload({ number: 7, base: a.base, head: a.head, action: 'synchronize' }),
    workspace: a.world.repo.dir,
    fake: a.world.fake,
    entry,
    nodeArgs: ['-f', TIME_FORMAT, '-o', timeFile, process.execPath],
  });
  if (run.code !== 0) throw new Error(`the Action exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
  return parseTime(timeFile);
}

/** A measurement: one command per build, run RUNS times after one warm-up, alternating builds. */
interface Row {
  surface: string;
  command: string;
  figures: Partial<Record<Build['label'], { cpuMs: number; wallMs: number; rssMb: number }>>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(
  surface: string,
  command: string,
  builds: Build[],
  once: (b: Build) => Sample | Promise<Sample>,
): Promise<Row> {
  const samples = new Map<Build['label'], Sample[]>(builds.map((b) => [b.label, []]));
  for (let i = 0; i <= RUNS; i++) {
    for (const b of builds) {
      const s = await once(b);
      if (i > 0) samples.get(b.label)!.push(s); // the first run warms the file cache
    }
  }
  const row: Row = { surface, command, figures: {} };
  for (const [label, xs] of samples) {
    row.figures[label] = {
      cpuMs: Math.round(median(xs.map((s) => s.cpuMs))),
      wallMs: Math.round(median(xs.map((s) => s.wallMs))),
      rssMb: Math.round(median(xs.map((s) => s.rssMb))),
    };
  }
  const f = Object.entries(row.figures)
    .map(([l, x]) => `${l} ${x.cpuMs} ms CPU, ${x.wallMs} ms wall, ${x.rssMb} MB`)
    .join(' · ');
  console.log(`  ${surface} ${command}: ${f}`);
  return row;
}

const builds: Build[] = [];
try {
  if (values.before) builds.push(await prepare('before', resolve(values.before)));
  builds.push(await prepare('after', ROOT));
  const repo = cliRepo();
  const action = await actionWorld();
  const checkArgs = ['check', '--committed', '--base', 'HEAD~1', '--format', 'json'];
  const rows: Row[] = [];
  try {
    rows.push(await measure('node', '-e 0 (the floor)', builds, () => runCli('-e', ['0'], work, 0)));
    for (const [surface, entry] of [
      ['checkout CLI', (b: Build) => join(b.root, 'bin/readiness-gates.js')],
      ['bundled CLI', (b: Build) => b.cliBundle],
    ] as const) {
      rows.push(await measure(surface, '--version', builds, (b) => runCli(entry(b), ['--version'], repo, 0)));
      rows.push(await measure(surface, 'rules', builds, (b) => runCli(entry(b), ['rules'], repo, 0)));
      rows.push(await measure(surface, 'check (README change)', builds, (b) => runCli(entry(b), checkArgs, repo, 0)));
    }
    rows.push(
      await measure('Action bundle', 'pull_request (README change)', builds, (b) =>
        runActionOnce(b.actionBundle, action),
      ),
    );
  } finally {
    await action.world.close();
    harness.cleanup();
  }

  const labels = builds.map((b) => b.label);
  const head = ['surface', 'command', ...labels.flatMap((l) => [`${l} CPU`, `${l} wall`, `${l} RSS`])];
  if (labels.length === 2) head.push('CPU after/before');
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const r of rows) {
    const cells = [r.surface, r.command];
    for (const l of labels) {
      const f = r.figures[l]!;
      cells.push(`${f.cpuMs} ms`, `${f.wallMs} ms`, `${f.rssMb} MB`);
    }
    if (labels.length === 2) cells.push((r.figures.after!.cpuMs / r.figures.before!.cpuMs).toFixed(2));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  const machine = `${cpus()[0]?.model.trim() ?? 'unknown'} × ${cpus().length}, ${process.version}, load average ${loadavg()[0]!.toFixed(1)}`;
  const table = lines.join('\n');
  console.log(`\n${table}\n\nmedian of ${RUNS} runs after one warm-up · ${machine}`);
  writeFileSync(
    join(ROOT, 'bench/results/startup.json'),
    `${JSON.stringify({ runs: RUNS, machine, date: new Date().toISOString().slice(0, 10), rows }, null, 2)}\n`,
  );
  const md = join(ROOT, 'bench/results/startup.md');
  const previous = existsSync(md) ? readFileSync(md, 'utf8') : '';
  const marker = /<!-- bench:startup -->[\s\S]*<!-- \/bench:startup -->/;
  const block = `<!-- bench:startup -->\n${table}\n\nMedian of ${RUNS} runs after one warm-up; ${machine}; ${new Date().toISOString().slice(0, 10)}.\n<!-- /bench:startup -->`;
  writeFileSync(
    md,
    marker.test(previous) ? previous.replace(marker, block) : `# Start-up (\`npm run bench:startup\`)\n\n${block}\n`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
