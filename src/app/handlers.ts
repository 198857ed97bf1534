/**
 * The Probot application function: one thin handler per event. A handler reads what it needs from the
 * payload, calls the service, and returns; when it decides to do nothing it logs why at info level, so
 * silence never looks like a crash.
 */
import type { ApplicationFunction, Context } from 'probot';
import type { AppMetrics } from './metrics.js';
import { CHECK_NAME } from './options.js';
import type { ReadinessService, RepoTarget } from './service.js';

/** Events the app subscribes to (app.yml lists the same). */
export const EVENTS = [
  'pull_request',
  'check_run',
  'check_suite',
  'merge_group',
  'issue_comment',
  'installation',
] as const;

interface RepoPayload {
  installation?: { id: number };
  repository?: { name: string; owner: { login: string } };
}

/** The repository and installation of an event, or undefined when the payload lacks them. */
function targetOf(context: Context, payload: RepoPayload): RepoTarget | undefined {
  const installationId = payload.installation?.id;
  const repository = payload.repository;
  if (!installationId || !repository) {
    context.log.info({ event: context.name }, 'event ignored: it names no installation or repository');
    return undefined;
  }
  return { installationId, owner: repository.owner.login, repo: repository.name };
}

/** Builds the application function around the service. */
export function readinessApp(service: ReadinessService, metrics: AppMetrics, appId: number): ApplicationFunction {
  return (app) => {
    app.onAny((context) => {
      metrics.webhooks.inc({ event: (EVENTS as readonly string[]).includes(context.name) ? context.name : 'other' });
    });

    app.on(
      ['pull_request.opened', 'pull_request.synchronize', 'pull_request.reopened', 'pull_request.ready_for_review'],
      async (context) => {
        const target = targetOf(context, context.payload);
        if (!target) return;
        const pr = context.payload.pull_request;
        await service.evaluatePullRequest(
          context.octokit,
          target,
          { number: pr.number, headSha: pr.head.sha },
          `pull_request.${context.payload.action}`,
        );
      },
    );

    app.on('pull_request.edited', async (context) => {
      if (!context.payload.changes.base) {
        context.log.info(
          { pr: context.payload.pull_request.number },
          'pull_request.edited ignored: only the title or body changed, not the base branch',
        );
        return;
      }
      const target = targetOf(context, context.payload);
      if (!target) return;
      const pr = context.payload.pull_request;
      // The head's current result was judged against the old base's policy: mark it pending now.
      await service.evaluatePullRequest(
        context.octokit,
        target,
        { number: pr.number, headSha: pr.head.sha },
        'base branch changed',
        [],
        { markNow: true },
      );
    });

    app.on('check_run.rerequested', async (context) => {
      const run = context.payload.check_run;
      if (run.name !== CHECK_NAME || (run.app && run.app.id !== appId)) {
        context.log.info({ name: run.name }, 'check_run.rerequested ignored: not our check run');
        return;
      }
      const target = targetOf(context, context.payload);
      if (!target) return;
      if (run.pull_requests.length === 0) {
        context.log.info(
          { head: run.head_sha },
          'check_run.rerequested ignored: GitHub lists no pull request for it (fork PRs are not listed; comment /readiness recheck instead)',
        );
        return;
      }
      for (const pr of run.pull_requests)
        await service.evaluatePullRequest(
          context.octokit,
          target,
          { number: pr.number, headSha: run.head_sha },
          'check run re-requested',
        );
    });

    app.on('check_suite.rerequested', async (context) => {
      const suite = context.payload.check_suite;
      const target = targetOf(context, context.payload);
      if (!target) return;
      if (suite.pull_requests.length === 0) {
        context.log.info(
          { head: suite.head_sha },
          'check_suite.rerequested ignored: GitHub lists no pull request for it (fork PRs are not listed; comment /readiness recheck instead)',
        );
        return;
      }
      for (const pr of suite.pull_requests)
        await service.evaluatePullRequest(
          context.octokit,
          target,
          { number: pr.number, headSha: suite.head_sha },
          'check suite re-requested',
        );
    });

    app.on('merge_group.checks_requested', async (context) => {
      const target = targetOf(context, context.payload);
      if (!target) return;
      const group = context.payload.merge_group;
      await service.evaluateMergeGroup(
        context.octokit,
        target,
        {
          headSha: group.head_sha,
          headRef: group.head_ref,
          baseSha: group.base_sha,
          baseRef: group.base_ref.replace(/^refs\/heads\//, ''),
        },
        'merge group checks requested',
      );
    });

    app.on(['issue_comment.created', 'issue_comment.edited'], async (context) => {
      const { issue, comment } = context.payload;
      if (!issue.pull_request) {
        context.log.info({ issue: issue.number }, 'comment ignored: it is on an issue, not a pull request');
        return;
      }
      const target = targetOf(context, context.payload);
      if (!target) return;
      const changes = context.payload.action === 'edited' ? context.payload.changes : undefined;
      await service.handleComment(context.octokit, target, {
        id: comment.id,
        body: comment.body ?? '',
        ...(changes?.body?.from !== undefined ? { previousBody: changes.body.from } : {}),
        ...(context.payload.action === 'edited' && context.payload.sender?.login
          ? { editedBy: context.payload.sender.login }
          : {}),
        author: comment.user?.login ?? 'ghost',
        authorType: comment.user?.type ?? 'User',
        pullNumber: issue.number,
      });
    });

    app.on('installation', async (context) => {
      const { action, installation } = context.payload;
      const account = installation.account && 'login' in installation.account ? installation.account.login : undefined;
      const repositories = 'repositories' in context.payload ? context.payload.repositories?.length : undefined;
      context.log.info(
        { action, installation: installation.id, account, repositories },
        `installation ${action}: nothing to evaluate until a pull request event arrives`,
      );
    });
  };
}
