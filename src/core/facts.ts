/**
 * The facts stage: per-file plain data a gate extracts from one file's live syntax tree, computed once
 * per file content and shared by both sides of a change, every index that asks, and later runs (through
 * the analysis cache).
 *
 * A {@link FactsDef} is pure given the file's path and text, its variant, the answers its extraction got
 * from the module resolver (`ctx.modules`) and the other files it consulted (`ctx.consult`). Those answers
 * and files are recorded with the facts; before facts extracted on one snapshot are used on another (the
 * other side of the change, a later commit), every question is asked again there and every consulted file
 * identified again, and the file is extracted afresh when anything differs (an import whose target the pull
 * request added, removed or renamed, a helper that changed). This is the only place that replays them.
 *
 * One parse per file: when a file is parsed for one definition, every other definition whose index is
 * still to be built on that side and that `wants` the file extracts from the same tree before it is freed.
 */
import type { SourceFile } from '../lang/source-file.js';
import { moduleResolverFor, type ModuleLookup, type ModuleResolver } from '../lang/program/modules.js';
import type { IndexContext, Snapshot } from './types.js';
import { cacheKey, contentId, isRecord, isStringArray, type AnalysisCache } from './cache.js';
import { withinFileBudget } from './budget.js';

/**
 * What an extraction may consult besides its own file, on the snapshot it runs on: module resolution and
 * other files. Both are recorded and checked again before the facts are reused elsewhere.
 */
export interface FactsContext {
  readonly modules: ModuleLookup;
  /** Another file of the snapshot (undefined when missing or skipped); its identity becomes a dependency. */
  consult(path: string): Promise<SourceFile | undefined>;
}

/**
 * Plain data a gate extracts from one file. `F` holds no syntax nodes, functions or class instances: it
 * outlives the tree and may be written to the analysis cache.
 *
 * `Owner` is what asks for the facts: an index's context (`IndexContext`) for an index's facts, the rule's
 * gate options ({@link RuleFactsOwner}) for a rule's. The facts may depend on it only through `variant`.
 */
export interface FactsDef<F, Owner = unknown> {
  /** Unique across gates (`metrics/file-facts`); the kind of its entries in the analysis cache. */
  readonly id: string;
  /**
   * Cheap (path and text only): whether this file is one the owner will ask about. For an index's facts,
   * the engine then extracts the file ahead from a tree another index parsed; for a rule's facts, a file
   * it does not want is not extracted (the rule gets undefined).
   */
  wants(file: SourceFile, owner: Owner): boolean;
  /** The facts of one parsed file. May throw: the index that asked reports the file as not analysed. */
  extract(file: SourceFile, ctx: FactsContext, owner: Owner): F | Promise<F>;
  /** Whether a value read back from the cache has the shape of `F` (a corrupt entry is never trusted). */
  isFacts(value: unknown): value is F;
  /**
   * What the facts depend on besides the file and the recorded questions (the gate's options that shape
   * the extraction), as a string that is part of every key; absent: nothing else.
   */
  variant?(owner: Owner): string;
  /** False when the extraction never resolves modules: the snapshot's resolver is then not built for it. */
  readonly resolves?: boolean;
  /**
   * True when the extraction may run in a worker thread, which rebuilds the definition from its `id` and
   * variant (`src/gates/worker-facts.ts`): `extract` then depends on nothing but the file, the context and
   * the variant (not on its owner). What a worker extracts is checked on the main thread before it is used.
   */
  readonly portable?: boolean;
  /**
   * For a portable definition: true when this file's facts come from its text alone, without a parse (a route
   * module that cannot serve anything). Extracting it on the main thread then costs less than sending it to a
   * worker, which is therefore never asked.
   */
  cheap?(file: SourceFile): boolean;
}

/** The owner of a rule's facts: the rule's gate options. */
export interface RuleFactsOwner<GateOptions = unknown> {
  readonly gateOptions: GateOptions;
}

/** One question an extraction asked the resolver, and the answer it got. */
interface Lookup {
  method: 'has' | 'js' | 'python' | 'goDir';
  args: [string] | [string, string];
  answer: string | boolean | undefined;
}

/** Facts with the questions they depended on and the files they looked into (by identity; null: absent). */
export interface Extraction {
  facts: unknown;
  lookups: Lookup[];
  consulted: Array<{ path: string; id: string | null }>;
}

function ask(resolver: ModuleLookup, l: Lookup): string | boolean | undefined {
  switch (l.method) {
    case 'has':
      return resolver.has(l.args[0]);
    case 'js':
      return resolver.js(l.args[0], l.args[1]!);
    case 'python':
      return resolver.python(l.args[0], l.args[1]!);
    case 'goDir':
      return resolver.goDir(l.args[0]);
  }
}

