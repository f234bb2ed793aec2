import { describe, expect, it } from 'vitest';
import * as seedAgent from '../../../agents/de-optimizer/optimizer.js';
import {
  BudgetExhaustedError,
  createTrackedProblem,
  isBudgetExhausted,
  runNumericJob,
} from '../../../sandbox/harness/numeric.js';
import { createRandom } from '../../../src/core/random.js';
import { createBuiltinFunction } from '../../../src/numeric/functions.js';
import type { BuiltinNumericJob, NumericJobOutput } from '../../../src/numeric/job.js';
import type { OptimizerProblem } from '../../../src/numeric/types.js';

const job = (overrides: Partial<BuiltinNumericJob> = {}): BuiltinNumericJob => ({
  problem: 'sphere-d5',
  fn: 'sphere',
  dim: 5,
  instanceSeed: 42,
  bounds: [-100, 100],
  budget: 20,
  runSeed: 7,
  ...overrides,
});

interface Logged {
  lines: string[];
  context: { log(line: string): void };
}
const logger = (): Logged => {
  const lines: string[] = [];
  return { lines, context: { log: (line) => lines.push(line) } };
};

const run = async (
  agent: Record<string, unknown>,
  overrides: Partial<BuiltinNumericJob> = {},
  logged: Logged = logger(),
): Promise<NumericJobOutput> => (await runNumericJob(job(overrides), agent, logged.context)) as NumericJobOutput;

const uniformBatch = (problem: OptimizerProblem, count: number): Float64Array => {
  const points = new Float64Array(count * problem.dimension);
  for (let index = 0; index < points.length; index++) {
    points[index] = problem.random.uniform(problem.lower[0] as number, problem.upper[0] as number);
  }
  return points;
};

