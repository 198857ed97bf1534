/**
 * squawk for the migrations benchmarks: the pinned version, installed on demand under bench/.work, and
 * the correspondence between its rules and ours.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** squawk rule → our rule. */
export const CORRESPONDING: Record<string, string> = {
  'require-concurrent-index-creation': 'migrations/add-index-non-concurrent',
  'require-concurrent-index-deletion': 'migrations/drop-index-non-concurrent',
  'constraint-missing-not-valid': 'migrations/constraint-without-not-valid',
  'adding-foreign-key-constraint': 'migrations/constraint-without-not-valid',
  'ban-drop-column': 'migrations/drop-column',
  'ban-drop-table': 'migrations/drop-table',
  'ban-drop-database': 'migrations/drop-table',
  'ban-truncate-cascade': 'migrations/drop-table',
  'renaming-column': 'migrations/rename-column',
  'renaming-table': 'migrations/rename-table',
  'changing-column-type': 'migrations/column-type-change',
  'adding-not-nullable-field': 'migrations/set-not-null',
  'adding-required-field': 'migrations/add-required-column',
  'adding-field-with-default': 'migrations/add-column-volatile-default',
  'adding-serial-primary-key-field': 'migrations/add-unique-constraint',
  'disallowed-unique-constraint': 'migrations/add-unique-constraint',
  'require-lock-timeout': 'migrations/missing-lock-timeout',
  'prefer-bigint-over-int': 'migrations/int-primary-key',
  'ban-concurrent-index-creation-in-transaction': 'migrations/concurrent-in-transaction',
};

// squawk-cli is not a devDependency (its 2.66.0 platform packages exist for linux-x64 only, which breaks
// `npm ci` elsewhere), so the benchmarks install the pinned version on demand under bench/.work.
export const SQUAWK_VERSION = '2.66.0';

/** The squawk binary, installed first when missing. */
export function squawkBinary(root: string): string {
  const prefix = join(root, 'bench', '.work', 'squawk');
  const bin = join(prefix, 'node_modules', '.bin', 'squawk');
  if (!existsSync(bin)) {
    console.log(`installing squawk-cli@${SQUAWK_VERSION} into bench/.work/squawk …`);
    const install = spawnSync(
      'npm',
      ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, `squawk-cli@${SQUAWK_VERSION}`],
      { encoding: 'utf8', stdio: 'inherit' },
    );
    if (install.status !== 0) throw new Error('could not install squawk-cli from the npm registry');
  }
  return bin;
}