/** How a snapshot answers the questions an extraction may have asked. */
export interface Answers {
  resolver(): Promise<ModuleLookup>;
  identify(path: string): Promise<string | undefined>;
}

async function holds(extraction: Extraction, answers: Answers): Promise<boolean> {
  if (extraction.lookups.length > 0) {
    const resolver = await answers.resolver();
    if (!extraction.lookups.every((l) => ask(resolver, l) === l.answer)) return false;
  }
  for (const c of extraction.consulted) if (((await answers.identify(c.path)) ?? null) !== c.id) return false;
  return true;
}

/** A resolver that remembers what was asked of it. */
class RecordingLookup implements ModuleLookup {
  readonly lookups: Lookup[] = [];
  constructor(private readonly inner: ModuleLookup) {}
  has(path: string): boolean {
    return this.record('has', [path], this.inner.has(path));
  }
  js(from: string, specifier: string): string | undefined {
    return this.record('js', [from, specifier], this.inner.js(from, specifier));
  }
  python(from: string, module: string): string | undefined {
    return this.record('python', [from, module], this.inner.python(from, module));
  }
  goDir(importPath: string): string | undefined {
    return this.record('goDir', [importPath], this.inner.goDir(importPath));
  }
  private record<T extends string | boolean | undefined>(method: Lookup['method'], args: Lookup['args'], answer: T): T {
    this.lookups.push({ method, args, answer });
    return answer;
  }
}

function isConsulted(value: unknown): value is Extraction['consulted'][number] {
  return isRecord(value) && typeof value.path === 'string' && (value.id === null || typeof value.id === 'string');
}

function isLookup(value: unknown): value is Lookup {
  return (
    isRecord(value) &&
    (value.method === 'has' || value.method === 'js' || value.method === 'python' || value.method === 'goDir') &&
    isStringArray(value.args) &&
    (value.args.length === 1 || value.args.length === 2) &&
    (value.answer === undefined || typeof value.answer === 'string' || typeof value.answer === 'boolean')
  );
}

/**
 * @internal Runs `def` on `file`: the facts with every question asked of the resolver and every other file
 * consulted (read through `read`, identified by {@link contentId}). The one way facts are extracted, on the
 * main thread or in a worker.
 */
export async function runExtraction(
  def: FactsDef<unknown, never>,
  owner: unknown,
  file: SourceFile,
  read: (path: string) => Promise<SourceFile | undefined>,
  resolver: () => Promise<ModuleLookup>,
  budgetMs?: number,
): Promise<Extraction> {
  const recording = new RecordingLookup(def.resolves === false ? unresolvable(def.id) : await resolver());
  const consulted: Extraction['consulted'] = [];
  const consult = async (path: string) => {
    const other = path === file.path ? file : await read(path);
    if (path !== file.path && !consulted.some((c) => c.path === path))
      consulted.push({ path, id: other ? contentId(other) : null });
    return other;
  };
  const extract = () => def.extract(file, { modules: recording, consult }, owner as never);
  const facts = await (budgetMs === undefined ? extract() : withinFileBudget(budgetMs, extract));
  return { facts, lookups: recording.lookups, consulted };
}

/** Extractions under way elsewhere (worker threads), by memo key. */
export interface Delegated {
  /**
   * Before `key` is looked up: waits for its extraction when a worker is running it, takes it back when it
   * is still queued (this thread extracts it then); nothing for a key never handed over.
   */
  settle(key: string): Promise<void> | undefined;
}

/**
 * The facts of one evaluation (both sides). Memory holds each extraction by definition and file identity,
 * so a file the pull request did not touch is extracted once for both sides.
 */
export class FactsStore {
  private readonly memo = new Map<string, Extraction>();
  /** Extractions run (not served from memory or the cache), here or in a worker, for tests and benchmarks. */
  extractions = 0;
  /** Of those, the ones a worker thread ran and this thread adopted. */
  adopted = 0;
  /** Extractions handed to worker threads, if any. */
  delegated: Delegated | undefined;

  constructor(private readonly cache?: AnalysisCache) {}

  /** Access for one snapshot. */
  side(access: FactsSideAccess): SideFacts {
    return new SideFacts(this, access);
  }

