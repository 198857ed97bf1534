/**
 * The fake GitHub as its own process, for load tests and manual runs:
 *
 *   npx tsx test/support/fake-github/server.ts [--port 0] [--seed-file state.json] [--rng-seed 1] [--no-validate-responses]
 *
 * Prints `FAKE_GITHUB_URL=http://127.0.0.1:<port>` on its first stdout line once it listens, then
 * serves until SIGINT/SIGTERM. `--seed-file` is JSON `{ repos?: SeedRepo[], tokens?: {[token]: TokenSpec},
 * apps?: AppSpec[] }` (binary contents as `{ "base64": "…" }`). Another process drives it through the
 * control API: POST /_fake/seed | /_fake/tokens | /_fake/apps | /_fake/comments | /_fake/faults,
 * POST /_fake/pulls/head `{ owner, repo, number, sha }` (a push: moves the PR's head and its branch),
 * GET /_fake/requests?since=<seq> | /_fake/unexpected | /_fake/repos/<owner>/<repo>, DELETE /_fake/faults | /_fake/requests.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startFakeGitHub, type AppSpec, type TokenSpec } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'seed-file': { type: 'string' },
    'rng-seed': { type: 'string', default: '1' },
    'no-validate-responses': { type: 'boolean', default: false },
    'no-record-bodies': { type: 'boolean', default: false },
  },
});

const fake = await startFakeGitHub({
  port: Number(values.port),
  seed: Number(values['rng-seed']),
  validateResponses: !values['no-validate-responses'],
  recordBodies: !values['no-record-bodies'],
});

if (values['seed-file']) {
  const seed = JSON.parse(readFileSync(values['seed-file'], 'utf8')) as {
    repos?: Array<Record<string, unknown>>;
    tokens?: Record<string, TokenSpec>;
    apps?: AppSpec[];
  };
  for (const app of seed.apps ?? []) fake.addApp(app);
  for (const [token, spec] of Object.entries(seed.tokens ?? {})) fake.addToken(token, spec);
  // Same decoding of { base64 } contents as the control API: go through it.
  for (const repo of seed.repos ?? []) {
    const res = await fetch(`${fake.url}/_fake/seed`, { method: 'POST', body: JSON.stringify(repo) });
    if (!res.ok)
      throw new Error(`seeding ${String(repo['owner'])}/${String(repo['repo'])} failed: ${await res.text()}`);
  }
}

process.stdout.write(`FAKE_GITHUB_URL=${fake.url}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (fake.unexpected.length > 0)
      process.stderr.write(`fake GitHub: ${fake.unexpected.length} unexpected request(s)\n`);
    void fake.close().then(() => process.exit(0));
  });
}
