/**
 * Test helpers for the language layer: decode text or a fixture into a SourceFile, failing loudly when
 * decoding refuses it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeSource, type SourceFile } from '../../src/lang/index.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** A SourceFile for `text` at `path` (the extension picks the language). */
export function fileOf(path: string, text: string, maxBytes?: number): SourceFile {
  const read = decodeSource(path, new TextEncoder().encode(text), maxBytes === undefined ? {} : { maxBytes });
  if (!read.ok) throw new Error(`decodeSource refused ${path}: ${read.detail}`);
  return read.file;
}

/**
 * A fixture from test/lang/fixtures. TypeScript-family fixtures carry a `.txt` suffix so the project's
 * typecheck does not compile them; the suffix is dropped from the logical path.
 */
export function fixture(name: string): SourceFile {
  const bytes = readFileSync(FIXTURES + name);
  return fileOf(name.replace(/\.txt$/, ''), new TextDecoder().decode(bytes));
}

/** 1-based line of the first line containing `needle` in `text`. */
export function lineOfText(text: string, needle: string): number {
  const at = text.indexOf(needle);
  if (at === -1) throw new Error(`${JSON.stringify(needle)} not in text`);
  return text.slice(0, at).split('\n').length;
}
