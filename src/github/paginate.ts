/**
 * Page-number pagination over `octokit.request`, following GitHub's Link header. Kept here instead of
 * `@octokit/plugin-paginate-rest` so the port works with any `{ request }`, including a bare core
 * Octokit.
 */
import { call, type OctokitLike } from './octokit.js';

/** Options of `collectPages`. */
export interface CollectPagesOptions<T> {
  /** Page size (GitHub's maximum, 100, unless the endpoint caps lower). */
  perPage?: number;
  /** Stop after this many items (the endpoint's own cap, e.g. 3,000 PR files). */
  maxItems?: number;
  /** Items of one page, for endpoints that wrap them (`{ total_count, check_runs }`). */
  extract?: (data: unknown) => T[];
}

/**
 * Fetches page after page until a short page, a Link header without `rel="next"`, or `maxItems`.
 * `reachedMax` says the listing stopped at `maxItems` (there may be more on the server).
 */
export async function collectPages<T>(
  octokit: OctokitLike,
  route: string,
  params: Record<string, unknown>,
  purpose: string,
  options: CollectPagesOptions<T> = {},
): Promise<{ items: T[]; reachedMax: boolean }> {
  const perPage = options.perPage ?? 100;
  const maxItems = options.maxItems ?? Number.POSITIVE_INFINITY;
  const extract = options.extract ?? ((data: unknown) => data as T[]);
  const items: T[] = [];
  for (let page = 1; ; page++) {
    const response = await call<unknown>(octokit, route, { ...params, per_page: perPage, page }, purpose);
    const pageItems = extract(response.data);
    items.push(...pageItems);
    if (items.length >= maxItems) return { items: items.slice(0, maxItems), reachedMax: true };
    const link = response.headers['link'];
    const hasNext = link === undefined ? pageItems.length === perPage : /rel="next"/.test(String(link));
    if (!hasNext || pageItems.length === 0) return { items, reachedMax: false };
  }
}
