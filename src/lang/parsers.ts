/**
 * Loading parsers on demand.
 *
 * Every WASM parser costs start-up time and memory (libpg-query alone is 1.7 MB of WASM), so the engine
 * loads only the languages of the files it is about to analyse. Loading is async; using a parser is
 * synchronous, so rules stay synchronous. Each runtime and grammar is loaded at most once per process,
 * however many callers ask concurrently.
 */
import type { Parser as TSParser } from 'web-tree-sitter';
import type { DockerfileParser } from 'dockerfile-ast';
import type { Language } from './source-file.js';
import { resolveAsset, type AssetName } from './assets.js';
import { loadPgParser, type PgParser } from './pg.js';

/** Languages parsed by tree-sitter, and the grammar file of each. */
export const TREE_SITTER_GRAMMARS = {
  typescript: 'tree-sitter-typescript.wasm',
  tsx: 'tree-sitter-tsx.wasm',
  javascript: 'tree-sitter-javascript.wasm',
  python: 'tree-sitter-python.wasm',
  go: 'tree-sitter-go.wasm',
} as const satisfies Partial<Record<Language, AssetName>>;

/** A language whose syntax tree comes from tree-sitter. */
export type TreeSitterLanguage = keyof typeof TREE_SITTER_GRAMMARS;

/** True for the languages that `SourceFile.tree()` parses. */
export function isTreeSitterLanguage(lang: Language): lang is TreeSitterLanguage {
  return Object.hasOwn(TREE_SITTER_GRAMMARS, lang);
}

type WebTreeSitter = typeof import('web-tree-sitter');

const loaded = new Set<Language>();
const pending = new Map<Language, Promise<void>>();
const treeSitterParsers = new Map<TreeSitterLanguage, TSParser>();
let runtime: Promise<WebTreeSitter> | undefined;
let pgParser: PgParser | undefined;
let dockerfileParser: typeof DockerfileParser | undefined;

/**
 * Loads the parsers for the given languages. Idempotent and safe to call concurrently: a second caller
 * waits for the first one's load. Languages without a WASM parser (yaml, json, toml, prisma, text) are
 * ready at once. A failed load is not cached, so a later call retries it.
 */
export async function loadParsers(langs: Iterable<Language>): Promise<void> {
  const jobs: Promise<void>[] = [];
  for (const lang of new Set(langs)) {
    if (loaded.has(lang)) continue;
    let job = pending.get(lang);
    if (!job) {
      job = loadOne(lang).then(
        () => {
          loaded.add(lang);
          pending.delete(lang);
        },
        (error: unknown) => {
          pending.delete(lang);
          const reason = error instanceof Error ? error.message : String(error);
          throw new Error(`could not load the ${lang} parser: ${reason}`, { cause: error });
        },
      );
      pending.set(lang, job);
    }
    jobs.push(job);
  }
  await Promise.all(jobs);
}

/** The languages whose parsers are loaded (for tests and diagnostics). */
export function loadedParsers(): ReadonlySet<Language> {
  return new Set(loaded);
}

async function loadOne(lang: Language): Promise<void> {
  if (isTreeSitterLanguage(lang)) {
    const ts = await treeSitterRuntime();
    const grammar = await ts.Language.load(resolveAsset(TREE_SITTER_GRAMMARS[lang]));
    const parser = new ts.Parser();
    parser.setLanguage(grammar);
    treeSitterParsers.set(lang, parser);
  } else if (lang === 'sql') {
    pgParser = await loadPgParser();
  } else if (lang === 'dockerfile') {
    // A CommonJS package: Node's ESM loader also names its exports, a code-split bundle's chunk only has the
    // default export (module.exports), which both have.
    // Node and esbuild's split chunks give the CommonJS exports as the default export; tsx gives them
    // as named exports only. Take whichever is there.
    type Shape = { DockerfileParser?: typeof DockerfileParser };
    const imported = (await import('dockerfile-ast')) as Shape & { default?: Shape };
    const parser = imported.default?.DockerfileParser ?? imported.DockerfileParser;
    if (!parser) throw new Error('dockerfile-ast: unexpected module shape (no DockerfileParser)');
    dockerfileParser = parser;
  }
  // yaml, json, toml, prisma and text need nothing loaded: yaml is a small pure-JS library imported
  // statically, the others are scanned with plain string code.
}

function treeSitterRuntime(): Promise<WebTreeSitter> {
  if (runtime) return runtime;
  const attempt = (async () => {
    const ts = await import('web-tree-sitter');
    const wasmPath = resolveAsset('web-tree-sitter.wasm');
    await ts.Parser.init({ locateFile: () => wasmPath });
    return ts;
  })();
  runtime = attempt;
  // A failed runtime load must not poison later attempts (but must not drop a newer, good one either).
  attempt.catch(() => {
    if (runtime === attempt) runtime = undefined;
  });
  return attempt;
}

function notLoaded(lang: Language, path: string): Error {
  return new Error(`the ${lang} parser is not loaded (reading ${path}); call loadParsers(['${lang}']) before using it`);
}

/** The tree-sitter parser for a language; throws a clear error when it was not loaded. */
export function treeSitterParser(lang: TreeSitterLanguage, path: string): TSParser {
  const parser = treeSitterParsers.get(lang);
  if (!parser) throw notLoaded(lang, path);
  return parser;
}

/** libpg-query; throws a clear error when it was not loaded. */
export function pg(path: string): PgParser {
  if (!pgParser) throw notLoaded('sql', path);
  return pgParser;
}

/** dockerfile-ast's parser; throws a clear error when it was not loaded. */
export function dockerfile(path: string): typeof DockerfileParser {
  if (!dockerfileParser) throw notLoaded('dockerfile', path);
  return dockerfileParser;
}
