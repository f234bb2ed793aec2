/**
 * @module The `best` parent selector: always the top-scored node (DGM's "best" mode, the greedy
 * baseline). DGM's public code sorts ascending here and so picks the worst; this one picks the max.
 */
import type { Random } from '../core/random.js';
import { type DerivedState, DerivedStateCache, isScored } from './derived-state.js';
import { assertCount, scoredCandidates } from './sample.js';
import type { ParentSelector, SelectionCandidate, SelectionSnapshot, SelectorKind } from './types.js';

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

/**
 * The best node, kept across calls: a changed node that beats the recorded best replaces it; a
 * change to the best node itself (its score may have dropped) rescans every node on the next call.
 */
class BestState implements DerivedState {
  /** The best node's id and score when it was found, or null when none is scored. */
  private best: { position: number; id: number; score: number } | null = null;
  private rescan = false;

  refresh(nodes: readonly SelectionCandidate[], position: number): void {
    if (this.rescan) return;
    const node = nodes[position] as SelectionCandidate;
    if (this.best !== null && position === this.best.position) {
      // The best node changed: still the best if its score did not drop (a new child, say).
      if (isScored(node) && node.id === this.best.id && node.score >= this.best.score) this.best.score = node.score;
      else this.rescan = true;
      return;
    }
    if (isScored(node) && beatsRecord(node, this.best)) this.best = { position, id: node.id, score: node.score };
  }

  bestId(nodes: readonly SelectionCandidate[]): number | null {
    if (this.rescan) {
      this.rescan = false;
      this.best = null;
      for (let position = 0; position < nodes.length; position++) {
        const node = nodes[position] as SelectionCandidate;
        if (isScored(node) && beatsRecord(node, this.best)) this.best = { position, id: node.id, score: node.score };
      }
    }
    return this.best?.id ?? null;
  }
}

function beatsRecord(node: { id: number; score: number }, best: { id: number; score: number } | null): boolean {
  return best === null || node.score > best.score || (node.score === best.score && node.id < best.id);
}

/** Picks the best node `count` times (it uses no chance, so `random` is untouched). */
export function bestSelector(): ParentSelector {
  const cache = new DerivedStateCache(() => new BestState());
  return {
    name: 'best',
    select(snapshot: SelectionSnapshot, _random: Random, count: number): number[] {
      assertCount(count);
      const id = cache.get(snapshot).bestId(snapshot.nodes);
      return id === null ? [] : new Array<number>(count).fill(id);
    },
  };
}

/** The `best` strategy (pure exploitation). */
export const bestKind: SelectorKind = {
  kind: 'best',
  summary: 'always the best scored node (ties: the oldest)',
  create: () => bestSelector(),
};
