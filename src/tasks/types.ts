/**
 * @module The `Task` plug-in point: what a node is evaluated on, how the sandbox is asked to run
 * it, and how outputs become scores. Implementations: numeric optimisation (built-in functions;
 * CEC2022 later), coding exercises (later), user tasks.
 */
import type { AgentFiles, EvaluationStatus, Metrics } from '../core/types.js';
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
}

/** What the harness is given (as `input.json`) and what it writes back (as `result.json`). */
export interface HarnessInput {
  /** Task kind; the harness dispatches on it. */
  kind: string;
  /** The bundled agent module, relative to the work directory. */
  agent: string;
  /** Task-specific job descriptions, in order. */
  jobs: unknown[];
}

export interface HarnessJobResult {
  /** Index into `HarnessInput.jobs`. */
  index: number;
  ok: boolean;
  /** Task-specific output (for numeric tasks: best point, best value seen, evaluations used). */
  output?: unknown;
  /** Error message when `ok` is false. */
  error?: string;
  durationMs: number;
  /** The agent's captured console output for this job, capped. */
  log: string;
}

export interface HarnessOutput {
  harnessVersion: string;
  jobs: HarnessJobResult[];
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

/** What `Task.judgeRun` may use: the evaluation's sandbox, the campaign's limits, its abort signal. */
export interface JudgeRunContext {
  sandbox: Sandbox;
  limits: SandboxLimits;
  signal?: AbortSignal;
}

export interface Task {
  /** Task kind, e.g. `numeric`. */
  readonly kind: string;
  /** Human description, e.g. `builtin: sphere-d10, rastrigin-d10`. */
  readonly description: string;
  /** The agent entry file inside an agent tree (relative). */
  readonly agentEntry: string;
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
  /**
   * Extra files for every sandbox run of this task (relative POSIX paths → contents), placed in
   * the work directory beside the harness: e.g. CEC2022 data files under `data/cec2022/`. Default none.
   */
  sandboxFiles?(): Readonly<Record<string, string | Uint8Array>>;
  /** The harness input for these jobs (the agent file name is filled in by the evaluator). */
  harnessJobs(jobs: readonly EvaluationJob[]): unknown[];
  /** Turns one harness job result into an outcome. Re-checks on the host what it can. */
  judge(job: EvaluationJob, result: HarnessJobResult): JobOutcome;
  /** Aggregates outcomes into the node's score and metrics. */
  aggregate(outcomes: readonly JobOutcome[]): TaskScore;
  /** Rejects agent trees the task cannot run (missing entry file …) with a message for the model. */
  checkAgent(files: AgentFiles): string | null;
  /**
   * Model access of the agent's run on `jobs` (coding agents). `evaluateNode` then opens a model proxy
   * session for the node with this purpose and budget and passes its socket to the sandbox; without
   * a proxy the agent runs with no socket. Default: no model access.
   */
  modelAccess?(jobs: readonly EvaluationJob[]): TaskModelAccess;
  /** Sandbox limits of the agent's run on `jobs` (e.g. time for every coding job); default the campaign's. */
  sandboxLimits?(jobs: readonly EvaluationJob[], limits: SandboxLimits): SandboxLimits;
  /**
   * A second, asynchronous step replacing `judge` (coding tasks: the hidden tests run on the files the
   * agent left, in a separate sandbox run without the agent). It gets every job with its harness
   * result and returns one outcome per job, in the same order. Tasks with this step also keep the
   * jobs that finished when the agent's run hit the sandbox's time limit (the harness writes its
   * result file after each job); the others come with an undefined result.
   */
  judgeRun?(entries: readonly AgentJobResult[], context: JudgeRunContext): Promise<JobOutcome[]>;
}
