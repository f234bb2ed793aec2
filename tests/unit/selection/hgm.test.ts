import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/random.js';
import { sampleBeta } from '../../../src/selection/beta.js';
import { hgmSelector } from '../../../src/selection/hgm.js';
import { thompsonArgmax } from '../../../src/selection/hgm-scheduler.js';
import type { SelectionCandidate } from '../../../src/selection/types.js';
import { snapshotArbitrary } from './helpers.js';

function node(id: number, own: [number, number], clade: [number, number]): SelectionCandidate {
  return {
    id,
    parentId: id === 0 ? null : 0,
    status: 'scored',
    score: own[0] / Math.max(1, own[0] + own[1]),
    children: 0,
    own: { passes: own[0], failures: own[1] },
    clade: { passes: clade[0], failures: clade[1] },
  };
}

describe('Beta draws', () => {
  it('have the mean and variance of Beta(a, b), also for fractional shapes', () => {
    for (const [a, b] of [
      [1, 1],
      [2.5, 7.25],
      [0.4, 0.6],
      [30, 3],
    ] as const) {
      const random = createRandom('beta', a, b);
      const draws = Array.from({ length: 40_000 }, () => sampleBeta(random, a, b));
      const mean = draws.reduce((sum, value) => sum + value, 0) / draws.length;
      const variance = draws.reduce((sum, value) => sum + (value - mean) ** 2, 0) / draws.length;
      const expectedMean = a / (a + b);
      const expectedVariance = (a * b) / ((a + b) ** 2 * (a + b + 1));
      expect(Math.abs(mean - expectedMean)).toBeLessThan(5 * Math.sqrt(expectedVariance / draws.length));
      expect(variance / expectedVariance).toBeGreaterThan(0.95);
      expect(variance / expectedVariance).toBeLessThan(1.05);
      expect(draws.every((draw) => draw >= 0 && draw <= 1)).toBe(true);
    }
  });
});

describe('hgmSelector', () => {
  it('expands by the clade record, not the own record', () => {
    // Node 1 is poor itself but its descendants pass a lot; node 2 is good itself with a poor clade.
    const snapshot = { nodes: [node(0, [5, 5], [60, 60]), node(1, [1, 9], [50, 12]), node(2, [9, 1], [10, 40])] };
    const picks = hgmSelector().select(snapshot, createRandom('hgm-clade'), 2000);
    const share = picks.filter((id) => id === 1).length / picks.length;
    expect(share).toBeGreaterThan(0.95);
  });

  it('picks each node about as often as its Thompson win probability (two nodes, exact integral)', () => {
    const snapshot = { nodes: [node(0, [3, 2], [3, 2]), node(1, [1, 1], [1, 1])] };
    // P(Beta(4,3) > Beta(2,2)), computed by quadrature.
    let probability = 0;
    const steps = 20_000;
    for (let step = 0; step < steps; step++) {
      const x = (step + 0.5) / steps;
      const densityA = 60 * x ** 3 * (1 - x) ** 2; // Beta(4, 3)
      const cdfB = 3 * x ** 2 - 2 * x ** 3; // Beta(2, 2)
      probability += (densityA * cdfB) / steps;
    }
    const draws = 40_000;
    const picks = hgmSelector().select(snapshot, createRandom('hgm-two'), draws);
    const observed = picks.filter((id) => id === 0).length / draws;
    expect(Math.abs(observed - probability)).toBeLessThan(4 * Math.sqrt((probability * (1 - probability)) / draws));
  });

  it('only ever picks scored nodes, and more clade passes never lower the chance (property)', () => {
    fc.assert(
      fc.property(snapshotArbitrary, fc.nat(), (snapshot, seed) => {
        const picks = hgmSelector().select(snapshot, createRandom(seed), 5);
        const scored = new Set(snapshot.nodes.filter((entry) => entry.status === 'scored').map((entry) => entry.id));
        for (const pick of picks) expect(scored.has(pick)).toBe(true);
        if (scored.size === 0) expect(picks).toEqual([]);
      }),
    );
    fc.assert(
      fc.property(
        fc.nat({ max: 20 }),
        fc.nat({ max: 20 }),
        fc.integer({ min: 1, max: 10 }),
        (passes, failures, more) => {
          const count = (extra: number) => {
            const snapshot = {
              nodes: [
                node(0, [passes, failures], [passes, failures]),
                node(1, [passes, failures], [passes + extra, failures]),
              ],
            };
            return hgmSelector()
              .select(snapshot, createRandom('monotone', passes, failures), 3000)
              .filter((id) => id === 1).length;
          };
          expect(count(more)).toBeGreaterThanOrEqual(count(0) - 150);
        },
      ),
      { numRuns: 15 },
    );
  });

  it('thompsonArgmax returns −1 for no candidates', () => {
    expect(thompsonArgmax([], createRandom('empty'))).toBe(-1);
  });
});
