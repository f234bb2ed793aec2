/**
 * @module The `weighted` parent selector (ShinkaEvolve): DGM's sigmoid-times-novelty weight, but the
 * sigmoid is centred on the archive's median score and scaled by the median absolute deviation, so
 * it keeps discriminating when all scores crowd into a narrow band (late in a campaign), where a
 * fixed α0 = 0.5 makes every node look alike.
 */
import { ConfigError } from '../core/errors.js';
import type { Random } from '../core/random.js';
import { type DerivedState, DerivedStateCache, ensureLength, isScored } from './derived-state.js';
import { assertCount, logSigmoid, median, probabilitiesFromLogWeights, scoredCandidates } from './sample.js';
import { SortedScores } from './sorted-scores.js';
import { SumTree } from './sum-tree.js';
import type { ParentSelector, SelectionCandidate, SelectionSnapshot, SelectorKind } from './types.js';

/** Parameters of the ShinkaEvolve weight. */
export interface WeightedSelectorOptions {
  /** Sigmoid steepness λ, in units of the MAD; positive. Default 10 (ShinkaEvolve). */
  lambda?: number;
}

/** One scored node's share of the draw. */
export interface WeightedEntry {
  id: number;
  score: number;
  children: number;
  probability: number;
}

/** The floor under the MAD, so that an archive of equal scores does not divide by zero. */
const MAD_FLOOR = 1e-6;

function resolveLambda(options: WeightedSelectorOptions): number {
  const lambda = options.lambda ?? 10;
  if (!Number.isFinite(lambda) || lambda <= 0) {
    const message = `selection.lambda must be a positive finite number, got ${lambda}`;
    throw new ConfigError(message, [{ path: 'selection.lambda', message, value: lambda }]);
  }
  return lambda;
}

/**
 * α0 = median score, MAD = median |a_i − α0|, s_i = sigmoid(λ (a_i − α0) / max(MAD, 1e-6)),
 * h_i = 1 / (1 + n_i), P(i) ∝ s_i · h_i over the scored nodes, in snapshot order.
 */
export function weightedProbabilities(
  snapshot: SelectionSnapshot,
  options: WeightedSelectorOptions = {},
): WeightedEntry[] {
  const lambda = resolveLambda(options);
  const candidates = scoredCandidates(snapshot);
  if (candidates.length === 0) return [];
  const scores = candidates.map((node) => node.score);
  const center = median(scores);
  const spread = Math.max(median(scores.map((score) => Math.abs(score - center))), MAD_FLOOR);
  const probabilities = probabilitiesFromLogWeights(
    candidates.map(
      (node) => logSigmoid((lambda * (node.score - center)) / spread) - Math.log1p(Math.max(0, node.children)),
    ),
  );
  return candidates.map((node, index) => ({
    id: node.id,
    score: node.score,
    children: node.children,
    probability: probabilities[index] as number,
  }));
}

/**
 * The weighted selector's derived state: scores sorted (median and MAD in O(log n)) and the log
 * weights in a sum tree. A change that moves the median or the MAD changes every weight (O(n)
 * recompute, about once per new score); any other change re-weights the changed nodes only.
 */
class WeightedState implements DerivedState {
  private readonly sorted = new SortedScores();
  private scored = new Uint8Array(16);
  private scores = new Float64Array(16);
  /** h_i = 1 / (1 + n_i). */
  private childFactors = new Float64Array(16);
  private count = 0;
  private center = Number.NaN;
  private spread = Number.NaN;
  private readonly changed: number[] = [];
  private scratch = new Float64Array(16);
  readonly weights = new SumTree();

  constructor(private readonly lambda: number) {}

  refresh(nodes: readonly SelectionCandidate[], position: number): void {
    const node = nodes[position] as SelectionCandidate;
    this.scored = ensureLength(this.scored, position + 1);
    this.scores = ensureLength(this.scores, position + 1);
    this.childFactors = ensureLength(this.childFactors, position + 1);
    if (position >= this.count) this.count = position + 1;
    const wasScored = this.scored[position] === 1;
    const previous = this.scores[position] as number;
    const now = isScored(node);
    if (wasScored && (!now || node.score !== previous)) this.sorted.remove(previous, position);
    if (now && (!wasScored || node.score !== previous)) this.sorted.insert(node.score, position);
    this.scored[position] = now ? 1 : 0;
    this.scores[position] = now ? node.score : 0;
    this.childFactors[position] = 1 / (1 + Math.max(0, node.children));
    this.changed.push(position);
  }

  /** Brings the weights up to date; false when no node is scored. */
  prepare(): boolean {
    if (this.sorted.length === 0) {
      this.changed.length = 0;
      return false;
    }
    const center = this.sorted.median();
    const spread = Math.max(this.sorted.medianAbsoluteDeviation(center), MAD_FLOOR);
    if (center !== this.center || spread !== this.spread) {
      this.center = center;
      this.spread = spread;
      this.scratch = ensureLength(this.scratch, this.count);
      for (let position = 0; position < this.count; position++) this.scratch[position] = this.weight(position);
      this.weights.assign(this.scratch, this.count);
    } else {
      for (const position of this.changed) this.weights.set(position, this.weight(position));
    }
    this.changed.length = 0;
    return true;
  }

  /**
   * s_i · h_i, directly (one exp): unlike DGM's fixed α0, the sigmoid is centred on the median, so
   * the nodes nearest the median have |λ (a − α0) / MAD| ≤ λ and the total never underflows.
   */
  private weight(position: number): number {
    if (this.scored[position] !== 1) return 0;
    const x = (this.lambda * ((this.scores[position] as number) - this.center)) / this.spread;
    return (this.childFactors[position] as number) / (1 + Math.exp(-x));
  }
}

/**
 * The ShinkaEvolve `weighted` selector, sampling with replacement: the draws of
 * `weightedProbabilities` + `sampleProportional` (one `random.next()` each, the same node up to the
 * rounding of partial sums), from state kept incrementally over a journaled snapshot.
 */
export function weightedSelector(options: WeightedSelectorOptions = {}): ParentSelector {
  const lambda = resolveLambda(options);
  const cache = new DerivedStateCache(() => new WeightedState(lambda));
  return {
    name: 'weighted',
    select(snapshot: SelectionSnapshot, random: Random, count: number): number[] {
      assertCount(count);
      const state = cache.get(snapshot);
      if (!state.prepare() || count === 0) return [];
      const picks: number[] = [];
      for (let draw = 0; draw < count; draw++) {
        picks.push((snapshot.nodes[state.weights.draw(random)] as SelectionCandidate).id);
      }
      return picks;
    },
  };
}

/** The `weighted` strategy: reads the section's shared `lambda` (α0 is the archive's median). */
export const weightedKind: SelectorKind = {
  kind: 'weighted',
  summary: 'DGM weights with α0 = median score and the MAD as scale',
  create: (section) => weightedSelector({ lambda: section.lambda }),
};
