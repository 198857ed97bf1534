/**
 * Line and offset arithmetic over decoded text.
 *
 * Line terminators are LF and CRLF. A lone CR is *not* a line break: git (and so every diff line number
 * GitHub shows), tree-sitter's row numbers and yaml's LineCounter all count LF only, and finding lines must
 * agree with them. A CR before an LF is stripped from the line's text; a lone CR stays in it.
 *
 * Offsets are JavaScript string offsets (UTF-16 code units) unless a name says bytes or code points.
 */

/** Start offsets of every line, computed once. */
export class LineIndex {
  /** `starts[i]` is the offset where line i+1 begins. Always has at least one entry (0). */
  private readonly starts: number[];

  constructor(private readonly text: string) {
    const starts = [0];
    let at = text.indexOf('\n');
    while (at !== -1) {
      starts.push(at + 1);
      at = text.indexOf('\n', at + 1);
    }
    this.starts = starts;
  }

  /** Number of lines, not counting the empty "line" after a final terminator (an empty text has 0). */
  get count(): number {
    if (this.text.length === 0) return 0;
    return this.text.endsWith('\n') ? this.starts.length - 1 : this.starts.length;
  }

  /** 1-based line containing `offset`, clamped into the text. */
  lineAt(offset: number): number {
    if (!(offset > 0)) return 1;
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** Offset where a 1-based line starts (the text's length past the end). */
  lineStart(line: number): number {
    if (line < 1) return 0;
    return this.starts[line - 1] ?? this.text.length;
  }

  /** Text of a 1-based line without its terminator; '' out of range. */
  lineText(line: number): string {
    if (!Number.isInteger(line) || line < 1 || line > this.count) return '';
    const start = this.starts[line - 1]!;
    const next = this.starts[line];
    let end = next === undefined ? this.text.length : next - 1;
    if (end > start && this.text.charCodeAt(end - 1) === 13 && next !== undefined) end -= 1;
    return this.text.slice(start, end);
  }

  /** All lines without terminators. */
  lines(): string[] {
    const out: string[] = [];
    for (let line = 1; line <= this.count; line++) out.push(this.lineText(line));
    return out;
  }
}

/**
 * UTF-8 bytes contributed by the UTF-16 code unit at `i`. A surrogate pair's 4 bytes are counted on its
 * low half, so the pair's high half starts at the same byte as the pair (see the step-back below).
 */
function utf8Width(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  if (c >= 0xd800 && c <= 0xdbff) {
    const next = text.charCodeAt(i + 1);
    return next >= 0xdc00 && next <= 0xdfff ? 0 : 3;
  }
  if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
    const prev = text.charCodeAt(i - 1);
    if (prev >= 0xd800 && prev <= 0xdbff) return 4;
  }
  return 3;
}

/**
 * Converts UTF-8 byte offsets (as libpg-query reports them) to string offsets. Built once per text; pure
 * ASCII texts take a shortcut. A byte offset inside a multi-byte character maps to that character's start.
 */
export function byteOffsetConverter(text: string): (byteOffset: number) => number {
  if (Buffer.byteLength(text, 'utf8') === text.length) {
    return (b) => Math.max(0, Math.min(b, text.length));
  }
  // byteStart[i] = UTF-8 offset of code unit i; byteStart[text.length] = total bytes.
  const byteStart = new Uint32Array(text.length + 1);
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    byteStart[i] = bytes;
    bytes += utf8Width(text, i);
  }
  byteStart[text.length] = bytes;
  return (b) => {
    if (b <= 0) return 0;
    if (b >= bytes) return text.length;
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (byteStart[mid]! <= b) lo = mid;
      else hi = mid - 1;
    }
    // Step back off the low half of a surrogate pair onto the character's start.
    while (lo > 0 && byteStart[lo] === byteStart[lo - 1]) lo -= 1;
    return lo;
  };
}

/** String offset of the `n`th code point (0-based), e.g. PostgreSQL's error cursor; clamped to the text. */
export function codePointToOffset(text: string, n: number): number {
  let offset = 0;
  for (let k = 0; k < n && offset < text.length; k++) {
    const c = text.charCodeAt(offset);
    offset += c >= 0xd800 && c <= 0xdbff && offset + 1 < text.length ? 2 : 1;
  }
  return offset;
}
