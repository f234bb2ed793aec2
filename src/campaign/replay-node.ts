/**
 * @module `clade replay <dir> <node>`: re-runs a node's evaluations from its stored code, jobs and
 * seeds, and compares the results with the stored ones: exactly for deterministic tasks, within the
 * stored confidence interval of the score for noisy ones.
 */
import type { AgentFiles, AgentNode, EvaluationRecord } from '../core/types.js';
import type { NodeEvaluation } from '../tasks/evaluate-node.js';
import type { EvaluationJob, Task } from '../tasks/types.js';
import { type FieldDifference, stableJson } from './regrow-campaign.js';

/**
 * Metric names a noisy task stores the bounds of its score's confidence interval under (public or
 * private metrics of the node). A replayed score inside [low, high] agrees.
 */
export const SCORE_INTERVAL_METRICS = { low: 'scoreCiLow', high: 'scoreCiHigh' } as const;

/** Options of `replayNode`. */
export interface ReplayNodeOptions {
  node: AgentNode;
  /** The node's stored evaluations. */
  evaluations: readonly EvaluationRecord[];
  /** The node's code. */
  files: AgentFiles;
  /** The campaign's task (as `createTask` builds it from the stored configuration). */
  task: Task;
  /** Evaluates the files on a task (bound to the sandbox, limits and harness by the wiring). */
  evaluate: (files: AgentFiles, task: Task) => Promise<NodeEvaluation>;
}

/** What `replayNode` found. */
export interface NodeReplayReport {
  nodeId: number;
  /** `exact` (deterministic task), `interval` (noisy task), or `none` (no stored evaluation to re-run). */
  comparison: 'exact' | 'interval' | 'none';
  /** True only when something was re-run and matched: a node with nothing to compare does not agree. */
  agrees: boolean;
  differences: FieldDifference[];
  /** Where the stored evaluation ran and where the replay ran. */
  environment: { stored: string | null; replayed: string | null };
  stored: { status: string; score: number | null };
  replayed: { status: string; score: number | null } | null;
  /** Jobs re-run (problem, repeat, seed), as stored. */
  jobs: EvaluationJob[];
  notes: string[];
}

/**
 * A task whose jobs are the stored ones: same problems, repeats and seeds as the stored
 * evaluations (the task's own jobs when none are stored).
 */
export function withStoredJobs(task: Task, evaluations: readonly EvaluationRecord[]): Task {
  if (evaluations.length === 0) return task;
  const jobs = evaluations.map((evaluation) => ({
    problem: evaluation.problem,
    repeat: evaluation.repeat,
    seed: evaluation.seed,
  }));
  return Object.assign(Object.create(task) as Task, { jobs: () => jobs.map((job) => ({ ...job })) });
}

/** Re-runs and compares. Never throws for a difference; only infrastructure faults throw. */
export async function replayNode(options: ReplayNodeOptions): Promise<NodeReplayReport> {
  const { node, evaluations, task } = options;
  const storedEnvironment =
    typeof node.privateMetrics.environment === 'string' ? node.privateMetrics.environment : null;
  const base = {
    nodeId: node.id,
    stored: { status: node.status, score: node.score },
    notes: [] as string[],
  };
  if (evaluations.length === 0) {
    // Nothing re-run is nothing reproduced: `agrees` stays false, so `clade replay` exits 1.
    const note =
      node.status === 'scored' || node.score !== null
        ? `Node #${node.id} is stored ${node.status}${node.score !== null ? ` with score ${node.score}` : ''}, but the archive holds none of its evaluations: they were deleted or lost, so its result cannot be checked. Run \`clade fsck\` on the campaign directory.`
        : `Node #${node.id} (${node.status}) was never evaluated${node.error ? `: ${node.error.split('\n')[0]}` : ''}. There is nothing to re-run.`;
    return {
      ...base,
      comparison: 'none',
      agrees: false,
      differences: [],
      environment: { stored: storedEnvironment, replayed: null },
      replayed: null,
      jobs: [],
      notes: [note],
    };
  }
  const replayTask = withStoredJobs(task, evaluations);
  const ownJobs = new Map(task.jobs().map((job) => [`${job.problem}\u0000${job.repeat}`, job.seed]));
  for (const evaluation of evaluations) {
    const seed = ownJobs.get(`${evaluation.problem}\u0000${evaluation.repeat}`);
    if (seed === undefined)
      base.notes.push(
        `The task no longer has job ${evaluation.problem} #${evaluation.repeat}; it is re-run as stored.`,
      );
    else if (seed !== evaluation.seed)
      base.notes.push(
        `Job ${evaluation.problem} #${evaluation.repeat}: stored seed ${evaluation.seed}, the task now derives ${seed}; re-run with the stored seed.`,
      );
  }
  const result = await options.evaluate(options.files, replayTask);
  const deterministic = task.deterministic !== false;
  const differences = deterministic ? compareExactly(node, evaluations, result) : compareWithinInterval(node, result);
  if (storedEnvironment !== null && storedEnvironment !== result.environment) {
    base.notes.push(`It ran in "${result.environment}"; the stored evaluation ran in "${storedEnvironment}".`);
  }
  return {
    ...base,
    comparison: deterministic ? 'exact' : 'interval',
    agrees: differences.length === 0,
    differences,
    environment: { stored: storedEnvironment, replayed: result.environment },
    replayed: { status: result.status, score: result.score },
    jobs: replayTask.jobs(),
  };
}

