/**
 * @module The built-in numeric optimisation task: every node's optimizer is run on the same shifted
 * and rotated functions with the same seeds (common random numbers), and scored on the final error,
 * which the host recomputes from the reported point.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CladeError } from '../core/errors.js';
import { deriveSeed } from '../core/random.js';
import type { AgentFiles, Metrics } from '../core/types.js';
import { reportedValueMatches } from '../harness/recheck.js';
import type { HarnessJobResult } from '../harness/types.js';
import { cec2022DataFiles } from '../numeric/cec2022/data.js';
import { requireCec2022Data, resolveCec2022DataDirectory } from '../numeric/cec2022/data-directory.js';
import { type Cec2022Function, createCec2022Function } from '../numeric/cec2022/suite.js';
import { type BuiltinFunction, type BuiltinFunctionName, createBuiltinFunction } from '../numeric/functions.js';
import { type NumericJob, parseNumericJobOutput } from '../numeric/job.js';
import { errorToLog10, errorToScore } from '../numeric/scoring.js';
import type { NumericTaskConfig } from './numeric-kind.js';
import type { EvaluationJob, JobOutcome, Task, TaskHarness, TaskScore } from './types.js';

/** The agent entry file of numeric tasks. */
export const NUMERIC_AGENT_ENTRY = 'optimizer.ts';

/** Where CEC2022 data files go in the sandbox's work directory. */
export const SANDBOX_CEC2022_DATA_DIRECTORY = 'data/cec2022';

/** Options of `createNumericTask` (I/O for the CEC2022 data directory). */
export interface NumericTaskOptions {
  /** Environment consulted for `CLADE_CEC2022_DATA` and the cache directory. Default `process.env`. */
  environment?: NodeJS.ProcessEnv;
  /** Home directory for the default cache. Default `os.homedir()`. */
  home?: string;
  /**
   * The CEC2022 copy shipped with clade (default: the package's `data/cec2022/input_data`); `null`
   * leaves it out, so only `task.dataDir`, the environment and the cache count.
   */
  shippedDataDirectory?: string | null;
}

/** Log excerpts kept per job. */
const LOG_EXCERPT_CHARS = 2000;

interface ProblemSpec {
  id: string;
  fn: NumericTaskConfig['problems'][number]['fn'];
  dim: number;
  instanceSeed: number;
  budget: number;
}

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

const tail = (text: string): string => (text.length <= LOG_EXCERPT_CHARS ? text : `…${text.slice(-LOG_EXCERPT_CHARS)}`);

/**
 * Creates the numeric task of a campaign.
 *
 * Problem ids are `${fn}-d${dim}` (`-2`, `-3` … for repeats of the same pair). A problem's function
 * instance is seeded with deriveSeed(campaignSeed, 'instance', problemId) and a job's agent seed with
 * deriveSeed(campaignSeed, 'run', problemId, repeat), the same for every node. The budget is
 * evaluationsPerDim × dim.
 *
 * Scoring: a job's score is `errorToScore(error, errorFloor, errorCeiling)` of the error the host
 * recomputes. A failed or invalid job scores 0 (not null), so that the node's mean penalises it.
 * Reported log10 errors are held at log10(errorFloor) for errors at or below the floor.
 */
