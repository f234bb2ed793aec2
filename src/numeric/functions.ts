/**
 * @module Built-in benchmark functions, shifted and rotated, in any dimension: sphere, ellipsoid,
 * rastrigin, rosenbrock, ackley, griewank and (CEC-modified) schwefel.
 *
 * An instance maps a point x of the search box to z = R · s · (x − o), where o is a shift drawn
 * uniformly in the central 80 % of the box, R a random orthogonal matrix and s a CEC-style scale
 * that maps each function's classic domain onto the box (rastrigin's ±5.12, griewank's ±600 …),
 * so the landscape does not depend on the box the campaign chose. Every function is 0 at x = o
 * and positive elsewhere (up to rounding), so a point's error is its value.
 *
 * Kernels work on row-major Float64Arrays and allocate nothing per call: scratch buffers are
 * made with the instance (an instance is therefore not re-entrant, which JavaScript's single
 * thread makes harmless). Four points share each pass over the rotation matrix, which quarters
 * the memory traffic in high dimensions.
 */
import { CladeError } from '../core/errors.js';
import { createRandom, type Random } from '../core/random.js';
import type { BenchmarkFunction } from './types.js';

/** Names of the built-in functions; equal to `BUILTIN_FUNCTIONS` in `src/config/schema.ts`. */
export const BUILTIN_FUNCTION_NAMES = [
  'sphere',
  'ellipsoid',
  'rastrigin',
  'rosenbrock',
  'ackley',
  'griewank',
  'schwefel',
] as const;

export type BuiltinFunctionName = (typeof BUILTIN_FUNCTION_NAMES)[number];

/** A built-in function instance: a `BenchmarkFunction` that also exposes how it was made. */
export interface BuiltinFunction extends BenchmarkFunction {
  readonly name: BuiltinFunctionName;
  /** Search box, the same for every coordinate. */
  readonly lower: number;
  readonly upper: number;
  /** The optimum's location o (length `dimension`). Do not modify. */
  readonly shift: Float64Array;
  /**
   * Row-major `dimension × dimension` orthogonal matrix R, or null for sphere (rotation-invariant,
   * so its rotation is skipped). Do not modify.
   */
  readonly rotation: Float64Array | null;
  /** Factor s mapping box units onto the function's classic domain. */
  readonly scale: number;
  /** f(point) for one point. */
  evaluate(point: ArrayLike<number>): number;
}

/** Value of z·sin(√|z|) at its maximiser on [−500, 500] (CEC's 4.209687462275036e+002). */
const SCHWEFEL_OFFSET = 420.9687462275036;
const SCHWEFEL_PEAK = SCHWEFEL_OFFSET * Math.sin(Math.sqrt(SCHWEFEL_OFFSET));

/** Computes f(z) for one transformed point; `weights` is the ellipsoid's (empty for others). */
type Kernel = (z: Float64Array, dimension: number, weights: Float64Array) => number;

interface FunctionDefinition {
  /** Half-width of the function's classic domain; the box's half-width is mapped onto it. */
  nativeHalfWidth: number;
  rotated: boolean;
  minimumDimension: number;
  kernel: Kernel;
}

// The kernels index typed arrays inside bounds they check once, hence the `as number` casts that
// `noUncheckedIndexedAccess` asks for.

const sphere: Kernel = (z, dimension) => {
  let sum = 0;
  for (let index = 0; index < dimension; index++) {
    const value = z[index] as number;
    sum += value * value;
  }
  return sum;
};

const ellipsoid: Kernel = (z, dimension, weights) => {
  let sum = 0;
  for (let index = 0; index < dimension; index++) {
    const value = z[index] as number;
    sum += (weights[index] as number) * value * value;
  }
  return sum;
};

