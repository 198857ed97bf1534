/**
 * SARIF 2.1.0 for GitHub code scanning (and any other SARIF consumer).
 *
 * One run. Results carry `partialFingerprints` from the finding id (itself a fingerprint that survives line
 * shifts) so code scanning tracks an alert across pushes, `baselineState` from new/existing, and
 * `suppressions` for suppressed and waived findings so they stay visible but closed. GitHub accepts at most
 * 25,000 results per run; past that the least severe are dropped and a notification says so.
 */
import type { Invocation, Location, Log, Notification, ReportingDescriptor, Result, Run, Suppression } from 'sarif';
import type { ReadinessReport, RuleSummary } from '../core/report.js';
import type { Finding, FindingState, Severity } from '../core/types.js';
import { SEVERITY_RANK, byReportOrder, compareStrings, ruleDocsUrl } from './common.js';
import { encodePath } from './escape.js';

/** The published schema of the OASIS SARIF 2.1.0 standard (with errata 01). */
export const SARIF_SCHEMA_URI =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** GitHub code scanning's per-run result limit. */
export const SARIF_MAX_RESULTS = 25_000;

/** The `partialFingerprints` key. The `/v1` names the recipe: change how ids are computed, bump it. */
export const FINGERPRINT_KEY = 'readinessGates/v1';

/** Where the tool's documentation lives, for `tool.driver.informationUri`. Override per deployment. */
export const TOOL_INFORMATION_URI = 'https://github.com/readiness-gates/readiness-gates';

/** The base every location is relative to: the repository root of the checkout. */
const SRCROOT = '%SRCROOT%';

/** Options for {@link renderSarif}. */
export interface SarifOptions {
  /** `tool.driver.informationUri`. Default {@link TOOL_INFORMATION_URI}. */
  informationUri?: string;
  /** Results kept in the run. Default {@link SARIF_MAX_RESULTS} (GitHub's limit). */
  maxResults?: number;
}

type Level = 'error' | 'warning' | 'note' | 'none';

const LEVEL: Record<Severity, Level> = { blocker: 'error', warning: 'warning', notice: 'note' };

/** The SARIF level for a severity; an unknown or `off` severity is `none` (the rule is reported as disabled). */
export function sarifLevel(severity: string): Level {
  return severity in LEVEL ? LEVEL[severity as Severity] : 'none';
}

/** Which results survive the cap: most severe first, and among equals new before existing before accepted. */
const STATE_PRIORITY: Record<FindingState, number> = { new: 0, existing: 1, waived: 2, suppressed: 3 };

/** The SARIF log for a report: one run, schema-valid, at most `maxResults` results. */
export function renderSarif(report: ReadinessReport, options: SarifOptions = {}): Log {
  const maxResults = Math.max(0, Math.floor(options.maxResults ?? SARIF_MAX_RESULTS));
  const findings = [...report.findings].sort(byReportOrder);
  const kept = keepMostSevere(findings, maxResults);
  const omitted = findings.length - kept.length;

  const rules = ruleDescriptors(report, findings);
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));

  const results = kept.map((f) => result(f, ruleIndex.get(f.ruleId)!));

  const executionNotifications: Notification[] = report.errors.map((e) => ({
    level: 'warning',
    message: { text: `Not analysed: ${e.message}` },
    locations: [{ physicalLocation: { artifactLocation: artifact(e.path) } }],
    descriptor: { id: 'readiness-gates/file-skipped' },
  }));
  if (omitted > 0) {
    executionNotifications.push({
      level: 'warning',
      message: {
        text:
          `${omitted} of ${findings.length} results were left out: GitHub code scanning accepts at most ` +
          `${maxResults} results per run, so the least severe were dropped. The JSON report lists every finding.`,
      },
      descriptor: { id: 'readiness-gates/results-truncated' },
    });
  }

  const configurationNotifications: Notification[] = [
    ...(report.expired ?? []).map((e): Notification => ({
      level: 'note',
      message: {
        text: `The ${e.kind} for ${e.rule}${e.path ? ` on ${e.path}` : ''} expired ${e.until}; the findings it covered count again. Reason it was granted: ${e.reason}`,
      },
      descriptor: { id: `readiness-gates/expired-${e.kind}` },
    })),
    ...(report.configPreview?.errors ?? []).map((text): Notification => ({
      level: 'warning',
      message: { text: `The config in this PR has an error (it will be enforced after merge): ${text}` },
      descriptor: { id: 'readiness-gates/config-preview-error' },
    })),
  ];

  const invocation: Invocation = { executionSuccessful: true };
  if (executionNotifications.length > 0) invocation.toolExecutionNotifications = executionNotifications;
  if (configurationNotifications.length > 0) invocation.toolConfigurationNotifications = configurationNotifications;

  const run: Run = {
    tool: {
      driver: {
        name: report.tool.name,
        fullName: 'Readiness Gates',
        version: report.tool.version,
        ...(/^\d+\.\d+\.\d+/.test(report.tool.version) ? { semanticVersion: report.tool.version } : {}),
        informationUri: options.informationUri ?? TOOL_INFORMATION_URI,
        rules,
      },
    },
    invocations: [invocation],
    results,
    properties: {
      verdict: report.verdict,
      score: report.score,
      baseScore: report.baseScore,
      base: { ref: report.base.ref, sha: report.base.sha },
      head: { ref: report.head.ref, sha: report.head.sha },
      ...(omitted > 0 ? { omittedResults: omitted } : {}),
    },
  };
  if (report.repositoryUrl) {
    run.versionControlProvenance = [
      {
        repositoryUri: report.repositoryUrl,
        revisionId: report.head.sha,
        branch: report.head.ref,
        mappedTo: { uriBaseId: SRCROOT },
      },
    ];
  }

  return { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [run] };
}

