/**
 * @module A benchmark protocol (CEC2022's by default): every (function, dimension) case is run
 * `runs` times with independent seeds, each run in the sandbox through the harness (agent code
 * never runs in the clade process), with a fixed budget, an early stop at a target error and the
 * best error recorded at checkpoints. Runs go through a pool of `workers` concurrent sandboxes.
 * Then mean / std / median per case, and markdown and CSV tables that compare with published results.
 *
 * The suite (which functions exist, how the sandbox and the host build them) is a parameter:
 * `ProtocolSuite`; `createCec2022Suite` (src/numeric/cec2022-suite.ts) and `createBuiltinSuite` here.
 */
import { CladeError } from '../core/errors.js';
import { deriveSeed } from '../core/random.js';
import type { AgentFiles } from '../core/types.js';
import { HARNESS_AGENT_FILE, harnessRequest } from '../sandbox/harness.js';
import type { Sandbox, SandboxLimits } from '../sandbox/types.js';
import type { AgentBundler } from '../tasks/evaluate-node.js';
import type { HarnessInput, HarnessOutput } from '../tasks/types.js';
import { BUILTIN_FUNCTION_NAMES } from './functions.js';
import { type BoxedBenchmarkFunction, buildProtocolFunction } from './protocol-functions.js';
import {
  PROTOCOL_JOB_KIND,
  type ProtocolFunctionSpec,
  type ProtocolJob,
  parseProtocolJobOutput,
} from './protocol-job.js';
import { PUBLISHED_CEC2022, publishedMean } from './published-cec2022.js';

/** CEC2022: errors at or below this count as 0 and end the run. */
export const CEC2022_TARGET_ERROR = 1e-8;

/** The official budgets (MaxFES): 200,000 for D = 10, 1,000,000 for D = 20. */
export function cec2022Budget(dimension: number): number {
  if (dimension === 10) return 200_000;
  if (dimension === 20) return 1_000_000;
  return 10_000 * dimension;
}

/**
 * CEC2022's recording points: the error is recorded after D^(k/5 − 3) · MaxFES evaluations for
 * k = 0..15 (the last is MaxFES), rounded to whole evaluations.
 */
export function cec2022Checkpoints(dimension: number, maxFes: number): number[] {
  const points: number[] = [];
  for (let k = 0; k <= 15; k++) {
    const at = k === 15 ? maxFes : Math.max(1, Math.round(dimension ** (k / 5 - 3) * maxFes));
    points.push(Math.min(maxFes, at));
  }
  return points;
}

/** Which functions a protocol runs and how they are built. */
export interface ProtocolSuite {
  /** e.g. `cec2022`; also the results directory name. */
  readonly name: string;
  /** Function ids the suite has (CEC2022: 1..12). */
  readonly functions: readonly number[];
  readonly dimensions: readonly number[];
  /** Label of a function in tables, e.g. `F3`. */
  label(fn: number): string;
  budget(dimension: number): number;
  checkpoints(dimension: number, budget: number): number[];
  targetError: number;
  /** What the sandbox builds the function from (a job carries it). */
  spec(fn: number, dimension: number): ProtocolFunctionSpec;
  /** The same function on the host, to recompute each run's reported best value. */
  create(fn: number, dimension: number): BoxedBenchmarkFunction;
  /** Published mean errors to compare with, by algorithm name (may be empty). */
  published(fn: number, dimension: number): { name: string; mean: number }[];
}

/**
 * The built-in functions (numbered 1..7 in `BUILTIN_FUNCTION_NAMES` order) under the same
 * protocol: for development and tests where the CEC2022 data is not at hand.
 */
