/**
 * @module Evaluates one node: checks and bundles its code on the host, runs the harness in a
 * sandbox, and turns the result file into per-job outcomes and a node score. A failing child is
 * a result with a status; only infrastructure faults (and aborts) throw.
 */
import { CladeError } from '../core/errors.js';
import type { AgentFiles, EvaluationRecord, Metrics, NodeStatus } from '../core/types.js';
import type { ModelProxy, ProxySession } from '../model-proxy/types.js';
import { HARNESS_AGENT_FILE, harnessRequest } from '../sandbox/harness.js';
import type { Sandbox, SandboxLimits, SandboxResult } from '../sandbox/types.js';
import type { EvaluationJob, HarnessInput, HarnessJobResult, HarnessOutput, JobOutcome, Task } from './types.js';

/** Bundles an agent tree into one ES module (see `sandbox/bundle-agent.ts`). */
export type AgentBundler = (
  files: AgentFiles,
  entry: string,
) => Promise<{ ok: true; code: string } | { ok: false; error: string }>;

export interface EvaluateNodeOptions {
  task: Task;
  sandbox: Sandbox;
  limits: SandboxLimits;
  bundle: AgentBundler;
  /** Source of the bundled harness. */
  harness: string;
  signal?: AbortSignal;
  /** The jobs to run (a stage, or one HGM task); default every job of the task. */
  jobs?: readonly EvaluationJob[];
  /**
   * The campaign's model proxy, for tasks whose agents call models (`Task.modelAccess`): a session
   * is opened for `nodeId` around the agent's sandbox run. Without it such agents get no socket.
   */
  modelProxy?: ModelProxy;
  /** The node being evaluated (model calls are recorded against it). Required with `modelProxy`. */
  nodeId?: number;
}

/** Everything the archive stores about an evaluation, except the node id. */
export interface NodeEvaluation {
  status: NodeStatus;
  score: number | null;
  publicMetrics: Metrics;
  privateMetrics: Metrics;
  error: string | null;
  evaluations: Omit<EvaluationRecord, 'nodeId'>[];
  durationMs: number;
  /** Objective-function evaluations (or task steps) the agent used, summed over jobs. */
  functionEvaluations: number;
  /** Where it ran (node version, image digest), for replay. */
  environment: string;
}

const LOG_EXCERPT_CHARS = 2000;

/** Thrown when the evaluation was aborted on purpose; the child is then not recorded. */
export class EvaluationAbortedError extends CladeError {
  constructor() {
    super('SANDBOX_FAILED', 'Evaluation aborted before it finished; the child was not recorded.');
  }
}

