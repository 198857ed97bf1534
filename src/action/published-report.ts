/**
 * Reading a JSON report for `mode: publish`. In the fork pattern the file comes from an artifact that the
 * fork's run wrote, so it is untrusted input: it is checked for shape before anything renders it, and the
 * renderers escape every string in it. (Its verdict can still only be as trustworthy as the run that
 * produced it; the README says so.)
 */
import type { ReadinessReport } from '../core/report.js';
import { SourceError } from '../source/index.js';
import type { RunContext } from './outputs.js';

/** A report as written by the Action: the contract plus the `github` context of the run that made it. */
export type PublishedReport = ReadinessReport & { github?: Partial<RunContext> };

const SHA = /^[0-9a-f]{40}$/;

function fail(path: string, why: string): never {
  throw new SourceError(
    `${path} is not a Readiness Gates JSON report: ${why}`,
    'pass the file the checking run wrote with `report-file` (uploaded with actions/upload-artifact)',
  );
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and checks a report file; throws SourceError naming what is wrong. */
export function parsePublishedReport(text: string, path: string): PublishedReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    fail(path, `invalid JSON (${(error as Error).message})`);
  }
  if (!isObject(data)) fail(path, 'not a JSON object');
  if (data['schemaVersion'] !== 1)
    fail(path, `schemaVersion is ${JSON.stringify(data['schemaVersion'])}, this version reads 1`);
  const head = data['head'];
  const base = data['base'];
  if (!isObject(head) || typeof head['sha'] !== 'string' || !SHA.test(head['sha']))
    fail(path, 'head.sha is not a commit sha');
  if (!isObject(base) || typeof base['sha'] !== 'string') fail(path, 'base.sha is missing');
  if (data['verdict'] !== 'ready' && data['verdict'] !== 'blocked')
    fail(path, 'verdict is neither "ready" nor "blocked"');
  if (typeof data['score'] !== 'number' || typeof data['baseScore'] !== 'number') fail(path, 'score is missing');
  for (const key of ['gates', 'findings', 'errors'] as const)
    if (!Array.isArray(data[key])) fail(path, `${key} is not a list`);
  for (const g of data['gates'] as unknown[]) {
    if (!isObject(g) || typeof g['id'] !== 'string' || typeof g['title'] !== 'string' || !isObject(g['counts']))
      fail(path, 'a gate lacks id, title or counts');
  }
  for (const f of data['findings'] as unknown[]) {
    if (
      !isObject(f) ||
      typeof f['id'] !== 'string' ||
      typeof f['ruleId'] !== 'string' ||
      typeof f['path'] !== 'string' ||
      typeof f['line'] !== 'number' ||
      typeof f['message'] !== 'string'
    ) {
      fail(path, 'a finding lacks id, ruleId, path, line or message');
    }
  }
  if (!isObject(data['stats'])) fail(path, 'stats is missing');
  const github = data['github'];
  if (
    github !== undefined &&
    (!isObject(github) || (github['pullRequest'] !== undefined && !Number.isInteger(github['pullRequest'])))
  ) {
    fail(path, 'github.pullRequest is not a number');
  }
  return data as unknown as PublishedReport;
}
