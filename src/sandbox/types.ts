/**
 * @module The `Sandbox` plug-in point: run an untrusted program (any language: an argv command in
 * a fresh work directory) with limits and get back a JSON result file. Implementations, one
 * descriptor each in `registry.ts`: `process` (child process; machines without Docker), `docker`,
 * and `queue` (`clade worker` processes through Redis).
 */

import type { CollectedFiles, CollectRequest } from './collect-files.js';

/** Resource limits for one sandbox run. */
export interface SandboxLimits {
  /** Wall-clock limit; the whole process tree is killed when it passes. */
  timeoutMs: number;
  /** Memory cap in MiB (resident memory of the process tree; memory+swap in Docker). */
  memoryMb: number;
  /** Cap on each of stdout and stderr; the rest is dropped and a truncation marker appended. */
  outputBytes: number;
  /** CPU share (Docker `NanoCpus`); the process driver records it but cannot enforce it. */
  cpus: number;
  /** Maximum number of processes (Docker `PidsLimit`). */
  pids: number;
  /** Largest result file accepted, in bytes. */
  resultBytes: number;
}

/** One run: files placed in a fresh work directory, then `command` run in it. */
export interface SandboxRequest {
  /** Relative POSIX paths → contents. Paths are checked: no `..`, no absolute paths. */
  files: Record<string, string | Uint8Array>;
  /**
   * The argv run in the work directory, e.g. `['node', 'harness.mjs']` or
   * `['python3', 'evaluate.py', 'program']`. `command[0]` is a program name looked up on PATH
   * (the host's PATH for the process driver, resolved when the run starts and recorded in
   * `SandboxResult.environment`; the image's PATH for Docker) or an absolute path. Non-empty;
   * no NUL bytes.
   */
  command: readonly string[];
  /** Relative path of the JSON file the program writes its result to. */
  resultFile: string;
  /**
   * Request files the program deletes once read (the harness's `input.json`). Every other request
   * file is read-only for the program where the driver can enforce it (Docker: owned by another
   * user, mode 0444, in a sticky directory); these are given to the program's user.
   */
  consumedFiles?: readonly string[];
  /**
   * Request files made executable (mode 0555; still read-only): programs a build step produced
   * (see `collect`). Each must be among `files`. Default none.
   */
  executableFiles?: readonly string[];
  /**
   * Files and directories (relative paths, directories read recursively, links refused) read back
   * from the work directory after the run into `SandboxResult.collected`, at most `maxBytes` in all:
   * a build step's products, a produce run's outputs. Drivers without the work directory on the
   * host (queue) leave `collected` undefined. Default: nothing collected.
   */
  collect?: CollectRequest;
  limits: SandboxLimits;
  /**
   * Host path of a model proxy session's Unix socket (`ProxySession.socketPath`), for agents that
   * call models. Docker mounts it at `/run/clade/model.sock`; every driver sets `CLADE_MODEL_SOCKET`
   * to the path the program sees. Drivers that cannot reach a host socket (queue) refuse the request.
   */
  modelSocket?: string;
  /** Aborting kills the run; the result then has status `aborted`. */
  signal?: AbortSignal;
}

/**
 * How the run ended.
 * - `exited`: the process exited on its own (look at `exitCode` and `result`).
 * - `timeout`: killed at the wall-clock limit.
 * - `memory`: killed for passing the memory cap.
 * - `aborted`: killed because the request's signal was aborted.
 * - `disk`: killed for writing more than the driver's cap into its work directory (Docker).
 * - `lost`: the run's remote worker failed for good (queue executor: every retry used up);
 *   `resultError` says why.
 */
export type SandboxExit = 'exited' | 'timeout' | 'memory' | 'aborted' | 'disk' | 'lost';

export interface SandboxResult {
  exit: SandboxExit;
  exitCode: number | null;
  /** Signal that ended the process, if any (`SIGKILL` …). */
  signal: string | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  /** The parsed result file; undefined when missing or rejected (see `resultError`). */
  result: unknown;
  /** Why the result file was not accepted (missing, too large, not JSON). */
  resultError: string | null;
  durationMs: number;
  /** Peak resident memory seen, in MiB, when the driver can measure it. */
  peakMemoryMb: number | null;
  /** What `SandboxRequest.collect` asked for, when the driver can collect; undefined otherwise. */
  collected?: CollectedFiles;
  /**
   * Where it ran, stored with evaluations for replay: `docker <image>@<digest> …` (Docker), the
   * resolved program and its version (process: `python3 → /root/.pyenv/versions/3.11.7/bin/python3
   * (Python 3.11.7)`, `node → /usr/bin/node (v20.11.1)`), `queue (<host>)` for a lost job.
   */
  environment: string;
}

export interface Sandbox {
  /**
   * The driver's kind, as registered in `sandboxKinds` (`process`, `docker`, `queue`: runs happen
   * on `clade worker` processes through Redis, see `queue-sandbox.ts`; or a library user's own).
   */
  readonly kind: string;
  run(request: SandboxRequest): Promise<SandboxResult>;
  /** Releases pooled resources (containers, directories). Safe to call twice. */
  close(): Promise<void>;
}

/** Marker appended to capped output. */
export const TRUNCATION_MARKER = '\n[… output truncated by clade: limit reached …]\n';
