/**
 * A fake GitHub REST API on 127.0.0.1 for end-to-end tests. Every request is matched against GitHub's
 * published OpenAPI description and validated (parameters and body) before a handler sees it; state
 * lives in memory and is seedable and inspectable from tests; faults (5xx, rate limits, slowness) can
 * be injected; every request is recorded.
 *
 * ```ts
 * const fake = await startFakeGitHub();
 * fake.addToken('ghs_test', { login: 'github-actions[bot]', app: true });
 * fake.seedRepo({ owner: 'acme', repo: 'shop', commits: { base: {...}, head: {...} }, pulls: [...] });
 * // … point the Action (GITHUB_API_URL) or Probot (baseUrl) at fake.url …
 * expect(fake.unexpected).toEqual([]);
 * await fake.close();
 * ```
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FaultInjector, type FaultSpec } from './faults.js';
import { HttpError, JWT_OPERATIONS, PUBLIC_OPERATIONS, handlers, type HandlerResult } from './handlers.js';
import { loadOpenApi, type OperationSpec, type ValidationProblem } from './openapi.js';
import type {
  AppSpec,
  CheckRunRecord,
  CommentRecord,
  Identity,
  RepoRecord,
  SeedContent,
  SeedRepo,
  TokenSpec,
} from './state.js';
import { idFor } from './state.js';
import type { Urls } from './views.js';
import { World } from './world.js';

export type { FaultSpec } from './faults.js';
export { LIMITS } from './handlers.js';
export type {
  AppSpec,
  CheckRunRecord,
  CommentRecord,
  Identity,
  RepoRecord,
  Role,
  SeedPull,
  SeedPullFile,
  SeedRepo,
  TokenSpec,
} from './state.js';
export { GITHUB_ACTIONS_APP } from './world.js';

/** Options of `startFakeGitHub`. */
export interface FakeGitHubOptions {
  /** Port to listen on (default: random). */
  port?: number;
  /** Seed of the RNG behind probability-mode faults (default 1). */
  seed?: number;
  /**
   * Check every 2xx JSON response against the documented response schema (types only) and record
   * mismatches as unexpected (default true). Turn off for load tests.
   */
  validateResponses?: boolean;
  /** Keep request bodies in `fake.requests` (default true; load tests may turn it off). */
  recordBodies?: boolean;
  /** Entries after which a recursive tree answer is truncated (GitHub: 100,000). */
  treeEntryLimit?: number;
}

/** One request as the fake saw it. */
export interface RecordedRequest {
  seq: number;
  method: string;
  /** The path as sent (percent-encoded), without the query. */
  path: string;
  query: Record<string, string>;
  operationId?: string;
  status: number;
  /** Parsed JSON body (raw text when it was not JSON). */
  body?: unknown;
  /** The authenticated login (or `app:<slug>` for a JWT). */
  login?: string;
  /** Set when an injected fault produced (or delayed) the answer. */
  fault?: boolean;
  startedAt: number;
  durationMs: number;
}

/**
 * A request that real GitHub would reject or that the fake cannot answer faithfully: unknown route or
 * method, parameters or body that break the OpenAPI description, a violated GitHub limit, an operation
 * the fake does not implement, or a fake response that breaks the documented response schema.
 */
export interface UnexpectedRequest {
  kind:
    | 'unknown-route'
    | 'unknown-method'
    | 'invalid-params'
    | 'invalid-body'
    | 'limit'
    | 'not-implemented'
    | 'bad-response'
    | 'fake-crash';
  method: string;
  path: string;
  operationId?: string;
  message: string;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const DOCS = 'https://docs.github.com/rest';

/** A running fake GitHub. */
export class FakeGitHub {
  /** Base URL to give Octokit (`baseUrl`) or the Action (`GITHUB_API_URL`), no trailing slash. */
  readonly url: string;
  /** Every request, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  /** Requests GitHub would reject or the fake could not serve faithfully; a passing test leaves it empty. */
  readonly unexpected: UnexpectedRequest[] = [];
  /** The state behind the API; seed and inspect it through the methods below. */
  readonly world = new World();
  private readonly faults: FaultInjector;
  private readonly urls: Urls;
  private seq = 0;

  /** @internal use `startFakeGitHub()` */
  constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    url: string,
    private readonly options: FakeGitHubOptions,
  ) {
    this.url = url;
    this.urls = { api: url, web: 'https://github.com' };
    this.faults = new FaultInjector(options.seed ?? 1);
  }

