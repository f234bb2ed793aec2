/**
 * @module The `coding-agent` harness job (issue 7 contract, section 2), shared by the in-sandbox
 * runner (`sandbox/harness/coding.ts`) and the host (coding task, self-modify mutator): what a job
 * says, what a coding agent's `solve` receives and returns, and what the runner sends back, with
 * a checker for that output on the host.
 */

/** Harness task kind of coding-agent jobs. */
export const CODING_AGENT_JOB_KIND = 'coding-agent';

/** Limits of one agent run. */
export interface CodingAgentLimits {
  /** Most model calls (tool-loop steps). */
  maxSteps: number;
  /** Most tokens, prompt plus answer, over all calls. */
  maxTokens: number;
  /** Wall-clock limit of `solve`; the runner stops waiting for it then. */
  timeoutMs: number;
}

/** One job: one agent run on one set of starting files. */
export interface CodingAgentJob {
  /** Exercise slug, or `self` for self-modification. */
  id: string;
  /** Relative to the harness directory, e.g. `work/two-fer`; the runner creates it. */
  workDir: string;
  /** The task in Markdown. */
  statement: string;
  /** Starting files (relative POSIX paths → contents), written into `workDir` before the agent starts. */
  files: Record<string, string>;
  limits: CodingAgentLimits;
}

/** What the agent module's `solve` receives. */
export interface CodingTask {
  /** Absolute path of the work directory. */
  workDir: string;
  statement: string;
  /** `CLADE_MODEL_SOCKET` ('' when absent: the agent must then stop with `model-error`). */
  modelSocket: string;
  limits: CodingAgentLimits;
  /** Appends a line to the job's log (the runner also captures the console). */
  log(line: string): void;
  /** Aborted when the runner stops waiting (time limit); a well-behaved agent stops then. */
  signal?: AbortSignal;
}

/** Why an agent run stopped. `error` (set by the runner): `solve` threw or returned no valid report. */
export type CodingStopReason = 'done' | 'steps' | 'tokens' | 'time' | 'model-error' | 'error';

/** What `solve` returns (the runner checks it). */
export interface SolveReport {
  stopReason: CodingStopReason;
  steps: number;
  tokensIn: number;
  tokensOut: number;
}

/** The runner's output for one job. */
export interface CodingAgentOutput {
  report: SolveReport;
  /** Every regular file under `workDir` after the agent stopped (capped; see `truncated`). */
  files: Record<string, string>;
  /** What was left out of `files` (caps, links, binary files), when anything was. */
  truncated?: string;
  /** Why the run did not end normally (`solve` threw, timed out, or returned a malformed report). */
  error?: string;
}

/** Caps on the files the runner reads back from a work directory. */
export const CODING_OUTPUT_MAX_FILES = 256;
export const CODING_OUTPUT_MAX_BYTES = 1024 * 1024;

/** Directories never read back (dependencies, version control). */
export const CODING_OUTPUT_SKIPPED_DIRECTORIES: readonly string[] = ['node_modules', '.git'];

/** Checks a job's output as it came back from the sandbox; returns the reason when it is unusable. */
export function parseCodingAgentOutput(
  value: unknown,
): { ok: true; value: CodingAgentOutput } | { ok: false; reason: string } {
  if (value === null || typeof value !== 'object') return { ok: false, reason: 'the output is not an object' };
  const output = value as Partial<CodingAgentOutput>;
  const report = output.report as Partial<SolveReport> | undefined;
  if (report === null || typeof report !== 'object') return { ok: false, reason: 'the output has no report' };
  if (typeof report.stopReason !== 'string') return { ok: false, reason: 'report.stopReason is not a string' };
  for (const field of ['steps', 'tokensIn', 'tokensOut'] as const) {
    if (typeof report[field] !== 'number' || !Number.isFinite(report[field])) {
      return { ok: false, reason: `report.${field} is not a finite number` };
    }
  }
  if (output.files === null || typeof output.files !== 'object' || Array.isArray(output.files)) {
    return { ok: false, reason: 'the output has no files map' };
  }
  for (const [name, content] of Object.entries(output.files)) {
    if (typeof content !== 'string') return { ok: false, reason: `file ${JSON.stringify(name)} is not text` };
  }
  if (output.truncated !== undefined && typeof output.truncated !== 'string') {
    return { ok: false, reason: 'truncated is not a string' };
  }
  if (output.error !== undefined && typeof output.error !== 'string') {
    return { ok: false, reason: 'error is not a string' };
  }
  return { ok: true, value: output as CodingAgentOutput };
}
