/**
 * @module The in-sandbox runner of benchmark-protocol jobs (`kind: 'numeric-protocol'`, see
 * `src/benchmark/protocol-job.ts`): one run of the agent on one function, with the best error
 * recorded at the protocol's checkpoints and the run stopped once the error reaches the target
 * (CEC: 1e-8). It reuses the numeric runner's tracked problem, so evaluations are counted and
 * checked exactly as in campaigns.
 */

import { buildProtocolFunction } from '../../src/benchmark/protocol-functions.js';
import { type ProtocolJobOutput, parseProtocolJob } from '../../src/benchmark/protocol-job.js';
import { createRandom } from '../../src/core/random.js';
import type { BoxedFunction } from './numeric.js';
import { checkReturnedPoint, createTrackedProblem, findOptimizer, isBudgetExhausted } from './numeric.js';
import type { JobContext, JobRunner } from './types.js';

/** Functions kept across the jobs of one harness run (building one may parse data files). */
const functionCache = new Map<string, BoxedFunction>();

/**
 * Runs one protocol job. Seeds as in `runNumericJob`: the agent's `random` is
 * createRandom(runSeed, 'agent') and `Math.random` createRandom(runSeed, 'math-random').
 * Errors at or below the target count as 0, at checkpoints and at the end.
 */
export const runProtocolJob: JobRunner = async (
  job: unknown,
  agent: Record<string, unknown>,
  context: JobContext,
): Promise<ProtocolJobOutput> => {
  const parsed = parseProtocolJob(job);
  if (!parsed.ok) throw new TypeError(`Malformed protocol job: ${parsed.reason}.`);
  const { function: spec, budget, runSeed, targetError, checkpoints } = parsed.value;
  const optimize = findOptimizer(agent);
  const key = JSON.stringify([spec.suite, spec.fn, spec.dim, spec.suite === 'builtin' ? spec.instanceSeed : 0]);
  let fn = functionCache.get(key);
  if (fn === undefined) {
    fn = buildProtocolFunction(spec);
    functionCache.set(key, fn);
  }
  const optimum = fn.optimum;
  const tracked = createTrackedProblem(fn, budget, createRandom(runSeed, 'agent'), {
    stopAtValue: optimum + targetError,
    checkpoints,
  });

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
  } finally {
    Math.random = originalRandom;
  }

  let bestPoint = tracked.bestPoint();
  let bestValue = tracked.bestValue();
  if (finished && tracked.stoppedAt() === null) {
    // The returned point counts only when the run was not already stopped at the target.
    const problem = checkReturnedPoint(returned, fn);
    if (problem === null) {
      const point = Float64Array.from(returned as ArrayLike<number>);
      const value = evaluateOne(fn, point);
      if (bestPoint === null || value < bestValue) {
        bestPoint = point;
        bestValue = value;
      }
    } else {
      context.log(`Ignored the returned point: ${problem}. Keeping the best evaluated point.`);
    }
  }
  if (bestPoint === null) {
    throw new Error(`The agent evaluated no point and returned no valid point for ${fn.id}.`);
  }
  const clean = (value: number): number => {
    const error = value - optimum;
    return error <= targetError ? 0 : error;
  };
  const recorded = tracked.checkpointValues().map(clean);
  const finalError = clean(bestValue);
  while (recorded.length < checkpoints.length) recorded.push(finalError);
  const stoppedAt = tracked.stoppedAt();
  return {
    bestPoint: Array.from(bestPoint),
    bestValue,
    optimum,
    evaluations: stoppedAt ?? tracked.used(),
    reachedTarget: stoppedAt !== null || finalError === 0,
    checkpointErrors: recorded,
  };
};

function evaluateOne(fn: BoxedFunction, point: Float64Array): number {
  const out = new Float64Array(1);
  fn.evaluateBatch(point, 1, out);
  return out[0] as number;
}
