/**
 * @module The `weighted` parent selector (ShinkaEvolve): DGM's sigmoid-times-novelty weight, but the
 * sigmoid is centred on the archive's median score and scaled by the median absolute deviation, so
 * it keeps discriminating when all scores crowd into a narrow band (late in a campaign), where a
 * fixed α0 = 0.5 makes every node look alike.
 */
import { ConfigError } from '../core/errors.js';
import type { Random } from '../core/random.js';
import {
  assertCount,
  logSigmoid,
  median,
  probabilitiesFromLogWeights,
  sampleProportional,
  scoredCandidates,
} from './sample.js';
import type { ParentSelector, SelectionSnapshot } from './types.js';

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

/** The ShinkaEvolve `weighted` selector, sampling with replacement. */
export function weightedSelector(options: WeightedSelectorOptions = {}): ParentSelector {
  const lambda = resolveLambda(options);
  return {
    name: 'weighted',
    select(snapshot: SelectionSnapshot, random: Random, count: number): number[] {
      assertCount(count);
      const entries = weightedProbabilities(snapshot, { lambda });
      if (entries.length === 0 || count === 0) return [];
      const picks = sampleProportional(
        entries.map((entry) => entry.probability),
        random,
        count,
      );
      return picks.map((index) => (entries[index] as WeightedEntry).id);
    },
  };
}
