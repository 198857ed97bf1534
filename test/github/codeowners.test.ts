/**
 * CODEOWNERS matching, using the examples of GitHub's documentation: waiver policy trusts these
 * owners, so a wrong match hands a waiver to the wrong team.
 */
import { describe, expect, it } from 'vitest';
import { codeownersFor, parseCodeowners } from '../../src/github/index.js';

// The example file of GitHub's "About code owners" page, in its order (later lines win).
const GITHUB_EXAMPLE = `
# These owners will be the default owners for everything in the repo.
*       @global-owner1 @global-owner2

*.js    @js-owner #This is an inline comment.
*.go docs@example.com
*.txt @octo-org/octocats
/build/logs/ @doctocat
docs/*  docs@example.com
apps/ @octocat
/docs/ @doctocat
/scripts/ @doctocat @octocat
**/logs @octocat
/apps/ @octocat
/apps/github
`;

describe('codeownersFor', () => {
  it.each([
    ['README.md', ['@global-owner1', '@global-owner2']],
    ['src/index.js', ['@js-owner']],
    ['main.go', ['docs@example.com']],
    ['notes/todo.txt', ['@octo-org/octocats']],
    ['build/logs/out.log', ['@octocat']], // `**/logs` comes later and wins over /build/logs/
    ['deeply/nested/logs/x.txt', ['@octocat']],
    ['scripts/deploy.sh', ['@doctocat', '@octocat']],
    ['docs/getting-started.md', ['@doctocat']], // /docs/ is later than docs/*
    ['apps/web/index.ts', ['@octocat']],
    ['apps/github/index.ts', []], // explicitly unowned: the last match has no owners
    ['lib/apps/x.rb', ['@octocat']], // `apps/` matches a directory anywhere
  ])('%s → %j', (path, owners) => {
    expect(codeownersFor(path, GITHUB_EXAMPLE)).toEqual(owners);
  });

  it('`docs/*` owns direct children only, and is anchored to the root', () => {
    const text = 'docs/* @docs-team';
    expect(codeownersFor('docs/getting-started.md', text)).toEqual(['@docs-team']);
    expect(codeownersFor('docs/build-app/troubleshooting.md', text)).toEqual([]);
    expect(codeownersFor('src/docs/readme.md', text)).toEqual([]);
  });

  it('anchors patterns with a leading or inner slash, not those without', () => {
    const text = ['/migrations/ @dba', 'db/schema.sql @dba-leads', 'Makefile @build'].join('\n');
    expect(codeownersFor('migrations/001.sql', text)).toEqual(['@dba']);
    expect(codeownersFor('services/migrations/001.sql', text)).toEqual([]);
    expect(codeownersFor('db/schema.sql', text)).toEqual(['@dba-leads']);
    expect(codeownersFor('x/db/schema.sql', text)).toEqual([]);
    expect(codeownersFor('tools/Makefile', text)).toEqual(['@build']);
  });

  it('matches a trailing-slash pattern only as a directory, and a plain name as file or directory', () => {
    const text = ['logs/ @ops', 'config @platform'].join('\n');
    expect(codeownersFor('logs', text)).toEqual([]);
    expect(codeownersFor('app/logs/today.txt', text)).toEqual(['@ops']);
    expect(codeownersFor('config', text)).toEqual(['@platform']);
    expect(codeownersFor('svc/config/app.yml', text)).toEqual(['@platform']);
  });

  it('handles ** in the middle and at the end', () => {
    const text = ['src/**/metrics.ts @observability', 'infra/** @sre'].join('\n');
    expect(codeownersFor('src/metrics.ts', text)).toEqual(['@observability']);
    expect(codeownersFor('src/a/b/metrics.ts', text)).toEqual(['@observability']);
    expect(codeownersFor('infra/k8s/deploy.yaml', text)).toEqual(['@sre']);
  });

  it('is case-sensitive and matches dotfiles', () => {
    expect(codeownersFor('docs/readme.md', '/Docs/ @a')).toEqual([]);
    expect(codeownersFor('.github/workflows/ci.yml', '*.yml @ci')).toEqual(['@ci']);
  });

  it('returns nothing when no rule matches or the file is empty', () => {
    expect(codeownersFor('src/x.ts', '*.md @docs')).toEqual([]);
    expect(codeownersFor('src/x.ts', '')).toEqual([]);
  });
});

describe('parseCodeowners', () => {
  it('skips, and reports, the gitignore syntax GitHub does not support', () => {
    const text = ['\\#notes.md @a', '!secret.txt @b', '*.[ch] @c', '*.md @docs', 'src/ not-an-owner'].join('\n');
    const parsed = parseCodeowners(text);
    expect(parsed.rules.map((r) => [r.pattern, r.line])).toEqual([['*.md', 4]]);
    expect(parsed.errors.map((e) => e.line)).toEqual([1, 2, 3, 5]);
    expect(parsed.errors[0]?.message).toMatch(/escaping a leading #/);
    // The escaped-# line does not own `#notes.md`; only the valid `*.md` rule does.
    expect(codeownersFor('#notes.md', text)).toEqual(['@docs']);
    expect(codeownersFor('#notes.txt', text)).toEqual([]);
  });

  it('treats # lines as comments and strips trailing comments', () => {
    const parsed = parseCodeowners('# header\n  # indented comment\n/api/ @backend # the API team\n');
    expect(parsed.rules.map((r) => [r.pattern, r.owners])).toEqual([['/api/', ['@backend']]]);
    expect(parsed.errors).toEqual([]);
  });
});
