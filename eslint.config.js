// @ts-check
/**
 * Lint: typescript-eslint's recommended rules, and the layer boundaries of docs/architecture.md as
 * import restrictions (test/lint.test.ts proves they catch a violation). Formatting is Prettier's job
 * (.prettierrc.json), so no stylistic rules here.
 */
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** What the pure layers may never import: the GitHub and Actions SDKs. Only src/github/ and the shells talk to GitHub. */
const SDKS = {
  group: ['@actions/*', 'probot', 'probot/*', '@octokit/*'],
  message:
    'The pure layers (core, config, gates, render, lang, source) never import a GitHub or Actions SDK: go through src/github/ and the shells.',
};
// esquery's regex literals cannot hold a slash: `.` stands for it.
const SDK_SELECTORS = ['^@actions.', '^@octokit.', '^probot'].map((re) => `ImportExpression > Literal[value=/${re}/]`);

/** Restricts static and dynamic imports; `extra` adds patterns for one layer. */
function boundary(files, extra = []) {
  return {
    files,
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [SDKS, ...extra] }],
      'no-restricted-syntax': ['error', ...SDK_SELECTORS.map((selector) => ({ selector, message: SDKS.message }))],
    },
  };
}

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'build/**',
      'node_modules/**',
      'coverage/**',
      'test/fixtures/**',
      'bench/.work/**',
      'scripts/demo/**',
      '.tmp/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // `let fake; const server = createServer(() => fake!.handle(…)); fake = …`: a closure reads it later.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // It flags `let x = fallback; try { x = compute(); } catch {…}`, this codebase's way of giving a
      // default that survives a throw; TypeScript's definite-assignment checks catch the real mistakes.
      'no-useless-assignment': 'off',
    },
  },
  {
    // Untyped JSON is the point here: libpg-query's AST, GitHub's webhook payloads.
    files: [
      'src/lang/pg.ts',
      'src/lang/source-file.ts',
      'src/gates/migrations/sql-ops.ts',
      'src/gates/migrations/prisma-schema.ts',
      'src/action/event.ts',
    ],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Registries of rules and gates with different option types: `any` is the variance escape hatch
    // (`unknown` would make every concrete Rule<Options> unassignable to the registry's Rule).
    files: ['src/core/types.ts', 'src/gates/health/analysis.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Test doubles stand in for SDK objects (Octokit, Probot, HTTP payloads) that are typed far more
    // precisely than a fake needs.
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  boundary(['src/config/**', 'src/gates/**', 'src/render/**', 'src/lang/**', 'src/source/**']),
  boundary(
    ['src/core/**'],
    [
      {
        group: ['**/source', '**/source/*', '**/source/**'],
        message: 'core/ does not import source/: snapshots reach the engine through the types in core/types.ts.',
      },
    ],
  ),
);
