/**
 * When each delivery of the load test is sent. Per pull request: `opened` first, then its pushes
 * (`synchronize`, each to the next seeded head) and `/readiness recheck` comments in a random order, all
 * at random times over the test's duration; redeliveries repeat an earlier `opened` or `synchronize` of
 * the same PR (same delivery id and body) shortly after it, to the other web process. Seeded, so a run
 * is repeatable.
 */
import { mulberry32 } from '../../test/support/fake-github/faults.js';

/** One planned delivery. */
export type Planned =
  | { at: number; kind: 'opened'; pr: number; head: 0 }
  | { at: number; kind: 'synchronize'; pr: number; head: number }
  | { at: number; kind: 'recheck'; pr: number }
  /** `of` is the index (in the returned plan) of the delivery to send again. */
  | { at: number; kind: 'redelivery'; pr: number; of: number };

/** How many of each kind a plan holds. */
export interface PlanMix {
  opened: number;
  synchronize: number;
  recheck: number;
  redelivery: number;
}

/**
 * Splits `deliveries` over `prs`: one `opened` each; of the rest, three quarters pushes (at most
 * `maxPushes` per PR), the remainder half rechecks, half redeliveries.
 */
export function planMix(deliveries: number, prs: number, maxPushes: number): PlanMix {
  if (deliveries < prs) throw new Error(`need at least one delivery per PR (${prs}), got ${deliveries}`);
  const rest = deliveries - prs;
  const synchronize = Math.min(prs * maxPushes, Math.round(rest * 0.75));
  const recheck = Math.round((rest - synchronize) / 2);
  return { opened: prs, synchronize, recheck, redelivery: rest - synchronize - recheck };
}

/** The plan, sorted by send time (ms from the start). */
export function plan(
  deliveries: number,
  prs: number,
  durationMs: number,
  maxPushes: number,
  seed: number,
): { plan: Planned[]; mix: PlanMix } {
  const mix = planMix(deliveries, prs, maxPushes);
  const random = mulberry32(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const pushes = Array.from(
    { length: prs },
    (_, p) => Math.floor(mix.synchronize / prs) + (p < mix.synchronize % prs ? 1 : 0),
  );
  const rechecks = new Array<number>(prs).fill(0);
  for (let i = 0; i < mix.recheck; i++) rechecks[pick(prs)]!++;
  // Leave the last 5 % for redeliveries and the final pushes' evaluations to start.
  const window = durationMs * 0.95;
  const items: Planned[] = [];
  const originals: Planned[][] = Array.from({ length: prs }, () => []);
  for (let p = 0; p < prs; p++) {
    const times = Array.from({ length: 1 + pushes[p]! + rechecks[p]! }, () => random() * window).sort((a, b) => a - b);
    const kinds: Array<'synchronize' | 'recheck'> = [
      ...new Array<'synchronize'>(pushes[p]!).fill('synchronize'),
      ...new Array<'recheck'>(rechecks[p]!).fill('recheck'),
    ];
    for (let i = kinds.length - 1; i > 0; i--) {
      const j = pick(i + 1);
      [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
    }
    const opened: Planned = { at: times[0]!, kind: 'opened', pr: p, head: 0 };
    items.push(opened);
    originals[p]!.push(opened);
    let head = 0;
    kinds.forEach((kind, i) => {
      const at = times[i + 1]!;
      if (kind === 'recheck') items.push({ at, kind, pr: p });
      else {
        const pushed: Planned = { at, kind, pr: p, head: ++head };
        items.push(pushed);
        originals[p]!.push(pushed);
      }
    });
  }
  const redeliveries: Array<{ at: number; pr: number; original: Planned }> = [];
  for (let i = 0; i < mix.redelivery; i++) {
    const pr = pick(prs);
    const candidates = originals[pr]!;
    const original = candidates[pick(candidates.length)]!;
    redeliveries.push({ at: Math.min(durationMs, original.at + 50 + random() * 2000), pr, original });
  }
  const all: Planned[] = [
    ...items,
    ...redeliveries.map((r) => ({ at: r.at, kind: 'redelivery' as const, pr: r.pr, of: -1, original: r.original })),
  ];
  // Redeliveries point at their original by position, so order everything first, then resolve.
  all.sort((a, b) => a.at - b.at);
  const position = new Map(all.map((item, i) => [item, i]));
  const resolved = all.map((item) => {
    if (item.kind !== 'redelivery') return item;
    const { original, ...rest } = item as typeof item & { original: Planned };
    return { ...rest, of: position.get(original)! };
  });
  return { plan: resolved, mix };
}
