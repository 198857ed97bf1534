/**
 * Regenerates the README's screenshots of the PR comment, docs/scorecard-blocked.png and
 * docs/scorecard-ready.png: the demo repository (scripts/demo.mjs) gets a risky pull request (blocked) and a
 * careful one (ready), the engine judges both, the scorecard markdown is rendered to HTML the way GitHub
 * renders a comment (GitHub-flavoured markdown with `marked`, GitHub's stylesheet from
 * `github-markdown-css`, `<details>` collapsed as GitHub shows them) and headless Chromium takes the
 * screenshot. The markdown is written beside the PNGs so a reviewer can diff the words.
 *
 *   npx tsx scripts/screenshots.ts [--chromium /usr/bin/chromium] [--out docs]
 *
 * Needs Chromium (`apt-get install -y chromium fonts-noto-color-emoji`). Not a test: it writes files.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { marked } from 'marked';
import type { ReadinessReport } from '../src/core/report.js';
import { runCheck } from '../src/pipeline.js';
import { renderMarkdown } from '../src/render/index.js';
import { gitChangeSet } from '../src/source/index.js';
// @ts-expect-error: the demo script is plain JavaScript without types.
import { createDemoRepo } from './demo.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const chromium = option('--chromium', 'chromium');
const outDir = resolve(root, option('--out', 'docs'));

/** The careful pull request: an additive, nullable column behind a lock timeout, and a handler that stores it. */
const READY_FILES: Record<string, string> = {
  'prisma/schema.prisma': `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

generator client {
  provider = "prisma-client-js"
}

model Order {
  id         Int      @id @default(autoincrement())
  customerId String
  total      Decimal
  note       String?
  createdAt  DateTime @default(now())
}
`,
  'prisma/migrations/20260401000000_order_note/migration.sql': `SET lock_timeout = '2s';

-- AlterTable
ALTER TABLE "Order" ADD COLUMN "note" TEXT;
`,
  'src/orders.ts': `import { Router } from 'express';
import { db } from './db.js';
import { logger } from './logger.js';
import { orderDuration } from './metrics.js';

export const ordersRouter = Router();

ordersRouter.post('/', async (req, res) => {
  const end = orderDuration.startTimer();
  const order = await db.order.create({
    data: { customerId: req.body.customerId, total: req.body.total, note: req.body.note ?? null },
  });
  logger.info({ orderId: order.id, hasNote: order.note !== null }, 'order created');
  end();
  res.status(201).json(order);
});
`,
};

/** Fixed commit dates, so the shas (and so the screenshots) are the same on every run. */
const GIT_DATES = { GIT_AUTHOR_DATE: '2026-06-01T09:00:00Z', GIT_COMMITTER_DATE: '2026-06-01T09:00:00Z' };

function git(dir: string, ...a: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=Demo', '-c', 'user.email=demo@example.com', '-c', 'commit.gpgsign=false', ...a],
    {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, ...GIT_DATES, GIT_CONFIG_NOSYSTEM: '1' },
    },
  );
}

async function judge(dir: string, head: string): Promise<ReadinessReport> {
  const changeSet = await gitChangeSet({ cwd: dir, base: 'main', head });
  try {
    const report = await runCheck({
      changeSet,
      now: new Date('2026-06-01T12:00:00Z'),
      repositoryUrl: 'https://github.com/acme/orders-api',
    });
    // The duration changes on every run; a fixed one keeps the screenshots stable.
    return { ...report, stats: { ...report.stats, durationMs: 1800 } };
  } finally {
    await changeSet.close?.();
  }
}

/** A page that looks like a comment on a GitHub pull request, with the rendered scorecard as its body. */
function page(markdown: string, title: string): string {
  const require = createRequire(import.meta.url);
  const css = readFileSync(require.resolve('github-markdown-css/github-markdown-light.css'), 'utf8');
  const body = marked.parse(markdown, { gfm: true, async: false });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>
${css}
html, body { margin: 0; background: #ffffff; }
body { font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif, "Noto Color Emoji"; }
.page { padding: 16px 24px 24px; width: 880px; }
.comment { border: 1px solid #d1d9e0; border-radius: 6px; }
.comment-header { background: #f6f8fa; border-bottom: 1px solid #d1d9e0; border-radius: 6px 6px 0 0; padding: 8px 16px; font-size: 14px; color: #59636e; }
.comment-header strong { color: #1f2328; }
.bot { border: 1px solid #d1d9e0; border-radius: 2em; padding: 0 7px; font-size: 12px; margin-left: 4px; }
.markdown-body { padding: 16px; font-size: 14px; }
</style></head>
<body><div class="page"><div class="comment">
<div class="comment-header"><strong>github-actions</strong> <span class="bot">bot</span> commented</div>
<div class="markdown-body">
${body}
</div></div></div></body></html>
`;
}

function chrome(args: string[], profile: string): string {
  return execFileSync(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      `--user-data-dir=${profile}`,
      '--hide-scrollbars',
      ...args,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 },
  );
}

/** Screenshots the whole page: a first load measures its height, the second shoots at exactly that size. */
function screenshot(htmlPath: string, pngPath: string, profile: string): void {
  const measure = htmlPath.replace(/\.html$/, '.measure.html');
  const html = readFileSync(htmlPath, 'utf8');
  writeFileSync(
    measure,
    html.replace(
      '</body>',
      '<script>document.title = "height:" + Math.ceil(document.querySelector(".page").getBoundingClientRect().height);</script></body>',
    ),
  );
  const dom = chrome(['--window-size=928,800', '--dump-dom', `file://${measure}`], profile);
  rmSync(measure);
  const height = Number(/height:(\d+)/.exec(dom)?.[1] ?? '2000');
  chrome([`--window-size=928,${height}`, `--screenshot=${pngPath}`, `file://${htmlPath}`], profile);
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'rg-screenshots-'));
  const profile = join(work, 'chromium-profile');
  try {
    const repo = join(work, 'repo');
    mkdirSync(repo);
    Object.assign(process.env, GIT_DATES);
    createDemoRepo(repo);
    git(repo, 'checkout', '-q', '-b', 'feature/order-note', 'main');
    for (const [path, text] of Object.entries(READY_FILES)) {
      mkdirSync(dirname(join(repo, path)), { recursive: true });
      writeFileSync(join(repo, path), text);
    }
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'Orders: an optional note, added without locking the table');

    mkdirSync(outDir, { recursive: true });
    for (const [name, head, expected] of [
      ['blocked', 'feature/order-status', 'blocked'],
      ['ready', 'feature/order-note', 'ready'],
    ] as const) {
      const report = await judge(repo, head);
      if (report.verdict !== expected) throw new Error(`the ${name} example came out ${report.verdict}`);
      const markdown = renderMarkdown(report);
      const base = join(outDir, `scorecard-${name}`);
      writeFileSync(`${base}.md`, markdown);
      const html = join(work, `scorecard-${name}.html`);
      writeFileSync(html, page(markdown, `Readiness Gates — ${name}`));
      screenshot(html, `${base}.png`, profile);
      process.stdout.write(`wrote ${base}.png (${report.verdict}, score ${report.score})\n`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
