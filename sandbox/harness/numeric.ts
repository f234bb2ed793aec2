/**
 * @module The in-sandbox runner of numeric jobs: builds the function instance, hands the agent an
 * `OptimizerProblem` that counts and checks every evaluation, and reports the best point found.
 * The harness, not the agent, counts evaluations; the host re-evaluates the reported point.
 */
import { createRandom, type Random } from '../../src/core/random.js';
import { parseCec2022Data } from '../../src/numeric/cec2022/data.js';
import { type Cec2022Function, createCec2022FunctionFromData } from '../../src/numeric/cec2022/suite.js';
import { type BuiltinFunction, createBuiltinFunction } from '../../src/numeric/functions.js';
import { type NumericJob, type NumericJobOutput, parseNumericJob } from '../../src/numeric/job.js';
import type { BenchmarkFunction, OptimizerProblem } from '../../src/numeric/types.js';
import { cec2022DataReader } from './cec2022-data.js';
import type { JobContext, JobRunner } from './types.js';

/**
 * Thrown by `evaluate` when a call asks for more evaluations than are left; nothing of that call
 * is evaluated. Agents stop on it (match `error.name === 'BudgetExhaustedError'`); the runner
 * treats it as the normal end of a run.
 */
export class BudgetExhaustedError extends Error {
  readonly code = 'BUDGET_EXHAUSTED';
  readonly budget: number;
  readonly used: number;
  readonly requested: number;

  constructor(budget: number, used: number, requested: number) {
    super(
      `Evaluation budget exhausted: ${used} of ${budget} evaluations used, this call asked for ${requested} more. ` +
        'Size the last batch with problem.remaining() to use the whole budget.',
    );
    // Set explicitly: agents match on the name, and bundlers may rename classes.
    this.name = 'BudgetExhaustedError';
    this.budget = budget;
    this.used = used;
    this.requested = requested;
  }
}

/** Whether an error is the budget's end (also across copies of the class). */
export function isBudgetExhausted(error: unknown): boolean {
  return error instanceof BudgetExhaustedError || (error instanceof Error && error.name === 'BudgetExhaustedError');
}

/** An `OptimizerProblem` plus what the runner reads back from it. */
export interface TrackedProblem {
  problem: OptimizerProblem;
  /** Evaluations counted so far. */
  used(): number;
  /** Best point evaluated so far (a copy), or null before the first evaluation. */
  bestPoint(): Float64Array | null;
  /** Its value (+Infinity before the first evaluation). */
  bestValue(): number;
  /**
   * Best value seen after each of `options.checkpoints` evaluations, in order; checkpoints not
   * reached yet are missing (empty without `checkpoints`).
   */
  checkpointValues(): number[];
  /** The evaluation (1-based) whose value first reached `options.stopAtValue`, or null. */
  stoppedAt(): number | null;
}

/** Options of `createTrackedProblem` for benchmark protocols; campaigns use neither. */
export interface TrackedProblemOptions {
  /**
   * Once an evaluated value is at or below this, the run is over: the batch that reached it is
   * returned and counted in full, then `remaining()` is 0 and `evaluate` throws `BudgetExhaustedError`
   * (CEC's "stop when the error drops below 1e-8").
   */
  stopAtValue?: number;
  /** Evaluation counts (ascending) at which the best value so far is recorded. */
  checkpoints?: readonly number[];
}

/** The box a tracked function is searched in (the same for every coordinate). */
export type BoxedFunction = BenchmarkFunction & { readonly lower: number; readonly upper: number };

const describeValue = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  return typeof value;
};

/**
 * Wraps a function instance as the problem an agent sees. `evaluate` checks the batch's shape,
 * then the budget (throwing `BudgetExhaustedError` before evaluating anything), then that every
 * coordinate is finite and inside the box; it counts each point and keeps a copy of the best.
 */
