/**
 * @module The `process` sandbox driver: runs `node <entry>` in a fresh temporary directory as a
 * child process in its own process group, with an empty environment, a wall-clock limit, a memory
 * watchdog and output caps. For machines without Docker. It does not isolate the network or the
 * file system (the code runs as the same user as clade): it keeps secrets out and stops runaway
 * programs, nothing more. Use the `docker` driver where Docker is available.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, constants as fsConstants, readdirSync, readFileSync } from 'node:fs';
import { access, chmod, lstat, mkdir, mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CladeError, describeError, SandboxError } from '../core/errors.js';
import { assertSafeRelativePath } from '../core/safe-path.js';
import { MODEL_SOCKET_ENV } from '../model-proxy/types.js';
import { assertModelSocket } from './model-socket.js';
import type { Sandbox, SandboxExit, SandboxRequest, SandboxResult } from './types.js';
import { TRUNCATION_MARKER } from './types.js';

/** Options of `createProcessSandbox`. */
export interface ProcessSandboxOptions {
  /** Node binary that runs the entry file. Default: `process.execPath` (the node running clade). */
  nodeBinary?: string;
  /** Directory in which each run's work directory is made. Default: `os.tmpdir()`. */
  tempRoot?: string;
  /** How often the memory watchdog samples the process group, in milliseconds. Default: 100. */
  memoryPollMs?: number;
}

/** The variables a sandboxed program sees; nothing is inherited from the parent process. */
const SANDBOX_PATH = '/usr/bin:/bin';

/** How long to wait for the output pipes to close after the program exited and its group was killed. */
const PIPE_CLOSE_GRACE_MS = 2_000;

/** How much of stderr's end is kept, uncapped, to recognise a V8 heap out-of-memory abort. */
const STDERR_TAIL_BYTES = 4_096;

/**
 * Creates the `process` sandbox driver.
 *
 * Each `run` makes a fresh work directory under `tempRoot`, writes the request's files, and runs
 * `node --max-old-space-size=<memoryMb> <entry> ...args` there with:
 * - its own process group (`detached`), so a timeout, an abort or the memory cap kills the
 *   program and every process it started (unless one deliberately left the group with `setsid`);
 *   stragglers left in the group when the program exits are killed too;
 * - an environment with nothing from the parent: `PATH=/usr/bin:/bin`, `HOME=<work dir>`,
 *   `TMPDIR=<work dir>/tmp`, `LANG=C.UTF-8` (no `NODE_OPTIONS`, no API keys), and with a
 *   `modelSocket`, `CLADE_MODEL_SOCKET=<its host path>`;
 * - stdin from `/dev/null`; stdout and stderr captured up to `limits.outputBytes` each;
 * - a memory cap: V8's heap limit plus a watchdog that sums the resident memory (`VmRSS`) of the
 *   group's processes every `memoryPollMs` and kills the group above `limits.memoryMb`
 *   (Linux `/proc`; elsewhere only the heap limit applies and `peakMemoryMb` is null).
 *   `peakMemoryMb` is the largest sample, or null when the run ended before the first sample.
 *
 * `limits.cpus` and `limits.pids` are not enforced by this driver.
 *
 * The work directory is removed after every run, whatever happened. Unsafe paths in
 * `files`, `entry` or `resultFile` make `run` reject with `UnsafePathError` (code `UNSAFE_PATH`)
 * before anything is written or started: requests are built by clade, so such a path is a fault
 * on the host side, not a result of the agent.
 */
