import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReadinessReport } from '../../src/core/report.js';
import type { Finding } from '../../src/core/types.js';
import { MARKER, mdCode, mdText, renderMarkdown, renderMarkdownDetailed, renderText } from '../../src/render/index.js';
import { emptyReport, hugeReport, mixedReport, readyReport } from './fixtures.js';
import { structureProblems, tableCells } from './markdown-structure.js';

describe('renderMarkdown', () => {
  it.each([
    ['mixed', mixedReport],
    ['ready', readyReport],
    ['empty', emptyReport],
  ] as const)('renders the %s report', async (name, report) => {
    const md = renderMarkdown(report);
    expect(structureProblems(md)).toEqual([]);
    await expect(md).toMatchFileSnapshot(`__snapshots__/${name}.md`);
  });

  it('starts with the hidden marker, then the verdict line', () => {
    const md = renderMarkdown(mixedReport);
    const lines = md.split('\n');
    expect(lines[0]).toBe(MARKER);
    expect(MARKER).toBe('<!-- readiness-gates:scorecard -->');
    expect(md).toContain('🚫 **Blocked** — 3 new blockers · 2 new warnings · score 49 (base 88)');
    expect(renderMarkdown(readyReport)).toContain(
      '✅ **Ready** — no new blockers · 1 new warning · score 97 (base 93)',
    );
  });

  it('honours a custom marker and can leave it out', () => {
    expect(renderMarkdown(mixedReport, { marker: '<!-- readiness-gates:other -->' }).split('\n')[0]).toBe(
      '<!-- readiness-gates:other -->',
    );
    expect(renderMarkdown(mixedReport, { includeMarker: false })).not.toContain('<!--');
  });

  it('has the gate table with base → head scores and counts', () => {
    const md = renderMarkdown(mixedReport);
    expect(md).toContain('| Gate | Status | Score (base → head) | New blockers | Warnings | Existing |');
    expect(md).toContain('| Migrations | ❌ fail | 90 → 40 | **2** | 1 | 1 |');
    expect(md).toContain('| PII redaction | ❌ fail | 95 → 45 | **1** | 0 | 0 |');
  });

  it('links locations to the head commit, with line ranges, and gives the id and the waive command', () => {
    const md = renderMarkdown(mixedReport);
    const blob = `https://github.com/acme/shop/blob/${mixedReport.head.sha}`;
    expect(md).toContain(`[\`db/migrations/0042_drop_title.sql:3\`](${blob}/db/migrations/0042_drop_title.sql#L3)`);
    expect(md).toContain(`(${blob}/src/api/users.ts#L88-L90)`);
    expect(md).toContain('`/readiness waive a1b2c3d4e5 <reason>`');
  });

  it('uses linkBase when given, and plain code without any repository URL', () => {
    const withBase = renderMarkdown(mixedReport, {
      linkBase: (path, line) => `https://example.test/${path}?l=${line}`,
    });
    expect(withBase).toContain('(https://example.test/src/api/users.ts?l=88)');
    const noRepo = { ...mixedReport };
    delete noRepo.repositoryUrl;
    const plain = renderMarkdown(noRepo);
    // Only rule ids keep their (documentation) links.
    expect(
      plain.replace(/\]\(https:\/\/github\.com\/readiness-gates\/readiness-gates\/blob\/v1\/src\/gates\/[^)]+\)/g, ''),
    ).not.toContain('](');
    expect(plain).toContain('`src/api/users.ts:88-90`');
  });

  it('escapes user-controlled text', () => {
    const md = renderMarkdown(mixedReport);
    // HTML in a message cannot close our <details> or inject a script.
    expect(md).not.toContain('<script>');
    expect(md).toContain('&lt;/details&gt; and &lt;script&gt;alert(1)&lt;/script&gt;');
    // Code quoted in messages renders as code; other markdown stays literal rather than turning into emphasis.
    expect(md).toContain('writes `authorization` and `cookie` to the logs');
    expect(md).not.toContain('\\`');
    expect(md).toContain('log \\*every\\* request');
    // Decorators and logins do not notify GitHub users.
    expect(md).not.toMatch(/@app/);
    expect(md).not.toMatch(/@alice/);
    expect(md).toContain('@\u200balice');
    // A pipe in a reason does not split the table row.
    const row = md.split('\n').find((l) => l.includes('Legacy audit log'))!;
    expect(tableCells(row)).toHaveLength(6);
    // A path with backticks, a pipe and angle brackets stays one code span and one working link.
    expect(md).toContain('[``db/migrations/0043_weird|name <x>`tick`.sql:1-2``](');
    expect(md).toContain('0043_weird%7Cname%20%3Cx%3E%60tick%60.sql#L1-L2)');
  });

  it('keeps a pipe inside a table cell escaped even in code', () => {
    const report: ReadinessReport = {
      ...mixedReport,
      findings: [{ ...mixedReport.findings[8]!, path: 'src/a|b.ts', ruleId: 'pii/x|y' }],
    };
    const md = renderMarkdown(report);
    const row = md.split('\n').find((l) => l.startsWith('|') && l.includes('src/a'))!;
    expect(tableCells(row)).toHaveLength(6);
    expect(structureProblems(md)).toEqual([]);
  });

  it('says there is nothing to fix when there are no findings, without claiming more than was examined', () => {
    const md = renderMarkdown(emptyReport);
    expect(md).toContain('No finding in what the gates examined.');
    expect(md).not.toContain('🎉');
    expect(md).toContain(
      '**Not checked:** data consistency across storage and queue failures, timeouts and retries, rate limits, pagination, idempotency, connection-pool sizing',
    );
    const nothing = renderMarkdown({
      ...emptyReport,
      gates: emptyReport.gates.map((g) => ({ ...g, status: 'skip' as const })),
    });
    expect(nothing).toContain(
      '✅ **Ready** — no gate applies to this repository, so nothing was examined (not scored)',
    );
    expect(nothing).not.toMatch(/score 100/);
  });

  it('says when a clean result rests on repository-wide checks only', () => {
    const md = renderMarkdown({ ...emptyReport, stats: { ...emptyReport.stats, filesCheckedByRules: 0 } });
    expect(md).toContain(
      '<br>⚠️ none of the 2 changed files is one the gates read line by line: only repository-wide checks ran',
    );
    expect(renderMarkdown({ ...emptyReport, stats: { ...emptyReport.stats, filesCheckedByRules: 1 } })).not.toContain(
      '⚠️ none of',
    );
  });

  it('an empty change is not shown as a bare perfect score', () => {
    const empty = { ...emptyReport, stats: { ...emptyReport.stats, filesChanged: 0, filesCheckedByRules: 0 } };
    expect(renderMarkdown(empty)).toContain(
      '<br>⚠️ the change is empty (head and base have the same files): nothing was judged',
    );
    expect(renderText(empty, { color: false })).toContain(
      'the change is empty (head and base have the same files): nothing was judged',
    );
  });

  it('lists what the PR resolved, linked at the base commit, one sentence each', () => {
    const md = renderMarkdown(mixedReport);
    expect(md).toContain('### ✅ Resolved by this PR (2)');
    expect(md).toContain(
      `- ❌ [\`migrations/rename-column\`](https://github.com/readiness-gates/readiness-gates/blob/v1/src/gates/migrations/rules/rename-column.md) · [\`db/migrations/0039_rename.sql:4\`](https://github.com/acme/shop/blob/${mixedReport.base.sha}/db/migrations/0039_rename.sql#L4) — Renaming column "name" to "full\\_name" breaks every instance still reading \`name\` during the deploy.\n`,
    );
    // A long first sentence is cut at a word, never mid-word.
    const line = md.split('\n').find((l) => l.includes('src/api/session.ts:27'))!;
    expect(line).toMatch(/ [a-z]+…$/);
  });

  it('says per gate what it examined and could not follow, and what no gate assesses', () => {
    const md = renderMarkdown(readyReport);
    expect(md).toContain('**Not checked:**');
    expect(md).toContain('2 things the gates could not follow here');
    expect(md).toContain(
      '- **Health model** — 3 Kubernetes probes → 2 handlers followed · 1 service with 14 routes read\n',
    );
    expect(md).toContain(
      '  - not analysed: 1 probe — an exec probe runs a command, which is not analysed (`deploy/chart/templates/worker.yaml:31`)\n',
    );
  });

  it('links rule ids to their documentation and renders fixes with code as code', () => {
    const md = renderMarkdown(mixedReport);
    expect(md).toContain(
      '**[`migrations/drop-column`](https://github.com/readiness-gates/readiness-gates/blob/v1/src/gates/migrations/rules/drop-column.md)**',
    );
    expect(md).toContain(
      '**Fix:** Log an allow-list: `logger.info({ path: req.path, id: req.id })`, or wrap with maskHeaders().',
    );
  });

  it('previews a PR config that would not load as errors, never as no change', () => {
    const md = renderMarkdown({
      ...readyReport,
      configPreview: {
        changed: true,
        differences: [],
        errors: ['.github/readiness.yml:1:10 fail-on: expected one of blocker, warning, never'],
      },
    });
    expect(md).toContain('would not load');
    expect(md).not.toContain('no change to any rule or gate');
  });

  it('ends with how to waive and recheck', () => {
    const md = renderMarkdown(mixedReport);
    const footer = md.slice(md.lastIndexOf('---'));
    expect(footer).toContain('/readiness waive <id> [--until YYYY-MM-DD] <reason>');
    expect(footer).toContain('/readiness recheck');
  });
});