export function createNumericTask(
  config: NumericTaskConfig,
  campaignSeed: number,
  options: NumericTaskOptions = {},
): Task {
  const bounds: [number, number] = [config.bounds[0], config.bounds[1]];
  const cec2022 = config.suite === 'cec2022';
  const problems: ProblemSpec[] = [];
  const seen = new Map<string, number>();
  for (const { fn, dim } of config.problems) {
    const base = cec2022 ? `cec2022-f${fn}-d${dim}` : `${fn}-d${dim}`;
    const occurrence = (seen.get(base) ?? 0) + 1;
    seen.set(base, occurrence);
    const id = occurrence === 1 ? base : `${base}-${occurrence}`;
    problems.push({
      id,
      fn,
      dim,
      instanceSeed: deriveSeed(campaignSeed, 'instance', id),
      budget: config.evaluationsPerDim * dim,
    });
  }
  const byId = new Map(problems.map((problem) => [problem.id, problem]));
  const instances = new Map<string, BuiltinFunction | Cec2022Function>();

  // CEC2022: the data directory is checked now (a missing file stops the campaign before it
  // starts, naming the directory and the fix), and the files the problems read travel to the
  // sandbox as request files under SANDBOX_CEC2022_DATA_DIRECTORY.
  let dataDirectory = '';
  const sandboxFiles: Record<string, string> = {};
  if (cec2022) {
    const resolved = resolveCec2022DataDirectory({
      campaign: config.dataDir,
      environment: options.environment ?? process.env,
      ...(options.home !== undefined ? { home: options.home } : {}),
      ...(options.shippedDataDirectory !== undefined ? { shipped: options.shippedDataDirectory } : {}),
    });
    dataDirectory = requireCec2022Data(
      resolved,
      problems.map((problem) => ({ fn: problem.fn as number, dim: problem.dim })),
    );
    for (const problem of problems) {
      for (const name of cec2022DataFiles(problem.fn as number, problem.dim)) {
        sandboxFiles[`${SANDBOX_CEC2022_DATA_DIRECTORY}/${name}`] = readFileSync(
          path.join(dataDirectory, name),
          'latin1',
        );
      }
    }
  }

  const spec = (id: string): ProblemSpec => {
    const problem = byId.get(id);
    if (!problem) {
      throw new CladeError(
        'TASK_INVALID',
        `Unknown numeric problem "${id}"; this task has: ${problems.map((known) => known.id).join(', ')}.`,
      );
    }
    return problem;
  };
  const instance = (problem: ProblemSpec): BuiltinFunction | Cec2022Function => {
    let fn = instances.get(problem.id);
    if (!fn) {
      fn = cec2022
        ? createCec2022Function(problem.fn as number, problem.dim as 10 | 20, dataDirectory)
        : createBuiltinFunction(problem.fn as BuiltinFunctionName, problem.dim, problem.instanceSeed, bounds);
      instances.set(problem.id, fn);
    }
    return fn;
  };
  // Build (and so validate) every instance up front.
  if (cec2022) for (const problem of problems) instance(problem);

  const jobs: EvaluationJob[] = [];
  for (const problem of problems) {
    for (let repeat = 0; repeat < config.repeats; repeat++) {
      jobs.push({ problem: problem.id, repeat, seed: deriveSeed(campaignSeed, 'run', problem.id, repeat) });
    }
  }

  const failedOutcome = (
    job: EvaluationJob,
    result: HarnessJobResult,
    status: 'failed' | 'invalid',
    reason: string,
  ): JobOutcome => ({
    job,
    status,
    score: 0,
    metrics: { error: null, evaluations: null, log10Error: null, reason },
    durationMs: result.durationMs,
    logExcerpt: tail(result.log ? `${result.log}\n${reason}` : reason),
  });

  const harness: TaskHarness = {
    agentEntry: NUMERIC_AGENT_ENTRY,

    inputs(selected) {
      return selected.map((job): NumericJob => {
        const problem = spec(job.problem);
        const common = {
          problem: problem.id,
          dim: problem.dim,
          instanceSeed: problem.instanceSeed,
          bounds: [bounds[0], bounds[1]] as [number, number],
          budget: problem.budget,
          runSeed: job.seed,
        };
        if (cec2022) {
          return {
            ...common,
            suite: 'cec2022',
            fn: problem.fn as number,
            dataDirectory: SANDBOX_CEC2022_DATA_DIRECTORY,
          };
        }
        return { ...common, fn: problem.fn as BuiltinFunctionName };
      });
    },

    files: () => sandboxFiles,

    judge(job, result) {
      const problem = spec(job.problem);
      if (!result.ok) {
        return failedOutcome(job, result, 'failed', `The optimizer failed: ${result.error ?? 'no error message'}`);
      }
      const parsed = parseNumericJobOutput(result.output, problem);
      if (!parsed.ok) return failedOutcome(job, result, 'invalid', `Malformed job output: ${parsed.reason}.`);
      const { bestPoint, bestValue, evaluations, returnedValid } = parsed.value;
      const fn = instance(problem);
      const outside = bestPoint.findIndex((coordinate) => coordinate < fn.lower || coordinate > fn.upper);
      if (outside >= 0) {
        return failedOutcome(
          job,
          result,
          'invalid',
          `bestPoint coordinate ${outside} = ${bestPoint[outside]} is outside the box [${fn.lower}, ${fn.upper}].`,
        );
      }
      const value = fn.evaluate(bestPoint);
      if (!reportedValueMatches(bestValue, value)) {
        return failedOutcome(
          job,
          result,
          'invalid',
          `Reported bestValue ${bestValue} does not match the host's recomputation ${value} at bestPoint.`,
        );
      }
      const error = Math.max(0, value - fn.optimum);
      const metrics: Metrics = {
        error,
        evaluations,
        log10Error: errorToLog10(error, config.errorFloor),
        returnedValid,
      };
      return {
        job,
        status: 'ok',
        score: errorToScore(error, config.errorFloor, config.errorCeiling),
        metrics,
        durationMs: result.durationMs,
        logExcerpt: tail(result.log),
      };
    },
  };

  return {
    kind: 'numeric',
    description:
      `${config.suite}: ${problems.map((problem) => problem.id).join(', ')} ` +
      `(${config.evaluationsPerDim}·D evaluations, bounds [${bounds[0]}, ${bounds[1]}], ` +
      `${config.repeats} repeat${config.repeats === 1 ? '' : 's'})`,
    describeForModel() {
      const repeats = config.repeats > 1 ? ` and ${config.repeats} seeds` : '';
      return [
        `Improve a black-box minimisation algorithm (an "optimizer agent" written in TypeScript). It is run on these problems: ${this.description}.`,
        `On each problem it may evaluate the objective ${config.evaluationsPerDim} × dimension times (asking for more ends the run), ` +
          `inside the box ${JSON.stringify(bounds)} in every coordinate, and returns its best point.`,
        `A problem scores 1 when the final error (f(x) − f*) is at most ${config.errorFloor}, 0 when it is at least ${config.errorCeiling}, ` +
          `and linearly in log10(error) in between. The program's score is the mean over problems${repeats}: higher is better.`,
      ].join(' ');
    },

    jobs: () => jobs.map((job) => ({ ...job })),

    harness,

    aggregate(outcomes): TaskScore {
      const publicMetrics: Metrics = {};
      const privateMetrics: Metrics = {};
      const scoreOf = (outcome: JobOutcome): number => outcome.score ?? 0;
      let scoreSum = 0;
      let log10Sum = 0;
      let log10Count = 0;
      let evaluations = 0;
      for (const problem of problems) {
        const mine = outcomes.filter((outcome) => outcome.job.problem === problem.id);
        if (mine.length === 0) continue;
        const problemScore = mine.reduce((sum, outcome) => sum + scoreOf(outcome), 0) / mine.length;
        publicMetrics[`score:${problem.id}`] = problemScore;
        const errors = mine
          .map((outcome) => outcome.metrics.error)
          .filter((error): error is number => isFiniteNumber(error));
        if (errors.length > 0) {
          const logs = errors.map((error) => errorToLog10(error, config.errorFloor));
          publicMetrics[`log10Error:${problem.id}`] = logs.reduce((sum, log) => sum + log, 0) / logs.length;
          privateMetrics[`error:${problem.id}`] = errors.reduce((sum, error) => sum + error, 0) / errors.length;
          log10Sum += logs.reduce((sum, log) => sum + log, 0);
          log10Count += logs.length;
        }
      }
      for (const outcome of outcomes) {
        scoreSum += scoreOf(outcome);
        const used = outcome.metrics.evaluations;
        if (typeof used === 'number') evaluations += used;
      }
      publicMetrics.log10Error = log10Count > 0 ? log10Sum / log10Count : null;
      publicMetrics.jobs = outcomes.length;
      publicMetrics.failedJobs = outcomes.filter((outcome) => outcome.status !== 'ok').length;
      publicMetrics.evaluations = evaluations;
      return { score: outcomes.length > 0 ? scoreSum / outcomes.length : 0, publicMetrics, privateMetrics };
    },

    checkAgent(files: AgentFiles) {
      const source = files[NUMERIC_AGENT_ENTRY];
      if (source === undefined) {
        return (
          `The agent has no ${NUMERIC_AGENT_ENTRY}. Numeric tasks run the optimizer exported by ${NUMERIC_AGENT_ENTRY}: ` +
          'restore that file with `export default function optimize(problem) { … }` returning the best point.'
        );
      }
      if (!exportsOptimizer(source)) {
        return (
          `${NUMERIC_AGENT_ENTRY} exports no optimizer. Add \`export default function optimize(problem: OptimizerProblem) { … }\` ` +
          '(or `export function optimize(…)`) that returns the best point found.'
        );
      }
      return null;
    },
  };
}

/** Whether the source (with comments removed) exports a default or an `optimize` binding. */
export function exportsOptimizer(source: string): boolean {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  return (
    /\bexport\s+default\b/.test(code) ||
    /\bexport\s+(?:async\s+)?function\s*\*?\s*optimize\b/.test(code) ||
    /\bexport\s+(?:const|let|var)\s+optimize\b/.test(code) ||
    /\bexport\s*\{[^}]*\b(?:optimize|as\s+default)\b[^}]*\}/.test(code)
  );
}
