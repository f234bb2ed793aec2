/**
 * @module A sum tree (segment tree of partial sums) over non-negative weights: set one weight in
 * O(log n), draw an index in proportion to the weights in O(log n). Selectors keep one per
 * candidate pool so that a draw over 100,000 nodes does not recompute every weight.
 */
import type { Random } from '../core/random.js';

/**
 * Weights at indices 0..length−1 (growing on demand), with their sums in a complete binary tree.
 * Each inner entry is recomputed from its two children (never adjusted by differences), so no
 * rounding error builds up over many updates.
 */
export class SumTree {
  /** Leaves at [capacity, 2·capacity); entry i > 0 holds the sum of entries 2i and 2i + 1. */
  private sums: Float64Array;
  private capacity: number;
  private size = 0;

  constructor(initialCapacity = 16) {
    this.capacity = 1;
    while (this.capacity < initialCapacity) this.capacity *= 2;
    this.sums = new Float64Array(2 * this.capacity);
  }

  /** Number of indices (the largest index set plus one). */
  get length(): number {
    return this.size;
  }

  /** Σ weights. */
  get total(): number {
    return this.sums[1] as number;
  }

  /** The weight at `index` (0 beyond the length). */
  get(index: number): number {
    return index < this.size ? (this.sums[this.capacity + index] as number) : 0;
  }

  /** Sets one weight (finite, ≥ 0; a caller's bug otherwise) and the sums above it. */
  set(index: number, weight: number): void {
    if (!(weight >= 0) || weight === Number.POSITIVE_INFINITY) {
      throw new RangeError(`Weights must be finite and non-negative; weight ${index} is ${weight}`);
    }
    if (index >= this.capacity) this.grow(index + 1);
    if (index >= this.size) this.size = index + 1;
    let node = this.capacity + index;
    this.sums[node] = weight;
    const sums = this.sums;
    for (node >>= 1; node >= 1; node >>= 1) sums[node] = (sums[2 * node] as number) + (sums[2 * node + 1] as number);
  }

  /**
   * Replaces every weight at once (O(n)): `weights[i]` for i < count, zero beyond. For a change
   * that touches most weights (a new sigmoid centre, new ranks).
   */
  assign(weights: ArrayLike<number>, count: number): void {
    if (count > this.capacity) this.grow(count);
    const { sums, capacity } = this;
    for (let index = 0; index < count; index++) {
      const weight = weights[index] as number;
      if (!(weight >= 0) || weight === Number.POSITIVE_INFINITY) {
        throw new RangeError(`Weights must be finite and non-negative; weight ${index} is ${weight}`);
      }
      sums[capacity + index] = weight;
    }
    sums.fill(0, capacity + count, 2 * capacity);
    this.size = count;
    this.rebuildInner();
  }

  /**
   * The index whose cumulative interval [Σ_{j<i} w_j, Σ_{j≤i} w_j) holds `target` (0 ≤ target < total):
   * the first index whose prefix sum exceeds it, as a binary search over cumulative sums would find.
   * A zero weight is never returned while the total is positive (rounding that pushes the target
   * past a subtree's sum lands on that subtree's last positive weight). −1 when the total is 0.
   */
  find(target: number): number {
    const sums = this.sums;
    if (!((sums[1] as number) > 0)) return -1;
    let node = 1;
    let rest = target;
    while (node < this.capacity) {
      const left = sums[2 * node] as number;
      const right = sums[2 * node + 1] as number;
      if (rest < left || right === 0) node = 2 * node;
      else {
        rest -= left;
        node = 2 * node + 1;
      }
    }
    return node - this.capacity;
  }

  /** One index drawn in proportion to the weights (one `random.next()`); −1 when all are zero. */
  draw(random: Random): number {
    return this.find(random.next() * (this.sums[1] as number));
  }

  private grow(minimum: number): void {
    let capacity = this.capacity;
    while (capacity < minimum) capacity *= 2;
    const sums = new Float64Array(2 * capacity);
    sums.set(this.sums.subarray(this.capacity, this.capacity + this.size), capacity);
    this.sums = sums;
    this.capacity = capacity;
    this.rebuildInner();
  }

  private rebuildInner(): void {
    const sums = this.sums;
    for (let node = this.capacity - 1; node >= 1; node--) {
      sums[node] = (sums[2 * node] as number) + (sums[2 * node + 1] as number);
    }
  }
}

/**
 * Weights given as logarithms (DGM's and ShinkaEvolve's sigmoid × child factor), stored as
 * exp(log w − reference) in a sum tree so they stay finite where the plain weights underflow, as
 * `probabilitiesFromLogWeights` does. NaN marks an entry that is not a candidate (weight 0); when
 * every candidate's log weight is −∞ the draw is uniform over the candidates.
 */
export class LogWeightTree {
  private logs = new Float64Array(16);
  private count = 0;
  /** Candidates (entries whose log weight is not NaN). */
  private candidates = 0;
  private reference = 0;
  private readonly tree = new SumTree();

  get length(): number {
    return this.count;
  }

  /** Number of entries that are candidates. */
  get candidateCount(): number {
    return this.candidates;
  }

  /** Sets entry `index`'s log weight; NaN removes it from the draw. */
  set(index: number, logWeight: number): void {
    if (index >= this.logs.length) {
      let size = this.logs.length;
      while (size <= index) size *= 2;
      const grown = new Float64Array(size).fill(Number.NaN);
      grown.set(this.logs.subarray(0, this.count));
      this.logs = grown;
    }
    while (this.count <= index) this.logs[this.count++] = Number.NaN;
    const previous = this.logs[index] as number;
    this.candidates += (Number.isNaN(logWeight) ? 0 : 1) - (Number.isNaN(previous) ? 0 : 1);
    this.logs[index] = logWeight;
    // exp(x) overflows beyond about 709: move the reference up first.
    if (this.reference === Number.NEGATIVE_INFINITY || logWeight - this.reference > 600) this.rebase();
    else this.tree.set(index, Number.isNaN(logWeight) ? 0 : Math.exp(logWeight - this.reference));
  }

  /** Sets entries 0..count−1 at once from `logWeights` (O(n)), with the reference at their maximum. */
  assign(logWeights: ArrayLike<number>, count: number): void {
    this.logs = new Float64Array(Math.max(16, count));
    this.candidates = 0;
    for (let index = 0; index < count; index++) {
      const value = logWeights[index] as number;
      this.logs[index] = value;
      if (!Number.isNaN(value)) this.candidates++;
    }
    this.count = count;
    this.rebase();
  }

  /** One entry drawn in proportion to the weights (one `random.next()`); −1 when there is no candidate. */
  draw(random: Random): number {
    if (this.candidates === 0) return -1;
    // Every weight tiny relative to the reference (scores far below α0): rescale to the largest.
    if (!(this.tree.total > 1e-200)) this.rebase();
    return this.tree.draw(random);
  }

  /** Reference := the largest log weight; every stored weight recomputed (O(n)). */
  private rebase(): void {
    let maximum = Number.NEGATIVE_INFINITY;
    for (let index = 0; index < this.count; index++) {
      const value = this.logs[index] as number;
      if (value > maximum) maximum = value;
    }
    this.reference = maximum;
    const weights = new Float64Array(this.count);
    for (let index = 0; index < this.count; index++) {
      const value = this.logs[index] as number;
      if (Number.isNaN(value)) continue;
      // All −∞ (every sigmoid underflowed): uniform, as probabilitiesFromLogWeights does.
      weights[index] = maximum === Number.NEGATIVE_INFINITY ? 1 : Math.exp(value - maximum);
    }
    this.tree.assign(weights, this.count);
  }
}
