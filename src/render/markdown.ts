/**
 * The markdown scorecard: the sticky PR comment, the check run's summary and the job summary.
 *
 * GitHub refuses a comment over 65,536 characters (HTTP 422) and a check-run summary over 65,535, so the
 * scorecard is assembled from measured pieces and degrades in a fixed order until it fits, always saying
 * what it left out. Only whole list items or table rows are ever dropped, so a `<details>` or table is never
 * cut in half.
 */
import type { GateStatus, ReadinessReport } from '../core/report.js';
import type { Finding, RelatedLocation, ResolvedFinding, Severity } from '../core/types.js';
import {
  DEFAULT_OVERFLOW_HINT,
  NOT_ASSESSED,
  clip,
  clipWords,
  debtSummary,
  examinedAnything,
  firstSentence,
  littleExaminedCaveat,
  formatDuration,
  groupFindings,
  location,
  plural,
  ruleDocsUrl,
  scorePhrase,
  shortSha,
  suppressionKind,
  suppressionWho,
  pendingApprovalNote,
  verdictReason,
} from './common.js';
import { encodePath, htmlText, mdCode, mdLink, mdProse, mdText } from './escape.js';

/** The hidden first line that lets the publisher find and update its own comment instead of adding another. */
export const MARKER = '<!-- readiness-gates:scorecard -->';

/** GitHub's limit for an issue or PR comment body. */
export const COMMENT_MAX_CHARS = 65_536;

/** Options for {@link renderMarkdown}. */
export interface MarkdownOptions {
  /**
   * Hard limit on the output's length in UTF-16 code units (JavaScript's `length`, never less than GitHub's
   * own character count). Default 65,536; pass 65,535 for a check-run summary.
   */
  maxChars?: number;
  /** Builds the link for a location. Default: `${repositoryUrl}/blob/${head.sha}/${path}#L${line}` when the report knows its repository. */
  linkBase?: (path: string, line: number) => string;
  /** The hidden marker on the first line. Default {@link MARKER}. */
  marker?: string;
  /** Whether to write the marker at all (a check-run summary does not need it). Default true. */
  includeMarker?: boolean;
  /** Where "… and N more … not shown" sends readers. Default "see the check run / JSON report". */
  overflowHint?: string;
}

/** What the budget step did, for callers that want to say more elsewhere (the check run's `text`). */
export interface MarkdownRender {
  markdown: string;
  /** Items left out per list, e.g. `{ notices: 120 }`; empty when everything fit. */
  omitted: Partial<Record<ListKey, number>>;
  /** Related-location lists were dropped to save room. */
  leaned: boolean;
}

