/**
 * @module The `Task` plug-in point: what a node is evaluated on, how the sandbox is asked to run
 * it, and how outputs become scores. A task runs the node either through the node harness (its
 * `harness` member: numeric optimisation, coding agents) or by itself (`runJobs`: program tasks).
 */
import type { AgentFiles, EvaluationStatus, Metrics, NodeStatus } from '../core/types.js';
import type { HarnessJobResult } from '../harness/types.js';
import type { ProxyBudget } from '../model-proxy/types.js';
import type { Sandbox, SandboxLimits } from '../sandbox/types.js';

/** One unit of evaluation: a problem × repeat with its seed. */
export interface EvaluationJob {
  /** Problem id, unique within the task (e.g. `rastrigin-d10`). */
  problem: string;
  repeat: number;
  /** Seed for the agent's random source in this job. The same for every node (common random numbers). */
  seed: number;
}

/** What the host concluded about one job. */
export interface JobOutcome {
  job: EvaluationJob;
  status: EvaluationStatus;
  score: number | null;
  metrics: Metrics;
  durationMs: number;
  logExcerpt: string;
  /**
   * Text the run produced for the next prompts (an evaluator's feedback, a failing case …), by name.
   * `evaluateNode` caps each at 4 KiB and a job's together at 16 KiB, marking what it cut.
   */
  artifacts?: Record<string, string>;
}

/** Node-level aggregate of job outcomes. */
export interface TaskScore {
  score: number;
  publicMetrics: Metrics;
  privateMetrics: Metrics;
}

/** What a task's agent run needs from the model proxy (see `Task.modelAccess`). */
export interface TaskModelAccess {
  /** Stored with each model call, e.g. `evaluation`. */
  purpose: string;
  /** The session's budget for this run. */
  budget: ProxyBudget;
}

/** One job with what the agent's harness run returned for it (undefined: the harness wrote nothing). */
export interface AgentJobResult {
  job: EvaluationJob;
  result: HarnessJobResult | undefined;
}

/** What `TaskHarness.judgeRun` may use: the evaluation's sandbox, the campaign's limits, its abort signal. */
export interface JudgeRunContext {
  sandbox: Sandbox;
  limits: SandboxLimits;
  signal?: AbortSignal;
}

/** Context of `Task.runJobs`. */
export interface TaskRunContext {
  sandbox: Sandbox;
  limits: SandboxLimits;
  signal?: AbortSignal;
  /** A model proxy session for the node, when the task asks for model access (see modelAccess). */
  modelSocket?: string;
}

/** What `Task.runJobs` returns: one outcome per job, in order, and where it ran. */
export type TaskRun =
  | { ok: true; outcomes: JobOutcome[]; environment: string }
  /** The whole node failed before any job ran (build failed, …). */
  | { ok: false; status: NodeStatus; error: string; environment: string };

/**
 * How a task runs a node through the node harness (the bundled agent is called in-process by the
 * harness inside the sandbox). Harness tasks set `Task.harness`; program tasks set `Task.runJobs`.
 * Exactly one of `judge` and `judgeRun` is given.
 */
export interface TaskHarness {
  /** The agent entry file inside an agent tree (relative), bundled from there. */
  readonly agentEntry: string;
  /** The harness's kind-specific job descriptions for these jobs, in order (`HarnessInput.jobs`). */
  inputs(jobs: readonly EvaluationJob[]): unknown[];
  /**
   * Extra files for every sandbox run of this task (relative POSIX paths → contents), placed in
   * the work directory beside the harness: e.g. CEC2022 data files under `data/cec2022/`. Default none.
   */
  files?(): Readonly<Record<string, string | Uint8Array>>;
  /** Turns one harness job result into an outcome. Re-checks on the host what it can. */
  judge?(job: EvaluationJob, result: HarnessJobResult): JobOutcome;
  /**
   * A second, asynchronous step instead of `judge` (coding tasks: the hidden tests run on the files the
   * agent left, in a separate sandbox run without the agent). It gets every job with its harness
   * result and returns one outcome per job, in the same order. Tasks with this step also keep the
   * jobs that finished when the agent's run hit the sandbox's time limit (the harness writes its
   * result file after each job); the others come with an undefined result.
   */
  judgeRun?(entries: readonly AgentJobResult[], context: JudgeRunContext): Promise<JobOutcome[]>;
}

export interface Task {
  /** Task kind, e.g. `numeric`. */
  readonly kind: string;
  /** Human description, e.g. `builtin: sphere-d10, rastrigin-d10`. */
  readonly description: string;
  /**
   * Whether the same code with the same jobs and seeds always gets the same results (default true).
   * `clade replay` compares a deterministic task's results exactly, a noisy one's score against the
   * confidence interval stored in the node's metrics (`scoreCiLow`, `scoreCiHigh`).
   */
  readonly deterministic?: boolean;
  /**
   * What a mutator tells a model about this task: what the program is, what it is run on, how it
   * is scored and which way is better. Mutators ask the task; nothing outside a task branches on
   * its kind.
   */
  describeForModel(): string;
  /** Jobs that evaluate one node, in order. Identical for every node of a campaign. */
  jobs(): EvaluationJob[];
  /** How the node harness runs the node (harness tasks); absent when the task has `runJobs`. */
  readonly harness?: TaskHarness;
  /**
   * Runs the node's own program on `jobs` (program tasks), instead of the node harness. `evaluateNode`
   * calls it when present: no bundling, no harness.
   */
  runJobs?(files: AgentFiles, jobs: readonly EvaluationJob[], context: TaskRunContext): Promise<TaskRun>;
  /** Aggregates outcomes into the node's score and metrics. */
  aggregate(outcomes: readonly JobOutcome[]): TaskScore;
  /** Rejects agent trees the task cannot run (missing entry file …) with a message for the model. */
  checkAgent(files: AgentFiles): string | null;
  /**
   * Model access of the node's run on `jobs` (coding agents). `evaluateNode` then opens a model proxy
   * session for the node with this purpose and budget and passes its socket to the sandbox (harness
   * tasks) or to `runJobs` (`TaskRunContext.modelSocket`); without a proxy the run gets no socket.
   * Default: no model access.
   */
  modelAccess?(jobs: readonly EvaluationJob[]): TaskModelAccess;
  /** Sandbox limits of the node's run on `jobs` (e.g. time for every coding job); default the campaign's. */
  sandboxLimits?(jobs: readonly EvaluationJob[], limits: SandboxLimits): SandboxLimits;
}
