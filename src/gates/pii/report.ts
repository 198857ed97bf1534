/**
 * Shared plumbing of the four sink rules: which files they look at, how a finding's data is built, and
 * how each rule takes its share of the file's sink analysis.
 */
import type { FactsDef, RuleFactsOwner } from '../../core/facts.js';
import { isRecord } from '../../core/cache.js';
import type { FindingInput, RuleContext } from '../../core/types.js';
import type { SourceFile } from '../../lang/source-file.js';
import {
  analyseSinks,
  describeVia,
  type SinkClaim,
  type SinkFinding,
  type SinkHit,
  type SinkPredicate,
} from './analyse.js';
import { resolveOptions, type PiiOptions } from './options.js';
import type { SinkKind } from './sinks.js';

/** Source files the sink rules read. */
export const SOURCE_FILES: readonly string[] = ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,py}'];

/** A file without one of these cannot contain a sink. */
export const SINK_PREFILTER: readonly string[] = [
  'log',
  'print',
  'entry',
  'Sentry',
  'sentry',
  'debug',
  'write',
  'console',
];

/** How a sink's destination reads in a message: "writes … to the logs". */
export function destination(kind: SinkKind): { verb: string; where: string; store: string } {
  switch (kind) {
    case 'tracker':
      return {
        verb: 'sends',
        where: 'to the error tracker, a third party outside your retention and deletion controls',
        store: 'the error tracker',
      };
    case 'stdout':
      return { verb: 'prints', where: 'to stdout, which the platform collects into the logs', store: 'the logs' };
    default:
      return { verb: 'writes', where: 'to the logs', store: 'the logs' };
  }
}

/** The placeholders every sink finding has: `{{sink}} {{verb}} … {{value}}{{via}} {{where}}`, `{{store}}`. */
export function baseData(f: SinkFinding): Record<string, string> {
  return {
    sink: f.sink.name,
    value: f.source.expr,
    via: describeVia(f.source.via),
    ...destination(f.sink.kind),
  };
}

/**
 * The sink hits of one source file as facts: computed once per file for the four sink rules (whichever
 * runs first), per the gate's options (the classifier and redactors shape them), and kept in the analysis
 * cache, so a file seen before is not parsed for them again.
 */
export const sinkHits: FactsDef<SinkHit[], RuleFactsOwner<PiiOptions>> = {
  id: 'pii/sink-hits',
  resolves: false,
  variant: (owner) => resolveOptions(owner.gateOptions).key,
  wants: (file, owner) => !resolveOptions(owner.gateOptions).excluded(file.path) && !/\.d\.[mc]?ts$/.test(file.path),
  extract: (file, _ctx, owner) => analyseSinks(file, resolveOptions(owner.gateOptions)),
  isFacts: (value): value is SinkHit[] => Array.isArray(value) && value.every(isSinkHit),
};

function isSinkHit(value: unknown): value is SinkHit {
  if (!isRecord(value) || typeof value.line !== 'number' || !isRecord(value.sink) || !isRecord(value.source))
    return false;
  const { sink, source } = value;
  return (
    typeof sink.name === 'string' &&
    typeof sink.kind === 'string' &&
    (source.kind === 'field' ? isRecord(source.match) : source.kind === 'object' && isRecord(source.object)) &&
    typeof source.expr === 'string' &&
    Array.isArray(source.via)
  );
}

/**
 * Runs the shared analysis on a changed source file and reports the hits the rule's predicate claims,
 * once per value and line. Skips declaration files and paths the gate's `exclude` option names.
 */
export function reportSinks<Claim extends SinkClaim>(
  claim: SinkPredicate<Claim>,
  file: SourceFile,
  ctx: RuleContext<unknown, PiiOptions>,
  build: (f: SinkFinding<Claim>) => Omit<FindingInput, 'line'> | undefined,
): void {
  const seen = new Set<string>();
  for (const hit of ctx.facts(sinkHits, file.path) ?? []) {
    const claimed = claim(hit);
    if (!claimed) continue;
    const once = `${hit.line}\u0000${hit.source.expr}`;
    if (seen.has(once)) continue;
    seen.add(once);
    const f: SinkFinding<Claim> = { ...hit, ...claimed };
    const finding = build(f);
    if (!finding) continue;
    ctx.report({
      line: f.line,
      // The sink and the value identify the finding: rewording the message around the value keeps it.
      key: `${f.sink.name}|${f.source.expr}`,
      anchor: 'key',
      ...(f.severity ? { severity: f.severity } : {}),
      ...finding,
    });
  }
}

/** JS/TS files, where pino, winston and Sentry are configured. */
export const JS_FILES: readonly string[] = ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'];
/** Python files. */
export const PY_FILES: readonly string[] = ['**/*.py'];

/** True when the gate's `exclude` option (or the file being a declaration file) takes the file out. */
export function skipFile(file: SourceFile, ctx: RuleContext<unknown, PiiOptions>): boolean {
  return resolveOptions(ctx.gateOptions).excluded(file.path) || /\.d\.[mc]?ts$/.test(file.path);
}

/** `a`, `a and b`, `a, b and c`. */
export function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
