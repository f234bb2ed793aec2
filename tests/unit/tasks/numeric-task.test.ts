import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as seedAgent from '../../../agents/de-optimizer/optimizer.js';
import { runNumericJob } from '../../../sandbox/harness/numeric.js';
import { CladeError } from '../../../src/core/errors.js';
import { deriveSeed } from '../../../src/core/random.js';
import type { HarnessJobResult } from '../../../src/harness/types.js';
import { createBuiltinFunction } from '../../../src/numeric/functions.js';
import { type NumericJob, type NumericJobOutput, parseNumericJob } from '../../../src/numeric/job.js';
import { errorToScore } from '../../../src/numeric/scoring.js';
import type { NumericTaskConfig } from '../../../src/tasks/numeric-kind.js';
import { createNumericTask, exportsOptimizer } from '../../../src/tasks/numeric-task.js';
import type { EvaluationJob, JobOutcome, TaskHarness } from '../../../src/tasks/types.js';

const config = (overrides: Partial<NumericTaskConfig> = {}): NumericTaskConfig => ({
  kind: 'numeric',
  suite: 'builtin',
  problems: [
    { fn: 'sphere', dim: 3 },
    { fn: 'rastrigin', dim: 2 },
    { fn: 'sphere', dim: 3 },
  ],
  evaluationsPerDim: 100,
  bounds: [-100, 100],
  repeats: 2,
  errorFloor: 1e-8,
  errorCeiling: 1e4,
  ...overrides,
});

const okResult = (output: unknown, log = ''): HarnessJobResult => ({ index: 0, ok: true, output, durationMs: 12, log });

