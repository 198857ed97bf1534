/**
 * The CLI shell: parse arguments, build a ChangeSet from the local git repository, run the pipeline,
 * render, and map the verdict to an exit code (0 ready, 1 blocked, 2 usage or config error).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { closest } from 'fastest-levenshtein';
// Only what every command needs is imported here; each command imports its own modules when it runs, so
// `--version`, `--help` and `rules` never load the engine, the config schema or a parser (bench/startup).
import { ConfigError } from '../config/types.js';
import type { FactsWorkerPool } from '../core/facts-parallel.js';
import type { ReadinessReport } from '../core/report.js';
import { SourceError } from '../source/errors.js';
import type { WorkingTreeChanges } from '../source/git.js';
import { VERSION } from '../version.js';

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  cwd: string;
  env: NodeJS.ProcessEnv;
}

const FORMATS = ['text', 'markdown', 'json', 'sarif'] as const;

/** One flag of one command: what parseArgs needs and what `--help` prints. */
interface Flag {
  name: string;
  short?: string;
  /** The value's placeholder (`REF`); a flag without one is a boolean switch. */
  value?: string;
  default?: string;
  help: string;
}

interface Command {
  /** `check [options]`, `explain <rule-id>` */
  synopsis: string;
  summary: string;
  flags: Flag[];
  /** Paragraphs after the flags. */
  notes?: string;
}

const HELP_FLAG: Flag = { name: 'help', short: 'h', help: 'show this help' };

/** Every command and flag, in the order `--help` shows them; parsing, help and "did you mean" read this. */
const COMMANDS: Record<'check' | 'rules' | 'explain', Command> = {
  check: {
    synopsis: 'check [options]',
    summary: 'judge the current change (the working tree, or --head) against the branch it targets',
    flags: [
      {
        name: 'base',
        value: 'REF',
        help: "the branch the change targets (default: the branch's upstream, else origin/HEAD, origin/main, origin/master, main, master)",
      },
      {
        name: 'head',
        value: 'REF',
        help: 'judge this commit instead of the working tree (default: HEAD plus uncommitted changes)',
      },
      { name: 'committed', help: 'ignore uncommitted changes: judge the HEAD commit as it is' },
      { name: 'config', value: 'PATH', help: "use this file instead of the base branch's .github/readiness.yml" },
      { name: 'format', value: FORMATS.join('|'), default: 'text', help: 'the report format' },
      { name: 'output', short: 'o', value: 'FILE', help: 'write the report to FILE instead of stdout' },
      {
        name: 'fail-on',
        value: 'blocker|warning|never',
        help: "what makes the exit code 1 (default: the config's fail-on, else blocker)",
      },
      { name: 'cwd', short: 'C', value: 'DIR', help: 'run in DIR (any directory inside the checkout)' },
      {
        name: 'cache-dir',
        value: 'DIR',
        help: "keep per-file facts and grep answers here between runs (default: the repository's .git/readiness-gates)",
      },
      { name: 'no-cache', help: 'neither read nor write the analysis cache' },
      {
        name: 'fill-cache',
        help: 'build every index over the whole repository so the cache serves the next checks (run it on the base branch)',
      },
      HELP_FLAG,
    ],
    notes: [
      'By default the head is the working tree: staged, unstaged and untracked (not ignored) changes count as if',
      'committed on top of HEAD, so "check before I commit" works; the CLI says on stderr when it included any.',
      'Neither the index nor any branch is changed. --committed or --head REF judge a commit instead.',
    ].join('\n'),
  },
  rules: {
    synopsis: 'rules [options]',
    summary: 'list every rule: id, default severity, one-line description',
    flags: [{ name: 'format', value: 'text|json', default: 'text', help: 'the list format' }, HELP_FLAG],
  },
  explain: {
    synopsis: 'explain <rule-id>',
    summary: "print a rule's documentation: why it matters, a bad and a good example, how to fix it",
    flags: [HELP_FLAG],
  },
};

type CommandName = keyof typeof COMMANDS;

const EXIT_CODES = 'Exit codes: 0 ready, 1 blocked, 2 usage or configuration error.';

const USAGE = [
  'Usage:',
  ...Object.values(COMMANDS).map((c) => `  readiness-gates ${c.synopsis.padEnd(20)} ${c.summary}`),
  `  readiness-gates ${'--version'.padEnd(20)} print the version`,
  '',
  '`readiness-gates <command> --help` lists the options of a command.',
  EXIT_CODES,
].join('\n');

