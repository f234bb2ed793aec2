/**
 * @module Shared sampling helpers for parent selectors: which nodes may be parents, and drawing
 * indices in proportion to weights.
 */
import type { Random } from '../core/random.js';
import type { SelectionCandidate, SelectionSnapshot } from './types.js';

/** A candidate that may be a parent: status `scored` with a finite score. */
export type ScoredCandidate = SelectionCandidate & { score: number };

/** The nodes a selector may pick, in snapshot order: status `scored` and a finite score. */
export function scoredCandidates(snapshot: SelectionSnapshot): ScoredCandidate[] {
  return snapshot.nodes.filter(
    (node): node is ScoredCandidate =>
      node.status === 'scored' && typeof node.score === 'number' && Number.isFinite(node.score),
  );
}

/** Throws a RangeError unless `count` is a non-negative integer (a caller's bug, not a child's failure). */
export function assertCount(count: number): void {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`A selector's count must be a non-negative integer, got ${count}`);
  }
}

/**
 * Draws `count` indices into `weights` with replacement, index i with probability
 * weights[i] / Σ weights (cumulative sums and a binary search per draw, one `random.next()` each).
 * Zero weights are never drawn, unless every weight is zero: then the draw is uniform.
 * Returns [] for empty weights. Throws a RangeError for a negative, NaN or infinite weight.
 */
export function sampleProportional(weights: readonly number[], random: Random, count: number): number[] {
  assertCount(count);
  if (weights.length === 0 || count === 0) return [];
  const table = new CumulativeWeights(weights);
  const picks: number[] = [];
  for (let draw = 0; draw < count; draw++) picks.push(table.draw(random));
  return picks;
}

/**
 * Cumulative sums of non-empty weights, for repeated draws with `sampleProportional`'s rule (built
 * once, O(log n) per draw). Throws a RangeError for a negative, NaN or infinite weight.
 */
export class CumulativeWeights {
  private readonly cumulative: Float64Array;
  private readonly total: number;
  private readonly lastPositive: number;

  constructor(weights: ArrayLike<number>) {
    const cumulative = new Float64Array(weights.length);
    let total = 0;
    let lastPositive = -1;
    for (let index = 0; index < weights.length; index++) {
      const weight = weights[index] as number;
      if (!(weight >= 0) || weight === Number.POSITIVE_INFINITY) {
        throw new RangeError(`Weights must be finite and non-negative; weight ${index} is ${weight}`);
      }
      total += weight;
      if (weight > 0) lastPositive = index;
      cumulative[index] = total;
    }
    if (!Number.isFinite(total)) throw new RangeError('The weights sum to infinity; scale them down');
    this.cumulative = cumulative;
    this.total = total;
    this.lastPositive = lastPositive;
  }

  /** One index (one `random.next()`): uniform when every weight is zero. */
  draw(random: Random): number {
    const { cumulative, total } = this;
    if (cumulative.length === 0) throw new RangeError('CumulativeWeights.draw() needs at least one weight');
    if (total === 0) return random.int(cumulative.length);
    const target = random.next() * total;
    // First index whose cumulative sum exceeds the target; zero weights repeat the previous sum and are skipped.
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((cumulative[middle] as number) > target) high = middle;
      else low = middle + 1;
    }
    // Rounding can leave target at the total: fall back to the last item that has weight.
    return (cumulative[low] as number) > target ? low : this.lastPositive;
  }
}

/** log(1 / (1 + e^−x)) = −softplus(−x), accurate for large |x|. */
export function logSigmoid(x: number): number {
  return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
}

/**
 * Probabilities from log weights: exp(w_i − max) / Σ, so they stay finite where the plain weights
 * underflow. All −∞ (every weight zero) gives the uniform distribution.
 */
export function probabilitiesFromLogWeights(logWeights: readonly number[]): number[] {
  if (logWeights.length === 0) return [];
  let maximum = Number.NEGATIVE_INFINITY;
  for (const value of logWeights) if (value > maximum) maximum = value;
  const relative = logWeights.map((value) => (maximum === Number.NEGATIVE_INFINITY ? 1 : Math.exp(value - maximum)));
  let total = 0;
  for (const value of relative) total += value;
  return relative.map((value) => value / total);
}

/** The median of a non-empty list (the mean of the two middle values for an even length); O(n). */
export function median(values: readonly number[] | Float64Array): number {
  if (values.length === 0) throw new RangeError('median() needs at least one value');
  const work = Float64Array.from(values);
  const middle = work.length >>> 1;
  const upper = select(work, middle);
  if (work.length % 2 === 1) return upper;
  // After selecting `middle`, every element left of it is ≤ it: the lower middle is their maximum.
  let lower = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < middle; index++) if ((work[index] as number) > lower) lower = work[index] as number;
  return (lower + upper) / 2;
}

/** Hoare's quickselect: the k-th smallest value (0-based), partially reordering `work` in place. */
function select(work: Float64Array, k: number): number {
  let low = 0;
  let high = work.length - 1;
  while (low < high) {
    // Median of three as the pivot keeps sorted and reversed inputs linear.
    const middle = (low + high) >>> 1;
    const a = work[low] as number;
    const b = work[middle] as number;
    const c = work[high] as number;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let left = low;
    let right = high;
    while (left <= right) {
      while ((work[left] as number) < pivot) left++;
      while ((work[right] as number) > pivot) right--;
      if (left <= right) {
        const held = work[left] as number;
        work[left] = work[right] as number;
        work[right] = held;
        left++;
        right--;
      }
    }
    if (k <= right) high = right;
    else if (k >= left) low = left;
    else return work[k] as number;
  }
  return work[k] as number;
}
