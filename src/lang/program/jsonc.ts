/**
 * JSON with comments and trailing commas, as `tsconfig.json` is written. Only what is needed to read
 * configuration files: comments and trailing commas are removed outside strings, then `JSON.parse`.
 */

/** The parsed value, or undefined when the text is not JSON even without comments and trailing commas. */
export function parseJsonc(text: string): unknown {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      const start = i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      out += text.slice(start, ++i);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
    } else {
      // A trailing comma before a closing bracket: drop it (strings were copied whole above).
      if (c === '}' || c === ']') {
        let j = out.length - 1;
        while (j >= 0 && /\s/.test(out[j]!)) j--;
        if (out[j] === ',') out = out.slice(0, j) + out.slice(j + 1);
      }
      out += c;
      i++;
    }
  }
  try {
    return JSON.parse(out) as unknown;
  } catch {
    return undefined;
  }
}
