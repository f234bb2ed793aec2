/**
 * @module Contract between the in-sandbox harness (`main.ts`) and the per-task job runners.
 * The harness is bundled into one JavaScript file (`dist/sandbox/harness.mjs`); a sandbox needs
 * nothing but `node`.
 */

/** What a runner gets besides the job. */
export interface JobContext {
  /** Appends a line to the job's log (capped by the harness). */
  log(line: string): void;
  /** The harness's directory (job paths such as a coding job's `workDir` are relative to it). */
  directory?: string;
}

/**
 * Runs one job with the agent's module namespace and returns a JSON-serialisable output.
 * Throwing marks the job failed with the error's message.
 */
export type JobRunner = (job: unknown, agent: Record<string, unknown>, context: JobContext) => Promise<unknown>;
