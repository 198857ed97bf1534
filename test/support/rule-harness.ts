/**
 * The annotated mini-PR harness (semgrep-rules / squawk style).
 *
 * A case is `test/fixtures/rules/<gate>/<name>/<case>/` with `before/` (the base tree) and `after/` (the
 * head tree). In `after/` files a comment `ruleid: <rule-id>` says the next code line must be reported by
 * that rule, `ok: <rule-id>` that it must not; `todoruleid` records a known miss (must NOT be reported
 * yet) and `todook` a known false positive (must be reported yet). Any finding of the rule on an
 * unannotated line fails. `case.yml` holds what annotations cannot say: `config` (a readiness.yml as
 * YAML), `expect` (findings on files without comments, e.g. removed or JSON files), `waivers`, `now`.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { parseConfig } from '../../src/config/loader.js';
import { evaluate, type Waiver } from '../../src/core/engine.js';
import type { Finding, Gate } from '../../src/core/types.js';
import { GATES } from '../../src/gates/index.js';
import { memoryChangeSet } from '../../src/source/memory.js';

export const FIXTURES_ROOT = join(import.meta.dirname, '..', 'fixtures', 'rules');

export interface Expectation {
  path: string;
  /** Undefined: anywhere in the file. */
  line?: number;
  state?: Finding['state'];
  /** Undefined: any severity. */
  severity?: Finding['severity'];
  kind: 'ruleid' | 'ok' | 'todoruleid' | 'todook';
  source: string;
}

export interface CaseFile {
  config?: unknown;
  expect?: Array<{ path: string; line?: number; state?: Finding['state']; severity?: Finding['severity']; rule?: string }>;
  waivers?: Waiver[];
  now?: string;
  description?: string;
  /**
   * The repository's releases: `refs` (tag / release-branch names; empty = none) and `released`, the tree
   * the newest release shipped: `before` (the base is released) or the name of a sibling folder of the
   * case (e.g. `release`). Without it the source knows no releases.
   */
  releases?: { refs: string[]; released?: string };
}

export interface CaseResult {
  findings: Finding[];
  /** All findings of every rule (for debugging a failing case). */
  all: Finding[];
  problems: string[];
  expectations: Expectation[];
  errors: { path: string; message: string }[];
}

/** Reads a directory tree into { relativePath: bytes }. */
export function readTree(dir: string): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name !== '.gitkeep') out[relative(dir, full).split(sep).join('/')] = readFileSync(full);
    }
  };
  walk(dir);
  return out;
}

const ANNOTATION = /\b(todoruleid|todook|ruleid|ok):\s*([a-z0-9-]+(?:\/[a-z0-9-]+)?(?:\s*,\s*[a-z0-9-]+(?:\/[a-z0-9-]+)?)*)/g;

