/**
 * @module `clade problems eval`: evaluates benchmark functions on points read from stdin, for
 * checking an optimizer's numbers or another implementation against clade's. Reads a JSON array
 * of points, writes a JSON array of values (shortest round-trip decimal: full double precision).
 */
import { type Command, InvalidArgumentError } from 'commander';
import { CladeError } from '../core/errors.js';
import { requireCec2022Data, resolveCec2022DataDirectory } from '../numeric/cec2022/data-directory.js';
import { createCec2022Function, isCec2022Case } from '../numeric/cec2022/index.js';
import { BUILTIN_FUNCTION_NAMES, createBuiltinFunction, isBuiltinFunctionName } from '../numeric/functions.js';
import type { BenchmarkFunction } from '../numeric/types.js';

/** Suites `problems eval` knows. */
export const PROBLEM_SUITES = ['cec2022', 'builtin'] as const;

export interface ProblemsEvalFlags {
  suite: string;
  fn: string;
  dim: number;
  dataDir?: string;
  seed?: number;
  bounds?: [number, number];
}

/** I/O of the command, injected for tests. */
export interface ProblemsEvalIo {
  readInput(): Promise<string>;
  write(text: string): void;
  environment?: NodeJS.ProcessEnv;
}

const usage = (message: string): CladeError => new CladeError('USAGE', message);

/** The function a flag set names (data directory resolved for CEC2022). */
export function problemFromFlags(
  flags: ProblemsEvalFlags,
  environment: NodeJS.ProcessEnv = process.env,
): BenchmarkFunction {
  if (flags.suite === 'cec2022') {
    const fn = Number(flags.fn);
    if (!isCec2022Case(fn, flags.dim)) {
      throw usage(
        `--fn ${flags.fn} --dim ${flags.dim}: CEC2022 has functions 1..12 in dimensions 10 and 20, e.g. --fn 3 --dim 10.`,
      );
    }
    const resolved = resolveCec2022DataDirectory({ flag: flags.dataDir, environment });
    const directory = requireCec2022Data(resolved, [{ fn, dim: flags.dim }]);
    return createCec2022Function(fn, flags.dim as 10 | 20, directory);
  }
  if (flags.suite === 'builtin') {
    if (!isBuiltinFunctionName(flags.fn)) {
      throw usage(`--fn ${flags.fn}: the builtin suite has ${BUILTIN_FUNCTION_NAMES.join(', ')}.`);
    }
    return createBuiltinFunction(flags.fn, flags.dim, flags.seed ?? 0, flags.bounds ?? [-100, 100]);
  }
  throw usage(`--suite ${flags.suite}: use one of ${PROBLEM_SUITES.join(', ')}.`);
}

/** Parses stdin's text into row-major points of `dimension` coordinates. */
export function parsePoints(text: string, dimension: number): { values: Float64Array; count: number } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw usage(
      `stdin is not JSON (${(error as Error).message}). Pass a JSON array of points, e.g. [[0, 1, …], [2, 3, …]], each of ${dimension} numbers.`,
    );
  }
  if (!Array.isArray(parsed)) {
    throw usage(
      `stdin must hold a JSON array of points (each an array of ${dimension} numbers), not ${typeof parsed}.`,
    );
  }
  const values = new Float64Array(parsed.length * dimension);
  for (const [index, point] of parsed.entries()) {
    if (!Array.isArray(point) || point.length !== dimension) {
      throw usage(
        `point ${index} must be an array of ${dimension} numbers; got ${Array.isArray(point) ? `${point.length} items` : JSON.stringify(point)}.`,
      );
    }
    for (const [coordinate, value] of point.entries()) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw usage(`point ${index}, coordinate ${coordinate} is ${JSON.stringify(value)}, not a finite number.`);
      }
      values[index * dimension + coordinate] = value;
    }
  }
  return { values, count: parsed.length };
}

/** Runs `problems eval`: points from `io.readInput()`, values to `io.write()`. */
export async function problemsEval(flags: ProblemsEvalFlags, io: ProblemsEvalIo): Promise<void> {
  const fn = problemFromFlags(flags, io.environment ?? process.env);
  const { values, count } = parsePoints(await io.readInput(), fn.dimension);
  const out = new Float64Array(count);
  fn.evaluateBatch(values, count, out);
  io.write(`${JSON.stringify(Array.from(out, (value) => (Number.isFinite(value) ? value : null)))}\n`);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function positiveInteger(name: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 1)
      throw new InvalidArgumentError(`${name} must be an integer ≥ 1, got "${value}".`);
    return parsed;
  };
}

function seed(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 0xffffffff) {
    throw new InvalidArgumentError(`--seed must be an integer in [0, 4294967295], got "${value}".`);
  }
  return parsed;
}

/** Adds `clade problems eval` to the program. */
export function registerProblemsCommand(program: Command): void {
  const problems = program
    .command('problems')
    .description('Benchmark functions: evaluate points with the same kernels campaigns use.');
  problems
    .command('eval')
    .description('Read a JSON array of points on stdin; write a JSON array of their values on stdout (full precision).')
    .requiredOption('--suite <suite>', 'cec2022 | builtin')
    .requiredOption(
      '--fn <f>',
      'cec2022: 1..12; builtin: sphere, ellipsoid, rastrigin, rosenbrock, ackley, griewank, schwefel',
    )
    .requiredOption('--dim <d>', 'dimension (cec2022: 10 or 20)', positiveInteger('--dim'))
    .option(
      '--data-dir <dir>',
      'cec2022: directory of the official data files (default: $CLADE_CEC2022_DATA, else the copy shipped with clade, else the cache that `clade data fetch cec2022` fills)',
    )
    .option('--seed <s>', 'builtin: seed of the instance (shift and rotation); default 0', seed)
    .addHelpText(
      'after',
      '\nValues are F(x) as the official code defines it: for CEC2022 the error of a point is F(x) − F* (300, 400, … for F1, F2, …).\n\nExamples:\n' +
        "  echo '[[0,0,0,0,0,0,0,0,0,0]]' | clade problems eval --suite cec2022 --fn 1 --dim 10\n" +
        "  echo '[[1,2],[3,4]]' | clade problems eval --suite builtin --fn rastrigin --dim 2 --seed 7",
    )
    .action(async (options: ProblemsEvalFlags) => {
      await problemsEval(options, { readInput: readStdin, write: (text) => process.stdout.write(text) });
    });
}
