/**
 * The incremental selection state (candidate pool, sum trees, sorted scores, islands) against
 * from-scratch computations: after any sequence of adds and changes, a selector that followed the
 * pool's journal draws exactly what a fresh selector draws from a plain copy of the nodes, and
 * (except `hgm`, whose Beta draws come from a faster generator) what the previous, from-scratch
 * implementations drew for the same seed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom, type Random } from '../../../src/core/random.js';
import { bestNodeId, bestSelector } from '../../../src/selection/best.js';
import { FastBetaSampler, gammaConstants } from '../../../src/selection/beta.js';
import { CandidatePool } from '../../../src/selection/candidate-pool.js';
import { dgmSelector, dgmWeights } from '../../../src/selection/dgm.js';
import { hgmSelector } from '../../../src/selection/hgm.js';
import { buildIslands, islandOf, mapElitesSelector } from '../../../src/selection/map-elites.js';
import { powerLawProbabilities, powerLawSelector } from '../../../src/selection/power-law.js';
import { randomSelector } from '../../../src/selection/random.js';
import { median, sampleProportional, scoredCandidates } from '../../../src/selection/sample.js';
import { SortedScores } from '../../../src/selection/sorted-scores.js';
import { SumTree } from '../../../src/selection/sum-tree.js';
import { tournamentSelector } from '../../../src/selection/tournament.js';
import type { ParentSelector, SelectionCandidate, SelectionSnapshot } from '../../../src/selection/types.js';
import { weightedProbabilities, weightedSelector } from '../../../src/selection/weighted.js';

/** The previous implementations (from scratch on every call), as they were before the pool. */
const previous: Record<string, (snapshot: SelectionSnapshot, random: Random, count: number) => number[]> = {
  dgm: (snapshot, random, count) => {
    const weights = dgmWeights(snapshot);
    if (weights.length === 0) return [];
    return sampleProportional(
      weights.map((entry) => entry.probability),
      random,
      count,
    ).map((index) => weights[index]?.id as number);
  },
  weighted: (snapshot, random, count) => {
    const entries = weightedProbabilities(snapshot);
    if (entries.length === 0) return [];
    return sampleProportional(
      entries.map((entry) => entry.probability),
      random,
      count,
    ).map((index) => entries[index]?.id as number);
  },
  'power-law': (snapshot, random, count) => {
    const entries = powerLawProbabilities(snapshot);
    if (entries.length === 0) return [];
    return sampleProportional(
      entries.map((entry) => entry.probability),
      random,
      count,
    ).map((index) => entries[index]?.id as number);
  },
  tournament: (snapshot, random, count) => {
    const candidates = scoredCandidates(snapshot);
    if (candidates.length === 0) return [];
    const beats = (a: SelectionCandidate & { score: number }, b: SelectionCandidate & { score: number }) =>
      b.score - a.score || a.children - b.children || a.id - b.id;
    const picks: number[] = [];
    for (let draw = 0; draw < count; draw++) {
      let winner = random.pick(candidates);
      for (let round = 1; round < 3; round++) {
        const contestant = random.pick(candidates);
        if (beats(contestant, winner) < 0) winner = contestant;
      }
      picks.push(winner.id);
    }
    return picks;
  },
  random: (snapshot, random, count) => {
    const candidates = scoredCandidates(snapshot);
    if (candidates.length === 0) return [];
    return Array.from({ length: count }, () => random.pick(candidates).id);
  },
  best: (snapshot, _random, count) => {
    const id = bestNodeId(snapshot);
    return id === null ? [] : new Array<number>(count).fill(id);
  },
  'map-elites': (snapshot, random, count) =>
    previousMapElites(snapshot, random, count, { islands: 3, migrationInterval: 2, bins: 4 }),
};

