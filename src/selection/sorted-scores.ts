/**
 * @module The scored nodes' scores in ascending order, with the position of each, kept by
 * insertion and removal (a binary search and a move of a typed array: microseconds at 100,000
 * nodes). Gives the median and the median absolute deviation in O(log n) (`weighted`) and every
 * node's rank in one pass (`power-law`).
 */
import { ensureLength, lowerBound, upperBound } from './derived-state.js';

/** A multiset of finite scores, each with the snapshot position it belongs to. */
export class SortedScores {
  /** Ascending scores in [0, length). */
  values = new Float64Array(16);
  /** positions[i] is the snapshot position whose score is values[i]. */
  positions = new Int32Array(16);
  length = 0;

  insert(score: number, position: number): void {
    this.values = ensureLength(this.values, this.length + 1);
    this.positions = ensureLength(this.positions, this.length + 1);
    const at = upperBound(this.values, this.length, score);
    this.values.copyWithin(at + 1, at, this.length);
    this.positions.copyWithin(at + 1, at, this.length);
    this.values[at] = score;
    this.positions[at] = position;
    this.length++;
  }

  /** Removes the entry (score, position); throws when it is absent (the caller's books are wrong). */
  remove(score: number, position: number): void {
    let at = lowerBound(this.values, this.length, score);
    while (at < this.length && this.values[at] === score && this.positions[at] !== position) at++;
    if (at >= this.length || this.values[at] !== score) {
      throw new RangeError(`Score ${score} of position ${position} is not in the sorted scores`);
    }
    this.values.copyWithin(at, at + 1, this.length);
    this.positions.copyWithin(at, at + 1, this.length);
    this.length--;
  }

  /** The median (the mean of the two middle values for an even count), as `median()` computes it. */
  median(): number {
    const count = this.length;
    if (count === 0) throw new RangeError('median() needs at least one value');
    const middle = count >>> 1;
    const upper = this.values[middle] as number;
    if (count % 2 === 1) return upper;
    return ((this.values[middle - 1] as number) + upper) / 2;
  }

  /**
   * The median of |score − center| over all scores, bit for bit what `median()` of those absolute
   * differences gives: below `center` the differences center − v rise as v falls, above it
   * v − center rise with v, so the k-th smallest difference is the k-th of two sorted sequences.
   */
  medianAbsoluteDeviation(center: number): number {
    const count = this.length;
    if (count === 0) throw new RangeError('medianAbsoluteDeviation() needs at least one value');
    const split = lowerBound(this.values, count, center);
    const middle = count >>> 1;
    const upper = this.kthDeviation(middle, center, split);
    if (count % 2 === 1) return upper;
    return (this.kthDeviation(middle - 1, center, split) + upper) / 2;
  }

  /** The k-th smallest (0-based) |v − center|, with values[0..split) < center ≤ values[split..). */
  private kthDeviation(k: number, center: number, split: number): number {
    const values = this.values;
    const belowCount = split;
    const aboveCount = this.length - split;
    // below(j) = center − values[split − 1 − j] and above(j) = values[split + j] − center, both ascending.
    const below = (j: number): number => Math.abs((values[split - 1 - j] as number) - center);
    const above = (j: number): number => Math.abs((values[split + j] as number) - center);
    // Take `taken` of the k + 1 smallest from `below` and the rest from `above`.
    let low = Math.max(0, k + 1 - aboveCount);
    let high = Math.min(belowCount, k + 1);
    for (;;) {
      const taken = (low + high) >>> 1;
      const rest = k + 1 - taken;
      if (taken < high && rest > 0 && above(rest - 1) > below(taken)) low = taken + 1;
      else if (taken > low && rest < aboveCount && below(taken - 1) > above(rest)) high = taken - 1;
      else {
        const fromBelow = taken > 0 ? below(taken - 1) : Number.NEGATIVE_INFINITY;
        const fromAbove = rest > 0 ? above(rest - 1) : Number.NEGATIVE_INFINITY;
        return Math.max(fromBelow, fromAbove);
      }
    }
  }
}
