import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fixture trees are data (mini pull requests), even when a file is named *.test.ts.
    exclude: ['test/fixtures/**', '**/node_modules/**'],
    // Finds or installs redis-server and python3-prometheus-client (Debian packages) before any test runs.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // WASM parsers and git subprocesses are heavy; two cores on CI.
    pool: 'forks',
  },
});
