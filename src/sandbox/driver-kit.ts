/**
 * @module What every sandbox driver shares: the request check (paths, command, limits), the work
 * directory (made, filled with the request's files, removed whatever the program did to it),
 * output capture with a byte cap, the result file read back and checked, the V8 heap-exhaustion
 * check, node's heap flag, and the answer to a run aborted before it started. The drivers
 * (`process-sandbox.ts`, `docker-sandbox.ts`, `queue-sandbox.ts`) import these; a new driver
 * should too, so that every driver refuses, caps and explains things the same way.
 */
import { constants as fsConstants } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CladeError, describeError, SandboxError } from '../core/errors.js';
import { assertSafeRelativePath } from '../core/safe-path.js';
import type { SandboxExit, SandboxRequest, SandboxResult } from './types.js';
import { TRUNCATION_MARKER } from './types.js';

/** How much of a stream's end `OutputCapture` keeps, uncapped, to recognise a V8 heap out-of-memory abort. */
const STREAM_TAIL_BYTES = 4_096;

/**
 * Checks the request's paths, command and limits; throws before anything is written.
 *
 * - every file path, the result file and each consumed file must be safe relative paths
 *   (`UnsafePathError`, code `UNSAFE_PATH`), and consumed files must be among the files;
 * - `command` must be a non-empty array of strings without NUL bytes; `command[0]` is a program
 *   name (no `/`), an absolute path, or a path relative to the work directory (then it must be a
 *   safe relative path, `./` allowed in front);
 * - `timeoutMs` and `memoryMb` positive, `outputBytes` and `resultBytes` non-negative.
 *
 * @throws SandboxError (`SANDBOX_FAILED`) or UnsafePathError: requests are built by clade, so a bad
 *   one is a host fault, not the program's failure.
 */
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
  assertSafeRelativePath(request.resultFile);
  for (const consumed of request.consumedFiles ?? []) {
    assertSafeRelativePath(consumed);
    if (!Object.hasOwn(request.files, consumed)) {
      throw new SandboxError('SANDBOX_FAILED', `The consumed file "${consumed}" is not among the request's files.`);
    }
  }
  validateCommand(request.command);
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

/** The `command` part of `validateRequest`. */
function validateCommand(command: unknown): void {
  if (!Array.isArray(command) || command.length === 0) {
    throw new SandboxError(
      'SANDBOX_FAILED',
      `The sandbox request's command must be a non-empty argv array such as ['node', 'harness.mjs'] or ['python3', 'evaluate.py']; got ${JSON.stringify(command)}.`,
    );
  }
  for (const argument of command) {
    if (typeof argument !== 'string' || argument.includes('\u0000')) {
      throw new SandboxError('SANDBOX_FAILED', 'Sandbox command arguments must be strings without NUL bytes.');
    }
  }
  const program = command[0] as string;
  if (program === '')
    throw new SandboxError('SANDBOX_FAILED', 'The sandbox command names no program (command[0] is "").');
  const relative = relativeProgramPath(program);
  if (relative !== null) assertSafeRelativePath(relative);
}

/**
 * For a `command[0]` that names a file in the work directory (`./run.sh`, `build/main`), that path
 * without a leading `./`; null for a program name looked up on PATH or an absolute path.
 */
export function relativeProgramPath(program: string): string | null {
  if (program.startsWith('/') || !program.includes('/')) return null;
  return program.startsWith('./') ? program.slice(2) : program;
}

/** Whether `command[0]` runs node (`node`, or any path whose file name is `node`): it then gets V8's heap limit. */
export function isNodeProgram(program: string): boolean {
  return basename(program) === 'node';
}

/**
 * The command with V8's heap limit (`--max-old-space-size=<memoryMb>`, at least `floorMb`) placed
 * right after the program when it is node, so a JavaScript heap that outgrows the cap ends in V8's
 * own out-of-memory abort (recognised by `looksLikeHeapOutOfMemory`). Other commands are unchanged.
 */
export function withNodeHeapLimit(command: readonly string[], memoryMb: number, floorMb = 1): string[] {
  const [program, ...rest] = command;
  if (program === undefined || !isNodeProgram(program)) return [...command];
  return [program, `--max-old-space-size=${Math.max(floorMb, Math.floor(memoryMb))}`, ...rest];
}

/**
 * Makes a fresh work directory under `tempRoot` named `<prefix>XXXXXX`.
 * @throws SandboxError (`SANDBOX_UNAVAILABLE`, retryable) saying what to check.
 */
export async function makeWorkDirectory(tempRoot: string, prefix: string): Promise<string> {
  try {
    return await mkdtemp(join(tempRoot, prefix));
  } catch (error) {
    throw new SandboxError(
      'SANDBOX_UNAVAILABLE',
      `Could not create a work directory under ${tempRoot}: ${describeError(error)}. Check that the directory exists and is writable.`,
      { cause: error, isRetryable: true },
    );
  }
}

/** Writes the request's files (paths already checked) and an empty `tmp/` into the fresh work directory. */
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

/**
 * Whether the end of a program's stderr shows V8 giving up for lack of heap
 * ("FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"), or
 * Python's `MemoryError` ending the program.
 */
export function looksLikeHeapOutOfMemory(stderrTail: string): boolean {
  return /heap out of memory|Reached heap limit|process out of memory|FATAL ERROR: .*Allocation failed|^MemoryError\b/im.test(
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
    if (this.tailBuffer.length > STREAM_TAIL_BYTES)
      this.tailBuffer = this.tailBuffer.subarray(this.tailBuffer.length - STREAM_TAIL_BYTES);
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

/** How a program ended, as `readResultFile` needs it to explain a missing result. */
export interface ProgramEnding {
  exit: SandboxExit;
  exitCode: number | null;
  signal: string | null;
}

/**
 * Reads and parses the result file, refusing anything but a regular file inside the work
 * directory no larger than `maxBytes`. Never throws: a bad result is the program's failure.
 */
export async function readResultFile(
  workDir: string,
  resultFile: string,
  maxBytes: number,
  outcome: ProgramEnding,
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

function missingResultMessage(resultFile: string, outcome: ProgramEnding): string {
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
