/**
 * @module How a sandbox run ended, in words, for every caller that runs something in a sandbox
 * (the node harness, a program task's program and evaluator, a coding task's hidden tests): the
 * exit-to-status mapping of runs that did not end on their own, how a process that did end, and
 * the end of its output.
 */
import type { SandboxLimits, SandboxResult } from '../sandbox/types.js';

/** Characters of the program's output (stderr then stdout) that `outputTail` quotes. */
export const OUTPUT_TAIL_CHARS = 800;

/** A run that did not end on its own: the node status it means and why, as a clause. */
export interface AbnormalEnding {
  /** `timeout`: killed at the wall-clock limit; `crashed`: killed for memory or disk, or lost. */
  status: 'timeout' | 'crashed';
  /** e.g. `killed at the wall-clock limit of 30 s` (no subject, no final stop). */
  reason: string;
}

/**
 * Why a run did not end on its own (`timeout`, `memory`, `disk`, `lost`), or null when it exited
 * (look at its exit code and result) or was aborted (the caller's signal; callers throw
 * `EvaluationAbortedError`).
 */
export function abnormalEnding(result: SandboxResult, limits: SandboxLimits): AbnormalEnding | null {
  switch (result.exit) {
    case 'timeout':
      return {
        status: 'timeout',
        reason: `killed at the wall-clock limit of ${Math.round(limits.timeoutMs / 1000)} s`,
      };
    case 'memory':
      return { status: 'crashed', reason: `killed for passing the memory cap of ${limits.memoryMb} MiB` };
    case 'disk':
      return {
        status: 'crashed',
        reason: `killed for filling its work directory (${result.resultError ?? 'disk cap reached'})`,
      };
    case 'lost':
      return { status: 'crashed', reason: `lost: ${result.resultError ?? 'its worker failed'}` };
    default:
      return null;
  }
}

/** How a process that exited on its own ended: `exited with code 2`, `was killed by SIGSEGV`. */
export function exitDescription(result: SandboxResult): string {
  return result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
}

/** `\nOutput tail:\n…` with the end of the program's stderr and stdout, or '' when both are empty. */
export function outputTail(result: SandboxResult): string {
  const tail = `${result.stderr}${result.stdout}`.trim();
  return tail ? `\nOutput tail:\n${tail.slice(-OUTPUT_TAIL_CHARS)}` : '';
}
