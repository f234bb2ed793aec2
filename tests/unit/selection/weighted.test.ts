import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/random.js';
import { median } from '../../../src/selection/sample.js';
import { weightedProbabilities, weightedSelector } from '../../../src/selection/weighted.js';
import { chiSquare, scored, snapshotArbitrary, tally } from './helpers.js';

describe('weightedProbabilities (ShinkaEvolve)', () => {
  it('centres the sigmoid on the median and scales it by the MAD', () => {
    // scores 0.50, 0.52, 0.54: median 0.52, MAD 0.02, so (a − α0)/MAD = −1, 0, 1.
    const entries = weightedProbabilities({ nodes: [scored(0, 0.5), scored(1, 0.52, 1), scored(2, 0.54)] });
    const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
    const weights = [sigmoid(-10), sigmoid(0) / 2, sigmoid(10)];
    const total = weights.reduce((sum, value) => sum + value, 0);
    entries.forEach((entry, index) => {
      expect(entry.probability).toBeCloseTo((weights[index] as number) / total, 10);
    });
  });

  it('gives probabilities that sum to 1 over the scored nodes (property)', () => {
    fc.assert(
      fc.property(snapshotArbitrary, fc.double({ min: 0.01, max: 100, noNaN: true }), (snapshot, lambda) => {
        const entries = weightedProbabilities(snapshot, { lambda });
        expect(entries.map((entry) => entry.id)).toEqual(
          snapshot.nodes.filter((node) => node.status === 'scored').map((node) => node.id),
        );
        if (entries.length === 0) return;
        const total = entries.reduce((sum, entry) => sum + entry.probability, 0);
        expect(Math.abs(total - 1)).toBeLessThan(1e-9);
        for (const entry of entries) expect(entry.probability).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('is monotone in score, and fewer children never lower the weight (property)', () => {
    fc.assert(
      fc.property(snapshotArbitrary, fc.nat({ max: 40 }), (snapshot, children) => {
        const entries = weightedProbabilities(snapshot);
        for (const a of entries) {
          for (const b of entries) {
            if (a.score <= b.score && a.children >= b.children) {
              expect(a.probability).toBeLessThanOrEqual(b.probability * (1 + 1e-9) + 1e-300);
            }
          }
        }
        const same = weightedProbabilities({ nodes: [scored(0, 0.4, children), scored(1, 0.4, children + 1)] });
        expect(same[0]?.probability).toBeGreaterThan(same[1]?.probability as number);
      }),
    );
  });

  it('samples with the frequencies it reports', () => {
    const snapshot = {
      nodes: [scored(0, 0.61), scored(1, 0.62, 2), scored(2, 0.63), scored(3, 0.6, 1), scored(4, 0.64, 3)],
    };
    const draws = 60_000;
    const picks = weightedSelector().select(snapshot, createRandom('weighted'), draws);
    const probabilities = new Map(weightedProbabilities(snapshot).map((entry) => [entry.id, entry.probability]));
    const { statistic, critical } = chiSquare(tally(picks), probabilities, draws);
    expect(statistic).toBeLessThan(critical);
  });

  it('rejects a non-positive λ', () => {
    expect(() => weightedSelector({ lambda: 0 })).toThrow(/selection\.lambda/);
  });
});

describe('median (quickselect)', () => {
  it('equals the median of the sorted list (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 60 }),
        (values) => {
          const sorted = [...values].sort((a, b) => a - b);
          const middle = sorted.length >>> 1;
          const expected =
            sorted.length % 2 === 1
              ? (sorted[middle] as number)
              : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
          expect(median(values) === expected).toBe(true); // === : 0 and −0 are the same median
        },
      ),
    );
  });
});
