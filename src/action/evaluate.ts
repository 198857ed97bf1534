/**
 * Runs the pipeline for the Action, with the pull request's waivers. Which waivers hold depends on the
 * findings (a code owner may waive only findings on paths they own), so the change is analysed once,
 * judged without waivers to learn the findings and their paths, and judged again with the authorised
 * waivers ({@link judgeWithWaivers}): a waiver never costs a second analysis.
 */
import type { FailOn, ReadinessConfig } from '../config/types.js';
import type { ReadinessReport } from '../core/report.js';
import type { ChangeSet } from '../core/types.js';
import type { AnalysisCache } from '../core/cache.js';
import type { FactsWorkerPool } from '../core/facts-parallel.js';
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
import {
  analyseCheck,
  judgeCheck,
  judgeWithWaivers,
  policySnapshot,
  type RepositoryConfigReader,
  type WaiverTargets,
} from '../pipeline.js';

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
  /** Per-file facts kept between runs (the Action's `cache-dir`). */
  cache?: AnalysisCache;
  /** Build every index so the cache serves later pull requests (push events). */
  fillCache?: boolean;
  /** Worker threads for the facts of big index builds. */
  workers?: FactsWorkerPool;
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
  const checked = await analyseCheck({
    changeSet: options.changeSet,
    configPath: options.configPath,
    ...(options.failOn ? { failOn: options.failOn } : {}),
    ...(options.repositoryUrl ? { repositoryUrl: options.repositoryUrl } : {}),
    ...(options.readRepositoryConfig ? { readRepositoryConfig: options.readRepositoryConfig } : {}),
    ...(options.cache ? { cache: options.cache } : {}),
    ...(options.fillCache ? { fillCache: true } : {}),
    ...(options.workers ? { workers: options.workers } : {}),
  });
  const fromWorkers = checked.analysis.factsFromWorkers;
  if (fromWorkers > 0) options.log(`Worker threads extracted the facts of ${fromWorkers} file(s).`);
  const source = options.waiverSource;
  if (!source) return { report: judgeCheck(checked, { now: options.now }) };

  // Why no waiver applies when GitHub could not tell us enough to decide (the report then applies none).
  let waiverProblem: string | undefined;
  const decide = async (targets: WaiverTargets, config: ReadinessConfig): Promise<WaiverDecision | undefined> => {
    let comments: IssueComment[];
    try {
      comments = await listIssueComments(source.octokit, {
        owner: source.owner,
        repo: source.repo,
        issueNumber: source.pullNumber,
      });
    } catch (error) {
      if (!(error instanceof GitHubFailure)) throw error;
      waiverProblem = `Waivers were not read, so none applies: ${error.describe()}`;
      return undefined;
    }
    let entries;
    try {
      // Who last edited each command comment: a comment someone else edited grants nothing.
      entries = extractWaiverCommands(await withLastEditors(source.octokit, comments));
    } catch (error) {
      if (!(error instanceof GitHubFailure)) throw error;
      waiverProblem = `Who last edited the waiver comments could not be read, so no waiver applies: ${error.describe()}`;
      return undefined;
    }
    if (entries.length === 0) return undefined;

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
        findings: targets.findings,
        readCodeowners,
      });
      decision = decideWaivers(entries, facts, {
        policy: config.waivers,
        prAuthor: source.prAuthor,
        findings: targets.findings,
        pendingApproval: targets.pendingApproval,
        now: options.now,
      });
    } catch (error) {
      if (!(error instanceof GitHubFailure)) throw error;
      waiverProblem = `Waiver commands were not checked, so none applies: ${error.describe()}`;
      return undefined;
    }
    options.log(
      `Waiver commands: ${decision.accepted.length} applied, ${decision.refused.length} refused; ` +
        `${decision.waivers.length} active waiver(s), ${decision.expired.length} expired.`,
    );
    return decision;
  };
  const { report, decision } = await judgeWithWaivers(checked, { now: options.now, decide });
  return {
    report,
    ...(decision ? { decision } : {}),
    ...(waiverProblem !== undefined ? { waiverProblem } : {}),
  };
}