export function createTrackedProblem(
  fn: BoxedFunction,
  budget: number,
  random: Random,
  options: TrackedProblemOptions = {},
): TrackedProblem {
  const dimension = fn.dimension;
  const { lower, upper } = fn;
  let used = 0;
  let bestValue = Number.POSITIVE_INFINITY;
  let bestPoint: Float64Array | null = null;
  let scratch = new Float64Array(0);
  const stopAtValue = options.stopAtValue ?? Number.NEGATIVE_INFINITY;
  const checkpoints = options.checkpoints ?? [];
  const checkpointValues: number[] = [];
  let stoppedAt: number | null = null;
  /** The budget, or the evaluations used once the stop value was reached. */
  let limit = budget;

  const checkCoordinates = (values: Float64Array, count: number): void => {
    for (let index = 0; index < count * dimension; index++) {
      const value = values[index] as number;
      if (Number.isFinite(value) && value >= lower && value <= upper) continue;
      const point = Math.floor(index / dimension);
      const coordinate = index % dimension;
      const what = Number.isFinite(value)
        ? `${value} is outside the box [${lower}, ${upper}]`
        : `${value} is not finite`;
      throw new RangeError(
        `evaluate(): point ${point}, coordinate ${coordinate}: ${what}. ` +
          'Keep every coordinate finite and within problem.lower/problem.upper (clip or reflect before evaluating). ' +
          'Nothing in this call was evaluated or counted.',
      );
    }
  };

  const toFlat = (points: unknown): { values: Float64Array; count: number } => {
    if (points instanceof Float64Array) {
      if (points.length % dimension !== 0) {
        throw new TypeError(
          `evaluate(): a flat Float64Array must hold count × ${dimension} values (row-major); got ${points.length}, ` +
            `which is not a multiple of ${dimension}.`,
        );
      }
      return { values: points, count: points.length / dimension };
    }
    if (!Array.isArray(points)) {
      throw new TypeError(
        `evaluate() takes a flat Float64Array (count × ${dimension}, row-major) or an array of points; got ${describeValue(points)}.`,
      );
    }
    const count = points.length;
    if (used + count > budget) return { values: scratch, count };
    if (scratch.length < count * dimension) scratch = new Float64Array(Math.max(count * dimension, 2 * scratch.length));
    for (let point = 0; point < count; point++) {
      const row: unknown = points[point];
      if (typeof row === 'number') {
        throw new TypeError(
          'evaluate() got an array of numbers: pass a batch, i.e. [point] for one point, an array of points, ' +
            'or a flat Float64Array.',
        );
      }
      const length = (row as { length?: unknown } | null | undefined)?.length;
      if (typeof row !== 'object' || row === null || length !== dimension) {
        throw new TypeError(
          `evaluate(): point ${point} must be an array of ${dimension} numbers; got ${describeValue(row)}` +
            (typeof length === 'number' ? ` of length ${length}` : '') +
            '.',
        );
      }
      const coordinates = row as ArrayLike<unknown>;
      const offset = point * dimension;
      for (let coordinate = 0; coordinate < dimension; coordinate++) {
        const value = coordinates[coordinate];
        scratch[offset + coordinate] = typeof value === 'number' ? value : Number.NaN;
      }
    }
    return { values: scratch, count };
  };

  const problem: OptimizerProblem = {
    dimension,
    lower: new Float64Array(dimension).fill(lower),
    upper: new Float64Array(dimension).fill(upper),
    budget,
    random,
    used: () => used,
    remaining: () => limit - used,
    evaluate(points) {
      const { values, count } = toFlat(points);
      if (used + count > limit) throw new BudgetExhaustedError(limit, used, count);
      checkCoordinates(values, count);
      const out = new Float64Array(count);
      fn.evaluateBatch(values, count, out);
      let bestIndex = -1;
      for (let index = 0; index < count; index++) {
        const value = out[index] as number;
        if (value < bestValue) {
          bestValue = value;
          bestIndex = index;
          if (stoppedAt === null && value <= stopAtValue) stoppedAt = used + index + 1;
        }
        while (
          checkpointValues.length < checkpoints.length &&
          checkpoints[checkpointValues.length] === used + index + 1
        ) {
          checkpointValues.push(bestValue);
        }
      }
      used += count;
      if (stoppedAt !== null) limit = used;
      if (bestIndex >= 0) {
        bestPoint = values.slice(bestIndex * dimension, (bestIndex + 1) * dimension);
      }
      return out;
    },
  };

  return {
    problem,
    used: () => used,
    bestPoint: () => (bestPoint === null ? null : bestPoint.slice()),
    bestValue: () => bestValue,
    checkpointValues: () => checkpointValues.slice(),
    stoppedAt: () => stoppedAt,
  };
}

/** Function instances kept across the jobs of one harness run (a rotation costs O(D³) to build). */
const instanceCache = new Map<string, BuiltinFunction | Cec2022Function>();
const INSTANCE_CACHE_SIZE = 8;

/** The job's function: a built-in instance, or a CEC2022 function from its data files (see `cec2022-data.ts`). */
function cachedFunction(job: NumericJob): BuiltinFunction | Cec2022Function {
  const key = JSON.stringify(
    job.suite === 'cec2022'
      ? ['cec2022', job.fn, job.dim, job.dataDirectory]
      : [job.fn, job.dim, job.instanceSeed, job.bounds],
  );
  let fn = instanceCache.get(key);
  if (!fn) {
    fn =
      job.suite === 'cec2022'
        ? createCec2022FunctionFromData(
            parseCec2022Data(job.fn, job.dim, cec2022DataReader(job.dataDirectory), job.dataDirectory),
          )
        : createBuiltinFunction(job.fn, job.dim, job.instanceSeed, job.bounds);
    if (instanceCache.size >= INSTANCE_CACHE_SIZE) {
      const oldest = instanceCache.keys().next().value;
      if (oldest !== undefined) instanceCache.delete(oldest);
    }
    instanceCache.set(key, fn);
  }
  return fn;
}

