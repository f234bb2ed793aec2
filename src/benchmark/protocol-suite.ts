/**
 * @module What a benchmark protocol runs (`ProtocolSuite`): which functions and dimensions, their
 * budgets, checkpoints and target error, how the sandbox and the host build each function, and the
 * published results to compare with. CEC2022's rules are here; `createCec2022ProtocolSuite`
 * (`cec2022-suite.ts`) and `createBuiltinSuite` are the suites.
 */
import { CladeError } from '../core/errors.js';
import { BUILTIN_FUNCTION_NAMES } from '../numeric/functions.js';
import { type BoxedBenchmarkFunction, buildProtocolFunction } from './protocol-functions.js';
import type { ProtocolFunctionSpec } from './protocol-job.js';
import { PUBLISHED_CEC2022, publishedMean } from './published-cec2022.js';

/** CEC2022: errors at or below this count as 0 and end the run. */
export const CEC2022_TARGET_ERROR = 1e-8;

/** The official budgets (MaxFES): 200,000 for D = 10, 1,000,000 for D = 20. */
export function cec2022Budget(dimension: number): number {
  if (dimension === 10) return 200_000;
  if (dimension === 20) return 1_000_000;
  return 10_000 * dimension;
}

/**
 * CEC2022's recording points: the error is recorded after D^(k/5 − 3) · MaxFES evaluations for
 * k = 0..15 (the last is MaxFES), rounded to whole evaluations.
 */
export function cec2022Checkpoints(dimension: number, maxFes: number): number[] {
  const points: number[] = [];
  for (let k = 0; k <= 15; k++) {
    const at = k === 15 ? maxFes : Math.max(1, Math.round(dimension ** (k / 5 - 3) * maxFes));
    points.push(Math.min(maxFes, at));
  }
  return points;
}

/** Which functions a protocol runs and how they are built. */
export interface ProtocolSuite {
  /** e.g. `cec2022`; also the results directory name. */
  readonly name: string;
  /** Function ids the suite has (CEC2022: 1..12). */
  readonly functions: readonly number[];
  readonly dimensions: readonly number[];
  /** Label of a function in tables, e.g. `F3`. */
  label(fn: number): string;
  budget(dimension: number): number;
  checkpoints(dimension: number, budget: number): number[];
  targetError: number;
  /** What the sandbox builds the function from (a job carries it). */
  spec(fn: number, dimension: number): ProtocolFunctionSpec;
  /** The same function on the host, to recompute each run's reported best value. */
  create(fn: number, dimension: number): BoxedBenchmarkFunction;
  /** Published mean errors to compare with, by algorithm name (may be empty). */
  published(fn: number, dimension: number): { name: string; mean: number }[];
}

/**
 * The built-in functions (numbered 1..7 in `BUILTIN_FUNCTION_NAMES` order) under the same
 * protocol: for development and tests where the CEC2022 data is not at hand.
 */
export function createBuiltinSuite(
  options: { instanceSeed?: number; budget?: (dimension: number) => number } = {},
): ProtocolSuite {
  const instanceSeed = options.instanceSeed ?? 1;
  const budget = options.budget ?? ((dimension: number) => 10_000 * dimension);
  const name = (fn: number): string => {
    const found = BUILTIN_FUNCTION_NAMES[fn - 1];
    if (found === undefined) {
      throw new CladeError('USAGE', `The builtin suite has functions 1..${BUILTIN_FUNCTION_NAMES.length}; got ${fn}.`);
    }
    return found;
  };
  const spec = (fn: number, dimension: number): ProtocolFunctionSpec => ({
    suite: 'builtin',
    fn: name(fn),
    dim: dimension,
    instanceSeed,
    bounds: [-100, 100],
  });
  return {
    name: 'builtin',
    functions: BUILTIN_FUNCTION_NAMES.map((_, index) => index + 1),
    dimensions: [2, 5, 10, 20, 30, 50],
    label: name,
    budget,
    checkpoints: cec2022Checkpoints,
    targetError: CEC2022_TARGET_ERROR,
    spec,
    create: (fn, dimension) => buildProtocolFunction(spec(fn, dimension)),
    published: () => [],
  };
}

/** Attaches CEC2022's published results to a suite's comparison. */
export function cec2022Published(fn: number, dimension: number): { name: string; mean: number }[] {
  return PUBLISHED_CEC2022.flatMap((entry) => {
    const mean = publishedMean(entry.name, fn, dimension);
    return mean === undefined ? [] : [{ name: entry.name, mean }];
  });
}
