/**
 * Hand-built reports for the renderer tests: ready, blocked with everything a scorecard can show, empty,
 * and huge. Built by hand (not by the engine) so the renderer tests pin rendering, not scoring.
 */
import type { GateResult, ReadinessReport } from '../../src/core/report.js';
import type { Finding, GateId, Severity } from '../../src/core/types.js';

const BASE_SHA = '1f3a5c7e9b2d4f6a8c0e1f3a5c7e9b2d4f6a8c0e';
const HEAD_SHA = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d';

function gate(
  id: GateId,
  title: string,
  status: GateResult['status'],
  score: number,
  baseScore: number,
  counts: Partial<GateResult['counts']> = {},
  note?: string,
): GateResult {
  return {
    id,
    title,
    status,
    score,
    baseScore,
    counts: { blocker: 0, warning: 0, notice: 0, existing: 0, suppressed: 0, waived: 0, ...counts },
    ...(note ? { note } : {}),
  };
}

function report(overrides: Partial<ReadinessReport>): ReadinessReport {
  return {
    schemaVersion: 1,
    tool: { name: 'readiness-gates', version: '0.1.0' },
    base: { ref: 'main', sha: BASE_SHA },
    head: { ref: 'feature/drop-title', sha: HEAD_SHA },
    verdict: 'ready',
    score: 100,
    baseScore: 100,
    gates: [],
    findings: [],
    errors: [],
    stats: { filesChanged: 0, filesAnalyzed: 0, durationMs: 0 },
    ...overrides,
  };
}

/** A PR with nothing to say: every gate skipped or passed, no findings. */
export const emptyReport: ReadinessReport = report({
  gates: [
    gate('migrations', 'Migrations', 'skip', 100, 100, {}, 'No migrations folder in the repository.'),
    gate('metrics', 'Metrics registry', 'pass', 100, 100),
    gate('pii', 'PII redaction', 'pass', 100, 100),
    gate('health', 'Health model', 'skip', 100, 100, {}, 'No HTTP server found.'),
  ],
  stats: { filesChanged: 2, filesAnalyzed: 0, durationMs: 412 },
  failOn: 'blocker',
  repositoryUrl: 'https://github.com/acme/shop',
});

/** Ready: a new warning and notice, one existing finding, a better score than the base. */
export const readyReport: ReadinessReport = report({
  verdict: 'ready',
  score: 97,
  baseScore: 93,
  gates: [
    {
      ...gate('migrations', 'Migrations', 'warn', 94, 99, { warning: 1, existing: 1 }),
      coverage: {
        examined: ['1 changed file read by its line rules', '18 migrations in 1 migration set (plain-sql) indexed'],
        notAnalysed: [],
      },
    },
    {
      ...gate('metrics', 'Metrics registry', 'warn', 99, 80, { notice: 1 }),
      coverage: {
        examined: ['1 changed file read by its line rules', '7 metric definitions in 3 files indexed'],
        notAnalysed: [],
      },
    },
    {
      ...gate('pii', 'PII redaction', 'pass', 100, 100),
      coverage: { examined: ['3 changed files read by its line rules'], notAnalysed: [] },
    },
    {
      ...gate('health', 'Health model', 'pass', 95, 95),
      coverage: {
        examined: ['3 Kubernetes probes → 2 handlers followed', '1 service with 14 routes read'],
        notAnalysed: [
          {
            subject: '1 probe',
            reason: 'an exec probe runs a command, which is not analysed',
            path: 'deploy/chart/templates/worker.yaml',
            line: 31,
          },
          {
            subject: '2 probe settings',
            reason: 'set by a Helm template the gate cannot render without running Helm',
            path: 'deploy/chart/templates/api.yaml',
            line: 40,
          },
        ],
      },
    },
  ],
  resolved: [
    {
      id: 'a9a8a7a6a5',
      ruleId: 'metrics/duplicate-name',
      gate: 'metrics',
      severity: 'blocker',
      path: 'src/metrics.ts',
      line: 8,
      message:
        'Metric "orders_total" is already registered in the default registry by the counter defined at src/legacy/metrics.ts:3.',
    },
  ],
  findings: [
    {
      id: 'c41d2e8f0a',
      ruleId: 'migrations/add-index-non-concurrent',
      gate: 'migrations',
      severity: 'warning',
      state: 'new',
      path: 'db/migrations/20250101_orders_idx.sql',
      line: 4,
      endLine: 4,
      column: 1,
      message: 'CREATE INDEX on "orders" without CONCURRENTLY locks writes to the table while the index builds.',
      fix: 'Use CREATE INDEX CONCURRENTLY in its own migration, outside a transaction.',
    },
    {
      id: '5be0a9d3c1',
      ruleId: 'metrics/missing-help',
      gate: 'metrics',
      severity: 'notice',
      state: 'new',
      path: 'src/metrics.ts',
      line: 12,
      endLine: 15,
      message: 'Counter "orders_total" has no help text, so dashboards show a bare name.',
      fix: 'Add a `help` string that says what is counted.',
    },
    {
      id: '77aa01be42',
      ruleId: 'health/liveness-checks-dependencies',
      gate: 'health',
      severity: 'warning',
      state: 'existing',
      path: 'src/health.ts',
      line: 20,
      endLine: 24,
      message: 'The liveness probe calls the database; a database outage restarts every pod.',
      fix: 'Check only the process in /livez; move dependency checks to /readyz.',
    },
  ],
  stats: { filesChanged: 6, filesAnalyzed: 5, durationMs: 1840 },
  failOn: 'blocker',
  repositoryUrl: 'https://github.com/acme/shop',
});

