import { describe, expect, it } from 'vitest';
import { decodeSource, formatBytes, languageOf, prefilter, type Language } from '../../src/lang/index.js';
import { firstInvalidUtf8 } from '../../src/lang/decode.js';
import { fileOf } from './helpers.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('languageOf', () => {
  const cases: Array<[string, Language]> = [
    ['src/a.ts', 'typescript'],
    ['src/a.mts', 'typescript'],
    ['src/a.cts', 'typescript'],
    ['src/types.d.ts', 'typescript'],
    ['src/App.tsx', 'tsx'],
    ['a.js', 'javascript'],
    ['a.mjs', 'javascript'],
    ['a.cjs', 'javascript'],
    ['a.jsx', 'javascript'],
    ['app/main.py', 'python'],
    ['stubs/x.pyi', 'python'],
    ['cmd/main.go', 'go'],
    ['db/migrations/001_init.sql', 'sql'],
    ['.github/workflows/ci.yml', 'yaml'],
    ['chart/values.yaml', 'yaml'],
    ['Dockerfile', 'dockerfile'],
    ['services/api/Dockerfile', 'dockerfile'],
    ['Dockerfile.prod', 'dockerfile'],
    ['api.Dockerfile', 'dockerfile'],
    ['build/dockerfile', 'dockerfile'],
    ['Containerfile', 'dockerfile'],
    ['package.json', 'json'],
    ['pyproject.toml', 'toml'],
    ['prisma/schema.prisma', 'prisma'],
    ['README.md', 'text'],
    ['Makefile', 'text'],
    ['.ts', 'text'],
    ['src/UPPER.TS', 'typescript'],
    ['windows\\path\\Dockerfile', 'dockerfile'],
  ];
  it.each(cases)('%s → %s', (path, lang) => {
    expect(languageOf(path)).toBe(lang);
  });
});

describe('decodeSource', () => {
  it('decodes UTF-8 and keeps the byte count of the raw file', () => {
    const bytes = enc('const é = 1;\n');
    const read = decodeSource('a.ts', bytes);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.file.text).toBe('const é = 1;\n');
    expect(read.file.bytes).toBe(bytes.length);
    expect(read.file.language).toBe('typescript');
    expect(read.file.path).toBe('a.ts');
  });

  it('strips a UTF-8 BOM from the text but counts it in bytes', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc('x = 1\n')]);
    const read = decodeSource('a.py', bytes);
    if (!read.ok) throw new Error(read.detail);
    expect(read.file.text).toBe('x = 1\n');
    expect(read.file.bytes).toBe(9);
  });

  it('calls a file of no known language with a NUL byte in its first 8 KiB binary, and says where', () => {
    const bytes = new Uint8Array([...enc('GIF89a abcde'), 0, 1, 2]);
    expect(decodeSource('logo.gif', bytes)).toEqual({
      ok: false,
      reason: 'binary',
      detail: 'binary file (NUL byte at offset 12)',
    });
  });

  it('reads a NUL in a source file as a space, so what follows it is still analysed', () => {
    const bytes = new Uint8Array([...enc('-- x'), 0, ...enc('\nDROP TABLE users;\n')]);
    const read = decodeSource('migrations/001.sql', bytes);
    if (!read.ok) throw new Error(read.detail);
    expect(read.file.text).toBe('-- x \nDROP TABLE users;\n');
    expect(read.file.bytes).toBe(bytes.length);
  });

  it('does not look for NUL bytes past 8 KiB (text with a stray NUL late is still text)', () => {
    const bytes = new Uint8Array([...enc('a'.repeat(9000)), 0]);
    expect(decodeSource('a.txt', bytes).ok).toBe(true);
  });

  it('refuses files over the limit with a human detail', () => {
    const bytes = enc('a'.repeat(1_468_007));
    const read = decodeSource('big.ts', bytes);
    expect(read).toEqual({
      ok: false,
      reason: 'too-large',
      detail: '1.4 MiB is over the 1 MiB limit (config max-file-bytes)',
    });
    expect(decodeSource('a.ts', enc('12345'), { maxBytes: 4 })).toMatchObject({
      ok: false,
      reason: 'too-large',
      detail: '5 bytes is over the 4 bytes limit (config max-file-bytes)',
    });
    expect(decodeSource('a.ts', enc('1234'), { maxBytes: 4 }).ok).toBe(true);
  });

  it('decodes invalid UTF-8 as windows-1252, as a byte-tolerant runtime reads it', () => {
    const latin1 = new Uint8Array([...enc('caf'), 0xe9, ...enc(' au lait')]);
    const read = decodeSource('menu.py', latin1);
    if (!read.ok) throw new Error(read.detail);
    expect(read.file.text).toBe('café au lait');
  });

  it('accepts an empty file', () => {
    const read = decodeSource('empty.ts', new Uint8Array());
    if (!read.ok) throw new Error(read.detail);
    expect(read.file.text).toBe('');
    expect(read.file.lines()).toEqual([]);
    expect(read.file.lineAt(0)).toBe(1);
    expect(read.file.lineText(1)).toBe('');
  });
});

