/**
 * Waivers from pull request comments. The comments are the audit trail: every evaluation re-reads all of
 * them (edited bodies as they are now, deleted ones gone), replays the `/readiness waive|unwaive` lines
 * in order and keeps the waivers whose authors the base branch's policy allows. No database, so any run
 * of the Action or any replica of the app reaches the same answer.
 *
 * Three steps, so the decision is testable without GitHub:
 * 1. {@link extractWaiverCommands} (pure): the waive/unwaive lines of human comments, in order;
 * 2. {@link gatherWaiverFacts} (API): the commenters' permission levels, CODEOWNERS at the base commit,
 *    and team memberships only where a team owns the finding's path;
 * 3. {@link decideWaivers} (pure): authority, reasons, `--until` caps, expiry.
 * {@link deriveWaivers} runs all three.
 */
import type { WaiverPolicy } from '../config/types.js';
import type { Waiver } from '../core/engine.js';
import { codeownersFor, CODEOWNERS_LOCATIONS } from './codeowners.js';
import { parseCommand, type CommandErrorCode, type ReadinessCommand } from './commands.js';
import { lastEditorsOf, listIssueComments } from './comments.js';
import { GitHubFailure } from './errors.js';
import { call, type OctokitLike } from './octokit.js';
import { getCollaboratorPermission, getFileContent, permissionAtLeast, type RepoPermission } from './repo.js';

/** A comment as waiver derivation reads it (`IssueComment` from `listIssueComments` fits). */
export interface CommandComment {
  id: number;
  body: string;
  /** Null for deleted ("ghost") users, whose comments grant nothing. */
  user: { login: string; type: string } | null;
  /** ISO time the comment was written; `--until` is capped from this date, never from an edit. */
  createdAt: string;
  htmlUrl?: string;
  /**
   * Who last edited the comment, when it was edited (from {@link withLastEditors}); null when GitHub
   * could not say (a deleted account). Absent: never edited. Anyone with write access can edit anyone's
   * comment, so a comment whose last editor is not its author grants nothing.
   */
  lastEditor?: string | null;
  /** GraphQL node id, to ask who last edited it. */
  nodeId?: string;
}

/** One waive or unwaive line (or a malformed one), with who wrote it and when. */
export interface WaiverCommandEntry {
  commentId: number;
  login: string;
  createdAt: string;
  url?: string;
  /** 1-based line in the comment. */
  line: number;
  command:
    | Extract<ReadinessCommand, { kind: 'waive' | 'unwaive' | 'approve' }>
    | { kind: 'error'; code: CommandErrorCode | 'edited-by-other'; message: string; text: string; findingId?: string };
}

/** Parse errors that belong to waive/unwaive/approve lines (the others are answered by the shells, not here). */
const WAIVER_ERRORS = new Set<CommandErrorCode>(['missing-finding-id', 'missing-reason', 'bad-date']);

/** Lines that are (or try to be) waiver-like commands: they grant or withdraw something. */
export const WAIVER_LINE = /^ {0,3}\/readiness\s+(un)?waive\b|^ {0,3}\/readiness\s+approve\b/im;

/** Whether a comment was last edited by someone other than its author (or by someone GitHub cannot name). */
export function editedByOther(c: Pick<CommandComment, 'user' | 'lastEditor'>): boolean {
  if (c.lastEditor === undefined || !c.user) return false;
  return c.lastEditor === null || c.lastEditor.toLowerCase() !== c.user.login.toLowerCase();
}

/** Why the commands of a comment someone else edited are refused (written for the people on the PR). */
export function editedByOtherReason(author: string, editor: string | null): string {
  return (
    `This comment by @${author} was last edited by ${editor ? `@${editor}` : 'an account GitHub no longer names'}, not by its author, so its waive, unwaive and approve lines do not count: ` +
    `anyone with write access can edit another person's comment. @${author} can re-post the command in a new comment (or save an edit of their own).`
  );
}

/**
 * The waive/unwaive lines of every human comment, oldest comment first, lines in order. Comments by bots
 * (our own replies, other apps) and by deleted users are skipped: a bot cannot be held to account for a
 * waiver. Malformed waive lines (no reason, bad date) are kept as errors so they can be refused visibly.
 */