/** The previous map-elites selector: islands rebuilt by `buildIslands`, OpenEvolve's default mix. */
function previousMapElites(
  snapshot: SelectionSnapshot,
  random: Random,
  count: number,
  options: { islands: number; migrationInterval: number; bins: number; migrationRate?: number },
): number[] {
  const islands = buildIslands(snapshot, options);
  const iteration = snapshot.iteration ?? snapshot.nodes.length;
  const home = islands[islandOf(Math.max(1, iteration), options.islands)];
  if (!home) return [];
  const members = home.members.length > 0 ? home.members : islands.flatMap((island) => island.members);
  if (members.length === 0) return [];
  const elites = home.elites.size > 0 ? [...home.elites.values()] : members;
  const picks: number[] = [];
  for (let draw = 0; draw < count; draw++) {
    const roll = random.next();
    if (roll < 0.2) picks.push(random.pick(members).id);
    else if (roll < 0.9) picks.push(random.pick(elites).id);
    else {
      const [index] = sampleProportional(
        members.map((node) => Math.max(0, node.score)),
        random,
        1,
      );
      picks.push(members[index as number]?.id as number);
    }
  }
  return picks;
}

const factories: Record<string, () => ParentSelector> = {
  dgm: () => dgmSelector(),
  weighted: () => weightedSelector(),
  'power-law': () => powerLawSelector(),
  tournament: () => tournamentSelector(),
  random: () => randomSelector(),
  best: () => bestSelector(),
  hgm: () => hgmSelector(),
  'map-elites': () => mapElitesSelector({ islands: 3, migrationInterval: 2, bins: 4 }),
};

/** One step of a campaign as the loop performs it on its pool. */
type Step =
  | { kind: 'add'; status: 'scored' | 'crashed'; score: number; parent: number; length: number; passes: number }
  | { kind: 'child'; target: number }
  | { kind: 'rescore'; target: number; score: number; scored: boolean }
  | { kind: 'outcome'; target: number; passes: number }
  | { kind: 'select'; seed: number; count: number };

// Few distinct scores, so ties (equal medians, shared ranks, grid cells) occur often.
const scoreArbitrary = fc.oneof(fc.double({ min: -1, max: 2, noNaN: true }), fc.constantFrom(0, 0.25, 0.5, 0.75, 1));
const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      status: fc.constantFrom('scored' as const, 'scored' as const, 'crashed' as const),
      score: scoreArbitrary,
      parent: fc.nat(),
      length: fc.nat({ max: 40 }),
      passes: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('child' as const), target: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('rescore' as const),
      target: fc.nat(),
      score: scoreArbitrary,
      scored: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('outcome' as const),
      target: fc.nat(),
      passes: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('select' as const),
      seed: fc.nat(),
      count: fc.integer({ min: 1, max: 4 }),
    }),
  },
);

/** Applies a step to the pool as run-campaign does (children, scores, own and clade counts). */
function apply(pool: CandidatePool, step: Step): void {
  const size = pool.size;
  if (step.kind === 'add') {
    // Ids fall while positions rise, and iterations go out of order and repeat (several workers),
    // so map-elites' sort by (iteration, id) and every tie-break by id are exercised.
    const id = size === 0 ? 0 : 1000 - size;
    const parentId = size === 0 ? null : (pool.nodes[step.parent % size] as SelectionCandidate).id;
    pool.add({
      id,
      parentId,
      status: step.status,
      score: step.status === 'scored' ? step.score : null,
      children: 0,
      iteration: size === 0 ? 0 : Math.max(1, size - (step.length % 7)),
      features: { codeLength: 100 + step.length, diversity: step.length % 7 },
    });
    if (parentId !== null) {
      const parent = pool.get(parentId) as SelectionCandidate;
      pool.update(parentId, { children: parent.children + 1 });
    }
    return;
  }
  if (size === 0 || step.kind === 'select') return;
  const target = pool.nodes[step.target % size] as SelectionCandidate;
  if (step.kind === 'child') pool.update(target.id, { children: target.children + 1 });
  else if (step.kind === 'rescore') {
    pool.update(target.id, { status: step.scored ? 'scored' : 'crashed', score: step.scored ? step.score : null });
  } else if (step.kind === 'outcome') {
    const own = target.own ?? { passes: 0, failures: 0 };
    pool.update(target.id, { own: { passes: own.passes + step.passes, failures: own.failures + 1 - step.passes } });
    for (let current = pool.get(target.id); current; ) {
      const clade = current.clade ?? { passes: 0, failures: 0 };
      pool.update(current.id, {
        clade: { passes: clade.passes + step.passes, failures: clade.failures + 1 - step.passes },
      });
      current = current.parentId === null ? undefined : pool.get(current.parentId);
    }
  }
}

