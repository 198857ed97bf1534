/**
 * From a path and raw bytes to a SourceFile, or to the reason the file is not analysed.
 */
import type { ReadResult } from '../core/types.js';
import type { Language } from './source-file.js';
import { SourceFileImpl } from './source-file-impl.js';

/** Default size limit for one file: 1 MiB. Bigger files are skipped as `too-large`. */
export const DEFAULT_MAX_BYTES = 1024 * 1024;

/** Bytes scanned for a NUL to call a file binary (git's heuristic looks at the first 8000 bytes). */
const BINARY_SNIFF_BYTES = 8 * 1024;

const BY_EXTENSION: Readonly<Record<string, Language>> = {
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'tsx',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  // The javascript grammar parses JSX; there is no separate jsx grammar.
  jsx: 'javascript',
  py: 'python',
  pyi: 'python',
  go: 'go',
  sql: 'sql',
  yml: 'yaml',
  yaml: 'yaml',
  json: 'json',
  toml: 'toml',
  prisma: 'prisma',
};

/**
 * The language of a repository path, by file name and extension: `.ts/.mts/.cts` typescript, `.tsx` tsx,
 * `.js/.mjs/.cjs/.jsx` javascript, `.py/.pyi` python, `.go`, `.sql`, `.yml/.yaml`, `.json`, `.toml`,
 * `.prisma`; `Dockerfile`, `Dockerfile.*`, `*.Dockerfile` and `Containerfile` are dockerfile (names
 * compared case-insensitively); anything else is text.
 */
export function languageOf(path: string): Language {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const name = path.slice(slash + 1);
  const lower = name.toLowerCase();
  if (
    lower === 'dockerfile' ||
    lower === 'containerfile' ||
    lower.startsWith('dockerfile.') ||
    lower.startsWith('containerfile.') ||
    (lower.endsWith('.dockerfile') && lower.length > '.dockerfile'.length)
  ) {
    return 'dockerfile';
  }
  const dot = lower.lastIndexOf('.');
  // A leading dot is a hidden file's name, not an extension (".ts" is not TypeScript).
  if (dot <= 0) return 'text';
  return BY_EXTENSION[lower.slice(dot + 1)] ?? 'text';
}

/** Human size in binary units: "512 bytes", "3.5 KiB", "1.4 MiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} ${n === 1 ? 'byte' : 'bytes'}`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const rounded = Math.round(value * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded.toFixed(0) : rounded.toFixed(1)} ${units[unit]}`;
}

/** Offset of the first byte that breaks UTF-8 (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let need: number;
    let min: number;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = b === 0xe0 ? 0xa0 : 0x80;
      if (b === 0xed) max = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = b === 0xf0 ? 0x90 : 0x80;
      if (b === 0xf4) max = 0x8f;
    } else {
      return i;
    }
    // Only the second byte has the narrowed range; the rest are plain continuation bytes.
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      const lo = k === 1 ? min : 0x80;
      const hi = k === 1 ? max : 0xbf;
      if (c === undefined || c < lo || c > hi) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** Options for {@link decodeSource}. */
export interface DecodeOptions {
  /** Files larger than this many bytes are skipped as `too-large`. Default 1 MiB. */
  maxBytes?: number;
}

/**
 * Decodes a file's bytes into a SourceFile, or says why it is skipped. Never throws.
 *
 * A file is read the way its runtime would still run it, because skipping what a runtime accepts would
 * let a pull request hide code from the gates:
 * - invalid UTF-8 (a latin-1 byte) is decoded with Node's `windows-1252` decoder (the WHATWG "latin1"),
 *   as Python's `latin-1` codec would read it: every byte becomes one character, nothing is lost;
 * - a NUL byte in a file of a language the gates read (TypeScript, SQL, YAML…) does not make it binary:
 *   it is read as a space, so the parsers (tree-sitter, libpg-query stop at a NUL as at the end of the
 *   text) see everything after it and offsets stay the same;
 * - a NUL in the first 8 KiB of any other file (images, archives) still makes it `binary`.
 * Over `maxBytes` is `too-large`. A UTF-8 BOM is removed; line endings are kept as they are.
 */
export function decodeSource(path: string, bytes: Uint8Array, opts: DecodeOptions = {}): ReadResult {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const language = languageOf(path);
  const sniff = bytes.subarray(0, BINARY_SNIFF_BYTES);
  const nul = sniff.indexOf(0);
  if (nul !== -1 && language === 'text')
    return { ok: false, reason: 'binary', detail: `binary file (NUL byte at offset ${nul})` };
  if (bytes.length > maxBytes) {
    return {
      ok: false,
      reason: 'too-large',
      detail: `${formatBytes(bytes.length)} is over the ${formatBytes(maxBytes)} limit (config max-file-bytes)`,
    };
  }
  let text: string;
  let irregular: string | undefined;
  try {
    // fatal: detect invalid UTF-8 instead of inserting U+FFFD; ignoreBOM false: strip a leading BOM.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    text = new TextDecoder('windows-1252').decode(bytes);
    irregular = `not valid UTF-8 (invalid byte at offset ${Math.max(firstInvalidUtf8(bytes), 0)}), read as windows-1252`;
  }
  if (language !== 'text' && text.includes('\u0000')) {
    irregular ??= `NUL byte at offset ${bytes.indexOf(0)} read as a space`;
    text = text.replaceAll('\u0000', ' ');
  }
  return { ok: true, file: new SourceFileImpl(path, text, language, bytes.length, irregular) };
}