  /** Adds a repository (see `SeedRepo`); returns its live state. */
  seedRepo(seed: SeedRepo): RepoRecord {
    return this.world.seedRepo(seed);
  }

  /** Maps a token to an identity (`app: true` for installation tokens and the Actions GITHUB_TOKEN). */
  addToken(token: string, spec: TokenSpec): Identity {
    return this.world.addToken(token, spec);
  }

  /** Registers a GitHub App and its installations; JWTs whose `iss` is the app id authenticate as it. */
  addApp(spec: AppSpec): void {
    this.world.addApp(spec);
  }

  /** What GitHub's "new app" page does when the user confirms `manifest`: a code for the conversion. */
  addManifestCode(code: string, manifest: Record<string, unknown>, owner?: string): void {
    this.world.manifestCodes.set(code, { manifest, ...(owner ? { owner } : {}) });
  }

  /** Adds a comment by someone else (a reviewer's command, an impostor's marker). */
  addComment(owner: string, repo: string, issueNumber: number, body: string, author: string): CommentRecord {
    return this.world.addComment(this.repoState(owner, repo), issueNumber, body, author);
  }

  /** The live state of a seeded repository (throws if it was never seeded). */
  repoState(owner: string, repo: string): RepoRecord {
    const record = this.world.repo(owner, repo);
    if (!record) throw new Error(`fake GitHub: repository ${owner}/${repo} was not seeded`);
    return record;
  }

  /** Comments on an issue/PR, oldest first. */
  comments(owner: string, repo: string, issueNumber: number): CommentRecord[] {
    return [...this.repoState(owner, repo).comments.values()]
      .filter((c) => c.issueNumber === issueNumber)
      .sort((a, b) => a.id - b.id);
  }

  /** Check runs of a repository (optionally for one head sha), oldest first. */
  checkRuns(owner: string, repo: string, headSha?: string): CheckRunRecord[] {
    return [...this.repoState(owner, repo).checkRuns.values()]
      .filter((r) => headSha === undefined || r.headSha === headSha)
      .sort((a, b) => a.id - b.id);
  }

  /** Injects a fault; returns a function removing it. */
  injectFault(spec: FaultSpec): () => void {
    return this.faults.add(spec);
  }

  /** Removes all faults. */
  clearFaults(): void {
    this.faults.clear();
  }

  /** Counted faults not yet used up (a test that injected a fault usually expects it to be hit). */
  pendingFaults(): FaultSpec[] {
    return this.faults.pending();
  }

