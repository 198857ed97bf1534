/**
 * Small helpers for the migrations gate's unit tests: source files from text, and a one-gate evaluation
 * of an in-memory pull request.
 */
import { parseConfig } from '../../../src/config/loader.js';
import { evaluate } from '../../../src/core/engine.js';
import type { Finding } from '../../../src/core/types.js';
import { GATES } from '../../../src/gates/index.js';
import { decodeSource, loadParsers, type SourceFile } from '../../../src/lang/index.js';
import { memoryChangeSet } from '../../../src/source/memory.js';

/** A parsed SourceFile for `path` with `text` (its parser loaded). */
export async function source(path: string, text: string): Promise<SourceFile> {
  const read = decodeSource(path, Buffer.from(text, 'utf8'));
  if (!read.ok) throw new Error(`cannot decode ${path}: ${read.detail}`);
  await loadParsers([read.file.language, 'sql']);
  return read.file;
}

/** Findings of the migrations gate for a base → head change (config as YAML text). */
export async function migrationFindings(
  base: Record<string, string>,
  head: Record<string, string>,
  config = '',
  opts: { allowErrors?: boolean } = {},
): Promise<Finding[]> {
  const evaluation = await evaluate({
    changeSet: memoryChangeSet({ base, head }),
    config: parseConfig(config, 'test', GATES),
    gates: GATES.filter((g) => g.id === 'migrations'),
    now: new Date('2026-06-01T00:00:00Z'),
  });
  if (evaluation.errors.length && !opts.allowErrors) throw new Error(JSON.stringify(evaluation.errors));
  return evaluation.findings;
}
