import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { createRandom } from '../../../src/core/random.js';
import { dgmSelector, dgmWeights } from '../../../src/selection/dgm.js';
import type { SelectionSnapshot } from '../../../src/selection/types.js';
import { chiSquare, scored, snapshotArbitrary, tally } from './helpers.js';

const optionsArbitrary = fc.record({
  lambda: fc.double({ min: 0.01, max: 1000, noNaN: true }),
  alpha0: fc.double({ min: -1, max: 2, noNaN: true }),
});

describe('dgmWeights', () => {
  it('follows DGM score_child_prop: sigmoid(λ(a − α0)) / (1 + n)', () => {
    const weights = dgmWeights({ nodes: [scored(0, 0.5, 1), scored(1, 0.7, 0), scored(2, 0.3, 3)] });
    const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
    const expected = [sigmoid(0) / 2, sigmoid(2) / 1, sigmoid(-2) / 4];
    const total = expected.reduce((sum, value) => sum + value, 0);
    expect(weights.map((entry) => entry.id)).toEqual([0, 1, 2]);
    weights.forEach((entry, index) => {
      expect(entry.weight).toBeCloseTo(expected[index] as number, 12);
      expect(entry.probability).toBeCloseTo((expected[index] as number) / total, 12);
    });
    expect(weights[0]).toMatchObject({ sigmoid: 0.5, childFactor: 0.5, children: 1, score: 0.5 });
  });

  it('is empty for an empty snapshot or one without scored nodes', () => {
    expect(dgmWeights({ nodes: [] })).toEqual([]);
    expect(
      dgmWeights({
        nodes: [
          { id: 0, parentId: null, status: 'crashed', score: null, children: 0 },
          { id: 1, parentId: 0, status: 'scored', score: null, children: 0 },
        ],
      }),
    ).toEqual([]);
  });

  it('gives probabilities that sum to 1 over exactly the scored nodes (property)', () => {
    fc.assert(
      fc.property(snapshotArbitrary, optionsArbitrary, (snapshot, options) => {
        const weights = dgmWeights(snapshot, options);
        const scoredIds = snapshot.nodes.filter((node) => node.status === 'scored').map((node) => node.id);
        expect(weights.map((entry) => entry.id)).toEqual(scoredIds);
        if (weights.length === 0) return;
        const total = weights.reduce((sum, entry) => sum + entry.probability, 0);
        expect(Math.abs(total - 1)).toBeLessThan(1e-9);
        for (const entry of weights) {
          expect(Number.isFinite(entry.probability)).toBe(true);
          expect(entry.probability).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it('is monotone: higher score never lowers the chance, more children never raise it (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.nat({ max: 40 }),
        fc.nat({ max: 40 }),
        optionsArbitrary,
        (scoreA, scoreB, childrenA, childrenB, options) => {
          const [low, high] = scoreA <= scoreB ? [scoreA, scoreB] : [scoreB, scoreA];
          const byScore = dgmWeights({ nodes: [scored(0, low, childrenA), scored(1, high, childrenA)] }, options);
          expect((byScore[1]?.probability as number) >= (byScore[0]?.probability as number)).toBe(true);
          const [few, many] = childrenA <= childrenB ? [childrenA, childrenB] : [childrenB, childrenA];
          const byChildren = dgmWeights({ nodes: [scored(0, scoreA, few), scored(1, scoreA, many)] }, options);
          expect((byChildren[0]?.probability as number) >= (byChildren[1]?.probability as number)).toBe(true);
          if (many > few) expect(byChildren[0]?.probability).toBeGreaterThan(byChildren[1]?.probability as number);
        },
      ),
    );
  });

  it('is strictly increasing in score with the default λ', () => {
    const scores = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1];
    const weights = dgmWeights({ nodes: scores.map((score, id) => scored(id, score, 2)) });
    for (let index = 1; index < weights.length; index++) {
      expect(weights[index]?.probability).toBeGreaterThan(weights[index - 1]?.probability as number);
    }
  });

  it('stays finite where a naive sigmoid would overflow or underflow', () => {
    const weights = dgmWeights({ nodes: [scored(0, 0), scored(1, 1), scored(2, 0.999)] }, { lambda: 1e5, alpha0: 0.5 });
    for (const entry of weights) expect(Number.isFinite(entry.probability)).toBe(true);
    // Both nodes above α0 saturate at s = 1 and share the draw; the one far below gets nothing.
    expect(weights[1]?.probability).toBeCloseTo(0.5, 12);
    expect(weights[2]?.probability).toBeCloseTo(0.5, 12);
    expect(weights[0]?.probability).toBe(0);
    // Every node far below α0: the plain weights underflow to 0, the probabilities still order them.
    const low = dgmWeights({ nodes: [scored(0, 0), scored(1, 0.001)] }, { lambda: 1e6, alpha0: 1 });
    expect(low.map((entry) => entry.weight)).toEqual([0, 0]);
    expect(low[1]?.probability).toBeCloseTo(1, 12);
  });

  it('rejects a non-positive λ and a non-finite α0 as configuration errors', () => {
    expect(() => dgmWeights({ nodes: [] }, { lambda: 0 })).toThrow(ConfigError);
    expect(() => dgmSelector({ lambda: -1 })).toThrow(/selection\.lambda/);
    expect(() => dgmSelector({ alpha0: Number.NaN })).toThrow(/selection\.alpha0/);
  });
});

describe('dgmSelector', () => {
  const snapshot: SelectionSnapshot = {
    nodes: [
      scored(0, 0.2, 4),
      scored(1, 0.55, 1),
      { id: 2, parentId: 0, status: 'timeout', score: null, children: 0 },
      scored(3, 0.8, 0),
      scored(4, 0.8, 3),
      { id: 5, parentId: 1, status: 'build_failed', score: null, children: 0 },
      scored(6, 0.45, 0),
    ],
  };

  it('samples with the frequencies dgmWeights reports', () => {
    const draws = 80_000;
    const picks = dgmSelector().select(snapshot, createRandom('dgm', 1), draws);
    expect(picks).toHaveLength(draws);
    const probabilities = new Map(dgmWeights(snapshot).map((entry) => [entry.id, entry.probability]));
    const counts = tally(picks);
    const { statistic, critical } = chiSquare(counts, probabilities, draws);
    expect(statistic).toBeLessThan(critical);
    expect(counts.has(2)).toBe(false);
    expect(counts.has(5)).toBe(false);
  });

  it('never selects non-scored nodes and returns [] when none is scored (property)', () => {
    fc.assert(
      fc.property(snapshotArbitrary, fc.nat({ max: 20 }), fc.nat(), (snapshot, count, seed) => {
        const picks = dgmSelector().select(snapshot, createRandom(seed), count);
        const scoredIds = new Set(snapshot.nodes.filter((node) => node.status === 'scored').map((node) => node.id));
        expect(picks).toHaveLength(scoredIds.size === 0 ? 0 : count);
        for (const pick of picks) expect(scoredIds.has(pick)).toBe(true);
        expect(dgmSelector().select(snapshot, createRandom(seed), count)).toEqual(picks);
      }),
    );
  });

  it('is named dgm and honours λ and α0', () => {
    const selector = dgmSelector({ lambda: 50, alpha0: 0.9 });
    expect(selector.name).toBe('dgm');
    const draws = 20_000;
    const picks = selector.select({ nodes: [scored(0, 0.95), scored(1, 0.85)] }, createRandom('dgm', 2), draws);
    const share = (tally(picks).get(0) ?? 0) / draws;
    // sigmoid(2.5) / (sigmoid(2.5) + sigmoid(-2.5)) = sigmoid(2.5) ≈ 0.924.
    expect(share).toBeGreaterThan(0.91);
    expect(share).toBeLessThan(0.935);
  });
});
