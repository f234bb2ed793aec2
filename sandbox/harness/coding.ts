/**
 * @module The in-sandbox runner of `coding-agent` jobs (issue 7 contract, section 2): writes the
 * job's starting files into its work directory, calls the agent module's `solve(task)` raced
 * against the job's time limit, and returns the agent's report with every file it left in the
 * work directory (capped). A `solve` that throws or times out still returns the files: what the
 * agent wrote before it stopped is judged like any other result.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { assertSafeRelativePath } from '../../src/core/safe-path.js';
import {
  CODING_OUTPUT_MAX_BYTES,
  CODING_OUTPUT_MAX_FILES,
  CODING_OUTPUT_SKIPPED_DIRECTORIES,
  type CodingAgentJob,
  type CodingAgentOutput,
  type CodingTask,
  type SolveReport,
} from '../../src/harness/coding-agent-job.js';
import type { JobContext, JobRunner } from './types.js';

/** Stop reasons an agent may report. */
const STOP_REASONS = new Set(['done', 'steps', 'tokens', 'time', 'model-error']);

/** Checks the job's shape; throws a TypeError naming the field at fault. */
function parseJob(value: unknown): CodingAgentJob {
  if (value === null || typeof value !== 'object') throw new TypeError('Malformed coding-agent job: not an object.');
  const job = value as Partial<CodingAgentJob>;
  if (typeof job.id !== 'string' || job.id.length === 0) throw new TypeError('Malformed coding-agent job: id.');
  if (typeof job.workDir !== 'string') throw new TypeError('Malformed coding-agent job: workDir.');
  assertSafeRelativePath(job.workDir);
  if (typeof job.statement !== 'string') throw new TypeError('Malformed coding-agent job: statement.');
  if (job.files === null || typeof job.files !== 'object' || Array.isArray(job.files)) {
    throw new TypeError('Malformed coding-agent job: files.');
  }
  for (const [name, content] of Object.entries(job.files)) {
    assertSafeRelativePath(name);
    if (typeof content !== 'string') throw new TypeError(`Malformed coding-agent job: file ${name} is not text.`);
  }
  const limits = job.limits as Partial<CodingAgentJob['limits']> | undefined;
  for (const field of ['maxSteps', 'maxTokens', 'timeoutMs'] as const) {
    const limit = limits?.[field];
    if (typeof limit !== 'number' || !(limit > 0)) throw new TypeError(`Malformed coding-agent job: limits.${field}.`);
  }
  return job as CodingAgentJob;
}

/** The agent's `solve` (a named export, or a default export that is a function or holds `solve`). */
function findSolve(agent: Record<string, unknown>): (task: CodingTask) => unknown {
  const candidate =
    agent.solve ??
    (typeof agent.default === 'function'
      ? agent.default
      : (agent.default as Record<string, unknown> | undefined)?.solve);
  if (typeof candidate !== 'function') {
    throw new TypeError(
      'The agent module exports no solve function. Export `async function solve(task)` from the entry file.',
    );
  }
  return candidate as (task: CodingTask) => unknown;
}

/** The report `solve` returned, checked; null with the reason when it is malformed. */
function checkReport(value: unknown): { report: SolveReport } | { problem: string } {
  if (value === null || typeof value !== 'object') return { problem: `solve returned ${String(value)}, not a report` };
  const report = value as Partial<SolveReport>;
  if (typeof report.stopReason !== 'string' || !STOP_REASONS.has(report.stopReason)) {
    return {
      problem: `report.stopReason ${JSON.stringify(report.stopReason)} is not one of ${[...STOP_REASONS].join(', ')}`,
    };
  }
  const count = (field: 'steps' | 'tokensIn' | 'tokensOut'): number | null => {
    const number = report[field];
    return typeof number === 'number' && Number.isFinite(number) && number >= 0 ? number : null;
  };
  const steps = count('steps');
  const tokensIn = count('tokensIn');
  const tokensOut = count('tokensOut');
  if (steps === null || tokensIn === null || tokensOut === null) {
    return { problem: 'report.steps, tokensIn and tokensOut must be non-negative numbers' };
  }
  return { report: { stopReason: report.stopReason, steps, tokensIn, tokensOut } };
}

/**
 * Every regular file under `root`, as text, in path order: `node_modules` and `.git` skipped,
 * symbolic links and binary files left out, at most `CODING_OUTPUT_MAX_FILES` files and
 * `CODING_OUTPUT_MAX_BYTES` in all. `truncated` says what was left out.
 */
