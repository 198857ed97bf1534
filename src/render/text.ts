/**
 * The terminal scorecard `readiness-gates check` prints: verdict first, then the gate table, then what to
 * do (new blockers with the fix), then everything else a reviewer may want to audit.
 */
import pc from 'picocolors';
import type { GateStatus, ReadinessReport } from '../core/report.js';
import type { Finding, Severity } from '../core/types.js';
import {
  NOT_ASSESSED,
  acceptedPhrase,
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
  shortSha,
  pendingApprovalNote,
  verdictReason,
} from './common.js';

/** Options for {@link renderText}. */
export interface TextOptions {
  /** Emit ANSI colours. The CLI passes {@link shouldColor}(process.stdout, process.env). */
  color: boolean;
  /** Column to wrap prose at (the terminal width when known). Default 80; never below 40. */
  width?: number;
  /** How many existing (debt) findings to list before collapsing the rest into a count. Default 5. */
  existingShown?: number;
}

type Colors = ReturnType<typeof pc.createColors>;

const DEFAULT_WIDTH = 80;
/** Below this, wrapping makes prose unreadable; wider terminals wrap at their own width. */
const MIN_WIDTH = 40;
/** Longer texts are clipped: the terminal is for reading, the JSON report has everything. */
const MAX_TEXT = 2000;
/** One-line entries (debt, resolved) show a message's first sentence, cut at a word past this length. */
const MAX_LINE = 240;

const MARK: Record<Severity, string> = { blocker: '✖', warning: '▲', notice: '●' };
const STATUS_MARK: Record<GateStatus, string> = { fail: '✖ fail', warn: '▲ warn', pass: '✔ pass', skip: '– skip' };

/**
 * Whether to colour output written to `stream`, following no-color.org and force-color.org: a non-empty
 * NO_COLOR turns colour off and wins; a non-empty FORCE_COLOR turns it on (`0` and `false` turn it off);
 * otherwise colour a TTY unless `TERM=dumb`. Pure: the caller passes its own stream and environment.
 */
export function shouldColor(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force) return force !== '0' && force.toLowerCase() !== 'false';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/**
 * One status line for long runs, e.g. `\r\x1b[2K[██████░░░░░░░░░░░░░░] 120/340  35%  src/api/users.ts`.
 * It starts with a carriage return and an erase-line so consecutive writes to a TTY overwrite each other;
 * the label is shortened from the left (the end of a path is the informative part) to fit `width`.
 */
export function progressLine(done: number, total: number, label: string, width = DEFAULT_WIDTH): string {
  const safeTotal = Math.max(0, Math.floor(total));
  const safeDone = Math.min(Math.max(0, Math.floor(done)), safeTotal);
  const ratio = safeTotal === 0 ? 1 : safeDone / safeTotal;
  const barWidth = 20;
  const filled = Math.round(ratio * barWidth);
  const digits = String(safeTotal).length;
  const prefix =
    `[${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}] ` +
    `${String(safeDone).padStart(digits)}/${safeTotal} ${String(Math.floor(ratio * 100)).padStart(3)}%`;
  const room = Math.max(0, width - prefix.length - 3);
  const clean = sanitize(label);
  const shown = clean.length <= room ? clean : room <= 1 ? '' : `…${clean.slice(clean.length - room + 1)}`;
  return `\r\x1b[2K${prefix}${shown ? `  ${shown}` : ''}`;
}