const DROP_COLUMN_DOCS = `# migrations/drop-column

Dropping a column breaks every running instance that still reads it: during a deploy old and new code run
side by side.

## Bad

\`\`\`sql
ALTER TABLE posts DROP COLUMN title;
\`\`\`

## Good

Stop reading the column in one release; drop it in the next.
`;

/** Blocked, with every section a scorecard can have, and text that needs escaping everywhere. */
export const mixedReport: ReadinessReport = report({
  verdict: 'blocked',
  score: 49,
  baseScore: 88,
  gates: [
    {
      ...gate('migrations', 'Migrations', 'fail', 40, 90, { blocker: 2, warning: 1, existing: 1, suppressed: 1 }),
      coverage: {
        examined: ['4 changed files read by its line rules', '44 migrations in 1 migration set (plain-sql) indexed'],
        notAnalysed: [
          { subject: 'db/mysql', reason: 'mysql: history rules apply, lock and rewrite rules only judge PostgreSQL' },
        ],
      },
    },
    {
      ...gate('metrics', 'Metrics registry', 'warn', 85, 85, { warning: 1, notice: 1, existing: 1, suppressed: 1 }),
      coverage: {
        examined: ['2 changed files read by its line rules', '12 metric definitions in 5 files indexed'],
        notAnalysed: [
          {
            subject: '1 metric name',
            reason: 'computed at run time (`prefix + "_total"`): collisions and naming not checked',
            path: 'src/jobs/metrics.ts',
            line: 12,
          },
        ],
      },
    },
    {
      ...gate('pii', 'PII redaction', 'fail', 45, 95, { blocker: 1, suppressed: 1, waived: 1 }),
      coverage: { examined: ['6 changed files read by its line rules'], notAnalysed: [] },
    },
    gate('health', 'Health model', 'skip', 100, 100, {}, 'No HTTP server found in the changed services.'),
  ],
  resolved: [
    {
      id: 'r1r2r3r4r5',
      ruleId: 'migrations/rename-column',
      gate: 'migrations',
      severity: 'blocker',
      path: 'db/migrations/0039_rename.sql',
      line: 4,
      message:
        'Renaming column "name" to "full_name" breaks every instance still reading `name` during the deploy. Old code selects it by name.',
    },
    {
      id: 'r6r7r8r9r0',
      ruleId: 'pii/sensitive-field-logged',
      gate: 'pii',
      severity: 'warning',
      path: 'src/api/session.ts',
      line: 27,
      message:
        'Field `password` of the login body reaches `logger.debug` through `ctx.body` and everything that handles the request then writes it verbatim into log lines that stay around for as long as the logs are retained and can be read by everyone with access.',
    },
  ],
  findings: [
    {
      id: 'a1b2c3d4e5',
      ruleId: 'migrations/drop-column',
      messageId: 'dropColumn',
      gate: 'migrations',
      severity: 'blocker',
      state: 'new',
      path: 'db/migrations/0042_drop_title.sql',
      line: 3,
      endLine: 3,
      column: 1,
      message: 'Dropping column "title" breaks instances still reading it.',
      fix: 'Stop reading "title" in one release (see src/posts.ts), drop it in the next.',
      related: [
        { path: 'src/posts.ts', line: 41, message: 'still selects "title"' },
        { path: 'src/feed/render.ts', line: 7, message: 'still reads post.title' },
      ],
    },
    {
      id: 'f00dfeed12',
      ruleId: 'pii/unredacted-request-log',
      gate: 'pii',
      severity: 'blocker',
      state: 'new',
      path: 'src/api/users.ts',
      line: 88,
      endLine: 90,
      message:
        'logger.info(req.headers) writes `authorization` and `cookie` to the logs; @app.get handlers log *every* request.',
      fix: 'Log an allow-list: `logger.info({ path: req.path, id: req.id })`, or wrap with maskHeaders().',
    },
    {
      id: 'b0a7c9e311',
      ruleId: 'migrations/not-null-without-default',
      gate: 'migrations',
      severity: 'blocker',
      state: 'new',
      path: 'db/migrations/0043_weird|name <x>`tick`.sql',
      line: 1,
      endLine: 2,
      message:
        'ADD COLUMN "status" NOT NULL without a DEFAULT fails on a non-empty table | rewrites it.\nSecond line with </details> and <script>alert(1)</script>.',
      fix: 'Add the column nullable, backfill in batches, then SET NOT NULL.',
    },
    {
      id: '3c3c3c3c3c',
      ruleId: 'migrations/add-index-non-concurrent',
      gate: 'migrations',
      severity: 'warning',
      state: 'new',
      path: 'db/migrations/0044_idx.sql',
      line: 2,
      endLine: 2,
      message: 'CREATE INDEX without CONCURRENTLY locks writes to "orders".',
      fix: 'Use CREATE INDEX CONCURRENTLY in its own migration.',
    },
    {
      id: '4d4d4d4d4d',
      ruleId: 'metrics/high-cardinality-label',
      gate: 'metrics',
      severity: 'warning',
      state: 'new',
      path: 'src/metrics.ts',
      line: 30,
      endLine: 30,
      message: 'Label "user_id" on http_requests_total creates one series per user.',
      fix: 'Drop the label or bucket it.',
      related: [{ path: 'src/metrics.ts', line: 5, message: 'metric defined here' }],
    },
    {
      id: '5e5e5e5e5e',
      ruleId: 'metrics/missing-help',
      gate: 'metrics',
      severity: 'notice',
      state: 'new',
      path: 'src/metrics.ts',
      line: 44,
      endLine: 44,
      message: 'Histogram "latency_seconds" has no help text.',
      fix: 'Add a help string.',
    },
    {
      id: '6f6f6f6f6f',
      ruleId: 'migrations/rename-column',
      gate: 'migrations',
      severity: 'blocker',
      state: 'existing',
      path: 'db/migrations/0007_rename.sql',
      line: 9,
      endLine: 9,
      message: 'Renaming column "name" breaks instances still using the old name.',
      fix: 'Add the new column, dual-write, then drop the old one.',
    },
    {
      id: '7a7a7a7a7a',
      ruleId: 'metrics/duplicate-name',
      gate: 'metrics',
      severity: 'warning',
      state: 'existing',
      path: 'src/legacy/metrics.js',
      line: 3,
      endLine: 3,
      message: 'Metric "requests_total" is also defined in src/metrics.ts:5.',
      fix: 'Register each metric once and import it.',
    },
    {
      id: '8b8b8b8b8b',
      ruleId: 'pii/sensitive-field-logged',
      gate: 'pii',
      severity: 'blocker',
      state: 'waived',
      path: 'src/legacy/export.py',
      line: 17,
      endLine: 17,
      message: 'Field "email" is logged without redaction.',
      fix: 'Use maskEmail().',
      suppression: {
        kind: 'waiver',
        reason: 'Export job runs on an isolated host; fix tracked in #512.',
        by: 'alice',
        until: '2026-03-31',
      },
    },
    {
      id: '9c9c9c9c9c',
      ruleId: 'migrations/drop-table',
      gate: 'migrations',
      severity: 'blocker',
      state: 'suppressed',
      path: 'db/migrations/0045_drop_tmp.sql',
      line: 2,
      endLine: 2,
      message: 'Dropping table "tmp_import" loses its data.',
      fix: 'Confirm no reader remains.',
      suppression: {
        kind: 'comment',
        reason: 'scratch table, created in 0041 and never read',
        by: 'db/migrations/0045_drop_tmp.sql:1',
      },
    },
    {
      id: 'adadadadad',
      ruleId: 'pii/sensitive-field-logged',
      gate: 'pii',
      severity: 'warning',
      state: 'suppressed',
      path: 'src/legacy/audit.ts',
      line: 60,
      endLine: 60,
      message: 'Field "tax_id" is logged without redaction.',
      fix: 'Redact it.',
      suppression: {
        kind: 'exception',
        reason: 'Legacy audit log is encrypted at rest | reviewed by security.',
        until: '2027-03-31',
      },
    },
    {
      id: 'bebebebebe',
      ruleId: 'metrics/duplicate-name',
      gate: 'metrics',
      severity: 'warning',
      state: 'suppressed',
      path: 'src/jobs/metrics.ts',
      line: 8,
      endLine: 8,
      message: 'Metric "jobs_total" is also defined in src/worker/metrics.ts.',
      fix: 'Register it once.',
      suppression: {
        kind: 'native',
        reason: 'shared registry by design',
        marker: 'squawk-ignore',
        by: 'src/jobs/metrics.ts:7',
      },
    },
  ],
  errors: [
    { path: 'db/migrations/0040_big.sql', message: 'File is larger than 1 MiB; not analysed.' },
    { path: 'assets/logo.png', message: 'Binary file.' },
  ],
  stats: { filesChanged: 14, filesAnalyzed: 11, durationMs: 2317 },
  failOn: 'blocker',
  expired: [
    {
      kind: 'exception',
      rule: 'pii/sensitive-field-logged',
      path: 'src/legacy/**',
      until: '2025-06-30',
      reason: 'Legacy module scheduled for removal.',
    },
    {
      kind: 'waiver',
      rule: 'metrics/duplicate-name',
      path: 'src/metrics.ts',
      until: '2025-09-01',
      reason: 'Until the registry refactor lands.',
    },
  ],
  configPreview: {
    changed: true,
    differences: ['rules.migrations/add-index-non-concurrent: warning → off', 'waivers.max-days: 90 → 365'],
    errors: ['.github/readiness.yml:7:5 gates.pii.redactors must be an array of strings'],
  },
  rules: [
    {
      id: 'metrics/duplicate-name',
      gate: 'metrics',
      severity: 'blocker',
      description: 'Two metric definitions share one name.',
    },
    {
      id: 'metrics/high-cardinality-label',
      gate: 'metrics',
      severity: 'warning',
      description: 'A label whose values are unbounded.',
    },
    { id: 'metrics/missing-help', gate: 'metrics', severity: 'notice', description: 'A metric without help text.' },
    {
      id: 'migrations/add-index-non-concurrent',
      gate: 'migrations',
      severity: 'warning',
      description: 'CREATE INDEX without CONCURRENTLY.',
    },
    {
      id: 'migrations/drop-column',
      gate: 'migrations',
      severity: 'blocker',
      description: 'Dropping a column still in use.',
      docs: DROP_COLUMN_DOCS,
    },
    { id: 'migrations/drop-table', gate: 'migrations', severity: 'blocker', description: 'Dropping a table.' },
    {
      id: 'migrations/not-null-without-default',
      gate: 'migrations',
      severity: 'blocker',
      description: 'NOT NULL column without default.',
    },
    {
      id: 'migrations/rename-column',
      gate: 'migrations',
      severity: 'blocker',
      description: 'Renaming a column in one step.',
    },
    {
      id: 'pii/sensitive-field-logged',
      gate: 'pii',
      severity: 'blocker',
      description: 'A sensitive field reaches a log call.',
    },
    {
      id: 'pii/unredacted-request-log',
      gate: 'pii',
      severity: 'blocker',
      description: 'A whole request object is logged.',
    },
  ],
  repositoryUrl: 'https://github.com/acme/shop',
});

