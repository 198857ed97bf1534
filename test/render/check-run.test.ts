import { describe, expect, it } from 'vitest';
import type { ReadinessReport } from '../../src/core/report.js';
import type { Finding } from '../../src/core/types.js';
import {
  annotations,
  MAX_ANNOTATIONS,
  batches,
  checkRunPayload,
  escapeData,
  escapeProperty,
  workflowAnnotations,
} from '../../src/render/index.js';
import { emptyReport, hugeReport, mixedReport, readyReport } from './fixtures.js';
import { structureProblems } from './markdown-structure.js';

describe('checkRunPayload', () => {
  it.each([
    ['mixed', mixedReport],
    ['ready', readyReport],
    ['empty', emptyReport],
  ] as const)('matches the snapshot for the %s report', (_name, report) => {
    expect(checkRunPayload(report, { detailsUrl: 'https://github.com/acme/shop/actions/runs/1' })).toMatchSnapshot();
  });

  it('titles and concludes by the verdict', () => {
    const blocked = checkRunPayload(mixedReport);
    expect(blocked.name).toBe('Readiness Gates');
    expect(blocked.title).toBe('Blocked: 3 new blockers · 2 new warnings · score 49');
    expect(blocked.conclusion).toBe('failure');
    const ready = checkRunPayload(readyReport, { name: 'readiness' });
    expect(ready.name).toBe('readiness');
    expect(ready.title).toBe('Ready: no new blockers · 1 new warning · score 97');
    expect(ready.conclusion).toBe('success');
    expect(checkRunPayload(emptyReport).title).toBe('Ready: no new blockers · score 100');
  });

  it('has a summary without the comment marker, and no text when nothing was left out', () => {
    const payload = checkRunPayload(mixedReport);
    expect(payload.summary).not.toContain('<!--');
    expect(payload.summary).toContain('🚫 **Blocked**');
    expect(payload.text).toBeUndefined();
    expect(payload.details_url).toBeUndefined();
  });

  it('keeps the summary and text within 65,535 characters for 5,000 findings', () => {
    const payload = checkRunPayload(hugeReport(5000));
    expect(payload.summary.length).toBeLessThanOrEqual(65_535);
    expect(structureProblems(payload.summary)).toEqual([]);
    expect(payload.summary).toMatch(/… and \d+ more new notices not shown \(see the annotations \/ JSON report\)/);
    expect(payload.text).toBeDefined();
    expect(payload.text!.length).toBeLessThanOrEqual(65_535);
    expect(payload.text).toMatch(/… and \d+ more findings \(see the JSON report\)/);
    // 3,000 annotatable findings (suppressed and waived ones get none): the 100 most severe are annotated,
    // and the text says how many more there are and where.
    expect(payload.annotations).toHaveLength(MAX_ANNOTATIONS);
    expect(payload.annotations.map((a) => a.annotation_level)).toEqual(
      annotations(hugeReport(5000))
        .slice(0, MAX_ANNOTATIONS)
        .map((a) => a.annotation_level),
    );
    expect(payload.text!.startsWith('> [!NOTE]\n> **2900 more findings are not annotated.**')).toBe(true);
    expect(payload.text).toContain('JSON report and the SARIF file');
  });

  it('annotates at most MAX_ANNOTATIONS findings, blockers before warnings and notices, and says how many more', () => {
    const report = hugeReport(400);
    const all = annotations(report);
    const payload = checkRunPayload(report, { maxAnnotations: 10 });
    expect(payload.annotations).toEqual(all.slice(0, 10));
    expect(payload.text).toContain(`**${all.length - 10} more findings are not annotated.**`);
    const levels = all.map((a) => a.annotation_level);
    expect(levels.indexOf('failure')).toBeLessThan(levels.indexOf('warning'));
    expect(checkRunPayload(mixedReport).annotations).toHaveLength(annotations(mixedReport).length);
    expect(checkRunPayload(mixedReport).text).toBeUndefined();
  });

  it('annotates new findings first, most severe first, then existing ones', () => {
    const list = annotations(mixedReport);
    expect(list.map((a) => `${a.annotation_level} ${a.title}`)).toEqual([
      'failure migrations/drop-column',
      'failure migrations/not-null-without-default',
      'failure pii/unredacted-request-log',
      'warning migrations/add-index-non-concurrent',
      'warning metrics/high-cardinality-label',
      'notice metrics/missing-help',
      'failure migrations/rename-column',
      'warning metrics/duplicate-name',
    ]);
    const first = list[0]!;
    expect(first).toEqual({
      path: 'db/migrations/0042_drop_title.sql',
      start_line: 3,
      end_line: 3,
      start_column: 1,
      annotation_level: 'failure',
      message: 'Dropping column "title" breaks instances still reading it.',
      title: 'migrations/drop-column',
      raw_details:
        'Fix: Stop reading "title" in one release (see src/posts.ts), drop it in the next.\n\nFinding id: a1b2c3d4e5',
    });
    // Columns only on single-line annotations (GitHub rejects them on ranges).
    expect(list.every((a) => a.start_column === undefined || a.start_line === a.end_line)).toBe(true);
    expect(list[6]!.message).toMatch(/^Already on the base branch \(does not block\)\. /);
  });

  it('clips an absurd message to what GitHub accepts', () => {
    const report: ReadinessReport = {
      ...readyReport,
      findings: [{ ...readyReport.findings[0]!, message: 'x'.repeat(200_000), ruleId: 'r'.repeat(400) }],
    };
    const [a] = annotations(report);
    expect(a!.message.length).toBeLessThanOrEqual(16_000);
    expect(a!.title!.length).toBeLessThanOrEqual(255);
  });
});

