/**
 * @module The `random` parent selector: uniform over scored nodes, with replacement (DGM's "random"
 * mode, the baseline that shows what score-aware selection adds).
 */
import type { Random } from '../core/random.js';
import { DerivedStateCache, ScoredPositions } from './derived-state.js';
import { assertCount } from './sample.js';
import type { ParentSelector, SelectionCandidate, SelectionSnapshot, SelectorKind } from './types.js';

/**
 * Picks scored nodes uniformly at random, with replacement: `random.pick` over the scored nodes in
 * snapshot order (one `random.next()` per draw), from a list of scored positions kept across calls
 * over a journaled snapshot.
 */
export function randomSelector(): ParentSelector {
  const cache = new DerivedStateCache(() => new ScoredPositions());
  return {
    name: 'random',
    select(snapshot: SelectionSnapshot, random: Random, count: number): number[] {
      assertCount(count);
      const scored = cache.get(snapshot);
      if (scored.length === 0) return [];
      const picks: number[] = [];
      for (let draw = 0; draw < count; draw++) {
        const position = scored.positions[Math.floor(random.next() * scored.length)] as number;
        picks.push((snapshot.nodes[position] as SelectionCandidate).id);
      }
      return picks;
    },
  };
}

/** The `random` strategy (the baseline). */
export const randomKind: SelectorKind = {
  kind: 'random',
  summary: 'uniform over scored nodes',
  create: () => randomSelector(),
};
