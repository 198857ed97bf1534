/**
 * Runs once before the suite: finds or installs the system programs some tests run for real
 * (test/support/system-deps.ts), or stops the run with one line saying what to install.
 */
import { ensureSystemDeps } from './support/system-deps.js';

export default function setup(): void {
  const { found } = ensureSystemDeps();
  // The test processes start after this, so they use exactly what was found here.
  for (const [variable, command] of Object.entries(found)) process.env[variable] ??= command;
}