/** The agent's optimizer: its default export if that is a function, else its `optimize` export. */
export function findOptimizer(agent: Record<string, unknown>): (problem: OptimizerProblem) => unknown {
  const candidate = typeof agent.default === 'function' ? agent.default : agent.optimize;
  if (typeof candidate !== 'function') {
    throw new TypeError(
      'The agent module exports no optimizer: export a function as default (`export default function optimize(problem) {…}`) ' +
        'or as `export function optimize(problem) {…}`.',
    );
  }
  return candidate as (problem: OptimizerProblem) => unknown;
}

/** Why a returned point cannot be used, or null if it can. */
export function checkReturnedPoint(value: unknown, fn: BoxedFunction): string | null {
  const length = (value as { length?: unknown } | null | undefined)?.length;
  if (typeof value !== 'object' || value === null || typeof length !== 'number') {
    return `it is ${describeValue(value)}, not an array of ${fn.dimension} numbers`;
  }
  if (length !== fn.dimension) return `it has ${length} coordinates, not ${fn.dimension}`;
  const point = value as ArrayLike<unknown>;
  for (let index = 0; index < fn.dimension; index++) {
    const coordinate = point[index];
    if (typeof coordinate !== 'number' || !Number.isFinite(coordinate)) {
      return `coordinate ${index} is ${String(coordinate)}, not a finite number`;
    }
    if (coordinate < fn.lower || coordinate > fn.upper) {
      return `coordinate ${index} = ${coordinate} is outside the box [${fn.lower}, ${fn.upper}]`;
    }
  }
  return null;
}

/**
 * Runs one numeric job (see `NumericJob`) with the agent's module namespace. The agent gets
 * `random` = createRandom(runSeed, 'agent'), and `Math.random` is replaced by
 * createRandom(runSeed, 'math-random') for the run, so a run is a function of its seeds.
 * The result is the better of the best point evaluated and the point the agent returned
 * (evaluated outside the budget); an invalid returned point is logged and ignored.
 *
 * @throws when the job is malformed, the agent exports no optimizer, the agent throws anything but
 *   `BudgetExhaustedError`, or it neither evaluated a point nor returned a valid one.
 */
export const runNumericJob: JobRunner = async (
  job: unknown,
  agent: Record<string, unknown>,
  context: JobContext,
): Promise<NumericJobOutput> => {
  const parsed = parseNumericJob(job);
  if (!parsed.ok) throw new TypeError(`Malformed numeric job: ${parsed.reason}.`);
  const { budget, runSeed } = parsed.value;
  const optimize = findOptimizer(agent);
  const fn = cachedFunction(parsed.value);
  const tracked = createTrackedProblem(fn, budget, createRandom(runSeed, 'agent'));

  const mathRandom = createRandom(runSeed, 'math-random');
  const originalRandom = Math.random;
  Math.random = () => mathRandom.next();
  let returned: unknown;
  let finished = false;
  try {
    returned = await optimize(tracked.problem);
    finished = true;
  } catch (error) {
    if (!isBudgetExhausted(error)) throw error;
    context.log(`Budget exhausted after ${tracked.used()} of ${budget} evaluations; the run ends there.`);
  } finally {
    Math.random = originalRandom;
  }

  let bestPoint = tracked.bestPoint();
  let bestValue = tracked.bestValue();
  let returnedValid = false;
  if (finished) {
    const problem = checkReturnedPoint(returned, fn);
    if (problem === null) {
      returnedValid = true;
      const point = Float64Array.from(returned as ArrayLike<number>);
      const value = fn.evaluate(point);
      if (bestPoint === null || value <= bestValue) {
        bestPoint = point;
        bestValue = value;
      } else {
        context.log(
          `The returned point's value ${value} is worse than the best evaluated ${bestValue}; keeping the best evaluated.`,
        );
      }
    } else {
      context.log(`Ignored the returned point: ${problem}. Keeping the best evaluated point.`);
    }
  }
  if (bestPoint === null) {
    throw new Error(
      `The agent evaluated no point and returned no valid point for ${fn.id}; call problem.evaluate() and return the best point found.`,
    );
  }
  return { bestPoint: Array.from(bestPoint), bestValue, evaluations: tracked.used(), returnedValid };
};