/** The truncatable lists, in the order they are cut: least important first, new blockers last. */
export const TRUNCATION_ORDER = [
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
export type ListKey = (typeof TRUNCATION_ORDER)[number];

/** What each list holds, singular and plural, for "… and N more … not shown". */
export const LIST_NOUN: Record<ListKey, readonly [string, string]> = {
  notices: ['new notice', 'new notices'],
  warnings: ['new warning', 'new warnings'],
  existing: ['existing finding', 'existing findings'],
  resolved: ['resolved finding', 'resolved findings'],
  errors: ['skipped file', 'skipped files'],
  accepted: ['suppressed or waived finding', 'suppressed or waived findings'],
  expired: ['expired entry', 'expired entries'],
  config: ['config change', 'config changes'],
  blockers: ['new blocker', 'new blockers'],
};

/** Longest message, fix or reason shown: one absurd string must not take the whole budget. */
const MAX_PROSE = 4000;
/** Longest path shown; longer paths are clipped for display and not linked (no real checkout has them). */
const MAX_PATH = 300;
const MAX_LINKED_PATH = 1000;
/** Refs, titles and notes are short in practice; clipping them bounds the fixed part of the scorecard. */
const MAX_SHORT = 200;
/** One-line listings (debt, resolved) show a message's first sentence, cut at a word past this length. */
const MAX_LINE = 240;

const SEVERITY_ICON: Record<Severity, string> = { blocker: '❌', warning: '⚠️', notice: 'ℹ️' };
const STATUS_CELL: Record<GateStatus, string> = { fail: '❌ fail', warn: '⚠️ warn', pass: '✅ pass', skip: '⏭️ skip' };

/** An item in a list: the full text, and a lean one without related-location lists. Both end in "\n". */
interface Item {
  full: string;
  lean: string;
}

type Block =
  | { kind: 'static'; text: string }
  | {
      kind: 'list';
      key: ListKey;
      /** Always written (a heading, or `<details><summary>`). */
      head: string;
      /** Written only when at least one item is shown (a table header). */
      open: string;
      items: Item[];
      /** The "… and N more" line, written when items were left out. */
      more: (omitted: number) => string;
      /** Always written (closes what `head` opened). */
      tail: string;
    };

interface Plan {
  lean: boolean;
  limits: Partial<Record<ListKey, number>>;
}

/**
 * Renders the scorecard as GitHub-flavoured markdown, never longer than `maxChars`.
 *
 * Degrades in this order until it fits: (1) drop related-location lists, (2) cut notices, then warnings,
 * then existing debt, then skipped files, suppressed/waived rows, expired entries and config-preview
 * lines, keeping the most severe items and saying "… and N more … not shown", (3) cut new blockers last.
 */
export function renderMarkdown(report: ReadinessReport, options: MarkdownOptions = {}): string {
  return renderMarkdownDetailed(report, options).markdown;
}

/** {@link renderMarkdown}, also telling what the budget left out. */
export function renderMarkdownDetailed(report: ReadinessReport, options: MarkdownOptions = {}): MarkdownRender {
  const maxChars = Math.max(0, Math.floor(options.maxChars ?? COMMENT_MAX_CHARS));
  const blocks = buildBlocks(report, options);
  const fits = (plan: Plan) => measure(blocks, plan) <= maxChars;

  const plan: Plan = { lean: false, limits: {} };
  if (fits(plan)) return result(blocks, plan);
  plan.lean = true;
  if (fits(plan)) return result(blocks, plan);

  for (const key of TRUNCATION_ORDER) {
    const size = listSize(blocks, key);
    if (size === 0) continue;
    plan.limits[key] = 0;
    if (!fits(plan)) continue; // even without this list it is too long: cut the next one too
    // The largest number of items that still fits; lengths grow with the count, so bisect.
    let lo = 0;
    let hi = size;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      plan.limits[key] = mid;
      if (fits(plan)) lo = mid;
      else hi = mid - 1;
    }
    plan.limits[key] = lo;
    return result(blocks, plan);
  }

  // Only a tiny maxChars gets here: say the essentials and point elsewhere.
  const minimal = minimalScorecard(report, options);
  return {
    markdown: minimal.length <= maxChars ? minimal : minimal.slice(0, maxChars),
    omitted: Object.fromEntries(TRUNCATION_ORDER.map((k) => [k, listSize(blocks, k)]).filter(([, n]) => n !== 0)),
    leaned: true,
  };
}

function result(blocks: Block[], plan: Plan): MarkdownRender {
  const omitted: Partial<Record<ListKey, number>> = {};
  for (const b of blocks) {
    if (b.kind !== 'list') continue;
    const shown = Math.min(b.items.length, plan.limits[b.key] ?? b.items.length);
    if (shown < b.items.length) omitted[b.key] = (omitted[b.key] ?? 0) + b.items.length - shown;
  }
  const leaned = plan.lean && blocks.some((b) => b.kind === 'list' && b.items.some((i) => i.full !== i.lean));
  return { markdown: assemble(blocks, plan), omitted, leaned };
}

function listSize(blocks: Block[], key: ListKey): number {
  let n = 0;
  for (const b of blocks) if (b.kind === 'list' && b.key === key) n += b.items.length;
  return n;
}

/** Length of the assembled document without building it (called many times while bisecting). */
function measure(blocks: Block[], plan: Plan): number {
  let total = 0;
  for (const b of blocks) {
    if (b.kind === 'static') {
      total += b.text.length;
      continue;
    }
    const shown = Math.min(b.items.length, plan.limits[b.key] ?? b.items.length);
    total += b.head.length + b.tail.length + (shown > 0 ? b.open.length : 0);
    for (let i = 0; i < shown; i++) total += (plan.lean ? b.items[i]!.lean : b.items[i]!.full).length;
    if (shown < b.items.length) total += b.more(b.items.length - shown).length;
  }
  return total;
}