const SEVERITIES: Severity[] = ['blocker', 'warning', 'notice'];
const GATES: GateId[] = ['migrations', 'metrics', 'pii', 'health'];

/**
 * `count` findings cycling through severities, states and gates; `messageLength` and `pathLength` make
 * each one as long as wanted. Deterministic, so snapshots and budgets are reproducible.
 */
export function hugeReport(
  count: number,
  { messageLength = 120, pathLength = 30 }: { messageLength?: number; pathLength?: number } = {},
): ReadinessReport {
  const findings: Finding[] = [];
  const states: Finding['state'][] = ['new', 'new', 'existing', 'suppressed', 'waived'];
  for (let i = 0; i < count; i++) {
    const severity = SEVERITIES[i % 3]!;
    const state = states[i % states.length]!;
    const gateId = GATES[i % 4]!;
    const dir = 'd'.repeat(Math.max(1, pathLength - 20));
    const finding: Finding = {
      id: `h${i.toString(16).padStart(9, '0')}`,
      ruleId: `${gateId}/rule-${i % 7}`,
      gate: gateId,
      severity,
      state,
      path: `src/${dir}/file-${i}.ts`,
      line: (i % 500) + 1,
      endLine: (i % 500) + 2,
      message: `Finding ${i}: ${'req.headers | <b>x</b> `y` '.repeat(Math.ceil(messageLength / 27)).slice(0, messageLength)}`,
      fix: `Fix ${i}: do the safe thing.`,
      related: i % 10 === 0 ? [{ path: `src/other-${i}.ts`, line: 1, message: 'related place' }] : undefined,
    };
    if (state === 'suppressed') finding.suppression = { kind: 'comment', reason: `reason ${i}`, by: `src/x.ts:${i}` };
    if (state === 'waived')
      finding.suppression = { kind: 'waiver', reason: `waived ${i}`, by: 'bob', until: '2026-01-01' };
    if (finding.related === undefined) delete finding.related;
    findings.push(finding);
  }
  const gates = GATES.map((id) => {
    const mine = findings.filter((f) => f.gate === id);
    const n = (pred: (f: Finding) => boolean) => mine.filter(pred).length;
    return gate(
      id,
      id[0]!.toUpperCase() + id.slice(1),
      n((f) => f.state === 'new' && f.severity === 'blocker') > 0 ? 'fail' : 'pass',
      0,
      10,
      {
        blocker: n((f) => f.state === 'new' && f.severity === 'blocker'),
        warning: n((f) => f.state === 'new' && f.severity === 'warning'),
        notice: n((f) => f.state === 'new' && f.severity === 'notice'),
        existing: n((f) => f.state === 'existing'),
        suppressed: n((f) => f.state === 'suppressed'),
        waived: n((f) => f.state === 'waived'),
      },
    );
  });
  return report({
    verdict: findings.some((f) => f.state === 'new' && f.severity === 'blocker') ? 'blocked' : 'ready',
    score: 0,
    baseScore: 10,
    gates,
    findings,
    errors: Array.from({ length: Math.min(count, 300) }, (_, i) => ({
      path: `vendor/big-${i}.sql`,
      message: 'File is larger than 1 MiB.',
    })),
    stats: { filesChanged: count, filesAnalyzed: count, durationMs: 65_000 },
    repositoryUrl: 'https://github.com/acme/shop',
  });
}