/** A deep copy of the pool's nodes as a plain snapshot (no journal). */
function plainCopy(pool: CandidatePool, iteration: number): SelectionSnapshot {
  return { nodes: pool.nodes.map((node) => structuredClone(node)), iteration };
}

describe('incremental selection state', () => {
  for (const name of Object.keys(factories)) {
    it(`${name}: following the journal draws what a fresh selector and the previous implementation draw (property)`, () => {
      fc.assert(
        fc.property(fc.array(stepArbitrary, { minLength: 1, maxLength: 60 }), (steps) => {
          const pool = new CandidatePool();
          const following = (factories[name] as () => ParentSelector)();
          for (const step of steps) {
            apply(pool, step);
            if (step.kind !== 'select') continue;
            const iteration = pool.size + (step.seed % 5);
            const picks = following.select(pool.snapshot(iteration), createRandom('pool', step.seed), step.count);
            const fresh = (factories[name] as () => ParentSelector)().select(
              plainCopy(pool, iteration),
              createRandom('pool', step.seed),
              step.count,
            );
            expect(picks).toEqual(fresh);
            const reference = previous[name];
            if (reference)
              expect(picks).toEqual(reference(plainCopy(pool, iteration), createRandom('pool', step.seed), step.count));
          }
        }),
        { numRuns: 150 },
      );
    });
  }

  it('a selector given another pool, or a plain snapshot between pool calls, starts from scratch', () => {
    const selector = dgmSelector();
    const first = new CandidatePool();
    const second = new CandidatePool();
    first.add({ id: 0, parentId: null, status: 'scored', score: 0.9, children: 0 });
    second.add({ id: 7, parentId: null, status: 'scored', score: 0.1, children: 0 });
    expect(selector.select(first.snapshot(), createRandom(1), 3)).toEqual([0, 0, 0]);
    expect(selector.select(second.snapshot(), createRandom(1), 3)).toEqual([7, 7, 7]);
    expect(
      selector.select(
        { nodes: [{ id: 3, parentId: null, status: 'scored', score: 0, children: 0 }] },
        createRandom(1),
        1,
      ),
    ).toEqual([3]);
    first.add({ id: 1, parentId: 0, status: 'crashed', score: null, children: 0 });
    expect(selector.select(first.snapshot(), createRandom(1), 2)).toEqual([0, 0]);
  });

  it('map-elites: a node recorded out of iteration order, across a migration, gives the islands of a full replay', () => {
    // Iteration 5 arrives after 7 (several workers): the migration before iteration 7 must include
    // it, as buildIslands' replay in iteration order does; appending it would leave it out.
    const pool = new CandidatePool();
    const selector = mapElitesSelector({ islands: 3, migrationInterval: 2, bins: 4 });
    [0, 1, 2, 3, 4, 6, 7, 5, 8, 9, 10].forEach((iteration, index) => {
      pool.add({
        id: index,
        parentId: null,
        status: 'scored',
        score: iteration === 5 ? 1 : ((index * 37) % 11) / 20,
        children: 0,
        iteration,
        features: { codeLength: index === 0 ? 0 : index === 1 ? 100 : 50 + index, diversity: index % 3 },
      });
      const fresh = mapElitesSelector({ islands: 3, migrationInterval: 2, bins: 4 });
      const snapshot = { nodes: pool.nodes.map((node) => ({ ...node })), iteration: index + 3 };
      expect(selector.select(pool.snapshot(index + 3), createRandom(index), 20)).toEqual(
        fresh.select(snapshot, createRandom(index), 20),
      );
    });
  });

  it('map-elites: many elites per island migrate in the order buildIslands ranks them', () => {
    // 10 × 10 bins and half of each island's elites migrating: dozens of migrants per migration.
    const options = { islands: 3, migrationInterval: 3, bins: 10, migrationRate: 0.5 };
    const pool = new CandidatePool();
    const selector = mapElitesSelector(options);
    const random = createRandom('many-elites');
    for (let id = 0; id < 400; id++) {
      pool.add({
        id,
        parentId: id === 0 ? null : 0,
        status: 'scored',
        score: random.next(),
        children: 0,
        iteration: id,
        features: { codeLength: random.int(1000), diversity: random.int(1000) },
      });
      if (id % 25 !== 24) continue;
      const snapshot = { nodes: pool.nodes.map((node) => ({ ...node })), iteration: id + 1 };
      expect(selector.select(pool.snapshot(id + 1), createRandom(id), 100)).toEqual(
        previousMapElites(snapshot, createRandom(id), 100, options),
      );
    }
  });

  it('the journal lists each changed position once between reads, and drops what is far behind', () => {
    const pool = new CandidatePool();
    pool.add({ id: 5, parentId: null, status: 'scored', score: 0.5, children: 0 });
    pool.add({ id: 9, parentId: 5, status: 'scored', score: 0.7, children: 0 });
    pool.update(5, { children: 1 }); // position 0 is still unread: not written again
    pool.update(42, { children: 1 }); // unknown: no entry
    expect(pool.version).toBe(2);
    expect([...(pool.changesSince(0) ?? [])]).toEqual([0, 1]);
    pool.update(5, { children: 2 }); // read since: written again
    expect([...(pool.changesSince(2) ?? [])]).toEqual([0]);
    expect(pool.get(5)?.children).toBe(2);
    expect(pool.changesSince(99)).toBeNull();
    // Thousands of changes between two reads of a 2-node pool: the oldest entries are dropped.
    for (let round = 0; round < 3000; round++) {
      pool.update(9, { children: round });
      pool.changesSince(pool.version);
    }
    expect(pool.changesSince(0)).toBeNull();
  });

  it('a selector that fell behind the journal rebuilds and draws what a fresh selector draws', () => {
    const pool = new CandidatePool();
    const selector = weightedSelector();
    for (let id = 0; id < 20; id++) pool.add({ id, parentId: null, status: 'scored', score: id / 20, children: 0 });
    expect(selector.select(pool.snapshot(), createRandom('behind'), 3)).toHaveLength(3);
    const other = dgmSelector();
    for (let round = 0; round < 4000; round++) {
      pool.update(round % 20, { score: (round % 7) / 7, children: round % 5 });
      other.select(pool.snapshot(), createRandom(round), 1); // another reader keeps reading
    }
    expect(pool.changesSince(0)).toBeNull();
    expect(selector.select(pool.snapshot(), createRandom('after'), 5)).toEqual(
      weightedSelector().select(plainCopy(pool, 20), createRandom('after'), 5),
    );
  });
});

