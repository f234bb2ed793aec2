/**
 * @module The `power-law` parent selector (ShinkaEvolve): P(i) ∝ rank_i^−α, rank 1 the best. It
 * depends only on the order of scores, not on their scale, so it behaves the same whether the
 * scores differ by 0.5 or by 0.0005.
 */
import { ConfigError } from '../core/errors.js';
import type { Random } from '../core/random.js';
import { assertCount, sampleProportional, scoredCandidates } from './sample.js';
import type { ParentSelector, SelectionSnapshot } from './types.js';

export interface PowerLawSelectorOptions {
  /** Exponent α ≥ 0; 0 is uniform, larger is greedier. Default 1 (ShinkaEvolve). */
  alpha?: number;
}

export interface PowerLawEntry {
  id: number;
  score: number;
  /** 1 for the best; tied scores share the best rank of their group. */
  rank: number;
  probability: number;
}

function resolveAlpha(options: PowerLawSelectorOptions): number {
  const alpha = options.alpha ?? 1;
  if (!Number.isFinite(alpha) || alpha < 0) {
    const message = `selection.powerLaw.alpha must be a finite number ≥ 0, got ${alpha}`;
    throw new ConfigError(message, [{ path: 'selection.powerLaw.alpha', message, value: alpha }]);
  }
  return alpha;
}

/**
 * Rank-based probabilities over the scored nodes, in snapshot order. Equal scores get the same
 * (best) rank, so equal nodes get equal chances whatever their order in the snapshot.
 */
export function powerLawProbabilities(
  snapshot: SelectionSnapshot,
  options: PowerLawSelectorOptions = {},
): PowerLawEntry[] {
  const alpha = resolveAlpha(options);
  const candidates = scoredCandidates(snapshot);
  if (candidates.length === 0) return [];
  // rank = 1 + the number of strictly higher scores: a binary search in the sorted scores, O(n log n)
  // on a typed array (no comparator calls).
  const sorted = Float64Array.from(candidates, (node) => node.score).sort();
  const ranks = candidates.map((node) => {
    let low = 0;
    let high = sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((sorted[middle] as number) <= node.score) low = middle + 1;
      else high = middle;
    }
    return sorted.length - low + 1;
  });
  const weights = ranks.map((rank) => rank ** -alpha);
  let total = 0;
  for (const weight of weights) total += weight;
  return candidates.map((node, index) => ({
    id: node.id,
    score: node.score,
    rank: ranks[index] as number,
    probability: (weights[index] as number) / total,
  }));
}

/** The power-law selector, sampling with replacement. */
export function powerLawSelector(options: PowerLawSelectorOptions = {}): ParentSelector {
  const alpha = resolveAlpha(options);
  return {
    name: 'power-law',
    select(snapshot: SelectionSnapshot, random: Random, count: number): number[] {
      assertCount(count);
      const entries = powerLawProbabilities(snapshot, { alpha });
      if (entries.length === 0 || count === 0) return [];
      return sampleProportional(
        entries.map((entry) => entry.probability),
        random,
        count,
      ).map((index) => (entries[index] as PowerLawEntry).id);
    },
  };
}
