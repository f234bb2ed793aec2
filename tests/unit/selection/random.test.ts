import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/random.js';
import { randomSelector } from '../../../src/selection/random.js';
import type { SelectionSnapshot } from '../../../src/selection/types.js';
import { chiSquare, scored, snapshotArbitrary, tally } from './helpers.js';

describe('randomSelector', () => {
  it('draws scored nodes uniformly, whatever their scores', () => {
    const snapshot: SelectionSnapshot = {
      nodes: [
        scored(0, 0.01, 9),
        scored(1, 0.99),
        { id: 2, parentId: 0, status: 'invalid', score: null, children: 0 },
        scored(3, 0.5, 2),
        scored(4, 0.3),
      ],
    };
    const draws = 40_000;
    const counts = tally(randomSelector().select(snapshot, createRandom('random', 1), draws));
    const uniform = new Map([0, 1, 3, 4].map((id) => [id, 0.25]));
    const { statistic, critical } = chiSquare(counts, uniform, draws);
    expect(statistic).toBeLessThan(critical);
    expect(counts.has(2)).toBe(false);
  });

  it('never selects non-scored nodes, returns [] without scored ones, and is deterministic (property)', () => {
    fc.assert(
      fc.property(snapshotArbitrary, fc.nat({ max: 20 }), fc.nat(), (snapshot, count, seed) => {
        const selector = randomSelector();
        const picks = selector.select(snapshot, createRandom(seed), count);
        const scoredIds = new Set(snapshot.nodes.filter((node) => node.status === 'scored').map((node) => node.id));
        expect(picks).toHaveLength(scoredIds.size === 0 ? 0 : count);
        for (const pick of picks) expect(scoredIds.has(pick)).toBe(true);
        expect(selector.select(snapshot, createRandom(seed), count)).toEqual(picks);
      }),
    );
  });

  it('is named random and rejects a bad count', () => {
    expect(randomSelector().name).toBe('random');
    expect(() => randomSelector().select({ nodes: [scored(0, 1)] }, createRandom(1), -2)).toThrow(RangeError);
  });
});
