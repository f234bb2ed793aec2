import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CladeError } from '../../../src/core/errors.js';
import { createRandom } from '../../../src/core/random.js';
import {
  BUILTIN_FUNCTION_NAMES,
  BUILTIN_FUNCTION_NAMES as BUILTIN_FUNCTIONS,
  type BuiltinFunction,
  type BuiltinFunctionName,
  createBuiltinFunction,
  createRotation,
} from '../../../src/numeric/functions.js';

const BOXES: [number, number][] = [
  [-100, 100],
  [0, 7],
];

const dimensionsFor = (name: BuiltinFunctionName): number[] =>
  name === 'rosenbrock' ? [2, 3, 10, 30] : [1, 2, 10, 30];

/** z = R · s · (x − o), computed plainly from what the instance exposes. */
function transform(fn: BuiltinFunction, point: ArrayLike<number>): number[] {
  const dimension = fn.dimension;
  const shifted = Array.from(
    { length: dimension },
    (_, index) => ((point[index] as number) - (fn.shift[index] as number)) * fn.scale,
  );
  if (fn.rotation === null) return shifted;
  const rotation = fn.rotation;
  return Array.from({ length: dimension }, (_, row) =>
    shifted.reduce((sum, value, column) => sum + (rotation[row * dimension + column] as number) * value, 0),
  );
}

/** Textbook (CEC 2017 code) formulas, independent of the kernels' rewritten forms. */
function reference(name: BuiltinFunctionName, z: number[]): number {
  const dimension = z.length;
  switch (name) {
    case 'sphere':
      return z.reduce((sum, value) => sum + value * value, 0);
    case 'ellipsoid':
      return z.reduce(
        (sum, value, index) => sum + 10 ** (dimension === 1 ? 0 : (6 * index) / (dimension - 1)) * value * value,
        0,
      );
    case 'rastrigin':
      return z.reduce((sum, value) => sum + value * value - 10 * Math.cos(2 * Math.PI * value) + 10, 0);
    case 'rosenbrock': {
      const shifted = z.map((value) => value + 1);
      let sum = 0;
      for (let index = 0; index < dimension - 1; index++) {
        const a = shifted[index] as number;
        const b = shifted[index + 1] as number;
        sum += 100 * (a * a - b) ** 2 + (a - 1) ** 2;
      }
      return sum;
    }
    case 'ackley': {
      const squares = z.reduce((sum, value) => sum + value * value, 0);
      const cosines = z.reduce((sum, value) => sum + Math.cos(2 * Math.PI * value), 0);
      return -20 * Math.exp(-0.2 * Math.sqrt(squares / dimension)) - Math.exp(cosines / dimension) + 20 + Math.E;
    }
    case 'griewank': {
      const squares = z.reduce((sum, value) => sum + value * value, 0);
      const product = z.reduce((accumulated, value, index) => accumulated * Math.cos(value / Math.sqrt(index + 1)), 1);
      return squares / 4000 - product + 1;
    }
    case 'schwefel': {
      // CEC 2017 schwefel_func, with 418.9829 replaced by the exact peak so that f(o) = 0.
      const offset = 4.209687462275036e2;
      const peak = offset * Math.sin(Math.sqrt(offset));
      let sum = peak * dimension;
      for (const raw of z) {
        const value = raw + offset;
        if (value > 500) {
          sum -= (500 - (value % 500)) * Math.sin(Math.sqrt(500 - (value % 500)));
          sum += ((value - 500) / 100) ** 2 / dimension;
        } else if (value < -500) {
          const remainder = Math.abs(value) % 500;
          sum -= (-500 + remainder) * Math.sin(Math.sqrt(500 - remainder));
          sum += ((value + 500) / 100) ** 2 / dimension;
        } else {
          sum -= value * Math.sin(Math.sqrt(Math.abs(value)));
        }
      }
      return sum;
    }
  }
}

function randomPoints(fn: BuiltinFunction, count: number, seed: number): Float64Array {
  const random = createRandom(seed, 'points');
  const points = new Float64Array(count * fn.dimension);
  for (let index = 0; index < points.length; index++) points[index] = random.uniform(fn.lower, fn.upper);
  return points;
}

