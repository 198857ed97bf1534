/** The Action's entry point (action.yml `main: dist/index.js` is this file bundled). Only calls run(). */
import { run } from './main.js';

await run();
