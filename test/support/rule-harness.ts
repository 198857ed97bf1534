/**
 * The annotated mini-PR harness (semgrep-rules / squawk style).
 *
 * A case is `test/fixtures/rules/<gate>/<name>/<case>/` with `before/` (the base tree) and `after/` (the
 * head tree). In `after/` files a comment `ruleid: <rule-id>` says the next code line must be reported by
 * that rule, `ok: <rule-id>` that it must not; `todoruleid` records a known miss (must NOT be reported
 * yet) and `todook` a known false positive (must be reported yet). Any finding of the rule on an
 * unannotated line fails. `case.yml` holds what annotations cannot say: `config` (a readiness.yml as
 * YAML), `expect` (findings on files without comments, e.g. removed or JSON files), `waivers`, `now`,
 * `errors` (analysis errors the case expects), `state` (the state every `ruleid` must have).
 *
 * An annotation may pin the message variant and the severity: `ruleid: <rule-id>#<messageId>@<severity>`,
 * either part optional (`ruleid: pii/whole-object-logged#credential`, `ruleid: metrics/x@warning`). In
 * `case.yml`, `expect` entries take `messageId` and `severity` the same way.
 *
 * A last `@<state>` (new, existing, suppressed, waived) pins the state of that one line and wins over
 * `case.yml`'s `state`: `ruleid: pii/x@new` on the line the PR added, `ruleid: pii/x@existing` on an old
 * one (`ruleid: pii/x@blocker@new` with a severity). `ok: pii/x@new` only rules out a new finding there.
 *
 * A case fails on any entry of `evaluation.errors` (a file that could not be analysed, a rule or index
 * that threw) unless `case.yml` declares it under `errors: [{ path, message }]`, where `message` is a
 * substring of the error; a declared error that no longer happens fails too.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { parseConfig } from '../../src/config/loader.js';
import { evaluate, type Waiver } from '../../src/core/engine.js';
import { placeholders } from '../../src/core/messages.js';
import type { Finding, FindingInput, Gate, Rule, RuleContext, RuleMeta } from '../../src/core/types.js';
import { GATES } from '../../src/gates/index.js';
import { memoryChangeSet } from '../../src/source/memory.js';

export const FIXTURES_ROOT = join(import.meta.dirname, '..', 'fixtures', 'rules');

export interface Expectation {
  path: string;
  /** Undefined: anywhere in the file. */
  line?: number;
  state?: Finding['state'];
  /** The message variant the finding must carry (`#messageId`). */
  messageId?: string;
  /** The severity the finding must have (`@severity`). */
  severity?: Finding['severity'];
  kind: 'ruleid' | 'ok' | 'todoruleid' | 'todook';
  source: string;
}

/** An analysis error a case expects: `message` is a substring of the engine's error message. */
export interface DeclaredError {
  path?: string;
  message: string;
}

export interface CaseFile {
  config?: unknown;
  expect?: Array<{
    path: string;
    line?: number;
    state?: Finding['state'];
    rule?: string;
    messageId?: string;
    severity?: Finding['severity'];
  }>;
  errors?: DeclaredError[];
  /**
   * The state every `ruleid` annotation of the case must have (e.g. `existing` for a case whose base
   * already has the finding); an `expect` entry's own `state` wins.
   */
  state?: Finding['state'];
  waivers?: Waiver[];
  now?: string;
  description?: string;
  /**
   * The repository's releases: `refs` (tag / release-branch names; empty = none) and `released`, the tree
   * the newest release shipped: `before` (the base is released) or the name of a sibling folder of the
   * case (e.g. `release`). Without it the source knows no releases.
   */
  releases?: { refs: string[]; released?: string };
  /**
   * Why the change set is not every file the PR changes, as the GitHub source says when GitHub's listing
   * stops at 3,000 files (`ChangeSet.unlisted`).
   */
  unlisted?: string;
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
      else if (entry.isFile() && entry.name !== '.gitkeep')
        out[relative(dir, full).split(sep).join('/')] = readFileSync(full);
    }
  };
  walk(dir);
  return out;
}

