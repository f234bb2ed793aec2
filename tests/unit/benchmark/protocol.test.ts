import { afterAll, describe, expect, it } from 'vitest';
import { createTrackedProblem } from '../../../sandbox/harness/numeric.js';
import { runProtocolJob } from '../../../sandbox/harness/protocol.js';
import { parseProtocolJob } from '../../../src/benchmark/protocol-job.js';
import {
  compareWith,
  renderProtocolCsv,
  renderProtocolMarkdown,
  summariseProtocol,
} from '../../../src/benchmark/protocol-report.js';
import { cec2022Checkpoints, createBuiltinSuite } from '../../../src/benchmark/protocol-suite.js';
import { type ProtocolRun, runProtocol } from '../../../src/benchmark/run-protocol.js';
import { readAgentDirectory } from '../../../src/campaign/agent-directory.js';
import { createRandom } from '../../../src/core/random.js';
import { bundleAgent } from '../../../src/harness/bundle-agent.js';
import { buildHarnessFromSources } from '../../../src/harness/load-harness.js';
import { createBuiltinFunction } from '../../../src/numeric/functions.js';
import { createProcessSandbox } from '../../../src/sandbox/process-sandbox.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

describe('CEC2022 checkpoints', () => {
  it('are D^(k/5-3)·MaxFES for k = 0..15, ascending, ending at MaxFES', () => {
    const ten = cec2022Checkpoints(10, 200_000);
    expect(ten).toHaveLength(16);
    expect(ten[0]).toBe(200);
    expect(ten[5]).toBe(2_000);
    expect(ten[10]).toBe(20_000);
    expect(ten[15]).toBe(200_000);
    const twenty = cec2022Checkpoints(20, 1_000_000);
    expect(twenty[0]).toBe(125);
    expect(twenty[1]).toBe(Math.round(20 ** (1 / 5 - 3) * 1e6));
    expect(twenty[15]).toBe(1_000_000);
    for (const list of [ten, twenty])
      for (let k = 1; k < 16; k++) expect(list[k]).toBeGreaterThan(list[k - 1] as number);
  });
});

describe('tracked problem with protocol options', () => {
  const fn = createBuiltinFunction('sphere', 3, 1, [-100, 100]);
  it('records the best value at each checkpoint inside batches', () => {
    const tracked = createTrackedProblem(fn, 100, createRandom(1), { checkpoints: [1, 5, 6, 40] });
    const values: number[] = [];
    const random = createRandom(2);
    for (let batch = 0; batch < 4; batch++) {
      const points = new Float64Array(10 * 3).map(() => random.uniform(-100, 100));
      values.push(...tracked.problem.evaluate(points));
    }
    const bestAfter = (count: number): number => Math.min(...values.slice(0, count));
    expect(tracked.checkpointValues()).toEqual([bestAfter(1), bestAfter(5), bestAfter(6), bestAfter(40)]);
    expect(tracked.stoppedAt()).toBeNull();
  });

  it('stops after the batch that reaches the stop value and counts up to the point that reached it', () => {
    const tracked = createTrackedProblem(fn, 1000, createRandom(1), { stopAtValue: 1e-8, checkpoints: [5, 500] });
    const far = new Float64Array(3).fill(50);
    const batch = new Float64Array([...far, ...far, ...fn.shift, ...far]);
    tracked.problem.evaluate(far);
    tracked.problem.evaluate(batch);
    expect(tracked.stoppedAt()).toBe(4);
    expect(tracked.problem.remaining()).toBe(0);
    expect(() => tracked.problem.evaluate(far)).toThrow(expect.objectContaining({ name: 'BudgetExhaustedError' }));
    expect(tracked.checkpointValues()).toEqual([0]);
  });

  it('behaves as before without options (campaigns)', () => {
    const tracked = createTrackedProblem(fn, 3, createRandom(1));
    tracked.problem.evaluate(new Float64Array(6).fill(0));
    expect(tracked.problem.remaining()).toBe(1);
    expect(tracked.checkpointValues()).toEqual([]);
  });
});

