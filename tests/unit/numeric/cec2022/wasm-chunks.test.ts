/**
 * The WebAssembly shift-rotate step works on chunks of WASM_CHUNK_POINTS points, eight per pass:
 * batches longer than a chunk, with a tail that fills neither a chunk nor a pass, give every point
 * the same double as evaluating it alone (the single-point path is plain JavaScript), for all 24
 * cases; the step itself equals the scalar `shiftScaleRotate` on every entry; the chunk's sines
 * and cosines equal Math.sin and Math.cos, its fifth roots `powOneFifth`, its powers
 * `correctlyRoundedPow`.
 */
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../../src/core/random.js';
import { loadCec2022Data } from '../../../../src/numeric/cec2022/data.js';
import { RATE, shiftScaleRotate } from '../../../../src/numeric/cec2022/kernels.js';
import { correctlyRoundedPow, powOneFifth } from '../../../../src/numeric/cec2022/precise-math.js';
import { createCec2022FunctionFromData } from '../../../../src/numeric/cec2022/suite.js';
import { createShiftRotateTransformer, WASM_CHUNK_POINTS } from '../../../../src/numeric/cec2022/wasm/shift-rotate.js';
import { CEC2022_DATA } from '../../../helpers/cec2022.js';

describe('CEC2022 WebAssembly chunks', () => {
  const count = 2 * WASM_CHUNK_POINTS + 13;

  for (const dimension of [10, 20] as const) {
    it(`D = ${dimension}: a batch of ${count} points equals point-by-point evaluation for F1–F12`, () => {
      const random = createRandom('wasm-chunks', dimension);
      for (let fn = 1; fn <= 12; fn++) {
        const instance = createCec2022FunctionFromData(loadCec2022Data(fn, dimension, CEC2022_DATA));
        const points = new Float64Array(count * dimension);
        for (let index = 0; index < points.length; index++) points[index] = random.uniform(-100, 100);
        // One point exactly at the optimum (composition weight 1e99), one far outside the box.
        points.set(instance.shift, 5 * dimension);
        points.fill(1e5, 200 * dimension, 201 * dimension);
        const out = new Float64Array(count);
        instance.evaluateBatch(points, count, out);
        for (let p = 0; p < count; p++) {
          const alone = instance.evaluate(Array.from(points.subarray(p * dimension, (p + 1) * dimension)));
          if (!Object.is(out[p], alone))
            expect.fail(`F${fn} D${dimension} point ${p}: batch ${out[p]}, alone ${alone}`);
        }
      }
    });

    it(`D = ${dimension}: the step equals shiftScaleRotate entry by entry, for counts 1 to 17`, () => {
      const data = loadCec2022Data(12, dimension, CEC2022_DATA);
      const components = 6;
      const transformer = createShiftRotateTransformer(dimension, components, data.rotation, data.shift);
      const random = createRandom('wasm-step', dimension);
      const y = new Float64Array(dimension);
      const z = new Float64Array(dimension);
      for (let points = 1; points <= 17; points++) {
        for (let index = 0; index < points * dimension; index++) transformer.input[index] = random.uniform(-100, 100);
        for (let component = 0; component < components; component++) {
          transformer.transform(component, points, RATE.rastrigin);
          const output = transformer.outputs[component] as Float64Array;
          for (let p = 0; p < points; p++) {
            shiftScaleRotate(
              transformer.input,
              p * dimension,
              data.shift,
              component * dimension,
              RATE.rastrigin,
              data.rotation,
              component * dimension * dimension,
              dimension,
              y,
              z,
            );
            for (let i = 0; i < dimension; i++) {
              expect(Object.is(output[p * dimension + i], z[i]), `count ${points} point ${p} entry ${i}`).toBe(true);
            }
          }
        }
      }
    });
  }

  it('sin and cos of a chunk equal Math.sin and Math.cos bit for bit (every scale, near k·π/2, special values)', () => {
    const dimension = 20;
    const transformer = createShiftRotateTransformer(dimension, 1, new Float64Array(400), new Float64Array(20));
    const capacity = transformer.trigArguments.length;
    const random = createRandom('wasm-trig');
    const scales = [1e-9, 1e-3, 0.3, 0.8, 1, 2, 3, 5, 10, 30, 60, 100, 200, 1e3, 1e5, 1e6, 1e7, 1e12];
    const batches: number[][] = scales.map((scale) =>
      Array.from({ length: capacity }, () => random.uniform(-1, 1) * scale),
    );
    const near: number[] = [];
    for (let k = -300; k <= 300; k++) {
      for (let step = -4; step <= 4; step++) near.push((k * Math.PI) / 2 + step * 1e-13 * Math.max(1, Math.abs(k)));
    }
    for (let start = 0; start < near.length; start += capacity) batches.push(near.slice(start, start + capacity));
    batches.push([
      0,
      -0,
      5e-324,
      -1e-300,
      Infinity,
      -Infinity,
      Number.NaN,
      0.78125,
      0.3,
      0.785398,
      2.356194,
      1.5707963,
    ]);
    for (const batch of batches) {
      transformer.trigArguments.set(batch);
      for (const [name, reference] of [
        ['sin', Math.sin],
        ['cos', Math.cos],
      ] as const) {
        transformer[name](batch.length);
        for (let k = 0; k < batch.length; k++) {
          const want = reference(batch[k] as number);
          if (!Object.is(transformer.trigResults[k], want)) {
            expect.fail(`${name}(${batch[k]}) = ${transformer.trigResults[k]}, Math.${name} gives ${want}`);
          }
        }
      }
    }
  });

  it('fifth roots of a chunk equal powOneFifth bit for bit (every binade, exact fifth powers, special values)', () => {
    const transformer = createShiftRotateTransformer(10, 1, new Float64Array(100), new Float64Array(10));
    const capacity = transformer.trigArguments.length;
    const random = createRandom('wasm-fifth-roots');
    const batches: number[][] = [
      Array.from({ length: capacity }, () => random.uniform(0, 300)),
      Array.from({ length: capacity }, () => 2 ** random.uniform(-120, 120)),
      Array.from({ length: capacity }, () => 2 ** random.uniform(-1000, 1000)),
      Array.from({ length: capacity - 1 }, (_, k) => ((k % 400) + 1) ** 5 * (k % 2 === 0 ? 1 : 1 + Number.EPSILON)),
      [0, -0, 5e-324, 1, 2, 32, 2 ** -100, 2 ** 100, Infinity, -3, Number.NaN],
    ];
    for (let repeat = 0; repeat < 40; repeat++) {
      batches.push(Array.from({ length: capacity }, () => random.uniform(0, 300)));
    }
    for (const batch of batches) {
      transformer.trigArguments.set(batch);
      transformer.fifthRoots(batch.length);
      for (let k = 0; k < batch.length; k++) {
        const want = powOneFifth(batch[k] as number);
        if (!Object.is(transformer.trigResults[k], want)) {
          expect.fail(`fifthRoots(${batch[k]}) = ${transformer.trigResults[k]}, powOneFifth gives ${want}`);
        }
      }
    }
  });

  it('powers of a chunk equal correctlyRoundedPow bit for bit (Katsuura and HappyCat exponents, every binade, special values)', () => {
    const transformer = createShiftRotateTransformer(20, 1, new Float64Array(400), new Float64Array(20));
    const capacity = transformer.trigArguments.length;
    const random = createRandom('wasm-powers');
    const exponents = [0.25, 10 / 2 ** 1.2, 10 / 4 ** 1.2, 10 / 6 ** 1.2, 0.2, 3.7, -1.3, 0.5, 2, 1, 0];
    const generators: (() => number)[] = [
      () => 1 + random.uniform(0, 20),
      () => random.uniform(0, 300),
      () => 2 ** random.uniform(-1000, 1000),
      () => [0, -0, 5e-324, 1e-310, 1, 2, Infinity, Number.NaN, -3][Math.floor(random.uniform(0, 9))] as number,
    ];
    for (let repeat = 0; repeat < 44; repeat++) {
      const y = exponents[repeat % exponents.length] as number;
      const generate = generators[repeat % generators.length] as () => number;
      const count = repeat % 3 === 0 ? capacity - 1 : capacity;
      for (let k = 0; k < count; k++) transformer.trigArguments[k] = generate();
      transformer.powers(count, y);
      for (let k = 0; k < count; k++) {
        const x = transformer.trigArguments[k] as number;
        const want = correctlyRoundedPow(x, y);
        if (!Object.is(transformer.trigResults[k], want)) {
          expect.fail(`powers(${x}, ${y}) = ${transformer.trigResults[k]}, correctlyRoundedPow gives ${want}`);
        }
      }
    }
  });

  it('refuses an odd dimension, saying so', () => {
    expect(() => createShiftRotateTransformer(9, 1, new Float64Array(81), new Float64Array(9))).toThrow(
      /even dimension/,
    );
  });
});