export function extractWaiverCommands(comments: readonly CommandComment[]): WaiverCommandEntry[] {
  const out: WaiverCommandEntry[] = [];
  // Comment ids grow with creation time on GitHub, so they order the audit trail even when two comments
  // share a timestamp (second precision).
  for (const c of [...comments].sort((a, b) => a.id - b.id)) {
    if (!c.user || c.user.type === 'Bot') continue;
    const forged = editedByOther(c);
    for (const parsed of parseCommand(c.body)) {
      const base = {
        commentId: c.id,
        login: c.user.login,
        createdAt: c.createdAt,
        line: parsed.line,
        ...(c.htmlUrl ? { url: c.htmlUrl } : {}),
      };
      if (
        forged &&
        (parsed.kind === 'waive' ||
          parsed.kind === 'unwaive' ||
          parsed.kind === 'approve' ||
          (parsed.kind === 'error' && WAIVER_LINE.test(parsed.text)))
      ) {
        const text = parsed.kind === 'error' ? parsed.text : `/readiness ${parsed.kind}`;
        out.push({
          ...base,
          command: {
            kind: 'error',
            code: 'edited-by-other',
            message: editedByOtherReason(c.user.login, c.lastEditor ?? null),
            text,
            ...(parsed.kind !== 'error' ? { findingId: parsed.findingId } : {}),
          },
        });
        continue;
      }
      if (parsed.kind === 'waive' || parsed.kind === 'unwaive' || parsed.kind === 'approve')
        out.push({ ...base, command: parsed });
      else if (parsed.kind === 'error' && WAIVER_ERRORS.has(parsed.code) && WAIVER_LINE.test(parsed.text)) {
        out.push({
          ...base,
          command: { kind: 'error', code: parsed.code, message: parsed.message, text: parsed.text },
        });
      }
    }
  }
  return out;
}

/** What GitHub told us about the people behind the commands. */
export interface WaiverFacts {
  /** Repository role per login, keys lower-case. A login missing here has no known permission (`none`). */
  permissions: ReadonlyMap<string, RepoPermission>;
  /** CODEOWNERS text at the base commit; undefined when there is none or the policy does not use it. */
  codeowners?: string;
  /** Team membership, key `org/team:login` lower-case. A missing key means it could not be checked. */
  teamMembership: ReadonlyMap<string, boolean>;
}

/** The policy and the pull request a decision is made for. */
export interface WaiverContext {
  /** From the base branch's config (`waivers:`), never the PR's own. */
  policy: WaiverPolicy;
  /** The pull request's author. */
  prAuthor: string;
  /** Finding id → path, from the current report (new and existing findings). */
  findings: ReadonlyMap<string, string>;
  /** Ids of the findings whose suppression comment the pull request added and that wait for approval. */
  pendingApproval?: ReadonlySet<string>;
  now: Date;
}

/** A command that was not applied, and why (written for the commenter). */
export interface RefusedCommand {
  commentId: number;
  login: string;
  reason: string;
  findingId?: string;
  line: number;
}

/** A command that was applied. */
export interface AcceptedCommand {
  commentId: number;
  login: string;
  kind: 'waive' | 'unwaive' | 'approve';
  findingId: string;
  line: number;
  /** For waives: the effective end date. */
  until?: string;
  /** For waives: `--until` was later than `max-days` allows, or absent, and was set to the cap. */
  capped?: boolean;
  /** How authority was established ("maintain permission", "code owner of src/x.ts"). */
  via?: string;
}

/** The outcome: waivers to apply, waivers that ran out, and every refusal. */
export interface WaiverDecision {
  /** Active waivers (end date today or later). */
  waivers: Waiver[];
  /** Waivers whose end date has passed; pass them to the engine too so the report says they expired. */
  expired: Waiver[];
  refused: RefusedCommand[];
  accepted: AcceptedCommand[];
}

const DAY_MS = 86_400_000;

