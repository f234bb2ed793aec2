/**
 * @module The contract every `ParentSelector` (and, where its kind has one, every
 * `EvaluationScheduler`) must pass, run for every kind registered in `selectorKinds`
 * (`parent-selector.contract.test.ts` gives each kind its fixtures; a registered kind without one
 * fails that suite).
 *
 * Decisions the suite fixes for every selector:
 * - with no scored node it returns [] (for any count), and a count of 0 returns [];
 * - otherwise it returns exactly `count` ids, each of a scored node of the snapshot;
 * - chance comes only from the `random` it is given: `Math.random` is never called, the same seed
 *   gives the same picks, and the answer depends on the snapshot only, not on what the selector saw
 *   before (a fresh selector, one that answered other snapshots, and one that reads the snapshot
 *   through a `CandidatePool` journal all agree);
 * - a count that is not a non-negative integer is refused with a `RangeError`.
 * And for every scheduler: `initialJobs` within [1, jobs], `continueWith` within what is left, and
 * each decision either expands or names an idle scored node with jobs left, decided alike for the
 * same view and stream, without `Math.random`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom, type Random } from '../../src/core/random.js';
import { NODE_STATUSES } from '../../src/core/types.js';
import { CandidatePool } from '../../src/selection/candidate-pool.js';
import type {
  EvaluationScheduler,
  ParentSelector,
  PlanOutline,
  SchedulingView,
  SelectionCandidate,
  SelectionSnapshot,
} from '../../src/selection/types.js';

/** One way to build the selector under test (and its scheduler, when its kind has one). */
export interface ParentSelectorContractFixture {
  /** Shown in the test names. */
  label: string;
  create(): ParentSelector;
  scheduler?(): EvaluationScheduler;
}

/** Fast-check runs per property: enough to meet every branch, few enough for a shared machine. */
const RUNS = 60;

/** Candidates with every field any selector reads: own and clade counts, iteration, features. */
export const candidatesArbitrary: fc.Arbitrary<SelectionCandidate[]> = fc
  .array(
    fc.record({
      status: fc.constantFrom(...NODE_STATUSES, 'scored', 'scored', 'scored'),
      score: fc.double({ min: 0, max: 1, noNaN: true }),
      children: fc.nat({ max: 20 }),
      parent: fc.nat(),
      passes: fc.double({ min: 0, max: 10, noNaN: true }),
      failures: fc.double({ min: 0, max: 10, noNaN: true }),
      codeLength: fc.integer({ min: 100, max: 20_000 }),
      diversity: fc.nat({ max: 2_000 }),
      error: fc.double({ min: -8, max: 3, noNaN: true }),
    }),
    { maxLength: 40 },
  )
  .map((rows) =>
    rows.map((row, index): SelectionCandidate => {
      const parentId = index === 0 ? null : row.parent % index;
      return {
        id: index,
        parentId,
        status: index === 0 ? 'scored' : row.status,
        score: index === 0 || row.status === 'scored' ? row.score : null,
        children: row.children,
        own: { passes: row.passes, failures: row.failures },
        clade: { passes: row.passes * 2, failures: row.failures * 2 },
        iteration: index,
        features: { codeLength: row.codeLength, diversity: row.diversity, error: row.error },
      };
    }),
  );

function scoredIds(nodes: readonly SelectionCandidate[]): Set<number> {
  return new Set(nodes.filter((node) => node.status === 'scored' && node.score !== null).map((node) => node.id));
}

/** Runs `action` with `Math.random` replaced by a trap; returns what it returned and whether it was called. */
function withoutMathRandom<T>(action: () => T): { value: T; called: boolean } {
  const original = Math.random;
  let called = false;
  Math.random = () => {
    called = true;
    return original();
  };
  try {
    return { value: action(), called };
  } finally {
    Math.random = original;
  }
}

/** The same candidates seen through a journaled pool (as the campaign loop shows them). */
function pooled(nodes: readonly SelectionCandidate[], iteration: number): SelectionSnapshot {
  const pool = new CandidatePool();
  for (const node of nodes) pool.add({ ...node });
  return pool.snapshot(iteration);
}

