import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/random.js';
import { sampleProportional, scoredCandidates } from '../../../src/selection/sample.js';
import { chiSquare, tally } from './helpers.js';

describe('sampleProportional', () => {
  it('returns nothing for no weights or a zero count', () => {
    expect(sampleProportional([], createRandom(1), 5)).toEqual([]);
    expect(sampleProportional([1, 2], createRandom(1), 0)).toEqual([]);
  });

  it('draws indices in proportion to the weights', () => {
    const weights = [1, 0, 3, 0.5, 5.5, 0];
    const draws = 60_000;
    const picks = sampleProportional(weights, createRandom('sample', 1), draws);
    expect(picks).toHaveLength(draws);
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    const probabilities = new Map(weights.map((weight, index) => [index, weight / total]));
    const counts = tally(picks);
    const { statistic, critical } = chiSquare(counts, probabilities, draws);
    expect(statistic).toBeLessThan(critical);
    expect(counts.get(1)).toBeUndefined();
    expect(counts.get(5)).toBeUndefined();
  });

  it('detects a wrong distribution (the test has power)', () => {
    const draws = 60_000;
    const picks = sampleProportional([1, 1, 1, 1], createRandom('sample', 2), draws);
    const skewed = new Map([
      [0, 0.3],
      [1, 0.25],
      [2, 0.25],
      [3, 0.2],
    ]);
    const { statistic, critical } = chiSquare(tally(picks), skewed, draws);
    expect(statistic).toBeGreaterThan(critical);
  });

  it('falls back to uniform when every weight is zero', () => {
    const draws = 40_000;
    const picks = sampleProportional([0, 0, 0, 0], createRandom('sample', 3), draws);
    const uniform = new Map([0, 1, 2, 3].map((index) => [index, 0.25]));
    const { statistic, critical } = chiSquare(tally(picks), uniform, draws);
    expect(statistic).toBeLessThan(critical);
  });

  it('never draws a zero weight while another is positive, and is deterministic (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e6, noNaN: true })), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.nat({ max: 50 }),
        fc.nat(),
        (weights, count, seed) => {
          const picks = sampleProportional(weights, createRandom(seed), count);
          expect(picks).toEqual(sampleProportional(weights, createRandom(seed), count));
          expect(picks).toHaveLength(count);
          const anyPositive = weights.some((weight) => weight > 0);
          for (const pick of picks) {
            expect(Number.isInteger(pick) && pick >= 0 && pick < weights.length).toBe(true);
            if (anyPositive) expect(weights[pick]).toBeGreaterThan(0);
          }
        },
      ),
    );
  });

  it('draws the only positive weight even from a random source at its upper end', () => {
    const almostOne = { ...createRandom(1), next: () => 1 - 2 ** -53 };
    expect(sampleProportional([0.1, 0.2, 0.3, 0], almostOne, 3)).toEqual([2, 2, 2]);
    const zero = { ...createRandom(1), next: () => 0 };
    expect(sampleProportional([0, 0, 2, 1], zero, 1)).toEqual([2]);
  });

  it('rejects negative, NaN and infinite weights and bad counts', () => {
    const random = createRandom(1);
    expect(() => sampleProportional([1, -1], random, 1)).toThrow(RangeError);
    expect(() => sampleProportional([1, Number.NaN], random, 1)).toThrow(RangeError);
    expect(() => sampleProportional([1, Number.POSITIVE_INFINITY], random, 1)).toThrow(RangeError);
    expect(() => sampleProportional([1], random, -1)).toThrow(RangeError);
    expect(() => sampleProportional([1], random, 1.5)).toThrow(RangeError);
  });
});

describe('scoredCandidates', () => {
  it('keeps only scored nodes with a finite score', () => {
    const kept = scoredCandidates({
      nodes: [
        { id: 0, parentId: null, status: 'scored', score: 0.2, children: 1 },
        { id: 1, parentId: 0, status: 'timeout', score: 0.9, children: 0 },
        { id: 2, parentId: 0, status: 'scored', score: null, children: 0 },
        { id: 3, parentId: 0, status: 'scored', score: Number.NaN, children: 0 },
        { id: 4, parentId: 0, status: 'scored', score: Number.POSITIVE_INFINITY, children: 0 },
        { id: 5, parentId: 0, status: 'scored', score: 0, children: 0 },
      ],
    });
    expect(kept.map((node) => node.id)).toEqual([0, 5]);
  });
});
