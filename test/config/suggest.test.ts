import { describe, expect, it } from 'vitest';
import { closest, didYouMean } from '../../src/config/suggest.js';
import { globMatcher, globProblem } from '../../src/config/globs.js';
import { formatKeyPath } from '../../src/config/key-path.js';

const KEYS = [
  'fail-on',
  'baseline',
  'on-error',
  'max-file-bytes',
  'paths',
  'services',
  'gates',
  'rules',
  'waivers',
  'exceptions',
];

describe('closest', () => {
  it.each([
    ['fial-on', 'fail-on'], // adjacent swap
    ['failon', 'fail-on'], // missing separator
    ['failOn', 'fail-on'], // camelCase
    ['FAIL_ON', 'fail-on'], // snake case, upper
    ['basline', 'baseline'],
    ['exception', 'exceptions'],
    ['waiver', 'waivers'],
  ])('%s → %s', (input, expected) => {
    expect(closest(input, KEYS)).toBe(expected);
  });

  it.each(['include', 'timeout', 'x', 'severity'])('offers nothing for %s', (input) => {
    expect(closest(input, KEYS)).toBeUndefined();
  });

  it('matches a rule name to its full id only when unambiguous', () => {
    expect(closest('drop-column', ['migrations/drop-column', 'pii/log'])).toBe('migrations/drop-column');
    expect(closest('dup', ['a/dup', 'b/dup'])).toBeUndefined();
  });

  it('never suggests the input itself', () => {
    expect(closest('paths', ['paths'])).toBeUndefined();
  });

  it('formats the hint', () => {
    expect(didYouMean('rulez', KEYS)).toBe('; did you mean `rules`?');
    expect(didYouMean('zzzzzz', KEYS)).toBe('');
  });
});

describe('globProblem', () => {
  it.each(['src/**', '**/*.{ts,tsx}', './src/**', 'src/legacy/[ab]*.ts', '!(vendor)/**', 'weird\\*name'])(
    'accepts %s',
    (glob) => {
      expect(globProblem(glob)).toBeUndefined();
    },
  );

  it.each([
    ['', 'empty'],
    ['  ', 'empty'],
    ['/src/**', 'relative'],
    ['src\\legacy', 'path separator'],
    ['src/[ab', 'Missing closing'],
    ['src/{a,b', 'Missing closing'],
    ['src/(a', 'Missing closing'],
  ])('rejects %j', (glob, message) => {
    expect(globProblem(glob)).toContain(message);
  });

  it('matches dot files, as the engine does', () => {
    const excluded = globMatcher(['**/fixtures/**']);
    expect(excluded('a/.hidden/fixtures/x.ts')).toBe(true);
    expect(excluded('src/x.ts')).toBe(false);
    expect(globMatcher([])('anything')).toBe(false);
  });
});

describe('formatKeyPath', () => {
  it.each([
    [[], '(root)'],
    [['fail-on'], 'fail-on'],
    [['gates', 'pii', 'redactors', 2], 'gates.pii.redactors[2]'],
    [['rules', 'migrations/drop-column'], 'rules.migrations/drop-column'],
    [['exceptions', 1, 'until'], 'exceptions[1].until'],
    [['gates', 'metrics', 'names', 'http.requests'], 'gates.metrics.names["http.requests"]'],
  ])('%j → %s', (path, expected) => {
    expect(formatKeyPath(path)).toBe(expected);
  });
});
