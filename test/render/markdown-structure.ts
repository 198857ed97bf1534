/**
 * Structural checks for rendered markdown: what "still valid after truncation" means for the scorecard.
 * Returns a list of problems (empty when fine) so a failing test says what broke.
 */

/** Splits a table row into cells on pipes not escaped by an odd number of backslashes. */
export function tableCells(row: string): string[] {
  const cells: string[] = [];
  let current = '';
  let backslashes = 0;
  for (const ch of row) {
    if (ch === '|' && backslashes % 2 === 0) {
      cells.push(current);
      current = '';
    } else {
      current += ch;
    }
    backslashes = ch === '\\' ? backslashes + 1 : 0;
  }
  cells.push(current);
  // A row starts and ends with a pipe: drop the empty outer pieces.
  return cells.slice(1, -1);
}

export function structureProblems(markdown: string): string[] {
  const problems: string[] = [];
  const lines = markdown.split('\n');

  let depth = 0;
  lines.forEach((line, i) => {
    for (const match of line.matchAll(/<\/?details>/g)) {
      depth += match[0] === '<details>' ? 1 : -1;
      if (depth < 0) problems.push(`line ${i + 1}: </details> without <details>`);
    }
    if (line.startsWith('<summary>') && lines[i - 1] !== '<details>')
      problems.push(`line ${i + 1}: <summary> not right after <details>`);
    if (line.includes('<summary>') && !line.endsWith('</summary>')) problems.push(`line ${i + 1}: unclosed <summary>`);
  });
  if (depth !== 0) problems.push(`${depth} unclosed <details>`);

  // Tables: a header, a delimiter row, then rows with as many cells as the header.
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('|')) continue;
    const header = tableCells(lines[i]!);
    const delimiter = lines[i + 1] ?? '';
    if (!/^\|( *:?-+:? *\|)+$/.test(delimiter)) {
      problems.push(`line ${i + 1}: table without delimiter row`);
      continue;
    }
    if (tableCells(delimiter).length !== header.length)
      problems.push(`line ${i + 2}: delimiter cell count differs from header`);
    let j = i + 2;
    for (; j < lines.length && lines[j]!.startsWith('|'); j++) {
      const cells = tableCells(lines[j]!);
      if (cells.length !== header.length)
        problems.push(`line ${j + 1}: ${cells.length} cells, header has ${header.length}`);
    }
    i = j;
  }

  // Our own HTML is the only HTML: anything else in user text must have been escaped.
  const allowed = /^<(!-- readiness-gates:[a-z-]+ --|\/?details|\/?summary|br|\/?sub|\/?code)>/;
  const withoutCode = stripCodeSpans(markdown);
  for (const m of withoutCode.matchAll(/<[^\s]/g)) {
    const rest = withoutCode.slice(m.index!, m.index! + 40);
    if (!allowed.test(rest)) problems.push(`raw HTML: ${rest}`);
  }
  return problems;
}

/**
 * Removes code spans the way CommonMark finds them: a backtick run not escaped by a backslash opens a span
 * that the next run of the same length closes; inside a span backslashes are literal.
 */
function stripCodeSpans(markdown: string): string {
  let out = '';
  let i = 0;
  while (i < markdown.length) {
    const ch = markdown[i]!;
    if (ch === '\\') {
      out += markdown.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (ch !== '`') {
      out += ch;
      i++;
      continue;
    }
    let run = 0;
    while (markdown[i + run] === '`') run++;
    const fence = '`'.repeat(run);
    let close = markdown.indexOf(fence, i + run);
    while (close !== -1 && (markdown[close + run] === '`' || markdown[close - 1] === '`'))
      close = markdown.indexOf(fence, close + 1);
    if (close === -1) {
      out += fence; // an unmatched run is literal text
      i += run;
    } else {
      i = close + run;
    }
  }
  return out;
}
