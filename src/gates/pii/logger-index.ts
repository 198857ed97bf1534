/**
 * The pino loggers of a snapshot: which module makes which logger, and with what `redact` paths. Lets a
 * log call in src/orders.ts know that `logger` (imported from ./logger.js) is a pino logger that redacts
 * `req.headers.authorization` — so the finding can name the exact paths that would cover the shape it
 * logs — and lets `pinoHttp({ logger })` inherit the redaction of a logger made in another file.
 */
import type { IndexDef, RuleContext } from '../../core/types.js';
import type { SourceFile } from '../../lang/source-file.js';
import { ModuleResolver } from '../../lang/program/modules.js';
import { importsOf, lineOf } from '../../lang/ts-helpers.js';
import type { PiiOptions } from './options.js';
import { resolveOptions } from './options.js';
import { pinoConfigs, type PinoKind } from './pino.js';
import { JS_FILES } from './report.js';
import { changedFilesMatching } from '../../core/feeds.js';

export interface PinoLoggerEntry {
  path: string;
  /** The name it is bound to in its module (`logger`), `default` for `export default pino()`. */
  name: string;
  kind: PinoKind;
  line: number;
  /** Literal redact paths; undefined when it has none. */
  redact?: string[];
  /** The options or paths could not be read statically. */
  unknown: boolean;
}

/** Path → the pino loggers made there. */
export type PinoLoggerIndex = ReadonlyMap<string, readonly PinoLoggerEntry[]>;

export const PINO_LOGGER_INDEX = 'pino-loggers';

export const pinoLoggerIndex: IndexDef<PinoLoggerIndex, PiiOptions> = {
  id: PINO_LOGGER_INDEX,
  // Only the rules checking a changed JS/TS file look loggers up (through that file's imports).
  async feeds(ctx) {
    return (await changedFilesMatching(ctx, { globs: JS_FILES })).length > 0;
  },
  async build(ctx) {
    const options = resolveOptions(ctx.gateOptions);
    const out = new Map<string, PinoLoggerEntry[]>();
    for (const path of await ctx.snapshot.grep(['pino'], JS_FILES)) {
      if (ctx.excluded(path) || options.excluded(path) || /\.d\.[mc]?ts$/.test(path)) continue;
      const file = await ctx.read(path);
      if (!file) continue;
      const entries = loggersOf(file);
      if (entries.length) out.set(path, entries);
    }
    return out;
  },
};

/** The pino loggers one file makes. */
export function loggersOf(file: SourceFile): PinoLoggerEntry[] {
  const out: PinoLoggerEntry[] = [];
  for (const c of pinoConfigs(file)) {
    const name = c.boundTo ?? (c.call.parent?.type === 'export_statement' ? 'default' : undefined);
    if (!name) continue;
    const entry: PinoLoggerEntry = {
      path: file.path,
      name,
      kind: c.kind,
      line: lineOf(c.call),
      unknown: c.unknown || !!c.redact?.dynamic,
    };
    // A copy: the config it comes from holds syntax nodes, the index only plain data.
    if (c.redact) entry.redact = [...c.redact.paths];
    out.push(entry);
  }
  return out;
}

/**
 * The pino logger a local name refers to: made in this file, or imported from a relative module that
 * the index knows. Undefined when it is not a (known) pino logger.
 */
export function resolveLogger(
  file: SourceFile,
  localName: string,
  index: PinoLoggerIndex | undefined,
): PinoLoggerEntry | undefined {
  const own = loggersOf(file).find((e) => e.name === localName);
  if (own) return own;
  const tree = file.tree();
  if (!tree || !index) return undefined;
  // Resolution over the files that make loggers (a handful): an import of any other file names none.
  let resolver: ModuleResolver | undefined;
  for (const [module, bindings] of importsOf(tree)) {
    const binding = bindings.find((b) => b.local === localName);
    if (!binding || !module.startsWith('.')) continue;
    const target = (resolver ??= new ModuleResolver([...index.keys()])).js(file.path, module);
    const found =
      target && index.get(target)?.find((e) => e.name === (binding.imported === '*' ? localName : binding.imported));
    if (found) return found;
  }
  return undefined;
}

/** The logger index of the side being checked, or undefined when it could not be built. */
export function loggerIndexOf(ctx: RuleContext<unknown, PiiOptions>): PinoLoggerIndex | undefined {
  try {
    return ctx.index(pinoLoggerIndex);
  } catch {
    return undefined;
  }
}
