/**
 * Generates the engine benchmark's repository: 10,000 files of realistic service code (TS, JS, Python,
 * SQL migrations, Kubernetes YAML) on `main`, and a pull request branch `pr` that changes 1,000 of them
 * (≈10 MB), plus a branch `small-pr` that changes 20. Deterministic (seeded PRNG).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Generated {
  dir: string;
  prFiles: number;
  prBytes: number;
  smallPrFiles: number;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['order', 'invoice', 'customer', 'payment', 'shipment', 'cart', 'account', 'ledger', 'refund', 'coupon'];

function tsModule(r: () => number, i: number, blocks: number): string {
  const parts: string[] = [
    `import { Router } from 'express';\nimport { Counter, Histogram } from 'prom-client';\nimport { logger } from '../logger.js';\nimport { db } from '../db.js';\n`,
    `export const requests${i} = new Counter({ name: 'svc_${i}_requests_total', help: 'Requests for module ${i}', labelNames: ['route', 'status'] });\n`,
    `export const latency${i} = new Histogram({ name: 'svc_${i}_duration_seconds', help: 'Latency', buckets: [0.1, 0.5, 1] });\n`,
    `export const router${i} = Router();\n`,
  ];
  for (let b = 0; b < blocks; b++) {
    const w = WORDS[Math.floor(r() * WORDS.length)]!;
    parts.push(`
router${i}.get('/${w}s/:id/${b}', async (req, res) => {
  const end = latency${i}.startTimer();
  const ${w} = await db.${w}.findUnique({ where: { id: req.params.id } });
  if (!${w}) {
    requests${i}.inc({ route: '/${w}s/:id', status: '404' });
    logger.warn({ ${w}Id: req.params.id }, '${w} not found');
    return res.status(404).json({ error: 'not found' });
  }
  const total = [1, 2, 3].map((n) => n * ${b}).reduce((a, n) => a + n, 0);
  logger.info({ ${w}Id: ${w}.id, total }, 'served ${w}');
  requests${i}.inc({ route: '/${w}s/:id', status: '200' });
  end();
  return res.json({ ...${w}, total });
});
`);
  }
  return parts.join('');
}

function pyModule(r: () => number, i: number, blocks: number): string {
  const parts = [
    `import logging\nfrom fastapi import APIRouter, HTTPException\nfrom prometheus_client import Counter\n\nlog = logging.getLogger(__name__)\nrouter = APIRouter()\nREQUESTS_${i} = Counter("py_${i}_requests_total", "Requests", ["route"])\n`,
  ];
  for (let b = 0; b < blocks; b++) {
    const w = WORDS[Math.floor(r() * WORDS.length)]!;
    parts.push(`

@router.get("/${w}s/{item_id}/${b}")
async def get_${w}_${b}(item_id: int):
    REQUESTS_${i}.labels(route="/${w}s").inc()
    item = await repository.find_${w}(item_id)
    if item is None:
        log.warning("${w} %s not found", item_id)
        raise HTTPException(status_code=404)
    totals = [x * ${b} for x in range(3)]
    log.info("served ${w} %s", item.id)
    return {"id": item.id, "total": sum(totals)}
`);
  }
  return parts.join('');
}

function sqlMigration(i: number): string {
  return `-- migration ${i}
CREATE TABLE "t_${i}" (
    "id" BIGSERIAL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX "t_${i}_name_idx" ON "t_${i}" ("name");
`;
}

function k8s(i: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-${i}
spec:
  selector: { matchLabels: { app: svc-${i} } }
  template:
    metadata: { labels: { app: svc-${i} } }
    spec:
      containers:
        - name: app
          image: example/svc-${i}:1.0.0
          livenessProbe: { httpGet: { path: /livez, port: 8080 } }
          readinessProbe: { httpGet: { path: /readyz, port: 8080 } }
`;
}

/** Creates the repository under `dir` (wiped first). */
export function generate(dir: string): Generated {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const r = rng(42);
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  const git = (...args: string[]) =>
    execFileSync(
      'git',
      ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', '-c', 'commit.gpgsign=false', ...args],
      {
        cwd: dir,
        stdio: 'pipe',
        maxBuffer: 1 << 30,
        env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' },
      },
    );

  // 10,000 files over 10 services.
  const files: Array<{ path: string; kind: 'ts' | 'js' | 'py' | 'sql' | 'yaml' }> = [];
  for (let i = 0; i < 10_000; i++) {
    const svc = `services/svc${i % 10}`;
    const k = i % 20;
    const kind = k < 9 ? 'ts' : k < 12 ? 'js' : k < 17 ? 'py' : k < 19 ? 'sql' : 'yaml';
    const path =
      kind === 'sql'
        ? `${svc}/migrations/${String(i).padStart(6, '0')}_m${i}.sql`
        : kind === 'yaml'
          ? `${svc}/k8s/deploy-${i}.yaml`
          : `${svc}/src/m${i}.${kind}`;
    files.push({ path, kind });
  }
  for (let s = 0; s < 10; s++) {
    write(
      `services/svc${s}/package.json`,
      JSON.stringify({ name: `svc${s}`, dependencies: { 'prom-client': '^15', pino: '^10' } }) + '\n',
    );
    write(
      `services/svc${s}/src/logger.ts`,
      `import pino from 'pino';\nexport const logger = pino({ redact: ['req.headers.authorization', 'req.headers.cookie'] });\n`,
    );
  }
  const content = (f: (typeof files)[number], i: number, blocks: number) =>
    f.kind === 'ts' || f.kind === 'js'
      ? tsModule(r, i, blocks)
      : f.kind === 'py'
        ? pyModule(r, i, blocks)
        : f.kind === 'sql'
          ? sqlMigration(i)
          : k8s(i);
  files.forEach((f, i) => write(f.path, content(f, i, 3)));
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'base');

  // The large PR: 1,000 code files grown to ≈10 KB each (SQL migrations are added, never edited).
  git('checkout', '-q', '-b', 'pr');
  let prBytes = 0;
  let prFiles = 0;
  const codeFiles = files.map((f, i) => ({ ...f, i })).filter((f) => f.kind !== 'sql');
  for (let n = 0; n < 950; n++) {
    const f = codeFiles[(n * 7) % codeFiles.length]!;
    const text =
      f.kind === 'yaml'
        ? k8s(f.i).replace('1.0.0', '1.1.0') + `---\n# ${'padding '.repeat(50)}\n`.repeat(15)
        : content(f, f.i, f.kind === 'py' ? 21 : 15);
    write(f.path, text);
    prBytes += Buffer.byteLength(text);
    prFiles++;
  }
  for (let n = 0; n < 50; n++) {
    const text = sqlMigration(20_000 + n) + `ALTER TABLE "t_${n}" ADD COLUMN "note_${n}" TEXT;\n`;
    write(`services/svc${n % 10}/migrations/${String(20_000 + n).padStart(6, '0')}_pr${n}.sql`, text);
    prBytes += Buffer.byteLength(text);
    prFiles++;
  }
  git('add', '-A');
  git('commit', '-q', '-m', 'large pull request');

  // The small PR: 20 files.
  git('checkout', '-q', 'main');
  git('checkout', '-q', '-b', 'small-pr');
  for (let n = 0; n < 20; n++) {
    const f = codeFiles[(n * 13) % codeFiles.length]!;
    write(f.path, content(f, f.i, 5));
  }
  git('add', '-A');
  git('commit', '-q', '-m', 'small pull request');
  git('checkout', '-q', 'main');
  return { dir, prFiles, prBytes, smallPrFiles: 20 };
}