  /**
   * @internal A remembered extraction of `slot` (a definition and its variant) for the file `identity`
   * that holds on the snapshot `answers` speaks for.
   */
  async recall(slot: Slot, identity: string, answers: Answers): Promise<Extraction | undefined> {
    const key = memoKey(slot, identity);
    await this.delegated?.settle(key);
    const known = this.memo.get(key);
    if (known && (await holds(known, answers))) return known;
    if (!this.cache) return undefined;
    const stored = this.cache.get(cacheKey(slot.def.id, slot.variant, identity));
    if (
      !isRecord(stored) ||
      !Array.isArray(stored.lookups) ||
      !stored.lookups.every(isLookup) ||
      !Array.isArray(stored.consulted) ||
      !stored.consulted.every(isConsulted) ||
      !slot.def.isFacts(stored.facts)
    )
      return undefined;
    const extraction: Extraction = { facts: stored.facts, lookups: stored.lookups, consulted: stored.consulted };
    if (!(await holds(extraction, answers))) return undefined;
    this.memo.set(key, extraction);
    return extraction;
  }

  /** @internal Whether an extraction of `slot` for `identity` is remembered or cached (not checked here). */
  known(slot: Slot, identity: string): boolean {
    return (
      this.memo.has(memoKey(slot, identity)) || this.cache?.has(cacheKey(slot.def.id, slot.variant, identity)) === true
    );
  }

  /** @internal Runs one extraction and remembers it (in memory and in the cache). */
  async extract(
    slot: Slot,
    identity: string,
    file: SourceFile,
    access: Pick<FactsSideAccess, 'read'>,
    answers: Answers,
    budgetMs?: number,
  ): Promise<Extraction> {
    const extraction = await runExtraction(slot.def, slot.owner, file, access.read, answers.resolver, budgetMs);
    this.extractions++;
    this.remember(slot, identity, extraction);
    return extraction;
  }

  /**
   * @internal Takes an extraction a worker thread ran, once every question it recorded has the same answer
   * on this snapshot (a worker's resolver or files that differ from this thread's are never trusted): kept
   * as if extracted here. False when it does not hold (the file is then extracted here when asked for).
   */
  async adopt(slot: Slot, identity: string, extraction: Extraction, answers: Answers): Promise<boolean> {
    if (!slot.def.isFacts(extraction.facts) || !(await holds(extraction, answers))) return false;
    this.extractions++;
    this.adopted++;
    this.remember(slot, identity, extraction);
    return true;
  }

  private remember(slot: Slot, identity: string, extraction: Extraction): void {
    this.memo.set(memoKey(slot, identity), extraction);
    this.cache?.set(cacheKey(slot.def.id, slot.variant, identity), extraction);
  }
}

/** @internal The key of one extraction in memory (and of its job when delegated). */
export function memoKey(slot: Slot, identity: string): string {
  return `${slot.key}\u0000${identity}`;
}

/** A definition as one owner asks for it: the variant is part of every key. */
export interface Slot {
  def: FactsDef<unknown, never>;
  owner: unknown;
  variant: string;
  key: string;
}

export function slotOf(def: FactsDef<unknown, never>, owner: unknown): Slot {
  const variant = def.variant ? def.variant(owner as never) : '';
  return { def, owner, variant, key: `${def.id}\u0000${variant}` };
}

/** The resolver of a definition that declared it resolves nothing: asking is a bug in the definition. */
function unresolvable(id: string): ModuleLookup {
  const fail = (): never => {
    throw new Error(`facts ${id} declared \`resolves: false\` but asked the module resolver`);
  };
  return { has: fail, js: fail, python: fail, goDir: fail };
}

/** What the facts of one snapshot are read through. */
export interface FactsSideAccess {
  /** Reads a file (parsers loaded), or undefined when missing or skipped. */
  read(path: string): Promise<SourceFile | undefined>;
  /**
   * The file's identity ({@link contentId} of what `read` returns), without reading it where the snapshot
   * can tell; undefined when `read` would return nothing.
   */
  identify(path: string): Promise<string | undefined>;
  /** This snapshot's module resolver (built once, on first use). */
  modules(): Promise<ModuleResolver>;
  /**
   * The definitions that will ask for this file's facts later, each with its owner's context: those of the
   * indexes still to be built on this side, and those the file rules that will see this file declared.
   */
  pending(file: SourceFile): ReadonlyArray<Pending>;
}

/** A definition that will ask for a file's facts later, with what its `wants` is given. */
export interface Pending {
  def: FactsDef<unknown, never>;
  owner: unknown;
  /** The budget of an extraction that is analysis of the file (a rule's facts): see {@link withinFileBudget}. */
  budgetMs?: number;
}

/** A definition for every file, or one for each file (undefined: none for that file). */
export type FactsFor = FactsDef<unknown, never> | ((path: string) => FactsDef<unknown, never> | undefined);

/** A file whose facts are to be extracted. */
export interface UnknownFacts {
  path: string;
  slot: Slot;
  identity: string;
}

/** The facts of one snapshot. */
export class SideFacts {
  /**
   * What an extraction ahead under a budget (a rule's facts) threw, by memo key: the rule's own request
   * throws it again rather than spend a second budget on the same file.
   */
  private readonly failedAhead = new Map<string, unknown>();

