/**
 * @module The `hgm` parent selector (Huxley-Gödel Machine): clade metaproductivity by Thompson
 * sampling. A node's clade is the node and all its descendants; its clade record pools the per-task
 * outcomes of every member (passes S, failures F). Each candidate draws θ ~ Beta(1 + S, 1 + F) and
 * the highest draw is expanded, so a node is judged by what its descendants achieved, not only by
 * its own score. Graded outcomes (a score in [0, 1]) count the score as passes and 1 − score as
 * failures. The node's own record is kept separately and never absorbs its descendants' outcomes
 * (the public HGM code aliases the two lists, a bug this implementation avoids).
 */
import type { Random } from '../core/random.js';
import { sampleBeta } from './beta.js';
import { assertCount } from './sample.js';
import type { OutcomeCounts, ParentSelector, SelectionCandidate, SelectionSnapshot } from './types.js';

const NO_OUTCOMES: OutcomeCounts = { passes: 0, failures: 0 };

/**
 * Index of the largest Beta(1 + passes, 1 + failures) draw among `counts` (−1 for an empty list).
 * One draw per entry, in order; ties go to the first.
 */
export function thompsonArgmax(counts: readonly OutcomeCounts[], random: Random): number {
  let bestIndex = -1;
  let bestDraw = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < counts.length; index++) {
    const entry = counts[index] as OutcomeCounts;
    const draw = sampleBeta(random, 1 + Math.max(0, entry.passes), 1 + Math.max(0, entry.failures));
    if (draw > bestDraw) {
      bestDraw = draw;
      bestIndex = index;
    }
  }
  return bestIndex;
}

/** Nodes HGM may expand: scored (at least one task evaluated and the node usable). */
export function hgmCandidates(snapshot: SelectionSnapshot): SelectionCandidate[] {
  return snapshot.nodes.filter(
    (node) => node.status === 'scored' && typeof node.score === 'number' && Number.isFinite(node.score),
  );
}

/** The HGM expansion rule: Thompson sampling on each candidate's clade record. */
export function hgmSelector(): ParentSelector {
  return {
    name: 'hgm',
    select(snapshot: SelectionSnapshot, random: Random, count: number): number[] {
      assertCount(count);
      const picks: number[] = [];
      // One pass per draw over the snapshot, no intermediate arrays: 100,000 nodes are 200,000
      // Gamma draws, which dominate the cost.
      for (let draw = 0; draw < count; draw++) {
        let bestId = -1;
        let bestDraw = Number.NEGATIVE_INFINITY;
        for (const node of snapshot.nodes) {
          if (node.status !== 'scored' || typeof node.score !== 'number' || !Number.isFinite(node.score)) continue;
          const counts = node.clade ?? node.own ?? NO_OUTCOMES;
          const value = sampleBeta(random, 1 + Math.max(0, counts.passes), 1 + Math.max(0, counts.failures));
          if (value > bestDraw) {
            bestDraw = value;
            bestId = node.id;
          }
        }
        if (bestId < 0) return [];
        picks.push(bestId);
      }
      return picks;
    },
  };
}