describe('built-in functions', () => {
  it('names equal the config schema list', () => {
    expect([...BUILTIN_FUNCTION_NAMES]).toEqual([...BUILTIN_FUNCTIONS]);
  });

  for (const name of BUILTIN_FUNCTION_NAMES) {
    describe(name, () => {
      for (const box of BOXES) {
        for (const dimension of dimensionsFor(name)) {
          it(`d${dimension} on [${box.join(', ')}]: 0 exactly at the shift, positive elsewhere, equal to the textbook formula`, () => {
            const fn = createBuiltinFunction(name, dimension, 12345, box);
            expect(fn.id).toBe(`${name}-d${dimension}`);
            expect(fn.optimum).toBe(0);
            expect(fn.evaluate(fn.shift)).toBe(0);

            const count = 40;
            const points = randomPoints(fn, count, dimension);
            const values = new Float64Array(count);
            fn.evaluateBatch(points, count, values);
            for (let index = 0; index < count; index++) {
              const point = points.subarray(index * dimension, (index + 1) * dimension);
              const value = values[index] as number;
              expect(value).toBeGreaterThan(0);
              const expected = reference(name, transform(fn, point));
              expect(Math.abs(value - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
            }

            // Near the optimum (a small step of every coordinate), still positive.
            const near = Float64Array.from(
              fn.shift,
              (value, index) => value + (index % 2 === 0 ? 1 : -1) * 1e-3 * (box[1] - box[0]),
            );
            expect(fn.evaluate(near)).toBeGreaterThan(0);
          });
        }
      }
    });
  }

  it('maps each classic domain onto the box (CEC-style scale)', () => {
    expect(createBuiltinFunction('rastrigin', 3, 1, [-100, 100]).scale).toBeCloseTo(5.12 / 100, 15);
    expect(createBuiltinFunction('rastrigin', 3, 1, [-5.12, 5.12]).scale).toBeCloseTo(1, 15);
    expect(createBuiltinFunction('griewank', 3, 1, [0, 10]).scale).toBeCloseTo(600 / 5, 12);
    expect(createBuiltinFunction('schwefel', 3, 1, [-100, 100]).scale).toBeCloseTo(10, 12);
    expect(createBuiltinFunction('rosenbrock', 3, 1, [-100, 100]).scale).toBeCloseTo(2.048 / 100, 15);
  });

  it('draws the shift inside the central 80 % of the box', () => {
    for (const name of BUILTIN_FUNCTION_NAMES) {
      const fn = createBuiltinFunction(name, 200, 99, [10, 30]);
      for (const value of fn.shift) {
        expect(value).toBeGreaterThanOrEqual(12);
        expect(value).toBeLessThanOrEqual(28);
      }
      // Uniform, so it spreads over that range rather than sitting at the centre.
      expect(Math.min(...fn.shift)).toBeLessThan(14);
      expect(Math.max(...fn.shift)).toBeGreaterThan(26);
    }
  });

  it('has orthogonal rotations (RᵀR = RRᵀ = I)', () => {
    for (const dimension of [1, 2, 7, 40]) {
      const rotation = createRotation(dimension, createRandom(5, dimension));
      for (let row = 0; row < dimension; row++) {
        for (let other = 0; other < dimension; other++) {
          let rowsDot = 0;
          let columnsDot = 0;
          for (let index = 0; index < dimension; index++) {
            rowsDot += (rotation[row * dimension + index] as number) * (rotation[other * dimension + index] as number);
            columnsDot +=
              (rotation[index * dimension + row] as number) * (rotation[index * dimension + other] as number);
          }
          const identity = row === other ? 1 : 0;
          expect(Math.abs(rowsDot - identity)).toBeLessThan(1e-12);
          expect(Math.abs(columnsDot - identity)).toBeLessThan(1e-12);
        }
      }
    }
    const fn = createBuiltinFunction('rastrigin', 5, 3, [-100, 100]);
    expect(fn.rotation).not.toBeNull();
    // Not the identity: the function is really rotated.
    expect(Math.abs((fn.rotation as Float64Array)[0] as number)).toBeLessThan(1 - 1e-6);
  });

  it('evaluates a batch exactly as point by point, for every block remainder', () => {
    for (const name of BUILTIN_FUNCTION_NAMES) {
      const fn = createBuiltinFunction(name, 9, 77, [-100, 100]);
      for (let count = 0; count <= 9; count++) {
        const points = randomPoints(fn, count, 100 + count);
        const out = new Float64Array(count + 2).fill(-1);
        fn.evaluateBatch(points, count, out);
        for (let index = 0; index < count; index++) {
          expect(out[index]).toBe(fn.evaluate(points.subarray(index * 9, (index + 1) * 9)));
        }
        expect(out[count]).toBe(-1);
      }
    }
  });

  it('gives the same instance for the same seed and a different one for another seed', () => {
    for (const name of BUILTIN_FUNCTION_NAMES) {
      const first = createBuiltinFunction(name, 6, 2024, [-100, 100]);
      const again = createBuiltinFunction(name, 6, 2024, [-100, 100]);
      const other = createBuiltinFunction(name, 6, 2025, [-100, 100]);
      expect(again.shift).toEqual(first.shift);
      expect(again.rotation).toEqual(first.rotation);
      expect(other.shift).not.toEqual(first.shift);
      if (first.rotation) expect(other.rotation).not.toEqual(first.rotation);
      const point = randomPoints(first, 1, 1);
      expect(again.evaluate(point)).toBe(first.evaluate(point));
      expect(other.evaluate(point)).not.toBe(first.evaluate(point));
    }
  });

  it('is never negative over the box (property)', () => {
    const fns = BUILTIN_FUNCTION_NAMES.map((name) => createBuiltinFunction(name, 4, 8, [-100, 100]));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: fns.length - 1 }),
        fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 4, maxLength: 4 }),
        (which, point) => (fns[which] as BuiltinFunction).evaluate(point) >= 0,
      ),
    );
  });

  it('rejects unknown names, bad dimensions, bad boxes and short buffers with TASK_INVALID', () => {
    const expectInvalid = (action: () => unknown): void => {
      try {
        action();
        expect.unreachable('should have thrown');
      } catch (error) {
        expect(error).toBeInstanceOf(CladeError);
        expect((error as CladeError).code).toBe('TASK_INVALID');
      }
    };
    expectInvalid(() => createBuiltinFunction('himmelblau', 2, 1, [-5, 5]));
    expectInvalid(() => createBuiltinFunction('rosenbrock', 1, 1, [-5, 5]));
    expectInvalid(() => createBuiltinFunction('sphere', 0, 1, [-5, 5]));
    expectInvalid(() => createBuiltinFunction('sphere', 2.5, 1, [-5, 5]));
    expectInvalid(() => createBuiltinFunction('sphere', 2, 1, [5, -5]));
    expectInvalid(() => createBuiltinFunction('sphere', 2, 1, [Number.NEGATIVE_INFINITY, 5]));
    const fn = createBuiltinFunction('ackley', 3, 1, [-5, 5]);
    expectInvalid(() => fn.evaluateBatch(new Float64Array(5), 2, new Float64Array(2)));
    expectInvalid(() => fn.evaluateBatch(new Float64Array(6), 2, new Float64Array(1)));
    expectInvalid(() => fn.evaluate([1, 2]));
  });
});