/** YYYY-MM-DD (UTC) of an ISO time. */
function dayOf(iso: string | Date): string {
  return (typeof iso === 'string' ? new Date(iso) : iso).toISOString().slice(0, 10);
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

type Authority = { ok: true; via: string } | { ok: false; reason: string };

/** Whether `login` may waive a finding on `path` under the policy (author rule aside). */
function authorityOf(login: string, path: string, facts: WaiverFacts, policy: WaiverPolicy): Authority {
  const permission = facts.permissions.get(login.toLowerCase()) ?? 'none';
  if (permissionAtLeast(permission, policy.minPermission)) return { ok: true, via: `${permission} permission` };
  let ownerNote = '';
  if (policy.codeowners) {
    if (facts.codeowners === undefined) ownerNote = ', and the base branch has no CODEOWNERS file';
    else {
      const owners = codeownersFor(path, facts.codeowners);
      const me = login.toLowerCase();
      const unverified: string[] = [];
      for (const owner of owners) {
        const name = owner.toLowerCase();
        if (name === `@${me}`) return { ok: true, via: `code owner of ${path}` };
        if (name.startsWith('@') && name.includes('/')) {
          const member = facts.teamMembership.get(`${name.slice(1)}:${me}`);
          if (member === true) return { ok: true, via: `member of ${owner}, code owner of ${path}` };
          if (member === undefined) unverified.push(owner);
        }
      }
      ownerNote =
        owners.length === 0
          ? `, and CODEOWNERS names no owner for \`${path}\``
          : `, and is not a code owner of \`${path}\` (owners: ${owners.join(', ')})`;
      if (unverified.length > 0)
        ownerNote += `; membership of ${unverified.join(', ')} could not be checked (the token needs organization members: read)`;
    }
  }
  return {
    ok: false,
    reason: `@${login} has ${permission === 'none' ? 'no' : `\`${permission}\``} permission on this repository; waivers need \`${policy.minPermission}\` or higher${ownerNote}.`,
  };
}

/**
 * Replays the commands in order against the policy. Pure: same inputs, same decision.
 *
 * - A waive needs a reason (the parser refuses one without), a finding of the current report, authority
 *   (permission ≥ `min-permission`, or code owner of the finding's path when `codeowners` is on), and an
 *   author other than the PR's unless `allow-author`.
 * - Every waiver ends: `--until` is capped at the comment's date plus `max-days`, and a waive without
 *   `--until` gets the cap. The cap counts from when the comment was written, so editing an old comment
 *   cannot extend it. A date before the comment's own is refused.
 * - A later waive of the same finding replaces the earlier one; `unwaive` removes it, by whoever granted it
 *   or anyone who could have.
 * - Waivers whose end date has passed (`now`, UTC days, inclusive) come back in `expired`.
 */