function assemble(blocks: Block[], plan: Plan): string {
  const parts: string[] = [];
  for (const b of blocks) {
    if (b.kind === 'static') {
      parts.push(b.text);
      continue;
    }
    const shown = Math.min(b.items.length, plan.limits[b.key] ?? b.items.length);
    parts.push(b.head);
    if (shown > 0) parts.push(b.open);
    for (let i = 0; i < shown; i++) parts.push(plan.lean ? b.items[i]!.lean : b.items[i]!.full);
    if (shown < b.items.length) parts.push(b.more(b.items.length - shown));
    parts.push(b.tail);
  }
  return parts.join('');
}

// ---------------------------------------------------------------------------------------------------------
// Building the pieces
// ---------------------------------------------------------------------------------------------------------

function buildBlocks(report: ReadinessReport, options: MarkdownOptions): Block[] {
  const hint = options.overflowHint ?? DEFAULT_OVERFLOW_HINT;
  const link = linker(report, options);
  const groups = groupFindings(report.findings);
  const blocks: Block[] = [];
  const text = (t: string) => blocks.push({ kind: 'static', text: t });

  text(header(report, options));
  text(gateTable(report));
  text(notCheckedLine(report));

  if (report.findings.length === 0 && examinedAnything(report)) {
    text('No finding in what the gates examined.\n\n');
  }

  const more = (key: ListKey) => (n: number) =>
    `\n_… and ${n} more ${LIST_NOUN[key][n === 1 ? 0 : 1]} not shown (${mdText(hint)})._\n`;

  if (groups.blockers.length > 0) {
    blocks.push({
      kind: 'list',
      key: 'blockers',
      head: `### 🚫 New blockers (${groups.blockers.length})\n\nFix these or have someone allowed to waive them do so; each one blocks the merge.\n\n`,
      open: '',
      items: groups.blockers.map((f) => findingItem(f, link, true)),
      more: more('blockers'),
      tail: '\n',
    });
  }

  const resolved = report.resolved ?? [];
  if (resolved.length > 0) {
    blocks.push({
      kind: 'list',
      key: 'resolved',
      head: `### ✅ Resolved by this PR (${resolved.length})\n\nOn ${mdCode(clip(report.base.ref, MAX_SHORT))} before, gone now:\n\n`,
      open: '',
      items: resolved.map((f) => resolvedItem(f, report, options)),
      more: more('resolved'),
      tail: '\n',
    });
  }

  for (const [key, list, noun] of [
    ['warnings', groups.warnings, 'new warning'],
    ['notices', groups.notices, 'new notice'],
  ] as const) {
    if (list.length === 0) continue;
    const icon = key === 'warnings' ? '⚠️' : 'ℹ️';
    blocks.push({
      kind: 'list',
      key,
      head: `<details>\n<summary>${icon} ${plural(list.length, noun)} (do not block)</summary>\n\n`,
      open: '',
      items: list.map((f) => findingItem(f, link, false)),
      more: more(key),
      tail: '\n</details>\n\n',
    });
  }

  if (groups.existing.length > 0) {
    blocks.push({
      kind: 'list',
      key: 'existing',
      head:
        `<details>\n<summary>🧾 Existing debt: ${plural(groups.existing.length, 'finding')} already on <code>${htmlText(clip(report.base.ref, MAX_SHORT))}</code> (never blocks)</summary>\n\n` +
        `${existingSummary(groups.existing)}\n\n`,
      open: '',
      items: groups.existing.map((f) => debtItem(f, link)),
      more: more('existing'),
      tail: '\n</details>\n\n',
    });
  }

  if (groups.accepted.length > 0) {
    const suppressed = groups.accepted.filter((f) => f.state === 'suppressed').length;
    const waived = groups.accepted.length - suppressed;
    blocks.push({
      kind: 'list',
      key: 'accepted',
      head:
        `### 🙈 Suppressed and waived (${[suppressed ? `${suppressed} suppressed` : '', waived ? `${waived} waived` : ''].filter(Boolean).join(', ')})\n\n` +
        'Listed so nothing is hidden; they do not count toward the verdict or the score.\n\n',
      open: '| Rule | Location | Kind | Who | Why | Until |\n| --- | --- | --- | --- | --- | --- |\n',
      items: groups.accepted.map((f) => acceptedRow(f, link)),
      more: more('accepted'),
      tail: '\n',
    });
  }

  const expired = report.expired ?? [];
  if (expired.length > 0) {
    blocks.push({
      kind: 'list',
      key: 'expired',
      head: `### ⌛ Expired exceptions and waivers (${expired.length})\n\nThese no longer apply: the findings they covered count again.\n\n`,
      open: '',
      items: expired.map((e) => {
        const line =
          `- ${e.kind === 'waiver' ? 'Waiver' : 'Exception'} for ${mdCode(clip(e.rule, MAX_SHORT))}` +
          `${e.path ? ` on ${mdCode(clip(e.path, MAX_PATH))}` : ''} expired ${mdText(clip(e.until, MAX_SHORT))}` +
          ` — ${mdText(clip(e.reason, MAX_PROSE))}\n`;
        return { full: line, lean: line };
      }),
      more: more('expired'),
      tail: '\n',
    });
  }

  if (report.errors.length > 0) {
    blocks.push({
      kind: 'list',
      key: 'errors',
      head: `<details>\n<summary>⏭️ ${plural(report.errors.length, 'file')} not analysed</summary>\n\n`,
      open: '',
      items: report.errors.map((e) => {
        const line = `- ${mdCode(clip(e.path, MAX_PATH))} — ${mdText(clip(e.message, MAX_PROSE))}\n`;
        return { full: line, lean: line };
      }),
      more: more('errors'),
      tail: '\n</details>\n\n',
    });
  }

  const preview = report.configPreview;
  if (preview && (preview.changed || preview.errors.length > 0)) {
    const lines: Item[] = [
      ...preview.errors.map((e) => `- ❗ ${mdProse(clip(e, MAX_PROSE))}\n`),
      ...preview.differences.map((d) => `- ${mdProse(clip(d, MAX_PROSE))}\n`),
    ].map((l) => ({ full: l, lean: l }));
    blocks.push({
      kind: 'list',
      key: 'config',
      head:
        '### 🔧 Config preview\n\n' +
        (preview.errors.length > 0
          ? 'This PR edits the readiness config, and the new version **would not load**: after merge every check would fail until it is fixed. This check enforces the base branch’s config.\n\n'
          : 'This PR edits the readiness config. This check enforces the base branch’s config; after merge the new one would apply' +
            (preview.differences.length === 0 ? ', with no change to any rule or gate.\n\n' : ':\n\n')),
      open: '',
      items: lines,
      more: more('config'),
      tail: lines.length > 0 ? '\n' : '',
    });
  }

  text(coverageDetails(report));
  text(footer(report));
  return blocks;
}

