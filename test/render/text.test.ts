import { describe, expect, it } from 'vitest';
import { progressLine, renderText, shouldColor } from '../../src/render/index.js';
import type { ReadinessReport } from '../../src/core/report.js';
import { emptyReport, hugeReport, mixedReport, readyReport } from './fixtures.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/;

describe('renderText', () => {
  it.each([
    ['mixed', mixedReport],
    ['ready', readyReport],
    ['empty', emptyReport],
  ] as const)('renders the %s report without colour', (name, report) => {
    const out = renderText(report, { color: false });
    expect(out).not.toMatch(ANSI);
    expect(out).toMatchSnapshot(name);
  });

  it('colours the mixed report when asked, and only then', () => {
    const coloured = renderText(mixedReport, { color: true });
    expect(coloured).toMatch(ANSI);
    expect(coloured).toMatchSnapshot();
    // Colour is decoration only: stripping it gives the plain rendering back.
    // eslint-disable-next-line no-control-regex
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, '')).toBe(renderText(mixedReport, { color: false }));
  });

  it('puts the verdict first, then new blockers before warnings, notices, debt and accepted findings', () => {
    const out = renderText(mixedReport, { color: false });
    const firstLines = out.split('\n').slice(0, 4).join('\n');
    expect(firstLines).toContain('✖ BLOCKED  3 new blockers · 2 new warnings · score 49 (base 88, -39)');
    const order = [
      'New blockers (3)',
      'New warnings (2)',
      'New notices (1)',
      'Existing debt',
      'Suppressed and waived',
      'Expired exceptions',
      'Files not analysed',
      'Config preview',
    ];
    const positions = order.map((heading) => out.indexOf(heading));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(out).toContain('db/migrations/0042_drop_title.sql:3  migrations/drop-column');
    expect(out).toContain('fix: Stop reading "title"');
  });

  it('says who waived or suppressed what, why and until when', () => {
    const out = renderText(mixedReport, { color: false });
    expect(out).toContain('waived by @alice until 2026-03-31: Export job runs on an isolated');
    expect(out).toContain('suppressed by a comment at db/migrations/0045_drop_tmp.sql:1: scratch table');
    expect(out).toContain('suppressed by a config exception until 2027-03-31');
    expect(out).toContain('suppressed by squawk-ignore at src/jobs/metrics.ts:7');
  });

  it('wraps prose at the requested width', () => {
    const out = renderText(mixedReport, { color: false, width: 60 });
    const prose = out.split('\n').filter((line) => /^ {4}\S/.test(line));
    expect(prose.length).toBeGreaterThan(10);
    // Greedy wrapping: a prose line is only longer than the width when it holds one unbreakable word.
    for (const line of prose) {
      if (line.length > 60) expect(line.trim().split(' ').length, line).toBeLessThanOrEqual(2);
    }
    expect(out).toContain('    Dropping column "title" breaks instances still reading\n    it.');
  });

  it('collapses existing debt to counts and the first few', () => {
    const report = hugeReport(60);
    const out = renderText(report, { color: false, existingShown: 3 });
    const existing = report.findings.filter((f) => f.state === 'existing').length;
    expect(out).toContain(`Existing debt (${existing}, already on main; does not block)`);
    expect(out).toContain(`… and ${existing - 3} more`);
  });

  it('strips terminal control sequences from user-controlled text', () => {
    const evil: ReadinessReport = {
      ...readyReport,
      head: { ref: 'x\x1b[2Jclear', sha: 'abc' },
      findings: [
        { ...readyReport.findings[0]!, path: 'src/\x1b]0;pwned\x07.ts', message: 'boom\x1b[31m red \r\n next' },
      ],
    };
    const out = renderText(evil, { color: false });
    expect(out).not.toContain('\x1b');
    expect(out).not.toContain('\x07');
    expect(out).toContain('boom�[31m red');
  });

  it('says so plainly when there are no findings', () => {
    expect(renderText(emptyReport, { color: false })).toContain('No finding in what the gates examined.');
  });
});

describe('shouldColor', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  it.each([
    [tty, {}, true],
    [pipe, {}, false],
    [tty, { NO_COLOR: '1' }, false],
    [tty, { NO_COLOR: '' }, true],
    [pipe, { FORCE_COLOR: '1' }, true],
    [pipe, { FORCE_COLOR: '' }, false],
    [tty, { FORCE_COLOR: '' }, true],
    [tty, { FORCE_COLOR: '0' }, false],
    [tty, { FORCE_COLOR: 'false' }, false],
    [pipe, { FORCE_COLOR: '1', NO_COLOR: '1' }, false],
    [tty, { TERM: 'dumb' }, false],
    [{}, {}, false],
  ] as const)('stream %o with env %o → %s', (stream, env, expected) => {
    expect(shouldColor(stream, env)).toBe(expected);
  });
});

describe('progressLine', () => {
  it('overwrites itself and shows a bar, counts and percentage', () => {
    expect(progressLine(120, 340, 'src/api/users.ts')).toBe(
      '\r\x1b[2K[███████░░░░░░░░░░░░░] 120/340  35%  src/api/users.ts',
    );
  });

  it('clamps out-of-range counts and handles an empty run', () => {
    expect(progressLine(5, 3, 'x')).toContain('3/3 100%');
    expect(progressLine(-1, 3, 'x')).toContain('0/3   0%');
    expect(progressLine(0, 0, 'done')).toContain('0/0 100%');
  });

  it('shortens a long label from the left to fit the width', () => {
    const line = progressLine(1, 10, `src/${'deep/'.repeat(40)}file.ts`, 80);
    const visible = line.replace('\r\x1b[2K', '');
    expect(visible.length).toBeLessThanOrEqual(80);
    expect(visible).toMatch(/….*file\.ts$/);
  });
});