export function createBuiltinSuite(
  options: { instanceSeed?: number; budget?: (dimension: number) => number } = {},
): ProtocolSuite {
  const instanceSeed = options.instanceSeed ?? 1;
  const budget = options.budget ?? ((dimension: number) => 10_000 * dimension);
  const name = (fn: number): string => {
    const found = BUILTIN_FUNCTION_NAMES[fn - 1];
    if (found === undefined) {
      throw new CladeError('USAGE', `The builtin suite has functions 1..${BUILTIN_FUNCTION_NAMES.length}; got ${fn}.`);
    }
    return found;
  };
  const spec = (fn: number, dimension: number): ProtocolFunctionSpec => ({
    suite: 'builtin',
    fn: name(fn),
    dim: dimension,
    instanceSeed,
    bounds: [-100, 100],
  });
  return {
    name: 'builtin',
    functions: BUILTIN_FUNCTION_NAMES.map((_, index) => index + 1),
    dimensions: [2, 5, 10, 20, 30, 50],
    label: name,
    budget,
    checkpoints: cec2022Checkpoints,
    targetError: CEC2022_TARGET_ERROR,
    spec,
    create: (fn, dimension) => buildProtocolFunction(spec(fn, dimension)),
    published: () => [],
  };
}

/** Attaches CEC2022's published results to a suite's comparison. */
export function cec2022Published(fn: number, dimension: number): { name: string; mean: number }[] {
  return PUBLISHED_CEC2022.flatMap((entry) => {
    const mean = publishedMean(entry.name, fn, dimension);
    return mean === undefined ? [] : [{ name: entry.name, mean }];
  });
}

/** One run's result. */
export interface ProtocolRun {
  fn: number;
  dimension: number;
  run: number;
  seed: number;
  ok: boolean;
  /** Final error (0 at or below the target); null for a failed run. */
  error: number | null;
  evaluations: number | null;
  /** Best error at each checkpoint; empty for a failed run. */
  checkpointErrors: number[];
  durationMs: number;
  /** Why the run failed, or a log excerpt. */
  message: string | null;
}

/** Options of `runProtocol`. */
export interface RunProtocolOptions {
  suite: ProtocolSuite;
  agent: AgentFiles;
  /** The agent's entry file, e.g. `optimizer.ts`. */
  agentEntry: string;
  functions: readonly number[];
  dimensions: readonly number[];
  runs: number;
  /** Sandboxes running at once. */
  workers: number;
  /** Seed of every run's seed. */
  seed: number;
  sandbox: Sandbox;
  limits: SandboxLimits;
  bundle: AgentBundler;
  harness: string;
  /** Runs already done (e.g. kept from an earlier, interrupted call): they are not run again. */
  skip?: (fn: number, dimension: number, run: number) => boolean;
  /** Called after each run (for progress and incremental saving). */
  onRun?: (run: ProtocolRun, done: number, total: number) => void;
  signal?: AbortSignal;
}

/**
 * Runs the protocol and returns every run (run 0 of every case, then run 1 …). The agent is bundled
 * once; each run is one sandbox invocation of the harness with one `numeric-protocol` job. After
 * `signal` aborts, runs still in flight are dropped (not reported as failures).
 *
 * @throws CladeError `AGENT_INVALID` when the agent does not bundle; `TASK_INVALID` for a bad case.
 */
