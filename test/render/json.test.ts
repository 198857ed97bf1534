import { describe, expect, it } from 'vitest';
import type { ReadinessReport } from '../../src/core/report.js';
import { renderJson } from '../../src/render/index.js';
import { emptyReport, mixedReport, readyReport } from './fixtures.js';

/** Rebuilds an object with its keys in reverse order, recursively: same data, different construction order. */
function reversed<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversed) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reversed(v)]),
    ) as T;
  }
  return value;
}

describe('renderJson', () => {
  it.each([
    ['mixed', mixedReport],
    ['ready', readyReport],
    ['empty', emptyReport],
  ] as const)('round-trips the %s report without loss', (_name, report) => {
    expect(JSON.parse(renderJson(report))).toEqual(report);
  });

  it('matches the snapshot for the mixed report', async () => {
    await expect(renderJson(mixedReport)).toMatchFileSnapshot('__snapshots__/mixed.report.json');
  });

  it('writes keys in the contract order whatever order the report was built in', () => {
    const json = renderJson(reversed(mixedReport));
    expect(json).toBe(renderJson(mixedReport));
    expect(Object.keys(JSON.parse(json) as object)).toEqual([
      'schemaVersion',
      'tool',
      'base',
      'head',
      'verdict',
      'score',
      'baseScore',
      'gates',
      'findings',
      'errors',
      'stats',
      'resolved',
      'failOn',
      'expired',
      'configPreview',
      'rules',
      'repositoryUrl',
    ]);
    const parsed = JSON.parse(json) as ReadinessReport;
    expect(Object.keys(parsed.findings[0]!)).toEqual([
      'id',
      'ruleId',
      'messageId',
      'gate',
      'severity',
      'state',
      'path',
      'line',
      'endLine',
      'column',
      'message',
      'fix',
      'related',
    ]);
    expect(Object.keys(parsed.gates[0]!.counts)).toEqual([
      'blocker',
      'warning',
      'notice',
      'existing',
      'suppressed',
      'waived',
    ]);
  });

  it('keeps fields it does not know, after the known ones, sorted', () => {
    const extended = { ...emptyReport, zeta: 1, alpha: { b: 1, a: 2 } } as unknown as ReadinessReport;
    const keys = Object.keys(JSON.parse(renderJson(extended)) as object);
    expect(keys.slice(-3)).toEqual(['repositoryUrl', 'alpha', 'zeta']);
  });

  it('is pretty-printed with a trailing newline and leaves out undefined fields', () => {
    const json = renderJson({ ...emptyReport, failOn: undefined });
    expect(json.endsWith('}\n')).toBe(true);
    expect(json).toContain('\n  "schemaVersion": 1,\n');
    expect(json).not.toContain('failOn');
  });
});
