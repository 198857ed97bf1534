/**
 * Raw facts extracted from code before they are assembled per service: route registrations with the
 * receiver they were registered on, mounts of routers under prefixes, listening ports, shutdown
 * handling and what makes a route table uncertain. Shared by the JS and Python extractors.
 */
import type { TSNode } from '../../../lang/source-file.js';
import type { Framework, HandlerFacts, Listen, Loc, ShutdownHandler } from '../model.js';
import type { CodeBase, FileInfo } from './codebase.js';
import { locOf } from './handler.js';

/** What a route was registered on. `id`s name app/router objects across files. */
export type Receiver = { kind: 'root' } | { kind: 'unknown' } | { kind: 'id'; id: string };

/**
 * Where a handler's code is: a syntax node named by file, span and type, so the facts can outlive the
 * file's parse tree. The health index finds the node again (a fresh parse) only for the few routes whose
 * handlers it analyses.
 */
export interface HandlerRef {
  path: string;
  start: number;
  end: number;
  type: string;
}

/** A handler while its file is being extracted: the live node and its file. */
export interface LiveHandler {
  node: TSNode;
  info: FileInfo;
}

export function handlerRef(h: LiveHandler): HandlerRef {
  return { path: h.info.path, start: h.node.startIndex, end: h.node.endIndex, type: h.node.type };
}

/** `H` is a HandlerRef in the index (plain data) and a LiveHandler while a file is being extracted. */
export interface RawRoute<H = HandlerRef> {
  framework: Framework;
  method: string;
  path: string;
  receiver: Receiver;
  loc: Loc;
  /** Code that handles the request (functions, or a block for path checks in middleware). */
  handlers: H[];
  /** Facts known without analysis (lightship's built-in endpoints). */
  facts?: HandlerFacts;
  /** Served on its own port (lightship). */
  port?: number;
  /** The path is a regular expression (Django `re_path`). */
  regex?: boolean;
}

export interface RawMount {
  parent: Receiver;
  /** Undefined when the prefix is not a literal. */
  prefix: string | undefined;
  child: string;
  loc: Loc;
  /** Flask `register_blueprint(url_prefix=…)` replaces the blueprint's own prefix. */
  replacesOwn?: boolean;
}

/** An app or router object. */
export interface RawRouter {
  id: string;
  /** Apps serve at the root unless mounted; routers need a mount. */
  app: boolean;
  ownPrefix: string;
  loc: Loc;
}

export interface RawFacts<H = HandlerRef> {
  routes: Array<RawRoute<H>>;
  mounts: RawMount[];
  routers: RawRouter[];
  listens: Listen[];
  shutdown: ShutdownHandler[];
  uncertain: Array<{ loc: Loc; reason: string }>;
  catchAll: Loc[];
  frameworks: Set<Framework>;
  /** NestJS `setGlobalPrefix`: prefix and literal exclusions (undefined prefix: not a literal). */
  globalPrefix?: { prefix: string | undefined; exclude: string[]; loc: Loc };
  /** Something handles SIGTERM for the whole process even if we cannot see how long it waits. */
  signalAware: Loc[];
  /** NestJS Terminus `gracefulShutdownTimeoutMs`: the delay before the app closes on shutdown. */
  nestGrace?: { ms: number; loc: Loc };
}

export function emptyFacts<H = HandlerRef>(): RawFacts<H> {
  return {
    routes: [],
    mounts: [],
    routers: [],
    listens: [],
    shutdown: [],
    uncertain: [],
    catchAll: [],
    frameworks: new Set(),
    signalAware: [],
  };
}

/** Joins URL path pieces: `/api` + `/health/` → `/api/health` (the shared route detector's). */
export { joinUrlPath as joinPaths } from '../../../lang/program/routes.js';

/** One file's facts with their handlers as plain references. */
export function plainFacts(facts: RawFacts<LiveHandler>): RawFacts {
  return { ...facts, routes: facts.routes.map((r) => ({ ...r, handlers: r.handlers.map(handlerRef) })) };
}

/** Appends one file's facts to a service's (file order is kept: later files win single-valued facts). */
export function mergeFacts(into: RawFacts, from: RawFacts): void {
  into.routes.push(...from.routes);
  into.mounts.push(...from.mounts);
  into.routers.push(...from.routers);
  into.listens.push(...from.listens);
  into.shutdown.push(...from.shutdown);
  into.uncertain.push(...from.uncertain);
  into.catchAll.push(...from.catchAll);
  into.signalAware.push(...from.signalAware);
  for (const f of from.frameworks) into.frameworks.add(f);
  if (from.globalPrefix) into.globalPrefix = from.globalPrefix;
  if (from.nestGrace) into.nestGrace = from.nestGrace;
}

/**
 * What the JS and Python extractors share: the file they read, the code base they follow imports
 * through, and the facts they add to.
 */
export abstract class FileExtractor {
  constructor(
    protected readonly info: FileInfo,
    protected readonly code: CodeBase,
    protected readonly facts: RawFacts<LiveHandler>,
  ) {}

  /** Adds everything this language knows from the file to the facts. */
  abstract run(): Promise<void>;

  protected loc(node: TSNode): Loc {
    return locOf(this.info, node);
  }
}
