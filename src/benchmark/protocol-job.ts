/**
 * @module The benchmark-protocol job (`kind: 'numeric-protocol'`): one run of an optimizer on one
 * function under a fixed budget, with the best value recorded at checkpoints and an early stop at a
 * target error. Shared by the host (`src/benchmark/run-protocol.ts`) and the in-sandbox runner
 * (`sandbox/harness/protocol.ts`); both parse what crosses the sandbox boundary with the functions here.
 */
import { isBuiltinFunctionName } from '../numeric/functions.js';
import type { Parsed } from '../numeric/job.js';

/** Harness task kind of protocol jobs. */
export const PROTOCOL_JOB_KIND = 'numeric-protocol';

/** Which function a protocol job runs on; the sandbox builds it from this alone. */
export type ProtocolFunctionSpec =
  | {
      suite: 'builtin';
      fn: string;
      dim: number;
      instanceSeed: number;
      bounds: [number, number];
    }
  | {
      suite: 'cec2022';
      fn: number;
      dim: number;
      /**
       * The official data files this function reads, by file name (`M_1_D10.txt` …), as text.
       * Carried inside the job (which the harness deletes before agent code loads) so that the
       * agent cannot read the shift vectors from disk.
       */
      files: Record<string, string>;
    };

/** One protocol run. */
export interface ProtocolJob {
  /** Case id, e.g. `F1-D10`. */
  case: string;
  function: ProtocolFunctionSpec;
  /** Evaluations allowed (MaxFES). */
  budget: number;
  /** Seed of the agent's random source (and of `Math.random`). */
  runSeed: number;
  /** The run stops once an evaluated error (value − optimum) is at or below this. */
  targetError: number;
  /** Evaluation counts (ascending, ≤ budget) at which the best error so far is recorded. */
  checkpoints: number[];
}

