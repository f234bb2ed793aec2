/**
 * @module The in-sandbox harness: the program a sandbox runs (`node harness.mjs`). It reads
 * `input.json` (a `HarnessInput`) from its working directory and deletes it before any agent code
 * loads (so an agent cannot read seeds or other jobs), imports the bundled agent module, runs
 * each job with the task kind's runner, capturing the agent's console per job, and writes
 * `result.json` (a `HarnessOutput`) atomically. A failing job is a result (`ok: false`), never a
 * crash of the harness. One progress line per job start and end goes to stderr, so that the output
 * of a run killed at a limit says which job was running. Exit codes: 0 when `result.json` was written, 2 for unusable input or an
 * unknown task kind, 1 when the result could not be written.
 *
 * Bundled by `scripts/build-harness.mjs` into `dist/sandbox/harness.mjs`: it must import nothing
 * but node builtins and files of this repository.
 */
import { readFileSync, readlinkSync, realpathSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import type { HarnessInput, HarnessJobResult, HarnessOutput } from '../../src/harness/types.js';
import { preloadCec2022Data } from './cec2022-data.js';
import { runCodingAgentJob } from './coding.js';
import { runNumericJob } from './numeric.js';
import { runProtocolJob } from './protocol.js';
import type { JobRunner } from './types.js';

/** Version of the harness protocol (`input.json` → `result.json`), stored with every result. */
export const HARNESS_VERSION = '1';

/** File the harness reads its input from, in its working directory (deleted once read). */
export const HARNESS_INPUT_FILE = 'input.json';

/** File the harness writes its output to, in its working directory. */
export const HARNESS_RESULT_FILE = 'result.json';

/** Cap on each job's captured log, in characters (half kept from the start, half from the end). */
export const HARNESS_LOG_LIMIT = 8 * 1024;

/** Runners by task kind. */
const runners: Record<string, JobRunner> = {
  numeric: runNumericJob,
  'numeric-protocol': runProtocolJob,
  'coding-agent': runCodingAgentJob,
  // The coding task's kind: the same runner, one job per exercise.
  coding: runCodingAgentJob,
};

/** How many stack frames of a job's error are kept. */
const STACK_LINES = 6;

/** Longest error message kept for a job. */
const ERROR_LIMIT = 4_000;

/** Kept before any agent code can replace them. */
const exitProcess = process.exit.bind(process);
const writeStderr = process.stderr.write.bind(process.stderr);
const killProcess = process.kill.bind(process);
// What writes the result, kept as loaded: an agent that replaces `JSON.stringify` or the `fs`
// functions (`module.syncBuiltinESMExports()` updates imported bindings) does not reach the writer.
// This narrows, not closes, what agent code in this process can do while its jobs run.
const stringify = JSON.stringify;
const parse = JSON.parse;
const writeFileNow = writeFileSync;
const renameNow = renameSync;
/**
 * Ends the process without emitting `exit`: no `process.on('exit')` hook of the agent runs after
 * the harness's final write. (`process.reallyExit` is what `process.exit` calls after the event.)
 */
const exitWithoutHooks: (code: number) => never = (
  process as unknown as { reallyExit: (code: number) => never }
).reallyExit.bind(process);

/**
 * The sandbox's environment variable and root link by which a driver says the harness is alone in
 * its PID namespace with its own descendants (see `src/sandbox/isolation.ts`): a container, or a
 * bubblewrap run. Only then does the harness kill every other process before its final write.
 */
const PRIVATE_PIDS_ENV = 'CLADE_SANDBOX_PRIVATE_PIDS';
const PRIVATE_PIDS_LINK = '/.clade-sandbox';

/** Read at start, before any agent code can change the environment. */
const alonePidNamespace = ((): boolean => {
  if (process.env[PRIVATE_PIDS_ENV] === '1') return true;
  try {
    return readlinkSync(PRIVATE_PIDS_LINK) === 'private-pids';
  } catch {
    return false;
  }
})();

/**
 * Before the final write: in a PID namespace of its own, every process but this one (and the
 * namespace's init) is killed (`kill(-1, SIGKILL)`), so no process the agent started (detached,
 * `setsid`, double-forked) can rewrite the result after the harness wrote it. Never done where
 * the harness shares the host's processes.
 */
function killLeftoverProcesses(): void {
  if (!alonePidNamespace) return;
  try {
    killProcess(-1, 'SIGKILL');
  } catch {
    // ESRCH: there was no other process.
  }
}
const consoleMethods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/**
 * A log capped at `limit` characters: the first half of the limit is kept from the start, the
 * rest is a rolling window over the end, and a note says how many lines were dropped between.
 */
class CappedLog {
  private head = '';
  private readonly tail: string[] = [];
  private tailLength = 0;
  private dropped = 0;

  constructor(private readonly limit: number) {}

  append(text: string): void {
    for (const rawLine of text.split('\n')) this.appendLine(rawLine);
  }

  private appendLine(rawLine: string): void {
    const half = Math.floor(this.limit / 2);
    const line =
      rawLine.length > half
        ? `${rawLine.slice(0, half - 40)} [… ${rawLine.length - half + 40} characters cut]`
        : rawLine;
    if (this.tail.length === 0 && this.head.length + line.length + 1 <= half) {
      this.head += `${line}\n`;
      return;
    }
    this.tail.push(line);
    this.tailLength += line.length + 1;
    while (this.tailLength > this.limit - half && this.tail.length > 0) {
      const removed = this.tail.shift() ?? '';
      this.tailLength -= removed.length + 1;
      this.dropped++;
    }
  }

  toString(): string {
    const note = this.dropped > 0 ? `[… ${this.dropped} log line(s) dropped by the harness …]\n` : '';
    return this.head + note + this.tail.map((line) => `${line}\n`).join('');
  }
}

/** A stopped job's error as one message with the first stack frames that are not the harness's. */
function describeJobError(error: unknown): string {
  let message: string;
  if (error instanceof Error) {
    const frames = (error.stack ?? '')
      .split('\n')
      .filter((line) => line.trimStart().startsWith('at '))
      .filter((line) => !line.includes(import.meta.url) && !line.includes('node:internal'))
      .slice(0, STACK_LINES);
    const head = error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
    message = [head || error.name || 'Error', ...frames].join('\n');
  } else {
    try {
      message = typeof error === 'string' ? error : `non-Error thrown: ${JSON.stringify(error) ?? String(error)}`;
    } catch {
      message = `non-Error thrown: ${String(error)}`;
    }
  }
  return message.length > ERROR_LIMIT ? `${message.slice(0, ERROR_LIMIT)} [… cut]` : message;
}

function parseInput(text: string): HarnessInput {
  const value = JSON.parse(text) as unknown;
  if (typeof value !== 'object' || value === null) throw new Error('input is not a JSON object');
  const input = value as Partial<HarnessInput>;
  if (typeof input.kind !== 'string') throw new Error('input.kind must be a string');
  if (typeof input.agent !== 'string' || input.agent.length === 0)
    throw new Error('input.agent must be a non-empty string');
  if (!Array.isArray(input.jobs)) throw new Error('input.jobs must be an array');
  return { kind: input.kind, agent: input.agent, jobs: input.jobs };
}

/** Options of `runHarness`. */
export interface RunHarnessOptions {
  /**
   * End the process right after the final write, with its exit code, without emitting `exit` (the
   * program's own run: no hook of the agent runs after the result is written). Default false.
   */
  exitWhenDone?: boolean;
}

/**
 * Runs the harness in `directory` (default: the working directory) and returns the exit code.
 * It replaces `console`'s methods, `process.exit` and the process's uncaught-error handlers for
 * the rest of the process's life: it is meant to own the process it runs in.
 *
 * The final write is the harness's last word: in a PID namespace of its own it first kills every
 * other process (`killLeftoverProcesses`), and with `exitWhenDone` the process ends in the same
 * synchronous step, so neither an `exit` hook nor a process the agent left behind can change it.
 * Agent code runs in this process while the jobs run: what a job reports (its output, counts and
 * log) is as trustworthy as that process; hosts re-check what matters (the score of the reported point).
 */
export async function runHarness(directory: string = process.cwd(), options: RunHarnessOptions = {}): Promise<number> {
  const inputPath = resolve(directory, HARNESS_INPUT_FILE);
  let input: HarnessInput;
  try {
    const text = readFileSync(inputPath, 'utf8');
    // Gone before any agent code loads: the agent must not see seeds or other jobs.
    unlinkSync(inputPath);
    input = parseInput(text);
  } catch (error) {
    writeStderr(`clade harness: cannot use ${inputPath}: ${describeJobError(error)}\n`);
    return 2;
  }
  const runner = Object.hasOwn(runners, input.kind) ? runners[input.kind] : undefined;
  if (runner === undefined) {
    writeStderr(
      `clade harness: unknown task kind "${input.kind}"; this harness (version ${HARNESS_VERSION}) knows: ${Object.keys(runners).join(', ')}\n`,
    );
    return 2;
  }

  // Data files the host sent with the request (CEC2022) go into memory and off the disk before
  // any agent code loads, like input.json.
  if (input.kind === 'numeric') preloadCec2022Data(input.jobs, directory);

  // Output that belongs to no job (timers left running between jobs) goes to stderr.
  const strayLog = { append: (text: string) => void writeStderr(`[agent, between jobs] ${text}\n`) };
  let currentLog: { append(text: string): void } = strayLog;
  for (const method of consoleMethods) {
    console[method] = (...args: unknown[]) => {
      const text = format(...args);
      currentLog.append(
        method === 'trace' ? `Trace: ${text}\n${new Error().stack?.split('\n').slice(2).join('\n') ?? ''}` : text,
      );
    };
  }
  process.exit = ((code?: number | string | null) => {
    throw new Error(`the agent called process.exit(${code ?? ''}); return from the agent function instead`);
  }) as typeof process.exit;

  let failCurrentJob: ((error: unknown) => void) | null = null;
  const onStrayError = (error: unknown): void => {
    if (failCurrentJob !== null) failCurrentJob(error);
    else writeStderr(`clade harness: uncaught error outside a job: ${describeJobError(error)}\n`);
  };
  process.on('uncaughtException', onStrayError);
  process.on('unhandledRejection', onStrayError);

  // Stack traces of agent errors point into the agent's sources when its bundle has a source map.
  process.setSourceMapsEnabled?.(true);

  const importLog = new CappedLog(HARNESS_LOG_LIMIT);
  let agent: Record<string, unknown> | null = null;
  let importError: string | null = null;
  currentLog = importLog;
  try {
    agent = (await import(pathToFileURL(resolve(directory, input.agent)).href)) as Record<string, unknown>;
  } catch (error) {
    importError = `the agent module failed to load: ${describeJobError(error)}`;
  }
  currentLog = strayLog;
  const importText = importLog.toString();

  const results: HarnessJobResult[] = [];
  const resultPath = resolve(directory, HARNESS_RESULT_FILE);
  // Written after every job, so that a later job that hangs until the sandbox's time limit does not
  // take the finished jobs' results with it.
  const writeResults = (): string | null => {
    const output: HarnessOutput = { harnessVersion: HARNESS_VERSION, jobs: results };
    const temporaryPath = `${resultPath}.${process.pid}.tmp`;
    try {
      writeFileNow(temporaryPath, stringify(output));
      renameNow(temporaryPath, resultPath);
      return null;
    } catch (error) {
      return describeJobError(error);
    }
  };
  for (const [index, job] of input.jobs.entries()) {
    const startedAt = performance.now();
    const log = new CappedLog(HARNESS_LOG_LIMIT);
    if (index === 0 && importText.length > 0) log.append(importText.replace(/\n$/, ''));
    if (agent === null) {
      results.push({
        index,
        ok: false,
        error: importError ?? 'the agent module failed to load',
        durationMs: 0,
        log: log.toString(),
      });
      continue;
    }
    // Progress on stderr: if the sandbox kills the run, its output tail says which job was running.
    writeStderr(`clade harness: job ${index + 1} of ${input.jobs.length} started\n`);
    currentLog = log;
    try {
      const failure = new Promise<never>((_, reject) => {
        failCurrentJob = reject;
      });
      const loadedAgent = agent;
      const output = await Promise.race([
        Promise.resolve().then(() => runner(job, loadedAgent, { log: (line) => log.append(String(line)), directory })),
        failure,
      ]);
      const json = stringify(output);
      results.push({
        index,
        ok: true,
        ...(json === undefined ? {} : { output: parse(json) as unknown }),
        durationMs: Math.round(performance.now() - startedAt),
        log: log.toString(),
      });
    } catch (error) {
      results.push({
        index,
        ok: false,
        error: describeJobError(error),
        durationMs: Math.round(performance.now() - startedAt),
        log: log.toString(),
      });
    } finally {
      failCurrentJob = null;
      currentLog = strayLog;
      const finished = results[results.length - 1];
      writeStderr(
        `clade harness: job ${index + 1} ${finished?.ok ? 'finished' : 'failed'} in ${finished?.durationMs ?? 0} ms\n`,
      );
    }
    if (index < input.jobs.length - 1) writeResults();
  }

  // From here to the end of the process nothing awaits: no agent callback runs in between.
  killLeftoverProcesses();
  const writeError = writeResults();
  if (writeError !== null) writeStderr(`clade harness: cannot write ${resultPath}: ${writeError}\n`);
  const code = writeError === null ? 0 : 1;
  if (options.exitWhenDone === true) exitWithoutHooks(code);
  return code;
}

/** Whether this module is the program node was started with (and not imported by a test). */
function isMainModule(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isMainModule()) {
  runHarness(process.cwd(), { exitWhenDone: true }).then(
    // Exit explicitly: timers the agent left running must not keep the sandbox alive.
    (code) => exitProcess(code),
    (error: unknown) => {
      writeStderr(`clade harness: internal error: ${describeJobError(error)}\n`);
      exitProcess(1);
    },
  );
}
