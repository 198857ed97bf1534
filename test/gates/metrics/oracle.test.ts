/**
 * The libraries are the judge. Every snippet (oracle-snippets.ts) is run with the real client library in
 * a child process — prom-client from node_modules, prometheus_client with a system Python — and whether
 * it throws a duplicate-registration error (or rejects a definition) is recorded. The metrics gate then
 * judges the same files statically; its verdict must match the library's on every snippet.
 *
 * Nothing here loads a client library into the test process: each library gets a fresh instance per
 * snippet inside its child process (module caches cleared between snippets).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/loader.js';
import { evaluate } from '../../../src/core/engine.js';
import { metricsGate } from '../../../src/gates/metrics/index.js';
import { memoryChangeSet } from '../../../src/source/memory.js';
import { find, PROMETHEUS_CLIENT } from '../../support/system-deps.js';
import {
  generatedPromClient,
  generatedPython,
  handWrittenPromClient,
  handWrittenPython,
  type Snippet,
} from './oracle-snippets.js';

const REPO = join(import.meta.dirname, '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'metrics-oracle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Verdict = 'ok' | 'duplicate' | 'invalid';

/** Rules whose blockers mean "the library will throw a duplicate-registration error". */
const DUPLICATE_RULES = new Set([
  'metrics/duplicate-name',
  'metrics/python-suffix-collision',
  'metrics/default-metrics-twice',
  'metrics/registry-merge-conflict',
  'metrics/created-in-hot-path',
]);

function libraryVerdict(error: string | null): Verdict | 'unexpected' {
  if (error === null) return 'ok';
  if (/already been registered|Duplicated timeseries|Registers can only be merged/.test(error)) return 'duplicate';
  if (
    /Invalid metric name|Invalid label|reserved label|Reserved label|Missing mandatory|cannot have a unit/.test(error)
  )
    return 'invalid';
  return 'unexpected';
}

// Built from this gate alone, so the oracle does not depend on other gates' state.
const config = parseConfig('', 'oracle', [metricsGate]);

async function gateVerdict(s: Snippet): Promise<{ verdict: Verdict | 'both'; findings: string[] }> {
  const manifest: Record<string, string> =
    s.lib === 'prom-client'
      ? { 'package.json': '{ "name": "snippet", "dependencies": { "prom-client": "^15.1.3" } }\n' }
      : { 'requirements.txt': 'prometheus-client\n' };
  const evaluation = await evaluate({
    changeSet: memoryChangeSet({ base: {}, head: { ...s.files, ...manifest } }),
    config,
    gates: [metricsGate],
    now: new Date('2026-06-01T00:00:00Z'),
  });
  const blockers = evaluation.findings.filter((f) => f.severity === 'blocker' && f.state === 'new');
  const dup = blockers.some((f) => DUPLICATE_RULES.has(f.ruleId));
  const invalid = blockers.some((f) => f.ruleId === 'metrics/invalid-definition');
  return {
    verdict: dup && invalid ? 'both' : dup ? 'duplicate' : invalid ? 'invalid' : 'ok',
    findings: evaluation.findings.map((f) => `${f.severity} ${f.ruleId} ${f.path}:${f.line}`),
  };
}

