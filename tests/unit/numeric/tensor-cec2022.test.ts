/**
 * The tfjs graphs of CEC2022 F1–F12 against the typed kernels (the reference, equal to the
 * official C code), D = 10 and 20, on every tfjs flavour installed here (cpu, wasm; node-gpu where
 * present). Points: 512 uniform in [-100, 100]^D, then for every component optimum o_i (one for
 * F1–F8, 3 to 6 for F9–F12): o_i itself (the composition's 1e99 weight) and 32 points in each of the
 * boxes o_i ± 1e-4, ± 1e-2, ± 1, ± 10 (near an optimum, and where the composition weights switch);
 * for F9–F12 16 more in [-1e5, 1e5]^D, where C's cf_cal falls back to equal weights.
 *
 * Values include F* (≥ 300), so |tfjs − typed| ≤ tolerance·|typed| is a relative bound that stays
 * meaningful at the optimum. Float32 has a unit roundoff of 6e-8; each tolerance is about ten times
 * the worst relative error measured on both flavours (noted per function), and the reason it is
 * larger than a few ulps is the function's worst amplifier of float32 rounding:
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/random.js';
import { COMPOSITIONS } from '../../../src/numeric/cec2022/composition.js';
import { loadCec2022Data } from '../../../src/numeric/cec2022/data.js';
import { createTensorBackend, describeTensorBackends } from '../../../src/numeric/tensor/registry.js';
import { createTypedBackend } from '../../../src/numeric/tensor/typed-backend.js';
import type { TensorBackend } from '../../../src/numeric/tensor/types.js';
import { CEC2022_DATA } from '../../helpers/cec2022.js';

const DATA = CEC2022_DATA;

/** Relative tolerance per function (index 0 is F1), with the measured worst case and its cause. */
const TOLERANCE: readonly number[] = [
  // F1 (measured 2.5e-5): Zakharov's Σ0.5·i·z_i cancels, then enters to the 4th power.
  2e-4,
  // F2 (7e-7): float32 matrix product, then squares of sums.
  7e-6,
  // F3 (1.7e-6): sin(50·r^0.2) with arguments up to 150, whose float32 error is 1e-5 absolute.
  2e-5,
  // F4 (2.5e-7): Rastrigin, a sum of positive terms.
  3e-6,
  // F5 (3.9e-5): Levy's sin(π·w + 1) on arguments up to 100 and (w − 1)² factors amplifying them.
  3e-4,
  // F6 (3.3e-7): bent cigar, HGBat, Rastrigin; sums of positive terms.
  3e-6,
  // F7 (2.5e-6): Schaffer F7's sin(50·r^0.2), Katsuura's digits of 2^j·z (lost beyond float32's 24 bits).
  3e-5,
  // F8 (1.6e-6): Katsuura and Schwefel's z·sin(√|z|) at |z| up to 3,000.
  2e-5,
  // F9–F12 (3e-7 to 7e-7): component values in float32, weights from float64 distances in the log domain.
  5e-6, 5e-6, 7e-6, 6e-6,
];

/** Uniform points, then each component optimum and boxes of four radii around it. */
function cec2022Batch(dimension: number, shifts: Float64Array, components: number, seed: number) {
  const random = createRandom(seed, 'tfjs-cec2022', dimension);
  const rows: number[][] = [];
  for (let point = 0; point < 512; point++) {
    rows.push(Array.from({ length: dimension }, () => random.uniform(-100, 100)));
  }
  for (let component = 0; component < components; component++) {
    const optimum = Array.from(shifts.subarray(component * dimension, (component + 1) * dimension));
    rows.push(optimum);
    for (const radius of [1e-4, 1e-2, 1, 10]) {
      for (let point = 0; point < 32; point++)
        rows.push(optimum.map((value) => value + random.uniform(-radius, radius)));
    }
  }
  // Compositions: far outside the box, where every weight underflows in double (C's equal weights).
  if (components > 1) {
    for (let point = 0; point < 16; point++) {
      rows.push(Array.from({ length: dimension }, () => random.uniform(-1e5, 1e5)));
    }
  }
  return { points: new Float64Array(rows.flat()), count: rows.length };
}

const flavours = (await describeTensorBackends()).filter((info) => info.available && info.name !== 'typed');

describe('tfjs CEC2022 F1–F12 against the typed kernels (float32 tolerance)', () => {
  const typed = createTypedBackend();
  it('has at least the cpu flavour to check', () => {
    expect(flavours.map((info) => info.name)).toContain('tfjs-cpu');
  });
  for (const flavour of flavours) {
    let backend: TensorBackend | null = null;
    afterAll(() => backend?.dispose());
    for (const dimension of [10, 20] as const) {
      it(`${flavour.name}, D = ${dimension}: every function within its tolerance, the optimum at F*`, async () => {
        backend ??= await createTensorBackend(flavour.name);
        for (let fn = 1; fn <= 12; fn++) {
          const data = loadCec2022Data(fn, dimension, DATA);
          const components = COMPOSITIONS[fn]?.components.length ?? 1;
          const { points, count } = cec2022Batch(dimension, data.shift, components, fn);
          const expected = await typed.cec2022(data).evaluate(points, count);
          const evaluator = backend.cec2022(data);
          const actual = await evaluator.evaluate(points, count);
          evaluator.dispose();
          const tolerance = TOLERANCE[fn - 1] as number;
          let worst = 0;
          for (let index = 0; index < count; index++) {
            const want = expected[index] as number;
            const error = Math.abs((actual[index] as number) - want) / Math.abs(want);
            expect(error, `F${fn} D${dimension} point ${index}: ${actual[index]} vs typed ${want}`).toBeLessThanOrEqual(
              tolerance,
            );
            worst = Math.max(worst, error);
          }
          // The tolerance is not vacuous: float32 leaves a visible error somewhere in the batch.
          expect(worst, `F${fn} D${dimension}`).toBeGreaterThan(0);
          // At the optimum o (row 512) the value is F* up to float32 rounding of F*'s neighbourhood.
          expect(Math.abs((actual[512] as number) - (expected[512] as number))).toBeLessThanOrEqual(
            1e-6 * (expected[512] as number),
          );
        }
      }, 120_000);
    }
  }
});