export async function runProtocol(options: RunProtocolOptions): Promise<ProtocolRun[]> {
  const { suite } = options;
  const bundled = await options.bundle(options.agent, options.agentEntry);
  if (!bundled.ok) throw new CladeError('AGENT_INVALID', `The agent does not build: ${bundled.error}`);

  interface Pending {
    fn: number;
    dimension: number;
    run: number;
    job: ProtocolJob;
  }
  const pending: Pending[] = [];
  const hosts = new Map<string, BoxedBenchmarkFunction>();
  // Run-major order: an interrupted protocol has every case with nearly the same number of runs.
  const specs = new Map<string, ProtocolFunctionSpec>();
  for (const dimension of options.dimensions) {
    for (const fn of options.functions) {
      specs.set(`${fn}/${dimension}`, suite.spec(fn, dimension));
      hosts.set(`${fn}/${dimension}`, suite.create(fn, dimension));
    }
  }
  for (let run = 0; run < options.runs; run++) {
    for (const dimension of options.dimensions) {
      const budget = suite.budget(dimension);
      const checkpoints = suite.checkpoints(dimension, budget);
      for (const fn of options.functions) {
        if (options.skip?.(fn, dimension, run)) continue;
        const runSeed = deriveSeed(options.seed, suite.name, fn, dimension, run);
        pending.push({
          fn,
          dimension,
          run,
          job: {
            case: `${suite.label(fn)}-D${dimension}`,
            function: specs.get(`${fn}/${dimension}`) as ProtocolFunctionSpec,
            budget,
            runSeed,
            targetError: suite.targetError,
            checkpoints,
          },
        });
      }
    }
  }

  const results: ProtocolRun[] = new Array(pending.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      if (options.signal?.aborted) return;
      const index = next++;
      const item = pending[index];
      if (item === undefined) return;
      const run = await runOne(item, bundled.code, hosts.get(`${item.fn}/${item.dimension}`) as BoxedBenchmarkFunction);
      // A run killed by the caller's abort is not a result: it is left out, not counted as failed.
      if (run === null) return;
      results[index] = run;
      done++;
      options.onRun?.(run, done, pending.length);
    }
  };

  const runOne = async (
    item: Pending,
    agentCode: string,
    host: BoxedBenchmarkFunction,
  ): Promise<ProtocolRun | null> => {
    const base = { fn: item.fn, dimension: item.dimension, run: item.run, seed: item.job.runSeed };
    const fail = (message: string, durationMs: number): ProtocolRun => ({
      ...base,
      ok: false,
      error: null,
      evaluations: null,
      checkpointErrors: [],
      durationMs,
      message,
    });
    const input: HarnessInput = { kind: PROTOCOL_JOB_KIND, agent: HARNESS_AGENT_FILE, jobs: [item.job] };
    const result = await options.sandbox.run(
      harnessRequest({
        harness: options.harness,
        agentCode,
        input,
        limits: options.limits,
        ...(options.signal ? { signal: options.signal } : {}),
      }),
    );
    if (result.exit === 'aborted' && options.signal?.aborted) return null;
    if (result.exit !== 'exited') {
      return fail(`the run ended by ${result.exit} after ${result.durationMs} ms`, result.durationMs);
    }
    const output = result.result as HarnessOutput | undefined;
    const jobResult = output?.jobs?.[0];
    if (jobResult === undefined) {
      return fail(`no result (${result.resultError ?? 'empty'}): ${result.stderr.slice(-500)}`, result.durationMs);
    }
    if (!jobResult.ok) return fail(jobResult.error ?? 'the run failed', jobResult.durationMs);
    const parsed = parseProtocolJobOutput(jobResult.output, item.job);
    if (!parsed.ok) return fail(`malformed output: ${parsed.reason}`, jobResult.durationMs);
    const { bestPoint, bestValue, evaluations, checkpointErrors } = parsed.value;
    // The host recomputes the best value: a sandbox cannot report an error it did not reach.
    const point = Float64Array.from(bestPoint);
    if (bestPoint.some((x) => x < host.lower || x > host.upper)) {
      return fail('the reported best point is outside the box', jobResult.durationMs);
    }
    const out = new Float64Array(1);
    host.evaluateBatch(point, 1, out);
    const value = out[0] as number;
    if (!(Math.abs(value - bestValue) <= 1e-9 * Math.max(1, Math.abs(value)))) {
      return fail(`reported best value ${bestValue} but the point evaluates to ${value}`, jobResult.durationMs);
    }
    const rawError = value - host.optimum;
    const error = rawError <= item.job.targetError ? 0 : rawError;
    return { ...base, ok: true, error, evaluations, checkpointErrors, durationMs: jobResult.durationMs, message: null };
  };

  const workers = Math.max(1, Math.min(options.workers, pending.length));
  await Promise.all(Array.from({ length: workers }, () => worker()));
  return results.filter((run): run is ProtocolRun => run !== undefined);
}

