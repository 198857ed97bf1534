/**
 * One evaluation: a function of (repository, pull request, head sha) that reads everything through the
 * API, runs the pipeline and publishes. It runs in the background, after the webhook was answered, and
 * needs nothing from the webhook but the job — so a queue worker on another replica can run it too.
 *
 * Order of business:
 * 1. read the PR; a job for a head that is no longer the PR's head is discarded (its run closed as
 *    superseded);
 * 2. collect the change (merge base, PR files, trees, blobs within the byte budget), load the base
 *    branch's policy, analyse once, judge, derive waivers from the PR's comments against that
 *    judgement's findings, and judge again with them when there are any (never analysing again);
 * 3. re-read the PR: if its head moved meanwhile, discard the result (never publish it);
 * 4. complete the check run, upsert the sticky comment, answer the commands that asked for this run.
 * Failures are published per `on-error`, with the reason and the recheck hint.
 */
import type { Logger } from 'pino';
import type { ReadinessConfig } from '../config/types.js';
import type { ReadinessReport } from '../core/report.js';
import type { Gate, Snapshot } from '../core/types.js';
import { GATES } from '../gates/index.js';
import {
  GitHubFailure,
  addReaction,
  CODEOWNERS_LOCATIONS,
  compareCommits,
  createGitHubReader,
  createIssueComment,
  deriveWaivers,
  getPullRequest,
  listIssueComments,
  repositoryConfigReader,
  upsertStickyComment,
  type OctokitLike,
  type PullRequestInfo,
  type WaiverDecision,
} from '../github/index.js';
import { analyseCheck, judgeCheck, judgeWithWaivers, loadPolicy, policySnapshot } from '../pipeline.js';
import { analyseIsolated, type CheckPool } from './isolated-check.js';
import { MARKER } from '../render/index.js';
import { githubChangeSet, type GitHubChangeSet, type GitHubReader } from '../source/github.js';
import type { CheckRuns } from './check-runs.js';
import type { AppMetrics, EvaluationOutcome } from './metrics.js';
import {
  contextShortfall,
  errorOutputs,
  failureKind,
  reportOutputs,
  supersededOutput,
  type CheckOutput,
} from './outputs.js';
import { jobKey, type EvaluationJob } from './queue.js';

/** What an evaluation needs from the app. */
export interface EvaluationDeps {
  /** An Octokit for the installation (Probot's `auth`). */
  auth(installationId: number): Promise<OctokitLike>;
  checks: CheckRuns;
  /**
   * Open the in-progress run when the evaluation starts (the Redis-backed app, whose web replicas only
   * enqueue) rather than expect one opened by the webhook handler.
   */
  openRunOnStart?: boolean;
  /**
   * Throw a {@link TransientFailure} instead of publishing when GitHub failed transiently (5xx, network,
   * rate limit after the client's own retries), so the queue retries the job later with backoff.
   */
  retryTransient?: boolean;
  /** The last attempt of a job the queue retried: the published error says how many attempts failed. */
  attempts?: number;
  /**
   * Runs the publishing of one PR's result (check run, sticky comment) exclusively across replicas, so
   * two evaluations of one PR never write at once.
   */
  exclusive?: <T>(key: string, work: () => Promise<T>) => Promise<T>;
  /** `<app-slug>[bot]`, the author of our sticky comments; undefined when it could not be read. */
  appLogin(): Promise<string | undefined>;
  metrics: AppMetrics;
  log: Logger;
  byteBudget: number;
  timeoutMs: number;
  /** Run the engine in a worker thread (default true): a timeout then stops it, and the server stays responsive. */
  isolate?: boolean;
  /** The worker threads isolated checks run in, reused from one check to the next (absent: a process-wide pool). */
  pool?: CheckPool;
  now: () => Date;
  gates?: readonly Gate[];
  /**
   * Queues a job again. A superseded job hands the commands it was to answer to an evaluation of the
   * PR's current head, so a waiver written just before a push still gets its 👍 or 👎.
   */
  requeue?: (job: EvaluationJob) => Promise<unknown>;
}

/**
 * GitHub failed in a way worth retrying later (5xx, no answer, rate limit): thrown instead of publishing
 * when `retryTransient` is set; the in-progress run stays open for the retry to complete.
 */
