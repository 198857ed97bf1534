/**
 * The CLI package's benchmark: what a new user downloads and waits for. Packs the package (prepack bundles
 * the CLI), installs the tarball offline into an empty directory, and reports
 * - install: the tarball's size, node_modules on disk, packages installed, the install's wall time;
 * - cold start: `readiness-gates --version` and a small check (a 3-file change: TypeScript, SQL, YAML) in a
 *   fresh process each run, median of several runs.
 *
 *   npx tsx bench/cli/run.ts                                   # pack this checkout, label "after"
 *   npx tsx bench/cli/run.ts --installed DIR --label before    # measure an existing install in DIR
 *
 * `--installed` measures a directory where the package is already installed (node_modules/.bin/readiness-gates),
 * e.g. the pre-bundle package installed with network access, which cannot be installed offline. Results are
 * merged by label into bench/results/cli.json; a table is printed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const RESULTS = join(ROOT, 'bench/results/cli.json');
const RUNS = Number(process.env['BENCH_RUNS'] ?? 7);

interface Result {
  label: string;
  tarballBytes?: number;
  installBytes: number;
  packages: number;
  installMs?: number;
  versionMs: number;
  checkMs: number;
  node: string;
  date: string;
}

const { values } = parseArgs({ options: { installed: { type: 'string' }, label: { type: 'string' } } });
const label = values.label ?? (values.installed ? 'installed' : 'after');
const work = mkdtempSync(join(tmpdir(), 'rg-bench-cli-'));

function du(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += du(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

/** Installed packages: every directory holding a package.json directly under some node_modules. */
function countPackages(nodeModules: string): number {
  let n = 0;
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const path = join(nodeModules, entry.name);
    if (entry.name.startsWith('@')) {
      n += countPackages(path);
      continue;
    }
    if (existsSync(join(path, 'package.json'))) n++;
    if (existsSync(join(path, 'node_modules'))) n += countPackages(join(path, 'node_modules'));
  }
  return n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function timeRuns(bin: string, args: string[], cwd: string, expectStatus: number): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [bin, ...args], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== expectStatus) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    if (i > 0) times.push(ms); // the first run warms the file cache
  }
  return Math.round(median(times));
}

function smallRepo(): string {
  const dir = join(work, 'repo');
  mkdirSync(dir);
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', ...args], { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  write('db/migrations/001_users.sql', 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n');
  write('src/logger.ts', "import pino from 'pino';\nexport const logger = pino();\n");
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  git('checkout', '-q', '-b', 'feature');
  write('db/migrations/002_drop_email.sql', 'ALTER TABLE users DROP COLUMN email;\n');
  write(
    'src/login.ts',
    "import { logger } from './logger.js';\nexport function login(req) {\n  logger.info({ user: req.body.username }, 'login');\n}\n",
  );
  write(
    'deploy/app.yaml',
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: app }\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: app:1\n',
  );
  git('add', '-A');
  git('commit', '-q', '-m', 'feature');
  return dir;
}

let installDir: string;
let tarballBytes: number | undefined;
let installMs: number | undefined;
if (values.installed) {
  installDir = resolve(values.installed);
} else {
  // Not --json: the prepare and prepack scripts print to the same stdout.
  execFileSync('npm', ['pack', '--pack-destination', work, '--loglevel=error'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tarball = join(
    work,
    readdirSync(work).find((f) => f.endsWith('.tgz'))!,
  );
  tarballBytes = statSync(tarball).size;
  installDir = join(work, 'install');
  mkdirSync(installDir);
  writeFileSync(join(installDir, 'package.json'), '{ "name": "empty", "private": true }\n');
  const start = process.hrtime.bigint();
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], {
    cwd: installDir,
    env: { ...process.env, npm_config_cache: join(work, 'npm-cache') },
    stdio: 'pipe',
  });
  installMs = Math.round(Number(process.hrtime.bigint() - start) / 1e6);
}

const nodeModules = join(installDir, 'node_modules');
const bin = join(nodeModules, 'readiness-gates', 'bin', 'readiness-gates.js');
const repo = smallRepo();
const result: Result = {
  label,
  ...(tarballBytes !== undefined ? { tarballBytes } : {}),
  installBytes: du(nodeModules),
  packages: countPackages(nodeModules),
  ...(installMs !== undefined ? { installMs } : {}),
  versionMs: timeRuns(bin, ['--version'], installDir, 0),
  checkMs: timeRuns(bin, ['check', '--base', 'main', '--format', 'json'], repo, 1),
  node: process.version,
  date: new Date().toISOString().slice(0, 10),
};
rmSync(work, { recursive: true, force: true });

const all = (
  existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as { results: Result[] }).results : []
).filter((r) => r.label !== label);
all.push(result);
writeFileSync(
  RESULTS,
  `${JSON.stringify({ machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`, runs: RUNS, results: all }, null, 2)}\n`,
);

const mb = (b: number | undefined) => (b === undefined ? '—' : `${(b / 1024 / 1024).toFixed(1)} MB`);
console.log('| package | tarball | installed | packages | install | --version | 3-file check |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of all) {
  console.log(
    `| ${r.label} | ${mb(r.tarballBytes)} | ${mb(r.installBytes)} | ${r.packages} | ${r.installMs === undefined ? '—' : `${r.installMs} ms`} | ${r.versionMs} ms | ${r.checkMs} ms |`,
  );
}
console.log(`median of ${RUNS} runs after one warm-up, ${process.version} → ${RESULTS}`);
