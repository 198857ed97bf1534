/**
 * The suite's setup (test/support/system-deps.ts) against a simulated machine: what it finds, when it
 * installs, how, and the one line it fails with when it may not. Nothing here touches the real system.
 */
import { describe, expect, it } from 'vitest';
import { ensureSystemDeps, find, installRoute, REDIS, PROMETHEUS_CLIENT, type Run } from './support/system-deps.js';

/** A machine: which commands succeed (by "command args"), and a log of what ran. */
function machine(opts: {
  has: Set<string>;
  aptGet?: boolean;
  sudo?: boolean;
  installs?: Record<string, string[]>;
  failApt?: boolean;
}) {
  const calls: string[] = [];
  const exec: Run = (command, args) => {
    const line = [command, ...args].join(' ');
    calls.push(line);
    const ok = (status: number) => ({ status, stdout: '', stderr: status ? 'nope' : '' });
    if (command === 'apt-get' && args[0] === '--version')
      return opts.aptGet === false ? { ...ok(-1), status: null, error: new Error('spawnSync apt-get ENOENT') } : ok(0);
    if (command === 'sudo') {
      if (!opts.sudo) return ok(1);
      if (args[0] === '-n' && args[1] === 'true') return ok(0);
    }
    if (line.includes('apt-get install')) {
      if (opts.failApt) return { status: 100, stdout: '', stderr: 'E: Could not open lock file' };
      for (const pkg of args) for (const probe of opts.installs?.[pkg] ?? []) opts.has.add(probe);
      return ok(0);
    }
    if (line.includes('apt-get update')) return ok(0);
    if (opts.has.has(line)) return ok(0);
    return { status: null, stdout: '', stderr: '', error: new Error(`spawnSync ${command} ENOENT`) };
  };
  return { exec, calls };
}

const REDIS_OK = 'redis-server --version';
const PY_OK = '/usr/bin/python3 -c import prometheus_client';
const quiet = () => {};

describe('test setup: system packages', () => {
  it('uses what is there and installs nothing', () => {
    const m = machine({ has: new Set([REDIS_OK, PY_OK]) });
    const result = ensureSystemDeps({ env: {}, exec: m.exec, uid: 1000, log: quiet });
    expect(result).toEqual({
      found: { REDIS_SERVER_BIN: 'redis-server', ORACLE_PYTHON: '/usr/bin/python3' },
      installed: [],
    });
    expect(m.calls.some((c) => c.includes('apt-get'))).toBe(false);
  });

  it('reports the real spawn error of each candidate', () => {
    const m = machine({ has: new Set() });
    const found = find(REDIS, { REDIS_SERVER_BIN: '/opt/redis' }, m.exec);
    expect(found).toEqual({
      ok: false,
      tried: [
        '/opt/redis: spawnSync /opt/redis ENOENT',
        'redis-server: spawnSync redis-server ENOENT',
        '/usr/bin/redis-server: spawnSync /usr/bin/redis-server ENOENT',
      ],
    });
  });

  it('installs only what is missing, with apt-get as root', () => {
    const m = machine({ has: new Set([REDIS_OK]), installs: { 'python3-prometheus-client': [PY_OK] } });
    const result = ensureSystemDeps({ env: {}, exec: m.exec, uid: 0, log: quiet });
    expect(result.installed).toEqual(['python3-prometheus-client']);
    expect(m.calls.filter((c) => c.includes('apt-get ') && !c.includes('--version'))).toEqual([
      'apt-get update -qq',
      'apt-get install -y -qq --no-install-recommends python3-prometheus-client',
    ]);
  });

  it('installs through passwordless sudo when not root', () => {
    const m = machine({
      has: new Set(),
      sudo: true,
      installs: { 'redis-server': [REDIS_OK], 'python3-prometheus-client': [PY_OK] },
    });
    const result = ensureSystemDeps({ env: {}, exec: m.exec, uid: 1000, log: quiet });
    expect(result.installed).toEqual(['redis-server', 'python3-prometheus-client']);
    expect(m.calls).toContain(
      'sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server python3-prometheus-client',
    );
  });

  it('fails with one line saying what to install when it may not install', () => {
    const m = machine({ has: new Set([PY_OK]), sudo: false });
    expect(() => ensureSystemDeps({ env: {}, exec: m.exec, uid: 1000, log: quiet })).toThrow(
      /^npm test needs redis-server and could not install them \(not root and no passwordless sudo\): run `sudo apt-get install -y redis-server` \(or point REDIS_SERVER_BIN at them\), then npm test again\.$/,
    );
  });

  it('fails clearly without apt-get, when told not to install, and when apt-get fails', () => {
    const none = machine({ has: new Set(), aptGet: false });
    expect(() => ensureSystemDeps({ env: {}, exec: none.exec, uid: 0, log: quiet })).toThrow(
      /apt-get is not available.*sudo apt-get install -y redis-server python3-prometheus-client/,
    );
    const told = machine({ has: new Set([REDIS_OK]) });
    expect(() =>
      ensureSystemDeps({ env: { READINESS_TEST_NO_INSTALL: '1' }, exec: told.exec, uid: 0, log: quiet }),
    ).toThrow(/READINESS_TEST_NO_INSTALL=1/);
    const locked = machine({ has: new Set([REDIS_OK]), failApt: true });
    expect(() => ensureSystemDeps({ env: {}, exec: locked.exec, uid: 0, log: quiet })).toThrow(
      /apt-get install .* failed: E: Could not open lock file/,
    );
  });

  it('fails when the package installed but the program is still not there', () => {
    const m = machine({ has: new Set([REDIS_OK]) });
    expect(() => ensureSystemDeps({ env: {}, exec: m.exec, uid: 0, log: quiet })).toThrow(
      /still not found after installing: .*python3/,
    );
  });

  it('prefers the explicit override', () => {
    const m = machine({ has: new Set(['/opt/py -c import prometheus_client', PY_OK]) });
    expect(find(PROMETHEUS_CLIENT, { ORACLE_PYTHON: '/opt/py' }, m.exec)).toEqual({ ok: true, command: '/opt/py' });
  });

  it('on this machine: finds both, or can install them', () => {
    const route = installRoute();
    const missing = [REDIS, PROMETHEUS_CLIENT].filter((r) => !find(r).ok);
    // The global setup ran before this test; if it had failed, no test would run at all.
    expect(missing.map((r) => r.name)).toEqual([]);
    expect(['root', 'sudo', 'none']).toContain(route.via);
  });
});
