/**
 * The Action's shell: read the inputs and the event, build the ChangeSet (git, or the API when git cannot),
 * run the pipeline with the pull request's waivers, and write every output: the files, the sticky comment,
 * the check run, workflow annotations, the job summary, the step outputs and the exit code.
 *
 * Failures are explicit. A configuration or git problem fails the step with the reason (and a failing
 * check run when the token may write); a GitHub write that fails for good is reported in the log and the
 * summary while the exit code still follows the verdict.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import * as core from '@actions/core';
import { formatConfigError } from '../config/loader.js';
import { ConfigError } from '../config/types.js';
import type { ReadinessReport } from '../core/report.js';
import { ruleDocs } from '../gates/docs.js';
import {
  createOctokit,
  editedByOtherReason,
  getPullRequest,
  GitHubFailure,
  repositoryConfigReader,
  WAIVER_LINE,
  type OctokitLike,
} from '../github/index.js';
import { renderText } from '../render/index.js';
import { SourceError } from '../source/index.js';
import { VERSION } from '../version.js';
import { answerComment } from './answer.js';
import { collectChanges, NothingToCompare, type Collected } from './collect.js';
import { evaluate, type Evaluation, type WaiverSource } from './evaluate.js';
import { EventError, resolveEvent, type CommentTarget, type PublishTarget, type RepoId } from './event.js';
import { InputError, readInputs, type ActionInputs } from './inputs.js';
import {
  annotationLines,
  newCount,
  reportJson,
  runDetails,
  summaryMarkdown,
  writeOutputFile,
  writeSarif,
  type RunContext,
} from './outputs.js';
import { Publisher } from './publish.js';
import { parsePublishedReport } from './published-report.js';
import { DiskCache } from '../source/disk-cache.js';
import type { FactsWorkerPool } from '../core/facts-parallel.js';
import { factsWorkersFromEnv } from '../facts-workers.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Everything one run shares. */
interface RunState {
  inputs: ActionInputs;
  env: Env;
  workspace: string;
  repo: RepoId;
  octokit: OctokitLike | undefined;
  publisher: Publisher;
  repositoryUrl: string;
  runUrl: string | undefined;
  /** Lines for the summary's "Run details". */
  facts: string[];
  now: Date;
}

/** One evaluation to run and publish. */
interface Job {
  event: string;
  base: string | undefined;
  head: string;
  baseRef: string;
  headRef: string;
  /** The pull request to comment on (absent for pushes, merge groups, dispatches). */
  commentOn?: number;
  /** The pull request whose waivers apply, and its author. */
  waivers?: { pullNumber: number; author: string };
  /** For the API fallback's file list. */
  pullNumber?: number;
  /** The commit the check run goes on; default the evaluated head. */
  checkSha?: string;
  /** Called with the evaluation before anything is published (answers to commands). */
  afterEvaluate?: (evaluation: Evaluation) => Promise<void>;
}

const SHA = /^[0-9a-f]{40}$/i;

