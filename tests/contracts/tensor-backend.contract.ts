/**
 * @module The contract every `TensorBackend` must pass. A backend's test calls
 * `runTensorBackendContract('tfjs-wasm', () => createTensorBackend('tfjs-wasm'))`.
 *
 * Decisions the suite fixes for every backend:
 * - values match the typed Float64Array kernels (the reference) on random points of the box and on
 *   points within 1e-2 of the optimum: exactly for float64 backends, at float32 tolerance otherwise;
 * - CEC2022 F1–F12 are required (with the data shipped in data/cec2022/), at float32 tolerance on float32 backends
 *   (tests/unit/numeric/tensor-cec2022.test.ts checks the tfjs graphs more closely, per function);
 * - an empty batch gives an empty result; a disposed evaluator refuses to evaluate.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../src/core/random.js';
import { loadCec2022Data } from '../../src/numeric/cec2022/data.js';
import { BUILTIN_FUNCTION_NAMES, createBuiltinFunction } from '../../src/numeric/functions.js';
import { createTypedBackend } from '../../src/numeric/tensor/typed-backend.js';
import type { TensorBackend } from '../../src/numeric/tensor/types.js';
import { CEC2022_DATA } from '../helpers/cec2022.js';

const DATA = CEC2022_DATA;
const reference = createTypedBackend();

/** 48 points uniform in the box and 16 within 1e-2 of the optimum (small values). */
export function contractBatch(
  dimension: number,
  optimum: ArrayLike<number>,
  seed: number,
): { points: Float64Array; count: number } {
  const random = createRandom(seed, 'tensor-contract', dimension);
  const count = 64;
  const points = new Float64Array(count * dimension);
  for (let point = 0; point < count; point++) {
    for (let coordinate = 0; coordinate < dimension; coordinate++) {
      points[point * dimension + coordinate] =
        point < 48 ? random.uniform(-100, 100) : (optimum[coordinate] as number) + random.uniform(-1e-2, 1e-2);
    }
  }
  return { points, count };
}

/**
 * |actual − expected| ≤ relative·|expected| + absolute for every point: float32 keeps about 7
 * digits per operation, so a value's error scales with its magnitude (sums of positive terms), plus
 * an absolute floor where terms cancel (schwefel's 418.98·D peak terms, CEC biases of 300–900).
 */
function expectClose(
  actual: Float64Array,
  expected: Float64Array,
  relative: number,
  absolute: number,
  what: string,
): void {
  expect(actual).toHaveLength(expected.length);
  for (let index = 0; index < expected.length; index++) {
    const want = expected[index] as number;
    const got = actual[index] as number;
    expect(Math.abs(got - want), `${what}, point ${index}: ${got} vs typed ${want}`).toBeLessThanOrEqual(
      relative * Math.abs(want) + absolute,
    );
  }
}

export function runTensorBackendContract(name: string, create: () => Promise<TensorBackend>): void {
  describe(`TensorBackend contract: ${name}`, () => {
    let made: Promise<TensorBackend> | null = null;
    const backend = (): Promise<TensorBackend> => {
      made ??= create();
      return made;
    };
    afterAll(async () => (await backend()).dispose());

    const tolerance = async (float32Relative: number, float32Absolute: number): Promise<[number, number]> =>
      (await backend()).precision === 'float64' ? [0, 0] : [float32Relative, float32Absolute];

    for (const fnName of BUILTIN_FUNCTION_NAMES) {
      it(`matches the typed kernels on ${fnName} (D = 10, 20)`, async () => {
        for (const dimension of [10, 20]) {
          const fn = createBuiltinFunction(fnName, dimension, 5, [-100, 100]);
          const { points, count } = contractBatch(dimension, fn.shift, 1);
          const expected = await reference.builtin(fn).evaluate(points, count);
          const actual = await (await backend()).builtin(fn).evaluate(points, count);
          const [relative, absolute] = await tolerance(1e-4, fnName === 'schwefel' ? 2e-5 * 420 * dimension : 1e-3);
          expectClose(actual, expected, relative, absolute, `${name} ${fnName}-d${dimension}`);
        }
      });
    }

    it('matches the typed CEC2022 F1–F12 (D = 10, 20)', async () => {
      // Relative: values include F* ≥ 300; F1 and F5 amplify float32 rounding most (see tensor-cec2022.test.ts).
      const [relative, absolute] = await tolerance(3e-4, 1e-3);
      for (const dimension of [10, 20] as const) {
        for (let fn = 1; fn <= 12; fn++) {
          const data = loadCec2022Data(fn, dimension, DATA);
          const { points, count } = contractBatch(dimension, data.shift, fn);
          const expected = await reference.cec2022(data).evaluate(points, count);
          const evaluator = (await backend()).cec2022(data);
          expectClose(
            await evaluator.evaluate(points, count),
            expected,
            relative,
            absolute,
            `${name} F${fn} D${dimension}`,
          );
          evaluator.dispose();
        }
      }
    });

    it('returns an empty result for an empty batch and refuses to evaluate after dispose', async () => {
      const fn = createBuiltinFunction('rastrigin', 4, 1, [-100, 100]);
      const evaluator = (await backend()).builtin(fn);
      expect(await evaluator.evaluate(new Float64Array(0), 0)).toHaveLength(0);
      evaluator.dispose();
      if ((await backend()).name !== 'typed') {
        await expect(evaluator.evaluate(new Float64Array(4), 1)).rejects.toThrow(/disposed/);
      }
    });
  });
}
