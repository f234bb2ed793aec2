import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import deRand1Bin from '../../../agents/de-rand1bin/optimizer.js';
import jade from '../../../agents/jade/optimizer.js';
import lshade from '../../../agents/lshade/optimizer.js';
import metade from '../../../agents/metade/optimizer.js';
import { runNumericJob } from '../../../sandbox/harness/numeric.js';
import { parseEvolveParameters } from '../../../src/mutation/evolve-annotations.js';
import type { NumericJobOutput } from '../../../src/numeric/job.js';

const AGENTS = {
  'de-rand1bin': deRand1Bin,
  jade,
  lshade,
  metade,
} as const;

const runOn = async (
  optimize: unknown,
  fn: string,
  dim: number,
  budget: number,
  runSeed = 9,
): Promise<NumericJobOutput> =>
  (await runNumericJob(
    { problem: `${fn}-d${dim}`, fn, dim, instanceSeed: 3, bounds: [-100, 100], budget, runSeed },
    { default: optimize },
    { log: () => {} },
  )) as NumericJobOutput;

describe.each(Object.entries(AGENTS))('reference agent %s', (name, optimize) => {
  it('has well-formed @evolve annotations inside an EVOLVE-BLOCK and imports nothing outside its directory', () => {
    const source = readFileSync(new URL(`../../../agents/${name}/optimizer.ts`, import.meta.url), 'utf8');
    const parsed = parseEvolveParameters({ 'optimizer.ts': source });
    expect(parsed.errors).toEqual([]);
    expect(parsed.parameters.length).toBeGreaterThanOrEqual(4);
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((match) => match[1]);
    expect(imports).toEqual(['./types.js']);
  });

  it('solves sphere-d10, uses exactly the budget, and is reproducible from its seed', async () => {
    // MetaDE spends most of its budget on short inner runs from scratch: it needs more to converge.
    const budget = name === 'metade' ? 200_000 : 60_000;
    const output = await runOn(optimize, 'sphere', 10, budget);
    expect(output.evaluations).toBe(budget);
    expect(output.bestValue).toBeLessThan(1e-6);
    const short = await runOn(optimize, 'sphere', 10, 3_000);
    expect(await runOn(optimize, 'sphere', 10, 3_000)).toEqual(short);
    expect((await runOn(optimize, 'sphere', 10, 3_000, 10)).bestPoint).not.toEqual(short.bestPoint);
  });

  it('makes progress on rotated rastrigin-d10 and rosenbrock-d5 and ends cleanly on odd budgets', async () => {
    const rastrigin = await runOn(optimize, 'rastrigin', 10, 100_000);
    expect(rastrigin.bestValue).toBeLessThan(60);
    const rosenbrock = await runOn(optimize, 'rosenbrock', 5, 50_000);
    expect(rosenbrock.bestValue).toBeLessThan(10);
    for (const budget of [1, 7, 333, 4_321]) {
      const output = await runOn(optimize, 'ackley', 4, budget);
      expect(output.evaluations).toBe(budget);
    }
  });
});

describe('reference agents compared', () => {
  it('L-SHADE beats DE/rand/1/bin on rotated rastrigin-d10 at 100 000 evaluations (median of 3 seeds)', async () => {
    const median = async (optimize: unknown): Promise<number> => {
      const values: number[] = [];
      for (const seed of [1, 2, 3]) values.push((await runOn(optimize, 'rastrigin', 10, 100_000, seed)).bestValue);
      return values.sort((left, right) => left - right)[1] as number;
    };
    expect(await median(lshade)).toBeLessThan(await median(deRand1Bin));
  });
});
