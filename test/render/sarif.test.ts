import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
// The SARIF 2.1.0 schema is written in JSON Schema draft-04, which Ajv 8 supports through this class.
import Ajv04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import type { Log, Result } from 'sarif';
import { describe, expect, it } from 'vitest';
import type { ReadinessReport } from '../../src/core/report.js';
import { FINGERPRINT_KEY, renderSarif, renderSarifString, SARIF_MAX_RESULTS } from '../../src/render/index.js';
import { emptyReport, hugeReport, mixedReport, readyReport } from './fixtures.js';

/** The SARIF 2.1.0 schema as published, shipped by @microsoft/jest-sarif (a dev dependency for this only). */
const require = createRequire(import.meta.url);

// Both packages are CommonJS (`module.exports = fn`, plus `exports.default = fn`); under NodeNext TypeScript
// types a default import as the module object, so use its `default`, which exists at runtime as well.
const Ajv04 = Ajv04Module.default;
const addFormats = addFormatsModule.default;
const schema = JSON.parse(
  readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
) as Record<string, unknown>;

// `unicodeRegExp: false`: the schema's `language` pattern ("…{2}]?$") has a stray bracket that is only
// legal in a non-unicode regular expression, as JSON Schema validators of its time compiled it.
const ajv = new Ajv04({ allErrors: true, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

function expectValid(log: Log): void {
  const ok = validate(log);
  expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 5), null, 2)).toEqual([]);
  expect(ok).toBe(true);
  // The OASIS errata 01 schema also requires a region to have a start; the packaged rtm.5 schema does not check it.
  for (const r of log.runs[0]!.results ?? []) {
    for (const l of [...(r.locations ?? []), ...(r.relatedLocations ?? [])]) {
      expect(l.physicalLocation!.region!.startLine).toBeGreaterThanOrEqual(1);
    }
  }
}

function results(log: Log): Result[] {
  return log.runs[0]!.results ?? [];
}

