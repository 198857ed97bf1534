/**
 * `npm start`: read the environment, start the app, stop it gracefully on SIGTERM/SIGINT. A bad setting
 * exits with status 2 and a message naming the variable, before anything listens.
 */
import { optionsFromEnv, OptionsError } from './options.js';
import { startApp } from './server.js';

/**
 * Runs the app until a termination signal; resolves with the process exit code. `role` is the command
 * line's first argument (`web`, `worker`, `all`), as `npm run start:web` / `start:worker` pass it.
 */
export async function run(env: NodeJS.ProcessEnv = process.env, role?: string): Promise<number> {
  let app;
  try {
    app = await startApp(optionsFromEnv(env, process.cwd(), role));
  } catch (error) {
    if (error instanceof OptionsError) {
      process.stderr.write(`readiness-gates app: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  app.log.info({ signal }, 'termination signal received');
  await app.close();
  return 0;
}
