/**
 * @module HGM's evaluation scheduler (Huxley-Gödel Machine): evaluation effort goes where it is
 * most informative. A new child runs `initialJobs` jobs; then each free worker either expands (the
 * `hgm` selector picks a parent and a child is made) or runs one more job of an existing node. It
 * expands when evaluations^α ≥ nodes − 1 + pending expansions (progressive widening) or when no
 * node has jobs left; otherwise the node with the highest Thompson draw on its own outcomes,
 * Beta(1 + passes, 1 + failures), among scored nodes with jobs left and none running, runs its next job.
 */
import type { Random } from '../core/random.js';
import { sampleBeta } from './beta.js';
import type { EvaluationScheduler, OutcomeCounts, SchedulingView, SelectionCandidate } from './types.js';

/**
 * Index of the largest Beta(1 + passes, 1 + failures) draw among `counts` (−1 for an empty list).
 * One draw per entry, in order; ties go to the first.
 */
export function thompsonArgmax(counts: readonly OutcomeCounts[], random: Random): number {
  let bestIndex = -1;
  let bestDraw = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < counts.length; index++) {
    const entry = counts[index] as OutcomeCounts;
    const draw = sampleBeta(random, 1 + Math.max(0, entry.passes), 1 + Math.max(0, entry.failures));
    if (draw > bestDraw) {
      bestDraw = draw;
      bestIndex = index;
    }
  }
  return bestIndex;
}

/** Options of the HGM scheduler (`selection.hgm`). */
export interface HgmSchedulerOptions {
  /** Progressive widening exponent α in (0, 1]. */
  alpha: number;
  /** Jobs a new child is evaluated on before the scheduler takes over (one at a time), ≥ 1. */
  initialJobs: number;
}

/** HGM's scheduler. The Thompson draw uses the stream `('hgm-evaluation', evaluations, nodes)`. */
export function hgmScheduler(options: HgmSchedulerOptions): EvaluationScheduler {
  return {
    name: 'hgm',
    initialJobs: (plan) => Math.min(options.initialJobs, plan.jobCount),
    incremental: () => true,
    continueWith: () => 0,
    next(view) {
      const open = nodesWithJobsLeft(view);
      const widen = view.evaluationCount ** options.alpha >= view.nodeCount - 1 + view.pendingChildren;
      if (widen || open.length === 0) return { kind: 'expand' };
      const random = view.random('hgm-evaluation', view.evaluationCount, view.nodeCount);
      const ownCounts = open.map((candidate) => candidate.own ?? { passes: 0, failures: 0 });
      const chosen = open[thompsonArgmax(ownCounts, random)];
      if (!chosen) return { kind: 'expand' };
      return { kind: 'evaluate', nodeId: chosen.id, jobCount: 1 };
    },
  };
}

/** Scored nodes not fully evaluated and not being evaluated now, in pool order. */
function nodesWithJobsLeft(view: SchedulingView): SelectionCandidate[] {
  const open: SelectionCandidate[] = [];
  for (const candidate of view.nodes) {
    if (candidate.status !== 'scored' || view.busy(candidate.id)) continue;
    if (view.evaluated(candidate.id) < view.plan.jobCount) open.push(candidate);
  }
  return open;
}