describe('tracked optimizer problem', () => {
  const fn = createBuiltinFunction('rastrigin', 3, 1, [-5, 5]);

  it('counts exactly and throws BudgetExhaustedError before evaluating past the budget', () => {
    const tracked = createTrackedProblem(fn, 20, createRandom(1));
    const { problem } = tracked;
    expect(problem.evaluate(uniformBatch(problem, 7))).toHaveLength(7);
    expect(problem.evaluate(uniformBatch(problem, 7))).toHaveLength(7);
    expect(problem.used()).toBe(14);
    const bestBefore = tracked.bestValue();
    let thrown: unknown;
    try {
      problem.evaluate([[-5, -5, -5], ...Array.from({ length: 6 }, () => [0, 0, 0])]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BudgetExhaustedError);
    expect((thrown as Error).name).toBe('BudgetExhaustedError');
    expect(isBudgetExhausted(thrown)).toBe(true);
    expect(problem.used()).toBe(14);
    expect(problem.remaining()).toBe(6);
    expect(tracked.bestValue()).toBe(bestBefore);
    expect(problem.evaluate(uniformBatch(problem, 6))).toHaveLength(6);
    expect(problem.used()).toBe(20);
    expect(problem.remaining()).toBe(0);
    expect(() => problem.evaluate(uniformBatch(problem, 1))).toThrow(BudgetExhaustedError);
    expect(problem.evaluate(new Float64Array(0))).toHaveLength(0);
    expect(problem.used()).toBe(20);
  });

  it('tracks the best point as a copy, across both input forms', () => {
    const tracked = createTrackedProblem(fn, 100, createRandom(2));
    const { problem } = tracked;
    expect(tracked.bestPoint()).toBeNull();
    let best = Number.POSITIVE_INFINITY;
    let bestPoint: number[] = [];
    for (let round = 0; round < 5; round++) {
      const flat = uniformBatch(problem, 4);
      const values = problem.evaluate(flat);
      const rows = Array.from({ length: 4 }, () => Array.from(uniformBatch(problem, 1)));
      const rowValues = problem.evaluate(rows);
      for (let index = 0; index < 4; index++) {
        if ((values[index] as number) < best) {
          best = values[index] as number;
          bestPoint = Array.from(flat.subarray(index * 3, index * 3 + 3));
        }
        if ((rowValues[index] as number) < best) {
          best = rowValues[index] as number;
          bestPoint = [...(rows[index] as number[])];
        }
      }
      flat.fill(0); // the agent reuses its buffers: the tracked best must not change
      for (const row of rows) row.fill(0);
    }
    expect(tracked.bestValue()).toBe(best);
    expect(Array.from(tracked.bestPoint() as Float64Array)).toEqual(bestPoint);
    expect(fn.evaluate(tracked.bestPoint() as Float64Array)).toBe(best);
  });

  it('rejects malformed batches without counting them', () => {
    const { problem } = createTrackedProblem(fn, 100, createRandom(3));
    expect(() => problem.evaluate(new Float64Array(4))).toThrow(/multiple of 3/);
    expect(() => problem.evaluate([1, 2, 3] as unknown as number[][])).toThrow(/array of numbers/);
    expect(() => problem.evaluate([[1, 2]])).toThrow(/point 0 must be an array of 3 numbers/);
    expect(() =>
      problem.evaluate([
        [0, 0, 0],
        [0, Number.NaN, 0],
      ]),
    ).toThrow(/point 1, coordinate 1: NaN is not finite/);
    expect(() => problem.evaluate(Float64Array.of(0, 0, 5.0001))).toThrow(/outside the box/);
    expect(() => problem.evaluate(Float64Array.of(0, Number.POSITIVE_INFINITY, 0))).toThrow(/not finite/);
    expect(() => problem.evaluate('points' as unknown as Float64Array)).toThrow(/flat Float64Array/);
    expect(problem.used()).toBe(0);
    expect(problem.evaluate(Float64Array.of(-5, 5, 0))).toHaveLength(1);
    expect(problem.used()).toBe(1);
  });
});

describe('runNumericJob', () => {
  it('reports the best evaluated point, the exact evaluation count, and ends on the budget', async () => {
    const seen: number[] = [];
    const agent = {
      default(problem: OptimizerProblem) {
        for (;;) seen.push(...problem.evaluate(uniformBatch(problem, 3)));
      },
    };
    const logged = logger();
    const output = await run(agent, { budget: 20 }, logged);
    expect(output.evaluations).toBe(18);
    expect(seen).toHaveLength(18);
    expect(output.bestValue).toBe(Math.min(...seen));
    expect(output.returnedValid).toBe(false);
    const fn = createBuiltinFunction('sphere', 5, 42, [-100, 100]);
    expect(fn.evaluate(output.bestPoint)).toBe(output.bestValue);
    expect(logged.lines.join('\n')).toMatch(/Budget exhausted after 18 of 20/);
  });

  it('takes the returned point (evaluated outside the budget) when it is better', async () => {
    const fn = createBuiltinFunction('sphere', 5, 42, [-100, 100]);
    const agent = {
      optimize(problem: OptimizerProblem) {
        problem.evaluate(uniformBatch(problem, problem.budget));
        return Array.from(fn.shift);
      },
    };
    const output = await run(agent);
    expect(output).toEqual({ bestPoint: Array.from(fn.shift), bestValue: 0, evaluations: 20, returnedValid: true });
  });

  it('keeps the best evaluated point when the returned one is invalid, and says why', async () => {
    for (const [returned, reason] of [
      [[1, 2], /2 coordinates, not 5/],
      [[0, 0, 0, 0, Number.NaN], /coordinate 4 is NaN/],
      [[0, 0, 0, 0, 101], /outside the box/],
      [undefined, /undefined/],
    ] as const) {
      const logged = logger();
      const agent = {
        default(problem: OptimizerProblem) {
          problem.evaluate(uniformBatch(problem, 4));
          return returned;
        },
      };
      const output = await run(agent, {}, logged);
      expect(output.returnedValid).toBe(false);
      expect(output.evaluations).toBe(4);
      expect(logged.lines.join('\n')).toMatch(reason);
    }
  });

  it('fails when nothing was evaluated and nothing valid returned, or the agent throws', async () => {
    await expect(run({ default: () => [1, 2, 3] })).rejects.toThrow(/evaluated no point and returned no valid point/);
    await expect(
      run({
        default: () => {
          throw new Error('boom');
        },
      }),
    ).rejects.toThrow('boom');
    await expect(run({ something: () => [0, 0, 0, 0, 0] })).rejects.toThrow(/exports no optimizer/);
    await expect(runNumericJob({ ...job(), budget: 0 }, seedAgent, logger().context)).rejects.toThrow(/job.budget/);
    await expect(runNumericJob({ ...job(), fn: 'nope' }, seedAgent, logger().context)).rejects.toThrow(/job.fn/);
  });

  it('makes Math.random a function of the run seed, and restores it', async () => {
    const original = Math.random;
    const draws: number[][] = [];
    const agent = {
      async default(problem: OptimizerProblem) {
        const mine = [Math.random(), Math.random()];
        draws.push(mine);
        problem.evaluate([Array.from({ length: 5 }, () => Math.random() * 200 - 100)]);
        await Promise.resolve();
        mine.push(Math.random());
        throw new BudgetExhaustedError(1, 1, 1);
      },
    };
    const first = await run(agent, { runSeed: 3 });
    expect(Math.random).toBe(original);
    const second = await run(agent, { runSeed: 3 });
    const third = await run(agent, { runSeed: 4 });
    expect(second).toEqual(first);
    expect(draws[1]).toEqual(draws[0]);
    expect(draws[2]).not.toEqual(draws[0]);
    expect(third.bestPoint).not.toEqual(first.bestPoint);
    await expect(
      run({
        default: () => {
          throw new Error('late');
        },
      }),
    ).rejects.toThrow('late');
    expect(Math.random).toBe(original);
  });

  it('runs the seed DE agent on sphere d5 to a tiny error, deterministically', async () => {
    const budget = 10_000 * 5;
    const first = await run(seedAgent, { budget, runSeed: 11 });
    const second = await run(seedAgent, { budget, runSeed: 11 });
    expect(first.evaluations).toBe(budget);
    expect(first.bestValue).toBeLessThan(1e-8);
    expect(second).toEqual(first);
    const fn = createBuiltinFunction('sphere', 5, 42, [-100, 100]);
    expect(fn.evaluate(first.bestPoint)).toBe(first.bestValue);
    // Both runs end on the optimum itself; early on, another seed takes another path.
    const early = await run(seedAgent, { budget: 600, runSeed: 11 });
    const otherEarly = await run(seedAgent, { budget: 600, runSeed: 12 });
    expect(otherEarly.bestPoint).not.toEqual(early.bestPoint);
  });

  it('lets the seed agent use a budget that is not a multiple of its population', async () => {
    const output = await run(seedAgent, { fn: 'rastrigin', problem: 'rastrigin-d3', dim: 3, budget: 1234 });
    expect(output.evaluations).toBe(1234);
    expect(output.returnedValid).toBe(true);
    const tiny = await run(seedAgent, { fn: 'rastrigin', problem: 'rastrigin-d3', dim: 3, budget: 5 });
    expect(tiny.evaluations).toBe(5);
  });
});
