/**
 * @module The `best` parent selector: always the top-scored node (DGM's "best" mode, the greedy
 * baseline). DGM's public code sorts ascending here and so picks the worst; this one picks the max.
 */
import type { Random } from '../core/random.js';
import { assertCount, scoredCandidates } from './sample.js';
import type { ParentSelector, SelectionSnapshot } from './types.js';

/** The highest-scored node among scored nodes; ties go to the lowest id. Null when none is scored. */
export function bestNodeId(snapshot: SelectionSnapshot): number | null {
  let best: { id: number; score: number } | null = null;
  for (const node of scoredCandidates(snapshot)) {
    if (best === null || node.score > best.score || (node.score === best.score && node.id < best.id)) {
      best = { id: node.id, score: node.score };
    }
  }
  return best === null ? null : best.id;
}

/** Picks the best node `count` times (it uses no chance, so `random` is untouched). */
export function bestSelector(): ParentSelector {
  return {
    name: 'best',
    select(snapshot: SelectionSnapshot, _random: Random, count: number): number[] {
      assertCount(count);
      const id = bestNodeId(snapshot);
      return id === null ? [] : new Array<number>(count).fill(id);
    },
  };
}