describe('SumTree', () => {
  it('finds what a binary search over cumulative sums finds, after any sequence of updates (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 70 }), fc.oneof(fc.constant(0), fc.double({ min: 0, max: 10, noNaN: true }))), {
          minLength: 1,
          maxLength: 120,
        }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { minLength: 1, maxLength: 20 }),
        (updates, targets) => {
          const tree = new SumTree(2);
          const weights: number[] = [];
          for (const [index, weight] of updates) {
            tree.set(index, weight);
            while (weights.length <= index) weights.push(0);
            weights[index] = weight;
          }
          expect(tree.length).toBe(weights.length);
          const total = weights.reduce((sum, weight) => sum + weight, 0);
          expect(tree.total).toBeCloseTo(total, 9);
          for (const fraction of targets) {
            const found = tree.find(fraction * tree.total);
            if (total === 0) {
              expect(found).toBe(-1);
              continue;
            }
            expect(weights[found] as number).toBeGreaterThan(0);
            // The interval of the found index holds the target, up to rounding of the sums.
            let before = 0;
            for (let index = 0; index < found; index++) before += weights[index] as number;
            const target = fraction * tree.total;
            expect(before).toBeLessThanOrEqual(target + 1e-9 * (1 + total));
            expect(before + (weights[found] as number)).toBeGreaterThanOrEqual(target - 1e-9 * (1 + total));
          }
        },
      ),
    );
  });

  it('rejects negative and infinite weights', () => {
    const tree = new SumTree();
    expect(() => tree.set(0, -1)).toThrow(RangeError);
    expect(() => tree.set(0, Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => tree.set(0, Number.NaN)).toThrow(RangeError);
  });
});

