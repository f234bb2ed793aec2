/**
 * @module The `power-law` parent selector (ShinkaEvolve): P(i) ∝ rank_i^−α, rank 1 the best. It
 * depends only on the order of scores, not on their scale, so it behaves the same whether the
 * scores differ by 0.5 or by 0.0005.
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { Random } from '../core/random.js';
import { type DerivedState, DerivedStateCache, ensureLength, isScored } from './derived-state.js';
import { assertCount, scoredCandidates } from './sample.js';
import { optionsOf } from './selector-kind.js';
import { SortedScores } from './sorted-scores.js';
import { SumTree } from './sum-tree.js';
import type { ParentSelector, SelectionCandidate, SelectionSnapshot, SelectorKind } from './types.js';

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

/**
 * The power-law selector's derived state: scores sorted, and rank^−α per node in a sum tree. Ranks
 * move when a score is added, removed or changed: then every weight is recomputed in one pass over
 * the sorted scores (O(n), typed arrays); child counts do not enter, so other changes cost nothing.
 */
class PowerLawState implements DerivedState {
  private readonly sorted = new SortedScores();
  private scored = new Uint8Array(16);
  private scores = new Float64Array(16);
  private count = 0;
  private stale = true;
  /** rankWeights[r] = r^−α, filled as ranks grow. */
  private rankWeights = new Float64Array(16);
  private knownRanks = 0;
  private scratch = new Float64Array(16);
  readonly tree = new SumTree();

  constructor(private readonly alpha: number) {}

  refresh(nodes: readonly SelectionCandidate[], position: number): void {
    const node = nodes[position] as SelectionCandidate;
    this.scored = ensureLength(this.scored, position + 1);
    this.scores = ensureLength(this.scores, position + 1);
    if (position >= this.count) {
      this.count = position + 1;
      this.stale = true;
    }
    const wasScored = this.scored[position] === 1;
    const previous = this.scores[position] as number;
    const now = isScored(node);
    if (wasScored === now && (!now || node.score === previous)) return;
    if (wasScored) this.sorted.remove(previous, position);
    if (now) this.sorted.insert(node.score, position);
    this.scored[position] = now ? 1 : 0;
    this.scores[position] = now ? node.score : 0;
    this.stale = true;
  }

  /** Brings the weights up to date; false when no node is scored. */
  prepare(): boolean {
    const { sorted } = this;
    if (sorted.length === 0) return false;
    if (!this.stale) return true;
    this.rankWeights = ensureLength(this.rankWeights, sorted.length + 1);
    for (let rank = this.knownRanks + 1; rank <= sorted.length; rank++) this.rankWeights[rank] = rank ** -this.alpha;
    this.knownRanks = Math.max(this.knownRanks, sorted.length);
    this.scratch = ensureLength(this.scratch, this.count);
    const weights = this.scratch;
    weights.fill(0, 0, this.count);
    // From the top: a run of equal scores shares rank 1 + (number of strictly higher scores).
    let end = sorted.length;
    while (end > 0) {
      const value = sorted.values[end - 1] as number;
      let start = end - 1;
      while (start > 0 && sorted.values[start - 1] === value) start--;
      const weight = this.rankWeights[sorted.length - end + 1] as number;
      for (let index = start; index < end; index++) weights[sorted.positions[index] as number] = weight;
      end = start;
    }
    this.tree.assign(weights, this.count);
    this.stale = false;
    return true;
  }
}

/**
 * The power-law selector, sampling with replacement: the draws of `powerLawProbabilities` +
 * `sampleProportional` (one `random.next()` each, the same node up to the rounding of partial
 * sums), from state kept incrementally over a journaled snapshot.
 */
export function powerLawSelector(options: PowerLawSelectorOptions = {}): ParentSelector {
  const alpha = resolveAlpha(options);
  const cache = new DerivedStateCache(() => new PowerLawState(alpha));
  return {
    name: 'power-law',
    select(snapshot: SelectionSnapshot, random: Random, count: number): number[] {
      assertCount(count);
      const state = cache.get(snapshot);
      if (!state.prepare() || count === 0) return [];
      const picks: number[] = [];
      for (let draw = 0; draw < count; draw++) {
        picks.push((snapshot.nodes[state.tree.draw(random)] as SelectionCandidate).id);
      }
      return picks;
    },
  };
}

/** `selection.powerLaw`. */
export const powerLawOptionsSchema = z
  .object({
    /** Exponent α of P ∝ rank^−α (0 is uniform). Default 1. */
    alpha: z.number().min(0).max(100).default(1),
  })
  .strict();

/** The `power-law` strategy; options under `powerLaw`. */
export const powerLawKind: SelectorKind = {
  kind: 'power-law',
  summary: 'P ∝ rank^−α over scored nodes ranked by score',
  options: { key: 'powerLaw', schema: powerLawOptionsSchema },
  create: (section) => powerLawSelector(optionsOf(section, 'powerLaw', powerLawOptionsSchema)),
};