export class TransientFailure extends Error {
  override readonly name = 'TransientFailure';
  constructor(
    readonly stage: 'read' | 'evaluate' | 'publish',
    override readonly cause: unknown,
  ) {
    super(`${stage}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Whether an error is a GitHub (or transport) failure that may pass if tried again later. */
export function isTransient(error: unknown): boolean {
  if (error instanceof GitHubFailure)
    return error.kind === 'server' || error.kind === 'network' || error.kind === 'rate-limited';
  const status = (error as { status?: unknown } | undefined)?.status;
  if (typeof status === 'number') return status >= 500 || status === 429;
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EAI_AGAIN|UND_ERR_)/.test(code);
}

/** An evaluation that did not finish within `READINESS_EVALUATION_TIMEOUT_MS`. */
class EvaluationTimeout extends Error {
  override readonly name = 'EvaluationTimeout';
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new EvaluationTimeout(
            `The evaluation took longer than ${Math.round(ms / 1000)} s (READINESS_EVALUATION_TIMEOUT_MS) and was abandoned.`,
          ),
        ),
      ms,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** `https://github.com/o/r` from a PR's html URL (GitHub Enterprise hosts included). */
function repositoryUrlOf(pr: PullRequestInfo): string | undefined {
  const m = /^(https?:\/\/.+?\/[^/]+\/[^/]+)\/pull\/\d+$/.exec(pr.htmlUrl);
  return m?.[1];
}

async function readCodeowners(snapshot: Snapshot): Promise<string | undefined> {
  for (const path of CODEOWNERS_LOCATIONS) {
    const r = await snapshot.read(path);
    if (r.ok) return r.file.text;
  }
  return undefined;
}

/**
 * Records every failed read. The engine turns a failed read inside a gate (an index, an applicability
 * check) into a skipped file or gate, which is right for a broken file but would let a GitHub outage
 * pass as "nothing to check"; {@link assertComplete} turns any recorded failure back into an error.
 */
function failuresRecorded(reader: GitHubReader, failures: unknown[]): GitHubReader {
  const recorded = <T>(p: Promise<T>): Promise<T> =>
    p.catch((error: unknown) => {
      failures.push(error);
      throw error;
    });
  return {
    listPullFiles: () => recorded(reader.listPullFiles()),
    getTree: (sha) => recorded(reader.getTree(sha)),
    getBlob: (sha) => recorded(reader.getBlob(sha)),
    // Release lookups are not recorded: a failure there makes the release state "unknown" (history rules
    // then judge every merged migration as applied, as without releases), which never hides a blocker.
    ...(reader.listRefs ? { listRefs: reader.listRefs.bind(reader) } : {}),
    ...(reader.compare ? { compare: reader.compare.bind(reader) } : {}),
  };
}

/** Throws the first read failure of an evaluation, so a partial read never publishes a verdict. */
function assertComplete(failures: readonly unknown[]): void {
  if (failures.length > 0) throw failures[0];
}

/** The result of evaluating one head, before publishing. */
interface Evaluated {
  report: ReadinessReport;
  changeSet: GitHubChangeSet;
  decision?: WaiverDecision;
}

interface Target {
  owner: string;
  repo: string;
  headSha: string;
  /** The base branch's tip (not the merge-base): where policy is read. */
  baseSha: string;
  baseRef: string;
  headRef: string;
  /** Reader target: the PR's file list, or a comparison for merge groups. */
  files: { kind: 'pull'; pullNumber: number } | { kind: 'compare'; base: string; head: string };
  /** The PR whose comments carry waivers (absent for a merge group whose ref names none). */
  pr?: PullRequestInfo;
  /** A merge group: no sticky comment, and its head never moves (the ref is immutable). */
  mergeGroup: boolean;
  repositoryUrl?: string;
}

/**
 * Collects and evaluates one head. Loads the policy itself so a broken config surfaces as ConfigError
 * before anything else, and reports the `on-error` to use through `onPolicy`.
 */
async function evaluateHead(
  octokit: OctokitLike,
  target: Target,
  deps: EvaluationDeps,
  onPolicy: (config: ReadinessConfig) => void,
): Promise<Evaluated> {
  const gates = deps.gates ?? GATES;
  const failures: unknown[] = [];
  const { mergeBaseSha } = await compareCommits(octokit, {
    owner: target.owner,
    repo: target.repo,
    base: target.baseSha,
    head: target.headSha,
  });
  const reader = failuresRecorded(
    createGitHubReader(octokit, { owner: target.owner, repo: target.repo, target: target.files }),
    failures,
  );
  // The diff and the baseline use the merge-base; policy is read at the base branch's tip.
  const changeSet = await githubChangeSet({
    reader,
    baseSha: mergeBaseSha,
    policySha: target.baseSha,
    headSha: target.headSha,
    baseRef: target.baseRef,
    headRef: target.headRef,
    byteBudget: deps.byteBudget,
  });
  // Shared configs named by `extends:` in other repositories are read with the installation's token.
  const readRepositoryConfig = repositoryConfigReader(octokit);
  const { config } = await loadPolicy(changeSet, gates, undefined, undefined, readRepositoryConfig);
  onPolicy(config);
  const now = deps.now();
  const common = {
    changeSet,
    gates,
    readRepositoryConfig,
    ...(target.repositoryUrl ? { repositoryUrl: target.repositoryUrl } : {}),
  };
  // The registered gates are analysed in a worker thread that a timeout really stops; custom gates
  // (tests) cannot cross threads and run here. Either way the analysis runs once and is judged here.
  const checked =
    deps.gates === undefined && deps.isolate !== false
      ? await analyseIsolated({
          changeSet,
          timeoutMs: deps.timeoutMs,
          readRepositoryConfig,
          ...(deps.pool ? { pool: deps.pool } : {}),
          ...(target.repositoryUrl ? { repositoryUrl: target.repositoryUrl } : {}),
        })
      : await analyseCheck(common);
  assertComplete(failures);
  const pr = target.pr;
  if (!pr) return { report: judgeCheck(checked, { now }), changeSet };

  // Waivers change states and scores: the analysis is judged again with them, never analysed again.
  const { report, decision } = await judgeWithWaivers(checked, {
    now,
    decide: async (targets, policy) => {
      const comments = await listIssueComments(octokit, {
        owner: target.owner,
        repo: target.repo,
        issueNumber: pr.number,
      });
      return deriveWaivers(octokit, {
        pendingApproval: targets.pendingApproval,
        owner: target.owner,
        repo: target.repo,
        pullNumber: pr.number,
        comments,
        policy: policy.waivers,
        prAuthor: pr.author,
        findings: targets.findings,
        now,
        readCodeowners: () => readCodeowners(policySnapshot(changeSet)),
      });
    },
  });
  return { report, changeSet, ...(decision ? { decision } : {}) };
}

/** 👍 on commands that were applied, 👎 and a short reply on refused ones — only for the comments that asked for this run. */
async function answerCommands(
  octokit: OctokitLike,
  job: EvaluationJob,
  decision: WaiverDecision | undefined,
  log: Logger,
): Promise<void> {
  if (!decision || job.commentIds.length === 0) return;
  for (const commentId of job.commentIds) {
    const refused = decision.refused.filter((r) => r.commentId === commentId);
    const accepted = decision.accepted.filter((a) => a.commentId === commentId);
    try {
      if (accepted.length > 0)
        await addReaction(octokit, { owner: job.owner, repo: job.repo, commentId, content: '+1' });
      if (refused.length > 0) {
        await addReaction(octokit, { owner: job.owner, repo: job.repo, commentId, content: '-1' });
        const who = refused[0]!.login;
        const lines = refused.map((r) => `- ${r.findingId ? `\`${r.findingId}\`: ` : ''}${r.reason}`).join('\n');
        await createIssueComment(octokit, {
          owner: job.owner,
          repo: job.repo,
          issueNumber: job.pullNumber,
          body: `@${who} ${refused.length === 1 ? 'this command was' : 'these commands were'} not applied:\n\n${lines}\n\n<sub>Readiness Gates re-reads every comment on each evaluation; edit or add a comment to try again.</sub>`,
        });
      }
    } catch (error) {
      log.warn({ err: error, commentId }, 'could not answer a command comment');
    }
  }
}

/**
 * Queues the PR's current head after the head moved during an evaluation, with the comments the
 * discarded result was to answer. Usually the push's own delivery has queued it already and this folds
 * into that request; when the delivery is late or lost, this is what gets the newest head evaluated.
 */
async function handOver(job: EvaluationJob, currentHead: string, deps: EvaluationDeps, log: Logger): Promise<void> {
  if (!deps.requeue) return;
  log.info({ commentIds: job.commentIds, head: currentHead }, 'the newer head is queued for evaluation');
  await deps.requeue({
    ...job,
    headSha: currentHead,
    reasons: ['the head moved during an evaluation'],
    commentIds: job.commentIds,
    requestedAt: Date.now(),
  });
}

/**
 * Runs one job end to end and returns its outcome. Never throws: every failure is published (when
 * GitHub lets us) and logged.
 */
export async function runEvaluation(job: EvaluationJob, deps: EvaluationDeps): Promise<EvaluationOutcome> {
  const started = Date.now();
  const log = deps.log.child({
    repo: `${job.owner}/${job.repo}`,
    pr: job.pullNumber,
    ...(job.mergeGroup ? { mergeGroup: job.mergeGroup.headRef } : {}),
  });
  const finish = (outcome: EvaluationOutcome, extra: Record<string, unknown> = {}) => {
    const seconds = (Date.now() - started) / 1000;
    deps.metrics.evaluations.inc({ outcome });
    deps.metrics.evaluationDuration.observe({ outcome }, seconds);
    log.info(
      {
        outcome,
        durationMs: Date.now() - started,
        waitedMs: started - job.requestedAt,
        reasons: job.reasons,
        ...extra,
      },
      `evaluation ${outcome}`,
    );
    return outcome;
  };

  let octokit: OctokitLike | undefined;
  let target: Target;
  try {
    octokit = await deps.auth(job.installationId);
    if (job.mergeGroup) {
      const mg = job.mergeGroup;
      const pr =
        job.pullNumber > 0
          ? await getPullRequest(octokit, { owner: job.owner, repo: job.repo, pullNumber: job.pullNumber }).catch(
              (error: unknown) => {
                log.warn(
                  { err: error },
                  'merge group: its pull request could not be read, so it is evaluated without that PR’s waivers',
                );
                return undefined;
              },
            )
          : undefined;
      target = {
        owner: job.owner,
        repo: job.repo,
        headSha: mg.headSha,
        baseSha: mg.baseSha,
        baseRef: mg.baseRef,
        headRef: mg.headRef,
        files: { kind: 'compare', base: mg.baseSha, head: mg.headSha },
        mergeGroup: true,
        ...(pr ? { pr, repositoryUrl: repositoryUrlOf(pr) } : {}),
      };
    } else {
      const pr = await getPullRequest(octokit, { owner: job.owner, repo: job.repo, pullNumber: job.pullNumber });
      if (pr.state !== 'open') {
        if (job.headSha)
          await deps.checks.close(
            octokit,
            { ...job, headSha: job.headSha },
            {
              conclusion: 'cancelled',
              title: 'Pull request closed',
              summary: 'The pull request was closed before it was evaluated.',
              annotations: [],
            },
          );
        return finish('skipped', { why: `the pull request is ${pr.state}` });
      }
      if (job.headSha && job.headSha !== pr.headSha) {
        // Deliveries are not ordered (GitHub's, nor two replicas'): the request may name an older head
        // than one already pushed. What it asks for is a verdict on the PR, so the current head is evaluated.
        await deps.checks.close(octokit, { ...job, headSha: job.headSha }, supersededOutput(job.headSha, pr.headSha));
        log.info(
          { head: job.headSha, current: pr.headSha },
          'the pull request has a newer head than the request named: evaluating the current head',
        );
      }
      const url = repositoryUrlOf(pr);
      target = {
        owner: job.owner,
        repo: job.repo,
        headSha: pr.headSha,
        baseSha: pr.baseSha,
        baseRef: pr.baseRef,
        headRef: pr.headRef,
        files: { kind: 'pull', pullNumber: pr.number },
        mergeGroup: false,
        pr,
        ...(url ? { repositoryUrl: url } : {}),
      };
    }
  } catch (error) {
    if (deps.retryTransient && isTransient(error)) throw new TransientFailure('read', error);
    // Not even the pull request could be read: there is no head to publish on but the job's own.
    deps.metrics.errors.inc({ kind: failureKind(error) });
    log.error({ err: error }, 'could not read the pull request');
    if (job.headSha && octokit) {
      const head = { owner: job.owner, repo: job.repo, headSha: job.headSha };
      const runId = await deps.checks.claim(head);
      await deps.checks
        .complete(octokit, head, runId, errorOutputs(error, 'failure', attemptsNote(deps)).check)
        .catch((e: unknown) => log.error({ err: e }, 'could not publish the error either'));
    }
    return finish('error');
  }

  const head = { owner: target.owner, repo: target.repo, headSha: target.headSha };
  const openElsewhere =
    target.pr && !target.mergeGroup ? await deps.checks.openHeads(target.owner, target.repo, target.pr.number) : [];
  for (const older of new Set([...(job.supersededHeads ?? []), ...openElsewhere])) {
    if (older !== target.headSha)
      await deps.checks.close(
        octokit,
        { owner: target.owner, repo: target.repo, headSha: older },
        supersededOutput(older, target.headSha),
      );
  }
  const runId = await deps.checks.claim(
    head,
    deps.openRunOnStart
      ? {
          octokit,
          why: job.reasons.at(-1) ?? 'requested',
          ...(target.pr && !target.mergeGroup ? { pullNumber: target.pr.number } : {}),
        }
      : undefined,
  );
  let onError: 'failure' | 'neutral' = 'failure';
  let check: CheckOutput;
  let comment: string;
  let outcome: EvaluationOutcome;
  let decision: WaiverDecision | undefined;
  try {
    const evaluated = await withTimeout(
      evaluateHead(octokit, target, deps, (config) => (onError = config.onError)),
      deps.timeoutMs,
    );
    ({ decision } = evaluated);
    const shortfall = contextShortfall(evaluated.changeSet.budget, evaluated.report, deps.gates ?? GATES);
    ({ check, comment } = reportOutputs(evaluated.report, shortfall));
    outcome = evaluated.report.verdict;
  } catch (error) {
    if (deps.retryTransient && isTransient(error)) throw new TransientFailure('evaluate', error);
    deps.metrics.errors.inc({ kind: failureKind(error) });
    log.warn({ err: error, head: target.headSha }, 'evaluation failed; publishing the error');
    ({ check, comment } = errorOutputs(error, onError, { baseRef: target.baseRef, ...attemptsNote(deps) }));
    outcome = 'error';
  }

  const exclusive = deps.exclusive ?? (<T>(_key: string, work: () => Promise<T>) => work());
  try {
    const published = await exclusive(jobKey(job), () =>
      publish(octokit!, job, target, head, runId, check, comment, deps),
    );
    if (published.kind === 'elsewhere') {
      log.warn(
        { head: target.headSha, checkRunId: runId },
        'another worker already published this head (this job was retried elsewhere while it ran); result dropped',
      );
      return finish('superseded', { head: target.headSha, why: 'published by another worker' });
    }
    if (published.kind === 'moved') {
      await handOver(job, published.current, deps, log);
      return finish('superseded', {
        head: target.headSha,
        current: published.current,
        why: 'the head moved during the evaluation; result discarded',
      });
    }
  } catch (error) {
    if (deps.retryTransient && isTransient(error)) throw new TransientFailure('publish', error);
    deps.metrics.errors.inc({ kind: 'publish' });
    log.error({ err: error, head: target.headSha }, 'could not publish the result');
    // Say so on the check run if GitHub still takes that; a run left in progress never passes either.
    if (outcome !== 'error') {
      await deps.checks
        .complete(
          octokit,
          head,
          runId,
          errorOutputs(error, onError, { baseRef: target.baseRef, ...attemptsNote(deps) }).check,
        )
        .catch(() => undefined);
    }
    return finish('error', { publishFailed: true });
  }
  await answerCommands(octokit, job, decision, log);
  return finish(outcome, { head: target.headSha, conclusion: check.conclusion });
}

/** `attempts` for the error outputs of a job's last attempt. */
function attemptsNote(deps: EvaluationDeps): { attempts?: number } {
  return deps.attempts === undefined ? {} : { attempts: deps.attempts };
}

/**
 * Publishes one evaluated head: completes its check run and upserts the sticky comment. `moved` when
 * the PR's head moved meanwhile (the result is discarded, its run closed as superseded); `elsewhere` when
 * another worker already completed the run (this job was retried while it ran).
 */
async function publish(
  octokit: OctokitLike,
  job: EvaluationJob,
  target: Target,
  head: { owner: string; repo: string; headSha: string },
  runId: number | undefined,
  check: CheckOutput,
  comment: string,
  deps: EvaluationDeps,
): Promise<{ kind: 'published' } | { kind: 'moved'; current: string } | { kind: 'elsewhere' }> {
  // Another worker completed this run meanwhile (this one was presumed dead and its job retried): its
  // result stands, this one is not written twice.
  if (runId !== undefined && !(await deps.checks.stillOpen(octokit, head, runId))) return { kind: 'elsewhere' };
  // A result for a head that is no longer the PR's head is never published.
  if (target.pr && !target.mergeGroup) {
    const now = await getPullRequest(octokit, { owner: job.owner, repo: job.repo, pullNumber: target.pr.number });
    if (now.headSha !== target.headSha) {
      await deps.checks.complete(octokit, head, runId, supersededOutput(target.headSha, now.headSha));
      return { kind: 'moved', current: now.headSha };
    }
  }
  await deps.checks.complete(octokit, head, runId, check);
  if (target.pr && !target.mergeGroup) {
    const ownLogin = await deps.appLogin();
    await upsertStickyComment(octokit, {
      owner: job.owner,
      repo: job.repo,
      issueNumber: target.pr.number,
      body: comment,
      marker: MARKER,
      mode: 'on-change',
      ...(ownLogin ? { ownLogin } : {}),
    });
  }
  return { kind: 'published' };
}
