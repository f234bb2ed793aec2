/**
 * The optimised CEC2022 kernels (several points per pass, folded permutations, fast exact powers)
 * equal a straightforward implementation bit for bit: tests/helpers/cec2022-reference is the
 * suite as it was before the batched rewrite (validated against reference_values.json), with a
 * plain row-by-row matrix product. Random batches of 1 to 13 points (every remainder of the
 * four-point blocks) mix uniform points of the box, points near each component's optimum, the
 * optima themselves (composition weight 1e99), far points (equal weights) and points with
 * repeated or zero coordinates.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMPOSITIONS } from '../../../../src/numeric/cec2022/composition.js';
import { loadCec2022Data } from '../../../../src/numeric/cec2022/data.js';
import { createCec2022FunctionFromData } from '../../../../src/numeric/cec2022/suite.js';
import { CEC2022_DATA } from '../../../helpers/cec2022.js';
import { createCec2022FunctionFromData as createReference } from '../../../helpers/cec2022-reference/suite.js';

const kindArbitrary = fc.constantFrom('uniform', 'near', 'optimum', 'far', 'tiny', 'integers');

describe('optimised CEC2022 kernels equal the straightforward implementation bit for bit', () => {
  for (const dimension of [10, 20] as const) {
    for (let fn = 1; fn <= 12; fn++) {
      it(`F${fn}, D = ${dimension}: random batches, evaluateBatch and evaluate`, () => {
        const data = loadCec2022Data(fn, dimension, CEC2022_DATA);
        const optimised = createCec2022FunctionFromData(data);
        const reference = createReference(data);
        const components = COMPOSITIONS[fn]?.components.length ?? 1;
        const pointArbitrary = fc
          .tuple(
            kindArbitrary,
            fc.nat({ max: components - 1 }),
            fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: dimension, maxLength: dimension }),
            fc.double({ min: 1e-12, max: 1, noNaN: true }),
          )
          .map(([kind, component, unit, radius]) =>
            unit.map((value, coordinate) => {
              const optimum = data.shift[component * dimension + coordinate] as number;
              switch (kind) {
                case 'uniform':
                  return 100 * value;
                case 'near':
                  return optimum + radius * value;
                case 'optimum':
                  return optimum;
                case 'far':
                  return 1e5 * value;
                case 'tiny':
                  return 1e-300 * value;
                default:
                  return Math.round(100 * value);
              }
            }),
          );
        fc.assert(
          fc.property(fc.array(pointArbitrary, { minLength: 1, maxLength: 13 }), (rows) => {
            const points = new Float64Array(rows.flat());
            const expected = new Float64Array(rows.length);
            const actual = new Float64Array(rows.length);
            reference.evaluateBatch(points, rows.length, expected);
            optimised.evaluateBatch(points, rows.length, actual);
            for (let index = 0; index < rows.length; index++) {
              const want = expected[index] as number;
              expect(Object.is(actual[index], want), `point ${index}: ${actual[index]} vs ${want}`).toBe(true);
              expect(Object.is(optimised.evaluate(rows[index] as number[]), want)).toBe(true);
            }
          }),
          { numRuns: 60 },
        );
      });
    }
  }
});
