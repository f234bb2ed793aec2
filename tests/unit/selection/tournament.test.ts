import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/random.js';
import { tournamentProbabilities, tournamentSelector } from '../../../src/selection/tournament.js';
import { chiSquare, scored, snapshotArbitrary, tally } from './helpers.js';

describe('tournament selection', () => {
  it('has exact probabilities (k/n)^s − ((k−1)/n)^s that sum to 1 and grow with score (property)', () => {
    fc.assert(
      fc.property(snapshotArbitrary, fc.integer({ min: 1, max: 8 }), (snapshot, size) => {
        const entries = tournamentProbabilities(snapshot, { size });
        if (entries.length === 0) return;
        const total = entries.reduce((sum, entry) => sum + entry.probability, 0);
        expect(Math.abs(total - 1)).toBeLessThan(1e-9);
        const score = new Map(snapshot.nodes.map((node) => [node.id, node.score as number]));
        for (const a of entries) {
          for (const b of entries) {
            if ((score.get(a.id) as number) < (score.get(b.id) as number))
              expect(a.probability).toBeLessThanOrEqual(b.probability + 1e-12);
          }
        }
      }),
    );
  });

  it('samples with those probabilities', () => {
    const snapshot = { nodes: [scored(0, 0.3), scored(1, 0.8, 1), scored(2, 0.5), scored(3, 0.1), scored(4, 0.8, 0)] };
    const draws = 50_000;
    const picks = tournamentSelector({ size: 3 }).select(snapshot, createRandom('tournament'), draws);
    const probabilities = new Map(tournamentProbabilities(snapshot, { size: 3 }).map((e) => [e.id, e.probability]));
    const { statistic, critical } = chiSquare(tally(picks), probabilities, draws);
    expect(statistic).toBeLessThan(critical);
    // Equal scores: fewer children wins.
    expect(probabilities.get(4)).toBeGreaterThan(probabilities.get(1) as number);
  });

  it('rejects a size below 1', () => {
    expect(() => tournamentSelector({ size: 0 })).toThrow(/selection\.tournament\.size/);
  });
});