/** Statistics of one case. */
export interface ProtocolCaseSummary {
  fn: number;
  dimension: number;
  /** Successful runs the statistics are over. */
  runs: number;
  failed: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single run. */
  std: number;
  median: number;
  best: number;
  worst: number;
  meanEvaluations: number;
  /** Runs that reached the target error. */
  solved: number;
  /** Mean error at each checkpoint. */
  checkpointMeans: number[];
}

/** Mean / std / median … per (function, dimension), in first-seen order. */
export function summariseProtocol(runs: readonly ProtocolRun[]): ProtocolCaseSummary[] {
  const groups = new Map<string, ProtocolRun[]>();
  for (const run of runs) {
    const key = `${run.dimension}/${run.fn}`;
    const group = groups.get(key) ?? [];
    group.push(run);
    groups.set(key, group);
  }
  const summaries: ProtocolCaseSummary[] = [];
  for (const group of groups.values()) {
    const first = group[0] as ProtocolRun;
    const ok = group.filter((run) => run.ok && run.error !== null);
    const errors = ok.map((run) => run.error as number).sort((left, right) => left - right);
    const count = errors.length;
    const mean = count === 0 ? Number.NaN : errors.reduce((sum, error) => sum + error, 0) / count;
    const variance = count < 2 ? 0 : errors.reduce((sum, error) => sum + (error - mean) ** 2, 0) / (count - 1);
    const median =
      count === 0
        ? Number.NaN
        : count % 2 === 1
          ? (errors[(count - 1) / 2] as number)
          : ((errors[count / 2 - 1] as number) + (errors[count / 2] as number)) / 2;
    const checkpointCount = ok[0]?.checkpointErrors.length ?? 0;
    const checkpointMeans = Array.from(
      { length: checkpointCount },
      (_, index) => ok.reduce((sum, run) => sum + (run.checkpointErrors[index] as number), 0) / count,
    );
    summaries.push({
      fn: first.fn,
      dimension: first.dimension,
      runs: count,
      failed: group.length - count,
      mean,
      std: Math.sqrt(variance),
      median,
      best: count === 0 ? Number.NaN : (errors[0] as number),
      worst: count === 0 ? Number.NaN : (errors[count - 1] as number),
      meanEvaluations: count === 0 ? Number.NaN : ok.reduce((sum, run) => sum + (run.evaluations as number), 0) / count,
      solved: ok.filter((run) => run.error === 0).length,
      checkpointMeans,
    });
  }
  return summaries;
}

/** A number for tables: 0 as 0, else 4 significant digits. */
export function formatError(value: number): string {
  if (Number.isNaN(value)) return '—';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e6) return Number(value.toPrecision(4)).toString();
  return value.toExponential(3);
}

/** What the tables say about how the results were made. */
export interface ProtocolReportContext {
  agent: string;
  suite: ProtocolSuite;
  runsPerCase: number;
  seed: number;
  /** e.g. `2026-11-21`, node version, machine; free text. */
  environment: string;
  wallSeconds: number;
}

/** The comparison the issue asks for: how many cases are at or below the published L-SHADE mean. */
export function compareWith(
  summaries: readonly ProtocolCaseSummary[],
  suite: ProtocolSuite,
  name: string,
): { compared: number; atOrBelow: number } {
  let compared = 0;
  let atOrBelow = 0;
  for (const summary of summaries) {
    const published = suite.published(summary.fn, summary.dimension).find((entry) => entry.name === name);
    if (published === undefined || summary.runs === 0) continue;
    compared++;
    // Published means are rounded to 3–4 significant digits: compare at that precision.
    if (Number(summary.mean.toPrecision(4)) <= published.mean) atOrBelow++;
  }
  return { compared, atOrBelow };
}

