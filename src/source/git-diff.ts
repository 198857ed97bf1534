/**
 * Parses the output of `git diff-tree -r -z -M --raw -p -U0 <base> <head>` as it streams in.
 *
 * That one invocation prints every change twice: first the raw records (NUL-separated, paths verbatim even
 * with spaces, quotes, newlines or non-ASCII), then a NUL, then the unified patches in the same order.
 * Paths are taken from the raw records only; each patch is matched to its record by position (the count
 * is checked), so no quoted patch header ever needs unquoting. From a patch only three things are read:
 * the `diff --git` line that starts it, `@@` hunk headers (with -U0 every hunk is exactly its removed and
 * added lines) and the `Binary files … differ` line.
 */
import type { ChangedFile, ChangeStatus } from '../core/types.js';
import { SourceError } from './errors.js';

interface RawRecord {
  oldMode: string;
  newMode: string;
  oldOid: string;
  newOid: string;
  /** The status letter: A, D, M, T, R (C never appears without -C). */
  letter: string;
  paths: string[];
}

interface PatchInfo {
  added: number[];
  removed: number[];
  binary: boolean;
}

const EMPTY = Buffer.alloc(0);
/** Patch lines are only inspected at their start; longer tails are dropped while streaming. */
const MAX_PATCH_LINE = 8192;
const NUL = 0x00;
const LF = 0x0a;
const DIFF_GIT = Buffer.from('diff --git ');
const BINARY_FILES = Buffer.from('Binary files ');
const HUNK = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

const SYMLINK = '120000';
const GITLINK = '160000';
const ZERO_MODE = '000000';

/**
 * Incremental parser: `push` chunks in any split, then `finish()` returns the changed files in git's
 * (path) order.
 */
export class RawPatchParser {
  private mode: 'raw' | 'patch' = 'raw';
  private carry: Buffer = EMPTY;
  private readonly records: RawRecord[] = [];
  /** The record being collected: its meta line, then one or two paths. */
  private current: RawRecord | undefined;
  private readonly patches: PatchInfo[] = [];

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      // The separator depends on the section, which can switch in the middle of a chunk.
      const sep = chunk.indexOf(this.mode === 'raw' ? NUL : LF, pos);
      if (sep === -1) {
        this.appendCarry(chunk.subarray(pos));
        return;
      }
      let token = chunk.subarray(pos, sep);
      if (this.carry.length) {
        this.appendCarry(token);
        token = this.carry;
        this.carry = EMPTY;
      }
      pos = sep + 1;
      if (this.mode === 'raw') this.rawToken(token);
      else this.patchLine(token);
    }
  }

  /**
   * Keeps an unterminated tail for the next chunk (copied, so the big chunk it came from can be freed).
   * A patch line is only ever inspected at its start, so a huge one (a minified bundle) is cut at
   * MAX_PATCH_LINE instead of being reassembled.
   */
  private appendCarry(part: Buffer): void {
    if (this.mode === 'patch') {
      const room = MAX_PATCH_LINE - this.carry.length;
      if (room <= 0) return;
      if (part.length > room) part = part.subarray(0, room);
    }
    this.carry = Buffer.concat([this.carry, part]);
  }

  finish(): ChangedFile[] {
    if (this.carry.length) {
      // The last patch line has no trailing newline only if git was cut off.
      if (this.mode === 'patch') this.patchLine(this.carry);
      else throw new SourceError('git diff-tree output ended inside a raw record');
      this.carry = EMPTY;
    }
    if (this.current) throw new SourceError('git diff-tree output ended inside a raw record');
    // A type change (file ↔ symlink ↔ submodule) is one raw record but two patches: the old entry
    // deleted, then the new one created.
    const expected = this.records.reduce((n, r) => n + (typeChanged(r) ? 2 : 1), 0);
    if (this.patches.length !== expected) {
      throw new SourceError(
        `git diff-tree printed ${this.records.length} changes but ${this.patches.length} patches; cannot match line numbers to files`,
      );
    }
    let next = 0;
    return this.records.map((r) => {
      if (!typeChanged(r)) return toChangedFile(r, this.patches[next++]!);
      const deletion = this.patches[next++]!;
      const creation = this.patches[next++]!;
      return toChangedFile(r, {
        removed: deletion.removed,
        added: creation.added,
        binary: deletion.binary || creation.binary,
      });
    });
  }

  private rawToken(token: Buffer): void {
    const cur = this.current;
    if (cur) {
      cur.paths.push(token.toString('utf8'));
      const needed = cur.letter === 'R' || cur.letter === 'C' ? 2 : 1;
      if (cur.paths.length === needed) {
        this.records.push(cur);
        this.current = undefined;
      }
      return;
    }
    if (token.length === 0) {
      // The empty token is the separator git prints between the raw records and the patches.
      this.mode = 'patch';
      return;
    }
    // ":100644 100644 <old oid> <new oid> M" (R and C carry a similarity score: "R087").
    const meta = token.toString('latin1');
    const m = /^:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) ([A-Z])\d*$/.exec(meta);
    if (!m) throw new SourceError(`unexpected git diff-tree record: ${JSON.stringify(meta)}`);
    this.current = { oldMode: m[1]!, newMode: m[2]!, oldOid: m[3]!, newOid: m[4]!, letter: m[5]!, paths: [] };
  }

  private patchLine(line: Buffer): void {
    if (startsWith(line, DIFF_GIT)) {
      this.patches.push({ added: [], removed: [], binary: false });
      return;
    }
    const patch = this.patches[this.patches.length - 1];
    if (!patch) {
      if (line.length === 0) return;
      throw new SourceError(
        `unexpected git diff-tree output before the first patch: ${JSON.stringify(line.toString('latin1').slice(0, 80))}`,
      );
    }
    const first = line[0];
    // Content lines start with '+', '-', ' ' or '\\'; only hunk and binary headers matter here.
    if (first === 0x40 /* @ */) {
      const m = HUNK.exec(line.toString('latin1'));
      if (!m) return;
      const oldStart = Number(m[1]);
      const oldCount = m[2] === undefined ? 1 : Number(m[2]);
      const newStart = Number(m[3]);
      const newCount = m[4] === undefined ? 1 : Number(m[4]);
      for (let i = 0; i < oldCount; i++) patch.removed.push(oldStart + i);
      for (let i = 0; i < newCount; i++) patch.added.push(newStart + i);
    } else if (first === 0x42 /* B */ && startsWith(line, BINARY_FILES)) {
      patch.binary = true;
    }
  }
}

