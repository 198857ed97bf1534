/**
 * Escaping for text we do not control (rule messages quoting code, file paths, branch names, waiver reasons)
 * when it goes into GitHub-flavoured markdown, HTML fragments and URLs.
 *
 * The threats are mundane but real: a message quoting `req.headers[*]` turning into emphasis, a path with
 * `|` splitting a table row, `</details>` in a reason closing our collapsible early, a decorator such as
 * `@app.get` notifying a GitHub user called "app", or `)` in a path ending a link.
 */

/**
 * GFM punctuation that opens or closes inline syntax anywhere in a line (code, emphasis, links, tables,
 * strikethrough); escaped with a backslash, which GitHub renders away. `!` needs nothing once `[` is escaped.
 */
const MARKDOWN_SPECIALS = /[\\`*_[\]|~]/g;

/** Characters that only matter at the start of a line: headings, list items, block quotes (`>` is an entity). */
const LINE_START = /^(#|[-+]|\d+[.)])/;

/** Zero-width space: breaks `@user` and `@org/team` mentions without changing what readers see. */
const ZWSP = '\u200b';

/**
 * Escapes text for markdown prose (a list item or paragraph line). Newlines become `<br>` so the text stays
 * on one source line: a list item or table row cannot be broken by a multi-line message.
 */
export function mdText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(MARKDOWN_SPECIALS, (ch) => `\\${ch}`)
    .replace(LINE_START, (start) => `${start.slice(0, -1)}\\${start.slice(-1)}`)
    .replace(/@(?=[A-Za-z0-9])/g, `@${ZWSP}`)
    .replace(/\r\n|\r|\n/g, '<br>');
}

/**
 * Escapes prose that may quote code the way rule messages do, between single backticks: each such span
 * renders as code ({@link mdCode}), the rest as text ({@link mdText}). A lone backtick stays literal.
 */
export function mdProse(text: string, inTable = false): string {
  return text
    .split(/(`[^`\r\n]+`)/)
    .map((part, i) => (i % 2 === 1 ? mdCode(part.slice(1, -1), inTable) : mdText(part)))
    .join('');
}

/**
 * A code span that shows `text` literally, whatever backticks it contains: the fence is one backtick longer
 * than the longest run inside, padded with spaces when the text starts or ends with a backtick. In a table
 * cell `|` must still be escaped (GFM splits cells before parsing code spans).
 */
export function mdCode(text: string, inTable = false): string {
  const flat = text.replace(/\r\n|\r|\n/g, ' ');
  if (flat.length === 0) return '` `';
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  // GitHub splits table cells before it reads code spans, taking `\x` as a pair: a pipe needs an odd run
  // of backslashes before it to stay in the cell. An odd run already there gets one more (shown, but the
  // table holds), an even run is exact.
  const body = inTable
    ? flat.replace(/(\\*)\|/g, (_m, run: string) => `${run.length % 2 ? `${run}\\` : run}\\|`)
    : flat;
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** Escapes text for an HTML context such as `<summary>`, where markdown is not parsed. */
export function htmlText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/@(?=[A-Za-z0-9])/g, `@${ZWSP}`)
    .replace(/\r\n|\r|\n/g, ' ');
}

/**
 * Percent-encodes each segment of a repository path for a URL, keeping the slashes. Parentheses are encoded
 * too because `)` would end a markdown link destination.
 */
export function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(/[()'*!]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join('/');
}

/**
 * Makes a URL safe as a markdown link destination: characters that would end or break it (whitespace,
 * parentheses, angle brackets, quotes, backticks, backslashes) are percent-encoded.
 */
export function safeUrl(url: string): string {
  return url.replace(/[\s()<>"'`\\]/g, (ch) =>
    encodeURIComponent(ch).replace(/[()'*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
  );
}

/** `[label](url)` with a safe destination, or the label alone when there is no URL. */
export function mdLink(label: string, url: string | undefined): string {
  return url ? `[${label}](${safeUrl(url)})` : label;
}
