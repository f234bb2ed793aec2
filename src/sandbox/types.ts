/**
 * @module The `Sandbox` plug-in point: run untrusted agent code with limits and get back a JSON
 * result file. Implementations: `process` (child process; machines without Docker) and `docker`.
 */

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

/** One run: files placed in a fresh work directory, then `node <entry> ...args` in it. */
export interface SandboxRequest {
  /** Relative POSIX paths → contents. Paths are checked: no `..`, no absolute paths. */
  files: Record<string, string | Uint8Array>;
  /** The JavaScript file (among `files`) that node runs. */
  entry: string;
  args?: readonly string[];
  /** Relative path of the JSON file the program writes its result to. */
  resultFile: string;
  /**
   * Request files the program deletes once read (the harness's `input.json`). Every other request
   * file is read-only for the program where the driver can enforce it (Docker: owned by another
   * user, mode 0444, in a sticky directory); these are given to the program's user.
   */
  consumedFiles?: readonly string[];
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
  /** Image digest (Docker) or node version (process), stored with evaluations for replay. */
  environment: string;
}

export interface Sandbox {
  /** `queue`: runs happen on `clade worker` processes through Redis (see `queue-sandbox.ts`). */
  readonly kind: 'process' | 'docker' | 'queue';
  run(request: SandboxRequest): Promise<SandboxResult>;
  /** Releases pooled resources (containers, directories). Safe to call twice. */
  close(): Promise<void>;
}

/** Marker appended to capped output. */
export const TRUNCATION_MARKER = '\n[… output truncated by clade: limit reached …]\n';
