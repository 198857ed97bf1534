/**
 * The demo's risky pull request on top of the base: every gate gets something real to catch.
 * - migrations: the applied init migration is edited; a new migration builds an index without
 *   CONCURRENTLY on an existing table and drops a column.
 * - metrics: a counter registered again under an existing name, inside a request handler.
 * - pii: the request's headers and a customer's email are logged.
 * - health: the liveness probe now points at an endpoint that queries the database, and that endpoint's
 *   timeout timer is never cleared.
 */
export const prFiles = {
  'prisma/migrations/20260101000000_init/migration.sql': `-- CreateTable
CREATE TABLE "Order" (
    "id" SERIAL NOT NULL,
    "customerId" TEXT NOT NULL,
    "customerEmail" TEXT,
    "total" DECIMAL(65,30) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Order_pkey" PRIMARY KEY ("id")
);
`,
  'prisma/migrations/20260301000000_order_status/migration.sql': `-- AlterTable
ALTER TABLE "Order" ADD COLUMN "status" TEXT NOT NULL DEFAULT 'pending';
ALTER TABLE "Order" DROP COLUMN "total";

-- CreateIndex
CREATE INDEX "Order_status_idx" ON "Order"("status");
`,
  'prisma/schema.prisma': `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

generator client {
  provider = "prisma-client-js"
}

model Order {
  id            Int      @id @default(autoincrement())
  customerId    String
  customerEmail String?
  status        String   @default("pending")
  createdAt     DateTime @default(now())

  @@index([status])
}
`,
  'src/orders.ts': `import { Router } from 'express';
import { Counter } from 'prom-client';
import { db } from './db.js';
import { logger } from './logger.js';
import { orderDuration } from './metrics.js';

export const ordersRouter = Router();

ordersRouter.post('/', async (req, res) => {
  const end = orderDuration.startTimer();
  logger.info({ headers: req.headers }, 'incoming order');
  const requests = new Counter({ name: 'http_requests_total', help: 'Orders requests', labelNames: ['status'] });
  const order = await db.order.create({ data: { customerId: req.body.customerId, customerEmail: req.body.email } });
  logger.info(\`order \${order.id} created for \${req.body.email}\`);
  requests.inc({ status: 'created' });
  end();
  res.status(201).json(order);
});
`,
  'src/health.ts': `import type { Express } from 'express';
import { db } from './db.js';

let shuttingDown = false;
export function markShuttingDown(): void {
  shuttingDown = true;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms))]);
}

export function healthRoutes(app: Express): void {
  app.get('/livez', (_req, res) => {
    res.status(200).send('ok');
  });

  // One endpoint for everything: process up AND database reachable.
  app.get('/healthz', async (_req, res) => {
    try {
      await withTimeout(db.$queryRaw\`SELECT 1\`, 1000);
      res.status(200).send('ok');
    } catch {
      res.status(503).send('database unavailable');
    }
  });

  app.get('/readyz', async (_req, res) => {
    if (shuttingDown) return res.status(503).send('shutting down');
    // The database check is bounded, and its timer cleared whichever side wins the race.
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        db.$queryRaw\`SELECT 1\`,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), 1000);
        }),
      ]);
      res.status(200).send('ready');
    } catch {
      res.status(503).send('database unavailable');
    } finally {
      clearTimeout(timer);
    }
  });
}
`,
  'k8s/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders-api
spec:
  replicas: 3
  selector:
    matchLabels: { app: orders-api }
  template:
    metadata:
      labels: { app: orders-api }
    spec:
      terminationGracePeriodSeconds: 30
      containers:
        - name: orders-api
          image: ghcr.io/example/orders-api:1.1.0
          ports:
            - containerPort: 8080
          livenessProbe:
            httpGet: { path: /healthz, port: 8080 }
            periodSeconds: 10
            failureThreshold: 3
          readinessProbe:
            httpGet: { path: /readyz, port: 8080 }
            periodSeconds: 5
---
apiVersion: v1
kind: Service
metadata:
  name: orders-api
spec:
  selector: { app: orders-api }
  ports:
    - port: 80
      targetPort: 8080
`,
};
