import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byteOffsetConverter, codePointToOffset, LineIndex } from '../../src/lang/text.js';

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

describe('byteOffsetConverter', () => {
  it('maps the byte offset of every character boundary to its string offset', () => {
    const text = 'a😀é中\n🎉x';
    const toOffset = byteOffsetConverter(text);
    let offset = 0;
    for (const ch of text) {
      expect(toOffset(utf8Length(text.slice(0, offset)))).toBe(offset);
      offset += ch.length;
    }
    expect(toOffset(utf8Length(text))).toBe(text.length);
  });

  it('maps a byte inside a character to that character’s start, and clamps', () => {
    const text = 'a😀b';
    const toOffset = byteOffsetConverter(text);
    expect([2, 3, 4].map(toOffset)).toEqual([1, 1, 1]); // inside the 4-byte emoji
    expect(toOffset(5)).toBe(3);
    expect(toOffset(-1)).toBe(0);
    expect(toOffset(999)).toBe(text.length);
    expect(byteOffsetConverter('ascii')(3)).toBe(3);
  });

  it('agrees with Buffer for random text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.nat(40), (text, cut) => {
        const chars = [...text];
        const prefix = chars.slice(0, Math.min(cut, chars.length)).join('');
        expect(byteOffsetConverter(text)(utf8Length(prefix))).toBe(prefix.length);
      }),
    );
  });
});

describe('codePointToOffset', () => {
  it('counts astral characters as one code point but two string units', () => {
    expect(codePointToOffset('😀😀x', 2)).toBe(4);
    expect(codePointToOffset('éx', 1)).toBe(1);
    expect(codePointToOffset('ab', 10)).toBe(2);
  });
});

describe('LineIndex', () => {
  it('counts lines, finds line starts and strips CR only before LF', () => {
    const index = new LineIndex('a\r\nb\rc\n\nd');
    expect(index.count).toBe(4);
    expect(index.lines()).toEqual(['a', 'b\rc', '', 'd']);
    expect(index.lineStart(2)).toBe(3);
    expect(index.lineStart(99)).toBe(9); // past the end: the text length
    expect(new LineIndex('').count).toBe(0);
    expect(new LineIndex('x\n').lines()).toEqual(['x']);
    expect(new LineIndex('x\r').lines()).toEqual(['x\r']);
  });
});
