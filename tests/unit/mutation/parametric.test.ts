import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/random.js';
import type { AgentFiles, AgentNode } from '../../../src/core/types.js';
import {
  applyEvolveValues,
  type EvolveParameter,
  type EvolveValue,
  parseEvolveParameters,
} from '../../../src/mutation/evolve-annotations.js';
import { createParametricMutator, type ParametricMutationDetails } from '../../../src/mutation/parametric.js';
import type { ParametricMutationConfig } from '../../../src/mutation/parametric-kind.js';
import type { MutationResult, NodeWithCode } from '../../../src/mutation/types.js';

const FIXTURE = new URL('../../fixtures/agents/annotated-de/', import.meta.url);
const FILES: AgentFiles = Object.fromEntries(
  readdirSync(FIXTURE).map((name) => [name, readFileSync(new URL(name, FIXTURE), 'utf8')]),
);
const PARAMETERS = parseEvolveParameters(FILES).parameters;

const DEFAULTS: ParametricMutationConfig = {
  operator: 'parametric',
  differentialWeight: 0.5,
  crossoverRate: 0.5,
  sigma: 0.15,
  choiceResample: 0.2,
};

function node(id: number, score = 0.5): AgentNode {
  return {
    id,
    parentId: id === 0 ? null : 0,
    commit: `commit-${id}`,
    status: 'scored',
    score,
    publicMetrics: {},
    privateMetrics: {},
    mutation: { operator: id === 0 ? 'seed' : 'parametric', summary: '' },
    error: null,
    iteration: id,
    createdAt: '2025-01-01T00:00:00.000Z',
    evaluatedAt: '2025-01-01T00:00:01.000Z',
  };
}

/** The fixture agent with some values changed. */
function agent(id: number, values: Record<string, EvolveValue> = {}): NodeWithCode {
  return { node: node(id), files: applyEvolveValues(FILES, PARAMETERS, values) };
}

function valuesOf(files: AgentFiles): Map<string, EvolveValue> {
  const parsed = parseEvolveParameters(files);
  expect(parsed.errors).toEqual([]);
  return new Map(parsed.parameters.map((parameter) => [parameter.key, parameter.value]));
}

