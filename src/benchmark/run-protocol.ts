/**
 * @module Runs a benchmark protocol (CEC2022's by default): every (function, dimension) case is run
 * `runs` times with independent seeds, each run in the sandbox through the harness
 * (`src/harness/run-harness.ts`; agent code never runs in the clade process), with a fixed budget,
 * an early stop at a target error and the best error recorded at checkpoints. Runs go through a
 * pool of `workers` concurrent sandboxes. The host recomputes each run's reported best value.
 * Statistics and tables: `protocol-report.ts`.
 */
import { CladeError } from '../core/errors.js';
import { deriveSeed } from '../core/random.js';
import type { AgentFiles } from '../core/types.js';
import type { AgentBundler } from '../harness/bundle-agent.js';
import { reportedValueMatches } from '../harness/recheck.js';
import { EvaluationAbortedError, type HarnessRunResult, harnessJobResult, runHarness } from '../harness/run-harness.js';
import type { Sandbox, SandboxLimits } from '../sandbox/types.js';
import type { BoxedBenchmarkFunction } from './protocol-functions.js';
import {
  PROTOCOL_JOB_KIND,
  type ProtocolFunctionSpec,
  type ProtocolJob,
  parseProtocolJobOutput,
} from './protocol-job.js';
import type { ProtocolSuite } from './protocol-suite.js';

/** One run's result. */
export interface ProtocolRun {
  fn: number;
  dimension: number;
  run: number;
  seed: number;
  ok: boolean;
  /** Final error (0 at or below the target); null for a failed run. */
  error: number | null;
  evaluations: number | null;
  /** Best error at each checkpoint; empty for a failed run. */
  checkpointErrors: number[];
  durationMs: number;
  /** Why the run failed, or a log excerpt. */
  message: string | null;
}

