/** Repository paths: '/'-separated, relative to the root, no leading `./`. */

/** The directory part of a repository path ('' at the root). */
export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i === -1 ? '' : path.slice(0, i);
}

/** `dir` joined with a relative path, `.` and `..` folded; undefined when it climbs above the root. */
export function joinPath(dir: string, relative: string): string | undefined {
  const out: string[] = [];
  for (const part of `${dir}/${relative}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}
