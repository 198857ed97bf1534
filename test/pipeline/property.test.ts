/**
 * Property: whatever bytes and edits a pull request contains, the whole pipeline (every registered gate,
 * every renderer) returns a well-formed report and never throws.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/pipeline.js';
import { renderMarkdown, renderSarif, renderText } from '../../src/render/index.js';
import { memoryChangeSet } from '../../src/source/memory.js';

const SEEDS: Record<string, string> = {
  'src/app.ts': `import express from 'express';\nimport { Counter } from 'prom-client';\nconst app = express();\nconst c = new Counter({ name: 'x_total', help: 'x' });\napp.get('/healthz', async (req, res) => { console.log(req.headers); res.send('ok'); });\napp.listen(8080);\n`,
  'app/main.py': `import logging\nfrom fastapi import FastAPI\nfrom prometheus_client import Counter\nlog = logging.getLogger(__name__)\napp = FastAPI()\nC = Counter("y", "y")\n@app.get("/healthz")\ndef health(password: str):\n    log.info("pw %s", password)\n    return {"ok": True}\n`,
  'prisma/migrations/1_init/migration.sql': `CREATE TABLE "User" ("id" SERIAL PRIMARY KEY, "email" TEXT);\nCREATE INDEX "User_email_idx" ON "User"("email");\n`,
  'db/migrations/V2__drop.sql': `ALTER TABLE users DROP COLUMN email;\nALTER TABLE users ALTER COLUMN name SET NOT NULL;\n`,
  'k8s/deploy.yaml': `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api }\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          livenessProbe: { httpGet: { path: /healthz, port: 8080 } }\n---\napiVersion: v1\nkind: Service\nmetadata: { name: api }\nspec: { selector: { app: api } }\n`,
  'chart/templates/deploy.yaml': `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicas }}\n`,
  Dockerfile: `FROM node:20-alpine\nHEALTHCHECK CMD curl -f http://localhost:8080/healthz || exit 1\nCMD ["node", "dist/server.js"]\n`,
  'prisma/schema.prisma': `model User {\n  id Int @id\n  email String\n}\n`,
  'package.json': `{"name":"svc","dependencies":{"prom-client":"^15","pino":"^10"}}\n`,
};

const paths = Object.keys(SEEDS);

/** An edit of a seed text: cut, duplicate or splice random text/bytes at random places. */
const editArb = fc.oneof(
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), len: fc.nat({ max: 80 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.string({ maxLength: 60 }) }),
  fc.record({ kind: fc.constant('bytes' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 40 }) }),
  fc.record({ kind: fc.constant('dup' as const), at: fc.nat(), len: fc.nat({ max: 200 }) }),
);

type Edit =
  | { kind: 'cut'; at: number; len: number }
  | { kind: 'dup'; at: number; len: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'bytes'; at: number; bytes: Uint8Array };

function applyEdits(seed: string, edits: readonly Edit[]): string | Uint8Array {
  let bytes: Uint8Array = Buffer.from(seed, 'utf8');
  for (const e of edits) {
    const at = bytes.length ? e.at % (bytes.length + 1) : 0;
    if (e.kind === 'cut') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + e.len)]);
    else if (e.kind === 'dup')
      bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at, at + e.len), bytes.subarray(at)]);
    else if (e.kind === 'insert')
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(e.text, 'utf8'), bytes.subarray(at)]);
    else bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(e.bytes), bytes.subarray(at)]);
  }
  return bytes;
}

const prArb = fc.record({
  base: fc.subarray(paths, { minLength: 0 }),
  head: fc.array(fc.record({ path: fc.constantFrom(...paths), edits: fc.array(editArb, { maxLength: 4 }) }), {
    maxLength: 6,
  }),
  removed: fc.subarray(paths),
  random: fc.array(
    fc.record({
      name: fc.stringMatching(/^[a-z]{1,8}\.(ts|py|sql|yaml|js|tsx|go|prisma)$/),
      bytes: fc.uint8Array({ maxLength: 300 }),
    }),
    { maxLength: 3 },
  ),
});

describe('pipeline property', () => {
  it('any bytes and edits give a well-formed report and renderable output', async () => {
    await fc.assert(
      fc.asyncProperty(prArb, async (pr) => {
        const base: Record<string, string | Uint8Array> = {};
        for (const p of pr.base) base[p] = SEEDS[p]!;
        const head: Record<string, string | Uint8Array> = { ...base };
        for (const p of pr.removed) delete head[p];
        for (const h of pr.head) head[h.path] = applyEdits(SEEDS[h.path]!, h.edits);
        for (const r of pr.random) head[`src/rand/${r.name}`] = r.bytes;
        const report = await runCheck({
          changeSet: memoryChangeSet({ base, head }),
          now: new Date('2026-06-01T00:00:00Z'),
        });
        expect(report.schemaVersion).toBe(1);
        expect(report.score).toBeGreaterThanOrEqual(0);
        expect(report.score).toBeLessThanOrEqual(100);
        for (const f of report.findings) {
          expect(f.line).toBeGreaterThanOrEqual(1);
          expect(f.endLine).toBeGreaterThanOrEqual(f.line);
          expect(f.id).toMatch(/^[0-9a-f]{12}$/);
        }
        expect(
          report.errors.every((e) => !/failed/.test(e.message)),
          JSON.stringify(report.errors),
        ).toBe(true);
        expect(renderMarkdown(report).length).toBeLessThanOrEqual(65_536);
        expect(renderText(report, { color: false }).length).toBeGreaterThan(0);
        expect(renderSarif(report)).toHaveProperty('version', '2.1.0');
      }),
      { numRuns: 60, seed: 20261124 },
    );
  });
});
