import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transform } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { runNumericJob } from '../../../sandbox/harness/numeric.js';
import type { NumericJobOutput } from '../../../src/numeric/job.js';

const SOURCE_PATH = new URL('../../../agents/de-optimizer/optimizer.ts', import.meta.url);
const source = readFileSync(SOURCE_PATH, 'utf8');
const workDirectory = mkdtempSync(join(tmpdir(), 'clade-de-'));
afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

interface Parameter {
  name: string;
  kind: 'float' | 'int' | 'choice';
  spec: string;
  value: string;
}

/** The EVOLVE-BLOCK's annotated constants, read with the contract's syntax. */
function parameters(): Parameter[] {
  const block = /\/\/ EVOLVE-BLOCK-START\n([\s\S]*?)\n\/\/ EVOLVE-BLOCK-END/.exec(source)?.[1];
  expect(block).toBeDefined();
  const found: Parameter[] = [];
  for (const line of (block as string).split('\n')) {
    if (/^\s*(\/\*\*.*\*\/|\/\/.*)?\s*$/.test(line)) continue;
    const match = /^const ([A-Z_]+) = \/\* @evolve (float|int|choice) ([^*]+?) \*\/ (.+);$/.exec(line);
    expect(match, `unexpected line in the EVOLVE-BLOCK: ${line}`).not.toBeNull();
    const [, name, kind, spec, value] = match as unknown as [string, string, Parameter['kind'], string, string];
    found.push({ name, kind, spec, value });
  }
  return found;
}

/** The agent with some constants replaced, transpiled and imported. */
async function variant(replacements: Record<string, string>): Promise<Record<string, unknown>> {
  let changed = source;
  for (const [name, value] of Object.entries(replacements)) {
    const pattern = new RegExp(`(const ${name} = /\\* @evolve [^*]+ \\*/ )[^;]+;`);
    expect(pattern.test(changed), name).toBe(true);
    changed = changed.replace(pattern, `$1${value};`);
  }
  const { code } = await transform(changed, { loader: 'ts', format: 'esm', target: 'node20' });
  const file = join(
    workDirectory,
    `variant-${Object.values(replacements)
      .join('-')
      .replace(/[^a-z0-9.-]/gi, '')}.mjs`,
  );
  writeFileSync(file, code);
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}

const runOn = async (
  agent: Record<string, unknown>,
  fn: string,
  dim: number,
  budget: number,
): Promise<NumericJobOutput> =>
  (await runNumericJob(
    { problem: `${fn}-d${dim}`, fn, dim, instanceSeed: 3, bounds: [-100, 100], budget, runSeed: 9 },
    agent,
    { log: () => {} },
  )) as NumericJobOutput;

describe('seed DE agent', () => {
  it('annotates its EVOLVE-BLOCK constants in the contract syntax, with seed values inside their ranges', () => {
    const found = parameters();
    expect(found.map((parameter) => parameter.name)).toEqual(
      expect.arrayContaining(['DIFFERENTIAL_WEIGHT', 'CROSSOVER_RATE', 'POPULATION_PER_DIMENSION', 'STRATEGY']),
    );
    for (const { name, kind, spec, value } of found) {
      if (kind === 'choice') {
        const options = spec.split('|');
        expect(options.length, name).toBeGreaterThan(1);
        expect(options, name).toContain(/^'(.*)'$/.exec(value)?.[1]);
      } else {
        const range = /^(-?[\d.e+-]+)\.\.(-?[\d.e+-]+)( log)?$/.exec(spec);
        expect(range, `${name}: ${spec}`).not.toBeNull();
        const [low, high] = [Number(range?.[1]), Number(range?.[2])];
        const number = Number(value);
        expect(number, name).toBeGreaterThanOrEqual(low);
        expect(number, name).toBeLessThanOrEqual(high);
        if (kind === 'int') expect(Number.isInteger(number), name).toBe(true);
        if (range?.[3]) expect(low, name).toBeGreaterThan(0);
      }
    }
  });

  it('is plain DE/rand/1/bin with F = 0.5, CR = 0.9 and 10·D individuals', () => {
    const values = Object.fromEntries(parameters().map((parameter) => [parameter.name, parameter.value]));
    expect(values).toMatchObject({
      DIFFERENTIAL_WEIGHT: '0.5',
      CROSSOVER_RATE: '0.9',
      POPULATION_PER_DIMENSION: '10',
      STRATEGY: "'rand1'",
    });
  });

  const cases: Record<string, string>[] = [
    { STRATEGY: "'best1'" },
    { STRATEGY: "'current-to-pbest1'", PBEST_FRACTION: '0.2' },
    { CROSSOVER: "'exponential'", CROSSOVER_RATE: '0.95' },
    { BOUNDS_HANDLING: "'reflect'", DIFFERENTIAL_WEIGHT: '1.5' },
    { BOUNDS_HANDLING: "'midpoint'", DIFFERENTIAL_WEIGHT: '1.5' },
    { INITIALIZATION: "'latin-hypercube'" },
    { POPULATION_PER_DIMENSION: '5', DIFFERENTIAL_WEIGHT: '0.7' },
  ];
  for (const replacements of cases) {
    it(`converges on sphere with ${JSON.stringify(replacements)}`, async () => {
      const agent = await variant(replacements);
      const output = await runOn(agent, 'sphere', 4, 20_000);
      expect(output.evaluations).toBe(20_000);
      expect(output.bestValue).toBeLessThan(1e-3);
      const again = await runOn(agent, 'sphere', 4, 20_000);
      expect(again).toEqual(output);
      // Out-of-box mutants (F = 1.5) must still be repaired into the box: the runner rejects others.
      const rough = await runOn(agent, 'schwefel', 3, 3_001);
      expect(rough.evaluations).toBe(3_001);
    });
  }
});
