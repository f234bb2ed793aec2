/**
 * @module The `process` sandbox driver: runs a request's `command` in a fresh temporary directory
 * as a child process in its own process group, with an empty environment, a wall-clock limit, a
 * memory watchdog and output caps. For machines without Docker. `command[0]` is found on the
 * host's PATH when the run starts (`python3`, `node`, `cc`; version-manager shims followed to the
 * real binary), and the path and version that ran are the result's `environment`, for replay.
 * Where bubblewrap works (`isolation.ts`), each run is isolated: its own user, mount, PID, IPC, UTS
 * and network namespaces, no host files but the program's, nothing left running after it. Without
 * it (`isolation: 'none'`, or `'auto'` on a machine without bubblewrap) the code runs as the same
 * user as clade with the host's files, network and processes in reach: it keeps secrets out of the
 * environment and stops runaway programs, nothing more. The result's `environment` says which.
 */
import { spawn } from 'node:child_process';
import { existsSync, constants as fsConstants, readdirSync, readFileSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { constants as osConstants, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { describeError, SandboxError } from '../core/errors.js';
import { MODEL_SOCKET_ENV } from '../model-proxy/types.js';
import { collectFiles, markExecutables, validateCollectRequest, validateExecutableFiles } from './collect-files.js';
import {
  abortedBeforeStart,
  looksLikeHeapOutOfMemory,
  makeWorkDirectory,
  OutputCapture,
  readResultFile,
  relativeProgramPath,
  removeTree,
  validateRequest,
  withNodeHeapLimit,
  writeRequestFiles,
} from './driver-kit.js';
import { formatHostProgram, hostProgramVersion, requireHostProgram } from './host-programs.js';
import { bubblewrapArguments, ISOLATION_NAMESPACES, type IsolationProbe, probeIsolation } from './isolation.js';
import { assertModelSocket } from './model-socket.js';
import type { Sandbox, SandboxExit, SandboxRequest, SandboxResult } from './types.js';

/** Options of `createProcessSandbox`. */
export interface ProcessSandboxOptions {
  /**
   * The binary a command's `node` runs (`command[0] === 'node'`). Default: `process.execPath`
   * (the node running clade), so the harness runs on the same node as clade.
   */
  nodeBinary?: string;
  /** The PATH on which other program names in `command[0]` are looked up. Default: this process's `PATH`. */
  searchPath?: string;
  /** Directory in which each run's work directory is made. Default: `os.tmpdir()`. */
  tempRoot?: string;
  /** How often the memory watchdog samples the process group, in milliseconds. Default: 100. */
  memoryPollMs?: number;
  /**
   * `bubblewrap`: every run isolated by bubblewrap (`isolation.ts`); a run rejects with
   * `SANDBOX_UNAVAILABLE` when bubblewrap does not work here. `none`: unisolated (the program runs
   * as this user, with the host's files, network and processes in reach). `auto`: bubblewrap when
   * its probe passes (asked once per process), else unisolated. Default `auto`; the `process` sandbox
   * kind decides with the policy (`chooseSandbox`) and passes `bubblewrap` or `none`.
   */
  isolation?: 'bubblewrap' | 'none' | 'auto';
}

/** Whether a run is isolated: bubblewrap's path and version, or null for unisolated. */
type RunIsolation = { path: string; version: string } | null;

/** The system directories of a sandboxed program's PATH; the directory of the program that runs comes first. */
const SANDBOX_PATH = '/usr/bin:/bin';

/** How long to wait for the output pipes to close after the program exited and its group was killed. */
const PIPE_CLOSE_GRACE_MS = 2_000;

/** The program a run starts: its absolute path (or work-directory path) and what is recorded about it. */
interface ResolvedProgram {
  /** What `spawn` runs: an absolute path, or `./path` inside the work directory. */
  path: string;
  /** The result's `environment`. */
  environment: string;
  /** The sandboxed program's PATH. */
  searchPath: string;
}

/**
 * Creates the `process` sandbox driver.
 *
 * Each `run` finds `command[0]` (below), makes a fresh work directory under `tempRoot`, writes
 * the request's files, and runs the command there — inside bubblewrap when `isolation` says so
 * (`bubblewrapArguments` in `isolation.ts`: own user, mount, PID, IPC, UTS and network namespaces,
 * `/usr` and the interpreter's prefix read-only, the work directory read-write, a fresh `/tmp`, its
 * own `/proc`, the model socket bound in; the PID namespace dies with the run, so nothing the
 * program started outlives it, `setsid` or not) — with:
 * - its own process group (`detached`), so a timeout, an abort or the memory cap kills the
 *   program and every process it started (unless one deliberately left the group with `setsid`);
 *   stragglers left in the group when the program exits are killed too;
 * - an environment with nothing from the parent: `PATH=<the program's directory>:/usr/bin:/bin`,
 *   `HOME=<work dir>`, `TMPDIR=<work dir>/tmp`, `LANG=C.UTF-8` (no `NODE_OPTIONS`, no API keys),
 *   and with a `modelSocket`, `CLADE_MODEL_SOCKET=<its host path>`;
 * - stdin from `/dev/null`; stdout and stderr captured up to `limits.outputBytes` each;
 * - a memory cap: a watchdog that sums the resident memory (`VmRSS`) of the group's processes
 *   every `memoryPollMs` and kills the group above `limits.memoryMb` (Linux `/proc`), plus V8's
 *   heap limit (`--max-old-space-size`) when the program is node. `peakMemoryMb` is the largest
 *   sample, or null when the run ended before the first sample.
 *
 * `command[0]`: `node` is `nodeBinary`; another name is looked up on `searchPath` when the run
 * starts (pyenv/rbenv/nodenv shims and rustup proxies followed to the real binary); an absolute
 * path is used as is; a relative path with a `/` (`./run.sh`) is a file of the request. The
 * result's `environment` is `<name> → <absolute path> (<its --version>) [<isolation>]`, the
 * isolation being `[bubblewrap 0.8.0: own user, mount, pid, ipc, uts, net namespaces]` or
 * `[unisolated]`, e.g. (before the isolation)
 * `python3 → /root/.pyenv/versions/3.11.7/bin/python3 (Python 3.11.7)`; the version is asked
 * once per path. A program that is not there rejects the run with `SANDBOX_UNAVAILABLE` naming
 * it and the PATH searched.
 *
 * `limits.cpus` and `limits.pids` are not enforced by this driver.
 *
 * The work directory is removed after every run, whatever happened. Unsafe paths in `files`,
 * `resultFile` or a relative `command[0]` make `run` reject with `UnsafePathError` (code
 * `UNSAFE_PATH`) before anything is written or started: requests are built by clade, so such a
 * path is a fault on the host side, not a result of the agent.
 */
export function createProcessSandbox(options: ProcessSandboxOptions = {}): Sandbox {
  const nodeBinary = options.nodeBinary ?? process.execPath;
  const tempRoot = options.tempRoot ?? tmpdir();
  const monitor = new ProcessGroupMonitor(options.memoryPollMs ?? 100);
  const searchOptions = options.searchPath !== undefined ? { searchPath: options.searchPath } : {};
  const isolationMode = options.isolation ?? 'auto';
  const isolation = async (): Promise<RunIsolation> => {
    if (isolationMode === 'none') return null;
    const probe: IsolationProbe = await probeIsolation();
    if (probe.available) return { path: probe.path, version: probe.version };
    if (isolationMode === 'auto') return null;
    throw new SandboxError(
      'SANDBOX_UNAVAILABLE',
      `The process sandbox was asked to isolate its runs with bubblewrap, but ${probe.reason}. Install bubblewrap, use the docker sandbox, or accept an unisolated process sandbox explicitly (--unsafe-process-sandbox, sandbox.allowUnisolated: true).`,
    );
  };

  const resolveProgram = async (request: SandboxRequest): Promise<ResolvedProgram> => {
    const name = request.command[0] as string;
    const relative = relativeProgramPath(name);
    if (relative !== null) {
      if (!Object.hasOwn(request.files, relative)) {
        throw new SandboxError(
          'SANDBOX_FAILED',
          `The sandbox command runs "${name}", which is not among the request's files. Add it to \`files\` or name a program on PATH.`,
        );
      }
      return { path: `./${relative}`, environment: `${name} (a file of the request)`, searchPath: SANDBOX_PATH };
    }
    let path: string;
    if (name === 'node') {
      try {
        // Checked on every run because behind setpriv a missing binary is only setpriv's exit code.
        await access(nodeBinary, fsConstants.X_OK);
      } catch (error) {
        throw new SandboxError(
          'SANDBOX_UNAVAILABLE',
          `Could not start ${nodeBinary} (the sandbox's node): ${describeError(error)}. Check that the node binary exists and is executable.`,
          { cause: error },
        );
      }
      path = nodeBinary;
    } else {
      path = await requireHostProgram(name, searchOptions);
    }
    const version = path === process.execPath ? process.version : await hostProgramVersion(path);
    const programDirectory = dirname(path);
    const searchPath = SANDBOX_PATH.split(delimiter).includes(programDirectory)
      ? SANDBOX_PATH
      : `${programDirectory}${delimiter}${SANDBOX_PATH}`;
    return { path, environment: formatHostProgram({ name, path, version }), searchPath };
  };

  return {
    kind: 'process',
    async run(request: SandboxRequest): Promise<SandboxResult> {
      validateRequest(request);
      validateExecutableFiles(request.files, request.executableFiles ?? []);
      if (request.collect) validateCollectRequest(request.collect);
      if (request.modelSocket !== undefined) await assertModelSocket(request.modelSocket);
      const resolved = await resolveProgram(request);
      const isolatedBy = await isolation();
      // Recorded with every evaluation, for replay: where it ran and how it was isolated.
      const program: ResolvedProgram = {
        ...resolved,
        environment: `${resolved.environment} ${isolatedBy !== null ? `[${isolatedBy.version}: own ${ISOLATION_NAMESPACES} namespaces]` : '[unisolated]'}`,
      };
      if (request.signal?.aborted) {
        return abortedBeforeStart(program.environment);
      }

      const workDir = await makeWorkDirectory(tempRoot, 'clade-sandbox-');
      try {
        await writeRequestFiles(workDir, request.files);
        await markExecutables(workDir, request.executableFiles);
        const processOutcome = await runProcess({ program, workDir, request, monitor, isolation: isolatedBy });
        const read = await readResultFile(workDir, request.resultFile, request.limits.resultBytes, processOutcome);
        const collected = request.collect ? { collected: await collectFiles(workDir, request.collect) } : {};
        return {
          exit: processOutcome.exit,
          exitCode: processOutcome.exitCode,
          signal: processOutcome.signal,
          stdout: processOutcome.stdout,
          stderr: processOutcome.stderr,
          stdoutTruncated: processOutcome.stdoutTruncated,
          stderrTruncated: processOutcome.stderrTruncated,
          result: read.result,
          resultError: read.error,
          durationMs: processOutcome.durationMs,
          peakMemoryMb: processOutcome.peakMemoryMb,
          environment: program.environment,
          ...collected,
        };
      } finally {
        await removeTree(workDir);
      }
    },
    async close(): Promise<void> {
      // Nothing is pooled: every run cleans up after itself.
    },
  };
}

interface ProcessOutcome {
  exit: SandboxExit;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  durationMs: number;
  peakMemoryMb: number | null;
}

interface RunProcessOptions {
  program: ResolvedProgram;
  workDir: string;
  request: SandboxRequest;
  monitor: ProcessGroupMonitor;
  /** Bubblewrap to run the program in, or null for unisolated. */
  isolation: RunIsolation;
}

let launcherPath: string | null | undefined;

/**
 * `setpriv --pdeathsig SIGKILL` (util-linux) when present: the sandboxed program then dies with
 * the campaign process even when that is killed with `kill -9`, so no evaluation outlives its
 * time limit's timer. Null where setpriv is missing (macOS): the wall-clock timer still applies
 * while the campaign lives.
 */
function deathSignalLauncher(): string | null {
  if (launcherPath === undefined) {
    launcherPath = null;
    if (process.platform === 'linux') {
      for (const candidate of ['/usr/bin/setpriv', '/bin/setpriv']) {
        if (existsSync(candidate)) {
          launcherPath = candidate;
          break;
        }
      }
    }
  }
  return launcherPath;
}

/** Spawns the program and waits until it and its output pipes are done. */
function runProcess({ program, workDir, request, monitor, isolation }: RunProcessOptions): Promise<ProcessOutcome> {
  const { limits, signal: abortSignal } = request;
  const [, ...args] = withNodeHeapLimit([program.path, ...request.command.slice(1)], limits.memoryMb);
  const env: Record<string, string> = {
    PATH: program.searchPath,
    HOME: workDir,
    TMPDIR: join(workDir, 'tmp'),
    LANG: 'C.UTF-8',
    // The proxy session's socket, at its host path (this driver shares the host's file system).
    ...(request.modelSocket !== undefined ? { [MODEL_SOCKET_ENV]: request.modelSocket } : {}),
  };

  return new Promise<ProcessOutcome>((resolve, reject) => {
    const startedAt = performance.now();
    const stdout = new OutputCapture(limits.outputBytes);
    const stderr = new OutputCapture(limits.outputBytes);
    let stopReason: Exclude<SandboxExit, 'exited'> | null = null;
    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    let exitedAt: number | null = null;
    let peakMemoryMb: number | null = null;
    let settled = false;
    let timeoutTimer: NodeJS.Timeout | null = null;
    let graceTimer: NodeJS.Timeout | null = null;
    let stopWatching: (() => void) | null = null;

    let child: ReturnType<typeof spawn>;
    try {
      const launcher = deathSignalLauncher();
      const isolated: [string, string[]] | null =
        isolation === null
          ? null
          : [
              isolation.path,
              [
                ...bubblewrapArguments({
                  programPath: program.path,
                  workDirectory: workDir,
                  ...(request.modelSocket !== undefined ? { modelSocket: request.modelSocket } : {}),
                }),
                '--',
                // bubblewrap sets PWD; the program's environment stays exactly the one above.
                '/usr/bin/env',
                '-u',
                'PWD',
                '--',
                program.path,
                ...args,
              ],
            ];
      const [command, commandArgs] = isolated
        ? launcher
          ? [launcher, ['--pdeathsig', 'SIGKILL', '--', ...isolated.flat()]]
          : isolated
        : launcher
          ? [launcher, ['--pdeathsig', 'SIGKILL', '--', program.path, ...args]]
          : [program.path, args];
      child = spawn(command, commandArgs, {
        cwd: workDir,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (error) {
      reject(
        new SandboxError(
          'SANDBOX_UNAVAILABLE',
          `Could not start ${program.path}: ${describeError(error)}. Check that the program exists and is executable.`,
          { cause: error },
        ),
      );
      return;
    }
    const groupId = child.pid;

    const killGroup = (): void => {
      if (groupId === undefined) return;
      try {
        process.kill(-groupId, 'SIGKILL');
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    const stop = (reason: Exclude<SandboxExit, 'exited'>): void => {
      if (exitedAt !== null) return;
      stopReason ??= reason;
      killGroup();
    };
    const onAbort = (): void => stop('aborted');
    const cleanUp = (): void => {
      if (timeoutTimer !== null) clearTimeout(timeoutTimer);
      if (graceTimer !== null) clearTimeout(graceTimer);
      stopWatching?.();
      abortSignal?.removeEventListener('abort', onAbort);
    };
    const finish = (): void => {
      if (settled) return;
      settled = true;
      cleanUp();
      const endedAt = exitedAt ?? performance.now();
      let exit: SandboxExit = stopReason ?? 'exited';
      if (exit === 'exited' && (exitSignal !== null || exitCode !== 0) && looksLikeHeapOutOfMemory(stderr.tail())) {
        exit = 'memory';
      }
      resolve({
        exit,
        exitCode,
        signal: exitSignal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        stdoutTruncated: stdout.truncated,
        stderrTruncated: stderr.truncated,
        durationMs: Math.round(endedAt - startedAt),
        peakMemoryMb,
      });
    };

    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    // A pipe error (rare) must not crash clade; the exit is still reported.
    child.stdout?.on('error', () => {});
    child.stderr?.on('error', () => {});

    child.on('error', (error) => {
      if (settled) return;
      if (groupId === undefined || exitedAt === null) {
        settled = true;
        cleanUp();
        killGroup();
        reject(
          new SandboxError(
            'SANDBOX_UNAVAILABLE',
            `Could not start ${program.path}: ${describeError(error)}. Check that the program exists and is executable.`,
            { cause: error },
          ),
        );
      }
    });
    child.on('exit', (code, signalName) => {
      exitedAt = performance.now();
      exitCode = code;
      exitSignal = signalName;
      // bubblewrap reports a program killed by signal N as exit code 128 + N.
      if (isolation !== null && code !== null && code > 128 && code < 160) {
        exitCode = null;
        exitSignal = signalNameOf(code - 128);
      }
      // Processes the program left behind in its group die with it; their pipes then close.
      killGroup();
      if (timeoutTimer !== null) clearTimeout(timeoutTimer);
      stopWatching?.();
      // A process that left the group could hold the pipes open forever: stop waiting after a grace period.
      graceTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish();
      }, PIPE_CLOSE_GRACE_MS);
    });
    child.on('close', finish);

    if (groupId === undefined) return; // 'error' follows.
    timeoutTimer = setTimeout(() => stop('timeout'), limits.timeoutMs);
    abortSignal?.addEventListener('abort', onAbort, { once: true });
    stopWatching = monitor.watch(groupId, (sample) => {
      const residentMb = sample.residentKb / 1024;
      peakMemoryMb = Math.max(peakMemoryMb ?? 0, Math.round(residentMb * 10) / 10);
      if (residentMb > limits.memoryMb) stop('memory');
    });
  });
}

/** `SIGKILL` for 9: the name of a signal number, or `signal N`. */
function signalNameOf(signalNumber: number): string {
  const entry = Object.entries(osConstants.signals).find(([, value]) => value === signalNumber);
  return entry?.[0] ?? `signal ${signalNumber}`;
}

/** What the watchdog saw of one process group in one sample. */
interface GroupSample {
  /** Sum of `VmRSS` over the group's processes, in KiB. */
  residentKb: number;
  /** Number of processes in the group. */
  processes: number;
}

/**
 * Samples the resident memory of watched process groups with one timer and one `/proc` scan per
 * tick for all of a sandbox's concurrent runs. The timer runs only while a group is watched and
 * never keeps the event loop alive by itself.
 */
class ProcessGroupMonitor {
  private readonly watchers = new Map<number, (sample: GroupSample) => void>();
  private timer: NodeJS.Timeout | null = null;
  private available = true;

  constructor(private readonly intervalMs: number) {}

  /** Calls `onSample` every interval while the group lives; returns a function that stops it. */
  watch(groupId: number, onSample: (sample: GroupSample) => void): () => void {
    if (!this.available) return () => {};
    this.watchers.set(groupId, onSample);
    if (this.timer === null) {
      this.timer = setInterval(() => this.tick(), this.intervalMs);
      this.timer.unref();
    }
    return () => {
      this.watchers.delete(groupId);
      if (this.watchers.size === 0 && this.timer !== null) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  private tick(): void {
    let samples: Map<number, GroupSample>;
    try {
      samples = sampleProcessGroups(new Set(this.watchers.keys()));
    } catch {
      // No /proc (not Linux): only V8's heap limit applies.
      this.available = false;
      if (this.timer !== null) clearInterval(this.timer);
      this.timer = null;
      return;
    }
    for (const [groupId, onSample] of this.watchers) {
      const sample = samples.get(groupId);
      if (sample !== undefined) onSample(sample);
    }
  }
}

/** One scan of `/proc`: resident memory and process count for each of the given process groups. */
function sampleProcessGroups(groupIds: ReadonlySet<number>): Map<number, GroupSample> {
  const samples = new Map<number, GroupSample>();
  for (const entry of readdirSync('/proc')) {
    const first = entry.charCodeAt(0);
    if (first < 48 || first > 57) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch {
      continue; // Exited since the listing.
    }
    // Fields after the command name (which may contain spaces and parentheses): state ppid pgrp …
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const groupId = Number(fields[2]);
    if (!groupIds.has(groupId)) continue;
    let residentKb = 0;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'latin1');
      const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      if (match?.[1] !== undefined) residentKb = Number(match[1]);
    } catch {
      // Exited since the listing.
    }
    const sample = samples.get(groupId) ?? { residentKb: 0, processes: 0 };
    sample.residentKb += residentKb;
    sample.processes += 1;
    samples.set(groupId, sample);
  }
  return samples;
}