  /** Recorded requests for one operationId. */
  requestsFor(operationId: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operationId === operationId);
  }

  /** Recorded writes (POST/PUT/PATCH/DELETE). */
  writes(): RecordedRequest[] {
    // A GraphQL query is a POST that writes nothing.
    return this.requests.filter((r) => WRITE_METHODS.has(r.method) && r.operationId !== 'graphql');
  }

  /** Edits a comment as `editor` (a login): GitHub lets anyone with write access edit anyone's comment. */
  editComment(owner: string, repo: string, commentId: number, body: string, editor: string): CommentRecord {
    const comment = this.repoState(owner, repo).comments.get(commentId);
    if (!comment) throw new Error(`fake GitHub: no comment ${commentId} in ${owner}/${repo}`);
    const identity = [...this.world.tokens.values()].find((t) => t.login === editor) ?? {
      login: editor,
      id: idFor(editor),
      type: 'User' as const,
      readOnly: false,
    };
    return this.world.editComment(comment, body, identity);
  }

  /** Forgets recorded requests and unexpected entries (state stays). */
  clearRequests(): void {
    this.requests.length = 0;
    this.unexpected.length = 0;
  }

  /** Throws, listing them, if any unexpected request was seen. */
  assertNoUnexpected(): void {
    if (this.unexpected.length === 0) return;
    const lines = this.unexpected.map(
      (u) => `- ${u.kind}: ${u.method} ${u.path}${u.operationId ? ` (${u.operationId})` : ''}: ${u.message}`,
    );
    throw new Error(`fake GitHub saw ${this.unexpected.length} unexpected request(s):\n${lines.join('\n')}`);
  }

  /** Stops the server, dropping keep-alive connections. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
  }

  /** @internal the request listener */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedAt = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const requestUrl = new URL(req.url ?? '/', this.url);
    const path = requestUrl.pathname;
    const bodyText = await readBody(req);
    if (path.startsWith('/_fake/')) return this.control(method, path, requestUrl, bodyText, res);

    let body: unknown;
    let bodyIsJson = true;
    if (bodyText.length > 0) {
      try {
        body = JSON.parse(bodyText);
      } catch {
        body = bodyText;
        bodyIsJson = false;
      }
    }
    const query: Record<string, string> = {};
    for (const [k, v] of requestUrl.searchParams) query[k] = v;
    const record: RecordedRequest = { seq: ++this.seq, method, path, query, status: 0, startedAt, durationMs: 0 };
    if (body !== undefined && this.options.recordBodies !== false) record.body = structuredClone(body);
    this.requests.push(record);
    const requestId = `FAKE:${record.seq.toString(16).toUpperCase()}`;

    const send = (
      status: number,
      payload: unknown,
      headers: Record<string, string> = {},
      raw?: HandlerResult['raw'],
    ) => {
      record.status = status;
      record.durationMs = Date.now() - startedAt;
      const common: Record<string, string> = {
        'x-github-request-id': requestId,
        'x-github-api-version-selected': '2022-11-28',
        'x-ratelimit-limit': '5000',
        'x-ratelimit-remaining': String(Math.max(0, 5000 - (this.seq % 5000))),
        'x-ratelimit-used': String(this.seq % 5000),
        'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 3600),
        'x-ratelimit-resource': 'core',
        ...headers,
      };
      if (raw) {
        res.writeHead(status, { ...common, 'content-type': raw.contentType });
        res.end(method === 'HEAD' ? undefined : raw.data);
      } else if (status === 204 || payload === undefined) {
        res.writeHead(status, common);
        res.end();
      } else {
        res.writeHead(status, { ...common, 'content-type': 'application/json; charset=utf-8' });
        res.end(method === 'HEAD' ? undefined : JSON.stringify(payload));
      }
    };
    const fail = (
      status: number,
      message: string,
      extra: { errors?: unknown[]; headers?: Record<string, string> } = {},
    ) =>
      send(
        status,
        { message, ...(extra.errors ? { errors: extra.errors } : {}), documentation_url: DOCS, status: String(status) },
        extra.headers,
      );
    const flag = (kind: UnexpectedRequest['kind'], message: string, operationId?: string) =>
      this.unexpected.push({ kind, method, path, message, ...(operationId ? { operationId } : {}) });

    if (path === '/graphql') return this.graphql(method, req, body, record, requestId, send, fail, flag);

    const api = loadOpenApi();
    const match = api.match(method, path);
    if (match.kind === 'unknown-path') {
      const message = `No operation matches ${method} ${path} in GitHub's OpenAPI description`;
      flag('unknown-route', message);
      return fail(404, message);
    }
    if (match.kind === 'unknown-method') {
      const message = `${method} is not an operation of ${match.template} in GitHub's OpenAPI description (it has ${match.allowed.join(', ')})`;
      flag('unknown-method', message);
      return fail(404, message);
    }
    const operation = match.operation;
    record.operationId = operation.operationId;

    const hit = this.faults.take(method, path, operation.operationId, requestId);
    if (hit) {
      record.fault = true;
      if (hit.delayMs > 0) await sleep(hit.delayMs);
      if (hit.status !== undefined) return send(hit.status, hit.body, hit.headers);
    }

    const auth = this.authenticate(req.headers.authorization, operation);
    if ('error' in auth) return fail(401, auth.error);
    const { identity, jwtApp } = auth;
    if (identity) record.login = identity.login;
    if (jwtApp) record.login = `app:${jwtApp.slug}`;

    const { values, problems: paramProblems } = api.validateParameters(operation, match.pathParams, query);
    if (paramProblems.length > 0) {
      const message = `Invalid request.\n\n${paramProblems.map((p) => `${p.location} parameter ${p.field}: ${p.message}`).join('\n')}`;
      flag('invalid-params', message, operation.operationId);
      return fail(422, message, { errors: toGitHubErrors(operation, paramProblems) });
    }
    if (!bodyIsJson) {
      flag('invalid-body', 'Body is not JSON', operation.operationId);
      return fail(400, 'Problems parsing JSON');
    }
    let handlerBody: Record<string, unknown> | undefined;
    if (operation.requestBody?.schema && (body !== undefined || operation.requestBody.required)) {
      handlerBody = structuredClone(body ?? {}) as Record<string, unknown>;
      const bodyProblems = api.validateBody(operation, handlerBody);
      if (bodyProblems.length > 0) {
        const message = `Invalid request.\n\n${bodyProblems.map((p) => `For '${p.field}': ${p.message}`).join('\n')}`;
        flag('invalid-body', message, operation.operationId);
        return fail(422, message, { errors: toGitHubErrors(operation, bodyProblems) });
      }
    }

    // A fork PR's GITHUB_TOKEN can read but not write; GitHub says so with this exact message.
    if (identity?.readOnly && WRITE_METHODS.has(method)) {
      return fail(403, 'Resource not accessible by integration', {
        headers: { 'x-accepted-github-permissions': acceptedPermissions(operation.operationId) },
      });
    }

    const handler = handlers[operation.operationId];
    if (!handler) {
      const message = `The fake does not implement ${operation.operationId} (${operation.method} ${operation.template})`;
      flag('not-implemented', message, operation.operationId);
      return fail(501, message);
    }
    let result: HandlerResult;
    try {
      result = handler({
        world: this.world,
        urls: this.urls,
        params: values,
        body: handlerBody,
        identity,
        jwtApp,
        requestUrl,
        accept: String(req.headers.accept ?? ''),
        treeEntryLimit: this.options.treeEntryLimit ?? 100_000,
      });
    } catch (error) {
      if (error instanceof HttpError) {
        if (error.extra.limit)
          flag('limit', `${error.message}: ${JSON.stringify(error.extra.errors ?? [])}`, operation.operationId);
        return fail(error.status, error.message, error.extra);
      }
      throw error;
    }
    if (this.options.validateResponses !== false && result.status < 300 && result.body !== undefined && !result.raw) {
      const bad = api.validateResponse(operation, result.status, result.body);
      if (bad.length > 0)
        flag('bad-response', bad.map((p) => `${p.field}: ${p.message}`).join('; '), operation.operationId);
    }
    return send(result.status, result.body, result.headers, result.raw);
  }

  /**
   * `POST /graphql`, which the OpenAPI description does not cover. Only the query the port sends is
   * implemented — `nodes(ids: $ids) { ... on IssueComment { id lastEditedAt editor { login }
   * <alias>: userContentEdits(first|last: n) { nodes { editedAt editor { login } } } } }` — and
   * anything else is flagged as not implemented. Edit histories are listed newest first, as on GitHub.
   */
  private async graphql(
    method: string,
    req: IncomingMessage,
    body: unknown,
    record: RecordedRequest,
    requestId: string,
    send: (status: number, payload: unknown, headers?: Record<string, string>) => void,
    fail: (status: number, message: string) => void,
    flag: (kind: UnexpectedRequest['kind'], message: string, operationId?: string) => void,
  ): Promise<void> {
    record.operationId = 'graphql';
    if (method !== 'POST') {
      flag('unknown-method', `${method} /graphql: GitHub's GraphQL endpoint takes POST only`);
      return fail(404, 'Not Found');
    }
    const hit = this.faults.take(method, '/graphql', 'graphql', requestId);
    if (hit) {
      record.fault = true;
      if (hit.delayMs > 0) await sleep(hit.delayMs);
      if (hit.status !== undefined) return send(hit.status, hit.body, hit.headers);
    }
    const m = /^(?:token|bearer)\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
    const identity = m?.[1] ? this.world.tokens.get(m[1]) : undefined;
    if (!identity) return fail(401, 'This endpoint requires you to be authenticated.');
    record.login = identity.login;
    const query = (body as { query?: unknown } | undefined)?.query;
    const ids = (body as { variables?: { ids?: unknown } } | undefined)?.variables?.ids;
    if (
      typeof query !== 'string' ||
      !/nodes\(ids:\s*\$ids\)/.test(query) ||
      !/\.\.\.\s*on\s+IssueComment/.test(query) ||
      !Array.isArray(ids)
    ) {
      flag(
        'not-implemented',
        `the fake's GraphQL endpoint only answers nodes(ids: $ids) { ... on IssueComment { … } } with variables.ids; got ${JSON.stringify(body).slice(0, 200)}`,
        'graphql',
      );
      return send(200, { errors: [{ message: 'not implemented by the fake' }] });
    }
    if (/^\s*mutation\b/.test(query)) {
      flag('not-implemented', 'the fake implements no GraphQL mutation', 'graphql');
      return send(200, { errors: [{ message: 'not implemented by the fake' }] });
    }
    if (ids.length > 100)
      return send(200, { errors: [{ type: 'EXCESSIVE_PAGINATION', message: 'nodes(ids:) accepts at most 100 ids' }] });
    const aliases = [...query.matchAll(/(\w+)\s*:\s*userContentEdits\(\s*(first|last)\s*:\s*(\d+)\s*\)/g)].map((x) => ({
      alias: x[1]!,
      end: x[2]!,
      n: Number(x[3]),
    }));
    const errors: unknown[] = [];
    const nodes = ids.map((id, i) => {
      const c = typeof id === 'string' ? this.world.commentByNodeId(id) : undefined;
      if (!c) {
        errors.push({
          type: 'NOT_FOUND',
          path: ['nodes', i],
          message: `Could not resolve to a node with the global id of '${String(id)}'`,
        });
        return null;
      }
      const newestFirst = [...c.edits].reverse();
      const editNode = (e: (typeof c.edits)[number]) => ({ editedAt: e.editedAt, editor: { login: e.editor.login } });
      const last = c.edits.at(-1);
      const node: Record<string, unknown> = {
        id,
        lastEditedAt: last ? last.editedAt : null,
        editor: last ? { login: last.editor.login } : null,
      };
      for (const a of aliases) {
        const slice =
          a.end === 'first' ? newestFirst.slice(0, a.n) : newestFirst.slice(Math.max(0, newestFirst.length - a.n));
        node[a.alias] = { nodes: slice.map(editNode) };
      }
      return node;
    });
    return send(200, { data: { nodes }, ...(errors.length ? { errors } : {}) });
  }

  private authenticate(
    header: string | undefined,
    operation: OperationSpec,
  ): { identity?: Identity; jwtApp?: ReturnType<World['apps']['get']> } | { error: string } {
    const needsJwt = JWT_OPERATIONS.has(operation.operationId);
    if (!header) {
      if (PUBLIC_OPERATIONS.has(operation.operationId)) return {};
      return { error: needsJwt ? 'A JSON web token could not be decoded' : 'Requires authentication' };
    }
    const m = /^(?:token|bearer)\s+(\S+)$/i.exec(header);
    if (!m?.[1]) return { error: 'Bad credentials' };
    const credential = m[1];
    if (/^[\w-]+\.[\w-]+\.[\w-]*$/.test(credential)) {
      const app = this.appFromJwt(credential);
      if (!app) return { error: 'A JSON web token could not be decoded' };
      if (!needsJwt)
        return { error: 'JWT authentication is only accepted by /app endpoints; use an installation token' };
      return { jwtApp: app };
    }
    const identity = this.world.tokens.get(credential);
    if (!identity) return { error: 'Bad credentials' };
    if (needsJwt) return { error: 'A JSON web token could not be decoded' };
    return { identity };
  }

  /** The app a JWT claims (`iss`), if registered and unexpired. The signature is not checked. */
  private appFromJwt(jwt: string) {
    try {
      const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
        iss?: unknown;
        exp?: unknown;
      };
      if (typeof payload.exp === 'number' && payload.exp * 1000 < Date.now()) return undefined;
      return [...this.world.apps.values()].find((a) => String(a.id) === String(payload.iss));
    } catch {
      return undefined;
    }
  }

  /** The control API for a fake running in another process (see server.ts). */
  private control(method: string, path: string, url: URL, bodyText: string, res: ServerResponse): void {
    const reply = (status: number, payload?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(payload === undefined ? undefined : JSON.stringify(payload));
    };
    try {
      const body = bodyText ? (JSON.parse(bodyText) as Record<string, unknown>) : {};
      const route = `${method} ${path}`;
      if (route === 'POST /_fake/seed') {
        const seed = body as unknown as SeedRepo & {
          commits?: Record<string, Record<string, SeedContent | { base64: string }>>;
        };
        const commits = Object.fromEntries(
          Object.entries(seed.commits ?? {}).map(([sha, files]) => [
            sha,
            Object.fromEntries(
              Object.entries(files).map(([p, c]) => [
                p,
                typeof c === 'object' && 'base64' in c ? Buffer.from(c.base64, 'base64') : c,
              ]),
            ),
          ]),
        );
        this.seedRepo({ ...seed, commits });
        return reply(204);
      }
      if (route === 'POST /_fake/tokens') {
        const { token, ...spec } = body as unknown as TokenSpec & { token: string };
        this.addToken(token, spec);
        return reply(204);
      }
      if (route === 'POST /_fake/apps') return (this.addApp(body as unknown as AppSpec), reply(204));
      if (route === 'POST /_fake/comments') {
        const b = body as { owner: string; repo: string; issueNumber: number; body: string; author: string };
        const c = this.addComment(b.owner, b.repo, b.issueNumber, b.body, b.author);
        return reply(201, { id: c.id });
      }
      if (route === 'POST /_fake/pulls/head') {
        // A push to the PR's branch, as GitHub records it before it sends `pull_request.synchronize`.
        const b = body as { owner: string; repo: string; number: number; sha: string };
        const repo = this.repoState(b.owner, b.repo);
        const pull = repo.pulls.get(b.number);
        if (!pull) return reply(404, { message: `pull request ${b.owner}/${b.repo}#${b.number} was not seeded` });
        if (!repo.commits.has(b.sha))
          return reply(422, { message: `commit ${b.sha} was not seeded in ${b.owner}/${b.repo}` });
        pull.head.sha = b.sha;
        if (pull.head.repo === repo.fullName) repo.branches.set(pull.head.ref, b.sha);
        return reply(204);
      }
      if (route === 'POST /_fake/faults') {
        const spec = body as FaultSpec & { pathRegex?: string };
        this.injectFault({ ...spec, ...(spec.pathRegex ? { path: new RegExp(spec.pathRegex) } : {}) });
        return reply(204);
      }
      if (route === 'DELETE /_fake/faults') return (this.clearFaults(), reply(204));
      if (route === 'GET /_fake/requests') {
        const since = Number(url.searchParams.get('since') ?? 0);
        return reply(
          200,
          this.requests.filter((r) => r.seq > since),
        );
      }
      if (route === 'DELETE /_fake/requests') return (this.clearRequests(), reply(204));
      if (route === 'GET /_fake/unexpected') return reply(200, this.unexpected);
      const repoMatch = /^GET \/_fake\/repos\/([^/]+)\/([^/]+)$/.exec(route);
      if (repoMatch) {
        const repo = this.repoState(decodeURIComponent(repoMatch[1]!), decodeURIComponent(repoMatch[2]!));
        return reply(200, {
          comments: [...repo.comments.values()].map((c) => ({
            id: c.id,
            issueNumber: c.issueNumber,
            body: c.body,
            login: c.user.login,
            reactions: c.reactions.map((r) => r.content),
          })),
          checkRuns: [...repo.checkRuns.values()],
        });
      }
      return reply(404, { message: `unknown control route ${route}` });
    } catch (error) {
      return reply(400, { message: error instanceof Error ? error.message : String(error) });
    }
  }
}