/** `readiness-gates <command> --help`: the synopsis, every flag with its value and default, the notes. */
export function commandHelp(name: CommandName): string {
  const c = COMMANDS[name];
  const label = (f: Flag) => `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.value ? ` ${f.value}` : ''}`;
  const width = Math.max(...c.flags.map((f) => label(f).length));
  const lines = [
    `Usage: readiness-gates ${c.synopsis}`,
    '',
    `${c.summary[0]!.toUpperCase()}${c.summary.slice(1)}.`,
    '',
    'Options:',
  ];
  for (const f of c.flags)
    lines.push(`  ${label(f).padEnd(width)}  ${f.help}${f.default ? ` (default: ${f.default})` : ''}`);
  if (c.notes) lines.push('', c.notes);
  if (name === 'check') lines.push('', EXIT_CODES);
  return lines.join('\n');
}

/** A command name, not a property every object has (`toString`). */
const isCommand = (name: string | undefined): name is CommandName =>
  name !== undefined && Object.hasOwn(COMMANDS, name);

type Format = (typeof FORMATS)[number];

/** Files larger than this are never read at all; the config's max-file-bytes (default 1 MiB) applies below it. */
const READ_CEILING_BYTES = 64 * 1024 * 1024;

function usageError(io: CliIo, message: string, command?: CommandName): number {
  io.stderr.write(`readiness-gates: ${message}\n\n${command ? commandHelp(command) : USAGE}\n`);
  return 2;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (command === 'help' && isCommand(rest[0])) {
    io.stdout.write(`${commandHelp(rest[0])}\n`);
    return 0;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  try {
    if (isCommand(command) && (rest.includes('--help') || rest.includes('-h'))) {
      io.stdout.write(`${commandHelp(command)}\n`);
      return 0;
    }
    switch (command) {
      case 'check':
        return await check(rest, io);
      case 'rules':
        return await rules(rest, io);
      case 'explain':
        return await explain(rest, io);
      default: {
        const suggestion = closest(command, Object.keys(COMMANDS));
        return usageError(io, `unknown command "${command}" (did you mean "${suggestion}"?)`);
      }
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      const { formatConfigError } = await import('../config/loader.js');
      io.stderr.write(`readiness-gates: invalid configuration\n${formatConfigError(err)}\n`);
      return 2;
    }
    if (err instanceof SourceError) {
      io.stderr.write(`readiness-gates: ${err.message}\n${err.hint ? `${err.hint}\n` : ''}`);
      return 2;
    }
    if (err instanceof UsageError) return usageError(io, err.message, isCommand(command) ? command : undefined);
    throw err;
  }
}

class UsageError extends Error {}

type OptionSpec = NonNullable<NonNullable<Parameters<typeof parseArgs>[0]>['options']>;

/** Parses one command's arguments against its flags; an unknown flag names the closest known one. */
function parse(name: CommandName, args: string[]) {
  const flags = COMMANDS[name].flags;
  const options: OptionSpec = {};
  for (const f of flags) {
    options[f.name] = {
      type: f.value ? 'string' : 'boolean',
      ...(f.short ? { short: f.short } : {}),
      ...(f.default ? { default: f.default } : {}),
    };
  }
  for (const arg of args) {
    if (arg === '--') break;
    if (!arg.startsWith('--')) continue;
    const flag = arg.slice(2).split('=')[0]!;
    if (flags.some((f) => f.name === flag)) continue;
    const guess = closest(
      flag,
      flags.map((f) => f.name),
    );
    throw new UsageError(`unknown option --${flag} for ${name} (did you mean --${guess}?)`);
  }
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function check(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse('check', args);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const format = values.format as string;
  if (!FORMATS.includes(format as Format))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}; got "${format}"`);
  const failOn = values['fail-on'] as string | undefined;
  if (failOn !== undefined && !['blocker', 'warning', 'never'].includes(failOn)) {
    throw new UsageError(`--fail-on must be blocker, warning or never; got "${failOn}"`);
  }
  const cwd = resolve(io.cwd, (values.cwd as string | undefined) ?? '.');
  const configPath = values.config as string | undefined;
  // `extends:` paths in a --config file are read from the disk, relative to that file.
  const configOverride = configPath
    ? {
        text: await readConfigFile(resolve(io.cwd, configPath)),
        file: configPath,
        readPath: (path: string) => readFile(resolve(io.cwd, path), 'utf8').catch(() => undefined),
      }
    : undefined;

  const [{ gitChangeSet, gitCommonDir }, { runCheck }, renderers, { DiskCache }, { factsWorkersFromEnv }] =
    await Promise.all([
      import('../source/git.js'),
      import('../pipeline.js'),
      import('../render/index.js'),
      import('../source/disk-cache.js'),
      import('../facts-workers.js'),
    ]);
  let workers: FactsWorkerPool | undefined;
  try {
    workers = factsWorkersFromEnv(io.env);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const cacheDir = values['cache-dir'] as string | undefined;
  if (values['fill-cache'] === true && values['no-cache'] === true)
    throw new UsageError('--fill-cache fills the analysis cache: it cannot go with --no-cache');
  const cache =
    values['no-cache'] === true
      ? undefined
      : new DiskCache(
          cacheDir ? resolve(io.cwd, cacheDir) : join(await gitCommonDir(cwd).catch(() => cwd), 'readiness-gates'),
        );
  const changeSet = await gitChangeSet({
    cwd,
    ...(cache ? { cache } : {}),
    ...(values.base ? { base: values.base as string } : {}),
    ...(values.head ? { head: values.head as string } : {}),
    maxFileBytes: READ_CEILING_BYTES,
    workingTree: values.committed !== true,
  });
  if (changeSet.baseFallback) io.stderr.write(`readiness-gates: ${changeSet.baseFallback}\n`);
  if (changeSet.workingTree) io.stderr.write(workingTreeNotice(changeSet.workingTree));
  const showProgress = format === 'text' && io.stderr.isTTY === true;
  let lastProgress = 0;
  try {
    const report = await runCheck({
      changeSet,
      ...(configOverride ? { configOverride } : {}),
      ...(failOn ? { failOn: failOn as 'blocker' | 'warning' | 'never' } : {}),
      ...(fileBudgetMs(io.env) !== undefined ? { fileBudgetMs: fileBudgetMs(io.env)! } : {}),
      ...(cache ? { cache } : {}),
      ...(cache && values['fill-cache'] === true ? { fillCache: true } : {}),
      ...(workers ? { workers } : {}),
      ...(showProgress
        ? {
            onProgress: (done: number, total: number, label: string) => {
              const now = Date.now();
              if (total < 200 || now - lastProgress < 100) return;
              lastProgress = now;
              io.stderr.write(`\r${renderers.progressLine(done, total, label)}`);
            },
          }
        : {}),
    });
    if (showProgress && lastProgress) io.stderr.write('\r\x1b[K');
    const output = values.output as string | undefined;
    const text = render(renderers, report, format as Format, output ? false : renderers.shouldColor(io.stdout, io.env));
    if (output) await writeFile(resolve(io.cwd, output), text);
    else io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return report.verdict === 'blocked' ? 1 : 0;
  } finally {
    await workers?.close();
    await changeSet.close?.();
    const saved = cache?.save();
    if (saved?.error) io.stderr.write(`readiness-gates: the analysis cache was not saved (${saved.error})\n`);
  }
}

/** Said on stderr, never silently: the report includes changes that are not committed. */
function workingTreeNotice(wt: WorkingTreeChanges): string {
  const n = wt.paths.length;
  const shown = wt.paths.slice(0, 5).join(', ') + (n > 5 ? `, and ${n - 5} more` : '');
  return (
    `readiness-gates: including ${n} uncommitted file${n === 1 ? '' : 's'} (staged, unstaged or untracked) on top of HEAD ${wt.headSha.slice(0, 12)}: ${shown}\n` +
    `readiness-gates: --committed checks the HEAD commit only\n`
  );
}

async function readConfigFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      `cannot read --config ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

function render(
  r: typeof import('../render/index.js'),
  report: ReadinessReport,
  format: Format,
  color: boolean,
): string {
  switch (format) {
    case 'json':
      return r.renderJson(report);
    case 'markdown':
      return r.renderMarkdown(report, {});
    case 'sarif':
      return r.renderSarifString(report);
    case 'text':
      return r.renderText(report, { color });
  }
}

async function rules(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse('rules', args);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  // The generated list, not the registry: listing the rules loads no gate.
  const list = (await import('../gates/rules.generated.js')).RULE_LIST.map((r) => ({
    id: r.id,
    gate: r.gate,
    severity: r.severity,
    description: r.description,
  }));
  if (values.format === 'json') {
    io.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  if (values.format !== 'text') throw new UsageError(`--format must be text or json; got "${String(values.format)}"`);
  const idWidth = Math.max(...list.map((r) => r.id.length), 4);
  for (const r of list) io.stdout.write(`${r.id.padEnd(idWidth)}  ${r.severity.padEnd(7)}  ${r.description}\n`);
  return 0;
}

async function explain(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parse('explain', args);
  const id = positionals[0];
  if (!id) throw new UsageError('explain needs a rule id, e.g. `readiness-gates explain migrations/drop-column`');
  const docs = (await import('../gates/docs.js')).ruleDocs(id);
  if (!docs) {
    const ids = (await import('../gates/rules.generated.js')).RULE_LIST.map((r) => r.id);
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
  if (!Number.isFinite(ms) || ms <= 0)
    throw new UsageError(`READINESS_FILE_BUDGET_MS must be a positive number of milliseconds; got "${raw}"`);
  return ms;
}