function expectOk(result: MutationResult): Extract<MutationResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected a child, got ${result.status}: ${result.error}`);
  return result;
}

function detailsOf(result: Extract<MutationResult, { ok: true }>): ParametricMutationDetails {
  return result.info.details as unknown as ParametricMutationDetails;
}

async function mutate(
  config: Partial<ParametricMutationConfig>,
  parent: NodeWithCode,
  inspirations: NodeWithCode[],
  seed: number,
): Promise<MutationResult> {
  const mutator = createParametricMutator({ ...DEFAULTS, ...config });
  return mutator.mutate({ parent, inspirations, random: createRandom(7, 'node', seed, 'mutation') });
}

describe('createParametricMutator', () => {
  it('is named parametric', () => {
    expect(createParametricMutator(DEFAULTS).name).toBe('parametric');
  });

  it('makes the same child from the same seed, and other children from other seeds', async () => {
    const parent = agent(0);
    const inspirations = [
      agent(1, { 'optimizer.ts#DIFFERENTIAL_WEIGHT': 0.9 }),
      agent(2, { 'optimizer.ts#PBEST': 0.3 }),
    ];
    const first = await mutate({}, parent, inspirations, 3);
    const second = await mutate({}, parent, inspirations, 3);
    expect(second).toEqual(first);
    const others = await Promise.all([4, 5, 6, 7].map((seed) => mutate({}, parent, inspirations, seed)));
    const distinct = new Set([first, ...others].map((result) => JSON.stringify(expectOk(result).files)));
    expect(distinct.size).toBeGreaterThan(1);
  });

  it('always changes something, stays in range, and touches only literals (property)', async () => {
    const parameterByKey = new Map(PARAMETERS.map((parameter) => [parameter.key, parameter]));
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          differentialWeight: fc.double({ min: 0, max: 2, noNaN: true }),
          crossoverRate: fc.double({ min: 0, max: 1, noNaN: true }),
          sigma: fc.double({ min: 0, max: 1, noNaN: true }),
          choiceResample: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        fc.integer({ min: 0, max: 3 }),
        fc.nat(),
        async (config, donorCount, seed) => {
          const inspirations = Array.from({ length: donorCount }, (_, index) =>
            agent(index + 1, {
              'optimizer.ts#DIFFERENTIAL_WEIGHT': 2 * ((index * 0.37) % 1),
              'optimizer.ts#POPULATION_PER_DIMENSION': 2 + index * 9,
              'optimizer.ts#STRATEGY': ['rand1', 'best1', 'current-to-pbest1'][index % 3] as string,
              'optimizer.ts#tolerance': 10 ** (-12 + index * 3),
            }),
          );
          const result = expectOk(await mutate(config, agent(0), inspirations, seed));
          const parent = valuesOf(FILES);
          const child = valuesOf(result.files);
          expect([...child.keys()]).toEqual([...parent.keys()]);
          const changed = [...child].filter(([key, value]) => parent.get(key) !== value).map(([key]) => key);
          expect(changed.length).toBeGreaterThan(0);
          expect(detailsOf(result).changed).toEqual(changed);
          expect(detailsOf(result).parameters).toEqual(Object.fromEntries(child));
          for (const [key, value] of child) {
            const parameter = parameterByKey.get(key) as EvolveParameter;
            if (parameter.kind === 'choice') {
              expect(parameter.options).toContain(value);
            } else {
              expect(value).toBeGreaterThanOrEqual(parameter.low);
              expect(value).toBeLessThanOrEqual(parameter.high);
              if (parameter.kind === 'int') expect(Number.isInteger(value)).toBe(true);
            }
          }
          expect(result.files['README.md']).toBe(FILES['README.md']);
          expect(result.info.operator).toBe('parametric');
          expect(result.info.summary.split(', ').length).toBe(Math.min(changed.length, 6));
          expect(detailsOf(result).move).toBe(donorCount >= 2 ? 'de' : 'gaussian');
        },
      ),
      { numRuns: 150 },
    );
  });

  it('moves along the difference of two donors (DE), in log space for log floats', async () => {
    const parent = agent(0, {
      'optimizer.ts#DIFFERENTIAL_WEIGHT': 1,
      'optimizer.ts#PBEST': 0.1,
      'optimizer.ts#POPULATION_PER_DIMENSION': 10,
    });
    const donorValues: Record<number, Record<string, EvolveValue>> = {
      1: {
        'optimizer.ts#DIFFERENTIAL_WEIGHT': 1.3,
        'optimizer.ts#PBEST': 0.2,
        'optimizer.ts#POPULATION_PER_DIMENSION': 20,
        'optimizer.ts#STRATEGY': 'best1',
      },
      2: {
        'optimizer.ts#DIFFERENTIAL_WEIGHT': 1.1,
        'optimizer.ts#PBEST': 0.1,
        'optimizer.ts#POPULATION_PER_DIMENSION': 14,
        'optimizer.ts#STRATEGY': 'current-to-pbest1',
      },
    };
    const inspirations = [agent(1, donorValues[1]), agent(2, donorValues[2])];
    const seenOrders = new Set<string>();
    for (let seed = 0; seed < 12; seed++) {
      const result = expectOk(
        await mutate(
          { differentialWeight: 0.5, crossoverRate: 1, sigma: 0.01, choiceResample: 0 },
          parent,
          inspirations,
          seed,
        ),
      );
      const donors = detailsOf(result).donors as [number, number];
      expect(donors).toHaveLength(2);
      expect(donors[0]).not.toBe(donors[1]);
      seenOrders.add(donors.join(','));
      const [r1, r2] = donors.map((id) => donorValues[id] as Record<string, EvolveValue>) as [
        Record<string, EvolveValue>,
        Record<string, EvolveValue>,
      ];
      const child = valuesOf(result.files);
      const weight = (values: Record<string, EvolveValue>): number =>
        values['optimizer.ts#DIFFERENTIAL_WEIGHT'] as number;
      // F: 1 + 0.5 · (±0.2) = 1.1 or 0.9, plus jitter of sd 0.1 · 0.01 · 2 = 0.002.
      expect(child.get('optimizer.ts#DIFFERENTIAL_WEIGHT')).toBeCloseTo(1 + 0.5 * (weight(r1) - weight(r2)), 1);
      expect(
        Math.abs((child.get('optimizer.ts#DIFFERENTIAL_WEIGHT') as number) - (1 + 0.5 * (weight(r1) - weight(r2)))),
      ).toBeLessThan(0.01);
      // PBEST in log space: 0.1 · (0.2 / 0.1)^±0.5 = 0.1414 or 0.0707 (a linear move would give 0.15 or 0.05).
      const ratio = (r1['optimizer.ts#PBEST'] as number) / (r2['optimizer.ts#PBEST'] as number);
      const pbest = child.get('optimizer.ts#PBEST') as number;
      expect(Math.abs(Math.log(pbest) - Math.log(0.1 * ratio ** 0.5))).toBeLessThan(0.04);
      // Ints: 10 + 0.5 · (±6) = 13 or 7, rounded.
      const population = (values: Record<string, EvolveValue>): number =>
        values['optimizer.ts#POPULATION_PER_DIMENSION'] as number;
      expect(child.get('optimizer.ts#POPULATION_PER_DIMENSION')).toBe(10 + 0.5 * (population(r1) - population(r2)));
      // Choices: with no resampling and crossover rate 1, r1's option.
      expect(child.get('optimizer.ts#STRATEGY')).toBe(r1['optimizer.ts#STRATEGY']);
      // Parameters both donors share with the parent move only by the jitter.
      expect(Math.abs((child.get('restart.ts#RESTART_SHRINK') as number) - 0.5)).toBeLessThan(0.01);
    }
    expect(seenOrders).toEqual(new Set(['1,2', '2,1']));
  });

  it('uses only inspirations that carry all the parent keys, and never the parent itself', async () => {
    const parent = agent(0);
    const stranger: NodeWithCode = {
      node: node(5),
      files: {
        'other.ts':
          '// EVOLVE-BLOCK-START\nconst DIFFERENTIAL_WEIGHT = /* @evolve float 0..2 */ 1.9;\n// EVOLVE-BLOCK-END\n',
      },
    };
    const alone = expectOk(await mutate({}, parent, [agent(0), stranger, agent(3, { 'optimizer.ts#PBEST': 0.4 })], 1));
    expect(detailsOf(alone).move).toBe('gaussian');
    expect(detailsOf(alone).donors).toEqual([]);
    const paired = expectOk(await mutate({}, parent, [stranger, agent(3), agent(4), agent(3)], 1));
    expect(detailsOf(paired).move).toBe('de');
    expect(new Set(detailsOf(paired).donors)).toEqual(new Set([3, 4]));
  });

  it('still changes the child when the donors are identical to the parent', async () => {
    for (let seed = 0; seed < 20; seed++) {
      const result = expectOk(
        await mutate({ crossoverRate: 0.3, choiceResample: 0 }, agent(0), [agent(1), agent(2), agent(3)], seed),
      );
      expect(detailsOf(result).move).toBe('de');
      expect(detailsOf(result).changed.length).toBeGreaterThan(0);
      expect(result.files).not.toEqual(FILES);
    }
  });

  it('forces a change when nothing else would move (sigma 0, crossover rate 0)', async () => {
    for (let seed = 0; seed < 20; seed++) {
      const result = expectOk(
        await mutate({ crossoverRate: 0, sigma: 0, choiceResample: 0, differentialWeight: 0 }, agent(0), [], seed),
      );
      const changed = detailsOf(result).changed;
      expect(changed).toHaveLength(1);
      expect(detailsOf(result).forced).toBe(changed[0]);
      expect(result.files).not.toEqual(FILES);
    }
  });

  it('takes Gaussian steps of about sigma · range without donors', async () => {
    const values: number[] = [];
    for (let seed = 0; seed < 300; seed++) {
      const result = expectOk(await mutate({ crossoverRate: 1, sigma: 0.1, choiceResample: 0 }, agent(0), [], seed));
      values.push(valuesOf(result.files).get('optimizer.ts#CROSSOVER_RATE') as number);
    }
    // CROSSOVER_RATE = 0.9 in 0..1: N(0, 0.1²) clipped at 1, so half the steps are < 0 and about 16 % reach 1.
    const steps = values.map((value) => value - 0.9);
    const negative = steps.filter((step) => step < 0).length / steps.length;
    const atTop = values.filter((value) => value === 1).length / values.length;
    expect(negative).toBeGreaterThan(0.4);
    expect(negative).toBeLessThan(0.6);
    expect(atTop).toBeGreaterThan(0.08);
    expect(atTop).toBeLessThan(0.25);
    const below = steps.filter((step) => step < 0).map((step) => step * step);
    const rootMeanSquare = Math.sqrt(below.reduce((sum, value) => sum + value, 0) / below.length);
    expect(rootMeanSquare).toBeGreaterThan(0.08);
    expect(rootMeanSquare).toBeLessThan(0.12);
  });

  it('writes a readable summary of what changed', async () => {
    const result = expectOk(
      await mutate({ crossoverRate: 0, sigma: 0, choiceResample: 1, differentialWeight: 0 }, agent(0), [], 2),
    );
    const summary = result.info.summary;
    expect(summary).toMatch(/STRATEGY rand1→(best1|current-to-pbest1)/);
    expect(summary).toMatch(/boundaryHandling reflect→(clip|resample)/);
  });

  it('uses no randomness but request.random', async () => {
    const original = Math.random;
    Math.random = () => {
      throw new Error('Math.random was called');
    };
    try {
      expectOk(await mutate({}, agent(0), [agent(1), agent(2, { 'optimizer.ts#PBEST': 0.3 })], 1));
    } finally {
      Math.random = original;
    }
  });

  it('reports patch_failed, with a message to act on, for an agent without parameters', async () => {
    const parent: NodeWithCode = { node: node(0), files: { 'solve.ts': 'export const F = 0.5;\n' } };
    const result = await mutate({}, parent, [], 1);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe('patch_failed');
    expect(result.error).toMatch(/No @evolve parameters/);
    expect(result.error).toMatch(/EVOLVE-BLOCK-START/);
    expect(result.error).toContain('solve.ts');
    expect(result.info.operator).toBe('parametric');
  });

  it('reports patch_failed naming the file and line of a malformed annotation', async () => {
    const broken = { ...FILES, 'restart.ts': (FILES['restart.ts'] as string).replace('int 5..200', 'int 200..5') };
    const result = await mutate({}, { node: node(0), files: broken }, [], 1);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe('patch_failed');
    const line = (broken['restart.ts'] as string).split('\n').findIndex((text) => text.includes('200..5')) + 1;
    expect(result.error).toContain(`restart.ts:${line}: empty range 200..5`);
  });

  it('stops when the request is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('campaign stopping'));
    const mutator = createParametricMutator(DEFAULTS);
    await expect(
      mutator.mutate({ parent: agent(0), inspirations: [], random: createRandom(1), signal: controller.signal }),
    ).rejects.toThrow('campaign stopping');
  });

  const seedAgent = new URL('../../../agents/de-optimizer/', import.meta.url);
  it.skipIf(!existsSync(seedAgent))('mutates the shipped seed agent into a child that still parses', async () => {
    const files: AgentFiles = Object.fromEntries(
      readdirSync(seedAgent)
        .filter((name) => name.endsWith('.ts'))
        .map((name) => [name, readFileSync(new URL(name, seedAgent), 'utf8')]),
    );
    const parsed = parseEvolveParameters(files);
    expect(parsed.errors).toEqual([]);
    expect(parsed.parameters.length).toBeGreaterThan(0);
    const parent: NodeWithCode = { node: node(0), files };
    let child = parent;
    for (let step = 1; step <= 5; step++) {
      const result = expectOk(await mutate({}, child, [parent], step));
      expect(parseEvolveParameters(result.files).errors).toEqual([]);
      expect(detailsOf(result).changed.length).toBeGreaterThan(0);
      child = { node: node(step), files: result.files };
    }
  });
});
