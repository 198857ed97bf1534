#!/usr/bin/env node
/** Entry point: only calls run() (all logic lives in main.ts, which tests import). */
import { run } from './main.js';

process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
});