describe('numeric task', () => {
  const task = createNumericTask(config(), 77);
  const harness = task.harness as TaskHarness;
  const judge = harness.judge as NonNullable<TaskHarness['judge']>;

  it('names problems, suffixes duplicates, and derives common-random-number seeds', () => {
    expect(task.kind).toBe('numeric');
    expect(task.harness?.agentEntry).toBe('optimizer.ts');
    expect(task.description).toContain('sphere-d3, rastrigin-d2, sphere-d3-2');
    const jobs = task.jobs();
    expect(jobs.map((job) => `${job.problem}#${job.repeat}`)).toEqual([
      'sphere-d3#0',
      'sphere-d3#1',
      'rastrigin-d2#0',
      'rastrigin-d2#1',
      'sphere-d3-2#0',
      'sphere-d3-2#1',
    ]);
    for (const job of jobs) expect(job.seed).toBe(deriveSeed(77, 'run', job.problem, job.repeat));
    expect(createNumericTask(config(), 77).jobs()).toEqual(jobs);
    expect(createNumericTask(config(), 78).jobs()).not.toEqual(jobs);
    expect(new Set(jobs.map((job) => job.seed)).size).toBe(jobs.length);
  });

  it('writes harness jobs the runner accepts, with budget = evaluationsPerDim × dim', () => {
    const jobs = task.jobs();
    const harnessJobs = harness.inputs(jobs) as NumericJob[];
    expect(harnessJobs[2]).toEqual({
      problem: 'rastrigin-d2',
      fn: 'rastrigin',
      dim: 2,
      instanceSeed: deriveSeed(77, 'instance', 'rastrigin-d2'),
      bounds: [-100, 100],
      budget: 200,
      runSeed: jobs[2]?.seed,
    });
    for (const job of harnessJobs) expect(parseNumericJob(job).ok).toBe(true);
    // The duplicate is another instance of the same function.
    expect(harnessJobs[4]?.instanceSeed).not.toBe(harnessJobs[0]?.instanceSeed);
    expect(() => harness.inputs([{ problem: 'nope-d1', repeat: 0, seed: 1 }])).toThrow(CladeError);
  });

  it('judges a real run by recomputing its value on the host', async () => {
    const [job] = task.jobs() as [EvaluationJob];
    const [harnessJob] = harness.inputs([job]) as [NumericJob];
    const output = (await runNumericJob(harnessJob, seedAgent, { log: () => {} })) as NumericJobOutput;
    const outcome = judge(job, okResult(output, 'agent says hi'));
    const fn = createBuiltinFunction('sphere', 3, harnessJob.instanceSeed, [-100, 100]);
    const error = fn.evaluate(output.bestPoint);
    expect(outcome.status).toBe('ok');
    expect(outcome.score).toBe(errorToScore(error, 1e-8, 1e4));
    expect(outcome.metrics).toMatchObject({ error, evaluations: 300, log10Error: Math.log10(Math.max(error, 1e-8)) });
    expect(outcome.durationMs).toBe(12);
    expect(outcome.logExcerpt).toBe('agent says hi');
  });

  describe('rejects what it cannot trust', () => {
    const [job] = task.jobs() as [EvaluationJob];
    const [harnessJob] = harness.inputs([job]) as [NumericJob];
    const fn = createBuiltinFunction('sphere', 3, harnessJob.instanceSeed, [-100, 100]);
    const point = [1, 2, 3];
    const honest = { bestPoint: point, bestValue: fn.evaluate(point), evaluations: 10, returnedValid: true };

    it('accepts the honest output', () => {
      expect(judge(job, okResult(honest)).status).toBe('ok');
    });

    it('a tampered bestValue', () => {
      for (const bestValue of [0, honest.bestValue * (1 - 1e-6), honest.bestValue / 2]) {
        const outcome = judge(job, okResult({ ...honest, bestValue }));
        expect(outcome.status).toBe('invalid');
        expect(outcome.score).toBe(0);
        expect(String(outcome.metrics.reason)).toMatch(/does not match the host's recomputation/);
      }
    });

    it('a point outside the box', () => {
      const outside = [1, 2, 100.5];
      const outcome = judge(job, okResult({ ...honest, bestPoint: outside, bestValue: fn.evaluate(outside) }));
      expect(outcome.status).toBe('invalid');
      expect(outcome.score).toBe(0);
      expect(String(outcome.metrics.reason)).toMatch(/coordinate 2 = 100.5 is outside the box/);
    });

    it('malformed outputs', () => {
      for (const output of [
        null,
        { ...honest, bestPoint: [1, 2] },
        { ...honest, bestPoint: [1, 2, null] },
        { ...honest, bestValue: 'small' },
        { ...honest, evaluations: 301 },
        { ...honest, evaluations: 1.5 },
        { ...honest, returnedValid: undefined },
      ]) {
        const outcome = judge(job, okResult(output));
        expect(outcome.status, JSON.stringify(output)).toBe('invalid');
        expect(outcome.score).toBe(0);
      }
    });

    it('a failed job scores 0 and keeps the error', () => {
      const outcome = judge(job, {
        index: 0,
        ok: false,
        error: 'TypeError: x is undefined',
        durationMs: 5,
        log: 'tail',
      });
      expect(outcome.status).toBe('failed');
      expect(outcome.score).toBe(0);
      expect(outcome.metrics.reason).toMatch(/x is undefined/);
      expect(outcome.logExcerpt).toMatch(/^tail\n.*x is undefined/);
    });
  });

  it('aggregates the mean score, per-problem scores and log10 errors', () => {
    const jobs = task.jobs();
    const outcome = (
      index: number,
      score: number | null,
      error: number | null,
      status: JobOutcome['status'] = 'ok',
    ): JobOutcome => ({
      job: jobs[index] as EvaluationJob,
      status,
      score,
      metrics: {
        error,
        evaluations: error === null ? null : 100,
        log10Error: error === null ? null : Math.log10(error),
      },
      durationMs: 1,
      logExcerpt: '',
    });
    const outcomes = [
      outcome(0, 1, 1e-12),
      outcome(1, 0.5, 1e-3),
      outcome(2, 0.25, 10),
      outcome(3, 0, null, 'failed'),
      outcome(4, 0.75, 1e-5),
      outcome(5, null, null, 'invalid'),
    ];
    const aggregate = task.aggregate(outcomes);
    expect(aggregate.score).toBeCloseTo((1 + 0.5 + 0.25 + 0.75) / 6, 12);
    expect(aggregate.publicMetrics['score:sphere-d3']).toBeCloseTo(0.75, 12);
    expect(aggregate.publicMetrics['score:rastrigin-d2']).toBeCloseTo(0.125, 12);
    expect(aggregate.publicMetrics['score:sphere-d3-2']).toBeCloseTo(0.375, 12);
    // 1e-12 is held at the floor, 1e-8.
    expect(aggregate.publicMetrics['log10Error:sphere-d3']).toBeCloseTo((-8 - 3) / 2, 12);
    expect(aggregate.publicMetrics['log10Error:rastrigin-d2']).toBeCloseTo(1, 12);
    expect(aggregate.publicMetrics.log10Error).toBeCloseTo((-8 - 3 + 1 - 5) / 4, 12);
    expect(aggregate.publicMetrics.failedJobs).toBe(2);
    expect(aggregate.publicMetrics.evaluations).toBe(400);
    expect(aggregate.privateMetrics['error:rastrigin-d2']).toBe(10);
    expect(Object.keys(aggregate.publicMetrics).some((key) => key.startsWith('error:'))).toBe(false);
    expect(task.aggregate([]).score).toBe(0);
  });

  it('checks that the agent exports an optimizer', () => {
    expect(task.checkAgent({ 'optimizer.ts': readSeed() })).toBeNull();
    expect(task.checkAgent({ 'other.ts': 'export default 1' })).toMatch(/no optimizer\.ts/);
    expect(task.checkAgent({ 'optimizer.ts': 'function optimize() {}' })).toMatch(/exports no optimizer/);
    expect(exportsOptimizer('export function optimize(problem) {}')).toBe(true);
    expect(exportsOptimizer('export async function optimize(problem) {}')).toBe(true);
    expect(exportsOptimizer('export const optimize = (problem) => [];')).toBe(true);
    expect(exportsOptimizer('function run() {}\nexport { run as default };')).toBe(true);
    expect(exportsOptimizer('const optimize = () => [];\nexport { optimize };')).toBe(true);
    expect(exportsOptimizer('// export default function optimize() {}\nfunction optimize() {}')).toBe(false);
    expect(exportsOptimizer('/* export default */ function optimize() {}')).toBe(false);
    expect(exportsOptimizer('export function optimizer() {}')).toBe(false);
  });
});

function readSeed(): string {
  return readFileSync(new URL('../../../agents/de-optimizer/optimizer.ts', import.meta.url), 'utf8');
}
