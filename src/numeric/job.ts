/**
 * @module The numeric task's job and output formats, shared by the host-side task
 * (`src/tasks/numeric-task.ts`) and the in-sandbox runner (`sandbox/harness/numeric.ts`).
 * Both sides parse what crosses the sandbox boundary with the functions here.
 */
import { isCec2022Case } from './cec2022/data.js';
import { type BuiltinFunctionName, isBuiltinFunctionName } from './functions.js';

/** What every numeric job carries. */
interface NumericJobBase {
  /** Problem id within the task, e.g. `rastrigin-d10` or `cec2022-f3-d10`. */
  problem: string;
  dim: number;
  /** Seed of the function instance (shift, rotation); unused by CEC2022 (its data fix the instance). */
  instanceSeed: number;
  bounds: [number, number];
  /** Function evaluations the agent may use. */
  budget: number;
  /** Seed of the agent's random source (and of `Math.random`) in this job. */
  runSeed: number;
}

/** A job on a built-in function (`suite` absent in jobs written before CEC2022 existed). */
export interface BuiltinNumericJob extends NumericJobBase {
  suite?: 'builtin';
  fn: BuiltinFunctionName;
}

/** A job on a CEC2022 function; its data files come with the sandbox request. */
export interface Cec2022NumericJob extends NumericJobBase {
  suite: 'cec2022';
  /** 1..12 (with `dim` 10 or 20). */
  fn: number;
  /** Directory of the data files, relative to the sandbox's work directory (e.g. `data/cec2022`). */
  dataDirectory: string;
}

/** One numeric job, as written into the harness input. */
export type NumericJob = BuiltinNumericJob | Cec2022NumericJob;

/** Whether `value` is a relative POSIX path without `..` segments (a directory inside the work directory). */
function isInsideRelativePath(value: string): boolean {
  if (value.length === 0 || value.startsWith('/') || value.includes('\\') || /^[A-Za-z]:/.test(value)) return false;
  return value.split('/').every((segment) => segment !== '..' && segment !== '');
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
  const { problem, fn, dim, instanceSeed, bounds, budget, runSeed, suite, dataDirectory } = value;
  if (typeof problem !== 'string' || problem.length === 0) {
    return { ok: false, reason: 'job.problem must be a non-empty string' };
  }
  if (suite !== undefined && suite !== 'builtin' && suite !== 'cec2022') {
    return { ok: false, reason: `job.suite must be "builtin" or "cec2022", got ${JSON.stringify(suite)}` };
  }
  if (suite === 'cec2022') {
    if (!isCec2022Case(fn, dim)) {
      return {
        ok: false,
        reason: `a cec2022 job needs fn 1..12 and dim 10 or 20, got fn ${JSON.stringify(fn)} and dim ${JSON.stringify(dim)}`,
      };
    }
    if (typeof dataDirectory !== 'string' || !isInsideRelativePath(dataDirectory)) {
      return {
        ok: false,
        reason: `job.dataDirectory must be a relative path inside the work directory, got ${JSON.stringify(dataDirectory)}`,
      };
    }
  } else if (typeof fn !== 'string' || !isBuiltinFunctionName(fn)) {
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
  const common = { problem, dim, instanceSeed, bounds: [bounds[0], bounds[1]] as [number, number], budget, runSeed };
  if (suite === 'cec2022') {
    return { ok: true, value: { ...common, suite, fn: fn as number, dataDirectory: dataDirectory as string } };
  }
  return { ok: true, value: { ...common, fn: fn as BuiltinFunctionName } };
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