/** One target: `<rule-id>[#<messageId>][@<severity>]`. */
const TARGET = String.raw`[a-z0-9-]+(?:\/[a-z0-9-]+)?(?:#[A-Za-z0-9_]+)?(?:@(?:blocker|warning|notice))?(?:@(?:new|existing|suppressed|waived))?`;
const ANNOTATION = new RegExp(String.raw`\b(todoruleid|todook|ruleid|ok):\s*(${TARGET}(?:\s*,\s*${TARGET})*)`, 'g');
const TARGET_PARTS =
  /^([a-z0-9-]+(?:\/[a-z0-9-]+)?)(?:#([A-Za-z0-9_]+))?(?:@(blocker|warning|notice))?(?:@(new|existing|suppressed|waived))?$/;

function isAnnotationOnly(line: string): boolean {
  const stripped = line
    .replace(ANNOTATION, '')
    .replace(/^\s*(?:\/\/+|#+|--+|\/\*+|\*+|<!--)\s*/, '')
    .replace(/\s*(?:\*\/|-->)\s*$/, '');
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
        const targets = m[2]!.split(/\s*,\s*/).map((t) => TARGET_PARTS.exec(t)!);
        const mine = targets.find((t) => t[1] === ruleId);
        if (!mine) continue;
        const [, , messageId, severity, state] = mine;
        // The annotated line: the same line when the annotation trails code, else the next line that is
        // not itself only annotations.
        let target = i + 1;
        if (isAnnotationOnly(line)) {
          target = i + 2;
          while (target <= lines.length && isAnnotationOnly(lines[target - 1]!)) target++;
        }
        out.push({
          path,
          line: target,
          kind: m[1] as Expectation['kind'],
          ...(messageId ? { messageId } : {}),
          ...(severity ? { severity: severity as Finding['severity'] } : {}),
          ...(state ? { state: state as Finding['state'] } : {}),
          source: `${path}:${i + 1}`,
        });
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
  const caseFile: CaseFile = existsSync(casePath)
    ? ((parseYaml(readFileSync(casePath, 'utf8')) as CaseFile) ?? {})
    : {};
  const gateId = ruleId.split('/')[0];
  // Core rules judge markers for every gate, so their cases run with all gates.
  const reports: FindingInput[] = [];
  const selected = (gateId === 'core' ? gates : gates.filter((g) => g.id === gateId || g.id === 'core')).map((g) =>
    g.id === gateId ? recordingReports(g, ruleId, reports) : g,
  );
  const config = parseConfig(caseFile.config ? stringifyYaml(caseFile.config) : '', `${casePath}#config`, gates);
  const releases = caseFile.releases
    ? {
        refs: caseFile.releases.refs,
        ...(caseFile.releases.released ? { released: readTree(join(caseDir, caseFile.releases.released)) } : {}),
      }
    : undefined;
  const changeSet = {
    ...memoryChangeSet({ base, head, ...(releases ? { releases } : {}) }),
    ...(caseFile.unlisted ? { unlisted: caseFile.unlisted } : {}),
  };
  const evaluation = await evaluate({
    changeSet,
    config,
    gates: selected,
    ...(caseFile.waivers ? { waivers: caseFile.waivers } : {}),
    now: caseFile.now ? new Date(caseFile.now) : new Date('2026-06-01T00:00:00Z'),
  });
  const findings = evaluation.findings.filter((f) => f.ruleId === ruleId);
  const expectations = annotationsFor(head, ruleId).map((e) =>
    caseFile.state && e.kind === 'ruleid' && !e.state ? { ...e, state: caseFile.state } : e,
  );
  for (const e of caseFile.expect ?? []) {
    if (e.rule && e.rule !== ruleId) continue;
    expectations.push({
      path: e.path,
      ...(e.line !== undefined ? { line: e.line } : {}),
      ...(e.state ? { state: e.state } : caseFile.state ? { state: caseFile.state } : {}),
      ...(e.messageId ? { messageId: e.messageId } : {}),
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
    const hits = findings.filter(
      (f) =>
        matches(e, f) && (e.state ? f.state === e.state : reported(f)) && (!e.severity || f.severity === e.severity),
    );
    for (const h of findings.filter((f) => matches(e, f))) claimed.add(h);
    const where = `${e.path}${e.line ? `:${e.line}` : ''} (annotation at ${e.source})`;
    const variant = `${e.messageId ? `#${e.messageId}` : ''}${e.severity ? `@${e.severity}` : ''}`;
    switch (e.kind) {
      case 'ruleid':
        if (hits.length === 0) {
          const there = findings.filter((f) => matches(e, f)).map((f) => f.state);
          problems.push(
            `expected ${ruleId}${e.state ? ` (${e.state})` : ''} at ${where}, got ${there.length ? there.join(', ') : 'none'}`,
          );
        } else if (variant && !hits.some((f) => variantMatches(e, f))) {
          const got = hits.map((f) => `#${f.messageId}@${f.severity}`).join(', ');
          problems.push(`expected ${ruleId}${variant} at ${where}, got ${got}`);
        }
        break;
      case 'ok':
        // `ok: <rule>#<messageId>` only rules out that variant.
        if (hits.some((f) => variantMatches(e, f)))
          problems.push(`unexpected ${ruleId} at ${where}: ${hits[0]!.message}`);
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
  problems.push(...errorProblems(evaluation.errors, caseFile.errors ?? []));
  const rule = selected.flatMap((g) => g.rules).find((r) => r.meta.id === ruleId);
  if (rule) problems.push(...templateProblems(rule.meta, reports));
  return { findings, all: evaluation.findings, problems, expectations, errors: evaluation.errors };
}

/** The gate with `ruleId`'s reports also copied to `into`, so the harness sees each messageId with its data. */
function recordingReports(gate: Gate, ruleId: string, into: FindingInput[]): Gate {
  const wrap = (ctx: RuleContext): RuleContext => ({
    ...ctx,
    report: (input: FindingInput) => {
      into.push(input);
      ctx.report(input);
    },
  });
  const rules = gate.rules.map((rule): Rule => {
    if (rule.meta.id !== ruleId) return rule;
    if (rule.scope === 'file') return { ...rule, check: (file, change, ctx) => rule.check(file, change, wrap(ctx)) };
    if (rule.scope === 'repo') return { ...rule, check: (ctx: RuleContext) => rule.check(wrap(ctx)) };
    return rule;
  });
  return { ...gate, rules };
}

/**
 * Each report against its templates: every placeholder of the message and fix gets a value. (Extra values
 * are fine: rules share one data object between variants.)
 */
export function templateProblems(meta: RuleMeta, reports: readonly FindingInput[]): string[] {
  const problems = new Set<string>();
  for (const r of reports) {
    const message = meta.messages[r.messageId] ?? '';
    const fix = meta.fixes[r.messageId] ?? meta.fixes.default ?? '';
    const used = new Set([...placeholders(message), ...placeholders(fix)]);
    const given = Object.keys(r.data ?? {});
    for (const p of used) if (!given.includes(p)) problems.add(`${meta.id}#${r.messageId}: no value for {{${p}}}`);
  }
  return [...problems];
}

function variantMatches(e: Expectation, f: Finding): boolean {
  return (!e.messageId || f.messageId === e.messageId) && (!e.severity || f.severity === e.severity);
}

/**
 * Every analysis error must be declared in case.yml, and every declared one must happen: a rule that
 * throws would otherwise pass its clean cases (it reports nothing) without anyone noticing.
 */
export function errorProblems(
  errors: readonly { path: string; message: string }[],
  declared: readonly DeclaredError[],
): string[] {
  const problems: string[] = [];
  const matches = (d: DeclaredError, e: { path: string; message: string }) =>
    (d.path === undefined || d.path === e.path) && e.message.includes(d.message);
  for (const e of errors) {
    if (!declared.some((d) => matches(d, e))) {
      problems.push(
        `analysis error${e.path ? ` in ${e.path}` : ''}: ${e.message} (declare it under errors: in case.yml if the case expects it)`,
      );
    }
  }
  for (const d of declared) {
    if (!errors.some((e) => matches(d, e)))
      problems.push(`declared error did not happen: ${d.path ?? '*'}: ${d.message}`);
  }
  return problems;
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
