/**
 * @module The `dgm` parent selector: DGM's "score_child_prop". A node's weight grows with its score
 * through a sigmoid and shrinks with the number of children it already has, so the archive keeps
 * exploring from good but under-explored agents (open-endedness) instead of only the best one.
 */
import { ConfigError } from '../core/errors.js';
import type { Random } from '../core/random.js';
import { type DerivedState, DerivedStateCache, isScored } from './derived-state.js';
import { assertCount, logSigmoid, scoredCandidates } from './sample.js';
import { LogWeightTree } from './sum-tree.js';
import type { ParentSelector, SelectionCandidate, SelectionSnapshot, SelectorKind } from './types.js';

/** Parameters of the DGM weight. */
export interface DgmSelectorOptions {
  /** Sigmoid steepness λ; positive. Default 10 (DGM). */
  lambda?: number;
  /** Sigmoid midpoint α0: the score at which s_i = 0.5. Default 0.5 (DGM). */
  alpha0?: number;
}

/** One scored node's share of the DGM draw. */
export interface DgmWeight {
  id: number;
  score: number;
  children: number;
  /** s_i = 1 / (1 + exp(−λ (a_i − α0))). */
  sigmoid: number;
  /** h_i = 1 / (1 + n_i). */
  childFactor: number;
  /** s_i · h_i. */
  weight: number;
  /** weight / Σ weight (computed in log space, so it stays finite where the weights underflow). */
  probability: number;
}

/** s = 1 / (1 + e^−x) without overflow for large |x|. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const exponential = Math.exp(x);
  return exponential / (1 + exponential);
}

function resolveOptions(options: DgmSelectorOptions): { lambda: number; alpha0: number } {
  const lambda = options.lambda ?? 10;
  const alpha0 = options.alpha0 ?? 0.5;
  if (!Number.isFinite(lambda) || lambda <= 0) {
    const message = `selection.lambda must be a positive finite number, got ${lambda}`;
    throw new ConfigError(message, [{ path: 'selection.lambda', message, value: lambda }]);
  }
  if (!Number.isFinite(alpha0)) {
    const message = `selection.alpha0 must be a finite number, got ${alpha0}`;
    throw new ConfigError(message, [{ path: 'selection.alpha0', message, value: alpha0 }]);
  }
  return { lambda, alpha0 };
}

/**
 * DGM weights of the scored nodes (status `scored`, finite score), in snapshot order:
 * s_i = sigmoid(λ (a_i − α0)), h_i = 1 / (1 + n_i), P(i) ∝ s_i · h_i. Empty when none is scored.
 * Exported for tests and for the viewer, which shows each node's chance of being picked.
 */
export function dgmWeights(snapshot: SelectionSnapshot, options: DgmSelectorOptions = {}): DgmWeight[] {
  const { lambda, alpha0 } = resolveOptions(options);
  const candidates = scoredCandidates(snapshot);
  if (candidates.length === 0) return [];
  const logWeights = candidates.map((node) => {
    const children = Math.max(0, node.children);
    return logSigmoid(lambda * (node.score - alpha0)) - Math.log1p(children);
  });
  const maximum = Math.max(...logWeights);
  // Every weight is zero only if λ (a − α0) overflowed to −∞ for all; fall back to uniform then.
  const relative = logWeights.map((logWeight) =>
    maximum === Number.NEGATIVE_INFINITY ? 1 : Math.exp(logWeight - maximum),
  );
  const total = relative.reduce((sum, value) => sum + value, 0);
  return candidates.map((node, index) => {
    const children = Math.max(0, node.children);
    const s = sigmoid(lambda * (node.score - alpha0));
    const h = 1 / (1 + children);
    return {
      id: node.id,
      score: node.score,
      children: node.children,
      sigmoid: s,
      childFactor: h,
      weight: s * h,
      probability: (relative[index] as number) / total,
    };
  });
}

/** The DGM weights of a snapshot's nodes in a sum tree, updated per changed node (O(log n) each). */
class DgmState implements DerivedState {
  readonly weights = new LogWeightTree();

  constructor(private readonly options: { lambda: number; alpha0: number }) {}

  refresh(nodes: readonly SelectionCandidate[], position: number): void {
    const node = nodes[position] as SelectionCandidate;
    if (!isScored(node)) {
      this.weights.set(position, Number.NaN);
      return;
    }
    const { lambda, alpha0 } = this.options;
    this.weights.set(position, logSigmoid(lambda * (node.score - alpha0)) - Math.log1p(Math.max(0, node.children)));
  }
}

/**
 * The DGM parent selector (score_child_prop), sampling with replacement. Over a journaled snapshot
 * (the campaign loop's pool) the weights live in a sum tree updated per changed node, so a draw is
 * O(log n); the draws are those of `dgmWeights` + `sampleProportional` (one `random.next()` each,
 * the same node up to the rounding of the partial sums).
 */
export function dgmSelector(options: DgmSelectorOptions = {}): ParentSelector {
  const resolved = resolveOptions(options);
  const cache = new DerivedStateCache(() => new DgmState(resolved));
  return {
    name: 'dgm',
    select(snapshot: SelectionSnapshot, random: Random, count: number): number[] {
      assertCount(count);
      const { weights } = cache.get(snapshot);
      if (weights.candidateCount === 0 || count === 0) return [];
      const picks: number[] = [];
      for (let draw = 0; draw < count; draw++) {
        picks.push((snapshot.nodes[weights.draw(random)] as SelectionCandidate).id);
      }
      return picks;
    },
  };
}

/** The `dgm` strategy (the default): reads the section's shared `lambda` and `alpha0`. */
export const dgmKind: SelectorKind = {
  kind: 'dgm',
  summary: 'DGM: sigmoid(λ(score − α0)) / (1 + children), sampled in proportion',
  create: (section) => dgmSelector({ lambda: section.lambda, alpha0: section.alpha0 }),
};
