/**
 * Shared plumbing for history rules (repo rules comparing the base index with the head index).
 */
import type { RuleContext } from '../../core/types.js';
import { type IndexedMigration, type MigrationIndex } from './history.js';
import type { MigrationsOptions } from './options.js';
import { historyIndex } from './history.js';

/** This side's index and the other side's, or undefined when either failed to build. */
export function indexes(
  ctx: RuleContext<unknown, MigrationsOptions>,
): { mine: MigrationIndex; other: MigrationIndex } | undefined {
  try {
    return { mine: ctx.index(historyIndex), other: ctx.otherIndex(historyIndex) };
  } catch {
    return undefined;
  }
}

/** The file name of a path. */
export function fileName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Whether a base migration shipped in a release. `unknown`: the source cannot tell (no git history);
 * `no-releases`: the repository has no tags or release branches, so merged counts as applied;
 * `unreleased`: no release contains it, so only databases that ran unreleased code (staging, previews,
 * developers) can have applied it; `released`: the newest release holds it (`shipped`: as released).
 */
export type ReleaseStatus =
  | { status: 'unknown' | 'no-releases' | 'unreleased'; refs: readonly string[] }
  | { status: 'released'; refs: readonly string[]; shipped: { hash: string; effect?: string } };

export function releaseStatus(base: MigrationIndex, path: string): ReleaseStatus {
  const r = base.release;
  if (!r) return { status: 'unknown', refs: [] };
  if (r.refs.length === 0) return { status: 'no-releases', refs: r.refs };
  const shipped = r.files?.get(path);
  return shipped ? { status: 'released', refs: r.refs, shipped } : { status: 'unreleased', refs: r.refs };
}

/** The release refs for a message: `v1.2.0, v1.1.0 …`. */
export function refList(refs: readonly string[]): string {
  return refs.length === 0 ? 'none' : refs.join(', ');
}

/** Tools that record an applied migration by its version number only, so a file name after the version may change. */
const VERSION_KEYED: ReadonlySet<string> = new Set(['golang-migrate', 'flyway', 'goose', 'dbmate']);

export function isVersionKeyed(tool: string): boolean {
  return VERSION_KEYED.has(tool);
}

/** Whether two files are the same migration for the tool (goose, golang-migrate, Flyway: the same version). */
export function sameRecordedMigration(a: IndexedMigration, b: IndexedMigration): boolean {
  if (a.info.tool !== b.info.tool || a.info.set !== b.info.set) return false;
  if (VERSION_KEYED.has(a.info.tool) && a.info.version !== undefined) return a.info.version === b.info.version;
  return false;
}
