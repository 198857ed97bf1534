/**
 * Work that never ends (issue 13, item 5), through the CLI: the two inputs that pinned a core are
 * analysed in linear time and judged, not skipped. The time bounds are generous (the old code took about an
 * hour and 47 s–5 min); they are there so that a quadratic regression fails instead of hanging CI.
 */
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { cleanupTempDirs, makeRepo } from '../source/helpers.js';

afterAll(cleanupTempDirs);

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => text };
}

async function timedCheck(base: Record<string, string>, head: Record<string, string>) {
  const repo = makeRepo();
  repo.writeAll({ 'README.md': '# x\n', ...base });
  repo.commit('base');
  repo.git('checkout', '-q', '-b', 'pr');
  repo.writeAll(head);
  repo.commit('pr');
  const out = sink();
  const started = performance.now();
  const code = await run(['check', '--base', 'main', '--head', 'pr', '--format', 'json'], {
    stdout: out.stream,
    stderr: sink().stream,
    cwd: repo.dir,
    env: {},
  });
  return { code, ms: performance.now() - started, report: JSON.parse(out.text()) };
}

describe('hostile inputs are analysed in linear time', () => {
  it('a 40 KB logger.info(a + a + … + password) is judged in seconds', async () => {
    const chain = `${'a + '.repeat(10_000)}password`;
    const { code, ms, report } = await timedCheck(
      {
        'package.json': '{ "name": "svc", "dependencies": { "pino": "^9.0.0" } }\n',
        'src/logger.ts': "import pino from 'pino';\nexport const logger = pino();\n",
      },
      {
        'src/log.ts': `import { logger } from './logger';\nexport function f(a: string, password: string) {\n  logger.info(${chain});\n}\n`,
      },
    );
    expect(report.findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(['pii/sensitive-field-logged']);
    expect(report.incomplete).toBeUndefined();
    expect(code).toBe(1);
    expect(ms).toBeLessThan(20_000);
  });

  it('a 600 KB YAML value of {{ is parsed in seconds', async () => {
    const manifest = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n    x: ${'{{'.repeat(300_000)}\n`;
    const { ms, report } = await timedCheck(
      { Dockerfile: 'FROM node:22\nCMD ["node", "main.js"]\n' },
      { 'k8s/deployment.yaml': manifest },
    );
    expect(report.stats.filesChanged).toBe(1);
    expect(ms).toBeLessThan(20_000);
  });
});