/** Runs the Action. Never throws: every failure ends as a failed step with its reason. */
export async function run(env: Env = process.env): Promise<void> {
  // The first line says what runs and why, before any slow work (it is also what cold start measures).
  core.info(`Readiness Gates ${VERSION} · event ${env['GITHUB_EVENT_NAME'] ?? '(none)'}`);
  try {
    await main(env);
  } catch (error) {
    core.setFailed(
      `Readiness Gates failed unexpectedly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  }
}

function numberFrom(env: Env, name: string): number | undefined {
  const v = env[name];
  return v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
}

async function main(env: Env): Promise<void> {
  let inputs: ActionInputs;
  try {
    inputs = readInputs((name) => core.getInput(name));
  } catch (error) {
    if (error instanceof InputError) return core.setFailed(error.message);
    throw error;
  }
  if (inputs.token) core.setSecret(inputs.token);
  const eventName = env['GITHUB_EVENT_NAME'] ?? '';
  let payload: Record<string, unknown> = {};
  if (env['GITHUB_EVENT_PATH']) {
    try {
      payload = JSON.parse(await readFile(env['GITHUB_EVENT_PATH'], 'utf8')) as Record<string, unknown>;
    } catch (error) {
      return core.setFailed(`cannot read the event payload ${env['GITHUB_EVENT_PATH']}: ${(error as Error).message}`);
    }
  }
  let target;
  try {
    target = resolveEvent(eventName, payload, inputs, env);
  } catch (error) {
    if (error instanceof EventError) return core.setFailed(error.message);
    throw error;
  }
  if (target.kind === 'skip') {
    core.info(`Nothing to check: ${target.reason}.`);
    return;
  }

  // Tuning knobs (tests shrink the waits; a GHES admin may want gentler spacing). Unset = the port's defaults.
  const retryBaseMs = numberFrom(env, 'READINESS_GATES_RETRY_BASE_MS');
  const writeIntervalMs = numberFrom(env, 'READINESS_GATES_WRITE_INTERVAL_MS');
  const retryAfterUnitMs = numberFrom(env, 'READINESS_GATES_RETRY_AFTER_UNIT_MS');
  const octokit = inputs.token
    ? createOctokit({
        token: inputs.token,
        baseUrl: env['GITHUB_API_URL'] || 'https://api.github.com',
        userAgent: `readiness-gates-action/${VERSION}`,
        ...(retryBaseMs !== undefined ? { retryBaseMs } : {}),
        throttle: {
          ...(writeIntervalMs !== undefined ? { writeIntervalMs } : {}),
          ...(retryAfterUnitMs !== undefined ? { retryAfterUnitMs } : {}),
        },
        // Retry notices go to the log as plain lines: a warning annotation would take a slot from the findings.
        log: {
          debug: (m) => core.debug(m),
          info: (m) => core.info(m),
          warn: (m) => core.info(`GitHub: ${m}`),
          error: (m) => core.info(`GitHub: ${m}`),
        },
      })
    : undefined;
  const repo: RepoId = { owner: target.owner, repo: target.repo };
  const workspace = resolve(env['GITHUB_WORKSPACE'] || process.cwd());
  const serverUrl = (env['GITHUB_SERVER_URL'] || 'https://github.com').replace(/\/+$/, '');
  const state: RunState = {
    inputs,
    env,
    workspace,
    repo,
    octokit,
    publisher: new Publisher(octokit, repo, { info: (m) => core.info(m), notice: (m) => core.notice(m) }),
    repositoryUrl: `${serverUrl}/${repo.owner}/${repo.repo}`,
    runUrl: env['GITHUB_RUN_ID']
      ? `${serverUrl}/${repo.owner}/${repo.repo}/actions/runs/${env['GITHUB_RUN_ID']}`
      : undefined,
    facts: [],
    now: new Date(),
  };

  switch (target.kind) {
    case 'publish':
      return publishMode(state, target);
    case 'comment':
      return commentCommand(state, target);
    case 'pull':
      if (target.readOnly) {
        // Known before any request: GitHub gives `pull_request` runs from forks a read-only token.
        state.publisher.blockWrites(
          'this pull request comes from a fork, and GitHub gives such pull_request runs a read-only token',
        );
      }
      state.facts.push(
        `Event: \`${target.event}\` on pull request #${target.number}${target.fork ? ' (from a fork)' : ''}`,
      );
      return check(state, {
        event: target.event,
        base: target.base,
        head: target.head,
        baseRef: target.baseRef,
        headRef: target.headRef,
        commentOn: target.number,
        pullNumber: target.number,
        waivers: { pullNumber: target.number, author: target.author },
        checkSha: target.headSha,
      });
    case 'commits': {
      state.facts.push(
        `Event: \`${target.event}\`${target.pullNumber ? ` (merge queue, pull request #${target.pullNumber})` : ''}`,
      );
      let waivers: Job['waivers'];
      if (target.pullNumber !== undefined && octokit) {
        try {
          const pr = await getPullRequest(octokit, { ...repo, pullNumber: target.pullNumber });
          waivers = { pullNumber: pr.number, author: pr.author };
        } catch (error) {
          if (!(error instanceof GitHubFailure)) throw error;
          state.publisher.problems.push(
            `The merge queue's pull request #${target.pullNumber} could not be read, so its waivers do not apply:\n${error.describe()}`,
          );
        }
      }
      return check(state, {
        event: target.event,
        base: target.base,
        head: target.head,
        baseRef: target.baseRef,
        headRef: target.headRef,
        ...(waivers ? { waivers } : {}),
      });
    }
  }
}

/** Collect, evaluate, publish. Any failure before publishing fails the step with its reason. */
async function check(state: RunState, job: Job): Promise<void> {
  let collected: Collected | undefined;
  let workers: FactsWorkerPool | undefined;
  const cache = state.inputs.cacheDir ? new DiskCache(outPath(state, state.inputs.cacheDir)) : undefined;
  if (cache?.loadProblem && cache.loadProblem !== 'missing')
    core.info(`The analysis cache in ${cache.path} was not used (${cache.loadProblem}); it is rebuilt.`);
  try {
    const cwd = resolve(state.workspace, state.inputs.workingDirectory);
    core.startGroup('Collecting the change');
    try {
      collected = await collectChanges({
        cwd,
        base: job.base,
        head: job.head,
        baseRef: job.baseRef,
        headRef: job.headRef,
        repo: state.repo,
        ...(job.pullNumber !== undefined ? { pullNumber: job.pullNumber } : {}),
        ...(state.octokit ? { octokit: state.octokit } : {}),
        log: (l) => core.info(l),
        ...(cache ? { cache } : {}),
      });
    } finally {
      core.endGroup();
    }
    core.info(`Compared with: ${collected.description}; ${collected.changeSet.files.length} file(s) changed.`);
    workers = factsWorkersFromEnv(state.env);
    state.facts.push(`Compared with: ${collected.description}`);
    const waiverSource: WaiverSource | undefined =
      job.waivers && state.octokit
        ? { octokit: state.octokit, ...state.repo, pullNumber: job.waivers.pullNumber, prAuthor: job.waivers.author }
        : undefined;
    const evaluation = await evaluate({
      changeSet: collected.changeSet,
      configPath: state.inputs.configPath,
      ...(state.inputs.failOn ? { failOn: state.inputs.failOn } : {}),
      repositoryUrl: state.repositoryUrl,
      ...(waiverSource ? { waiverSource } : {}),
      ...(state.octokit ? { readRepositoryConfig: repositoryConfigReader(state.octokit) } : {}),
      now: state.now,
      log: (l) => core.info(l),
      ...(cache ? { cache } : {}),
      // A push (to the base branch, typically) fills the cache for the pull requests that will target it.
      ...(cache && job.event === 'push' ? { fillCache: true } : {}),
      ...(workers ? { workers } : {}),
    });
    if (cache) {
      const { hits, misses } = cache.stats;
      const saved = cache.save();
      core.info(
        `Analysis cache: ${hits} hit(s), ${misses} miss(es); ${saved.saved ? `saved to ${cache.path}` : saved.error ? `not saved (${saved.error})` : 'unchanged'}.`,
      );
    }
    if (evaluation.waiverProblem) state.publisher.problems.push(evaluation.waiverProblem);
    await job.afterEvaluate?.(evaluation);
    const root = 'root' in collected.changeSet ? String((collected.changeSet as { root: string }).root) : undefined;
    await finish(state, job, evaluation.report, root ? { checkoutRoot: root } : {});
  } catch (error) {
    if (error instanceof NothingToCompare) {
      core.info(`Nothing to check: ${error.message}.`);
      return;
    }
    await failRun(state, job, error);
  } finally {
    await workers?.close();
    await collected?.changeSet.close?.();
  }
}

function outPath(state: RunState, path: string): string {
  return isAbsolute(path) ? path : resolve(state.workspace, path);
}

/** How {@link finish} treats a report. */
interface FinishOptions {
  /** The git checkout's top level, to make annotation paths workspace-relative. */
  checkoutRoot?: string;
  /** The report was read from this file (`mode: publish`): do not write it again. */
  publishedFrom?: string;
  /** Why the comment and check run are not written this time (a stale report). */
  holdBack?: string;
}

/** Writes every output of a report and sets the exit code from its verdict. */
async function finish(state: RunState, job: Job, report: ReadinessReport, options: FinishOptions = {}): Promise<void> {
  const { inputs, publisher } = state;
  const { checkoutRoot, publishedFrom, holdBack } = options;
  logTextReport(report);

  // Files first: they are what a later step (upload-sarif, upload-artifact) needs even if GitHub is down.
  const reportPath =
    publishedFrom ??
    outPath(state, inputs.reportFile ?? join(state.env['RUNNER_TEMP'] || tmpdir(), 'readiness-gates', 'report.json'));
  if (!publishedFrom) {
    const context: RunContext = {
      event: job.event,
      repository: `${state.repo.owner}/${state.repo.repo}`,
      ...(job.commentOn !== undefined ? { pullRequest: job.commentOn } : {}),
      ...(state.env['GITHUB_RUN_ID'] ? { runId: state.env['GITHUB_RUN_ID'] } : {}),
    };
    await writeOutputFile(reportPath, reportJson(report, context));
    core.info(`JSON report: ${reportPath}`);
  }
  if (inputs.sarifFile) {
    const sarifPath = outPath(state, inputs.sarifFile);
    await writeSarif(sarifPath, report);
    core.info(`SARIF: ${sarifPath}`);
  }

  let checkRunWritten = false;
  if (holdBack) publisher.notes.push({ what: 'PR comment and check run', outcome: `not written: ${holdBack}` });
  else {
    if (job.commentOn !== undefined) await publisher.comment(job.commentOn, report, inputs.comment);
    if (inputs.checkRun) {
      checkRunWritten = await publisher.checkRun(job.checkSha ?? report.head.sha, report, state.runUrl, {
        annotations: inputs.annotations !== 'workflow',
      });
    } else publisher.notes.push({ what: 'Check run', outcome: 'not published (check-run: false)' });
  }

  // Annotations: one per finding, on the check run or as workflow commands, never both (input `annotations`).
  const problems = publisher.problems.length;
  const prefix = checkoutRoot ? relative(state.workspace, checkoutRoot).split(sep).join('/') : '';
  const asWorkflow = inputs.annotations === 'workflow' || (inputs.annotations === 'auto' && !checkRunWritten);
  const lines = asWorkflow
    ? annotationLines(report, {
        reservedWarnings: problems > 0 ? 1 : 0,
        ...(prefix && !prefix.startsWith('..') ? { pathPrefix: prefix } : {}),
      })
    : [];
  for (const line of lines) core.info(line);
  publisher.notes.push({
    what: 'Annotations',
    outcome: asWorkflow
      ? `workflow annotations (annotations: ${inputs.annotations}${inputs.annotations === 'auto' ? ', no check run written' : ''})`
      : checkRunWritten
        ? `on the check run (annotations: ${inputs.annotations})`
        : `none: annotations: check-run, and no check run was written`,
  });
  if (problems > 0)
    core.warning(
      `Readiness Gates: ${problems} problem(s) while talking to GitHub; the job summary says which. The verdict and exit code are unaffected.`,
    );

  await writeSummary(
    state,
    summaryMarkdown(report, runDetails({ notes: publisher.notes, problems: publisher.problems, facts: state.facts })),
  );

  core.setOutput('verdict', report.verdict);
  core.setOutput('score', report.score);
  core.setOutput('blockers', newCount(report, 'blocker'));
  core.setOutput('warnings', newCount(report, 'warning'));
  core.setOutput('report-file', reportPath);

  if (report.verdict === 'blocked') {
    // Not core.setFailed: its error annotation would take a slot from the findings, which already say why.
    process.exitCode = core.ExitCode.Failure;
    core.info(
      `Blocked (fail-on: ${report.failOn ?? 'blocker'}): ${newCount(report, 'blocker')} new blocker(s), ${newCount(report, 'warning')} new warning(s). Exit code 1.`,
    );
  } else {
    core.info(`Ready: score ${report.score}.`);
  }
}

/** The terminal report in a collapsed log group, with workflow commands disabled inside it. */
function logTextReport(report: ReadinessReport): void {
  // A path or message in the report could start a line with "::" and be taken for a workflow command.
  const token = randomBytes(12).toString('hex');
  core.startGroup('Report');
  core.info(`::stop-commands::${token}`);
  core.info(renderText(report, { color: false, width: 120 }));
  core.info(`::${token}::`);
  core.endGroup();
}

async function writeSummary(state: RunState, markdown: string): Promise<void> {
  if (!state.env['GITHUB_STEP_SUMMARY']) {
    core.info('No GITHUB_STEP_SUMMARY (not running in GitHub Actions): the job summary is not written.');
    return;
  }
  try {
    await core.summary.addRaw(markdown, true).write();
  } catch (error) {
    core.info(`The job summary could not be written: ${(error as Error).message}`);
  }
}

/** The step fails with the reason; the check run (when possible) and the summary say it too. */
async function failRun(state: RunState, job: Job, error: unknown): Promise<void> {
  let title: string;
  let body: string;
  if (error instanceof ConfigError) {
    title = `Configuration error in ${error.issues[0]?.file ?? state.inputs.configPath}`;
    body = `The configuration at the base commit is invalid, so no gate ran:\n\n\`\`\`\n${formatConfigError(error)}\n\`\`\`\n\nFix the file on the base branch (a pull request cannot change the policy it is judged by), then re-run this job.`;
    for (const issue of error.issues) {
      core.error(`${issue.key}: ${issue.message}`, {
        title: 'Readiness Gates configuration',
        file: issue.file,
        startLine: issue.line,
        startColumn: issue.column,
      });
    }
  } else if (error instanceof SourceError) {
    title = 'Readiness Gates could not read the change';
    body = `${error.message}${error.hint ? `\n\n${error.hint}` : ''}\n\nRe-run the job after fixing the checkout.`;
  } else if (error instanceof GitHubFailure) {
    title = 'Readiness Gates could not reach GitHub';
    body = `${error.describe()}\n\nRe-run the job.`;
  } else {
    title = 'Readiness Gates failed';
    body = `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n\nRe-run the job; if it fails again, report it with this message.`;
  }
  const checkSha = job.checkSha ?? (SHA.test(job.head) ? job.head : undefined);
  if (checkSha && state.inputs.checkRun) await state.publisher.failedCheckRun(checkSha, title, body, state.runUrl);
  await writeSummary(
    state,
    summaryMarkdown(
      undefined,
      runDetails({ notes: state.publisher.notes, problems: state.publisher.problems, facts: state.facts }),
      `## ❗ ${title}\n\n${body}\n`,
    ),
  );
  core.setFailed(
    `${title}: ${body.split('\n\n')[0] ?? ''}${error instanceof ConfigError ? `\n${formatConfigError(error)}` : ''}`,
  );
}

/** `issue_comment`: answer the command, re-evaluate the pull request, publish. */
async function commentCommand(state: RunState, target: CommentTarget): Promise<void> {
  state.facts.push(`Event: \`issue_comment\` ${target.action} by @${target.login} on pull request #${target.number}`);
  if (!state.octokit)
    return core.setFailed('`/readiness` commands need `github-token` to read the pull request and check permissions');
  let pr;
  try {
    pr = await getPullRequest(state.octokit, { ...state.repo, pullNumber: target.number });
  } catch (error) {
    return failRun(state, { event: target.event, base: undefined, head: '', baseRef: '', headRef: '' }, error);
  }
  if (pr.state !== 'open') {
    core.info(`Nothing to do: pull request #${pr.number} is ${pr.state}.`);
    return;
  }
  const publisher = state.publisher;
  if (
    target.action === 'edited' &&
    target.sender !== undefined &&
    target.sender.toLowerCase() !== target.login.toLowerCase() &&
    WAIVER_LINE.test(target.body)
  ) {
    // Anyone with write access can edit anyone's comment: its commands count only while its last editor is
    // its author. Refused and said why; the re-evaluation re-reads the last editor from the API, so
    // whatever the comment granted stops applying.
    core.info(`@${target.sender} edited a comment by @${target.login}: its commands are not applied.`);
    await publisher.react(target.commentId, '-1');
    await publisher.reply(
      pr.number,
      `@${target.sender} @${target.login}, this was not applied:\n\n${editedByOtherReason(target.login, target.sender)}`,
    );
    return check(state, {
      event: target.event,
      base: pr.baseSha,
      head: pr.headSha,
      baseRef: pr.baseRef,
      headRef: pr.headRef,
      commentOn: pr.number,
      pullNumber: pr.number,
      waivers: { pullNumber: pr.number, author: pr.author },
      checkSha: pr.headSha,
    });
  }
  const answerOnly = answerComment(target.commentId, target.body, target.login, undefined, ruleDocs);
  if (!answerOnly.evaluate && target.action !== 'deleted') {
    core.info('The comment only asks for information (help or explain); answering without re-evaluating.');
    await publisher.react(target.commentId, answerOnly.reaction);
    if (answerOnly.reply) await publisher.reply(pr.number, answerOnly.reply);
    return;
  }
  await check(state, {
    event: target.event,
    base: pr.baseSha,
    head: pr.headSha,
    baseRef: pr.baseRef,
    headRef: pr.headRef,
    commentOn: pr.number,
    pullNumber: pr.number,
    waivers: { pullNumber: pr.number, author: pr.author },
    checkSha: pr.headSha,
    afterEvaluate: async (evaluation) => {
      // A deleted comment cannot be reacted to; the re-evaluation above is the whole answer.
      if (target.action === 'deleted') return;
      const answer = answerComment(target.commentId, target.body, target.login, evaluation.decision, ruleDocs);
      if (evaluation.waiverProblem && WAIVER_LINE.test(target.body)) {
        await publisher.react(target.commentId, 'confused');
        await publisher.reply(
          pr.number,
          `@${target.login}, the waiver could not be checked, so it is not applied yet; comment \`/readiness recheck\` to try again.\n\n${evaluation.waiverProblem}`,
        );
        return;
      }
      await publisher.react(target.commentId, answer.reaction);
      if (answer.reply) await publisher.reply(pr.number, answer.reply);
    },
  });
}

/** `mode: publish`: post the comment and check run for a report another run wrote (forks). */
async function publishMode(state: RunState, target: PublishTarget): Promise<void> {
  const path = outPath(state, state.inputs.reportFile!);
  const job: Job = { event: target.event, base: undefined, head: target.runHeadSha ?? '', baseRef: '', headRef: '' };
  let report;
  try {
    report = parsePublishedReport(await readFile(path, 'utf8'), path);
  } catch (error) {
    return failRun(state, job, error);
  }
  const expectedRepo = `${state.repo.owner}/${state.repo.repo}`.toLowerCase();
  if (report.github?.repository && report.github.repository.toLowerCase() !== expectedRepo) {
    return core.setFailed(
      `${path} is a report for ${report.github.repository}, not ${expectedRepo}; not publishing it.`,
    );
  }
  if (target.runHeadSha && target.runHeadSha !== report.head.sha) {
    return core.setFailed(
      `${path} is a report for ${report.head.sha}, but the workflow run was for ${target.runHeadSha}; not publishing it.`,
    );
  }
  // Links in the comment point at this repository, whatever the (untrusted) file says.
  const clean: ReadinessReport = { ...report, repositoryUrl: state.repositoryUrl };
  const number = report.github?.pullRequest ?? target.pullNumbers[0];
  let commentOn: number | undefined;
  let holdBack: string | undefined;
  if (number !== undefined && state.octokit) {
    try {
      const pr = await getPullRequest(state.octokit, { ...state.repo, pullNumber: number });
      if (pr.headSha !== report.head.sha) {
        // An older run finishing late must not overwrite the newer head's result.
        holdBack = `pull request #${number} has moved on to ${pr.headSha.slice(0, 7)}; its own run will publish`;
        core.info(`Not publishing: ${holdBack}.`);
      } else {
        commentOn = number;
      }
    } catch (error) {
      if (!(error instanceof GitHubFailure)) throw error;
      state.publisher.problems.push(
        `Pull request #${number} could not be read, so no comment was written:\n${error.describe()}`,
      );
    }
  }
  state.facts.push(
    `Report from run ${report.github?.runId ?? '(unknown)'} for ${report.head.sha.slice(0, 7)}${holdBack ? ', not published' : ', published'}`,
  );
  const publishJob: Job = {
    ...job,
    head: report.head.sha,
    checkSha: report.head.sha,
    ...(commentOn !== undefined ? { commentOn } : {}),
  };
  await finish(state, publishJob, clean, { publishedFrom: path, ...(holdBack ? { holdBack } : {}) });
}
