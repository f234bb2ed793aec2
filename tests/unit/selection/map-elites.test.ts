import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/random.js';
import { buildIslands, islandOf, mapElitesSelector } from '../../../src/selection/map-elites.js';
import type { SelectionCandidate } from '../../../src/selection/types.js';
import { tally } from './helpers.js';

function member(id: number, score: number, codeLength: number, diversity: number): SelectionCandidate {
  return {
    id,
    parentId: id === 0 ? null : 0,
    status: 'scored',
    score,
    children: 0,
    iteration: id,
    features: { codeLength, diversity },
  };
}

describe('map-elites islands', () => {
  it('puts the seed on every island and each child on the island it was made for (round-robin)', () => {
    const nodes = [member(0, 0.1, 0, 0), member(1, 0.2, 1, 1), member(2, 0.3, 2, 2), member(3, 0.4, 3, 3)];
    const islands = buildIslands({ nodes }, { islands: 2, migrationInterval: 100 });
    expect(islands[0]?.members.map((node) => node.id)).toEqual([0, 1, 3]);
    expect(islands[1]?.members.map((node) => node.id)).toEqual([0, 2]);
    expect(islandOf(1, 2)).toBe(0);
    expect(islandOf(2, 2)).toBe(1);
  });

  it('keeps the fittest occupant per cell', () => {
    // Same features for 1 and 3 (one cell), different for 2.
    const nodes = [member(0, 0.1, 0, 0), member(1, 0.5, 10, 10), member(2, 0.3, 0, 10), member(3, 0.9, 10, 10)];
    const [island] = buildIslands({ nodes }, { islands: 1, bins: 2 });
    const elites = [...(island?.elites.values() ?? [])].map((node) => node.id).sort();
    expect(elites).toEqual([0, 2, 3]);
  });

  it('migrates the top elites to the ring neighbours every migrationInterval island-generations', () => {
    // 3 islands, migration after every 2 island-generations = every 6 iterations.
    const nodes = [member(0, 0, 0, 0)];
    for (let id = 1; id <= 7; id++) nodes.push(member(id, id / 10, id, id));
    const islands = buildIslands({ nodes }, { islands: 3, migrationInterval: 2, migrationRate: 0.5, bins: 10 });
    // Before iteration 7 the islands were {0,1,4}, {0,2,5}, {0,3,6}; their top half of elites
    // (island 0: 4 and 1; island 1: 5 and 2; island 2: 6 and 3) moved to both neighbours.
    const ids = islands.map((island) => island.members.map((node) => node.id).sort((a, b) => a - b));
    expect(ids[0]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(ids[1]).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(ids[2]).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // Without migration the islands stay apart.
    const apart = buildIslands({ nodes }, { islands: 3, migrationInterval: 100 });
    expect(apart[1]?.members.map((node) => node.id)).toEqual([0, 2, 5]);
  });

  it('draws parents only from the island whose turn it is, by the explore/exploit/elite mix', () => {
    const nodes = [member(0, 0.1, 0, 0)];
    for (let id = 1; id <= 20; id++) nodes.push(member(id, (id % 7) / 7, id % 5, (id * 3) % 11));
    const selector = mapElitesSelector({ islands: 2, migrationInterval: 1000 });
    const forIslandOne = selector.select({ nodes, iteration: 22 }, createRandom('island'), 2000);
    const island = buildIslands({ nodes }, { islands: 2, migrationInterval: 1000 })[1];
    const members = new Set(island?.members.map((node) => node.id));
    for (const id of forIslandOne) expect(members.has(id)).toBe(true);
    // Pure exploitation draws only grid elites, uniformly.
    const exploit = mapElitesSelector({ islands: 2, migrationInterval: 1000, exploration: 0, exploitation: 1 });
    const elites = new Set([...(island?.elites.values() ?? [])].map((node) => node.id));
    const counts = tally(exploit.select({ nodes, iteration: 22 }, createRandom('exploit'), 4000));
    expect(new Set(counts.keys())).toEqual(elites);
  });

  it('rejects bad options with the field name', () => {
    expect(() => mapElitesSelector({ islands: 0 })).toThrow(/selection\.mapElites\.islands/);
    expect(() => mapElitesSelector({ exploration: 0.6, exploitation: 0.6 })).toThrow(/exploration/);
  });
});