  constructor(
    private readonly store: FactsStore,
    private readonly access: FactsSideAccess,
  ) {}

  /**
   * The facts `def` extracts from the file at `path`; undefined when the file is missing or skipped.
   * Served from memory or the cache when every recorded question has the same answer here (a file known
   * by its blob is then not even read); otherwise the file is read, parsed and extracted — with every
   * pending definition that wants it, from the same tree — and its tree freed. Throws what the extraction
   * throws.
   */
  async get<F>(
    def: FactsDef<F, never>,
    path: string,
    owner: unknown,
    opts: { keep?: boolean } = {},
  ): Promise<F | undefined> {
    const answers = this.answers();
    const slot = slotOf(def as FactsDef<unknown, never>, owner);
    const identity = await this.access.identify(path);
    if (identity === undefined) return undefined;
    const known = await this.store.recall(slot, identity, answers);
    if (known) return known.facts as F;
    const failed = this.failedAhead.get(memoKey(slot, identity));
    if (failed !== undefined) throw failed;
    const file = await this.access.read(path);
    if (!file) return undefined;
    try {
      const facts = (await this.store.extract(slot, identity, file, this.access, answers)).facts as F;
      await this.alongside(file);
      return facts;
    } finally {
      // The rules' files keep their tree for the rules; every other tree is freed at once.
      if (!opts.keep) file.dispose();
    }
  }

  /**
   * The paths among `paths` whose facts (of `def`, or of the definition `def` gives for the path) are
   * neither in memory nor in the cache: the files an index that asks for all of them will have to read (a
   * cached entry that no longer holds is read then).
   */
  async unknown(def: FactsFor, paths: readonly string[], owner: unknown): Promise<UnknownFacts[]> {
    const fixed = typeof def === 'function' ? undefined : slotOf(def, owner);
    const out: UnknownFacts[] = [];
    for (const path of paths) {
      const pathDef = typeof def === 'function' ? def(path) : undefined;
      const slot = fixed ?? (pathDef && slotOf(pathDef, owner));
      if (!slot) continue;
      const identity = await this.access.identify(path);
      if (identity !== undefined && !this.store.known(slot, identity)) out.push({ path, slot, identity });
    }
    return out;
  }

  /** @internal How this snapshot's files are read and its questions answered (for delegated extractions). */
  delegation(): { access: FactsSideAccess; answers: Answers } {
    return { access: this.access, answers: this.answers() };
  }

  /**
   * Extracts ahead, for every pending definition that wants it, a file some index just read: its tree is
   * parsed once and serves them all, the rules' facts of a changed file included (each within its budget).
   * The facts wait in memory for their index or rule; a failure is left to that one's own request, which
   * reports it.
   */
  async alongside(file: SourceFile): Promise<void> {
    const wanting = this.access.pending(file).filter((p) => p.def.wants(file, p.owner as never));
    if (wanting.length === 0) return;
    const answers = this.answers();
    const id = contentId(file);
    const seen = new Set<string>();
    for (const { def, owner, budgetMs } of wanting) {
      const slot = slotOf(def, owner);
      // Several rules may declare one definition: it is extracted (or fails) once.
      if (seen.has(slot.key)) continue;
      seen.add(slot.key);
      if (await this.store.recall(slot, id, answers)) continue;
      try {
        await this.store.extract(slot, id, file, this.access, answers, budgetMs);
      } catch (error) {
        // Asked again by its index or rule, which reports it; a budgeted one is not run twice.
        if (budgetMs !== undefined) this.failedAhead.set(memoKey(slot, id), error ?? new Error(String(error)));
      }
    }
  }

  private answers(): Answers {
    return { resolver: () => this.access.modules(), identify: (path) => this.access.identify(path) };
  }
}

/**
 * `facts` and `modules` for an index built on one snapshot outside the engine (unit tests, tools): no
 * cache and nothing extracted ahead. Builds given one `store` share their extractions as the engine's
 * two sides do.
 */
export function standaloneFacts(
  snapshot: Pick<Snapshot, 'read'>,
  paths: readonly string[],
  read: (path: string) => Promise<SourceFile | undefined>,
  store = new FactsStore(),
): Pick<IndexContext, 'facts' | 'modules'> {
  let resolver: Promise<ModuleResolver> | undefined;
  const modules = () => (resolver ??= moduleResolverFor(paths, (p) => snapshot.read(p)));
  const identify = async (path: string) => {
    const file = await read(path);
    return file && contentId(file);
  };
  const side = store.side({ read, identify, modules, pending: () => [] });
  const owner = { paths };
  return { facts: (def, path) => side.get(def, path, owner), modules };
}
