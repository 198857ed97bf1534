import { describe, expect, it } from 'vitest';
import type { StrPart } from '../../../src/gates/metrics/model.js';
import { formatParts, joinParts, templateStrParts, text } from '../../../src/gates/metrics/parts.js';

const read = (s: string): StrPart[] => (s.startsWith('$') ? [{ kind: 'unknown', text: s }] : text(s));

describe('string parts shared by the extractors', () => {
  it('joins elements with their separator, merging literal text', () => {
    expect(joinParts(['http', 'requests'], '_', read)).toEqual(text('http_requests'));
    expect(joinParts(['app', '$x', 'total'], '_', read)).toEqual([
      { kind: 'text', value: 'app_' },
      { kind: 'unknown', text: '$x' },
      { kind: 'text', value: '_total' },
    ]);
    expect(joinParts([], '_', read)).toEqual([]);
  });

  it('fills a format string’s pieces with its arguments, a missing one unknown', () => {
    expect(formatParts(['', '_total'], ['app'], read, '{}')).toEqual(text('app_total'));
    expect(formatParts(['a_', '_', ''], ['b'], read, '%s')).toEqual([
      { kind: 'text', value: 'a_b_' },
      { kind: 'unknown', text: '%s' },
    ]);
  });

  it('reads a template’s expressions between its strings', () => {
    expect(templateStrParts({ strings: ['svc_', '_seconds'], expressions: ['$name'] }, read)).toEqual([
      { kind: 'text', value: 'svc_' },
      { kind: 'unknown', text: '$name' },
      { kind: 'text', value: '_seconds' },
    ]);
  });
});