/** The line under the gate table: what no gate assesses, and how much the gates could not follow here. */
function notCheckedLine(report: ReadinessReport): string {
  const gaps = report.gates.reduce((n, g) => n + (g.coverage?.notAnalysed.length ?? 0), 0) + report.errors.length;
  const followUp =
    gaps > 0 ? ` · ${plural(gaps, 'thing', 'things')} the gates could not follow here (see *Coverage* below)` : '';
  return `**Not checked:** ${NOT_ASSESSED} — no gate assesses them; review them yourself${followUp}.\n\n`;
}

/** Per gate: what it examined and what it could not follow, folded (the line above says how much). */
function coverageDetails(report: ReadinessReport): string {
  const ran = report.gates.filter((g) => g.coverage);
  if (ran.length === 0) return '';
  const lines = ran.map((g) => {
    const cov = g.coverage!;
    const head = `- **${mdText(clip(g.title, MAX_SHORT))}** — ${cov.examined.map((e) => mdProse(clip(e, MAX_SHORT))).join(' · ')}\n`;
    const gaps = cov.notAnalysed
      .slice(0, 10)
      .map(
        (gap) =>
          `  - not analysed: ${mdText(clip(gap.subject, MAX_SHORT))} — ${mdProse(clip(gap.reason, MAX_SHORT))}` +
          (gap.path ? ` (${mdCode(clip(gap.line ? `${gap.path}:${gap.line}` : gap.path, MAX_PATH))})` : '') +
          '\n',
      );
    const more = cov.notAnalysed.length > 10 ? [`  - … and ${cov.notAnalysed.length - 10} more\n`] : [];
    return head + gaps.join('') + more.join('');
  });
  const skipped = report.gates.filter((g) => g.status === 'skip');
  if (skipped.length > 0)
    lines.push(
      `- Skipped: ${skipped.map((g) => mdText(clip(g.title, MAX_SHORT))).join(', ')} — nothing in this repository concerns them\n`,
    );
  if (report.errors.length > 0) lines.push(`- ${plural(report.errors.length, 'file')} not analysed, listed above\n`);
  const gaps = ran.reduce((n, g) => n + g.coverage!.notAnalysed.length, 0);
  const summary =
    gaps > 0
      ? `🔍 Coverage: what each gate examined, and ${plural(gaps, 'thing')} it could not follow`
      : '🔍 Coverage: what each gate examined';
  return `<details>\n<summary>${summary}</summary>\n\n${lines.join('')}\n</details>\n\n`;
}