/** The markdown table: one section per dimension, then the comparison with published results. */
export function renderProtocolMarkdown(
  summaries: readonly ProtocolCaseSummary[],
  context: ProtocolReportContext,
): string {
  const { suite } = context;
  const lines: string[] = [];
  lines.push(`# ${suite.name} — ${context.agent}`);
  lines.push('');
  lines.push(
    `Made by \`clade bench ${suite.name} --agent ${context.agent}\`: ${context.runsPerCase} run(s) per case ` +
      `(the official protocol asks for 30), seed ${context.seed}, budgets ${[
        ...new Set(summaries.map((s) => s.dimension)),
      ]
        .map((dimension) => `${suite.budget(dimension).toLocaleString('en-US')} (D=${dimension})`)
        .join(', ')}, ` +
      `stop at error ≤ ${suite.targetError} (counted as 0). ${context.environment}; ${Math.round(context.wallSeconds)} s wall.`,
  );
  lines.push('');
  for (const dimension of [...new Set(summaries.map((summary) => summary.dimension))]) {
    const rows = summaries.filter((summary) => summary.dimension === dimension);
    const publishedNames = [
      ...new Set(rows.flatMap((row) => suite.published(row.fn, dimension).map((entry) => entry.name))),
    ];
    lines.push(`## D = ${dimension}`);
    lines.push('');
    const header = [
      'fn',
      'runs',
      'mean',
      'std',
      'median',
      'best',
      'worst',
      'solved',
      'mean FEs',
      ...publishedNames.map((name) => `${name} (published)`),
    ];
    lines.push(`| ${header.join(' | ')} |`);
    lines.push(`|${header.map(() => '---').join('|')}|`);
    for (const row of rows) {
      const published = suite.published(row.fn, dimension);
      lines.push(
        `| ${[
          suite.label(row.fn),
          row.failed > 0 ? `${row.runs} (+${row.failed} failed)` : String(row.runs),
          formatError(row.mean),
          formatError(row.std),
          formatError(row.median),
          formatError(row.best),
          formatError(row.worst),
          `${row.solved}/${row.runs}`,
          Number.isNaN(row.meanEvaluations) ? '—' : Math.round(row.meanEvaluations).toLocaleString('en-US'),
          ...publishedNames.map((name) => {
            const entry = published.find((candidate) => candidate.name === name);
            return entry === undefined ? '—' : formatError(entry.mean);
          }),
        ].join(' | ')} |`,
      );
    }
    lines.push('');
    for (const name of publishedNames) {
      const { compared, atOrBelow } = compareWith(rows, suite, name);
      lines.push(
        `- Mean error at or below the published ${name} mean on ${atOrBelow} of ${compared} cases (means compared at 4 significant digits).`,
      );
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** The CSV table: one row per case, with the mean error at each checkpoint. */
export function renderProtocolCsv(summaries: readonly ProtocolCaseSummary[], context: ProtocolReportContext): string {
  const { suite } = context;
  const checkpointCount = Math.max(0, ...summaries.map((summary) => summary.checkpointMeans.length));
  const header = [
    'agent',
    'suite',
    'dimension',
    'function',
    'runs',
    'failed',
    'budget',
    'mean',
    'std',
    'median',
    'best',
    'worst',
    'solved',
    'mean_fes',
    ...Array.from({ length: checkpointCount }, (_, index) => `mean_error_at_checkpoint_${index}`),
  ];
  const rows = summaries.map((summary) =>
    [
      context.agent,
      suite.name,
      summary.dimension,
      suite.label(summary.fn),
      summary.runs,
      summary.failed,
      suite.budget(summary.dimension),
      summary.mean,
      summary.std,
      summary.median,
      summary.best,
      summary.worst,
      summary.solved,
      summary.meanEvaluations,
      ...summary.checkpointMeans,
    ].join(','),
  );
  return `${[header.join(','), ...rows].join('\n')}\n`;
}