/** Registers the contract's tests for one selector fixture. */
export function runParentSelectorContract(fixture: ParentSelectorContractFixture): void {
  describe(`ParentSelector contract: ${fixture.label}`, () => {
    it('returns [] when no node is scored, whatever the count', () => {
      const selector = fixture.create();
      const failed: SelectionCandidate[] = [
        { id: 0, parentId: null, status: 'crashed', score: null, children: 1 },
        { id: 1, parentId: 0, status: 'timeout', score: null, children: 0 },
      ];
      for (const nodes of [[], failed]) {
        for (const count of [0, 1, 7]) {
          expect(selector.select({ nodes, iteration: 1 }, createRandom('contract-empty', count), count)).toEqual([]);
        }
      }
    });

    it('returns exactly `count` ids, each of a scored node (property)', () => {
      fc.assert(
        fc.property(candidatesArbitrary, fc.nat({ max: 12 }), fc.nat({ max: 40 }), (nodes, count, iteration) => {
          const picks = fixture.create().select({ nodes, iteration }, createRandom('contract-count', iteration), count);
          const scored = scoredIds(nodes);
          expect(picks).toHaveLength(scored.size === 0 ? 0 : count);
          for (const id of picks) expect(scored.has(id)).toBe(true);
        }),
        { numRuns: RUNS },
      );
    });

    it('draws chance only from the given random: same seed, same picks; never Math.random (property)', () => {
      fc.assert(
        fc.property(candidatesArbitrary, fc.integer({ min: 1, max: 12 }), fc.nat(), (nodes, count, seed) => {
          const snapshot = { nodes, iteration: seed % 50 };
          const first = withoutMathRandom(() => fixture.create().select(snapshot, createRandom(seed), count));
          const second = withoutMathRandom(() => fixture.create().select(snapshot, createRandom(seed), count));
          expect(first.called).toBe(false);
          expect(second.called).toBe(false);
          expect(second.value).toEqual(first.value);
        }),
        { numRuns: RUNS },
      );
    });

    it('answers from the snapshot alone: fresh, reused and journaled selectors agree (property)', () => {
      fc.assert(
        fc.property(candidatesArbitrary, candidatesArbitrary, fc.integer({ min: 1, max: 8 }), (nodes, other, count) => {
          const iteration = nodes.length;
          const fresh = fixture.create().select({ nodes, iteration }, createRandom('contract-same', count), count);
          const reused = fixture.create();
          reused.select({ nodes: other, iteration: other.length }, createRandom('contract-other'), count);
          const again = reused.select({ nodes, iteration }, createRandom('contract-same', count), count);
          const journaled = fixture
            .create()
            .select(pooled(nodes, iteration), createRandom('contract-same', count), count);
          expect(again).toEqual(fresh);
          expect(journaled).toEqual(fresh);
        }),
        { numRuns: RUNS },
      );
    });

    it('draws the same picks from a journaled pool as it grows and changes, as from plain copies', () => {
      const source = fc.sample(
        candidatesArbitrary.filter((nodes) => nodes.length >= 10),
        { numRuns: 1, seed: 7 },
      )[0];
      if (!source) throw new Error('no sample');
      const pool = new CandidatePool();
      const selector = fixture.create();
      for (const [step, node] of source.entries()) {
        pool.add({ ...node });
        if (step % 3 === 2) pool.update(0, { children: (pool.get(0)?.children ?? 0) + 1, score: step / source.length });
        const plain = { nodes: pool.nodes.map((entry) => ({ ...entry })), iteration: step + 1 };
        const random = (): Random => createRandom('contract-grow', step);
        expect(selector.select(pool.snapshot(step + 1), random(), 3)).toEqual(
          fixture.create().select(plain, random(), 3),
        );
      }
    });

    it('refuses a count that is not a non-negative integer', () => {
      const snapshot = { nodes: [{ id: 0, parentId: null, status: 'scored' as const, score: 0.5, children: 0 }] };
      for (const count of [-1, 1.5, Number.NaN]) {
        expect(() => fixture.create().select(snapshot, createRandom('contract-bad'), count)).toThrow(RangeError);
      }
    });

    const scheduler = fixture.scheduler;
    if (scheduler) runSchedulerContract(fixture.label, scheduler);
  });
}

