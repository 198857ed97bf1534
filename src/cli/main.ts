/**
 * The CLI shell: parse arguments, build a ChangeSet from the local git repository, run the pipeline,
 * render, and map the verdict to an exit code (0 ready, 1 blocked, 2 usage or config error).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { closest } from 'fastest-levenshtein';
import { ConfigError } from '../config/types.js';
import { formatConfigError } from '../config/loader.js';
import { runCheck } from '../pipeline.js';
import { allRules } from '../gates/index.js';
import { ruleDocs } from '../gates/docs.js';
import { renderJson, renderMarkdown, renderSarifString, renderText, shouldColor, progressLine } from '../render/index.js';
import { gitChangeSet, SourceError } from '../source/index.js';
import { VERSION } from '../version.js';

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  cwd: string;
  env: NodeJS.ProcessEnv;
}

const USAGE = `Usage:
  readiness-gates check [--base REF] [--head REF] [--config PATH] [--format text|markdown|json|sarif] [--output FILE] [--cwd DIR]
  readiness-gates rules [--format text|json]
  readiness-gates explain <rule-id>
  readiness-gates --version

Exit codes: 0 ready, 1 blocked, 2 usage or configuration error.`;

const FORMATS = ['text', 'markdown', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

/** Files larger than this are never read at all; the config's max-file-bytes (default 1 MiB) applies below it. */
const READ_CEILING_BYTES = 64 * 1024 * 1024;

function usageError(io: CliIo, message: string): number {
  io.stderr.write(`readiness-gates: ${message}\n\n${USAGE}\n`);
  return 2;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  try {
    switch (command) {
      case 'check':
        return await check(rest, io);
      case 'rules':
        return rules(rest, io);
      case 'explain':
        return explain(rest, io);
      default: {
        const suggestion = closest(command, ['check', 'rules', 'explain']);
        return usageError(io, `unknown command "${command}" (did you mean "${suggestion}"?)`);
      }
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`readiness-gates: invalid configuration\n${formatConfigError(err)}\n`);
      return 2;
    }
    if (err instanceof SourceError) {
      io.stderr.write(`readiness-gates: ${err.message}\n${err.hint ? `${err.hint}\n` : ''}`);
      return 2;
    }
    if (err instanceof UsageError) return usageError(io, err.message);
    throw err;
  }
}

class UsageError extends Error {}

type OptionSpec = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>;

function parse(args: string[], options: OptionSpec) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function check(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, {
    base: { type: 'string' },
    head: { type: 'string' },
    config: { type: 'string' },
    format: { type: 'string', default: 'text' },
    output: { type: 'string', short: 'o' },
    cwd: { type: 'string', short: 'C' },
    'fail-on': { type: 'string' },
  });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const format = values.format as string;
  if (!FORMATS.includes(format as Format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}; got "${format}"`);
  const failOn = values['fail-on'] as string | undefined;
  if (failOn !== undefined && !['blocker', 'warning', 'never'].includes(failOn)) {
    throw new UsageError(`--fail-on must be blocker, warning or never; got "${failOn}"`);
  }
  const cwd = resolve(io.cwd, (values.cwd as string | undefined) ?? '.');
  const configPath = values.config as string | undefined;
  const configOverride = configPath
    ? { text: await readConfigFile(resolve(io.cwd, configPath)), file: configPath }
    : undefined;

  const changeSet = await gitChangeSet({
    cwd,
    ...(values.base ? { base: values.base as string } : {}),
    ...(values.head ? { head: values.head as string } : {}),
    maxFileBytes: READ_CEILING_BYTES,
  });
  const showProgress = format === 'text' && io.stderr.isTTY === true;
  let lastProgress = 0;
  try {
    const report = await runCheck({
      changeSet,
      ...(configOverride ? { configOverride } : {}),
      ...(failOn ? { failOn: failOn as 'blocker' | 'warning' | 'never' } : {}),
      ...(fileBudgetMs(io.env) !== undefined ? { fileBudgetMs: fileBudgetMs(io.env)! } : {}),
      ...(showProgress
        ? {
            onProgress: (done: number, total: number, label: string) => {
              const now = Date.now();
              if (total < 200 || now - lastProgress < 100) return;
              lastProgress = now;
              io.stderr.write(`\r${progressLine(done, total, label)}`);
            },
          }
        : {}),
    });
    if (showProgress && lastProgress) io.stderr.write('\r\x1b[K');
    const output = values.output as string | undefined;
    const text = render(report, format as Format, output ? false : shouldColor(io.stdout, io.env));
    if (output) await writeFile(resolve(io.cwd, output), text);
    else io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return report.verdict === 'blocked' ? 1 : 0;
  } finally {
    await changeSet.close?.();
  }
}

async function readConfigFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --config ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function render(report: Parameters<typeof renderJson>[0], format: Format, color: boolean): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'markdown':
      return renderMarkdown(report, {});
    case 'sarif':
      return renderSarifString(report);
    case 'text':
      return renderText(report, { color });
  }
}

function rules(args: string[], io: CliIo): number {
  const { values, positionals } = parse(args, { format: { type: 'string', default: 'text' } });
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const list = allRules().map((r) => ({ id: r.meta.id, gate: r.meta.gate, severity: r.meta.severity, description: r.meta.description }));
  if (values.format === 'json') {
    io.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  if (values.format !== 'text') throw new UsageError(`--format must be text or json; got "${String(values.format)}"`);
  const idWidth = Math.max(...list.map((r) => r.id.length), 4);
  for (const r of list) io.stdout.write(`${r.id.padEnd(idWidth)}  ${r.severity.padEnd(7)}  ${r.description}\n`);
  return 0;
}

function explain(args: string[], io: CliIo): number {
  const { positionals } = parse(args, {});
  const id = positionals[0];
  if (!id) throw new UsageError('explain needs a rule id, e.g. `readiness-gates explain migrations/drop-column`');
  const docs = ruleDocs(id);
  if (!docs) {
    const ids = allRules().map((r) => r.meta.id);
    const suggestion = ids.length ? ` (did you mean "${closest(id, ids)}"?)` : '';
    io.stderr.write(`readiness-gates: unknown rule "${id}"${suggestion}. \`readiness-gates rules\` lists them.\n`);
    return 2;
  }
  io.stdout.write(docs.endsWith('\n') ? docs : `${docs}\n`);
  return 0;
}

/** `READINESS_FILE_BUDGET_MS`: the time one file's analysis may take (default 10 s). */
function fileBudgetMs(env: Record<string, string | undefined>): number | undefined {
  const raw = env.READINESS_FILE_BUDGET_MS;
  if (raw === undefined || raw === '') return undefined;
  const ms = Number(raw);
  if (!Number.isFinite(ms) || ms <= 0) throw new UsageError(`READINESS_FILE_BUDGET_MS must be a positive number of milliseconds; got "${raw}"`);
  return ms;
}
