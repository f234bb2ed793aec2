import { describe, expect, it } from 'vitest';
import { CEC2022_BIASES, createCec2022Function } from '../../../../src/numeric/cec2022/index.js';
import { CEC2022_DATA, parseHexFloat, readCec2022Reference, ulpDistance } from '../../../helpers/cec2022.js';

const reference = readCec2022Reference();

describe('CEC2022 values against the official C code (reference_values.json)', () => {
  it('has the official biases F*', () => {
    for (let fn = 1; fn <= 12; fn++) expect(CEC2022_BIASES[fn - 1]).toBe(reference.fstar[String(fn)]);
  });

  it('covers all 12 functions in D = 10 and 20', () => {
    const cases = Object.values(reference.cases).map((entry) => `${entry.func}/${entry.dim}`);
    expect(new Set(cases).size).toBe(24);
  });

  const distances: number[] = [];
  for (const [name, testCase] of Object.entries(reference.cases)) {
    it(`${name}: every reference point at full precision (at most 1 ulp where libm differs)`, () => {
      const fn = createCec2022Function(testCase.func, testCase.dim as 10 | 20, CEC2022_DATA);
      expect(fn.id).toBe(`cec2022-f${testCase.func}-d${testCase.dim}`);
      expect(fn.dimension).toBe(testCase.dim);
      expect(fn.optimum).toBe(reference.fstar[String(testCase.func)]);
      const points = new Float64Array(testCase.points.flatMap((point) => point.x));
      const batch = new Float64Array(testCase.points.length);
      fn.evaluateBatch(points, testCase.points.length, batch);
      for (const [index, point] of testCase.points.entries()) {
        const expected = parseHexFloat(point.f_hex);
        expect(expected).toBe(point.f);
        const single = fn.evaluate(point.x);
        expect(batch[index]).toBe(single);
        const distance = ulpDistance(single, expected);
        distances.push(distance);
        expect(distance, `${name} ${point.name}: got ${single}, expected ${expected}`).toBeLessThanOrEqual(1);
        if (point.name === 'shift') expect(single).toBe(fn.optimum);
      }
    });
  }

  it('is bit-exact on nearly every point (libm differences are rare)', () => {
    expect(distances.length).toBeGreaterThanOrEqual(48);
    expect(distances.filter((distance) => distance !== 0).length).toBeLessThanOrEqual(2);
  });
});