/** Starts a fake GitHub on 127.0.0.1 (random port unless given). The OpenAPI description loads on first use. */
export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const sockets = new Set<Socket>();
  let fake: FakeGitHub | undefined;
  const server = createServer((req, res) => {
    fake!.handle(req, res).catch((error: unknown) => {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      fake!.unexpected.push({ kind: 'fake-crash', method: req.method ?? '?', path: req.url ?? '?', message });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'fake GitHub crashed', detail: message }));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  fake = new FakeGitHub(server, sockets, `http://127.0.0.1:${port}`, options);
  // Parse the description now rather than inside the first request, so no test's first call looks slow.
  loadOpenApi();
  return fake;
}

function toGitHubErrors(operation: OperationSpec, problems: ValidationProblem[]) {
  const resource = operation.operationId.split('/')[0] ?? 'Resource';
  return problems.map((p) => ({ resource, field: p.field, code: 'invalid', message: p.message, location: p.location }));
}

/** What GitHub lists in `x-accepted-github-permissions` for the writes we make. */
function acceptedPermissions(operationId: string): string {
  if (operationId.startsWith('checks/')) return 'checks=write';
  if (operationId.startsWith('issues/') || operationId.startsWith('reactions/'))
    return 'issues=write; pull_requests=write';
  return 'contents=write';
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