/** Σ z² − 10 cos(2πz) + 10, written as z² + 20 sin²(πz): the same, exact near 0 and non-negative. */
const rastrigin: Kernel = (z, dimension) => {
  let sum = 0;
  for (let index = 0; index < dimension; index++) {
    const value = z[index] as number;
    const wave = Math.sin(Math.PI * value);
    sum += value * value + 20 * wave * wave;
  }
  return sum;
};

/**
 * CEC rosenbrock on z + 1 (optimum at z = 0): Σ 100((a+1)² − (b+1))² + a², expanded to
 * 100(a² + 2a − b)² + a² so that points near the optimum keep their precision.
 */
const rosenbrock: Kernel = (z, dimension) => {
  let sum = 0;
  let current = z[0] as number;
  for (let index = 0; index < dimension - 1; index++) {
    const next = z[index + 1] as number;
    const valley = current * current + 2 * current - next;
    sum += 100 * valley * valley + current * current;
    current = next;
  }
  return sum;
};

/**
 * −20 exp(−0.2 √(mean z²)) − exp(mean cos 2πz) + 20 + e, written with expm1 so that it is exactly 0
 * at z = 0 and never negative.
 */
const ackley: Kernel = (z, dimension) => {
  let squares = 0;
  let cosines = 0;
  for (let index = 0; index < dimension; index++) {
    const value = z[index] as number;
    squares += value * value;
    cosines += Math.cos(2 * Math.PI * value);
  }
  const radius = Math.sqrt(squares / dimension);
  return -20 * Math.expm1(-0.2 * radius) - Math.E * Math.expm1(cosines / dimension - 1);
};

const griewank: Kernel = (z, dimension) => {
  let squares = 0;
  let product = 1;
  for (let index = 0; index < dimension; index++) {
    const value = z[index] as number;
    squares += value * value;
    product *= Math.cos(value / Math.sqrt(index + 1));
  }
  return squares / 4000 + (1 - product);
};

/**
 * CEC 2014/2017 modified Schwefel (F10 of CEC 2017's code, with its out-of-range fold and penalty),
 * measured from the peak value computed in floating point so that f(o) is exactly 0.
 */
const schwefel: Kernel = (z, dimension) => {
  let sum = 0;
  for (let index = 0; index < dimension; index++) {
    const value = (z[index] as number) + SCHWEFEL_OFFSET;
    if (value > 500) {
      const folded = 500 - (value % 500);
      const excess = (value - 500) / 100;
      sum += SCHWEFEL_PEAK - folded * Math.sin(Math.sqrt(folded)) + (excess * excess) / dimension;
    } else if (value < -500) {
      const remainder = -value % 500;
      const excess = (value + 500) / 100;
      sum += SCHWEFEL_PEAK - (remainder - 500) * Math.sin(Math.sqrt(500 - remainder)) + (excess * excess) / dimension;
    } else {
      sum += SCHWEFEL_PEAK - value * Math.sin(Math.sqrt(Math.abs(value)));
    }
  }
  return sum;
};

const DEFINITIONS: Record<BuiltinFunctionName, FunctionDefinition> = {
  sphere: { nativeHalfWidth: 100, rotated: false, minimumDimension: 1, kernel: sphere },
  ellipsoid: { nativeHalfWidth: 100, rotated: true, minimumDimension: 1, kernel: ellipsoid },
  rastrigin: { nativeHalfWidth: 5.12, rotated: true, minimumDimension: 1, kernel: rastrigin },
  rosenbrock: { nativeHalfWidth: 2.048, rotated: true, minimumDimension: 2, kernel: rosenbrock },
  ackley: { nativeHalfWidth: 32.768, rotated: true, minimumDimension: 1, kernel: ackley },
  griewank: { nativeHalfWidth: 600, rotated: true, minimumDimension: 1, kernel: griewank },
  schwefel: { nativeHalfWidth: 1000, rotated: true, minimumDimension: 1, kernel: schwefel },
};