describe('firstInvalidUtf8', () => {
  it('agrees with the platform decoder on tricky sequences', () => {
    const samples: number[][] = [
      [0x41, 0xc3, 0xa9], // valid é
      [0xc0, 0x80], // overlong NUL
      [0xe0, 0x80, 0x80], // overlong
      [0xed, 0xa0, 0x80], // UTF-16 surrogate
      [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
      [0xf0, 0x9f, 0x98, 0x80], // valid 😀
      [0x41, 0xe2, 0x82], // truncated
      [0x80], // lone continuation
    ];
    for (const s of samples) {
      const bytes = new Uint8Array(s);
      let valid = true;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        valid = false;
      }
      expect(firstInvalidUtf8(bytes) === -1, `bytes ${s.map((b) => b.toString(16)).join(' ')}`).toBe(valid);
    }
    expect(firstInvalidUtf8(new Uint8Array([0x41, 0x42, 0xff]))).toBe(2);
  });
});

describe('lines and offsets', () => {
  it('handles LF and CRLF, keeping CRLF in the text', () => {
    const f = fileOf('a.txt', 'one\r\ntwo\nthree\r\n');
    expect(f.text).toBe('one\r\ntwo\nthree\r\n');
    expect(f.lines()).toEqual(['one', 'two', 'three']);
    expect(f.lineText(1)).toBe('one');
    expect(f.lineText(3)).toBe('three');
    expect(f.lineText(4)).toBe('');
    expect(f.lineText(0)).toBe('');
    expect(f.lineAt(0)).toBe(1);
    expect(f.lineAt(3)).toBe(1); // the CR belongs to line 1
    expect(f.lineAt(5)).toBe(2);
    expect(f.lineAt(f.text.indexOf('three'))).toBe(3);
    expect(f.lineAt(10_000)).toBe(4); // past the end: the (empty) line after the last terminator
  });

  it('treats a lone CR as part of the line, as git and tree-sitter do', () => {
    const f = fileOf('a.txt', 'a\rb\nc');
    expect(f.lines()).toEqual(['a\rb', 'c']);
    expect(f.lineAt(2)).toBe(1);
  });

  it('keeps a last line without a terminator and blank lines in between', () => {
    const f = fileOf('a.txt', '\n\nx');
    expect(f.lines()).toEqual(['', '', 'x']);
    expect(f.lineAt(2)).toBe(3);
  });
});

describe('formatBytes', () => {
  it('uses binary units with one decimal', () => {
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(1023)).toBe('1023 bytes');
    expect(formatBytes(1024)).toBe('1 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(1024 * 1024)).toBe('1 MiB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5 GiB');
  });
});

describe('prefilter', () => {
  it('is a literal, case-sensitive any-of check', () => {
    expect(prefilter("import client from 'prom-client'", ['prometheus_client', 'prom-client'])).toBe(true);
    expect(prefilter('import x from "y"', ['prom-client'])).toBe(false);
    expect(prefilter('PROM-CLIENT', ['prom-client'])).toBe(false);
    expect(prefilter('a.b(c)', ['.b('])).toBe(true);
    expect(prefilter('anything', [])).toBe(true);
  });
});
