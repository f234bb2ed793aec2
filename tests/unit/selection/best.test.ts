import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/random.js';
import { bestNodeId, bestSelector } from '../../../src/selection/best.js';
import { scored, snapshotArbitrary } from './helpers.js';

describe('bestSelector', () => {
  it('picks the highest score, not the lowest (DGM public code sorts the wrong way)', () => {
    const snapshot = { nodes: [scored(0, 0.1), scored(1, 0.9), scored(2, 0.5), scored(3, 0.0)] };
    expect(bestSelector().select(snapshot, createRandom(1), 3)).toEqual([1, 1, 1]);
  });

  it('breaks ties by the lowest id, whatever the order of the snapshot', () => {
    const snapshot = { nodes: [scored(7, 0.8), scored(3, 0.8), scored(5, 0.8), scored(1, 0.2)] };
    expect(bestNodeId(snapshot)).toBe(3);
  });

  it('ignores nodes that are not scored, even with a stray score', () => {
    const snapshot = {
      nodes: [scored(0, 0.3), { id: 1, parentId: 0, status: 'crashed' as const, score: 1, children: 0 }],
    };
    expect(bestSelector().select(snapshot, createRandom(1), 2)).toEqual([0, 0]);
    expect(bestSelector().select({ nodes: [] }, createRandom(1), 2)).toEqual([]);
  });

  it('returns a scored node whose score is the maximum (property)', () => {
    fc.assert(
      fc.property(snapshotArbitrary, fc.nat({ max: 10 }), (snapshot, count) => {
        const candidates = snapshot.nodes.filter((node) => node.status === 'scored');
        const picks = bestSelector().select(snapshot, createRandom(0), count);
        if (candidates.length === 0) {
          expect(picks).toEqual([]);
          return;
        }
        const maximum = Math.max(...candidates.map((node) => node.score as number));
        const lowestBestId = Math.min(...candidates.filter((node) => node.score === maximum).map((node) => node.id));
        expect(picks).toEqual(new Array(count).fill(lowestBestId));
      }),
    );
  });

  it('is named best and leaves the random source untouched', () => {
    const random = createRandom(9);
    const selector = bestSelector();
    expect(selector.name).toBe('best');
    selector.select({ nodes: [scored(0, 0.5)] }, random, 4);
    expect(random.uint32()).toBe(createRandom(9).uint32());
  });
});
