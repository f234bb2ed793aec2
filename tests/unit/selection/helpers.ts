/**
 * Shared arbitraries and statistics for the selector tests.
 */
import fc from 'fast-check';
import { NODE_STATUSES } from '../../../src/core/types.js';
import type { SelectionCandidate, SelectionSnapshot } from '../../../src/selection/types.js';

/** Snapshots with unique ids, a mix of statuses, and scores in [0, 1] on scored nodes. */
export const snapshotArbitrary: fc.Arbitrary<SelectionSnapshot> = fc
  .uniqueArray(
    fc.record({
      id: fc.nat({ max: 10_000 }),
      status: fc.constantFrom(...NODE_STATUSES, 'scored', 'scored'),
      score: fc.double({ min: 0, max: 1, noNaN: true }),
      children: fc.nat({ max: 50 }),
    }),
    { selector: (node) => node.id, maxLength: 30 },
  )
  .map((nodes) => ({
    nodes: nodes.map(
      (node): SelectionCandidate => ({
        id: node.id,
        parentId: null,
        status: node.status,
        score: node.status === 'scored' ? node.score : null,
        children: node.children,
      }),
    ),
  }));

/** A scored candidate. */
export function scored(id: number, score: number, children = 0): SelectionCandidate {
  return { id, parentId: id === 0 ? null : 0, status: 'scored', score, children };
}

/** Counts of each value among the draws. */
export function tally(draws: readonly number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const draw of draws) counts.set(draw, (counts.get(draw) ?? 0) + 1);
  return counts;
}

/**
 * Pearson's chi-square statistic of observed counts against expected probabilities, and the
 * 99.9 % quantile of its distribution (Wilson–Hilferty), so a correct sampler fails about once in
 * a thousand seeds and a wrong one fails always.
 */
export function chiSquare(
  counts: ReadonlyMap<number, number>,
  probabilities: ReadonlyMap<number, number>,
  draws: number,
): { statistic: number; critical: number } {
  let statistic = 0;
  let categories = 0;
  for (const [key, probability] of probabilities) {
    if (probability === 0) continue;
    categories += 1;
    const expected = probability * draws;
    const observed = counts.get(key) ?? 0;
    statistic += (observed - expected) ** 2 / expected;
  }
  const freedom = Math.max(1, categories - 1);
  const z = 3.09;
  const critical = freedom * (1 - 2 / (9 * freedom) + z * Math.sqrt(2 / (9 * freedom))) ** 3;
  return { statistic, critical };
}