/** True when both sides exist and differ in kind: git modes 10xxxx file, 120000 symlink, 160000 gitlink. */
function typeChanged(r: RawRecord): boolean {
  return r.oldMode !== ZERO_MODE && r.newMode !== ZERO_MODE && r.oldMode.slice(0, 2) !== r.newMode.slice(0, 2);
}

function startsWith(buf: Buffer, prefix: Buffer): boolean {
  return buf.length >= prefix.length && buf.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

function toChangedFile(r: RawRecord, patch: PatchInfo): ChangedFile {
  const oldMode = r.oldMode === ZERO_MODE ? undefined : r.oldMode;
  const newMode = r.newMode === ZERO_MODE ? undefined : r.newMode;
  let status: ChangeStatus;
  let path: string;
  let previousPath: string | undefined;
  switch (r.letter) {
    case 'A':
      status = 'added';
      path = r.paths[0]!;
      break;
    case 'D':
      status = 'removed';
      path = r.paths[0]!;
      break;
    case 'R':
    case 'C':
      status = 'renamed';
      previousPath = r.paths[0]!;
      path = r.paths[1]!;
      break;
    default:
      // M, and T (type change, e.g. a file replaced by a symlink): same path, different content or mode.
      path = r.paths[0]!;
      status = r.letter === 'M' && r.oldOid === r.newOid && r.oldMode !== r.newMode ? 'mode-changed' : 'modified';
  }
  // Symlink targets and submodule commits show up in patches as one-line "files"; they have no lines a
  // rule could point at, so their line lists stay empty.
  const textual = (mode: string | undefined) => mode !== SYMLINK && mode !== GITLINK;
  const file: ChangedFile = {
    path,
    status,
    addedLines: patch.binary || !textual(newMode) || status === 'removed' ? [] : patch.added,
    removedLines: patch.binary || !textual(oldMode) || status === 'added' ? [] : patch.removed,
    binary: patch.binary,
  };
  if (previousPath !== undefined) file.previousPath = previousPath;
  if (oldMode !== undefined) file.oldMode = oldMode;
  if (newMode !== undefined) file.newMode = newMode;
  return file;
}
