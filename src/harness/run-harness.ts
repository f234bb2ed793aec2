/**
 * @module Runs the node harness in a sandbox and reads its result back, for every caller (node
 * evaluation, self-modify, the benchmark protocol): the sandbox request (`harnessRequest`), the
 * result file's check (`readHarnessOutput`), and how a run that ended badly becomes a status with a
 * reason and the end of the program's output (`runHarness`).
 */
import { CladeError } from '../core/errors.js';
import type { Sandbox, SandboxLimits, SandboxRequest, SandboxResult } from '../sandbox/types.js';
import { abnormalEnding, exitDescription, outputTail } from './sandbox-exit.js';
import {
  HARNESS_AGENT_FILE,
  HARNESS_ENTRY_FILE,
  HARNESS_INPUT_FILE,
  HARNESS_RESULT_FILE,
  type HarnessInput,
  type HarnessJobResult,
  type HarnessOutput,
} from './types.js';

/** Thrown when a run was aborted on purpose (the caller's signal); the child is then not recorded. */
export class EvaluationAbortedError extends CladeError {
  constructor() {
    super('SANDBOX_FAILED', 'Evaluation aborted before it finished; the child was not recorded.');
  }
}

/** What a harness run puts in the sandbox and how it is limited. */
export interface HarnessRunOptions {
  /** The harness's source (`loadHarness`). */
  harness: string;
  /** The bundled agent (`bundleAgent`). */
  agentCode: string;
  /** Job kind the harness dispatches on (`HarnessInput.kind`). */
  kind: string;
  /** Kind-specific job descriptions, in order (`HarnessInput.jobs`). */
  jobs: readonly unknown[];
  /** Further files for the work directory (a task's data files). */
  files?: Readonly<Record<string, string | Uint8Array>>;
  limits: SandboxLimits;
  /** A model proxy session's socket, for agents that call models. */
  modelSocket?: string;
  signal?: AbortSignal;
}

/**
 * The sandbox request that runs the harness with the bundled agent: `node harness.mjs` in the work
 * directory, `input.json` consumed (the harness deletes it before the agent loads), `result.json`
 * as result.
 */
export function harnessRequest(options: HarnessRunOptions): SandboxRequest {
  const input: HarnessInput = { kind: options.kind, agent: HARNESS_AGENT_FILE, jobs: [...options.jobs] };
  return {
    files: {
      ...options.files,
      [HARNESS_ENTRY_FILE]: options.harness,
      [HARNESS_AGENT_FILE]: options.agentCode,
      [HARNESS_INPUT_FILE]: JSON.stringify(input),
    },
    command: ['node', HARNESS_ENTRY_FILE],
    resultFile: HARNESS_RESULT_FILE,
    consumedFiles: [HARNESS_INPUT_FILE],
    limits: options.limits,
    ...(options.modelSocket !== undefined ? { modelSocket: options.modelSocket } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

/** How a harness run ended: the harness's output, or a node status with the reason. */
export type HarnessRunResult =
  | {
      ok: true;
      output: HarnessOutput;
      /**
       * The run hit the wall-clock limit and `keepPartial` was set: `output` holds the jobs that
       * finished before it (the harness writes its result file after each job).
       */
      timedOut: boolean;
      sandbox: SandboxResult;
    }
  | {
      ok: false;
      /**
       * `timeout`: killed at the wall-clock limit; `crashed`: killed for memory or disk, lost, or
       * ended without a result file; `invalid`: a result file that was refused (a link, too large,
       * not JSON) or is not a harness output.
       */
      status: 'timeout' | 'crashed' | 'invalid';
      /** What happened, with the end of the program's output where it helps. */
      reason: string;
      sandbox: SandboxResult;
    };

/** Options of `runHarness` besides the request's. */
export interface RunHarnessOptions extends HarnessRunOptions {
  sandbox: Sandbox;
  /** Read the result file of a run killed at the wall-clock limit (see `HarnessRunResult.timedOut`). */
  keepPartial?: boolean;
}

/**
 * Runs the harness in `options.sandbox` and reads its result back. A run that ended badly is a
 * result (`ok: false` with a status and a reason), not an exception.
 *
 * @throws EvaluationAbortedError when the run was aborted (the caller's signal).
 */
export async function runHarness(options: RunHarnessOptions): Promise<HarnessRunResult> {
  const { sandbox, keepPartial, ...request } = options;
  const result = await sandbox.run(harnessRequest(request));
  return readHarnessRun(result, options.limits, keepPartial === true);
}

/**
 * The exit-to-status mapping of `runHarness`, for a sandbox result already in hand.
 *
 * @throws EvaluationAbortedError when the run was aborted.
 */
export function readHarnessRun(result: SandboxResult, limits: SandboxLimits, keepPartial = false): HarnessRunResult {
  const fail = (status: 'timeout' | 'crashed' | 'invalid', reason: string): HarnessRunResult => ({
    ok: false,
    status,
    reason,
    sandbox: result,
  });
  if (result.exit === 'aborted') throw new EvaluationAbortedError();
  const ending = abnormalEnding(result, limits);
  if (ending !== null) {
    if (ending.status === 'timeout' && keepPartial) {
      const partial = readHarnessOutput(result);
      if (typeof partial !== 'string') return { ok: true, output: partial, timedOut: true, sandbox: result };
    }
    // `Evaluation lost: …` quotes no output (the worker's is gone); the others end with its tail.
    const tail = result.exit === 'lost' ? '' : outputTail(result);
    return fail(ending.status, `Evaluation ${ending.reason}.${tail}`);
  }
  const output = readHarnessOutput(result);
  if (typeof output !== 'string') return { ok: true, output, timedOut: false, sandbox: result };
  // A result file that exists but was refused (a link, too large, not JSON) is invalid, not a crash.
  const rejected = result.resultError?.includes(' rejected: ') === true;
  return fail(result.result === undefined && !rejected ? 'crashed' : 'invalid', output);
}

/** Checks the harness result file's shape; returns a reason string when it is unusable. */
export function readHarnessOutput(result: SandboxResult): HarnessOutput | string {
  if (result.result === undefined) {
    return `The agent process ${exitDescription(result)} without writing its result (${result.resultError ?? 'no result'}).${outputTail(result)}`;
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

/** The result the harness wrote for job `index`, if any. */
export function harnessJobResult(output: HarnessOutput, index: number): HarnessJobResult | undefined {
  return output.jobs.find((candidate) => candidate.index === index);
}
