/**
 * @module Evaluates one node. A harness task's node is checked and bundled on the host and run by
 * the node harness in a sandbox (`src/harness/run-harness.ts`), and its result file becomes per-job
 * outcomes; a program task runs the node itself (`Task.runJobs`). Then the outcomes become a node
 * score, and their artifacts are capped. A failing child is a result with a status; only
 * infrastructure faults (and aborts) throw.
 */
import { CladeError } from '../core/errors.js';
import type { AgentFiles, EvaluationRecord, Metrics, NodeStatus } from '../core/types.js';
import { type AgentBundler, bundleAgent } from '../harness/bundle-agent.js';
import { loadHarness } from '../harness/load-harness.js';
import { EvaluationAbortedError, type HarnessRunResult, harnessJobResult, runHarness } from '../harness/run-harness.js';
import type { HarnessOutput } from '../harness/types.js';
import type { ModelProxy, ProxySession } from '../model-proxy/types.js';
import type { Sandbox, SandboxLimits } from '../sandbox/types.js';
import type { EvaluationJob, JobOutcome, Task, TaskHarness, TaskRun } from './types.js';

export interface EvaluateNodeOptions {
  task: Task;
  sandbox: Sandbox;
  limits: SandboxLimits;
  /** Bundles a harness task's agent (default `bundleAgent`); program tasks are not bundled. */
  bundle?: AgentBundler;
  /** Source of the bundled harness for harness tasks (default `loadHarness()`); program tasks run none. */
  harness?: string;
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
  /**
   * The jobs' artifacts (`JobOutcome.artifacts`), capped: by name for one job, `<problem>/<name>`
   * for several (`<problem>#<repeat>/<name>` where a problem repeats). Absent when there are none.
   */
  artifacts?: Record<string, string>;
}

const LOG_EXCERPT_CHARS = 2000;

/** Most UTF-8 bytes of one artifact a node keeps (the truncation marker included). */
export const ARTIFACT_BYTES = 4 * 1024;
/** Most UTF-8 bytes of one job's artifacts together. */
export const JOB_ARTIFACT_BYTES = 16 * 1024;
/** Ends an artifact that `evaluateNode` cut. */
export const ARTIFACT_TRUNCATION_MARKER = '\n[… truncated by clade: artifacts keep 4 KiB each, 16 KiB per job …]';

