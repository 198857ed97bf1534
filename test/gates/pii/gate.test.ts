/**
 * The PII gate through the engine: applicability, severities as reported (escalations included),
 * baseline states, suppressions, gate options from the config file, and the exact fix for the demo's
 * shape (headers logged under a key a pino logger in another module does not redact).
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/loader.js';
import { evaluate } from '../../../src/core/engine.js';
import { coreGate } from '../../../src/gates/core/index.js';
import { piiGate } from '../../../src/gates/pii/index.js';
import { memoryChangeSet } from '../../../src/source/memory.js';

const GATES = [piiGate, coreGate];

async function run(head: Record<string, string>, base: Record<string, string> = {}, config = '') {
  return evaluate({
    changeSet: memoryChangeSet({ base, head }),
    config: parseConfig(config, '.github/readiness.yml', GATES),
    gates: GATES,
    now: new Date('2026-06-01T00:00:00Z'),
  });
}

describe('pii gate', () => {
  it('skips a repository that has no source code or nothing that logs', async () => {
    const none = await run({ 'README.md': 'console.log(password)\n' });
    expect(none.gates.find((g) => g.id === 'pii')?.status).toBe('skip');
    const quiet = await run({ 'src/math.ts': 'export const add = (a: number, b: number) => a + b;\n' });
    expect(quiet.gates.find((g) => g.id === 'pii')?.status).toBe('skip');
  });

  it('applies to TypeScript and Python services that log', async () => {
    const ts = await run({ 'src/a.ts': 'logger.info({ password });\n' });
    expect(ts.gates.find((g) => g.id === 'pii')?.status).toBe('fail');
    const py = await run({ 'app/a.py': 'logger.info("%s", password)\n' });
    expect(py.gates.find((g) => g.id === 'pii')?.status).toBe('fail');
  });

  it('reports escalated whole objects as blockers and plain ones as warnings', async () => {
    const r = await run({
      'src/routes.ts': [
        "router.post('/login', (req) => { logger.info({ body: req.body }); });",
        "router.post('/orders', (req) => { logger.info({ body: req.body }); });",
      ].join('\n'),
    });
    const whole = r.findings.filter((f) => f.ruleId === 'pii/whole-object-logged');
    expect(whole.map((f) => [f.line, f.severity])).toEqual([
      [1, 'blocker'],
      [2, 'warning'],
    ]);
  });

  it('gives two findings on one line distinct ids, and marks what the base had as existing', async () => {
    const line = 'logger.info({ email: user.email, phone: user.phone });\n';
    const r = await run({ 'src/a.ts': `${line}logger.info({ token });\n` }, { 'src/a.ts': line });
    const personal = r.findings.filter((f) => f.ruleId === 'pii/personal-data-logged');
    expect(personal).toHaveLength(2);
    expect(new Set(personal.map((f) => f.id)).size).toBe(2);
    expect(personal.map((f) => f.state)).toEqual(['existing', 'existing']);
    expect(r.findings.find((f) => f.ruleId === 'pii/sensitive-field-logged')?.state).toBe('new');
  });

  it('honours readiness-ignore comments with a reason', async () => {
    const r = await run({
      'src/a.ts':
        '// readiness-ignore pii/sensitive-field-logged: the literal is a placeholder shown in docs\nlogger.info({ password });\n',
    });
    // The marker is new in this change, so the blocker it covers waits for approval (still blocking).
    const f = r.findings.find((x) => x.ruleId === 'pii/sensitive-field-logged');
    expect(f).toMatchObject({
      state: 'new',
      pendingApproval: { kind: 'comment', reason: 'the literal is a placeholder shown in docs' },
    });
    const allowed = await run(
      {
        'src/a.ts':
          '// readiness-ignore pii/sensitive-field-logged: the literal is a placeholder shown in docs\nlogger.info({ password });\n',
      },
      {},
      'suppressions: { new-blockers: allow }\n',
    );
    expect(allowed.findings.find((x) => x.ruleId === 'pii/sensitive-field-logged')?.state).toBe('suppressed');
  });

  it('reads gates.pii options from the config file', async () => {
    const head = {
      'src/a.ts': 'logger.info({ loyaltyNumber: m.loyaltyNumber, email: obscure(user.email) });\n',
      'tools/dump.ts': 'console.log(password);\n',
    };
    const config =
      'gates:\n  pii:\n    sensitive-fields: [loyalty_number]\n    redactors: [obscure]\n    exclude: ["tools/**"]\n';
    const r = await run(head, {}, config);
    expect(r.findings.map((f) => `${f.ruleId} ${f.path}:${f.line}`)).toEqual(['pii/sensitive-field-logged src/a.ts:1']);
  });

  it('rejects unknown gate options with the key', () => {
    expect(() => parseConfig('gates:\n  pii:\n    sensitive-field: [x]\n', '.github/readiness.yml', GATES)).toThrow(
      /sensitive-field/,
    );
  });

  it('names the exact redact paths for the shape logged, using the logger made in another module', async () => {
    const r = await run({
      'src/logger.ts':
        "import pino from 'pino';\nexport const logger = pino({ redact: ['req.headers.authorization', 'req.headers.cookie'] });\n",
      'src/orders.ts':
        "import { logger } from './logger.js';\nexport function h(req) {\n  logger.info({ headers: req.headers }, 'incoming');\n}\n",
    });
    const f = r.findings.find((x) => x.ruleId === 'pii/unredacted-request-log');
    expect(f?.line).toBe(3);
    expect(f?.message).toContain('the redaction of `logger` (src/logger.ts:2) does not cover this shape');
    expect(f?.fix).toContain(
      'add `headers.authorization` and `headers.cookie` to the `redact` paths of `logger` in src/logger.ts:2',
    );
  });
});