export function decideWaivers(
  entries: readonly WaiverCommandEntry[],
  facts: WaiverFacts,
  context: WaiverContext,
): WaiverDecision {
  const { policy } = context;
  const refused: RefusedCommand[] = [];
  const accepted: AcceptedCommand[] = [];
  const active = new Map<string, Waiver>();
  const refuse = (e: WaiverCommandEntry, reason: string, findingId?: string) =>
    refused.push({ commentId: e.commentId, login: e.login, reason, line: e.line, ...(findingId ? { findingId } : {}) });

  for (const e of entries) {
    const cmd = e.command;
    if (cmd.kind === 'error') {
      refuse(e, cmd.message, cmd.findingId);
      continue;
    }
    const path = context.findings.get(cmd.findingId);
    if (path === undefined) {
      refuse(
        e,
        `There is no finding \`${cmd.findingId}\` in this pull request's current report; copy the id from the scorecard.`,
        cmd.findingId,
      );
      continue;
    }
    const authority = authorityOf(e.login, path, facts, policy);
    if (cmd.kind === 'unwaive') {
      const current = active.get(cmd.findingId);
      if (!current) {
        refuse(e, `Finding \`${cmd.findingId}\` is not waived, so there is nothing to unwaive.`, cmd.findingId);
        continue;
      }
      const granter = current.by.toLowerCase() === e.login.toLowerCase();
      if (!granter && !authority.ok) {
        refuse(
          e,
          `Only @${current.by}, who granted the waiver, or someone allowed to waive it may unwaive it. ${authority.reason}`,
          cmd.findingId,
        );
        continue;
      }
      active.delete(cmd.findingId);
      accepted.push({
        commentId: e.commentId,
        login: e.login,
        kind: 'unwaive',
        findingId: cmd.findingId,
        line: e.line,
        via: granter ? 'granted the waiver' : authority.ok ? authority.via : '',
      });
      continue;
    }
    if (e.login.toLowerCase() === context.prAuthor.toLowerCase() && !policy.allowAuthor) {
      refuse(
        e,
        `@${e.login} opened this pull request and may not ${cmd.kind === 'approve' ? 'approve its own suppression comments' : 'waive its findings'} (\`waivers.allow-author\` is false in the base branch's config); ask a maintainer or a code owner.`,
        cmd.findingId,
      );
      continue;
    }
    if (!authority.ok) {
      refuse(
        e,
        cmd.kind === 'approve'
          ? authority.reason.replace('waivers need', 'approvals, like waivers, need')
          : authority.reason,
        cmd.findingId,
      );
      continue;
    }
    if (cmd.kind === 'approve') {
      // An approval accepts the PR's own suppression comment (its reason is the justification); it lasts
      // as long as the finding keeps its id. Anything else needs a waiver, which ends.
      if (!context.pendingApproval?.has(cmd.findingId)) {
        refuse(
          e,
          `Finding \`${cmd.findingId}\` has no suppression comment added by this pull request awaiting approval; to accept it anyway, use \`/readiness waive ${cmd.findingId} <reason>\`.`,
          cmd.findingId,
        );
        continue;
      }
      active.set(cmd.findingId, {
        findingId: cmd.findingId,
        by: e.login,
        reason: cmd.reason ?? '',
        kind: 'approve',
        ...(e.url ? { url: e.url } : {}),
      });
      accepted.push({
        commentId: e.commentId,
        login: e.login,
        kind: 'approve',
        findingId: cmd.findingId,
        line: e.line,
        via: authority.via,
      });
      continue;
    }
    const written = dayOf(e.createdAt);
    const cap = addDays(written, policy.maxDays);
    if (cmd.until !== undefined && cmd.until < written) {
      refuse(e, `\`--until ${cmd.until}\` is before the comment was written (${written}).`, cmd.findingId);
      continue;
    }
    const capped = cmd.until === undefined || cmd.until > cap;
    const until = capped ? cap : cmd.until!;
    active.set(cmd.findingId, {
      findingId: cmd.findingId,
      by: e.login,
      reason: cmd.reason,
      until,
      ...(e.url ? { url: e.url } : {}),
    });
    accepted.push({
      commentId: e.commentId,
      login: e.login,
      kind: 'waive',
      findingId: cmd.findingId,
      line: e.line,
      until,
      ...(capped && cmd.until !== undefined ? { capped: true } : {}),
      via: authority.via,
    });
  }

  const today = dayOf(context.now);
  const waivers: Waiver[] = [];
  const expired: Waiver[] = [];
  for (const w of active.values()) (w.until !== undefined && w.until < today ? expired : waivers).push(w);
  return { waivers, expired, refused, accepted };
}

/** Where to look things up for {@link gatherWaiverFacts}. */
export interface GatherWaiverFactsOptions {
  owner: string;
  repo: string;
  entries: readonly WaiverCommandEntry[];
  policy: WaiverPolicy;
  findings: ReadonlyMap<string, string>;
  /**
   * The CODEOWNERS text at the base commit (the Action reads its checkout, the app the API; see
   * {@link codeownersFromApi}). Called only when the policy uses CODEOWNERS and someone needs it.
   */
  readCodeowners: () => Promise<string | undefined>;
}

/**
 * Asks GitHub what {@link decideWaivers} needs: each commenter's permission (once per login), then, only for
 * commenters below `min-permission`, CODEOWNERS and the membership of teams owning the finding's path. A
 * team membership GitHub will not tell us (the Actions token cannot read organization teams) stays unknown,
 * and the refusal says so. Permission lookups that fail propagate as `GitHubFailure`.
 */
export async function gatherWaiverFacts(octokit: OctokitLike, options: GatherWaiverFactsOptions): Promise<WaiverFacts> {
  const permissions = new Map<string, RepoPermission>();
  const teamMembership = new Map<string, boolean>();
  const relevant = options.entries.filter(
    (e) => e.command.kind !== 'error' && options.findings.has(e.command.findingId),
  );
  for (const e of relevant) {
    const key = e.login.toLowerCase();
    if (!permissions.has(key))
      permissions.set(
        key,
        await getCollaboratorPermission(octokit, { owner: options.owner, repo: options.repo, username: e.login }),
      );
  }
  const below = relevant.filter(
    (e) => !permissionAtLeast(permissions.get(e.login.toLowerCase()) ?? 'none', options.policy.minPermission),
  );
  if (!options.policy.codeowners || below.length === 0) return { permissions, teamMembership };

  const codeowners = await options.readCodeowners();
  if (codeowners === undefined) return { permissions, teamMembership };
  for (const e of below) {
    if (e.command.kind === 'error') continue;
    const path = options.findings.get(e.command.findingId)!;
    for (const owner of codeownersFor(path, codeowners)) {
      const m = /^@([^/]+)\/(.+)$/.exec(owner);
      if (!m) continue;
      const key = `${m[1]}/${m[2]}:${e.login}`.toLowerCase();
      if (teamMembership.has(key)) continue;
      const member = await teamMember(octokit, m[1]!, m[2]!, e.login);
      if (member !== undefined) teamMembership.set(key, member);
    }
  }
  return { permissions, codeowners, teamMembership };
}

