/**
 * Shared plumbing for history rules (repo rules comparing the base index with the head index).
 */
import type { RuleContext } from '../../core/types.js';
import { HISTORY_INDEX, type MigrationIndex } from './history.js';
import type { MigrationsOptions } from './options.js';

/** This side's index and the other side's, or undefined when either failed to build. */
export function indexes(ctx: RuleContext<unknown, MigrationsOptions>): { mine: MigrationIndex; other: MigrationIndex } | undefined {
  try {
    return { mine: ctx.index<MigrationIndex>(HISTORY_INDEX), other: ctx.otherIndex<MigrationIndex>(HISTORY_INDEX) };
  } catch {
    return undefined;
  }
}

/** The file name of a path. */
export function fileName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
