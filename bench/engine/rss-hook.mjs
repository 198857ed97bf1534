// Loaded with `node --import` by the benchmark only: records the process's peak RSS at exit.
import { writeFileSync } from 'node:fs';

const out = process.env.READINESS_BENCH_RSS_FILE;
if (out) process.on('exit', () => writeFileSync(out, String(process.resourceUsage().maxRSS)));