/** The terminal scorecard. Pure: the same report and options give the same string. */
export function renderText(report: ReadinessReport, options: TextOptions): string {
  const c: Colors = pc.createColors(options.color);
  const width = Math.max(MIN_WIDTH, Math.floor(options.width ?? DEFAULT_WIDTH));
  const existingShown = Math.max(0, options.existingShown ?? 5);
  const groups = groupFindings(report.findings);
  const out: string[] = [];

  // Header: what was compared, so a pasted report is self-explanatory.
  out.push(`${c.bold('Readiness Gates')} ${c.dim(`· ${report.tool.name} ${sanitize(report.tool.version)}`)}`);
  out.push(
    c.dim(
      `${sanitize(report.base.ref)} (${shortSha(sanitize(report.base.sha))}) → ${sanitize(report.head.ref)} (${shortSha(sanitize(report.head.sha))})`,
    ),
  );
  out.push('');

  const verdict = report.verdict === 'blocked' ? c.bold(c.red('✖ BLOCKED')) : c.bold(c.green('✔ READY'));
  out.push(
    examinedAnything(report)
      ? `${verdict}  ${verdictReason(report)} · ${scoreWithDelta(report, c)}`
      : `${verdict}  no gate applies to this repository, so nothing was examined (not scored)`,
  );
  const caveat = littleExaminedCaveat(report);
  if (caveat) out.push(c.yellow(`  ${caveat}`));
  out.push('');

  out.push(...gateTable(report, c));

  const finding = (f: Finding, detailed: boolean) => findingBlock(f, c, width, detailed);

  section(
    out,
    c,
    c.red,
    `New blockers (${groups.blockers.length})`,
    groups.blockers.map((f) => finding(f, true)),
  );
  section(
    out,
    c,
    c.yellow,
    `New warnings (${groups.warnings.length})`,
    groups.warnings.map((f) => finding(f, true)),
  );
  section(
    out,
    c,
    c.cyan,
    `New notices (${groups.notices.length})`,
    groups.notices.map((f) => finding(f, true)),
  );

  const resolved = report.resolved ?? [];
  section(
    out,
    c,
    c.green,
    `Resolved by this PR (${resolved.length}, on ${sanitize(report.base.ref)} before, gone now)`,
    resolved.map((f) => oneLine({ ...f, endLine: f.line }, c, width, '✔')),
    false,
  );

  if (groups.existing.length > 0) {
    const lines: string[][] = [];
    lines.push([`  ${c.dim(existingSummary(groups.existing))}`]);
    for (const f of groups.existing.slice(0, existingShown)) {
      lines.push(oneLine(f, c, width));
    }
    const hidden = groups.existing.length - Math.min(existingShown, groups.existing.length);
    if (hidden > 0)
      lines.push([`  ${c.dim(`… and ${hidden} more (use --format json or --format markdown to list them)`)}`]);
    section(
      out,
      c,
      c.dim,
      `Existing debt (${groups.existing.length}, already on ${sanitize(report.base.ref)}; does not block)`,
      lines,
      false,
    );
  }

  section(
    out,
    c,
    c.magenta,
    `Suppressed and waived (${groups.accepted.length}, listed, not counted)`,
    groups.accepted.map((f) => acceptedBlock(f, c, width)),
  );

  const expired = report.expired ?? [];
  section(
    out,
    c,
    c.yellow,
    `Expired exceptions and waivers (${expired.length}; their findings count again)`,
    expired.map((e) => {
      const head = `  ${c.yellow('⌛')} ${e.kind} ${c.bold(sanitize(e.rule))}${e.path ? ` on ${sanitize(e.path)}` : ''} expired ${sanitize(e.until)}`;
      return [head, ...wrap(`reason: ${clip(sanitize(e.reason), MAX_TEXT)}`, width, 4).map((l) => c.dim(l))];
    }),
  );

  section(
    out,
    c,
    c.yellow,
    `Files not analysed (${report.errors.length})`,
    report.errors.map((e) => [
      `  ${c.yellow('!')} ${sanitize(e.path)}`,
      ...wrap(clip(sanitize(e.message), MAX_TEXT), width, 4).map((l) => c.dim(l)),
    ]),
  );

  const preview = report.configPreview;
  if (preview && (preview.changed || preview.errors.length > 0)) {
    const lines: string[][] = [];
    if (preview.errors.length > 0) {
      lines.push(
        wrap(
          'This PR edits the config and the new version would not load: after merge every check fails until it is fixed. The base branch’s config is enforced for this PR.',
          width,
          2,
        ),
      );
    } else {
      lines.push(
        wrap('This PR edits the config. The base branch’s config is enforced for this PR; after merge:', width, 2).map(
          (l) => c.dim(l),
        ),
      );
      if (preview.differences.length === 0) lines.push(['  (no rule or gate would change)']);
    }
    for (const d of preview.differences) lines.push(wrap(`• ${clip(sanitize(d), MAX_TEXT)}`, width, 2, 4));
    for (const e of preview.errors) lines.push(wrap(`${c.red('error')} ${clip(sanitize(e), MAX_TEXT)}`, width, 2, 4));
    section(out, c, c.blue, 'Config preview', lines, false);
  }

  if (report.findings.length === 0) {
    out.push(
      examinedAnything(report)
        ? c.green('No finding in what the gates examined.')
        : c.yellow('No gate applies to this repository: nothing was examined.'),
    );
    out.push('');
  }

  const covered = report.gates.filter((g) => g.coverage);
  if (covered.length > 0) {
    const lines: string[][] = [];
    for (const g of covered) {
      lines.push(wrap(`${sanitize(g.title)}: ${g.coverage!.examined.map(sanitize).join(' · ')}`, width, 2, 4));
      for (const gap of g.coverage!.notAnalysed.slice(0, 10)) {
        const where = gap.path ? ` (${sanitize(gap.line ? `${gap.path}:${gap.line}` : gap.path)})` : '';
        lines.push(
          wrap(
            `not analysed: ${sanitize(gap.subject)} — ${clip(sanitize(gap.reason), MAX_TEXT)}${where}`,
            width,
            4,
            6,
          ).map((l) => c.yellow(l)),
        );
      }
    }
    section(out, c, c.blue, 'Coverage', lines, false);
  }
  out.push(
    ...wrap(`Not checked: ${NOT_ASSESSED} — no gate assesses them; review them yourself.`, width, 0, 2).map((l) =>
      c.dim(l),
    ),
  );
  out.push('');

  const stats = [
    plural(report.stats.filesChanged, 'file changed', 'files changed'),
    `${report.stats.filesAnalyzed} analysed`,
    formatDuration(report.stats.durationMs),
  ];
  if (report.failOn) stats.push(`fail-on ${report.failOn}`);
  out.push(c.dim(stats.join(' · ')));
  return `${out.join('\n')}\n`;
}

