/**
 * Helpers for an index's `feeds` and `scope` (see `IndexDef`): which changed files could feed an index,
 * decided from paths and literal tokens only, so a check whose change feeds nothing does (almost) nothing.
 */
import picomatch from 'picomatch';
import type { ChangeContext } from './types.js';

/** Lockfiles: written by package managers, never read by a rule; parsing one costs up to a second. */
const LOCKFILES = new Set([
  'package-lock.json',
  'npm-shrinkwrap.json',
  'pnpm-lock.yaml',
  'yarn.lock',
  'bun.lockb',
  'poetry.lock',
  'Pipfile.lock',
  'uv.lock',
  'pdm.lock',
  'go.sum',
  'Cargo.lock',
  'composer.lock',
  'Gemfile.lock',
]);

/** Generated code by name: protobuf and gRPC stubs, minified bundles, source maps. */
const GENERATED = /(\.pb\.go|_pb2(_grpc)?\.pyi?|_pb\.[jt]s|\.min\.[cm]?js|\.map)$/;

/** Whether a path is a lockfile or a generated file, which feeds no index and is never parsed for one. */
export function isLockfileOrGenerated(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return LOCKFILES.has(name) || GENERATED.test(name);
}

export interface FeedFilter {
  /** picomatch globs (dot files included). */
  globs: readonly string[];
  /** Literal tokens; absent or empty: every file matching the globs. */
  tokens?: readonly string[];
}

/**
 * The changed files (either side's path) that match the globs and, on one side or the other, contain one
 * of the tokens. Lockfiles, generated files and excluded paths never match.
 */
export async function changedFilesMatching(ctx: ChangeContext, filter: FeedFilter): Promise<string[]> {
  const match = picomatch(filter.globs as string[], { dot: true });
  const out = new Set<string>();
  for (const side of [ctx.head, ctx.base]) {
    for (const path of side.changed) {
      if (out.has(path) || ctx.excluded(path) || isLockfileOrGenerated(path) || !match(path)) continue;
      if (!filter.tokens || filter.tokens.length === 0) {
        out.add(path);
        continue;
      }
      const file = await side.read(path);
      if (file && filter.tokens.some((t) => file.text.includes(t))) out.add(path);
    }
  }
  return [...out].sort();
}
