/**
 * @module `task.kind: program`: the user's own program (the campaign's `agent` directory, any
 * language, several files) scored by the user's own evaluator, run as argv commands in the sandbox.
 * Single mode: the evaluator runs the program (it may import it) and writes a JSON result.
 * Produce-then-judge: the program runs alone and writes output files; the evaluator then judges
 * those outputs in a separate sandbox run that does not hold the program's code. See docs/PROGRAM.md.
 */
import { deriveSeed } from '../core/random.js';
import {
  type AgentFiles,
  type EvaluationStatus,
  type Metrics,
  type NodeStatus,
  PRIVATE_METRIC_PREFIX,
} from '../core/types.js';
import { EvaluationAbortedError } from '../harness/run-harness.js';
import { abnormalEnding, exitDescription } from '../harness/sandbox-exit.js';
import type { CollectedFiles } from '../sandbox/collect-files.js';
import type { SandboxLimits, SandboxResult } from '../sandbox/types.js';
import {
  type PreparedProgramTaskConfig,
  type ProgramTaskConfig,
  prepareProgramTask,
  programTaskSchema,
  readEvaluatorFiles,
} from './program-config.js';
import { describeScoreMapping, mapScore, parseEvaluatorResult, type ScoreMapping } from './program-result.js';
import {
  BUILD_PRODUCT_BYTES,
  OUTPUT_BYTES,
  relativeTo,
  runLog,
  runRequest,
  SCRATCH_DIRECTORY,
} from './program-runs.js';
import { defineTaskKind } from './task-kind.js';
import type { EvaluationJob, JobOutcome, Task, TaskRun, TaskRunContext, TaskScore } from './types.js';

/**
 * Where a node's runs ran, for replay: the job run's environment first (its prefix tells `clade
 * replay` the sandbox kind), then `; judge: …` and `; build: …` where those runs' differ.
 */
function withOthers(main: string, others: ReadonlyArray<readonly [string, string]>): string {
  const parts = [main];
  for (const [label, environment] of others) {
    if (environment !== '' && environment !== main && !parts.includes(`${label}: ${environment}`)) {
      parts.push(`${label}: ${environment}`);
    }
  }
  return parts.join('; ');
}

/** Options of `createProgramTask`. */
export interface ProgramTaskOptions {
  /** The campaign's seed: job seeds derive from it (the same for every node). */
  campaignSeed: number;
}

/**
 * The `program` task kind: its campaign-file schema, `prepare` (resolves and checks the evaluator
 * and the description file against the campaign file's directory) and `create`.
 */
export const programTaskKind = defineTaskKind<ProgramTaskConfig>({
  kind: 'program',
  summary: 'your own program in any language, scored by your own evaluator (single run, or produce then judge)',
  schema: programTaskSchema,
  prepare: (config, context) => prepareProgramTask(config, context),
  create: (config, runtime) => createProgramTask(config as PreparedProgramTaskConfig, { campaignSeed: runtime.seed }),
});

/**
 * Creates a program task from a prepared configuration (`prepareProgramTask`: the evaluator's path
 * absolute and checked).
 *
 * Jobs: one per instance × repeat, problem id = the instance name, seed =
 * deriveSeed(campaignSeed, 'run', instance, repeat). A job's score is the evaluator's raw score
 * mapped by `mapScore` (direction, `scoreRange`); the raw score is kept as the `rawScore` metric.
 */