/**
 * Evaluates `files` on `options.jobs` (default every job of the task): through `task.runJobs` when
 * the task has it, else through the node harness (`task.harness`).
 *
 * @throws EvaluationAbortedError when `options.signal` aborted the run; CladeError `TASK_INVALID`
 * for a task with neither `runJobs` nor `harness`, or whose `runJobs` returned the wrong number of
 * outcomes.
 */
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

  const harness = task.harness;
  if (task.runJobs === undefined && harness === undefined) {
    throw new CladeError(
      'TASK_INVALID',
      `The ${task.kind} task has neither runJobs nor harness, so evaluateNode cannot run it; give the task one of the two.`,
    );
  }
  const agentProblem = task.checkAgent(files);
  if (agentProblem !== null) return failAll('build_failed', agentProblem);
  let agentCode = '';
  if (task.runJobs === undefined && harness !== undefined) {
    const bundled = await (options.bundle ?? bundleAgent)(files, harness.agentEntry);
    if (!bundled.ok) return failAll('build_failed', bundled.error);
    agentCode = bundled.code;
  }

  const limits = task.sandboxLimits?.(jobs, options.limits) ?? options.limits;
  let outcomes: JobOutcome[];
  let environment: string;
  if (task.runJobs !== undefined) {
    const session = await openModelSession(task, jobs, options);
    let run: TaskRun;
    try {
      run = await task.runJobs(files, jobs, {
        sandbox: options.sandbox,
        limits,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(session ? { modelSocket: session.socketPath } : {}),
      });
    } finally {
      await session?.close();
    }
    // Runs the caller aborted were killed: what they left is not a result.
    if (options.signal?.aborted) throw new EvaluationAbortedError();
    if (!run.ok) return failAll(run.status, run.error, run.environment);
    if (run.outcomes.length !== jobs.length) {
      throw new CladeError(
        'TASK_INVALID',
        `The ${task.kind} task's runJobs returned ${run.outcomes.length} outcomes for ${jobs.length} jobs; it must return one per job, in order.`,
      );
    }
    outcomes = run.outcomes;
    environment = run.environment;
  } else {
    const taskHarness = harness as TaskHarness;
    const taskFiles = taskHarness.files?.();
    const session = await openModelSession(task, jobs, options);
    let run: HarnessRunResult;
    try {
      run = await runHarness({
        sandbox: options.sandbox,
        harness: options.harness ?? (await loadHarness()),
        agentCode,
        kind: task.kind,
        jobs: taskHarness.inputs(jobs),
        ...(taskFiles ? { files: taskFiles } : {}),
        limits,
        ...(session ? { modelSocket: session.socketPath } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        // Tasks with a second step keep the jobs that finished before the time limit; the rest then
        // come without a result.
        keepPartial: taskHarness.judgeRun !== undefined,
      });
    } finally {
      await session?.close();
    }
    if (!run.ok) return failAll(run.status, run.reason, run.sandbox.environment);
    const output = run.output;
    environment = run.sandbox.environment;
    outcomes = taskHarness.judgeRun
      ? await taskHarness.judgeRun(
          jobs.map((job, index) => ({ job, result: harnessJobResult(output, index) })),
          { sandbox: options.sandbox, limits: options.limits, ...(options.signal ? { signal: options.signal } : {}) },
        )
      : judgeEach(task, taskHarness, jobs, output);
  }

  const { artifacts, omitted } = collectArtifacts(outcomes);
  const withArtifacts = artifacts === undefined ? {} : { artifacts };
  const evaluations = outcomes.map((outcome, index) => ({
    problem: outcome.job.problem,
    repeat: outcome.job.repeat,
    seed: outcome.job.seed,
    status: outcome.status,
    score: outcome.score,
    metrics: outcome.metrics,
    durationMs: outcome.durationMs,
    logExcerpt: excerpt(outcome.logExcerpt + omittedNote(omitted[index] ?? [])),
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
      environment,
      ...withArtifacts,
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
    environment,
    ...withArtifacts,
  };
}

/** Opens the node's model proxy session when the task's run calls models and there is a proxy. */
async function openModelSession(
  task: Task,
  jobs: readonly EvaluationJob[],
  options: EvaluateNodeOptions,
): Promise<ProxySession | null> {
  const access = task.modelAccess?.(jobs);
  if (access === undefined || options.modelProxy === undefined) return null;
  if (options.nodeId === undefined) {
    throw new CladeError(
      'TASK_INVALID',
      `The ${task.kind} task's agents call models, but evaluateNode got a model proxy without the node id to charge; pass nodeId.`,
    );
  }
  return options.modelProxy.openSession({
    nodeId: options.nodeId,
    purpose: access.purpose,
    budget: access.budget,
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** `TaskHarness.judge` for each job; a job the harness wrote no result for is invalid. */
function judgeEach(
  task: Task,
  harness: TaskHarness,
  jobs: readonly EvaluationJob[],
  output: HarnessOutput,
): JobOutcome[] {
  const judge = harness.judge;
  if (judge === undefined) {
    throw new CladeError(
      'TASK_INVALID',
      `The ${task.kind} task's harness has neither judge nor judgeRun, so its results cannot be scored; give it one of the two.`,
    );
  }
  return jobs.map((job, index) => {
    const jobResult = harnessJobResult(output, index);
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
    return judge.call(harness, job, jobResult);
  });
}

/**
 * The outcomes' artifacts merged into one map and capped: each artifact at `ARTIFACT_BYTES`, a
 * job's together at `JOB_ARTIFACT_BYTES`, in the job's key order (a cut one ends with
 * `ARTIFACT_TRUNCATION_MARKER`; one that no longer fits at all is left out and named in `omitted`,
 * by outcome index). Keys are prefixed with the job when there are several jobs. `artifacts` is
 * undefined when no outcome has any.
 */
export function collectArtifacts(outcomes: readonly JobOutcome[]): {
  artifacts: Record<string, string> | undefined;
  omitted: string[][];
} {
  const omitted: string[][] = outcomes.map(() => []);
  if (!outcomes.some((outcome) => outcome.artifacts !== undefined && Object.keys(outcome.artifacts).length > 0)) {
    return { artifacts: undefined, omitted };
  }
  const seenProblems = new Set<string>();
  const repeatedProblems = new Set<string>();
  for (const { job } of outcomes) {
    if (seenProblems.has(job.problem)) repeatedProblems.add(job.problem);
    seenProblems.add(job.problem);
  }
  const merged: Record<string, string> = {};
  outcomes.forEach((outcome, index) => {
    if (outcome.artifacts === undefined) return;
    const { job } = outcome;
    const prefix =
      outcomes.length === 1
        ? ''
        : repeatedProblems.has(job.problem)
          ? `${job.problem}#${job.repeat}/`
          : `${job.problem}/`;
    const capped = capJobArtifacts(outcome.artifacts);
    for (const [name, text] of Object.entries(capped.kept)) merged[`${prefix}${name}`] = text;
    omitted[index] = capped.omitted;
  });
  return { artifacts: merged, omitted };
}

/**
 * One job's artifacts within the caps (see `collectArtifacts`): what is kept, and the names of those
 * left out because the job's budget was spent.
 */
export function capJobArtifacts(artifacts: Readonly<Record<string, string>>): {
  kept: Record<string, string>;
  omitted: string[];
} {
  const kept: Record<string, string> = {};
  const omitted: string[] = [];
  const markerBytes = byteLength(ARTIFACT_TRUNCATION_MARKER);
  let remaining = JOB_ARTIFACT_BYTES;
  for (const [name, value] of Object.entries(artifacts)) {
    const text = typeof value === 'string' ? value : String(value);
    const cap = Math.min(ARTIFACT_BYTES, remaining);
    const bytes = byteLength(text);
    if (bytes > cap && cap <= markerBytes) {
      omitted.push(name);
      continue;
    }
    const capped = bytes <= cap ? text : `${truncateBytes(text, cap - markerBytes)}${ARTIFACT_TRUNCATION_MARKER}`;
    kept[name] = capped;
    remaining -= byteLength(capped);
  }
  return { kept, omitted };
}

/** The line a job's log gets for artifacts left out. */
function omittedNote(names: readonly string[]): string {
  return names.length === 0
    ? ''
    : `\n[clade left out artifacts over ${JOB_ARTIFACT_BYTES / 1024} KiB per job: ${names.join(', ')}]`;
}

/** The longest prefix of `text` with at most `bytes` UTF-8 bytes (never splitting a character). */
function truncateBytes(text: string, bytes: number): string {
  const encoded = Buffer.from(text, 'utf8');
  if (encoded.length <= bytes) return text;
  let end = Math.max(0, bytes);
  // Back up over continuation bytes (10xxxxxx) so that no character is split.
  while (end > 0 && ((encoded[end] as number) & 0xc0) === 0x80) end--;
  return encoded.subarray(0, end).toString('utf8');
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function excerpt(text: string): string {
  return text.length > LOG_EXCERPT_CHARS ? `…${text.slice(-LOG_EXCERPT_CHARS)}` : text;
}
