import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/random.js';
import { loadCec2022Data } from '../../../src/numeric/cec2022/data.js';
import { BUILTIN_FUNCTION_NAMES, createBuiltinFunction } from '../../../src/numeric/functions.js';
import {
  createTensorBackend,
  createTypedBackend,
  describeTensorBackends,
  type TensorBackend,
} from '../../../src/numeric/tensor/index.js';

const DATA = new URL('../../../../shared/cec2022/input_data', import.meta.url).pathname;
const typed = createTypedBackend();

/** Points uniform in the box, and points within 1e-2 of the optimum (small values). */
function batch(dimension: number, optimum: ArrayLike<number>, seed: number): { points: Float64Array; count: number } {
  const random = createRandom(seed, 'tensor-test', dimension);
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
 * Float32 tolerance: the typed value's magnitude times a few float32 ulps per summed term, plus an
 * absolute floor for cancellations (a point stored in float32 is off by up to |x|·2^-24 ≈ 6e-6).
 */
function expectClose(
  actual: Float64Array,
  expected: Float64Array,
  relative: number,
  absolute: number,
  what: string,
): void {
  for (let index = 0; index < expected.length; index++) {
    const want = expected[index] as number;
    const got = actual[index] as number;
    expect(Math.abs(got - want), `${what}, point ${index}: tfjs ${got} vs typed ${want}`).toBeLessThanOrEqual(
      relative * Math.abs(want) + absolute,
    );
  }
}

const backends: TensorBackend[] = [];
afterAll(() => {
  for (const backend of backends) backend.dispose();
});

describe('tensor backends', () => {
  it('lists typed, tfjs-node-gpu (absent here, with what to install), tfjs-wasm and tfjs-cpu', async () => {
    const infos = await describeTensorBackends();
    expect(infos.map((info) => info.name)).toEqual(['typed', 'tfjs-node-gpu', 'tfjs-wasm', 'tfjs-cpu']);
    expect(infos[0]).toMatchObject({ available: true, precision: 'float64' });
    const gpu = infos[1];
    if (gpu?.available === false) expect(gpu.detail).toMatch(/tfjs-node-gpu/);
    expect(infos.find((info) => info.name === 'tfjs-cpu')?.available).toBe(true);
  });

  it('rejects an unknown backend name with the choices', async () => {
    await expect(createTensorBackend('cuda')).rejects.toThrow(/typed, tfjs, tfjs-node-gpu, tfjs-wasm, tfjs-cpu/);
  });

  for (const name of ['tfjs-wasm', 'tfjs-cpu'] as const) {
    describe(name, () => {
      const backend = (async () => {
        const made = await createTensorBackend(name);
        backends.push(made);
        return made;
      })();

      for (const fnName of BUILTIN_FUNCTION_NAMES) {
        it(`matches the typed kernels on ${fnName} (D = 10, 20) at float32 tolerance`, async () => {
          for (const dimension of [10, 20]) {
            const fn = createBuiltinFunction(fnName, dimension, 5, [-100, 100]);
            const { points, count } = batch(dimension, fn.shift, 1);
            const expected = await typed.builtin(fn).evaluate(points, count);
            const actual = await (await backend).builtin(fn).evaluate(points, count);
            expect(actual).toHaveLength(count);
            const absolute = fnName === 'schwefel' ? 2e-5 * 420 * dimension : 1e-3;
            expectClose(actual, expected, 1e-4, absolute, `${fnName}-d${dimension}`);
          }
        });
      }

      it.runIf(existsSync(DATA))('matches the typed CEC2022 F1–F5 (D = 10, 20) and refuses F6', async () => {
        for (const dimension of [10, 20] as const) {
          for (let fn = 1; fn <= 5; fn++) {
            const data = loadCec2022Data(fn, dimension, DATA);
            const { points, count } = batch(dimension, data.shift, fn);
            const expected = await typed.cec2022(data).evaluate(points, count);
            const actual = await (await backend).cec2022(data).evaluate(points, count);
            // F* (300..900) is added in float32: about 6e-5 of absolute rounding.
            expectClose(actual, expected, 2e-4, 1e-3, `cec2022 F${fn} D${dimension}`);
          }
        }
        await expect(backend.then((made) => made.cec2022(loadCec2022Data(6, 10, DATA)))).rejects.toThrow(/F1–F5/);
      });
    });
  }
});