export function createProgramTask(config: PreparedProgramTaskConfig, options: ProgramTaskOptions): Task {
  const evaluator = readEvaluatorFiles(config.evaluator);
  const mapping: ScoreMapping = { direction: config.direction, range: config.scoreRange };
  const failedRaw =
    config.failedJobScore ??
    (config.scoreRange ? (config.direction === 'maximize' ? config.scoreRange[0] : config.scoreRange[1]) : undefined);
  const jobs: EvaluationJob[] = [];
  for (const instance of config.jobs.instances) {
    for (let repeat = 0; repeat < config.jobs.repeats; repeat++) {
      jobs.push({ problem: instance, repeat, seed: deriveSeed(options.campaignSeed, 'run', instance, repeat) });
    }
  }
  const producing = config.mode === 'produce-then-judge';
  const description =
    `program (${config.mode}): ${config.jobs.instances.length} instance${config.jobs.instances.length === 1 ? '' : 's'}` +
    ` × ${config.jobs.repeats} repeat${config.jobs.repeats === 1 ? '' : 's'}, ${config.direction} the evaluator's score` +
    (config.scoreRange ? ` in [${config.scoreRange[0]}, ${config.scoreRange[1]}]` : '');

  const limitsOf = (campaign: SandboxLimits): SandboxLimits => ({
    ...campaign,
    ...(config.timeoutSeconds !== undefined ? { timeoutMs: config.timeoutSeconds * 1000 } : {}),
  });

  const outcome = (
    job: EvaluationJob,
    status: EvaluationStatus,
    reason: string,
    durationMs: number,
    log = '',
  ): JobOutcome => ({
    job,
    status,
    score: null,
    metrics: { reason: reason.slice(0, 200) },
    durationMs,
    logExcerpt: log ? `${log}\n${reason}` : reason,
  });

  /** One job's evaluator (or judge) result, from its sandbox run. */
  const judgeResult = (
    job: EvaluationJob,
    result: SandboxResult,
    limits: SandboxLimits,
    who: string,
    extraMs = 0,
  ): JobOutcome => {
    const durationMs = result.durationMs + extraMs;
    const log = runLog(result);
    const ending = abnormalEnding(result, limits);
    if (ending) return outcome(job, ending.status, `The ${who} was ${ending.reason}.`, durationMs, log);
    if (result.exitCode !== 0) {
      return outcome(job, 'crashed', `The ${who} ${exitDescription(result)}.`, durationMs, log);
    }
    if (result.result === undefined) {
      return outcome(
        job,
        'invalid',
        `The ${who} exited with code 0 without a usable result: ${result.resultError ?? 'no result file'}. It must write JSON like {"score": 1.5} to {result}.`,
        durationMs,
        log,
      );
    }
    const parsed = parseEvaluatorResult(result.result);
    if (typeof parsed === 'string') return outcome(job, 'invalid', parsed, durationMs, log);
    const metrics: Metrics = { ...parsed.publicMetrics };
    for (const [name, value] of Object.entries(parsed.privateMetrics))
      metrics[`${PRIVATE_METRIC_PREFIX}${name}`] = value;
    if (parsed.score === null) {
      return {
        ...outcome(job, 'failed', `The ${who} judged the program failed: ${parsed.error}`, durationMs, log),
        metrics: { ...metrics, reason: (parsed.error ?? '').slice(0, 200) },
        ...(Object.keys(parsed.artifacts).length > 0 ? { artifacts: parsed.artifacts } : {}),
      };
    }
    metrics.rawScore = parsed.score;
    return {
      job,
      status: 'ok',
      score: mapScore(parsed.score, mapping),
      metrics,
      durationMs,
      logExcerpt: log,
      ...(Object.keys(parsed.artifacts).length > 0 ? { artifacts: parsed.artifacts } : {}),
    };
  };

  /** Builds the node's program once; the products, or the node's failure. */
  const build = async (
    files: AgentFiles,
    context: TaskRunContext,
    limits: SandboxLimits,
  ): Promise<
    | { ok: true; products: CollectedFiles; environment: string }
    | { ok: false; status: NodeStatus; error: string; environment: string }
  > => {
    const command = config.build as readonly string[];
    const result = await context.sandbox.run(
      runRequest({
        phase: 'build',
        command,
        job: null,
        program: files,
        collect: { paths: [SCRATCH_DIRECTORY], maxBytes: BUILD_PRODUCT_BYTES },
        limits,
        ...(context.signal ? { signal: context.signal } : {}),
      }),
    );
    if (result.exit === 'aborted') throw new EvaluationAbortedError();
    const log = runLog(result, 4000);
    const ending = abnormalEnding(result, limits);
    const failed = (why: string) => ({
      ok: false as const,
      status: 'build_failed' as const,
      error: `The build (${command.join(' ')}) ${why}.${log ? `\n${log}` : ''}`,
      environment: result.environment,
    });
    if (ending) return failed(`was ${ending.reason}`);
    if (result.exitCode !== 0) return failed(exitDescription(result));
    if (result.collected === undefined) {
      return failed(
        `left products the ${context.sandbox.kind} sandbox could not hand back (it does not support collecting files)`,
      );
    }
    if (result.collected.error !== null)
      return failed(`left products that could not be collected: ${result.collected.error}`);
    return { ok: true, products: relativeTo(SCRATCH_DIRECTORY, result.collected), environment: result.environment };
  };

  /** Produce-then-judge: runs the program on one job, then the judge on its outputs. */
  const produceAndJudge = async (
    files: AgentFiles,
    job: EvaluationJob,
    products: CollectedFiles | undefined,
    context: TaskRunContext,
    limits: SandboxLimits,
  ): Promise<{ outcome: JobOutcome; environment: string }> => {
    const produced = await context.sandbox.run(
      runRequest({
        phase: 'produce',
        command: config.produce as readonly string[],
        job,
        program: files,
        ...(products ? { build: products } : {}),
        collect: { paths: config.outputs.map((name) => `${SCRATCH_DIRECTORY}/${name}`), maxBytes: OUTPUT_BYTES },
        limits,
        ...(context.modelSocket !== undefined ? { modelSocket: context.modelSocket } : {}),
        ...(context.signal ? { signal: context.signal } : {}),
      }),
    );
    if (produced.exit === 'aborted') throw new EvaluationAbortedError();
    const log = runLog(produced);
    const ending = abnormalEnding(produced, limits);
    const environment = produced.environment;
    if (ending)
      return {
        outcome: outcome(job, ending.status, `The program was ${ending.reason}.`, produced.durationMs, log),
        environment,
      };
    if (produced.exitCode !== 0) {
      return {
        outcome: outcome(job, 'crashed', `The program ${exitDescription(produced)}.`, produced.durationMs, log),
        environment,
      };
    }
    if (produced.collected === undefined) {
      return {
        outcome: outcome(
          job,
          'crashed',
          `The ${context.sandbox.kind} sandbox cannot hand back produced files; use the process or docker sandbox.`,
          produced.durationMs,
          log,
        ),
        environment,
      };
    }
    if (produced.collected.error !== null) {
      return {
        outcome: outcome(
          job,
          'invalid',
          `The program's outputs were refused: ${produced.collected.error}.`,
          produced.durationMs,
          log,
        ),
        environment,
      };
    }
    const outputs = relativeTo(SCRATCH_DIRECTORY, produced.collected).files;
    const missing = config.outputs.filter((name) => !Object.hasOwn(outputs, name));
    if (missing.length > 0) {
      return {
        outcome: outcome(
          job,
          'invalid',
          `The program exited without writing ${missing.map((name) => `{output}/${name}`).join(', ')}.`,
          produced.durationMs,
          log,
        ),
        environment,
      };
    }
    const judged = await context.sandbox.run(
      runRequest({
        phase: 'judge',
        command: config.command,
        job,
        evaluator,
        outputs,
        limits,
        ...(context.signal ? { signal: context.signal } : {}),
      }),
    );
    if (judged.exit === 'aborted') throw new EvaluationAbortedError();
    const result = judgeResult(job, judged, limits, 'judge', produced.durationMs);
    // The program's own log is what a model can act on; the judge's follows it.
    return {
      outcome: log ? { ...result, logExcerpt: `${log}\n${result.logExcerpt}`.trim() } : result,
      environment: withOthers(environment, [['judge', judged.environment]]),
    };
  };

  const task: Task = {
    kind: 'program',
    description,
    deterministic: config.deterministic,

    describeForModel() {
      const parts: string[] = [];
      if (config.description) parts.push(config.description.trim());
      parts.push(
        producing
          ? 'The program is run on its own and writes output files; a separate evaluator (not shown to you, and never run with your code) then scores those outputs.'
          : 'The program is run and scored by an evaluator that is not shown to you.',
      );
      parts.push(
        `It is evaluated on ${jobs.length} job${jobs.length === 1 ? '' : 's'} (instances: ${config.jobs.instances.join(', ')}${config.jobs.repeats > 1 ? `; ${config.jobs.repeats} seeds each` : ''}).`,
      );
      parts.push(describeScoreMapping(mapping));
      if (config.build)
        parts.push(`It is built first with: ${config.build.join(' ')} (a failing build scores nothing).`);
      parts.push(
        "The evaluator's artifacts (errors, feedback) and public metrics of the parent are shown with its code.",
      );
      return parts.join('\n\n');
    },

    jobs: () => jobs.map((job) => ({ ...job })),

    checkAgent(files: AgentFiles) {
      if (Object.keys(files).length === 0) return 'The program directory is empty; restore the program files.';
      return null;
    },

    ...(config.modelAccess
      ? {
          modelAccess: (selected: readonly EvaluationJob[]) => ({
            purpose: 'evaluation',
            budget: {
              tokens: (config.modelAccess?.tokens ?? 0) * Math.max(1, selected.length),
              calls: (config.modelAccess?.calls ?? 0) * Math.max(1, selected.length),
            },
          }),
        }
      : {}),

    async runJobs(files: AgentFiles, selected: readonly EvaluationJob[], context: TaskRunContext): Promise<TaskRun> {
      const limits = limitsOf(context.limits);
      let products: CollectedFiles | undefined;
      let environment = '';
      let buildEnvironment = '';
      if (config.build) {
        const built = await build(files, context, limits);
        if (!built.ok) return built;
        products = built.products;
        buildEnvironment = built.environment;
      }
      const outcomes: JobOutcome[] = [];
      for (const job of selected) {
        if (producing) {
          const done = await produceAndJudge(files, job, products, context, limits);
          outcomes.push(done.outcome);
          environment = done.environment;
          continue;
        }
        const result = await context.sandbox.run(
          runRequest({
            phase: 'evaluate',
            command: config.command,
            job,
            program: files,
            ...(products ? { build: products } : {}),
            evaluator,
            limits,
            ...(context.modelSocket !== undefined ? { modelSocket: context.modelSocket } : {}),
            ...(context.signal ? { signal: context.signal } : {}),
          }),
        );
        if (result.exit === 'aborted') throw new EvaluationAbortedError();
        environment = result.environment;
        outcomes.push(judgeResult(job, result, limits, 'evaluator'));
      }
      return { ok: true, outcomes, environment: withOthers(environment, [['build', buildEnvironment]]) };
    },

    aggregate(outcomes): TaskScore {
      const succeeded = outcomes.filter((entry) => entry.status === 'ok' && entry.score !== null);
      const counted: number[] = succeeded.map((entry) => entry.score as number);
      if (failedRaw !== undefined) {
        for (const entry of outcomes) if (entry.status !== 'ok') counted.push(mapScore(failedRaw, mapping));
      }
      const score = counted.length > 0 ? counted.reduce((sum, value) => sum + value, 0) / counted.length : 0;
      const publicMetrics: Metrics = {};
      const privateMetrics: Metrics = {};
      const numeric = new Map<string, { sum: number; count: number; target: Metrics; name: string }>();
      for (const entry of succeeded) {
        for (const [key, value] of Object.entries(entry.metrics)) {
          const isPrivate = key.startsWith(PRIVATE_METRIC_PREFIX);
          const name = isPrivate ? key.slice(PRIVATE_METRIC_PREFIX.length) : key;
          const target = isPrivate ? privateMetrics : publicMetrics;
          if (typeof value === 'number') {
            const slot = numeric.get(key) ?? { sum: 0, count: 0, target, name };
            slot.sum += value;
            slot.count += 1;
            numeric.set(key, slot);
          } else if (!Object.hasOwn(target, name)) {
            target[name] = value;
          }
        }
      }
      // Several jobs: numeric metrics are means over the jobs that succeeded.
      for (const slot of numeric.values()) slot.target[slot.name] = slot.sum / slot.count;
      if (config.jobs.instances.length > 1) {
        for (const instance of config.jobs.instances) {
          const mine = succeeded.filter((entry) => entry.job.problem === instance);
          const raws = mine
            .map((entry) => entry.metrics.rawScore)
            .filter((value): value is number => typeof value === 'number');
          if (raws.length > 0)
            publicMetrics[`rawScore:${instance}`] = raws.reduce((sum, value) => sum + value, 0) / raws.length;
        }
      }
      publicMetrics.jobs = outcomes.length;
      publicMetrics.failedJobs = outcomes.length - succeeded.length;
      return { score, publicMetrics, privateMetrics };
    },
  };
  return task;
}
