import { describe, expect, it } from 'vitest';
import { assignFingerprints, groupCounts, normaliseContext } from '../../src/core/fingerprint.js';
import { formatMessage } from '../../src/core/messages.js';
import { bandScore, overallScore, reachesFailOn, scoreOf, statusOf } from '../../src/core/scoring.js';
import type { Finding } from '../../src/core/types.js';

const finding = (over: Partial<Finding>): Finding => ({
  id: 'x',
  ruleId: 'pii/x',
  gate: 'pii',
  severity: 'blocker',
  state: 'new',
  path: 'a.ts',
  line: 1,
  endLine: 1,
  message: 'm',
  fix: 'f',
  ...over,
});

describe('scoring', () => {
  it('applies the documented formula and floors at 0', () => {
    expect(scoreOf([])).toBe(100);
    expect(scoreOf([{ severity: 'blocker' }, { severity: 'warning' }, { severity: 'notice' }])).toBe(74);
    expect(scoreOf(Array.from({ length: 6 }, () => ({ severity: 'blocker' as const })))).toBe(0);
  });

  it('status follows fail-on', () => {
    const warn = [finding({ severity: 'warning' })];
    expect(statusOf(warn, 'blocker', false)).toBe('warn');
    expect(statusOf(warn, 'warning', false)).toBe('fail');
    expect(statusOf([finding({})], 'never', false)).toBe('warn');
    expect(statusOf([finding({ state: 'existing' })], 'blocker', false)).toBe('pass');
    expect(statusOf([], 'blocker', true)).toBe('skip');
    expect(reachesFailOn('notice', 'warning')).toBe(false);
  });

  it('overall score is the mean of non-skipped gates, at most 49 when one fails', () => {
    expect(
      overallScore([
        { status: 'pass', score: 100 },
        { status: 'warn', score: 61 },
        { status: 'skip', score: 0 },
      ]),
    ).toBe(81);
    expect(
      overallScore([
        { status: 'pass', score: 100 },
        { status: 'fail', score: 40 },
      ]),
    ).toBe(49);
    expect(overallScore([{ status: 'skip', score: 0 }])).toBe(100);
  });

  it('puts a score in its status band, so the number never contradicts the verdict', () => {
    expect(bandScore(80, 'fail')).toBe(49);
    expect(bandScore(20, 'fail')).toBe(20);
    expect(bandScore(0, 'pass')).toBe(50);
    expect(bandScore(10, 'warn')).toBe(50);
    expect(bandScore(95, 'warn')).toBe(95);
    expect(bandScore(0, 'skip')).toBe(0);
    // The worst ready PR outranks the best blocked one.
    const worstReady = overallScore([{ status: 'pass', score: bandScore(0, 'pass') }]);
    const bestBlocked = overallScore([
      { status: 'fail', score: bandScore(80, 'fail') },
      { status: 'pass', score: 100 },
      { status: 'pass', score: 100 },
    ]);
    expect(bestBlocked).toBeLessThan(worstReady);
  });
});

describe('fingerprints', () => {
  it('ignore indentation and line endings but not content', () => {
    expect(normaliseContext('  log.info(x);\r')).toBe('log.info(x);');
    const [a, b, c] = assignFingerprints([
      { ruleId: 'r', path: 'p', context: 'log.info(x);' },
      { ruleId: 'r', path: 'p', context: '\tlog.info(x);  ' },
      { ruleId: 'r', path: 'p', context: 'log.info(y);' },
    ]);
    expect(a).toMatch(/^[0-9a-f]{12}$/);
    expect(b).not.toBe(a); // same context twice → ordinal 1
    expect(c).not.toBe(a);
    const [again] = assignFingerprints([{ ruleId: 'r', path: 'p', context: '    log.info(x);' }]);
    expect(again).toBe(a);
  });

  it('depend on rule, path and key', () => {
    const base = { ruleId: 'r', path: 'p', context: 'x' };
    const [a] = assignFingerprints([base]);
    expect(assignFingerprints([{ ...base, ruleId: 's' }])[0]).not.toBe(a);
    expect(assignFingerprints([{ ...base, path: 'q' }])[0]).not.toBe(a);
    expect(assignFingerprints([{ ...base, key: 'k' }])[0]).not.toBe(a);
  });
  it("with the other side's counts, give the extra occurrences of a group to the touched ones", () => {
    const f = { ruleId: 'r', path: 'p', context: '', key: 'log|token' };
    const base = [f, f];
    const alone = assignFingerprints(base);
    // The head adds an occurrence between the two old ones: it takes the extra ordinal.
    const head = assignFingerprints([f, { ...f, touched: 2 }, f], groupCounts(base));
    expect([head[0], head[2]]).toEqual(alone);
    expect(alone).not.toContain(head[1]);
    // Least touched first, then the order given; without a shortfall the order alone decides.
    const spanOnly = assignFingerprints([{ ...f, touched: 2 }, { ...f, touched: 1 }, f], groupCounts([f]));
    expect(spanOnly[2]).toBe(alone[0]);
    expect(assignFingerprints([{ ...f, touched: 2 }, f], groupCounts(base))).toEqual(alone);
    expect(assignFingerprints([f, { ...f, touched: 2 }], new Map())).toEqual(alone);
  });
});

describe('messages', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(formatMessage('Dropping {{column}} from {{ table }}', { column: 'title', table: 'posts' })).toBe(
      'Dropping title from posts',
    );
    expect(formatMessage('{{missing}} here', {})).toBe('{{missing}} here');
  });
});