describe('renderSarif', () => {
  it('is rejected by the schema when broken (the validator really validates)', () => {
    const log = renderSarif(mixedReport) as unknown as { runs: Array<{ results: Array<Record<string, unknown>> }> };
    log.runs[0]!.results[0]!.level = 'fatal';
    expect(validate(log)).toBe(false);
    expect(validate({ version: '2.1.0' })).toBe(false);
  });

  it.each([
    ['mixed', mixedReport],
    ['ready', readyReport],
    ['empty', emptyReport],
  ] as const)('produces a schema-valid log for the %s report', (_name, report) => {
    const log = renderSarif(report);
    expectValid(log);
    expectValid(JSON.parse(renderSarifString(report)) as Log);
    expect(log.runs).toHaveLength(1);
  });

  it('matches the snapshot for the mixed report', async () => {
    await expect(renderSarifString(mixedReport)).toMatchFileSnapshot('__snapshots__/mixed.sarif.json');
  });

  it('describes the tool and every rule, with help from the rule docs', () => {
    const driver = renderSarif(mixedReport).runs[0]!.tool.driver;
    expect(driver.name).toBe('readiness-gates');
    expect(driver.version).toBe('0.1.0');
    expect(driver.informationUri).toMatch(/^https:\/\//);
    expect(driver.rules!.map((r) => r.id)).toEqual([...mixedReport.rules!.map((r) => r.id)].sort());
    const drop = driver.rules!.find((r) => r.id === 'migrations/drop-column')!;
    expect(drop.shortDescription!.text).toBe('Dropping a column still in use.');
    expect(drop.fullDescription!.text).toMatch(/^Dropping a column breaks every running instance/);
    expect(drop.help!.markdown).toContain('ALTER TABLE posts DROP COLUMN title;');
    expect(drop.help!.text).toContain('Stop reading the column in one release');
    expect(drop.defaultConfiguration).toEqual({ level: 'error' });
    expect(drop.helpUri).toBe(
      'https://github.com/readiness-gates/readiness-gates/blob/v1/src/gates/migrations/rules/drop-column.md',
    );
    expect(drop.properties!.tags).toEqual(['migrations']);
    const help = driver.rules!.find((r) => r.id === 'metrics/missing-help')!;
    expect(help.defaultConfiguration).toEqual({ level: 'note' });
  });

  it('maps findings to results: level, location, fingerprint, baseline state, suppressions', () => {
    const log = renderSarif(mixedReport);
    const rules = log.runs[0]!.tool.driver.rules!;
    const byId = new Map(results(log).map((r) => [r.partialFingerprints![FINGERPRINT_KEY], r]));
    expect(byId.size).toBe(mixedReport.findings.length);

    for (const r of results(log)) expect(rules[r.ruleIndex!]!.id).toBe(r.ruleId);

    const drop = byId.get('a1b2c3d4e5')!;
    expect(drop.level).toBe('error');
    expect(drop.baselineState).toBe('new');
    expect(drop.locations![0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'db/migrations/0042_drop_title.sql', uriBaseId: '%SRCROOT%' },
      region: { startLine: 3, endLine: 3, startColumn: 1 },
    });
    expect(drop.relatedLocations).toHaveLength(2);
    expect(drop.relatedLocations![0]!.message!.text).toBe('still selects "title"');
    expect(drop.message.text).toContain('Fix: Stop reading');

    expect(byId.get('3c3c3c3c3c')!.level).toBe('warning');
    expect(byId.get('5e5e5e5e5e')!.level).toBe('note');
    expect(byId.get('6f6f6f6f6f')!.baselineState).toBe('unchanged');

    // A path with characters that are not allowed in a URI is percent-encoded.
    expect(byId.get('b0a7c9e311')!.locations![0]!.physicalLocation!.artifactLocation!.uri).toBe(
      'db/migrations/0043_weird%7Cname%20%3Cx%3E%60tick%60.sql',
    );

    expect(byId.get('8b8b8b8b8b')!.suppressions).toEqual([
      expect.objectContaining({
        kind: 'external',
        status: 'accepted',
        justification: expect.stringContaining('isolated host'),
      }),
    ]);
    expect(byId.get('8b8b8b8b8b')!.suppressions![0]!.justification).toContain('by alice until 2026-03-31');
    expect(byId.get('9c9c9c9c9c')!.suppressions![0]!.kind).toBe('inSource');
    expect(byId.get('adadadadad')!.suppressions![0]!.kind).toBe('external');
    expect(byId.get('bebebebebe')!.suppressions![0]!.kind).toBe('inSource');
    expect(byId.get('a1b2c3d4e5')!.suppressions).toBeUndefined();
    // The message variant travels in the result's property bag (the log stays schema-valid, above).
    expect(byId.get('a1b2c3d4e5')!.properties).toMatchObject({ messageId: 'dropColumn' });
    expect(byId.get('3c3c3c3c3c')!.properties!.messageId).toBeUndefined();
  });

  it('reports skipped files, expired entries and config errors as notifications', () => {
    const invocation = renderSarif(mixedReport).runs[0]!.invocations![0]!;
    expect(invocation.executionSuccessful).toBe(true);
    expect(
      invocation.toolExecutionNotifications!.map((n) => n.locations![0]!.physicalLocation!.artifactLocation!.uri),
    ).toEqual(['db/migrations/0040_big.sql', 'assets/logo.png']);
    expect(invocation.toolConfigurationNotifications!.map((n) => n.descriptor!.id)).toEqual([
      'readiness-gates/expired-exception',
      'readiness-gates/expired-waiver',
      'readiness-gates/config-preview-error',
    ]);
  });

  it('adds a descriptor for a rule the report does not list', () => {
    const report: ReadinessReport = { ...readyReport, rules: [] };
    const log = renderSarif(report);
    expectValid(log);
    expect(log.runs[0]!.tool.driver.rules!.map((r) => r.id)).toEqual([
      'health/liveness-checks-dependencies',
      'metrics/missing-help',
      'migrations/add-index-non-concurrent',
    ]);
  });

  it('keeps at most maxResults, dropping the least severe, and says so', () => {
    const report = hugeReport(600);
    const log = renderSarif(report, { maxResults: 250 });
    expectValid(log);
    const kept = results(log);
    expect(kept).toHaveLength(250);
    // 200 blockers exist; all are kept, and the rest are warnings (no notice survives before every warning).
    expect(kept.filter((r) => r.level === 'error')).toHaveLength(200);
    expect(kept.filter((r) => r.level === 'note')).toHaveLength(0);
    // Among warnings, new ones are kept before existing and accepted ones.
    const warnings = kept.filter((r) => r.level === 'warning');
    expect(warnings.every((r) => r.baselineState === 'new')).toBe(true);
    const note = log.runs[0]!.invocations![0]!.toolExecutionNotifications!.find(
      (n) => n.descriptor?.id === 'readiness-gates/results-truncated',
    );
    expect(note!.message.text).toContain('350 of 600 results were left out');
  });

  it(`respects GitHub's ${SARIF_MAX_RESULTS} results per run by default`, () => {
    const log = renderSarif(hugeReport(SARIF_MAX_RESULTS + 10));
    expect(results(log)).toHaveLength(SARIF_MAX_RESULTS);
    expect(log.runs[0]!.properties!.omittedResults).toBe(10);
  });

  it('keeps line numbers 1-based and ranges ordered', () => {
    const report: ReadinessReport = {
      ...readyReport,
      findings: [{ ...readyReport.findings[0]!, line: 0, endLine: 0 }],
    };
    const log = renderSarif(report);
    expectValid(log);
    expect(results(log)[0]!.locations![0]!.physicalLocation!.region).toEqual({
      startLine: 1,
      endLine: 1,
      startColumn: 1,
    });
  });
});

describe('rule documentation links', () => {
  it('point at a docs file that exists for every registered rule', async () => {
    const { GATES } = await import('../../src/gates/index.js');
    const { existsSync } = await import('node:fs');
    const { ruleDocsUrl, RULE_DOCS_BASE } = await import('../../src/render/common.js');
    for (const gate of GATES) {
      for (const rule of gate.rules) {
        const url = ruleDocsUrl(rule.meta.id);
        expect(url, rule.meta.id).toBeDefined();
        expect(existsSync(`src/gates/${url!.slice(RULE_DOCS_BASE.length + 1)}`), url).toBe(true);
      }
    }
  });
});
