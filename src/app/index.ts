#!/usr/bin/env node
/** Entry point of `npm start`: only calls run() (all logic lives in main.ts and server.ts, which tests import). */
import { run } from './main.js';

process.exitCode = await run(process.env, process.argv[2], process.argv.slice(3));
