/** The Action's own outputs: the job summary's byte budget, annotation slots and paths, and the report file. */
import { describe, expect, it } from 'vitest';
import {
  annotationLines,
  reportJson,
  runDetails,
  summaryMarkdown,
  SUMMARY_MAX_BYTES,
} from '../../src/action/outputs.js';
import { parsePublishedReport } from '../../src/action/published-report.js';
import { hugeReport, mixedReport } from '../render/fixtures.js';

describe('summaryMarkdown', () => {
  it('stays within 1 MiB in bytes even when the characters are multi-byte', () => {
    const report = hugeReport(6000, { messageLength: 400 });
    // Three-byte characters: a character budget alone would let the summary reach ~3 MiB.
    for (const f of report.findings) f.message = '漢'.repeat(400);
    const details = runDetails({
      notes: [{ what: 'Check run', outcome: 'failure' }],
      problems: [],
      facts: ['Event: `pull_request`'],
    });
    const md = summaryMarkdown(report, details);
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
    expect(Buffer.byteLength(md)).toBeGreaterThan(SUMMARY_MAX_BYTES / 2);
    expect(md).toContain('not shown');
    expect(md.endsWith(`\n${details}`)).toBe(true);
  });

  it('puts problems first in the run details, each in a code block', () => {
    const details = runDetails({
      notes: [],
      problems: ['GitHub answered 500 while creating the check run\n```oops```'],
      facts: [],
    });
    expect(details).toContain('### ⚠️ Problems publishing the result');
    expect(details).toContain("GitHub answered 500 while creating the check run\n'''oops'''");
  });
});

describe('annotationLines', () => {
  it('leaves a warning slot for the Action’s own warning and prefixes paths with the checkout directory', () => {
    const report = hugeReport(200);
    const plain = annotationLines(report).filter((l) => l.startsWith('::warning'));
    const reserved = annotationLines(report, { reservedWarnings: 1 }).filter((l) => l.startsWith('::warning'));
    expect(plain).toHaveLength(10);
    expect(reserved).toHaveLength(9);
    const prefixed = annotationLines(mixedReport, { pathPrefix: 'services/api' }).filter((l) => l.startsWith('::'));
    expect(prefixed.length).toBeGreaterThan(0);
    for (const l of prefixed) expect(l).toMatch(/ file=services\/api\//);
  });
});

describe('the JSON report file', () => {
  it('carries the run context for mode: publish, and reads back', () => {
    const text = reportJson(mixedReport, {
      event: 'pull_request',
      repository: 'acme/shop',
      pullRequest: 7,
      runId: '1',
    });
    const back = parsePublishedReport(text, 'report.json');
    expect(back.github).toEqual({ event: 'pull_request', repository: 'acme/shop', pullRequest: 7, runId: '1' });
    expect(back.findings).toHaveLength(mixedReport.findings.length);
  });
});