/** What the sandbox reports for one protocol run. */
export interface ProtocolJobOutput {
  /** The best point found (evaluated during the run or returned by the agent). */
  bestPoint: number[];
  /** Its value, as the sandbox computed it (the host recomputes it). */
  bestValue: number;
  /** The function's value at the optimum (error = value − optimum). */
  optimum: number;
  /** Evaluations used: up to the one that reached the target, else all the agent made. */
  evaluations: number;
  /** Whether the target error was reached. */
  reachedTarget: boolean;
  /** Best error so far at each checkpoint (after the run ends, the final error repeats). */
  checkpointErrors: number[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isSeed = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff;

const isPositiveInteger = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 1;

function parseFunctionSpec(value: unknown): Parsed<ProtocolFunctionSpec> {
  if (!isRecord(value)) return { ok: false, reason: 'job.function must be an object' };
  const { suite, fn, dim } = value;
  if (!isPositiveInteger(dim))
    return { ok: false, reason: `job.function.dim must be a positive integer, got ${JSON.stringify(dim)}` };
  if (suite === 'builtin') {
    const { instanceSeed, bounds } = value;
    if (typeof fn !== 'string' || !isBuiltinFunctionName(fn)) {
      return { ok: false, reason: `job.function.fn must name a built-in function, got ${JSON.stringify(fn)}` };
    }
    if (!isSeed(instanceSeed))
      return { ok: false, reason: 'job.function.instanceSeed must be a 32-bit unsigned integer' };
    if (
      !Array.isArray(bounds) ||
      bounds.length !== 2 ||
      typeof bounds[0] !== 'number' ||
      typeof bounds[1] !== 'number' ||
      !(bounds[0] < bounds[1])
    ) {
      return {
        ok: false,
        reason: `job.function.bounds must be [low, high] with low < high, got ${JSON.stringify(bounds)}`,
      };
    }
    return { ok: true, value: { suite, fn, dim, instanceSeed, bounds: [bounds[0], bounds[1]] } };
  }
  if (suite === 'cec2022') {
    const { files } = value;
    if (!isPositiveInteger(fn))
      return { ok: false, reason: `job.function.fn must be a function number, got ${JSON.stringify(fn)}` };
    if (!isRecord(files) || !Object.values(files).every((text) => typeof text === 'string')) {
      return { ok: false, reason: 'job.function.files must map data file names to their text' };
    }
    return { ok: true, value: { suite, fn, dim, files: files as Record<string, string> } };
  }
  return { ok: false, reason: `job.function.suite must be "builtin" or "cec2022", got ${JSON.stringify(suite)}` };
}

/** Checks a protocol job's shape; the harness rejects jobs that fail it. */
export function parseProtocolJob(value: unknown): Parsed<ProtocolJob> {
  if (!isRecord(value)) return { ok: false, reason: 'a protocol job must be a JSON object' };
  const { case: caseId, function: spec, budget, runSeed, targetError, checkpoints } = value;
  if (typeof caseId !== 'string' || caseId.length === 0)
    return { ok: false, reason: 'job.case must be a non-empty string' };
  const parsedSpec = parseFunctionSpec(spec);
  if (!parsedSpec.ok) return parsedSpec;
  if (!isPositiveInteger(budget))
    return { ok: false, reason: `job.budget must be a positive integer, got ${JSON.stringify(budget)}` };
  if (!isSeed(runSeed)) return { ok: false, reason: 'job.runSeed must be a 32-bit unsigned integer' };
  if (typeof targetError !== 'number' || !(targetError >= 0)) {
    return { ok: false, reason: `job.targetError must be a number ≥ 0, got ${JSON.stringify(targetError)}` };
  }
  if (
    !Array.isArray(checkpoints) ||
    !checkpoints.every(
      (count, index) =>
        isPositiveInteger(count) && count <= budget && (index === 0 || count >= (checkpoints[index - 1] as number)),
    )
  ) {
    return { ok: false, reason: 'job.checkpoints must be ascending positive integers no larger than job.budget' };
  }
  return {
    ok: true,
    value: {
      case: caseId,
      function: parsedSpec.value,
      budget,
      runSeed,
      targetError,
      checkpoints: checkpoints as number[],
    },
  };
}

/** Checks a protocol run's output shape against its job (the host recomputes the best value). */
export function parseProtocolJobOutput(value: unknown, job: ProtocolJob): Parsed<ProtocolJobOutput> {
  if (!isRecord(value)) return { ok: false, reason: 'the output is not a JSON object' };
  const { bestPoint, bestValue, optimum, evaluations, reachedTarget, checkpointErrors } = value;
  const dim = job.function.dim;
  if (!Array.isArray(bestPoint) || bestPoint.length !== dim || !bestPoint.every((x) => Number.isFinite(x))) {
    return { ok: false, reason: `bestPoint must be an array of ${dim} finite numbers` };
  }
  if (typeof bestValue !== 'number' || !Number.isFinite(bestValue))
    return { ok: false, reason: 'bestValue must be finite' };
  if (typeof optimum !== 'number' || !Number.isFinite(optimum)) return { ok: false, reason: 'optimum must be finite' };
  if (!Number.isInteger(evaluations) || (evaluations as number) < 0 || (evaluations as number) > job.budget) {
    return { ok: false, reason: `evaluations must be an integer in [0, ${job.budget}]` };
  }
  if (typeof reachedTarget !== 'boolean') return { ok: false, reason: 'reachedTarget must be a boolean' };
  if (
    !Array.isArray(checkpointErrors) ||
    checkpointErrors.length !== job.checkpoints.length ||
    !checkpointErrors.every((error) => typeof error === 'number' && !Number.isNaN(error))
  ) {
    return { ok: false, reason: `checkpointErrors must hold ${job.checkpoints.length} numbers` };
  }
  return {
    ok: true,
    value: {
      bestPoint: bestPoint as number[],
      bestValue,
      optimum,
      evaluations: evaluations as number,
      reachedTarget,
      checkpointErrors: checkpointErrors as number[],
    },
  };
}