/** Options of `runProtocol`. */
export interface RunProtocolOptions {
  suite: ProtocolSuite;
  agent: AgentFiles;
  /** The agent's entry file, e.g. `optimizer.ts`. */
  agentEntry: string;
  functions: readonly number[];
  dimensions: readonly number[];
  runs: number;
  /** Sandboxes running at once. */
  workers: number;
  /** Seed of every run's seed. */
  seed: number;
  sandbox: Sandbox;
  limits: SandboxLimits;
  bundle: AgentBundler;
  harness: string;
  /** Runs already done (e.g. kept from an earlier, interrupted call): they are not run again. */
  skip?: (fn: number, dimension: number, run: number) => boolean;
  /** Called after each run (for progress and incremental saving). */
  onRun?: (run: ProtocolRun, done: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * Runs the protocol and returns every run (run 0 of every case, then run 1 …). The agent is bundled
 * once; each run is one sandbox invocation of the harness with one `numeric-protocol` job. After
 * `signal` aborts, runs still in flight are dropped (not reported as failures).
 *
 * @throws CladeError `AGENT_INVALID` when the agent does not bundle; `TASK_INVALID` for a bad case.
 */
export async function runProtocol(options: RunProtocolOptions): Promise<ProtocolRun[]> {
  const { suite } = options;
  const bundled = await options.bundle(options.agent, options.agentEntry);
  if (!bundled.ok) throw new CladeError('AGENT_INVALID', `The agent does not build: ${bundled.error}`);

  interface Pending {
    fn: number;
    dimension: number;
    run: number;
    job: ProtocolJob;
  }
  const pending: Pending[] = [];
  const hosts = new Map<string, BoxedBenchmarkFunction>();
  // Run-major order: an interrupted protocol has every case with nearly the same number of runs.
  const specs = new Map<string, ProtocolFunctionSpec>();
  for (const dimension of options.dimensions) {
    for (const fn of options.functions) {
      specs.set(`${fn}/${dimension}`, suite.spec(fn, dimension));
      hosts.set(`${fn}/${dimension}`, suite.create(fn, dimension));
    }
  }
  for (let run = 0; run < options.runs; run++) {
    for (const dimension of options.dimensions) {
      const budget = suite.budget(dimension);
      const checkpoints = suite.checkpoints(dimension, budget);
      for (const fn of options.functions) {
        if (options.skip?.(fn, dimension, run)) continue;
        const runSeed = deriveSeed(options.seed, suite.name, fn, dimension, run);
        pending.push({
          fn,
          dimension,
          run,
          job: {
            case: `${suite.label(fn)}-D${dimension}`,
            function: specs.get(`${fn}/${dimension}`) as ProtocolFunctionSpec,
            budget,
            runSeed,
            targetError: suite.targetError,
            checkpoints,
          },
        });
      }
    }
  }

  const results: ProtocolRun[] = new Array(pending.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      if (options.signal?.aborted) return;
      const index = next++;
      const item = pending[index];
      if (item === undefined) return;
      const run = await runOne(item, bundled.code, hosts.get(`${item.fn}/${item.dimension}`) as BoxedBenchmarkFunction);
      // A run killed by the caller's abort is not a result: it is left out, not counted as failed.
      if (run === null) return;
      results[index] = run;
      done++;
      options.onRun?.(run, done, pending.length);
    }
  };

  const runOne = async (
    item: Pending,
    agentCode: string,
    host: BoxedBenchmarkFunction,
  ): Promise<ProtocolRun | null> => {
    const base = { fn: item.fn, dimension: item.dimension, run: item.run, seed: item.job.runSeed };
    const fail = (message: string, durationMs: number): ProtocolRun => ({
      ...base,
      ok: false,
      error: null,
      evaluations: null,
      checkpointErrors: [],
      durationMs,
      message,
    });
    let run: HarnessRunResult;
    try {
      run = await runHarness({
        sandbox: options.sandbox,
        harness: options.harness,
        agentCode,
        kind: PROTOCOL_JOB_KIND,
        jobs: [item.job],
        limits: options.limits,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      // A run killed by the caller's abort is not a result (see the worker).
      if (error instanceof EvaluationAbortedError && options.signal?.aborted) return null;
      if (error instanceof EvaluationAbortedError) return fail('the run was aborted', 0);
      throw error;
    }
    if (!run.ok) return fail(`the run ended badly (${run.status}): ${run.reason}`, run.sandbox.durationMs);
    const jobResult = harnessJobResult(run.output, 0);
    if (jobResult === undefined) {
      return fail(`the harness wrote no result for the run: ${run.sandbox.stderr.slice(-500)}`, run.sandbox.durationMs);
    }
    if (!jobResult.ok) return fail(jobResult.error ?? 'the run failed', jobResult.durationMs);
    const parsed = parseProtocolJobOutput(jobResult.output, item.job);
    if (!parsed.ok) return fail(`malformed output: ${parsed.reason}`, jobResult.durationMs);
    const { bestPoint, bestValue, evaluations, checkpointErrors } = parsed.value;
    // The host recomputes the best value: a sandbox cannot report an error it did not reach.
    const point = Float64Array.from(bestPoint);
    if (bestPoint.some((x) => x < host.lower || x > host.upper)) {
      return fail('the reported best point is outside the box', jobResult.durationMs);
    }
    const out = new Float64Array(1);
    host.evaluateBatch(point, 1, out);
    const value = out[0] as number;
    if (!reportedValueMatches(bestValue, value)) {
      return fail(`reported best value ${bestValue} but the point evaluates to ${value}`, jobResult.durationMs);
    }
    const rawError = value - host.optimum;
    const error = rawError <= item.job.targetError ? 0 : rawError;
    return { ...base, ok: true, error, evaluations, checkpointErrors, durationMs: jobResult.durationMs, message: null };
  };

  const workers = Math.max(1, Math.min(options.workers, pending.length));
  await Promise.all(Array.from({ length: workers }, () => worker()));
  return results.filter((run): run is ProtocolRun => run !== undefined);
}