/** "score 62 (base 88, -26)" with the delta coloured by direction. */
function scoreWithDelta(report: ReadinessReport, c: Colors): string {
  const delta = report.score - report.baseScore;
  const shown = delta === 0 ? 'unchanged' : delta > 0 ? c.green(`+${delta}`) : c.red(`${delta}`);
  return `score ${c.bold(String(report.score))} (base ${report.baseScore}, ${shown})`;
}

/** The gate table, columns padded on the plain text so colour codes do not break alignment. */
function gateTable(report: ReadinessReport, c: Colors): string[] {
  if (report.gates.length === 0) return [c.dim('No gates ran.'), ''];
  const header = ['Gate', 'Status', 'Score', 'Blockers', 'Warnings', 'Notices', 'Existing', 'Suppressed', 'Waived'];
  const paint: Record<GateStatus, (s: string) => string> = { fail: c.red, warn: c.yellow, pass: c.green, skip: c.dim };
  const rows = report.gates.map((g) => [
    sanitize(g.title),
    STATUS_MARK[g.status],
    g.status === 'skip' ? '—' : `${g.baseScore} → ${g.score}`,
    String(g.counts.blocker),
    String(g.counts.warning),
    String(g.counts.notice),
    String(g.counts.existing),
    String(g.counts.suppressed),
    String(g.counts.waived),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  // Numbers right-aligned so digits line up; names and words left-aligned.
  const pad = (cell: string, i: number) => (i >= 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!));
  const lines = [`  ${c.dim(header.map(pad).join('  ').trimEnd())}`];
  report.gates.forEach((g, r) => {
    const cells = rows[r]!.map((cell, i) => {
      const padded = pad(cell, i);
      if (i === 1) return paint[g.status](padded);
      if (i === 3 && g.counts.blocker > 0) return c.red(padded);
      if (i === 4 && g.counts.warning > 0) return c.yellow(padded);
      return padded;
    });
    lines.push(`  ${cells.join('  ').trimEnd()}`);
    if (g.note) lines.push(c.dim(`    ${sanitize(g.note)}`));
  });
  lines.push('');
  return lines;
}

/** A heading and its entries, each entry a group of lines separated by a blank line when `spaced`. */
function section(
  out: string[],
  c: Colors,
  color: (s: string) => string,
  title: string,
  entries: string[][],
  spaced = true,
): void {
  if (entries.length === 0) return;
  out.push(c.bold(color(title)));
  entries.forEach((lines, i) => {
    if (spaced && i > 0) out.push('');
    out.push(...lines);
  });
  out.push('');
}

/** A finding with its message, fix, related locations and id. */
function findingBlock(f: Finding, c: Colors, width: number, detailed: boolean): string[] {
  const color = f.severity === 'blocker' ? c.red : f.severity === 'warning' ? c.yellow : c.cyan;
  const lines = [`  ${color(MARK[f.severity])} ${c.bold(sanitize(location(f)))}  ${c.dim(sanitize(f.ruleId))}`];
  lines.push(...wrap(clip(sanitize(f.message), MAX_TEXT), width, 4));
  if (f.fix) lines.push(...wrap(`${c.green('fix:')} ${clip(sanitize(f.fix), MAX_TEXT)}`, width, 4, 9));
  if (f.pendingApproval)
    lines.push(
      ...wrap(`${c.yellow('approval:')} ${clip(sanitize(pendingApprovalNote(f, 'cli')), MAX_TEXT)}`, width, 4, 14),
    );
  if (detailed) {
    for (const r of f.related ?? []) {
      lines.push(
        ...wrap(`see ${sanitize(location(r))} — ${clip(sanitize(r.message), MAX_TEXT)}`, width, 4, 8).map((l) =>
          c.dim(l),
        ),
      );
    }
  }
  lines.push(c.dim(`    id ${sanitize(f.id)}`));
  return lines;
}

/**
 * A short entry per debt or resolved finding (the list is a reminder, not a to-do): location and rule, then
 * the message's first sentence wrapped below, cut at a word when it is very long, never mid-word.
 */
function oneLine(
  f: Pick<Finding, 'severity' | 'path' | 'line' | 'endLine' | 'ruleId' | 'message'>,
  c: Colors,
  width: number,
  mark = MARK[f.severity],
): string[] {
  const head = `  ${mark} ${sanitize(location(f))}  ${sanitize(f.ruleId)}`;
  const message = clipWords(firstSentence(sanitize(f.message)), MAX_LINE);
  return [c.dim(head), ...wrap(message, width, 4).map((l) => c.dim(l))];
}

function acceptedBlock(f: Finding, c: Colors, width: number): string[] {
  const how = sanitize(acceptedPhrase(f));
  return [
    `  ${c.magenta(MARK[f.severity])} ${sanitize(location(f))}  ${c.dim(sanitize(f.ruleId))}`,
    ...wrap(clip(sanitize(f.message), MAX_TEXT), width, 4).map((l) => c.dim(l)),
    ...wrap(`${how}: ${clip(sanitize(f.suppression?.reason ?? '(no reason recorded)'), MAX_TEXT)}`, width, 4, 6),
  ];
}

/** "migrations 3 · pii 2 — 1 blocker, 4 warnings". */
function existingSummary(existing: readonly Finding[]): string {
  const { byGate, bySeverity } = debtSummary(existing);
  return `${byGate} — ${bySeverity}`;
}

/**
 * Greedy word wrap. `indent` starts the first line, `hangIndent` the following ones. Words longer than the
 * line are left whole (breaking a path or URL makes it uncopyable). Width counts visible characters only.
 */
function wrap(text: string, width: number, indent: number, hangIndent = indent): string[] {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  const lines: string[] = [];
  let current = ' '.repeat(indent);
  let currentLength = indent;
  let fresh = true;
  for (const word of words) {
    const visible = visibleLength(word);
    if (!fresh && currentLength + 1 + visible > width) {
      lines.push(current);
      current = ' '.repeat(hangIndent);
      currentLength = hangIndent;
      fresh = true;
    }
    current += fresh ? word : ` ${word}`;
    currentLength += fresh ? visible : visible + 1;
    fresh = false;
  }
  if (!fresh) lines.push(current);
  return lines;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

function visibleLength(s: string): number {
  return s.replace(ANSI, '').length;
}

/**
 * Removes control characters from user-controlled text (paths, messages, branch names) so a crafted file
 * name cannot move the cursor, clear the screen or fake colour in someone's terminal. Tabs and newlines
 * become spaces; the wrapper reflows prose anyway.
 */
function sanitize(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\t\n\r\v\f]/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '�');
}