/** A resolved finding: one line, linked at the base commit where it was. */
function resolvedItem(f: ResolvedFinding, report: ReadinessReport, options: MarkdownOptions): Item {
  const url =
    !options.linkBase && report.repositoryUrl && f.path.length <= MAX_LINKED_PATH
      ? `${report.repositoryUrl.replace(/\/+$/, '')}/blob/${encodeURIComponent(report.base.sha)}/${encodePath(f.path)}#L${f.line}`
      : undefined;
  const line =
    `- ${SEVERITY_ICON[f.severity]} ${ruleLink(f.ruleId)} · ${mdLink(mdCode(clip(`${f.path}:${f.line}`, MAX_PATH)), url)}` +
    ` — ${mdProse(clipWords(firstSentence(f.message), MAX_LINE))}\n`;
  return { full: line, lean: line };
}

/** A rule id as code, linked to its documentation. */
function ruleLink(ruleId: string, inTable = false): string {
  return mdLink(mdCode(clip(ruleId, MAX_SHORT), inTable), ruleDocsUrl(ruleId));
}

function header(report: ReadinessReport, options: MarkdownOptions): string {
  const marker = options.includeMarker === false ? '' : `${options.marker ?? MARKER}\n`;
  const verdict = report.verdict === 'blocked' ? '🚫 **Blocked**' : '✅ **Ready**';
  const caveat = littleExaminedCaveat(report);
  const why = examinedAnything(report)
    ? `${verdictReason(report)} · ${scorePhrase(report)}${caveat ? `<br>⚠️ ${mdText(caveat)}` : ''}`
    : 'no gate applies to this repository, so nothing was examined (not scored)';
  const refs =
    `${mdCode(clip(report.base.ref, MAX_SHORT))} ${mdText(shortSha(clip(report.base.sha, MAX_SHORT)))} → ` +
    `${mdCode(clip(report.head.ref, MAX_SHORT))} ${mdText(shortSha(clip(report.head.sha, MAX_SHORT)))}`;
  const stats = [
    plural(report.stats.filesChanged, 'file changed', 'files changed'),
    `${report.stats.filesAnalyzed} analysed`,
    formatDuration(report.stats.durationMs),
  ].join(' · ');
  return `${marker}## Readiness Gates\n\n${verdict} — ${why}\n\n<sub>${refs} · ${stats}</sub>\n\n`;
}

function gateTable(report: ReadinessReport): string {
  if (report.gates.length === 0) return '_No gate ran._\n\n';
  const rows = report.gates.map((g) => {
    const name = `${mdText(clip(g.title, MAX_SHORT))}${g.note ? `<br><sub>${mdText(clip(g.note, MAX_SHORT))}</sub>` : ''}`;
    const score = g.status === 'skip' ? '—' : `${g.baseScore} → ${g.score}`;
    const blockers = g.counts.blocker > 0 ? `**${g.counts.blocker}**` : '0';
    return `| ${name} | ${STATUS_CELL[g.status]} | ${score} | ${blockers} | ${g.counts.warning} | ${g.counts.existing} |\n`;
  });
  return (
    '| Gate | Status | Score (base → head) | New blockers | Warnings | Existing |\n' +
    '| :-- | :-- | :-: | --: | --: | --: |\n' +
    rows.join('') +
    '\n'
  );
}

type Linker = (path: string, line: number, endLine?: number) => string | undefined;

function linker(report: ReadinessReport, options: MarkdownOptions): Linker {
  return (path, line, endLine) => {
    if (path.length > MAX_LINKED_PATH) return undefined;
    if (options.linkBase) return options.linkBase(path, line);
    if (!report.repositoryUrl) return undefined;
    const anchor = endLine !== undefined && endLine > line ? `#L${line}-L${endLine}` : `#L${line}`;
    return `${report.repositoryUrl.replace(/\/+$/, '')}/blob/${encodeURIComponent(report.head.sha)}/${encodePath(path)}${anchor}`;
  };
}

function locationLink(f: { path: string; line: number; endLine?: number }, link: Linker): string {
  const label = clip(location(f), MAX_PATH);
  return mdLink(mdCode(label), link(f.path, f.line, f.endLine));
}