/** Whether `name` is a built-in function name. */
export function isBuiltinFunctionName(name: string): name is BuiltinFunctionName {
  return (BUILTIN_FUNCTION_NAMES as readonly string[]).includes(name);
}

/**
 * A shift vector drawn uniformly in the central 80 % of the box [lower, upper]^dimension.
 */
export function createShift(dimension: number, lower: number, upper: number, random: Random): Float64Array {
  const center = (lower + upper) / 2;
  const reach = 0.4 * (upper - lower);
  const shift = new Float64Array(dimension);
  for (let index = 0; index < dimension; index++) shift[index] = center + reach * (2 * random.next() - 1);
  return shift;
}

/**
 * A random orthogonal matrix (row-major, `dimension × dimension`): modified Gram–Schmidt on the rows
 * of a standard Gaussian matrix, which gives a Haar-distributed rotation. O(dimension³).
 */
export function createRotation(dimension: number, random: Random): Float64Array {
  const matrix = new Float64Array(dimension * dimension);
  for (let row = 0; row < dimension; row++) {
    const start = row * dimension;
    for (;;) {
      for (let column = 0; column < dimension; column++) matrix[start + column] = random.normal();
      for (let previous = 0; previous < row; previous++) {
        const other = previous * dimension;
        let dot = 0;
        for (let column = 0; column < dimension; column++) {
          dot += (matrix[start + column] as number) * (matrix[other + column] as number);
        }
        for (let column = 0; column < dimension; column++) {
          matrix[start + column] = (matrix[start + column] as number) - dot * (matrix[other + column] as number);
        }
      }
      let norm = 0;
      for (let column = 0; column < dimension; column++) {
        const value = matrix[start + column] as number;
        norm += value * value;
      }
      norm = Math.sqrt(norm);
      // A Gaussian row (almost) in the span of the previous rows has probability 0; redraw if it happens.
      if (norm > 1e-8) {
        for (let column = 0; column < dimension; column++) {
          matrix[start + column] = (matrix[start + column] as number) / norm;
        }
        break;
      }
    }
  }
  return matrix;
}

/** The ellipsoid's weights 10^(6·i/(D−1)) (all 1 when D = 1). */
function ellipsoidWeights(dimension: number): Float64Array {
  const weights = new Float64Array(dimension);
  for (let index = 0; index < dimension; index++) {
    weights[index] = dimension === 1 ? 1 : 10 ** ((6 * index) / (dimension - 1));
  }
  return weights;
}

/**
 * Builds a built-in function instance. The shift comes from
 * `createRandom(instanceSeed, name, dimension, 'shift')` and the rotation from
 * `createRandom(instanceSeed, name, dimension, 'rotation')`, so the same arguments always give the
 * same instance. Building costs O(dimension³) for the rotation: cache instances.
 *
 * @throws CladeError `TASK_INVALID` for an unknown name, a bad dimension or box.
 */
