import { describe, expect, it } from 'vitest';
import {
  createEvaluationPlan,
  nextStageJobs,
  outlineOf,
  stagedScheduler,
} from '../../../src/campaign/evaluation-plan.js';
import { ConfigError } from '../../../src/core/errors.js';
import type { EvaluationJob } from '../../../src/tasks/types.js';

const jobs: EvaluationJob[] = [];
for (const problem of ['a', 'b', 'c'])
  for (let repeat = 0; repeat < 2; repeat++) jobs.push({ problem, repeat, seed: 0 });
const names = (list: readonly EvaluationJob[]) => list.map((job) => `${job.problem}${job.repeat}`);

describe('evaluation plans', () => {
  it('interleaves repeats so that any prefix covers the problems evenly; no stages is one stage', () => {
    const plan = createEvaluationPlan(jobs, []);
    expect(names(plan.jobs)).toEqual(['a0', 'b0', 'c0', 'a1', 'b1', 'c1']);
    expect(plan.stages).toEqual([{ end: 6, threshold: 0 }]);
  });

  it('cuts stages by count or by problems, and adds the rest as a final stage', () => {
    const plan = createEvaluationPlan(jobs, [
      { jobs: 2, threshold: 0.4 },
      { problems: ['c'], threshold: 0.6 },
    ]);
    expect(names(plan.jobs)).toEqual(['a0', 'b0', 'c0', 'c1', 'a1', 'b1']);
    expect(plan.stages).toEqual([
      { end: 2, threshold: 0.4 },
      { end: 4, threshold: 0.6 },
      { end: 6, threshold: 0 },
    ]);
    expect(names(nextStageJobs(plan, 2, 0.5))).toEqual(['c0', 'c1']);
    expect(nextStageJobs(plan, 2, 0.3)).toEqual([]);
    expect(names(nextStageJobs(plan, 4, 0.6))).toEqual(['a1', 'b1']);
    expect(nextStageJobs(plan, 6, 1)).toEqual([]);
    expect(nextStageJobs(plan, 3, 1)).toEqual([]); // not at a stage boundary
    expect(nextStageJobs(plan, 2, null)).toEqual([]);
  });

  it('rejects unknown problems, empty stages and an open stage before the last', () => {
    expect(() => createEvaluationPlan(jobs, [{ problems: ['z'], threshold: 0 }])).toThrow(ConfigError);
    expect(() => createEvaluationPlan(jobs, [{ problems: ['z'], threshold: 0 }])).toThrow(/evaluation\.stages\[0\]/);
    expect(() =>
      createEvaluationPlan(jobs, [
        { jobs: 6, threshold: 0 },
        { jobs: 1, threshold: 0 },
      ]),
    ).toThrow(/no jobs left/);
    expect(() => createEvaluationPlan(jobs, [{ threshold: 0 }, { jobs: 1, threshold: 0 }])).toThrow(/only the last/);
  });
});

describe('the staged scheduler (the default)', () => {
  const plan = createEvaluationPlan(jobs, [
    { jobs: 2, threshold: 0.4 },
    { problems: ['c'], threshold: 0.6 },
  ]);
  const outline = outlineOf(plan);

  it('starts a child on the first stage and continues it exactly as nextStageJobs does', () => {
    expect(stagedScheduler.initialJobs(outline)).toBe(2);
    for (let done = 0; done <= plan.jobs.length; done++) {
      for (const score of [null, 0, 0.39, 0.4, 0.59, 0.6, 1]) {
        const more = stagedScheduler.continueWith(outline, done, score);
        expect(plan.jobs.slice(done, done + more)).toEqual(nextStageJobs(plan, done, score));
      }
    }
  });

  it('evaluates in batches only with more than one stage, and always expands when a worker is free', () => {
    expect(stagedScheduler.incremental(outline)).toBe(true);
    const single = outlineOf(createEvaluationPlan(jobs, []));
    expect(stagedScheduler.incremental(single)).toBe(false);
    expect(stagedScheduler.initialJobs(single)).toBe(6);
    const view = {
      plan: single,
      nodes: [],
      nodeCount: 1,
      pendingChildren: 0,
      evaluationCount: 6,
      evaluated: () => 6,
      busy: () => false,
      random: () => {
        throw new Error('the staged scheduler draws nothing');
      },
    };
    expect(stagedScheduler.next(view)).toEqual({ kind: 'expand' });
  });
});
