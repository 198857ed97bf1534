/**
 * Check runs: the merge blocker. GitHub takes at most 50 annotations per request, so larger sets go
 * out in batches over successive updates of the same run.
 */
import { call, type OctokitLike } from './octokit.js';

/** GitHub's limit on `output.summary` and `output.text`, each. */
export const CHECK_OUTPUT_LIMIT = 65_535;
/** GitHub's limit on annotations per create/update request. */
export const ANNOTATIONS_PER_REQUEST = 50;

/** Check run status as we set it. */
export type CheckRunStatus = 'queued' | 'in_progress' | 'completed';
/** Conclusions we may set (`stale` is GitHub's own). */
export type CheckRunConclusion =
  'action_required' | 'cancelled' | 'failure' | 'neutral' | 'success' | 'skipped' | 'timed_out';

/** One annotation, in GitHub's request shape (the renderer produces these). */
export interface CheckRunAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  /** Only honoured when start_line equals end_line (GitHub rejects it otherwise; the port drops it). */
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
  raw_details?: string;
}

/** Options of `publishCheckRun`. */
export interface PublishCheckRunOptions {
  owner: string;
  repo: string;
  headSha: string;
  name: string;
  /** Update this run instead of creating one (e.g. the in-progress run created at the start). */
  checkRunId?: number;
  status: CheckRunStatus;
  /** Required when status is `completed`. */
  conclusion?: CheckRunConclusion;
  title: string;
  summary: string;
  text?: string;
  annotations?: CheckRunAnnotation[];
  detailsUrl?: string;
  externalId?: string;
}

/** What `publishCheckRun` did. */
export interface PublishCheckRunResult {
  checkRunId: number;
  htmlUrl: string;
  /** Requests sent (1 + one per further batch of 50 annotations). */
  requests: number;
  annotations: number;
}

interface RawCheckRun {
  id: number;
  html_url: string | null;
}

/**
 * Creates (or updates, with `checkRunId`) a check run and sends every annotation: the first request
 * carries the output and the first 50, each following update re-sends title, summary and text (so
 * nothing GitHub treats as replaced is lost) with the next 50. When the run completes and there are
 * several batches, the conclusion goes with the last batch: until then the run is `in_progress`, so
 * a failure midway leaves a pending check, never a green one.
 *
 * Throws a RangeError before any request when summary or text exceed 65,535 characters or a
 * completed run has no conclusion: the renderer owns those budgets.
 */
export async function publishCheckRun(
  octokit: OctokitLike,
  options: PublishCheckRunOptions,
): Promise<PublishCheckRunResult> {
  for (const field of ['summary', 'text'] as const) {
    const value = options[field];
    if (value !== undefined && value.length > CHECK_OUTPUT_LIMIT) {
      throw new RangeError(
        `publishCheckRun: output.${field} is ${value.length} characters; GitHub accepts at most ${CHECK_OUTPUT_LIMIT}.`,
      );
    }
  }
  if (options.status === 'completed' && !options.conclusion)
    throw new RangeError('publishCheckRun: a completed check run needs a conclusion');

  const annotations = (options.annotations ?? []).map(sanitizeAnnotation);
  const batches: CheckRunAnnotation[][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST)
    batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  if (batches.length === 0) batches.push([]);

  const finalState = {
    status: options.status,
    ...(options.conclusion && options.status === 'completed' ? { conclusion: options.conclusion } : {}),
  };
  const interimState = { status: options.status === 'completed' ? 'in_progress' : options.status };
  const output = (batch: CheckRunAnnotation[]) => ({
    title: options.title,
    summary: options.summary,
    ...(options.text === undefined ? {} : { text: options.text }),
    ...(batch.length ? { annotations: batch } : {}),
  });
  const where = { owner: options.owner, repo: options.repo };
  const first = {
    name: options.name,
    ...(options.detailsUrl === undefined ? {} : { details_url: options.detailsUrl }),
    ...(options.externalId === undefined ? {} : { external_id: options.externalId }),
    ...(batches.length === 1 ? finalState : interimState),
    output: output(batches[0]!),
  };

  let run: RawCheckRun;
  if (options.checkRunId === undefined) {
    run = (
      await call<RawCheckRun>(
        octokit,
        'POST /repos/{owner}/{repo}/check-runs',
        { ...where, head_sha: options.headSha, ...first },
        'creating the check run',
      )
    ).data;
  } else {
    run = (
      await call<RawCheckRun>(
        octokit,
        'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}',
        { ...where, check_run_id: options.checkRunId, ...first },
        'updating the check run',
      )
    ).data;
  }
  for (let i = 1; i < batches.length; i++) {
    const last = i === batches.length - 1;
    await call<RawCheckRun>(
      octokit,
      'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}',
      { ...where, check_run_id: run.id, ...(last ? finalState : {}), output: output(batches[i]!) },
      `sending check run annotations ${i * ANNOTATIONS_PER_REQUEST + 1}–${i * ANNOTATIONS_PER_REQUEST + batches[i]!.length}`,
    );
  }
  return { checkRunId: run.id, htmlUrl: run.html_url ?? '', requests: batches.length, annotations: annotations.length };
}

/** GitHub rejects columns on multi-line annotations and backwards ranges; fix both rather than fail the run. */
function sanitizeAnnotation(a: CheckRunAnnotation): CheckRunAnnotation {
  const start = Math.max(1, Math.trunc(a.start_line));
  const end = Math.max(start, Math.trunc(a.end_line));
  const { start_column, end_column, ...rest } = a;
  const sameLine = start === end;
  return {
    ...rest,
    start_line: start,
    end_line: end,
    ...(sameLine && start_column !== undefined ? { start_column } : {}),
    ...(sameLine && end_column !== undefined ? { end_column } : {}),
  };
}

/**
 * The newest run named `name` on a head that is still in progress, if any: a run some process created
 * but could not record (it died between the request and the bookkeeping), for another to adopt.
 */
export async function findOpenCheckRun(
  octokit: OctokitLike,
  options: { owner: string; repo: string; headSha: string; name: string },
): Promise<number | undefined> {
  const { data } = await call<{ check_runs: Array<{ id: number; status: string }> }>(
    octokit,
    'GET /repos/{owner}/{repo}/commits/{ref}/check-runs',
    {
      owner: options.owner,
      repo: options.repo,
      ref: options.headSha,
      check_name: options.name,
      status: 'in_progress',
      filter: 'all',
      per_page: 100,
    },
    'looking for an open check run',
  );
  return data.check_runs.map((r) => r.id).sort((a, b) => b - a)[0];
}

/**
 * The status of one check run (`queued`, `in_progress`, `completed`): what GitHub says when our own
 * record of a run is gone (Redis restarted empty) and only GitHub knows whether it was completed.
 */
export async function checkRunStatus(
  octokit: OctokitLike,
  options: { owner: string; repo: string; checkRunId: number },
): Promise<string> {
  const { data } = await call<{ status: string }>(
    octokit,
    'GET /repos/{owner}/{repo}/check-runs/{check_run_id}',
    { owner: options.owner, repo: options.repo, check_run_id: options.checkRunId },
    'reading a check run',
  );
  return data.status;
}