export function createBuiltinFunction(
  name: string,
  dimension: number,
  instanceSeed: number,
  bounds: readonly [number, number],
): BuiltinFunction {
  if (!isBuiltinFunctionName(name)) {
    throw new CladeError(
      'TASK_INVALID',
      `Unknown built-in function "${name}". Use one of: ${BUILTIN_FUNCTION_NAMES.join(', ')}.`,
    );
  }
  const definition = DEFINITIONS[name];
  if (!Number.isInteger(dimension) || dimension < definition.minimumDimension) {
    throw new CladeError(
      'TASK_INVALID',
      `Function ${name} needs an integer dimension of at least ${definition.minimumDimension}, got ${dimension}.`,
    );
  }
  const [lower, upper] = bounds;
  if (!Number.isFinite(lower) || !Number.isFinite(upper) || !(lower < upper)) {
    throw new CladeError(
      'TASK_INVALID',
      `Bounds of ${name}-d${dimension} must be finite with lower < upper, got [${lower}, ${upper}].`,
    );
  }

  const shift = createShift(dimension, lower, upper, createRandom(instanceSeed, name, dimension, 'shift'));
  const rotation = definition.rotated
    ? createRotation(dimension, createRandom(instanceSeed, name, dimension, 'rotation'))
    : null;
  const scale = definition.nativeHalfWidth / ((upper - lower) / 2);
  const weights = name === 'ellipsoid' ? ellipsoidWeights(dimension) : new Float64Array(0);
  const kernel = definition.kernel;

  // Scratch for up to four points at a time: shifted-and-scaled coordinates, then rotated ones.
  const BLOCK = 4;
  const shifted = new Float64Array(BLOCK * dimension);
  const rotated = new Float64Array(BLOCK * dimension);
  const shiftedRows = [0, 1, 2, 3].map((row) => shifted.subarray(row * dimension, (row + 1) * dimension));
  const rotatedRows = [0, 1, 2, 3].map((row) => rotated.subarray(row * dimension, (row + 1) * dimension));
  const single = new Float64Array(dimension);
  const singleOut = new Float64Array(1);

  const evaluateBatch = (points: Float64Array, count: number, out: Float64Array): void => {
    if (!Number.isInteger(count) || count < 0 || points.length < count * dimension || out.length < count) {
      throw new CladeError(
        'TASK_INVALID',
        `evaluateBatch(${name}-d${dimension}) needs ${count} × ${dimension} point values and ${count} output slots; ` +
          `got ${points.length} values and ${out.length} slots.`,
      );
    }
    for (let first = 0; first < count; first += BLOCK) {
      const blockSize = Math.min(BLOCK, count - first);
      for (let row = 0; row < blockSize; row++) {
        const source = (first + row) * dimension;
        const target = row * dimension;
        for (let column = 0; column < dimension; column++) {
          shifted[target + column] = ((points[source + column] as number) - (shift[column] as number)) * scale;
        }
      }
      let transformed = shiftedRows;
      if (rotation !== null) {
        transformed = rotatedRows;
        if (blockSize === BLOCK) {
          const second = dimension;
          const third = 2 * dimension;
          const fourth = 3 * dimension;
          for (let row = 0; row < dimension; row++) {
            const start = row * dimension;
            let sum0 = 0;
            let sum1 = 0;
            let sum2 = 0;
            let sum3 = 0;
            for (let column = 0; column < dimension; column++) {
              const entry = rotation[start + column] as number;
              sum0 += entry * (shifted[column] as number);
              sum1 += entry * (shifted[second + column] as number);
              sum2 += entry * (shifted[third + column] as number);
              sum3 += entry * (shifted[fourth + column] as number);
            }
            rotated[row] = sum0;
            rotated[second + row] = sum1;
            rotated[third + row] = sum2;
            rotated[fourth + row] = sum3;
          }
        } else {
          for (let point = 0; point < blockSize; point++) {
            const offset = point * dimension;
            for (let row = 0; row < dimension; row++) {
              const start = row * dimension;
              let sum = 0;
              for (let column = 0; column < dimension; column++) {
                sum += (rotation[start + column] as number) * (shifted[offset + column] as number);
              }
              rotated[offset + row] = sum;
            }
          }
        }
      }
      for (let row = 0; row < blockSize; row++) {
        out[first + row] = kernel(transformed[row] as Float64Array, dimension, weights);
      }
    }
  };

  return {
    id: `${name}-d${dimension}`,
    name,
    dimension,
    optimum: 0,
    lower,
    upper,
    shift,
    rotation,
    scale,
    evaluateBatch,
    evaluate(point) {
      if (point.length !== dimension) {
        throw new CladeError(
          'TASK_INVALID',
          `${name}-d${dimension} takes points of length ${dimension}, got ${point.length}.`,
        );
      }
      for (let column = 0; column < dimension; column++) single[column] = point[column] as number;
      evaluateBatch(single, 1, singleOut);
      return singleOut[0] as number;
    },
  };
}