/** Writes every snippet under `work/<lib>/<id>/` and returns the directory. */
function writeSnippets(lib: string, snippets: Snippet[]): string {
  const dir = join(work, lib);
  for (const s of snippets) {
    for (const [path, text] of Object.entries(s.files)) {
      const full = join(dir, s.id, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
    }
  }
  return dir;
}

const NODE_RUNNER = `
const fs = require('fs');
const path = require('path');
const { dir, snippets } = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
(async () => {
  const out = [];
  for (const s of snippets) {
    // A fresh prom-client (and fresh snippet modules) for every snippet: its default registry is new.
    for (const key of Object.keys(require.cache)) delete require.cache[key];
    const base = path.join(dir, s.id);
    let error = null;
    try {
      const mods = {};
      for (const m of s.load) mods[m] = require(path.join(base, m));
      for (const c of s.calls || []) for (let i = 0; i < c.times; i++) await mods[c.module][c.fn]();
    } catch (e) {
      error = String((e && e.message) || e);
    }
    out.push({ id: s.id, error });
  }
  process.stdout.write(JSON.stringify(out));
})();
`;

const PYTHON_RUNNER = `
import importlib, json, os, sys
cfg = json.load(open(sys.argv[1]))
root = os.path.realpath(cfg["dir"])
out = []
for s in cfg["snippets"]:
    base = os.path.join(root, s["id"])
    # A fresh prometheus_client (and fresh snippet modules) for every snippet: its REGISTRY is new.
    for name, mod in list(sys.modules.items()):
        f = getattr(mod, "__file__", None) or ""
        if name == "prometheus_client" or name.startswith("prometheus_client.") or os.path.realpath(f).startswith(root):
            del sys.modules[name]
    importlib.invalidate_caches()
    sys.path.insert(0, base)
    err = None
    try:
        mods = {}
        for f in s["load"]:
            mods[f] = importlib.import_module(f[:-3])
        for c in s.get("calls") or []:
            fn = getattr(mods[c["module"]], c["fn"])
            for _ in range(c["times"]):
                fn(*([None] * fn.__code__.co_argcount))
    except Exception as e:
        err = type(e).__name__ + ": " + str(e)
    finally:
        sys.path.remove(base)
    out.append({"id": s["id"], "error": err})
print(json.dumps(out))
`;

function runWithLibrary(
  command: string,
  args: string[],
  runner: string,
  runnerName: string,
  lib: string,
  snippets: Snippet[],
): Map<string, string | null> {
  const dir = writeSnippets(lib, snippets);
  const runnerPath = join(work, runnerName);
  writeFileSync(runnerPath, runner);
  const input = join(work, `${lib}.json`);
  writeFileSync(input, JSON.stringify({ dir, snippets }));
  const result = spawnSync(command, [...args, runnerPath, input], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 240_000,
  });
  if (result.status !== 0) throw new Error(`${command} ${runnerName} failed (${result.status}): ${result.stderr}`);
  const rows = JSON.parse(result.stdout) as Array<{ id: string; error: string | null }>;
  return new Map(rows.map((r) => [r.id, r.error]));
}

interface Disagreement {
  id: string;
  library: string;
  gate: string;
  findings: string[];
}

async function compare(
  snippets: Snippet[],
  outcomes: Map<string, string | null>,
): Promise<{ agree: number; disagreements: Disagreement[]; counts: Record<string, number> }> {
  const disagreements: Disagreement[] = [];
  const counts: Record<string, number> = { ok: 0, duplicate: 0, invalid: 0 };
  let agree = 0;
  for (const s of snippets) {
    const error = outcomes.get(s.id);
    if (error === undefined) throw new Error(`no library outcome for ${s.id}`);
    const lib = libraryVerdict(error);
    const gate = await gateVerdict(s);
    if (lib !== 'unexpected') counts[lib] = (counts[lib] ?? 0) + 1;
    if (lib === gate.verdict) agree++;
    else
      disagreements.push({
        id: s.id,
        library: error === null ? 'ok' : `${lib}: ${error}`,
        gate: gate.verdict,
        findings: gate.findings,
      });
  }
  return { agree, disagreements, counts };
}

/** The Python with prometheus_client: ORACLE_PYTHON, else Debian's /usr/bin/python3, else python3 on PATH. */
function findPython(): { command?: string; tried: string[] } {
  const found = find(PROMETHEUS_CLIENT);
  return found.ok ? { command: found.command, tried: [] } : { tried: found.tried };
}

