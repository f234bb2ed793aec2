/**
 * @module A node's status, score and metrics from all its stored evaluations, for nodes evaluated in
 * several steps (staged evaluation, HGM's one-task-at-a-time scheduling) and for noisy tasks: the
 * score's mean comes with a 95 % confidence interval over jobs (and per problem over its repeats).
 */
import type { EvaluationRecord, Metrics, NodeStatus } from '../core/types.js';
import type { JobOutcome, Task } from './types.js';

/** What a node's record says about its evaluations as a whole. */
export interface EvaluationSummary {
  status: NodeStatus;
  score: number | null;
  publicMetrics: Metrics;
  privateMetrics: Metrics;
  error: string | null;
}

/** Two-sided 97.5 % Student t quantiles for 1..30 degrees of freedom; 1.96 beyond. */
const T_QUANTILES = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** Mean and 95 % confidence interval (Student t) of a sample; the interval collapses for n = 1. */
export function meanConfidenceInterval(values: readonly number[]): { mean: number; low: number; high: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, low: Number.NaN, high: Number.NaN };
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  if (n === 1) return { mean, low: mean, high: mean };
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1);
  const quantile = T_QUANTILES[n - 2] ?? 1.96;
  const half = quantile * Math.sqrt(variance / n);
  return { mean, low: mean - half, high: mean + half };
}

/**
 * Aggregates every stored evaluation of a node with the task's own rule (a failed job scores 0),
 * as `evaluateNode` does for one run, and adds `jobsEvaluated`; when some problem ran more than
 * once (repeats), also `scoreCiLow` / `scoreCiHigh` (95 % interval of the mean job score) and
 * `scoreCiLow:<problem>` / `scoreCiHigh:<problem>` over each repeated problem's runs.
 */
export function summarizeEvaluations(
  task: Pick<Task, 'aggregate'>,
  records: readonly Omit<EvaluationRecord, 'nodeId'>[],
): EvaluationSummary {
  const outcomes: JobOutcome[] = records.map((record) => ({
    job: { problem: record.problem, repeat: record.repeat, seed: record.seed },
    status: record.status,
    score: record.score,
    metrics: record.metrics,
    durationMs: record.durationMs,
    logExcerpt: record.logExcerpt,
  }));
  const succeeded = outcomes.filter((outcome) => outcome.status === 'ok');
  if (succeeded.length === 0) {
    const first = outcomes[0];
    return {
      status: outcomes.length > 0 && outcomes.every((outcome) => outcome.status === 'invalid') ? 'invalid' : 'crashed',
      score: null,
      publicMetrics: { jobsEvaluated: outcomes.length },
      privateMetrics: {},
      error: `Every job failed; the first (${first?.job.problem ?? '?'}): ${first?.logExcerpt.split('\n').slice(-3).join(' ') ?? ''}`,
    };
  }
  const aggregate = task.aggregate(outcomes);
  const repeated = new Set<string>();
  const seen = new Set<string>();
  for (const outcome of outcomes) {
    if (seen.has(outcome.job.problem)) repeated.add(outcome.job.problem);
    seen.add(outcome.job.problem);
  }
  // Intervals only where a problem ran more than once (noisy tasks with repeats): one run per
  // problem says nothing about noise, and the metrics stay as they were for such tasks.
  const publicMetrics: Metrics = {
    ...aggregate.publicMetrics,
    ...(repeated.size > 0 ? confidenceMetrics(outcomes) : { jobsEvaluated: outcomes.length }),
  };
  const failed = outcomes.length - succeeded.length;
  return {
    status: 'scored',
    score: aggregate.score,
    publicMetrics,
    privateMetrics: aggregate.privateMetrics,
    error: failed > 0 ? `${failed} of ${outcomes.length} jobs failed and scored 0.` : null,
  };
}

/** The confidence metrics `summarizeEvaluations` adds (exported for `evaluateNode`'s callers). */
export function confidenceMetrics(outcomes: readonly Pick<JobOutcome, 'job' | 'score'>[]): Metrics {
  const metrics: Metrics = { jobsEvaluated: outcomes.length };
  const overall = meanConfidenceInterval(outcomes.map((outcome) => outcome.score ?? 0));
  metrics.scoreCiLow = overall.low;
  metrics.scoreCiHigh = overall.high;
  const byProblem = new Map<string, number[]>();
  for (const outcome of outcomes) {
    const list = byProblem.get(outcome.job.problem) ?? [];
    list.push(outcome.score ?? 0);
    byProblem.set(outcome.job.problem, list);
  }
  for (const [problem, scores] of byProblem) {
    if (scores.length < 2) continue;
    const interval = meanConfidenceInterval(scores);
    metrics[`scoreCiLow:${problem}`] = interval.low;
    metrics[`scoreCiHigh:${problem}`] = interval.high;
  }
  return metrics;
}
