import { describe, expect, it } from 'vitest';
import type { EvaluationRecord } from '../../../src/core/types.js';
import { meanConfidenceInterval, summarizeEvaluations } from '../../../src/tasks/summarize-evaluations.js';
import type { JobOutcome } from '../../../src/tasks/types.js';

const task = {
  aggregate: (outcomes: readonly JobOutcome[]) => ({
    score: outcomes.reduce((sum, outcome) => sum + (outcome.score ?? 0), 0) / outcomes.length,
    publicMetrics: { jobs: outcomes.length },
    privateMetrics: {},
  }),
};

function record(problem: string, repeat: number, score: number | null, status: EvaluationRecord['status'] = 'ok') {
  return { problem, repeat, seed: 0, status, score, metrics: {}, durationMs: 1, logExcerpt: `log ${problem}` };
}

describe('summarizeEvaluations', () => {
  it('means over every job with a 95 % t interval, overall and per problem with repeats', () => {
    const summary = summarizeEvaluations(task, [
      record('a', 0, 0.2),
      record('a', 1, 0.4),
      record('a', 2, 0.6),
      record('b', 0, 0.8),
    ]);
    expect(summary.status).toBe('scored');
    expect(summary.score).toBeCloseTo(0.5, 12);
    const overall = meanConfidenceInterval([0.2, 0.4, 0.6, 0.8]);
    expect(summary.publicMetrics.scoreCiLow).toBeCloseTo(overall.low, 12);
    // t(0.975, 3) = 3.182, s = 0.2582, n = 4: half-width 0.4108.
    expect(overall.high - 0.5).toBeCloseTo((3.182 * Math.sqrt(0.2 / 3)) / 2, 3);
    expect(summary.publicMetrics['scoreCiLow:a']).toBeCloseTo(0.4 - 4.303 * (0.2 / Math.sqrt(3)), 6);
    expect(summary.publicMetrics['scoreCiLow:b']).toBeUndefined();
    expect(summary.publicMetrics.jobsEvaluated).toBe(4);
  });

  it('counts failed jobs as 0 and reports them; all failed is crashed or invalid', () => {
    const partly = summarizeEvaluations(task, [record('a', 0, 0.6), record('b', 0, null, 'timeout')]);
    expect(partly.score).toBeCloseTo(0.3, 12);
    expect(partly.error).toMatch(/1 of 2 jobs failed/);
    expect(summarizeEvaluations(task, [record('a', 0, null, 'timeout')]).status).toBe('crashed');
    expect(summarizeEvaluations(task, [record('a', 0, 0, 'invalid')]).status).toBe('invalid');
  });
});
