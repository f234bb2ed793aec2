/**
 * @module The coding agent's public surface, as the harness's `coding-agent` runner calls it: it
 * receives a `CodingTask` and returns a `SolveReport`. These types are copied here (not imported) so
 * that the agent stays self-contained: it is bundled on its own and may import only its own files
 * and node builtins.
 */

/** Limits of one run; each stops the tool loop with the matching `StopReason`. */
export interface CodingLimits {
  /** Most model calls (one call = one step). Stop reason `steps`. */
  maxSteps: number;
  /** Most tokens, prompt plus answer, summed over the `usage` of every answer. Stop reason `tokens`. */
  maxTokens: number;
  /** Wall-clock milliseconds from the start of `solve`. Stop reason `time`. */
  timeoutMs: number;
}

/** What the agent is asked to do. */
export interface CodingTask {
  /** Absolute path of the directory the agent works in; its files are the result. */
  workDir: string;
  /** The task, in Markdown. */
  statement: string;
  /** Unix socket of the model proxy (`CLADE_MODEL_SOCKET`); '' when absent, and the agent then stops with `model-error`. */
  modelSocket: string;
  limits: CodingLimits;
  /** Appends one line to the job's log. */
  log(line: string): void;
  /** Aborted when the runner stops waiting (its time limit): the loop then stops with `time`. */
  signal?: AbortSignal;
}

/** Why the tool loop stopped. */
export type StopReason = 'done' | 'steps' | 'tokens' | 'time' | 'model-error';

/** What `solve` returns. */
export interface SolveReport {
  stopReason: StopReason;
  /** Model calls made. */
  steps: number;
  /** Prompt tokens over all answers, as the proxy reported them. */
  tokensIn: number;
  /** Answer tokens over all answers, as the proxy reported them. */
  tokensOut: number;
}