describe('protocol job runner (in-process)', () => {
  const job = {
    case: 'sphere-D5',
    function: { suite: 'builtin', fn: 'sphere', dim: 5, instanceSeed: 1, bounds: [-100, 100] },
    budget: 50_000,
    runSeed: 3,
    targetError: 1e-8,
    checkpoints: cec2022Checkpoints(5, 50_000),
  };
  it('rejects malformed jobs with the field named', () => {
    const parsed = parseProtocolJob({ ...job, checkpoints: [10, 5] });
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toMatch(/checkpoints/);
  });

  it('stops at the target, reports errors as 0 from there on, and fills later checkpoints', async () => {
    const { default: lshade } = await import('../../../agents/lshade/optimizer.js');
    const output = await runProtocolJob(job, { default: lshade }, { log: () => {} });
    const result = output as Awaited<ReturnType<typeof runProtocolJob>> & {
      evaluations: number;
      reachedTarget: boolean;
      checkpointErrors: number[];
    };
    expect(result.reachedTarget).toBe(true);
    expect(result.evaluations).toBeLessThan(50_000);
    expect(result.checkpointErrors.at(-1)).toBe(0);
    expect(result.checkpointErrors[0]).toBeGreaterThan(0);
    for (let index = 1; index < result.checkpointErrors.length; index++) {
      expect(result.checkpointErrors[index]).toBeLessThanOrEqual(result.checkpointErrors[index - 1] as number);
    }
  });
});

describe('statistics and tables', () => {
  const run = (fn: number, error: number, index: number): ProtocolRun => ({
    fn,
    dimension: 10,
    run: index,
    seed: index,
    ok: true,
    error,
    evaluations: 100,
    checkpointErrors: [error * 2, error],
    durationMs: 1,
    message: null,
  });
  it('computes mean, sample std and median per case, and leaves failed runs out', () => {
    const runs = [run(2, 1, 0), run(2, 2, 1), run(2, 6, 2), { ...run(2, 0, 3), ok: false, error: null }];
    const [summary] = summariseProtocol(runs);
    expect(summary).toMatchObject({ fn: 2, runs: 3, failed: 1, mean: 3, median: 2, best: 1, worst: 6, solved: 0 });
    expect(summary?.std).toBeCloseTo(Math.sqrt(7), 12);
    expect(summary?.checkpointMeans).toEqual([6, 3]);
  });

  it('compares with the published L-SHADE means and writes both tables', () => {
    const suite = { ...createBuiltinSuite(), published: (fn: number) => [{ name: 'L-SHADE', mean: fn === 1 ? 0 : 5 }] };
    const summaries = summariseProtocol([run(1, 0, 0), run(2, 4, 0), run(3, 6, 0)]);
    expect(compareWith(summaries, suite, 'L-SHADE')).toEqual({ compared: 3, atOrBelow: 2 });
    const context = { agent: 'x', suite, runsPerCase: 1, seed: 1, environment: 'test', wallSeconds: 1 };
    const markdown = renderProtocolMarkdown(summaries, context);
    expect(markdown).toContain('1 run(s) per case');
    expect(markdown).toContain('at or below the published L-SHADE mean on 2 of 3 cases');
    const csv = renderProtocolCsv(summaries, context).trim().split('\n');
    expect(csv).toHaveLength(4);
    expect(csv[2]?.split(',').slice(0, 8)).toEqual(['x', 'builtin', '10', 'ellipsoid', '1', '0', '100000', '4']);
  });
});

describe('runProtocol through the process sandbox', () => {
  const sandbox = createProcessSandbox();
  afterAll(() => sandbox.close());
  const limits = { timeoutMs: 60_000, memoryMb: 512, outputBytes: 65_536, cpus: 1, pids: 64, resultBytes: 1 << 24 };

  it('runs every case and run in sandboxes, with the host recomputing each best value', async () => {
    const harness = await buildHarnessFromSources(ROOT);
    const suite = createBuiltinSuite({ budget: () => 5_000 });
    const seen: ProtocolRun[] = [];
    const runs = await runProtocol({
      suite,
      agent: readAgentDirectory(`${ROOT}agents/jade`),
      agentEntry: 'optimizer.ts',
      functions: [1, 3],
      dimensions: [5],
      runs: 2,
      workers: 2,
      seed: 4,
      sandbox,
      limits,
      bundle: bundleAgent,
      harness,
      onRun: (finished) => seen.push(finished),
    });
    expect(runs).toHaveLength(4);
    expect(seen).toHaveLength(4);
    for (const finished of runs) {
      expect(finished.ok, finished.message ?? '').toBe(true);
      expect(finished.checkpointErrors).toHaveLength(16);
      expect(finished.checkpointErrors.at(-1)).toBe(finished.error);
    }
    expect(new Set(runs.map((finished) => finished.seed)).size).toBe(4);
  }, 60_000);
});