export function createProcessSandbox(options: ProcessSandboxOptions = {}): Sandbox {
  const nodeBinary = options.nodeBinary ?? process.execPath;
  const tempRoot = options.tempRoot ?? tmpdir();
  const monitor = new ProcessGroupMonitor(options.memoryPollMs ?? 100);
  let environment: Promise<string> | null = null;

  const describeEnvironment = (): Promise<string> => {
    environment ??=
      nodeBinary === process.execPath
        ? Promise.resolve(`node ${process.version}`)
        : queryNodeVersion(nodeBinary).catch((error: unknown) => {
            environment = null; // Ask again next time: the binary may appear.
            throw error;
          });
    return environment;
  };

  return {
    kind: 'process',
    async run(request: SandboxRequest): Promise<SandboxResult> {
      validateRequest(request);
      if (request.modelSocket !== undefined) await assertModelSocket(request.modelSocket);
      const environmentName = await describeEnvironment();
      if (request.signal?.aborted) {
        return abortedBeforeStart(environmentName);
      }

      let workDir: string;
      try {
        workDir = await mkdtemp(join(tempRoot, 'clade-sandbox-'));
      } catch (error) {
        throw new SandboxError(
          'SANDBOX_UNAVAILABLE',
          `Could not create a work directory under ${tempRoot}: ${describeError(error)}. Check that the directory exists and is writable.`,
          { cause: error, isRetryable: true },
        );
      }
      try {
        await writeRequestFiles(workDir, request.files);
        try {
          // Checked here because behind setpriv a missing binary is only setpriv's exit code.
          await access(nodeBinary, fsConstants.X_OK);
        } catch (error) {
          throw new SandboxError(
            'SANDBOX_UNAVAILABLE',
            `Could not start ${nodeBinary}: ${describeError(error)}. Check that the node binary exists and is executable.`,
            { cause: error },
          );
        }
        const processOutcome = await runProcess({
          nodeBinary,
          workDir,
          request,
          monitor,
        });
        const read = await readResultFile(workDir, request.resultFile, request.limits.resultBytes, processOutcome);
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
          environment: environmentName,
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

/** Checks the request's paths and limits; throws before anything is written. */
export function validateRequest(request: SandboxRequest): void {
  for (const [path, contents] of Object.entries(request.files)) {
    assertSafeRelativePath(path);
    if (typeof contents !== 'string' && !(contents instanceof Uint8Array)) {
      throw new SandboxError(
        'SANDBOX_FAILED',
        `The contents of "${path}" must be a string or a Uint8Array, got ${contents === null ? 'null' : typeof contents}.`,
      );
    }
  }
  assertSafeRelativePath(request.entry);
  assertSafeRelativePath(request.resultFile);
  for (const consumed of request.consumedFiles ?? []) {
    assertSafeRelativePath(consumed);
    if (!Object.hasOwn(request.files, consumed)) {
      throw new SandboxError('SANDBOX_FAILED', `The consumed file "${consumed}" is not among the request's files.`);
    }
  }
  if (!Object.hasOwn(request.files, request.entry)) {
    throw new SandboxError(
      'SANDBOX_FAILED',
      `The entry file "${request.entry}" is not among the request's files. Add it to \`files\` or fix \`entry\`.`,
    );
  }
  for (const argument of request.args ?? []) {
    if (typeof argument !== 'string' || argument.includes('\u0000')) {
      throw new SandboxError('SANDBOX_FAILED', 'Sandbox arguments must be strings without NUL bytes.');
    }
  }
  const { limits } = request;
  const positive: Array<[string, number]> = [
    ['timeoutMs', limits.timeoutMs],
    ['memoryMb', limits.memoryMb],
  ];
  const nonNegative: Array<[string, number]> = [
    ['outputBytes', limits.outputBytes],
    ['resultBytes', limits.resultBytes],
  ];
  for (const [name, value] of positive) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new SandboxError(
        'SANDBOX_FAILED',
        `Sandbox limit ${name} must be a positive number, got ${String(value)}.`,
      );
    }
  }
  for (const [name, value] of nonNegative) {
    if (!Number.isFinite(value) || value < 0) {
      throw new SandboxError(
        'SANDBOX_FAILED',
        `Sandbox limit ${name} must be a non-negative number, got ${String(value)}.`,
      );
    }
  }
}

/** Writes the request's files (paths already checked) into the fresh work directory. */
export async function writeRequestFiles(workDir: string, files: SandboxRequest['files']): Promise<void> {
  try {
    for (const [path, contents] of Object.entries(files)) {
      const target = join(workDir, path);
      await mkdir(dirname(target), { recursive: true });
      // `wx`: never overwrite or follow anything; the directory is fresh.
      await writeFile(target, contents, { flag: 'wx' });
    }
    await mkdir(join(workDir, 'tmp'), { recursive: true });
  } catch (error) {
    if (error instanceof CladeError) throw error;
    throw new SandboxError(
      'SANDBOX_FAILED',
      `Could not write the request's files into ${workDir}: ${describeError(error)}. Check that no file path is also used as a directory.`,
      { cause: error },
    );
  }
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
  nodeBinary: string;
  workDir: string;
  request: SandboxRequest;
  monitor: ProcessGroupMonitor;
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

/** The result of a run whose signal was aborted before anything started (every driver's answer). */
export function abortedBeforeStart(environment: string): SandboxResult {
  return {
    exit: 'aborted',
    exitCode: null,
    signal: null,
    stdout: '',
    stderr: '',
    stdoutTruncated: false,
    stderrTruncated: false,
    result: undefined,
    resultError: 'the run was aborted before it started',
    durationMs: 0,
    peakMemoryMb: null,
    environment,
  };
}

/** Spawns the program and waits until it and its output pipes are done. */
function runProcess({ nodeBinary, workDir, request, monitor }: RunProcessOptions): Promise<ProcessOutcome> {
  const { limits, signal: abortSignal } = request;
  const memoryMb = Math.max(1, Math.floor(limits.memoryMb));
  const args = [`--max-old-space-size=${memoryMb}`, request.entry, ...(request.args ?? [])];
  const env: Record<string, string> = {
    PATH: SANDBOX_PATH,
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
      const [command, commandArgs] = launcher
        ? [launcher, ['--pdeathsig', 'SIGKILL', '--', nodeBinary, ...args]]
        : [nodeBinary, args];
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
          `Could not start ${nodeBinary}: ${describeError(error)}. Check the node binary.`,
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
            `Could not start ${nodeBinary}: ${describeError(error)}. Check that the node binary exists and is executable.`,
            { cause: error },
          ),
        );
      }
    });
    child.on('exit', (code, signalName) => {
      exitedAt = performance.now();
      exitCode = code;
      exitSignal = signalName;
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

/**
 * Whether the end of a program's stderr shows V8 giving up for lack of heap
 * ("FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory").
 * Exported for tests.
 */
export function looksLikeHeapOutOfMemory(stderrTail: string): boolean {
  return /heap out of memory|Reached heap limit|process out of memory|FATAL ERROR: .*Allocation failed/i.test(
    stderrTail,
  );
}

/** Keeps the first `limit` bytes of a stream, counts the rest, and remembers the stream's end. */
export class OutputCapture {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private tailBuffer: Buffer = Buffer.alloc(0);
  truncated = false;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    const room = this.limit - this.kept;
    if (room > 0) {
      const taken = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.chunks.push(taken);
      this.kept += taken.length;
    }
    if (chunk.length > Math.max(room, 0)) this.truncated = true;
    this.tailBuffer = Buffer.concat([this.tailBuffer, chunk]);
    if (this.tailBuffer.length > STDERR_TAIL_BYTES)
      this.tailBuffer = this.tailBuffer.subarray(this.tailBuffer.length - STDERR_TAIL_BYTES);
  }

  /** The kept bytes as UTF-8 (a character cut at the limit is dropped), plus the marker if truncated. */
  text(): string {
    const bytes = Buffer.concat(this.chunks);
    const text = (this.truncated ? bytes.subarray(0, completeUtf8Length(bytes)) : bytes).toString('utf8');
    return this.truncated ? text + TRUNCATION_MARKER : text;
  }

  /** The last few KiB of the stream, whether or not they were kept. */
  tail(): string {
    return this.tailBuffer.toString('utf8');
  }
}

/** Length of the longest prefix of `bytes` that does not end inside a UTF-8 sequence. */
function completeUtf8Length(bytes: Buffer): number {
  let start = bytes.length;
  // Walk back over at most three continuation bytes to the last sequence's lead byte.
  while (start > 0 && bytes.length - start < 4 && ((bytes[start - 1] ?? 0) & 0xc0) === 0x80) start--;
  if (start === 0) return bytes.length;
  const lead = bytes[start - 1] ?? 0;
  const needed = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return bytes.length - (start - 1) >= needed ? bytes.length : start - 1;
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

/**
 * Reads and parses the result file, refusing anything but a regular file inside the work
 * directory no larger than `maxBytes`. Never throws: a bad result is the program's failure.
 */
export async function readResultFile(
  workDir: string,
  resultFile: string,
  maxBytes: number,
  outcome: Pick<ProcessOutcome, 'exit' | 'exitCode' | 'signal'>,
): Promise<{ result: unknown; error: string | null }> {
  const rejected = (reason: string): { result: undefined; error: string } => ({
    result: undefined,
    error: `result file "${resultFile}" rejected: ${reason}`,
  });
  const segments = resultFile.split('/');
  for (let index = 1; index < segments.length; index++) {
    const directory = segments.slice(0, index).join('/');
    try {
      const info = await lstat(join(workDir, directory));
      if (info.isSymbolicLink()) return rejected(`"${directory}" is a symbolic link`);
      if (!info.isDirectory()) return rejected(`"${directory}" is not a directory`);
    } catch {
      return { result: undefined, error: missingResultMessage(resultFile, outcome) };
    }
  }
  const path = join(workDir, resultFile);
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = await lstat(path);
  } catch {
    return { result: undefined, error: missingResultMessage(resultFile, outcome) };
  }
  if (info.isSymbolicLink()) return rejected('it is a symbolic link; write a regular file');
  if (!info.isFile()) return rejected('it is not a regular file');
  if (info.size > maxBytes) return rejected(`it is ${info.size} bytes, larger than the limit of ${maxBytes} bytes`);

  let text: string;
  try {
    // O_NOFOLLOW and O_NONBLOCK: the file cannot have been swapped for a link or a FIFO since lstat.
    const handle = await open(path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
    try {
      const opened = await handle.stat();
      if (!opened.isFile()) return rejected('it is not a regular file');
      const buffer = Buffer.alloc(Math.min(opened.size, maxBytes) + 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      if (bytesRead > maxBytes) return rejected(`it is larger than the limit of ${maxBytes} bytes`);
      text = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    return rejected(`it could not be read (${describeError(error)})`);
  }
  try {
    return { result: JSON.parse(text) as unknown, error: null };
  } catch (error) {
    return rejected(`it is not valid JSON (${describeError(error)})`);
  }
}

function missingResultMessage(
  resultFile: string,
  outcome: Pick<ProcessOutcome, 'exit' | 'exitCode' | 'signal'>,
): string {
  const ending =
    outcome.exit === 'exited'
      ? outcome.signal !== null
        ? `was killed by ${outcome.signal}`
        : `exited with code ${String(outcome.exitCode)}`
      : outcome.exit === 'timeout'
        ? 'was killed at the time limit'
        : outcome.exit === 'memory'
          ? 'was killed for passing the memory cap'
          : outcome.exit === 'disk'
            ? 'was killed for writing too much into its work directory'
            : 'was aborted';
  return `no result file "${resultFile}": the program ${ending} without writing it`;
}

/** Removes a work directory even if the program made parts of it unreadable. */
export async function removeTree(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true });
    return;
  } catch {
    await makeOwnerWritable(path);
  }
  try {
    await rm(path, { recursive: true, force: true });
  } catch (error) {
    throw new SandboxError(
      'SANDBOX_FAILED',
      `Could not remove the sandbox work directory ${path}: ${describeError(error)}. Remove it by hand.`,
      { cause: error },
    );
  }
}

async function makeOwnerWritable(directory: string): Promise<void> {
  try {
    await chmod(directory, 0o700);
  } catch {
    return;
  }
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (entry.isDirectory()) await makeOwnerWritable(join(directory, entry.name));
  }
}

/** `node --version` of another binary, e.g. `node v22.1.0`. */
function queryNodeVersion(nodeBinary: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(nodeBinary, ['--version'], { env: { PATH: SANDBOX_PATH }, timeout: 10_000 }, (error, stdout) => {
      if (error) {
        reject(
          new SandboxError(
            'SANDBOX_UNAVAILABLE',
            `Could not run ${nodeBinary} --version: ${describeError(error)}. Check the nodeBinary option.`,
            { cause: error },
          ),
        );
        return;
      }
      resolve(`node ${stdout.trim()}`);
    });
  });
}