/**
 * A new finding as a list item with paragraphs: rule (linked to its docs) and location, then the message,
 * the fix and the id, each on its own, with code spans from the messages rendered as code. Related
 * locations follow as a nested list when room allows.
 */
function findingItem(f: Finding, link: Linker, waivable: boolean): Item {
  const related = f.related ?? [];
  const idLine = waivable
    ? `<sub>id ${mdCode(f.id)} · to accept the risk: ${mdCode(`/readiness waive ${f.id} <reason>`)}</sub>`
    : `<sub>id ${mdCode(f.id)}</sub>`;
  const paragraphs = [
    `- ${SEVERITY_ICON[f.severity]} **${ruleLink(f.ruleId)}** · ${locationLink(f, link)}`,
    `  ${mdProse(clip(f.message, MAX_PROSE))}`,
    ...(f.fix ? [`  **Fix:** ${mdProse(clip(f.fix, MAX_PROSE))}`] : []),
    ...(f.pendingApproval ? [`  ⏳ ${mdProse(clip(pendingApprovalNote(f, 'github'), MAX_PROSE))}`] : []),
  ];
  const body = `${paragraphs.join('\n\n')}\n\n  ${idLine}`;
  const lean =
    related.length > 0
      ? `${body.replace(/<\/sub>$/, '')} · ${plural(related.length, 'related location')} not shown</sub>\n\n`
      : `${body}\n\n`;
  const full = related.length > 0 ? `${body}\n\n${related.map((r) => relatedLine(r, link)).join('')}\n` : `${body}\n\n`;
  return { full, lean };
}

function relatedLine(r: RelatedLocation, link: Linker): string {
  return `  - see ${locationLink(r, link)} — ${mdProse(clip(r.message, MAX_PROSE))}\n`;
}

/** Debt is a reminder, so one line each: the first sentence of the message, never cut mid-word. */
function debtItem(f: Finding, link: Linker): Item {
  const line = `- ${SEVERITY_ICON[f.severity]} ${ruleLink(f.ruleId)} · ${locationLink(f, link)} — ${mdProse(clipWords(firstSentence(f.message), MAX_LINE))}\n`;
  return { full: line, lean: line };
}

function acceptedRow(f: Finding, link: Linker): Item {
  const s = f.suppression;
  const cells = [
    `${SEVERITY_ICON[f.severity]} ${ruleLink(f.ruleId, true)}`,
    mdLink(mdCode(clip(location(f), MAX_PATH), true), link(f.path, f.line, f.endLine)),
    mdText(suppressionKind(s, f.state)),
    mdText(clip(suppressionWho(s), MAX_SHORT)),
    mdText(clip(s?.reason ?? '(no reason recorded)', MAX_PROSE)),
    s?.until ? mdText(clip(s.until, MAX_SHORT)) : '—',
  ];
  const row = `| ${cells.join(' | ')} |\n`;
  return { full: row, lean: row };
}

function existingSummary(existing: readonly Finding[]): string {
  const { byGate, bySeverity } = debtSummary(existing);
  return `By gate: ${mdText(byGate)} — ${bySeverity}. Fixing them raises the score; they never block a PR.`;
}

function footer(report: ReadinessReport): string {
  return (
    '---\n' +
    '<sub>Waive a blocker (if policy lets you): comment ' +
    `${mdCode('/readiness waive <id> [--until YYYY-MM-DD] <reason>')} · undo: ${mdCode('/readiness unwaive <id>')}` +
    ` · re-run: ${mdCode('/readiness recheck')} · rule docs: ${mdCode('/readiness explain <rule-id>')}` +
    ` · ${mdText(`${report.tool.name} ${clip(report.tool.version, MAX_SHORT)}`)}</sub>\n`
  );
}

function minimalScorecard(report: ReadinessReport, options: MarkdownOptions): string {
  const hint = options.overflowHint ?? DEFAULT_OVERFLOW_HINT;
  const marker = options.includeMarker === false ? '' : `${options.marker ?? MARKER}\n`;
  const verdict = report.verdict === 'blocked' ? '🚫 **Blocked**' : '✅ **Ready**';
  return `${marker}${verdict} — ${verdictReason(report)} · ${scorePhrase(report)}\n\n_The scorecard is too long to show here (${mdText(hint)})._\n`;
}