export function readWorkDirectory(root: string): { files: Record<string, string>; truncated?: string } {
  const files: Record<string, string> = {};
  const leftOut: string[] = [];
  const pastFileCap: string[] = [];
  let total = 0;
  let count = 0;
  const visit = (relative: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(join(root, relative)).sort();
    } catch {
      leftOut.push(`${relative || '.'} (unreadable directory)`);
      return;
    }
    for (const name of entries) {
      const childRelative = relative ? `${relative}/${name}` : name;
      const absolute = join(root, childRelative);
      const stats = lstatSync(absolute);
      if (stats.isDirectory()) {
        if (CODING_OUTPUT_SKIPPED_DIRECTORIES.includes(name)) continue;
        visit(childRelative);
        continue;
      }
      if (stats.isSymbolicLink()) {
        leftOut.push(`${childRelative} (symbolic link)`);
        continue;
      }
      if (!stats.isFile()) continue;
      if (count >= CODING_OUTPUT_MAX_FILES) {
        pastFileCap.push(childRelative);
        continue;
      }
      if (total + stats.size > CODING_OUTPUT_MAX_BYTES) {
        leftOut.push(`${childRelative} (${stats.size} bytes would pass the ${CODING_OUTPUT_MAX_BYTES}-byte cap)`);
        continue;
      }
      const content = readFileSync(absolute);
      if (content.includes(0)) {
        leftOut.push(`${childRelative} (binary)`);
        continue;
      }
      files[childRelative] = content.toString('utf8');
      total += stats.size;
      count++;
    }
  };
  visit('');
  if (pastFileCap.length > 0) {
    leftOut.push(
      `${pastFileCap.length} file(s) past the cap of ${CODING_OUTPUT_MAX_FILES} files (${pastFileCap[0]}${pastFileCap.length > 1 ? ` … ${pastFileCap[pastFileCap.length - 1]}` : ''})`,
    );
  }
  if (leftOut.length === 0) return { files };
  const shown = leftOut.slice(0, 20).join(', ');
  return { files, truncated: `left out: ${shown}${leftOut.length > 20 ? `, and ${leftOut.length - 20} more` : ''}` };
}

/**
 * Runs one coding-agent job. `context.directory` is the harness's directory, which `workDir` is
 * relative to (default: the working directory).
 */
export const runCodingAgentJob: JobRunner = async (
  value: unknown,
  agent: Record<string, unknown>,
  context: JobContext,
): Promise<CodingAgentOutput> => {
  const job = parseJob(value);
  const solve = findSolve(agent);
  const workDir = resolve(context.directory ?? process.cwd(), job.workDir);
  mkdirSync(workDir, { recursive: true });
  for (const [name, content] of Object.entries(job.files)) {
    const target = join(workDir, name);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }

  const controller = new AbortController();
  const task: CodingTask = {
    workDir,
    statement: job.statement,
    modelSocket: process.env.CLADE_MODEL_SOCKET ?? '',
    limits: { maxSteps: job.limits.maxSteps, maxTokens: job.limits.maxTokens, timeoutMs: job.limits.timeoutMs },
    log: (line: string) => context.log(String(line)),
    signal: controller.signal,
  };
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolveTimeout) => {
    timer = setTimeout(() => resolveTimeout('timeout'), job.limits.timeoutMs);
  });
  let report: SolveReport;
  let error: string | undefined;
  const zero = { steps: 0, tokensIn: 0, tokensOut: 0 };
  try {
    const returned = await Promise.race([Promise.resolve().then(() => solve(task)), timedOut]);
    if (returned === 'timeout') {
      controller.abort();
      report = { stopReason: 'time', ...zero };
      error = `solve did not return within the job's limit of ${job.limits.timeoutMs} ms; the runner stopped waiting and kept the files as they were.`;
      context.log(`clade: ${error}`);
    } else {
      const checked = checkReport(returned);
      if ('report' in checked) {
        report = checked.report;
      } else {
        report = { stopReason: 'error', ...zero };
        error = `solve returned a malformed report: ${checked.problem}.`;
        context.log(`clade: ${error}`);
      }
    }
  } catch (thrown) {
    report = { stopReason: 'error', ...zero };
    const message = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
    error = `solve threw ${message}`;
    context.log(`clade: ${error}`);
  } finally {
    clearTimeout(timer);
  }
  const read = readWorkDirectory(workDir);
  return {
    report,
    files: read.files,
    ...(read.truncated !== undefined ? { truncated: read.truncated } : {}),
    ...(error !== undefined ? { error } : {}),
  };
};
