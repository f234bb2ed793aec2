import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/random.js';
import { powerLawProbabilities, powerLawSelector } from '../../../src/selection/power-law.js';
import { chiSquare, scored, snapshotArbitrary, tally } from './helpers.js';

describe('powerLawProbabilities', () => {
  it('is rank^−α normalised, best rank 1, ties sharing a rank', () => {
    const entries = powerLawProbabilities({ nodes: [scored(0, 0.1), scored(1, 0.9), scored(2, 0.5), scored(3, 0.5)] });
    expect(entries.map((entry) => entry.rank)).toEqual([4, 1, 2, 2]);
    const total = 1 / 4 + 1 + 1 / 2 + 1 / 2;
    expect(entries.map((entry) => entry.probability)).toEqual([0.25 / total, 1 / total, 0.5 / total, 0.5 / total]);
  });

  it('sums to 1 and is monotone in score for any α (property)', () => {
    fc.assert(
      fc.property(snapshotArbitrary, fc.double({ min: 0, max: 10, noNaN: true }), (snapshot, alpha) => {
        const entries = powerLawProbabilities(snapshot, { alpha });
        if (entries.length === 0) return;
        const total = entries.reduce((sum, entry) => sum + entry.probability, 0);
        expect(Math.abs(total - 1)).toBeLessThan(1e-9);
        for (const a of entries) {
          for (const b of entries)
            if (a.score < b.score) expect(a.probability).toBeLessThanOrEqual(b.probability + 1e-12);
        }
      }),
    );
  });

  it('samples with the frequencies it reports, and α = 0 is uniform', () => {
    const snapshot = { nodes: [scored(0, 0.3), scored(1, 0.8), scored(2, 0.5), scored(3, 0.1)] };
    const draws = 40_000;
    const picks = powerLawSelector({ alpha: 1.5 }).select(snapshot, createRandom('power'), draws);
    const probabilities = new Map(powerLawProbabilities(snapshot, { alpha: 1.5 }).map((e) => [e.id, e.probability]));
    const { statistic, critical } = chiSquare(tally(picks), probabilities, draws);
    expect(statistic).toBeLessThan(critical);
    expect(new Set(powerLawProbabilities(snapshot, { alpha: 0 }).map((e) => e.probability)).size).toBe(1);
  });

  it('rejects a negative α', () => {
    expect(() => powerLawSelector({ alpha: -1 })).toThrow(/selection\.powerLaw\.alpha/);
  });
});
