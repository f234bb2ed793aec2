/**
 * @module The sandbox runs of a program task: the build step, each job's evaluation (single mode),
 * and each job's produce and judge runs (produce-then-judge). Each run is one argv command in a
 * fresh work directory laid out as:
 *
 * ```
 * program/…      the node's files (any language)           build, evaluate (single), produce
 * build/…        what the build step left in {build}        evaluate (single), produce
 * output/…       the produced outputs, read-only            judge
 * <evaluator>…   the evaluator's files, read-only           evaluate (single), judge
 * tmp/           writable scratch; {build} while building, {output} while producing
 * result.json    {result}: the evaluator's JSON result       evaluate (single), judge
 * ```
 */
import type { AgentFiles } from '../core/types.js';
import type { CollectedFiles } from '../sandbox/collect-files.js';
import type { SandboxLimits, SandboxRequest, SandboxResult } from '../sandbox/types.js';
import type { EvaluationJob } from './types.js';

/** Where the node's files go in a run's work directory (`{program}`). */
export const PROGRAM_DIRECTORY = 'program';
/** Where the build's products go in a job's run (`{build}` there). */
export const BUILD_DIRECTORY = 'build';
/** Where the produced outputs go in a judge run (`{output}` there). */
export const OUTPUT_DIRECTORY = 'output';
/** The writable scratch directory: `{build}` in the build run, `{output}` in a produce run. */
export const SCRATCH_DIRECTORY = 'tmp';
/** The evaluator's result file (`{result}`). */
export const RESULT_FILE = 'result.json';

/** Cap on the build's products, in bytes. */
export const BUILD_PRODUCT_BYTES = 64 * 1024 * 1024;
/** Cap on a produce run's outputs together, in bytes. */
export const OUTPUT_BYTES = 16 * 1024 * 1024;

/** The values of the placeholders in one run. */
export interface PlaceholderValues {
  program: string;
  build: string;
  output: string;
  result: string;
  job: string;
  instance: string;
  seed: string;
  repeat: string;
}

/** Which run the placeholders are for. */
export type RunPhase = 'build' | 'evaluate' | 'produce' | 'judge';

/** Placeholder values of a run: paths relative to the work directory (the command's working directory). */
export function placeholderValues(phase: RunPhase, job: EvaluationJob | null): PlaceholderValues {
  return {
    program: PROGRAM_DIRECTORY,
    build: phase === 'build' ? SCRATCH_DIRECTORY : BUILD_DIRECTORY,
    output: phase === 'judge' ? OUTPUT_DIRECTORY : SCRATCH_DIRECTORY,
    result: RESULT_FILE,
    job: job ? (job.repeat > 0 ? `${job.problem}#${job.repeat}` : job.problem) : '',
    instance: job?.problem ?? '',
    seed: job ? String(job.seed) : '',
    repeat: job ? String(job.repeat) : '',
  };
}

/** Replaces every `{name}` in each argument (unknown names were refused by the schema). */
export function expandCommand(command: readonly string[], values: PlaceholderValues): string[] {
  return command.map((part) =>
    part.replace(/\{([a-z]+)\}/g, (whole, name: string) =>
      Object.hasOwn(values, name) ? values[name as keyof PlaceholderValues] : whole,
    ),
  );
}

/** Prefixes every path of a file map with `directory/`. */
export function under<T>(directory: string, files: Readonly<Record<string, T>>): Record<string, T> {
  const placed: Record<string, T> = {};
  for (const [path, contents] of Object.entries(files)) placed[`${directory}/${path}`] = contents;
  return placed;
}

/** What one run is given. */
export interface RunSpec {
  phase: RunPhase;
  command: readonly string[];
  job: EvaluationJob | null;
  /** The node's files (omitted in judge runs). */
  program?: AgentFiles;
  /** The build's products (paths relative to the scratch directory they were made in) and which are executable. */
  build?: CollectedFiles;
  /** The evaluator's files (evaluate and judge runs). */
  evaluator?: Readonly<Record<string, Uint8Array>>;
  /** Produced outputs (judge runs), relative names. */
  outputs?: Readonly<Record<string, Uint8Array>>;
  /** What the run collects back (build: the scratch directory; produce: the declared outputs). */
  collect?: { paths: readonly string[]; maxBytes: number };
  limits: SandboxLimits;
  modelSocket?: string;
  signal?: AbortSignal;
}

/** The sandbox request of one run. */
export function runRequest(spec: RunSpec): SandboxRequest {
  const values = placeholderValues(spec.phase, spec.job);
  const files: Record<string, string | Uint8Array> = {
    ...(spec.evaluator ?? {}),
    ...(spec.program ? under(PROGRAM_DIRECTORY, spec.program) : {}),
    ...(spec.build ? under(BUILD_DIRECTORY, spec.build.files) : {}),
    ...(spec.outputs ? under(OUTPUT_DIRECTORY, spec.outputs) : {}),
  };
  const executableFiles = spec.build ? spec.build.executables.map((path) => `${BUILD_DIRECTORY}/${path}`) : [];
  return {
    files,
    command: expandCommand(spec.command, values),
    resultFile: RESULT_FILE,
    limits: spec.limits,
    ...(executableFiles.length > 0 ? { executableFiles } : {}),
    ...(spec.collect ? { collect: spec.collect } : {}),
    ...(spec.modelSocket !== undefined ? { modelSocket: spec.modelSocket } : {}),
    ...(spec.signal ? { signal: spec.signal } : {}),
  };
}

/** Collected files with the leading `directory/` taken off (those outside it are dropped). */
export function relativeTo(directory: string, collected: CollectedFiles): CollectedFiles {
  const prefix = `${directory}/`;
  const files: Record<string, Uint8Array> = {};
  for (const [path, contents] of Object.entries(collected.files)) {
    if (path.startsWith(prefix)) files[path.slice(prefix.length)] = contents;
  }
  const executables = collected.executables
    .filter((path) => path.startsWith(prefix))
    .map((path) => path.slice(prefix.length));
  return { files, executables, error: collected.error };
}

/** The end of a run's output (stderr, then stdout), for logs and reasons. */
export function runLog(result: SandboxResult, chars = 2000): string {
  const parts: string[] = [];
  if (result.stderr.trim() !== '') parts.push(result.stderr.trimEnd());
  if (result.stdout.trim() !== '') parts.push(result.stdout.trimEnd());
  const text = parts.join('\n');
  return text.length > chars ? `…${text.slice(-chars)}` : text;
}
