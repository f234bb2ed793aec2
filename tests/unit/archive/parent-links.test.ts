import { describe, expect, it } from 'vitest';
import { ancestorsOf, assertNoParentCycle, findParentCycle } from '../../../src/archive/parent-links.js';

const links = (pairs: Array<[number, number | null]>) => pairs.map(([id, parentId]) => ({ id, parentId }));

describe('parent links', () => {
  it('finds no cycle in a forest, with missing parents ending walks', () => {
    expect(
      findParentCycle(
        links([
          [0, null],
          [1, 0],
          [2, 1],
          [3, 0],
          [4, 99],
        ]),
      ),
    ).toBeNull();
    expect(findParentCycle([])).toBeNull();
  });

  it('finds a cycle, starting at its smallest id, however it is entered', () => {
    expect(
      findParentCycle(
        links([
          [0, 5],
          [1, 0],
          [2, 1],
          [5, 2],
          [6, 5],
        ]),
      ),
    ).toEqual([0, 5, 2, 1]);
    expect(findParentCycle(links([[7, 7]]))).toEqual([7]);
  });

  it('names the cycle and clade fsck', () => {
    expect(() =>
      assertNoParentCycle(
        links([
          [0, 1],
          [1, 0],
        ]),
        'archive/demo',
      ),
    ).toThrow(/nodes #0 → #1 → #0 form a parent cycle[\s\S]*clade fsck archive\/demo/);
  });

  it('walks ancestors nearest first and stops where a cycle would repeat', () => {
    const nodes = links([
      [0, null],
      [1, 0],
      [2, 1],
    ]);
    const byId = new Map(nodes.map((node) => [node.id, node]));
    expect(ancestorsOf(nodes[2] as (typeof nodes)[number], byId).map((node) => node.id)).toEqual([1, 0]);
    const cyclic = links([
      [0, 2],
      [1, 0],
      [2, 1],
    ]);
    const cyclicById = new Map(cyclic.map((node) => [node.id, node]));
    expect(ancestorsOf(cyclic[2] as (typeof cyclic)[number], cyclicById).map((node) => node.id)).toEqual([1, 0]);
  });

  it('checks 200,000 nodes in one pass', () => {
    const nodes = Array.from({ length: 200_000 }, (_, id) => ({ id, parentId: id === 0 ? null : id - 1 }));
    const started = performance.now();
    expect(findParentCycle(nodes)).toBeNull();
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
