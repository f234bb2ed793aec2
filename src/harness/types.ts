/**
 * @module The node harness's protocol: the files a harness run puts in the sandbox's work
 * directory, the protocol version, what the harness is given (`input.json`) and what it writes
 * back (`result.json`). Shared by the host (`src/harness/run-harness.ts`) and the in-sandbox
 * harness (`sandbox/harness/main.ts`).
 */

/** Harness protocol version; equal to `HARNESS_VERSION` in `sandbox/harness/main.ts` (a test checks). */
export const HARNESS_VERSION = '1';

/** File name of the harness in the work directory (the program the sandbox request runs with node). */
export const HARNESS_ENTRY_FILE = 'harness.mjs';

/** File name of the bundled agent in the work directory (`.mjs`: node loads it as ESM). */
export const HARNESS_AGENT_FILE = 'agent.mjs';

/** The harness's input (a `HarnessInput` as JSON); the harness deletes it before the agent loads. */
export const HARNESS_INPUT_FILE = 'input.json';

/** The harness's output (a `HarnessOutput` as JSON): the sandbox request's `resultFile`. */
export const HARNESS_RESULT_FILE = 'result.json';

/** What the harness is given, as `input.json`. */
export interface HarnessInput {
  /** Job kind; the harness dispatches on it (`numeric`, `coding-agent`, `numeric-protocol`). */
  kind: string;
  /** The bundled agent module, relative to the work directory. */
  agent: string;
  /** Kind-specific job descriptions, in order. */
  jobs: unknown[];
}

/** What the harness reports for one job. */
export interface HarnessJobResult {
  /** Index into `HarnessInput.jobs`. */
  index: number;
  ok: boolean;
  /** Kind-specific output (for numeric jobs: best point, best value seen, evaluations used). */
  output?: unknown;
  /** Error message when `ok` is false. */
  error?: string;
  durationMs: number;
  /** The agent's captured console output for this job, capped. */
  log: string;
}

/** What the harness writes, as `result.json` (after each job, so a killed run keeps the finished ones). */
export interface HarnessOutput {
  harnessVersion: string;
  jobs: HarnessJobResult[];
}