describe('metrics oracle: prom-client', () => {
  it('agrees with prom-client on every snippet', { timeout: 300_000 }, async () => {
    symlinkSync(join(REPO, 'node_modules'), join(work, 'node_modules'), 'dir');
    const snippets = [...generatedPromClient(), ...handWrittenPromClient()];
    const outcomes = runWithLibrary(process.execPath, [], NODE_RUNNER, 'runner.cjs', 'prom-client', snippets);
    const unexpected = snippets
      .filter((s) => libraryVerdict(outcomes.get(s.id) ?? null) === 'unexpected')
      .map((s) => `${s.id}: ${outcomes.get(s.id)}`);
    expect(unexpected, 'snippets that failed for a reason other than registration (a broken snippet)').toEqual([]);
    const { agree, disagreements, counts } = await compare(snippets, outcomes);
    console.log(
      `metrics oracle — prom-client: ${agree}/${snippets.length} snippets agree (library: ${counts.duplicate} duplicate-registration errors, ${counts.invalid} rejected definitions, ${counts.ok} clean)`,
    );
    expect(disagreements).toEqual([]);
    // The set must exercise both outcomes, or agreement proves nothing.
    expect(counts.duplicate).toBeGreaterThan(50);
    expect(counts.ok).toBeGreaterThan(50);
  });

  it('knows every name collectDefaultMetrics() registers', () => {
    const script = `
      const fs = require('fs'); const path = require('path');
      const dir = path.join(path.dirname(require.resolve('prom-client')), 'lib', 'metrics');
      const names = new Set();
      for (const f of fs.readdirSync(dir)) if (f.endsWith('.js')) for (const n of require(path.join(dir, f)).metricNames || []) names.add(n);
      process.stdout.write(JSON.stringify([...names].sort()));`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: REPO, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return import('../../../src/gates/metrics/semantics.js').then(({ PROM_CLIENT_DEFAULT_METRICS }) => {
      expect([...PROM_CLIENT_DEFAULT_METRICS].sort()).toEqual(JSON.parse(r.stdout));
    });
  });
});

describe('metrics oracle: prometheus_client', () => {
  const python = findPython();
  if (!python.command) {
    // The global setup installs it; if it is still missing this half fails, never skips.
    it('needs prometheus_client', () => {
      throw new Error(
        `no Python with prometheus_client (tried ${python.tried.join('; ')}). Install python3-prometheus-client (Debian) or set ORACLE_PYTHON.`,
      );
    });
    return;
  }

  it('agrees with prometheus_client on every snippet', { timeout: 300_000 }, async () => {
    const snippets = [...generatedPython(), ...handWrittenPython()];
    const outcomes = runWithLibrary(python.command!, [], PYTHON_RUNNER, 'runner.py', 'python', snippets);
    const unexpected = snippets
      .filter((s) => libraryVerdict(outcomes.get(s.id) ?? null) === 'unexpected')
      .map((s) => `${s.id}: ${outcomes.get(s.id)}`);
    expect(unexpected, 'snippets that failed for a reason other than registration (a broken snippet)').toEqual([]);
    const { agree, disagreements, counts } = await compare(snippets, outcomes);
    console.log(
      `metrics oracle — prometheus_client (${python.command}): ${agree}/${snippets.length} snippets agree (library: ${counts.duplicate} duplicate-registration errors, ${counts.invalid} rejected definitions, ${counts.ok} clean)`,
    );
    expect(disagreements).toEqual([]);
    expect(counts.duplicate).toBeGreaterThan(50);
    expect(counts.ok).toBeGreaterThan(50);
  });

  it('knows the names the default REGISTRY holds from the start', async () => {
    const r = spawnSync(
      python.command!,
      [
        '-c',
        'import json; from prometheus_client import REGISTRY; print(json.dumps(sorted(REGISTRY._names_to_collectors)))',
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    const { PYTHON_BUILTIN_NAMES } = await import('../../../src/gates/metrics/semantics.js');
    expect(Object.values(PYTHON_BUILTIN_NAMES).flat().sort()).toEqual(JSON.parse(r.stdout));
  });
});