describe('renderMarkdown budget', () => {
  const huge = hugeReport(5000);

  it('fits 5,000 findings into the default 65,536 characters, cutting notices first', () => {
    const { markdown, omitted } = renderMarkdownDetailed(huge);
    expect(markdown.length).toBeLessThanOrEqual(65_536);
    expect(structureProblems(markdown)).toEqual([]);
    expect(omitted.notices).toBeGreaterThan(0);
    expect(markdown).toMatch(/… and \d+ more new notices not shown \(see the check run \/ JSON report\)/);
    // New blockers are the last thing to go: all 667 of them here would not fit, but they are cut last.
    const order = [
      'notices',
      'warnings',
      'existing',
      'resolved',
      'errors',
      'accepted',
      'expired',
      'config',
      'blockers',
    ] as const;
    const cut = order.filter((k) => (omitted[k] ?? 0) > 0);
    const lastCut = order.indexOf(cut[cut.length - 1]!);
    // Every list before the last one cut is gone entirely; nothing after it was touched.
    for (const k of order.slice(0, lastCut)) {
      const total = count(huge, k);
      if (total > 0) expect(omitted[k], k).toBe(total);
    }
    for (const k of order.slice(lastCut + 1)) expect(omitted[k], k).toBeUndefined();
  });

  it('drops related-location lists before dropping any finding', () => {
    const report = hugeReport(120);
    const full = renderMarkdown(report, { maxChars: 1_000_000 });
    expect(full).toContain('  - see ');
    // Just below the full size: dropping the related lists is enough.
    const { markdown, omitted, leaned } = renderMarkdownDetailed(report, { maxChars: full.length - 1 });
    expect(leaned).toBe(true);
    expect(omitted).toEqual({});
    expect(markdown).not.toContain('  - see ');
    expect(markdown).toMatch(/1 related location not shown/);
  });

  it('cuts notices, then warnings, then existing debt, each time saying how many', () => {
    const report = hugeReport(300);
    const full = renderMarkdownDetailed(report, { maxChars: 10_000_000 });
    expect(full.omitted).toEqual({});
    const sizes = [60_000, 45_000, 30_000];
    const results = sizes.map((maxChars) => renderMarkdownDetailed(report, { maxChars }));
    for (const [i, r] of results.entries()) {
      expect(r.markdown.length).toBeLessThanOrEqual(sizes[i]!);
      expect(structureProblems(r.markdown)).toEqual([]);
      for (const [key, n] of Object.entries(r.omitted)) {
        const noun = {
          notices: 'new notice',
          warnings: 'new warning',
          existing: 'existing finding',
          blockers: 'new blocker',
          errors: 'skipped file',
          accepted: 'suppressed or waived finding',
        }[key];
        expect(r.markdown).toContain(`… and ${n} more ${noun}`);
      }
    }
    // Tighter budgets never show more of a list.
    expect(results[0]!.omitted.notices ?? 0).toBeLessThanOrEqual(results[1]!.omitted.notices ?? 0);
    expect(results[1]!.omitted.warnings ?? 0).toBeLessThanOrEqual(results[2]!.omitted.warnings ?? 0);
  });

  it('keeps the most severe existing and suppressed findings when cutting them', () => {
    const report = hugeReport(300);
    const total = { existing: count(report, 'existing'), accepted: count(report, 'accepted') };
    const seen = { existing: false, accepted: false };
    // Walk the budget down until each list is only partly shown, and check what survived.
    for (let maxChars = 126_000; maxChars > 20_000 && !(seen.existing && seen.accepted); maxChars -= 1_500) {
      const { markdown, omitted } = renderMarkdownDetailed(report, { maxChars });
      expect(markdown.length).toBeLessThanOrEqual(maxChars);
      for (const key of ['existing', 'accepted'] as const) {
        const cut = omitted[key] ?? 0;
        if (cut === 0 || cut === total[key]) continue;
        seen[key] = true;
        const start = markdown.indexOf(key === 'existing' ? '🧾 Existing debt' : '### 🙈 Suppressed');
        const section = markdown.slice(start, markdown.indexOf('… and', start));
        const icons = section
          .split('\n')
          .filter(
            (l) => l.startsWith('- ') || (l.startsWith('| ') && !l.startsWith('| Rule') && !l.startsWith('| ---')),
          )
          .map((l) => (l.includes('❌') ? 3 : l.includes('⚠️') ? 2 : 1));
        expect(icons.length).toBe(total[key] - cut);
        // Most severe first, so the cut removed notices before warnings before blockers.
        expect(icons).toEqual([...icons].sort((a, b) => b - a));
        expect(icons[0]).toBe(3);
      }
    }
    expect(seen).toEqual({ existing: true, accepted: true });
  });

  it('truncates new blockers last and still says how many', () => {
    const report = hugeReport(3000, { messageLength: 3000 });
    const { markdown, omitted } = renderMarkdownDetailed(report, { maxChars: 20_000 });
    expect(markdown.length).toBeLessThanOrEqual(20_000);
    expect(structureProblems(markdown)).toEqual([]);
    expect(omitted.blockers).toBeGreaterThan(0);
    expect(omitted.notices).toBe(count(report, 'notices'));
    expect(omitted.warnings).toBe(count(report, 'warnings'));
    expect(markdown).toMatch(new RegExp(`… and ${omitted.blockers} more new blockers not shown`));
    expect(markdown).toContain('### 🚫 New blockers (');
    expect(markdown).toMatch(/^- ❌ /m);
  });

  it('survives absurdly long messages and paths', () => {
    const report = hugeReport(40, { messageLength: 200_000, pathLength: 5_000 });
    const md = renderMarkdown(report);
    expect(md.length).toBeLessThanOrEqual(65_536);
    expect(structureProblems(md)).toEqual([]);
    // At least one blocker still shows: each message is clipped rather than allowed to eat the budget.
    expect(md).toMatch(/^- ❌ /m);
    expect(md).toContain('…');
  });

  it('still returns something valid and within budget for a tiny limit', () => {
    for (const maxChars of [0, 50, 200, 600]) {
      const md = renderMarkdown(mixedReport, { maxChars });
      expect(md.length).toBeLessThanOrEqual(maxChars);
    }
    const md = renderMarkdown(mixedReport, { maxChars: 600 });
    expect(md).toContain('🚫 **Blocked**');
    expect(structureProblems(md)).toEqual([]);
  });

  it('never exceeds maxChars and never breaks structure (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1000, max: 70_000 }),
        fc.string({ maxLength: 200 }),
        fc.string({ maxLength: 60 }),
        (n, maxChars, message, path) => {
          const base = hugeReport(n, { messageLength: 50 });
          const findings: Finding[] = base.findings.map((f, i) =>
            i % 3 === 0 ? { ...f, message, path: `${path}/${f.path}` } : f,
          );
          const md = renderMarkdown({ ...base, findings }, { maxChars });
          expect(md.length).toBeLessThanOrEqual(maxChars);
          expect(structureProblems(md)).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('escaping helpers', () => {
  it('mdText neutralises markdown, HTML and mentions', () => {
    expect(mdText('a *b* _c_ `d` [e](f) | ~g~ <h> & @i #1')).toBe(
      'a \\*b\\* \\_c\\_ \\`d\\` \\[e\\](f) \\| \\~g\\~ &lt;h&gt; &amp; @\u200bi #1',
    );
    expect(mdText('# not a heading')).toBe('\\# not a heading');
    expect(mdText('1. not a list')).toBe('1\\. not a list');
    expect(mdText('line\nbreak')).toBe('line<br>break');
  });

  it('mdCode fences around any run of backticks', () => {
    expect(mdCode('plain')).toBe('`plain`');
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`x`')).toBe('`` `x` ``');
    expect(mdCode('a|b', true)).toBe('`a\\|b`');
  });

  it('mdCode keeps a table cell whole when the text has backslashes before a pipe (found by the property test)', () => {
    for (const text of ['\\|', 'a\\|b', 'a\\\\|b', '\\\\\\|']) {
      expect(tableCells(`| ${mdCode(text, true)} | next |`)).toHaveLength(2);
    }
    // An even run of backslashes is kept exactly.
    expect(mdCode('a\\\\|b', true)).toBe('`a\\\\\\|b`');
  });
});

function count(report: ReadinessReport, key: string): number {
  const f = report.findings;
  switch (key) {
    case 'notices':
      return f.filter((x) => x.state === 'new' && x.severity === 'notice').length;
    case 'warnings':
      return f.filter((x) => x.state === 'new' && x.severity === 'warning').length;
    case 'blockers':
      return f.filter((x) => x.state === 'new' && x.severity === 'blocker').length;
    case 'existing':
      return f.filter((x) => x.state === 'existing').length;
    case 'resolved':
      return report.resolved?.length ?? 0;
    case 'accepted':
      return f.filter((x) => x.state === 'suppressed' || x.state === 'waived').length;
    case 'errors':
      return report.errors.length;
    case 'expired':
      return report.expired?.length ?? 0;
    case 'config':
      return (report.configPreview?.differences.length ?? 0) + (report.configPreview?.errors.length ?? 0);
    default:
      throw new Error(key);
  }
}
