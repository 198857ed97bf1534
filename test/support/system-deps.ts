/**
 * The two system programs the suite runs for real, found or installed before any test starts (vitest's
 * globalSetup, test/global-setup.ts), so that `npm test` on a fresh Debian machine needs no other step:
 *
 * - `redis-server`, for the Redis-backed app's tests (queue, replicas, the CI-sized load test);
 * - Python's `prometheus_client`, for the Python half of the metrics oracle.
 *
 * Both come from Debian packages. When one is missing the setup runs `apt-get update` and `apt-get install`
 * as root, or through `sudo -n` when that works without a password. When it cannot (no permission, no
 * apt-get), it throws one line naming what to install: the suite never skips them and never passes without
 * them.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';

/** Runs a program and returns how it ended; injectable so the plan can be tested without touching the system. */
export type Run = (
  command: string,
  args: readonly string[],
  env?: NodeJS.ProcessEnv,
) => { status: number | null; stdout: string; stderr: string; error?: Error };

export const run: Run = (command, args, env) => {
  const r: SpawnSyncReturns<string> = spawnSync(command, args as string[], {
    encoding: 'utf8',
    env: env ?? process.env,
    timeout: 600_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ...(r.error ? { error: r.error } : {}) };
};

/** One thing the suite needs: how to find it and which Debian package provides it. */
export interface Requirement {
  name: string;
  debianPackage: string;
  /** Candidates to try, in order; the first that passes the probe is used. */
  candidates(env: NodeJS.ProcessEnv): string[];
  probeArgs: readonly string[];
  /** The environment variable that points at it explicitly. */
  override: string;
}

export const REDIS: Requirement = {
  name: 'redis-server',
  debianPackage: 'redis-server',
  candidates: (env) =>
    [env.REDIS_SERVER_BIN, 'redis-server', '/usr/bin/redis-server'].filter((c): c is string => Boolean(c)),
  probeArgs: ['--version'],
  override: 'REDIS_SERVER_BIN',
};

export const PROMETHEUS_CLIENT: Requirement = {
  name: "Python's prometheus_client",
  debianPackage: 'python3-prometheus-client',
  // Debian's package installs for /usr/bin/python3, so that one comes before whatever python3 is on PATH.
  candidates: (env) => [env.ORACLE_PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => Boolean(c)),
  probeArgs: ['-c', 'import prometheus_client'],
  override: 'ORACLE_PYTHON',
};

export const REQUIREMENTS: readonly Requirement[] = [REDIS, PROMETHEUS_CLIENT];

/** Where a requirement was found, or why each candidate failed (the real spawn error, not a guess). */
export type Found = { ok: true; command: string } | { ok: false; tried: string[] };

export function find(req: Requirement, env: NodeJS.ProcessEnv = process.env, exec: Run = run): Found {
  const tried: string[] = [];
  for (const candidate of req.candidates(env)) {
    const r = exec(candidate, req.probeArgs, env);
    if (r.status === 0 && !r.error) return { ok: true, command: candidate };
    const why = r.error
      ? r.error.message
      : `exit ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').pop() ?? ''}`;
    tried.push(`${candidate}: ${why}`);
  }
  return { ok: false, tried };
}

/** How packages would be installed here: directly as root, through passwordless sudo, or not at all (and why). */
export type InstallRoute = { via: 'root' | 'sudo' } | { via: 'none'; reason: string };

export function installRoute(
  env: NodeJS.ProcessEnv = process.env,
  exec: Run = run,
  uid = process.getuid?.() ?? -1,
): InstallRoute {
  const apt = exec('apt-get', ['--version'], env);
  if (apt.status !== 0 || apt.error) return { via: 'none', reason: 'apt-get is not available (not Debian/Ubuntu)' };
  if (env.READINESS_TEST_NO_INSTALL === '1') return { via: 'none', reason: 'READINESS_TEST_NO_INSTALL=1' };
  if (uid === 0) return { via: 'root' };
  const sudo = exec('sudo', ['-n', 'true'], env);
  if (sudo.status === 0 && !sudo.error) return { via: 'sudo' };
  return { via: 'none', reason: 'not root and no passwordless sudo' };
}

/** The one line a developer reads when the suite cannot provide what it needs. */
export function missingMessage(missing: readonly Requirement[], reason: string): string {
  const packages = missing.map((r) => r.debianPackage).join(' ');
  const names = missing.map((r) => r.name).join(' and ');
  const overrides = missing.map((r) => r.override).join(' / ');
  return `npm test needs ${names} and could not install them (${reason}): run \`sudo apt-get install -y ${packages}\` (or point ${overrides} at them), then npm test again.`;
}

export interface EnsureResult {
  found: Record<string, string>;
  installed: string[];
}

/**
 * Finds every requirement, installs the missing ones when it may, and throws one line when it cannot.
 * `log` receives what it does (an install takes a minute; silence would look like a hang).
 */
export function ensureSystemDeps(
  options: {
    env?: NodeJS.ProcessEnv;
    exec?: Run;
    uid?: number;
    log?: (line: string) => void;
    requirements?: readonly Requirement[];
  } = {},
): EnsureResult {
  const env = options.env ?? process.env;
  const exec = options.exec ?? run;
  const log = options.log ?? ((line: string) => console.log(line));
  const requirements = options.requirements ?? REQUIREMENTS;
  const lookup = () => requirements.map((r) => ({ r, found: find(r, env, exec) }));
  let results = lookup();
  let missing = results.filter((x) => !x.found.ok).map((x) => x.r);
  const installed: string[] = [];
  if (missing.length > 0) {
    const route = installRoute(env, exec, options.uid ?? process.getuid?.() ?? -1);
    if (route.via === 'none') throw new Error(missingMessage(missing, route.reason));
    const packages = missing.map((r) => r.debianPackage);
    log(`test setup: installing ${packages.join(', ')} with apt-get (as ${route.via}); this happens once per machine`);
    const prefix = route.via === 'sudo' ? ['sudo', '-n', 'env', 'DEBIAN_FRONTEND=noninteractive'] : [];
    const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
    for (const args of [
      ['apt-get', 'update', '-qq'],
      ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...packages],
    ]) {
      const [command, ...rest] = [...prefix, ...args];
      const r = exec(command!, rest, aptEnv);
      if (r.status !== 0 || r.error) {
        const detail = (r.error?.message ?? r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`).trim();
        throw new Error(missingMessage(missing, `\`${args.join(' ')}\` failed: ${detail}`));
      }
    }
    installed.push(...packages);
    results = lookup();
    missing = results.filter((x) => !x.found.ok).map((x) => x.r);
    if (missing.length > 0) {
      const tried = results.flatMap((x) => (x.found.ok ? [] : x.found.tried)).join('; ');
      throw new Error(missingMessage(missing, `still not found after installing: ${tried}`));
    }
  }
  const found: Record<string, string> = {};
  for (const x of results) if (x.found.ok) found[x.r.override] = x.found.command;
  return { found, installed };
}