function isAnnotationOnly(line: string): boolean {
  const stripped = line.replace(ANNOTATION, '').replace(/^\s*(?:\/\/+|#+|--+|\/\*+|\*+|<!--)\s*/, '').replace(/\s*(?:\*\/|-->)\s*$/, '');
  return /\b(todoruleid|todook|ruleid|ok):/.test(line) && stripped.trim() === '';
}

/** Annotations for `ruleId` in the head tree. */
export function annotationsFor(head: Record<string, Uint8Array>, ruleId: string): Expectation[] {
  const out: Expectation[] = [];
  for (const [path, bytes] of Object.entries(head)) {
    const text = Buffer.from(bytes).toString('utf8');
    const lines = text.split(/\r\n|\n|\r/);
    lines.forEach((line, i) => {
      for (const m of line.matchAll(ANNOTATION)) {
        const ids = m[2]!.split(/\s*,\s*/);
        if (!ids.includes(ruleId)) continue;
        // The annotated line: the same line when the annotation trails code, else the next line that is
        // not itself only annotations.
        let target = i + 1;
        if (isAnnotationOnly(line)) {
          target = i + 2;
          while (target <= lines.length && isAnnotationOnly(lines[target - 1]!)) target++;
        }
        out.push({ path, line: target, kind: m[1] as Expectation['kind'], source: `${path}:${i + 1}` });
      }
    });
  }
  return out;
}

/** Runs one fixture case for one rule and lists every mismatch. */
export async function runCase(caseDir: string, ruleId: string, gates: readonly Gate[] = GATES): Promise<CaseResult> {
  const base = readTree(join(caseDir, 'before'));
  const head = readTree(join(caseDir, 'after'));
  const casePath = join(caseDir, 'case.yml');
  const caseFile: CaseFile = existsSync(casePath) ? ((parseYaml(readFileSync(casePath, 'utf8')) as CaseFile) ?? {}) : {};
  const gateId = ruleId.split('/')[0];
  // Core rules judge markers for every gate, so their cases run with all gates.
  const selected = gateId === 'core' ? gates : gates.filter((g) => g.id === gateId || g.id === 'core');
  const config = parseConfig(caseFile.config ? stringifyYaml(caseFile.config) : '', `${casePath}#config`, gates);
  const releases = caseFile.releases
    ? { refs: caseFile.releases.refs, ...(caseFile.releases.released ? { released: readTree(join(caseDir, caseFile.releases.released)) } : {}) }
    : undefined;
  const changeSet = memoryChangeSet({ base, head, ...(releases ? { releases } : {}) });
  const evaluation = await evaluate({
    changeSet,
    config,
    gates: selected,
    ...(caseFile.waivers ? { waivers: caseFile.waivers } : {}),
    now: caseFile.now ? new Date(caseFile.now) : new Date('2026-06-01T00:00:00Z'),
  });
  const findings = evaluation.findings.filter((f) => f.ruleId === ruleId);
  const expectations = annotationsFor(head, ruleId);
  for (const e of caseFile.expect ?? []) {
    if (e.rule && e.rule !== ruleId) continue;
    expectations.push({
      path: e.path,
      ...(e.line !== undefined ? { line: e.line } : {}),
      ...(e.state ? { state: e.state } : {}),
      ...(e.severity ? { severity: e.severity } : {}),
      kind: 'ruleid',
      source: 'case.yml',
    });
  }
  const problems: string[] = [];
  const reported = (f: Finding) => f.state !== 'suppressed' && f.state !== 'waived';
  const matches = (e: Expectation, f: Finding) => f.path === e.path && (e.line === undefined || f.line === e.line);
  const claimed = new Set<Finding>();
  for (const e of expectations) {
    const hits = findings.filter((f) => matches(e, f) && (e.state ? f.state === e.state : reported(f)) && (!e.severity || f.severity === e.severity));
    for (const h of findings.filter((f) => matches(e, f))) claimed.add(h);
    const where = `${e.path}${e.line ? `:${e.line}` : ''} (annotation at ${e.source})`;
    switch (e.kind) {
      case 'ruleid':
        if (hits.length === 0) problems.push(`expected ${ruleId}${e.state ? ` (${e.state})` : ''}${e.severity ? ` (${e.severity})` : ''} at ${where}, got none`);
        break;
      case 'ok':
        if (hits.length > 0) problems.push(`unexpected ${ruleId} at ${where}: ${hits[0]!.message}`);
        break;
      case 'todoruleid':
        if (hits.length > 0) problems.push(`${ruleId} is now reported at ${where}: change todoruleid to ruleid`);
        break;
      case 'todook':
        if (hits.length === 0) problems.push(`${ruleId} is no longer reported at ${where}: change todook to ok`);
        break;
    }
  }
  for (const f of findings) {
    if (claimed.has(f) || !reported(f)) continue;
    problems.push(`unannotated ${ruleId} at ${f.path}:${f.line}: ${f.message}`);
  }
  return { findings, all: evaluation.findings, problems, expectations, errors: evaluation.errors };
}

/** Every fixture case: `{ ruleId, caseName, dir }`. */
export function listCases(root = FIXTURES_ROOT): Array<{ ruleId: string; caseName: string; dir: string }> {
  const out: Array<{ ruleId: string; caseName: string; dir: string }> = [];
  if (!existsSync(root)) return out;
  for (const gate of readdirSync(root).sort()) {
    const gateDir = join(root, gate);
    if (!statSync(gateDir).isDirectory()) continue;
    for (const name of readdirSync(gateDir).sort()) {
      const ruleDir = join(gateDir, name);
      if (!statSync(ruleDir).isDirectory()) continue;
      for (const caseName of readdirSync(ruleDir).sort()) {
        const dir = join(ruleDir, caseName);
        if (statSync(dir).isDirectory()) out.push({ ruleId: `${gate}/${name}`, caseName, dir });
      }
    }
  }
  return out;
}

/** Whether a case expects at least one finding of its rule (annotations or case.yml). */
export function caseExpectsFindings(dir: string, ruleId: string): boolean {
  const head = readTree(join(dir, 'after'));
  if (annotationsFor(head, ruleId).some((e) => e.kind === 'ruleid')) return true;
  const casePath = join(dir, 'case.yml');
  if (!existsSync(casePath)) return false;
  const c = (parseYaml(readFileSync(casePath, 'utf8')) as CaseFile) ?? {};
  return (c.expect ?? []).some((e) => !e.rule || e.rule === ruleId);
}