/** Active membership of a user in a team; undefined when GitHub will not say (no members: read). */
async function teamMember(
  octokit: OctokitLike,
  org: string,
  team: string,
  username: string,
): Promise<boolean | undefined> {
  try {
    const { data } = await call<{ state?: string }>(
      octokit,
      'GET /orgs/{org}/teams/{team_slug}/memberships/{username}',
      { org, team_slug: team, username },
      `checking whether ${username} is in @${org}/${team}`,
    );
    return data.state === 'active';
  } catch (error) {
    // 404 is GitHub's answer both for "not a member" and for "you may not look"; only a token that can
    // read the team gets a 200 for members, so a 404 is treated as unknown rather than as "no".
    if (error instanceof GitHubFailure) return undefined;
    throw error;
  }
}

/** The CODEOWNERS file at a commit through the API, in GitHub's lookup order (for the app). */
export async function codeownersFromApi(
  octokit: OctokitLike,
  options: { owner: string; repo: string; ref: string },
): Promise<string | undefined> {
  for (const path of CODEOWNERS_LOCATIONS) {
    const text = await getFileContent(octokit, { owner: options.owner, repo: options.repo, path, ref: options.ref });
    if (text !== undefined) return text;
  }
  return undefined;
}

/** Options of {@link deriveWaivers}. */
export interface DeriveWaiversOptions
  extends Omit<GatherWaiverFactsOptions, 'entries'>, Omit<WaiverContext, 'findings'> {
  pullNumber: number;
  /** Already listed comments; listed here when absent. */
  comments?: readonly CommandComment[];
}

/**
 * Lists the PR's comments (unless given), extracts the commands, gathers the facts and decides. One call
 * per evaluation: the comments are the only state.
 */
export async function deriveWaivers(
  octokit: OctokitLike,
  options: DeriveWaiversOptions,
): Promise<WaiverDecision & { entries: WaiverCommandEntry[] }> {
  const listed: readonly CommandComment[] =
    options.comments ??
    (await listIssueComments(octokit, { owner: options.owner, repo: options.repo, issueNumber: options.pullNumber }));
  const comments = await withLastEditors(octokit, listed);
  const entries = extractWaiverCommands(comments);
  if (entries.length === 0) return { waivers: [], expired: [], refused: [], accepted: [], entries };
  const facts = await gatherWaiverFacts(octokit, { ...options, entries });
  return { ...decideWaivers(entries, facts, options), entries };
}

/**
 * The comments, with `lastEditor` set on those that hold a waive, unwaive or approve line and were
 * edited, as GitHub's GraphQL API tells (the REST API does not say who edited a comment). Asked for
 * every such comment, whatever its timestamps say. Comments without a node id are taken as they are.
 * A failed lookup propagates as `GitHubFailure`: an unverified waiver is never applied.
 */
export async function withLastEditors<T extends CommandComment>(
  octokit: OctokitLike,
  comments: readonly T[],
): Promise<Array<T & Pick<CommandComment, 'lastEditor'>>> {
  const asking = comments.filter((c) => c.nodeId && c.user && c.user.type !== 'Bot' && WAIVER_LINE.test(c.body));
  if (asking.length === 0) return [...comments];
  const editors = await lastEditorsOf(
    octokit,
    asking.map((c) => c.nodeId!),
  );
  return comments.map((c) => {
    if (!c.nodeId || !asking.includes(c)) return c;
    const known = editors.get(c.nodeId);
    // A comment GitHub did not return cannot be vouched for: treated as edited by someone unknown.
    if (!known) return { ...c, lastEditor: null };
    return known.edited ? { ...c, lastEditor: known.lastEditor } : c;
  });
}