describe('batches', () => {
  it('splits into chunks of 50 by default', () => {
    const items = Array.from({ length: 123 }, (_, i) => i);
    const chunks = batches(items);
    expect(chunks.map((c) => c.length)).toEqual([50, 50, 23]);
    expect(chunks.flat()).toEqual(items);
    expect(batches([])).toEqual([]);
    expect(batches([1, 2, 3], 2)).toEqual([[1, 2], [3]]);
  });

  it('refuses a size that would loop forever', () => {
    expect(() => batches([1], 0)).toThrow(RangeError);
  });
});

describe('workflowAnnotations', () => {
  it('writes one command per new finding with escaped properties and message', () => {
    const lines = workflowAnnotations(mixedReport);
    expect(lines).toMatchSnapshot();
    expect(lines[0]).toBe(
      '::error file=db/migrations/0042_drop_title.sql,line=3,endLine=3,col=1,title=migrations/drop-column::' +
        'Dropping column "title" breaks instances still reading it.%0AFix: Stop reading "title" in one release (see src/posts.ts), drop it in the next.%0AFinding id: a1b2c3d4e5',
    );
    // Notices are left to the check run by default; existing and accepted findings get no command.
    expect(lines.filter((l) => l.startsWith('::notice'))).toHaveLength(0);
    expect(lines.filter((l) => l.startsWith('::error'))).toHaveLength(3);
    expect(lines.filter((l) => l.startsWith('::warning'))).toHaveLength(2);
  });

  it('escapes property delimiters in paths and newlines in messages', () => {
    const finding: Finding = {
      ...mixedReport.findings[0]!,
      path: 'db/a,b:c%d.sql',
      message: 'one\r\ntwo 100%',
      fix: '',
    };
    const [line] = workflowAnnotations({ ...mixedReport, findings: [finding] });
    expect(line).toBe(
      '::error file=db/a%2Cb%3Ac%25d.sql,line=3,endLine=3,col=1,title=migrations/drop-column::one%0D%0Atwo 100%25%0AFinding id: a1b2c3d4e5',
    );
  });

  it('stays within the per-step caps, most severe first, and says how many were left out', () => {
    const report = hugeReport(200);
    const lines = workflowAnnotations(report);
    expect(lines.filter((l) => l.startsWith('::error'))).toHaveLength(10);
    expect(lines.filter((l) => l.startsWith('::warning'))).toHaveLength(10);
    const newFindings = report.findings.filter((f) => f.state === 'new' && f.severity !== 'notice').length;
    const last = lines[lines.length - 1]!;
    expect(last).not.toMatch(/^::/);
    expect(last).toContain(
      `${newFindings + report.findings.filter((f) => f.state === 'new' && f.severity === 'notice').length - 20} more new findings not annotated`,
    );
    const custom = workflowAnnotations(report, { maxErrors: 2, maxWarnings: 1, maxNotices: 3 });
    expect(custom.filter((l) => l.startsWith('::error'))).toHaveLength(2);
    expect(custom.filter((l) => l.startsWith('::warning'))).toHaveLength(1);
    expect(custom.filter((l) => l.startsWith('::notice'))).toHaveLength(3);
  });

  it('has nothing to say for a clean report', () => {
    expect(workflowAnnotations(emptyReport)).toEqual([]);
  });

  it('escapes per the workflow-command rules', () => {
    expect(escapeData('a%b\rc\nd:e,f')).toBe('a%25b%0Dc%0Ad:e,f');
    expect(escapeProperty('a%b\rc\nd:e,f')).toBe('a%25b%0Dc%0Ad%3Ae%2Cf');
  });
});
