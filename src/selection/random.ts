/**
 * @module The `random` parent selector: uniform over scored nodes, with replacement (DGM's "random"
 * mode, the baseline that shows what score-aware selection adds).
 */
import type { Random } from '../core/random.js';
import { assertCount, scoredCandidates } from './sample.js';
import type { ParentSelector, SelectionSnapshot } from './types.js';

/** Picks scored nodes uniformly at random, with replacement. */
export function randomSelector(): ParentSelector {
  return {
    name: 'random',
    select(snapshot: SelectionSnapshot, random: Random, count: number): number[] {
      assertCount(count);
      const candidates = scoredCandidates(snapshot);
      if (candidates.length === 0) return [];
      const picks: number[] = [];
      for (let draw = 0; draw < count; draw++) picks.push(random.pick(candidates).id);
      return picks;
    },
  };
}