/** {@link renderSarif} serialised: two-space indented with a trailing newline. */
export function renderSarifString(report: ReadinessReport, options: SarifOptions = {}): string {
  return `${JSON.stringify(renderSarif(report, options), null, 2)}\n`;
}

/** The `max` most important findings, in their original order. */
function keepMostSevere(findings: Finding[], max: number): Finding[] {
  if (findings.length <= max) return findings;
  const ranked = findings
    .map((f, index) => ({ f, index }))
    .sort(
      (a, b) =>
        SEVERITY_RANK[b.f.severity] - SEVERITY_RANK[a.f.severity] ||
        STATE_PRIORITY[a.f.state] - STATE_PRIORITY[b.f.state] ||
        a.index - b.index,
    );
  const keep = new Set(ranked.slice(0, max).map((r) => r.index));
  return findings.filter((_, i) => keep.has(i));
}

/** Rule descriptors for every rule the report knows, plus any rule a finding names that the report does not. */
function ruleDescriptors(report: ReadinessReport, findings: readonly Finding[]): ReportingDescriptor[] {
  const byId = new Map<string, RuleSummary>();
  for (const r of report.rules ?? []) byId.set(r.id, r);
  for (const f of findings) {
    if (!byId.has(f.ruleId))
      byId.set(f.ruleId, { id: f.ruleId, gate: f.gate, severity: f.severity, description: f.ruleId });
  }
  return [...byId.values()].sort((a, b) => compareStrings(a.id, b.id)).map(descriptor);
}

function descriptor(rule: RuleSummary): ReportingDescriptor {
  const level = sarifLevel(rule.severity);
  const docs = rule.docs?.trim();
  const helpUri = ruleDocsUrl(rule.id);
  return {
    id: rule.id,
    ...(helpUri ? { helpUri } : {}),
    shortDescription: { text: rule.description },
    fullDescription: { text: (docs && firstParagraph(docs)) || rule.description },
    help: docs ? { text: docs, markdown: docs } : { text: rule.description },
    defaultConfiguration: level === 'none' ? { enabled: false, level: 'none' } : { level },
    properties: { tags: [rule.gate], gate: rule.gate, severity: rule.severity },
  };
}

/** The first prose paragraph of a rule's markdown docs (headings skipped), as plain text. */
function firstParagraph(markdown: string): string | undefined {
  for (const block of markdown.split(/\r?\n\s*\r?\n/)) {
    const text = block.trim();
    if (text === '' || text.startsWith('#') || text.startsWith('```') || text.startsWith('|')) continue;
    return text.replace(/\s*\r?\n\s*/g, ' ');
  }
  return undefined;
}

function result(f: Finding, ruleIndex: number): Result {
  const out: Result = {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVEL[f.severity],
    kind: 'fail',
    message: { text: f.fix ? `${f.message}\nFix: ${f.fix}` : f.message },
    locations: [
      { physicalLocation: { artifactLocation: artifact(f.path), region: region(f.line, f.endLine, f.column) } },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: f.id },
    properties: {
      gate: f.gate,
      severity: f.severity,
      state: f.state,
      findingId: f.id,
      ...(f.messageId ? { messageId: f.messageId } : {}),
    },
  };
  if (f.related && f.related.length > 0) {
    out.relatedLocations = f.related.map((r, i): Location => ({
      id: i + 1,
      physicalLocation: { artifactLocation: artifact(r.path), region: region(r.line, r.line) },
      message: { text: r.message },
    }));
  }
  if (f.state === 'new') out.baselineState = 'new';
  else if (f.state === 'existing') out.baselineState = 'unchanged';
  // Suppressed and waived findings have lost whether they were new or existing, so no baselineState.
  if (f.state === 'suppressed' || f.state === 'waived') out.suppressions = [suppression(f)];
  return out;
}

function suppression(f: Finding): Suppression {
  const s = f.suppression;
  // Comments and native markers live in the source; waivers (PR comments) and config exceptions do not.
  const kind: Suppression['kind'] = !s || s.kind === 'waiver' || s.kind === 'exception' ? 'external' : 'inSource';
  const who = s?.by ? ` by ${s.by}` : '';
  const until = s?.until ? ` until ${s.until}` : '';
  const out: Suppression = {
    kind,
    status: 'accepted',
    justification: `${s?.reason ?? 'no reason recorded'} (${s?.kind ?? f.state}${who}${until})`,
  };
  if (s) {
    out.properties = {
      mechanism: s.kind,
      ...(s.by ? { by: s.by } : {}),
      ...(s.until ? { until: s.until } : {}),
      ...(s.marker ? { marker: s.marker } : {}),
    };
  }
  return out;
}

/** A repository-relative location: percent-encoded (a SARIF uri is a URI reference), rooted at %SRCROOT%. */
function artifact(path: string): { uri: string; uriBaseId: string } {
  return { uri: encodePath(path.replace(/^\/+/, '')), uriBaseId: SRCROOT };
}

/** SARIF lines and columns are 1-based; a repo-level finding with line 0 points at the file's first line. */
function region(
  line: number,
  endLine?: number,
  column?: number,
): { startLine: number; endLine: number; startColumn?: number } {
  const startLine = Math.max(1, Math.floor(line) || 1);
  const end = Math.max(startLine, Math.floor(endLine ?? startLine) || startLine);
  return column !== undefined && column >= 1
    ? { startLine, endLine: end, startColumn: Math.floor(column) }
    : { startLine, endLine: end };
}