export async function evaluateNode(files: AgentFiles, options: EvaluateNodeOptions): Promise<NodeEvaluation> {
  const { task } = options;
  const started = Date.now();
  const jobs = options.jobs ? [...options.jobs] : task.jobs();
  const failAll = (status: NodeStatus, error: string, environment = 'host'): NodeEvaluation => ({
    status,
    score: null,
    publicMetrics: {},
    privateMetrics: {},
    error,
    evaluations: jobs.map((job) => ({
      problem: job.problem,
      repeat: job.repeat,
      seed: job.seed,
      status: status === 'timeout' ? 'timeout' : status === 'crashed' ? 'crashed' : 'invalid',
      score: null,
      metrics: {},
      durationMs: 0,
      logExcerpt: excerpt(error),
    })),
    durationMs: Date.now() - started,
    functionEvaluations: 0,
    environment,
  });

  const agentProblem = task.checkAgent(files);
  if (agentProblem !== null) return failAll('build_failed', agentProblem);
  const bundled = await options.bundle(files, task.agentEntry);
  if (!bundled.ok) return failAll('build_failed', bundled.error);

  const input: HarnessInput = { kind: task.kind, agent: HARNESS_AGENT_FILE, jobs: task.harnessJobs(jobs) };
  const limits = task.sandboxLimits?.(jobs, options.limits) ?? options.limits;
  const access = task.modelAccess?.(jobs);
  let session: ProxySession | null = null;
  if (access !== undefined && options.modelProxy !== undefined) {
    if (options.nodeId === undefined) {
      throw new CladeError(
        'TASK_INVALID',
        `The ${task.kind} task's agents call models, but evaluateNode got a model proxy without the node id to charge; pass nodeId.`,
      );
    }
    session = await options.modelProxy.openSession({
      nodeId: options.nodeId,
      purpose: access.purpose,
      budget: access.budget,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }
  let result: SandboxResult;
  try {
    const files = task.sandboxFiles?.();
    result = await options.sandbox.run(
      harnessRequest({
        harness: options.harness,
        agentCode: bundled.code,
        input,
        ...(files ? { files } : {}),
        limits,
        ...(session ? { modelSocket: session.socketPath } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    );
  } finally {
    await session?.close();
  }
  if (result.exit === 'aborted') throw new EvaluationAbortedError();
  // Tasks with a second step keep the jobs that finished before the time limit (the harness writes
  // its result file after each job); the rest then come without a result.
  const partial = result.exit === 'timeout' && task.judgeRun !== undefined ? readHarnessOutput(result) : null;
  if (result.exit === 'timeout' && (partial === null || typeof partial === 'string')) {
    return failAll(
      'timeout',
      `Evaluation killed at the wall-clock limit of ${Math.round(limits.timeoutMs / 1000)} s.${outputTail(result)}`,
      result.environment,
    );
  }
  if (result.exit === 'memory') {
    return failAll(
      'crashed',
      `Evaluation killed for passing the memory cap of ${limits.memoryMb} MiB.${outputTail(result)}`,
      result.environment,
    );
  }
  if (result.exit === 'disk') {
    return failAll(
      'crashed',
      `Evaluation killed for filling its work directory (${result.resultError ?? 'disk cap reached'}).${outputTail(result)}`,
      result.environment,
    );
  }
  if (result.exit === 'lost') {
    return failAll('crashed', `Evaluation lost: ${result.resultError ?? 'its worker failed'}.`, result.environment);
  }
  const output = readHarnessOutput(result);
  if (typeof output === 'string') {
    // A result file that exists but was refused (a link, too large, not JSON) is invalid, not a crash.
    const rejected = result.resultError?.includes(' rejected: ') === true;
    const status: NodeStatus = result.result === undefined && !rejected ? 'crashed' : 'invalid';
    return failAll(status, output, result.environment);
  }

  const outcomes: JobOutcome[] = task.judgeRun
    ? await task.judgeRun(
        jobs.map((job, index) => ({ job, result: output.jobs.find((candidate) => candidate.index === index) })),
        { sandbox: options.sandbox, limits: options.limits, ...(options.signal ? { signal: options.signal } : {}) },
      )
    : judgeEach(task, jobs, output);
  const evaluations = outcomes.map((outcome) => ({
    problem: outcome.job.problem,
    repeat: outcome.job.repeat,
    seed: outcome.job.seed,
    status: outcome.status,
    score: outcome.score,
    metrics: outcome.metrics,
    durationMs: outcome.durationMs,
    logExcerpt: excerpt(outcome.logExcerpt),
  }));
  const functionEvaluations = outcomes.reduce((sum, outcome) => {
    const used = outcome.metrics.evaluations;
    return sum + (typeof used === 'number' ? used : 0);
  }, 0);
  const succeeded = outcomes.filter((outcome) => outcome.status === 'ok');
  if (succeeded.length === 0) {
    const first = outcomes[0];
    const allInvalid = outcomes.every((outcome) => outcome.status === 'invalid');
    return {
      status: allInvalid ? 'invalid' : 'crashed',
      score: null,
      publicMetrics: {},
      privateMetrics: {},
      error: `Every job failed; the first (${first?.job.problem ?? '?'}): ${first?.logExcerpt.split('\n').slice(-3).join(' ') ?? ''}`,
      evaluations,
      durationMs: Date.now() - started,
      functionEvaluations,
      environment: result.environment,
    };
  }
  const aggregate = task.aggregate(outcomes);
  const failed = outcomes.length - succeeded.length;
  return {
    status: 'scored',
    score: aggregate.score,
    publicMetrics: aggregate.publicMetrics,
    privateMetrics: aggregate.privateMetrics,
    error: failed > 0 ? `${failed} of ${outcomes.length} jobs failed and scored 0.` : null,
    evaluations,
    durationMs: Date.now() - started,
    functionEvaluations,
    environment: result.environment,
  };
}

/** `Task.judge` for each job; a job the harness wrote no result for is invalid. */
function judgeEach(task: Task, jobs: readonly EvaluationJob[], output: HarnessOutput): JobOutcome[] {
  return jobs.map((job, index) => {
    const jobResult = output.jobs.find((candidate) => candidate.index === index);
    if (!jobResult) {
      return {
        job,
        status: 'invalid',
        score: null,
        metrics: {},
        durationMs: 0,
        logExcerpt: 'The harness wrote no result for this job.',
      };
    }
    return task.judge(job, jobResult);
  });
}

/** Checks the harness result file's shape; returns a reason string when it is unusable. */
function readHarnessOutput(result: SandboxResult): HarnessOutput | string {
  if (result.result === undefined) {
    const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
    return `The agent process ${how} without writing its result (${result.resultError ?? 'no result'}).${outputTail(result)}`;
  }
  const value = result.result as Partial<HarnessOutput> | null;
  if (value === null || typeof value !== 'object' || !Array.isArray(value.jobs)) {
    return 'The result file is not a harness output (expected {"harnessVersion", "jobs": [...]}).';
  }
  for (const job of value.jobs as unknown[]) {
    const candidate = job as Partial<HarnessJobResult> | null;
    if (
      candidate === null ||
      typeof candidate !== 'object' ||
      typeof candidate.index !== 'number' ||
      typeof candidate.ok !== 'boolean' ||
      typeof candidate.durationMs !== 'number' ||
      typeof candidate.log !== 'string'
    ) {
      return 'The result file holds a malformed job entry (expected index, ok, durationMs, log).';
    }
  }
  return value as HarnessOutput;
}

function outputTail(result: SandboxResult): string {
  const tail = `${result.stderr}${result.stdout}`.trim();
  return tail ? `\nOutput tail:\n${tail.slice(-800)}` : '';
}

function excerpt(text: string): string {
  return text.length > LOG_EXCERPT_CHARS ? `…${text.slice(-LOG_EXCERPT_CHARS)}` : text;
}