describe('SortedScores', () => {
  it('median and MAD equal median() of the values and of their absolute deviations, after inserts and removals (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.boolean(), fc.oneof(fc.constantFrom(0, 0.5, 1, 1), fc.double({ min: -5, max: 5, noNaN: true }))),
          {
            minLength: 1,
            maxLength: 80,
          },
        ),
        (operations) => {
          const sorted = new SortedScores();
          const present: Array<{ score: number; position: number }> = [];
          operations.forEach(([remove, score], position) => {
            if (remove && present.length > 0) {
              const [gone] = present.splice(position % present.length, 1);
              if (gone) sorted.remove(gone.score, gone.position);
            } else {
              present.push({ score, position });
              sorted.insert(score, position);
            }
          });
          expect(sorted.length).toBe(present.length);
          const values = present.map((entry) => entry.score);
          expect([...sorted.values.subarray(0, sorted.length)]).toEqual([...Float64Array.from(values).sort()]);
          if (values.length === 0) return;
          const center = median(values);
          expect(sorted.median()).toBe(center);
          expect(sorted.medianAbsoluteDeviation(center)).toBe(median(values.map((value) => Math.abs(value - center))));
        },
      ),
    );
  });

  it('refuses to remove an entry it does not hold', () => {
    const sorted = new SortedScores();
    sorted.insert(0.5, 1);
    expect(() => sorted.remove(0.5, 2)).toThrow(RangeError);
  });
});

describe('FastBetaSampler', () => {
  it('draws standard normals (moments) and Beta(a, b) with the right mean and variance', () => {
    const sampler = new FastBetaSampler(createRandom('fast-normal'));
    const count = 200_000;
    let sum = 0;
    let squares = 0;
    let fourth = 0;
    let beyond3 = 0;
    for (let index = 0; index < count; index++) {
      const x = sampler.normal();
      sum += x;
      squares += x * x;
      fourth += x ** 4;
      if (Math.abs(x) > 3) beyond3++;
    }
    expect(Math.abs(sum / count)).toBeLessThan(5 / Math.sqrt(count));
    expect(Math.abs(squares / count - 1)).toBeLessThan(5 * Math.sqrt(2 / count));
    expect(Math.abs(fourth / count - 3)).toBeLessThan(0.1);
    // P(|X| > 3) = 0.0026998: exercises the ziggurat's tail and wedges.
    expect(Math.abs(beyond3 / count - 0.0026998)).toBeLessThan(5 * Math.sqrt(0.0027 / count));
    for (const [a, b] of [
      [1, 1],
      [1.3, 7.25],
      [30, 3],
      [500, 700],
    ] as const) {
      const alpha = gammaConstants(a);
      const beta = gammaConstants(b);
      const draws = Array.from({ length: 40_000 }, () => sampler.beta(alpha.d, alpha.c, beta.d, beta.c));
      const mean = draws.reduce((total, value) => total + value, 0) / draws.length;
      const variance = draws.reduce((total, value) => total + (value - mean) ** 2, 0) / draws.length;
      const expectedMean = a / (a + b);
      const expectedVariance = (a * b) / ((a + b) ** 2 * (a + b + 1));
      expect(Math.abs(mean - expectedMean)).toBeLessThan(5 * Math.sqrt(expectedVariance / draws.length));
      expect(variance / expectedVariance).toBeGreaterThan(0.95);
      expect(variance / expectedVariance).toBeLessThan(1.05);
      expect(draws.every((draw) => draw > 0 && draw < 1)).toBe(true);
    }
  });

  it('is reproducible from its seed and rejects shapes below 1', () => {
    const first = new FastBetaSampler(createRandom('same'));
    const second = new FastBetaSampler(createRandom('same'));
    expect(Array.from({ length: 5 }, () => first.normal())).toEqual(Array.from({ length: 5 }, () => second.normal()));
    expect(() => gammaConstants(0.5)).toThrow(RangeError);
  });
});
