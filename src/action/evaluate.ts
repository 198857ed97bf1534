/**
 * Runs the pipeline for the Action, with the pull request's waivers. Which waivers hold depends on the
 * findings (a code owner may waive only findings on paths they own), so a PR with waiver commands is
 * evaluated twice: once to learn the findings and their paths, once with the authorised waivers. A PR
 * without any command (the common case) is evaluated once.
 */
import type { FailOn } from '../config/types.js';
import type { ReadinessReport } from '../core/report.js';
import type { ChangeSet } from '../core/types.js';
import { GATES } from '../gates/index.js';
import {
  CODEOWNERS_LOCATIONS,
  decideWaivers,
  extractWaiverCommands,
  gatherWaiverFacts,
  GitHubFailure,
  listIssueComments,
  type IssueComment,
  type OctokitLike,
  type WaiverDecision,
  withLastEditors,
} from '../github/index.js';
import { loadPolicy, policySnapshot, runCheck, type RepositoryConfigReader } from '../pipeline.js';

/** Where the waivers come from: a pull request's comments. */
export interface WaiverSource {
  octokit: OctokitLike;
  owner: string;
  repo: string;
  pullNumber: number;
  prAuthor: string;
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  changeSet: ChangeSet;
  configPath: string;
  failOn?: FailOn;
  repositoryUrl?: string;
  waiverSource?: WaiverSource;
  /** Reads configs that `extends:` names in other repositories (with the Action's token). */
  readRepositoryConfig?: RepositoryConfigReader;
  now: Date;
  log: (line: string) => void;
}

/** The report, and the waiver decision when the PR had commands. */
export interface Evaluation {
  report: ReadinessReport;
  decision?: WaiverDecision;
  /** Why waivers could not be read (the report then applies none: stricter, never greener). */
  waiverProblem?: string;
}

/** Runs the check, applying the waivers that the base branch's policy allows. */
export async function evaluate(options: EvaluateOptions): Promise<Evaluation> {
  const base = {
    changeSet: options.changeSet,
    configPath: options.configPath,
    now: options.now,
    ...(options.failOn ? { failOn: options.failOn } : {}),
    ...(options.repositoryUrl ? { repositoryUrl: options.repositoryUrl } : {}),
    ...(options.readRepositoryConfig ? { readRepositoryConfig: options.readRepositoryConfig } : {}),
  };
  const first = await runCheck(base);
  const source = options.waiverSource;
  if (!source) return { report: first };

  let comments: IssueComment[];
  try {
    comments = await listIssueComments(source.octokit, {
      owner: source.owner,
      repo: source.repo,
      issueNumber: source.pullNumber,
    });
  } catch (error) {
    if (!(error instanceof GitHubFailure)) throw error;
    return { report: first, waiverProblem: `Waivers were not read, so none applies: ${error.describe()}` };
  }
  let entries;
  try {
    // Who last edited each command comment: a comment someone else edited grants nothing.
    entries = extractWaiverCommands(await withLastEditors(source.octokit, comments));
  } catch (error) {
    if (!(error instanceof GitHubFailure)) throw error;
    return {
      report: first,
      waiverProblem: `Who last edited the waiver comments could not be read, so no waiver applies: ${error.describe()}`,
    };
  }
  if (entries.length === 0) return { report: first };

  const findings = new Map(
    first.findings.filter((f) => f.state === 'new' || f.state === 'existing').map((f) => [f.id, f.path]),
  );
  const pendingApproval = new Set(first.findings.filter((f) => f.pendingApproval).map((f) => f.id));
  const { config } = await loadPolicy(
    options.changeSet,
    GATES,
    options.configPath,
    undefined,
    options.readRepositoryConfig,
  );
  const readCodeowners = async () => {
    for (const path of CODEOWNERS_LOCATIONS) {
      const r = await policySnapshot(options.changeSet).read(path);
      if (r.ok) return r.file.text;
    }
    return undefined;
  };
  let decision: WaiverDecision;
  try {
    const facts = await gatherWaiverFacts(source.octokit, {
      owner: source.owner,
      repo: source.repo,
      entries,
      policy: config.waivers,
      findings,
      readCodeowners,
    });
    decision = decideWaivers(entries, facts, {
      policy: config.waivers,
      prAuthor: source.prAuthor,
      findings,
      pendingApproval,
      now: options.now,
    });
  } catch (error) {
    if (!(error instanceof GitHubFailure)) throw error;
    return { report: first, waiverProblem: `Waiver commands were not checked, so none applies: ${error.describe()}` };
  }
  options.log(
    `Waiver commands: ${decision.accepted.length} applied, ${decision.refused.length} refused; ` +
      `${decision.waivers.length} active waiver(s), ${decision.expired.length} expired.`,
  );
  if (decision.waivers.length === 0 && decision.expired.length === 0) return { report: first, decision };
  const report = await runCheck({ ...base, waivers: [...decision.waivers, ...decision.expired] });
  return { report, decision };
}