function compareExactly(
  node: AgentNode,
  stored: readonly EvaluationRecord[],
  replayed: NodeEvaluation,
): FieldDifference[] {
  const differences: FieldDifference[] = [];
  const check = (field: string, a: unknown, b: unknown): void => {
    if (stableJson(a) !== stableJson(b)) differences.push({ field, recorded: a, regrown: b });
  };
  check('status', node.status, replayed.status);
  check('score', node.score, replayed.status === 'scored' ? replayed.score : null);
  // The evaluation's metrics; the loop may add its own annotations (code length …), not compared.
  for (const [scope, storedMetrics, replayedMetrics] of [
    ['public', node.publicMetrics, replayed.publicMetrics],
    ['private', node.privateMetrics, replayed.privateMetrics],
  ] as const) {
    for (const [name, value] of Object.entries(replayedMetrics)) {
      if (name !== 'environment') check(`${scope} metric ${name}`, storedMetrics[name], value);
    }
  }
  const key = (evaluation: { problem: string; repeat: number }) => `${evaluation.problem} #${evaluation.repeat}`;
  const byKey = new Map(replayed.evaluations.map((evaluation) => [key(evaluation), evaluation]));
  for (const evaluation of stored) {
    const twin = byKey.get(key(evaluation));
    if (!twin) {
      differences.push({ field: `${key(evaluation)}`, recorded: evaluation.status, regrown: 'not run' });
      continue;
    }
    check(`${key(evaluation)} status`, evaluation.status, twin.status);
    check(`${key(evaluation)} score`, evaluation.score, twin.score);
    for (const name of new Set([...Object.keys(evaluation.metrics), ...Object.keys(twin.metrics)])) {
      check(`${key(evaluation)} ${name}`, evaluation.metrics[name], twin.metrics[name]);
    }
  }
  return differences;
}

function compareWithinInterval(node: AgentNode, replayed: NodeEvaluation): FieldDifference[] {
  const bound = (name: string): number | null => {
    const value = node.publicMetrics[name] ?? node.privateMetrics[name];
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  };
  const low = bound(SCORE_INTERVAL_METRICS.low);
  const high = bound(SCORE_INTERVAL_METRICS.high);
  const differences: FieldDifference[] = [];
  if (node.status !== replayed.status)
    differences.push({ field: 'status', recorded: node.status, regrown: replayed.status });
  if (node.status !== 'scored' || replayed.status !== 'scored') return differences;
  if (low === null || high === null) {
    differences.push({
      field: 'score',
      recorded: `${node.score} (no stored confidence interval: ${SCORE_INTERVAL_METRICS.low}/${SCORE_INTERVAL_METRICS.high})`,
      regrown: replayed.score,
    });
  } else if (replayed.score === null || replayed.score < low || replayed.score > high) {
    differences.push({ field: 'score', recorded: `${node.score} in [${low}, ${high}]`, regrown: replayed.score });
  }
  return differences;
}
