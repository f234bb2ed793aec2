/**
 * @module The order in which a node's jobs are evaluated, cut into stages with thresholds (DGM's
 * 10 → 50 tasks, OpenEvolve's cascade). Jobs are interleaved by repeat (every problem's repeat 0,
 * then every repeat 1 …), so any prefix covers the problems evenly. A node has always been
 * evaluated on a prefix of this order, so the number of its evaluations says where it stands.
 */
import type { StageConfig } from '../config/schema.js';
import { ConfigError } from '../core/errors.js';
import type { EvaluationScheduler, PlanOutline } from '../selection/types.js';
import type { EvaluationJob } from '../tasks/types.js';

/** One stage: the jobs up to `end` (exclusive, in plan order), and the score needed to go on. */
export interface PlannedStage {
  end: number;
  threshold: number;
}

export interface EvaluationPlan {
  /** Every job of a node, in evaluation order. */
  readonly jobs: readonly EvaluationJob[];
  /** Cumulative stages; the last ends at `jobs.length`. */
  readonly stages: readonly PlannedStage[];
}

/**
 * Builds the plan. A stage with `jobs: n` takes the next n jobs; one with `problems` takes every
 * not yet planned job of those problems; a stage with neither (it must be the last) takes the rest.
 * Jobs left after the last configured stage form a final stage. No stages: one stage of every job.
 */
export function createEvaluationPlan(
  taskJobs: readonly EvaluationJob[],
  stages: readonly StageConfig[],
): EvaluationPlan {
  const interleaved = taskJobs
    .map((job, index) => ({ job, index }))
    .sort((a, b) => a.job.repeat - b.job.repeat || a.index - b.index)
    .map((entry) => entry.job);
  if (stages.length === 0) return { jobs: interleaved, stages: [{ end: interleaved.length, threshold: 0 }] };
  const known = new Set(interleaved.map((job) => job.problem));
  const ordered: EvaluationJob[] = [];
  const taken = new Set<EvaluationJob>();
  const planned: PlannedStage[] = [];
  stages.forEach((stage, index) => {
    const path = `evaluation.stages[${index}]`;
    const remaining = interleaved.filter((job) => !taken.has(job));
    let chosen: EvaluationJob[];
    if (stage.problems !== undefined) {
      const unknown = stage.problems.filter((problem) => !known.has(problem));
      if (unknown.length > 0) {
        const message = `${path}.problems names ${unknown.join(', ')}, which the task does not have (it has ${[...known].join(', ')})`;
        throw new ConfigError(message, [{ path: `${path}.problems`, message, value: unknown }]);
      }
      const wanted = new Set(stage.problems);
      chosen = remaining.filter((job) => wanted.has(job.problem));
    } else if (stage.jobs !== undefined) {
      chosen = remaining.slice(0, stage.jobs);
    } else {
      if (index !== stages.length - 1) {
        const message = `${path} names neither jobs nor problems; only the last stage may (it takes every remaining job)`;
        throw new ConfigError(message, [{ path, message, value: stage }]);
      }
      chosen = remaining;
    }
    if (chosen.length === 0) {
      const message = `${path} has no jobs left to run (the task has ${interleaved.length} jobs, earlier stages took ${ordered.length})`;
      throw new ConfigError(message, [{ path, message, value: stage }]);
    }
    for (const job of chosen) {
      taken.add(job);
      ordered.push(job);
    }
    planned.push({ end: ordered.length, threshold: stage.threshold });
  });
  const rest = interleaved.filter((job) => !taken.has(job));
  if (rest.length > 0) {
    ordered.push(...rest);
    planned.push({ end: ordered.length, threshold: 0 });
  }
  return { jobs: ordered, stages: planned };
}

/**
 * The jobs a node evaluated on its first `done` plan jobs, with score `score`, should run next under
 * staged evaluation: the next stage when it completed a stage whose threshold it reached, else none.
 */
export function nextStageJobs(plan: EvaluationPlan, done: number, score: number | null): EvaluationJob[] {
  return plan.jobs.slice(done, done + nextStageCount(outlineOf(plan), done, score));
}

/** How many jobs the next stage has for a node at `done` jobs with `score`; 0 when it stops here. */
function nextStageCount(plan: PlanOutline, done: number, score: number | null): number {
  if (score === null) return 0;
  const index = plan.stages.findIndex((stage) => stage.end === done);
  if (index < 0 || index === plan.stages.length - 1) return 0;
  const stage = plan.stages[index] as PlannedStage;
  if (score < stage.threshold) return 0;
  const next = plan.stages[index + 1] as PlannedStage;
  return next.end - done;
}

/** The plan as schedulers see it (counts, not jobs). */
export function outlineOf(plan: EvaluationPlan): PlanOutline {
  return { jobCount: plan.jobs.length, stages: plan.stages };
}

/**
 * The default scheduler: a child runs the first stage and is recorded; the same worker runs the
 * next stage at once while the node reaches the threshold of the stage it completed; a free worker
 * always expands.
 */
export const stagedScheduler: EvaluationScheduler = {
  name: 'staged',
  initialJobs: (plan) => plan.stages[0]?.end ?? plan.jobCount,
  incremental: (plan) => plan.stages.length > 1,
  continueWith: nextStageCount,
  next: () => ({ kind: 'expand' }),
};
