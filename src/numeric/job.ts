/**
 * @module The numeric task's job and output formats, shared by the host-side task
 * (`src/tasks/numeric-task.ts`) and the in-sandbox runner (`sandbox/harness/numeric.ts`).
 * Both sides parse what crosses the sandbox boundary with the functions here.
 */
import { type BuiltinFunctionName, isBuiltinFunctionName } from './functions.js';

/** One numeric job, as written into the harness input. */
export interface NumericJob {
  /** Problem id within the task, e.g. `rastrigin-d10`. */
  problem: string;
  fn: BuiltinFunctionName;
  dim: number;
  /** Seed of the function instance (shift, rotation). */
  instanceSeed: number;
  bounds: [number, number];
  /** Function evaluations the agent may use. */
  budget: number;
  /** Seed of the agent's random source (and of `Math.random`) in this job. */
  runSeed: number;
}

/** What the numeric runner returns for one job. */
export interface NumericJobOutput {
  /** The best point found (seen during the run, or returned by the agent). */
  bestPoint: number[];
  /** Its value as the sandbox computed it (the host recomputes it). */
  bestValue: number;
  /** Evaluations the agent used (the returned point's evaluation is not counted). */
  evaluations: number;
  /** Whether the agent returned a valid point (false when it ran out of budget or returned junk). */
  returnedValid: boolean;
}

/** Either the parsed value or a reason it was rejected. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isSeed = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff;

/** Checks a job's shape; the harness rejects jobs that fail it. */
export function parseNumericJob(value: unknown): Parsed<NumericJob> {
  if (!isRecord(value)) return { ok: false, reason: 'a numeric job must be a JSON object' };
  const { problem, fn, dim, instanceSeed, bounds, budget, runSeed } = value;
  if (typeof problem !== 'string' || problem.length === 0) {
    return { ok: false, reason: 'job.problem must be a non-empty string' };
  }
  if (typeof fn !== 'string' || !isBuiltinFunctionName(fn)) {
    return { ok: false, reason: `job.fn must name a built-in function, got ${JSON.stringify(fn)}` };
  }
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1) {
    return { ok: false, reason: `job.dim must be a positive integer, got ${JSON.stringify(dim)}` };
  }
  if (!isSeed(instanceSeed)) return { ok: false, reason: 'job.instanceSeed must be a 32-bit unsigned integer' };
  if (!isSeed(runSeed)) return { ok: false, reason: 'job.runSeed must be a 32-bit unsigned integer' };
  if (
    !Array.isArray(bounds) ||
    bounds.length !== 2 ||
    typeof bounds[0] !== 'number' ||
    typeof bounds[1] !== 'number' ||
    !Number.isFinite(bounds[0]) ||
    !Number.isFinite(bounds[1]) ||
    !(bounds[0] < bounds[1])
  ) {
    return {
      ok: false,
      reason: `job.bounds must be [low, high] with finite low < high, got ${JSON.stringify(bounds)}`,
    };
  }
  if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 1) {
    return { ok: false, reason: `job.budget must be a positive integer, got ${JSON.stringify(budget)}` };
  }
  return {
    ok: true,
    value: { problem, fn, dim, instanceSeed, bounds: [bounds[0], bounds[1]], budget, runSeed },
  };
}

/** Checks a runner output's shape against its job (not its values: the host recomputes those). */
export function parseNumericJobOutput(
  value: unknown,
  job: Pick<NumericJob, 'dim' | 'budget'>,
): Parsed<NumericJobOutput> {
  if (!isRecord(value)) return { ok: false, reason: 'the output is not a JSON object' };
  const { bestPoint, bestValue, evaluations, returnedValid } = value;
  if (!Array.isArray(bestPoint) || bestPoint.length !== job.dim) {
    return {
      ok: false,
      reason: `bestPoint must be an array of ${job.dim} numbers, got ${Array.isArray(bestPoint) ? `${bestPoint.length} items` : typeof bestPoint}`,
    };
  }
  const point: number[] = [];
  for (const coordinate of bestPoint) {
    if (typeof coordinate !== 'number' || !Number.isFinite(coordinate)) {
      return {
        ok: false,
        reason: `bestPoint has a non-finite or non-numeric coordinate: ${JSON.stringify(coordinate)}`,
      };
    }
    point.push(coordinate);
  }
  if (typeof bestValue !== 'number' || !Number.isFinite(bestValue)) {
    return { ok: false, reason: `bestValue must be a finite number, got ${JSON.stringify(bestValue)}` };
  }
  if (
    typeof evaluations !== 'number' ||
    !Number.isInteger(evaluations) ||
    evaluations < 0 ||
    evaluations > job.budget
  ) {
    return {
      ok: false,
      reason: `evaluations must be an integer in [0, ${job.budget}], got ${JSON.stringify(evaluations)}`,
    };
  }
  if (typeof returnedValid !== 'boolean') return { ok: false, reason: 'returnedValid must be a boolean' };
  return { ok: true, value: { bestPoint: point, bestValue, evaluations, returnedValid } };
}