/** A scheduling view over `nodes` with `evaluated[i]` jobs done by node i and `busy` nodes. */
function viewOf(
  nodes: readonly SelectionCandidate[],
  plan: PlanOutline,
  evaluated: readonly number[],
  busy: ReadonlySet<number>,
  pendingChildren: number,
  seed: number,
): SchedulingView {
  return {
    plan,
    nodes,
    nodeCount: nodes.length,
    pendingChildren,
    evaluationCount: evaluated.reduce((sum, count) => sum + count, 0),
    evaluated: (nodeId) => evaluated[nodeId] ?? 0,
    busy: (nodeId) => busy.has(nodeId),
    random: (...parts) => createRandom(seed, ...parts),
  };
}

function runSchedulerContract(label: string, create: () => EvaluationScheduler): void {
  const planArbitrary = fc.integer({ min: 1, max: 12 }).chain((jobCount) =>
    fc
      .uniqueArray(fc.integer({ min: 1, max: jobCount }), { maxLength: 3 })
      .map((ends) => [...ends.filter((end) => end < jobCount).sort((a, b) => a - b), jobCount])
      .map((ends): PlanOutline => ({ jobCount, stages: ends.map((end) => ({ end, threshold: 0.3 })) })),
  );

  describe(`EvaluationScheduler contract: ${label}`, () => {
    it('starts and continues nodes within the plan', () => {
      fc.assert(
        fc.property(planArbitrary, fc.double({ min: 0, max: 1, noNaN: true }), (plan, score) => {
          const scheduler = create();
          const first = scheduler.initialJobs(plan);
          expect(Number.isSafeInteger(first) && first >= 1 && first <= plan.jobCount).toBe(true);
          for (let done = 0; done <= plan.jobCount; done++) {
            for (const nodeScore of [score, null]) {
              const more = scheduler.continueWith(plan, done, nodeScore);
              expect(Number.isSafeInteger(more) && more >= 0 && more <= plan.jobCount - done).toBe(true);
            }
          }
        }),
        { numRuns: RUNS },
      );
    });

    it('expands, or names an idle scored node with jobs left; alike for the same view; never Math.random (property)', () => {
      fc.assert(
        fc.property(
          candidatesArbitrary,
          planArbitrary,
          fc.array(fc.nat({ max: 12 }), { maxLength: 40 }),
          fc.array(fc.nat({ max: 40 }), { maxLength: 5 }),
          fc.nat({ max: 4 }),
          fc.nat(),
          (nodes, plan, done, busyIds, pending, seed) => {
            const evaluated = nodes.map((_, index) => Math.min(plan.jobCount, done[index] ?? 1));
            const busy = new Set(busyIds);
            const view = viewOf(nodes, plan, evaluated, busy, pending, seed);
            const first = withoutMathRandom(() => create().next(view));
            const second = withoutMathRandom(() => create().next(viewOf(nodes, plan, evaluated, busy, pending, seed)));
            expect(first.called).toBe(false);
            expect(second.value).toEqual(first.value);
            const decision = first.value;
            if (decision.kind === 'evaluate') {
              const node = nodes.find((candidate) => candidate.id === decision.nodeId);
              expect(node?.status).toBe('scored');
              expect(busy.has(decision.nodeId)).toBe(false);
              const left = plan.jobCount - (evaluated[decision.nodeId] ?? 0);
              expect(decision.jobCount >= 1 && decision.jobCount <= left).toBe(true);
            } else {
              expect(decision).toEqual({ kind: 'expand' });
            }
          },
        ),
        { numRuns: RUNS },
      );
    });
  });
}
