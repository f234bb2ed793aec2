/**
 * @module The CEC2022 single-objective bound-constrained suite, F1–F12 in D = 10 and 20, equal to
 * the official C code (`cec22_test_func.cpp`) at full double precision, including its quirks:
 * F3 ignores its rotation, F4's rounding step has no effect, F7's Schaffer group reads the head
 * of the permuted vector, composition weights are 1e99 at a component's optimum, F10 has three
 * components. Values are F(x) = f(x) + F*, so the error of a point is value − optimum.
 *
 * Batches are evaluated by chunks of 128 points (wasm/shift-rotate.ts): the shift-scale-rotate step
 * in WebAssembly SIMD, two points per f64x2, and the chunk's sines and cosines there too (fdlibm,
 * V8's own algorithm, operation by operation); the rest in JavaScript, x^0.2 and Katsuura's powers
 * two at a time. Every lane runs the scalar operations in the scalar order, so every value is the
 * same double as point by point (and as Math.sin / Math.cos would give): nothing is reordered, no
 * tolerance is needed. Scratch buffers are made once per instance: nothing is allocated per call
 * (an instance is therefore not re-entrant, which JavaScript's single thread makes harmless).
 */
import { CladeError } from '../../core/errors.js';
import type { BenchmarkFunction } from '../types.js';
import { createComposition } from './composition.js';
import { type Cec2022Data, type Cec2022Dimension, isCec2022Case, loadCec2022Data } from './data.js';
import {
  blockBatch,
  type Cec2022Evaluator,
  createHybrid02,
  createHybrid06,
  createHybrid10,
  type PointBatchEvaluator,
  type PointEvaluator,
} from './hybrid.js';
import {
  BLOCK_POINTS,
  blockViews,
  levy,
  RATE,
  rastrigin,
  rosenbrock,
  schafferF7,
  shiftScaleRotate,
  shiftScaleRotateBlock,
  zakharov,
} from './kernels.js';
import { createShiftRotateTransformer, type ShiftRotateTransformer, WASM_CHUNK_POINTS } from './wasm/shift-rotate.js';

/** F* of F1..F12 (index 0 is F1): 300, 400, 600, 800, 900, 1800, 2000, 2200, 2300, 2400, 2600, 2700. */
export const CEC2022_BIASES: readonly number[] = Object.freeze([
  300, 400, 600, 800, 900, 1800, 2000, 2200, 2300, 2400, 2600, 2700,
]);

/** The search box of every CEC2022 function, the same for each coordinate. */
export const cec2022Bounds: readonly [number, number] = Object.freeze([-100, 100] as const);

/** Names of the twelve functions as the technical report gives them. */
export const CEC2022_FUNCTION_NAMES: readonly string[] = Object.freeze([
  'Shifted and full rotated Zakharov',
  'Shifted and full rotated Rosenbrock',
  'Shifted Expanded Schaffer f6 (as coded: Schaffer F7, unrotated)',
  'Shifted and full rotated Non-Continuous Rastrigin (as coded: Rastrigin)',
  'Shifted and full rotated Levy',
  'Hybrid function 1 (N = 3)',
  'Hybrid function 2 (N = 6)',
  'Hybrid function 3 (N = 5)',
  'Composition function 1 (N = 5)',
  'Composition function 2 (N = 3)',
  'Composition function 3 (N = 5)',
  'Composition function 4 (N = 6)',
]);

/** A CEC2022 function instance. */
export interface Cec2022Function extends BenchmarkFunction {
  /** 1..12. */
  readonly fn: number;
  readonly dimension: Cec2022Dimension;
  /** The search box [-100, 100], the same for every coordinate. */
  readonly lower: number;
  readonly upper: number;
  /** The optimum o (the first shift row): value(o) = optimum. Do not modify. */
  readonly shift: Float64Array;
  /** f(point) for one point. */
  evaluate(point: ArrayLike<number>): number;
}

/**
 * `chunkedBatch` (hybrid.ts) for the basic functions: a copy of its own, so that the kernel call
 * in its loop sees the four basic kernels only (V8 inlines up to four targets at a call site; one
 * loop shared by every function sees seven and inlines none).
 */
function basicChunkedBatch(
  dimension: number,
  transformer: ShiftRotateTransformer,
  rate: number,
  kernel: (view: Float64Array) => number,
): PointBatchEvaluator {
  const views = transformer.views[0] as readonly Float64Array[];
  const input = transformer.input;
  return (x, count, out, bias) => {
    for (let p = 0; p < count; p += WASM_CHUNK_POINTS) {
      const size = Math.min(WASM_CHUNK_POINTS, count - p);
      input.set(x.subarray(p * dimension, (p + size) * dimension));
      transformer.transform(0, size, rate);
      for (let q = 0; q < size; q++) out[p + q] = kernel(views[q] as Float64Array) + bias;
    }
  };
}

/**
 * F4's batch: Rastrigin with the chunk's cosines computed together in WebAssembly (the same
 * doubles as Math.cos), each point's sum then in the kernel's order.
 */
function rastriginChunkedBatch(dimension: number, transformer: ShiftRotateTransformer): PointBatchEvaluator {
  const output = transformer.outputs[0] as Float64Array;
  const { input, trigArguments, trigResults } = transformer;
  const twoPi = 2.0 * Math.PI;
  return (x, count, out, bias) => {
    for (let p = 0; p < count; p += WASM_CHUNK_POINTS) {
      const size = Math.min(WASM_CHUNK_POINTS, count - p);
      input.set(x.subarray(p * dimension, (p + size) * dimension));
      transformer.transform(0, size, RATE.rastrigin);
      const values = size * dimension;
      for (let k = 0; k < values; k++) trigArguments[k] = twoPi * (output[k] as number);
      transformer.cos(values);
      for (let q = 0; q < size; q++) {
        let f = 0.0;
        for (let k = q * dimension; k < (q + 1) * dimension; k++) {
          const zi = output[k] as number;
          f += zi * zi - 10.0 * (trigResults[k] as number) + 10.0;
        }
        out[p + q] = f + bias;
      }
    }
  };
}

/**
 * F5's batch: Levy with the chunk's sines computed together in WebAssembly (the same doubles as
 * Math.sin): per point sin(π·w0), sin(π·w_i + 1) for i < n − 1 and sin(2π·w_{n−1}), then the
 * kernel's sums in its order.
 */
function levyChunkedBatch(dimension: number, transformer: ShiftRotateTransformer): PointBatchEvaluator {
  const output = transformer.outputs[0] as Float64Array;
  const { input, trigArguments, trigResults } = transformer;
  const pi = Math.PI;
  const stride = dimension + 1;
  return (x, count, out, bias) => {
    for (let p = 0; p < count; p += WASM_CHUNK_POINTS) {
      const size = Math.min(WASM_CHUNK_POINTS, count - p);
      input.set(x.subarray(p * dimension, (p + size) * dimension));
      transformer.transform(0, size, RATE.one);
      for (let q = 0; q < size; q++) {
        const base = q * dimension;
        const slot = q * stride;
        trigArguments[slot] = pi * (1.0 + ((output[base] as number) - 0.0) / 4.0);
        for (let i = 0; i < dimension - 1; i++) {
          trigArguments[slot + 1 + i] = pi * (1.0 + ((output[base + i] as number) - 0.0) / 4.0) + 1;
        }
        trigArguments[slot + dimension] = 2 * pi * (1.0 + ((output[base + dimension - 1] as number) - 0.0) / 4.0);
      }
      transformer.sin(size * stride);
      for (let q = 0; q < size; q++) {
        const base = q * dimension;
        const slot = q * stride;
        const s0 = trigResults[slot] as number;
        const term1 = s0 * s0;
        const wLast = 1.0 + ((output[base + dimension - 1] as number) - 0.0) / 4.0;
        const sLast = trigResults[slot + dimension] as number;
        const term3 = (wLast - 1) * (wLast - 1) * (1 + sLast * sLast);
        let sum = 0.0;
        for (let i = 0; i < dimension - 1; i++) {
          const wi = 1.0 + ((output[base + i] as number) - 0.0) / 4.0;
          const sine = trigResults[slot + 1 + i] as number;
          sum = sum + (wi - 1) * (wi - 1) * (1 + 10 * (sine * sine));
        }
        out[p + q] = term1 + sum + term3 + bias;
      }
    }
  };
}

/**
 * F3's batch: Schaffer F7 on y = x − o (unrotated), with a chunk's z^0.2 and sin(50·z^0.2) computed
 * together in WebAssembly (the same doubles as powOneFifth and Math.sin); then each point's sum in
 * the kernel's order. Only the transformer's buffers are used, not its rotation.
 */
function schafferF7ChunkedBatch(
  dimension: number,
  shift: Float64Array,
  transformer: ShiftRotateTransformer,
): PointBatchEvaluator {
  const { trigArguments, trigResults } = transformer;
  const pairs = dimension - 1;
  const roots = new Float64Array(WASM_CHUNK_POINTS * pairs);
  const y = new Float64Array(dimension);
  return (x, count, out, bias) => {
    for (let p = 0; p < count; p += WASM_CHUNK_POINTS) {
      const size = Math.min(WASM_CHUNK_POINTS, count - p);
      // z_i = √(a² + b²) of every pair of the chunk, then their fifth roots and the sines of 50·z^0.2,
      // both in WebAssembly (the same doubles as powOneFifth and Math.sin).
      for (let q = 0; q < size; q++) {
        const offset = (p + q) * dimension;
        for (let i = 0; i < dimension; i++) y[i] = ((x[offset + i] as number) - (shift[i] as number)) * RATE.one;
        const slot = q * pairs;
        for (let i = 0; i < pairs; i++) {
          const a = y[i] as number;
          const b = y[i + 1] as number;
          const zi = Math.sqrt(a * a + b * b);
          trigArguments[slot + i] = zi;
          roots[slot + i] = Math.sqrt(zi);
        }
      }
      const terms = size * pairs;
      transformer.fifthRoots(terms);
      for (let k = 0; k < terms; k++) trigArguments[k] = 50.0 * (trigResults[k] as number);
      transformer.sin(size * pairs);
      for (let q = 0; q < size; q++) {
        const slot = q * pairs;
        let f = 0.0;
        for (let i = 0; i < pairs; i++) {
          const root = roots[slot + i] as number;
          const tmp = trigResults[slot + i] as number;
          f += root + root * tmp * tmp;
        }
        out[p + q] = (f * f) / (dimension - 1) / (dimension - 1) + bias;
      }
    }
  };
}

/** The basic (F1–F5) evaluators: shift, rate, rotate, kernel; four points per pass in batches. */
function createBasic(data: Cec2022Data): Cec2022Evaluator {
  const { dimension, shift, rotation } = data;
  const y = new Float64Array(BLOCK_POINTS * dimension);
  const z = new Float64Array(BLOCK_POINTS * dimension);
  if (data.fn === 3) {
    // The C code rotates into z, then Schaffer F7 reads y = x − o: the rotation has no effect.
    const point: PointEvaluator = (x, offset) => {
      for (let i = 0; i < dimension; i++) y[i] = ((x[offset + i] as number) - (shift[i] as number)) * RATE.one;
      return schafferF7(y, dimension);
    };
    if (dimension % 2 === 0) {
      const transformer = createShiftRotateTransformer(dimension, 1, rotation, shift);
      return { point, batch: schafferF7ChunkedBatch(dimension, shift, transformer) };
    }
    return {
      point,
      batch: (x, count, out, bias) => {
        for (let p = 0; p < count; p++) out[p] = point(x, p * dimension) + bias;
      },
    };
  }
  // Each case's point evaluator calls its kernel directly (a call V8 can inline), on arrays of its own.
  const pointY = new Float64Array(dimension);
  const pointZ = new Float64Array(dimension);
  let rate: number;
  let kernel: (values: Float64Array) => number;
  let point: PointEvaluator;
  switch (data.fn) {
    case 1:
      rate = RATE.one;
      kernel = (values) => zakharov(values, dimension);
      point = (x, offset) => {
        shiftScaleRotate(x, offset, shift, 0, RATE.one, rotation, 0, dimension, pointY, pointZ);
        return zakharov(pointZ, dimension);
      };
      break;
    case 2:
      rate = RATE.rosenbrock;
      kernel = (values) => rosenbrock(values, dimension);
      point = (x, offset) => {
        shiftScaleRotate(x, offset, shift, 0, RATE.rosenbrock, rotation, 0, dimension, pointY, pointZ);
        return rosenbrock(pointZ, dimension);
      };
      break;
    case 4:
      // step_rastrigin's rounding writes y, which sr_func then overwrites: plain Rastrigin.
      rate = RATE.rastrigin;
      kernel = (values) => rastrigin(values, dimension);
      point = (x, offset) => {
        shiftScaleRotate(x, offset, shift, 0, RATE.rastrigin, rotation, 0, dimension, pointY, pointZ);
        return rastrigin(pointZ, dimension);
      };
      break;
    case 5:
      rate = RATE.one;
      kernel = (values) => levy(values, dimension);
      point = (x, offset) => {
        shiftScaleRotate(x, offset, shift, 0, RATE.one, rotation, 0, dimension, pointY, pointZ);
        return levy(pointZ, dimension);
      };
      break;
    default:
      throw new RangeError(`F${data.fn} is not a basic function`);
  }
  if (dimension % 2 === 0) {
    const transformer = createShiftRotateTransformer(dimension, 1, rotation, shift);
    if (data.fn === 4) return { point, batch: rastriginChunkedBatch(dimension, transformer) };
    if (data.fn === 5) return { point, batch: levyChunkedBatch(dimension, transformer) };
    return { point, batch: basicChunkedBatch(dimension, transformer, rate, kernel) };
  }
  const transform = (x: Float64Array, offset: number): void =>
    shiftScaleRotateBlock(x, offset, shift, 0, rate, rotation, 0, dimension, y, z);
  return { point, batch: blockBatch(dimension, transform, blockViews(z, dimension), kernel, point) };
}

/**
 * A CEC2022 function instance from already loaded data (see `parseCec2022Data`): what the
 * sandbox harness uses, with files it read before the agent loaded.
 */
export function createCec2022FunctionFromData(data: Cec2022Data): Cec2022Function {
  const { fn, dimension } = data;
  let evaluator: Cec2022Evaluator;
  if (fn <= 5) evaluator = createBasic(data);
  else if (fn === 6) evaluator = createHybrid02(data);
  else if (fn === 7) evaluator = createHybrid10(data);
  else if (fn === 8) evaluator = createHybrid06(data);
  else evaluator = createComposition(data);
  const { point: evaluatePoint, batch } = evaluator;
  const bias = CEC2022_BIASES[fn - 1] as number;
  const id = `cec2022-f${fn}-d${dimension}`;
  const single = new Float64Array(dimension);

  const evaluateBatch = (points: Float64Array, count: number, out: Float64Array): void => {
    if (!Number.isInteger(count) || count < 0 || points.length < count * dimension || out.length < count) {
      throw new CladeError(
        'TASK_INVALID',
        `evaluateBatch(${id}) needs ${count} × ${dimension} point values and ${count} output slots; ` +
          `got ${points.length} values and ${out.length} slots.`,
      );
    }
    batch(points, count, out, bias);
  };

  return {
    id,
    fn,
    dimension,
    optimum: bias,
    lower: cec2022Bounds[0],
    upper: cec2022Bounds[1],
    shift: data.shift.subarray(0, dimension),
    evaluateBatch,
    evaluate(point) {
      if (point.length !== dimension) {
        throw new CladeError('TASK_INVALID', `${id} takes points of length ${dimension}, got ${point.length}.`);
      }
      for (let i = 0; i < dimension; i++) single[i] = point[i] as number;
      return evaluatePoint(single, 0) + bias;
    },
  };
}

/**
 * Creates CEC2022 function `fn` (1..12) in `dimension` (10 or 20) from the official data files
 * in `dataDirectory` (validated; see `loadCec2022Data`). `optimum` is the official bias F*
 * (300, 400, …), `id` is `cec2022-f<fn>-d<dimension>`.
 *
 * @throws CladeError `TASK_INVALID` for an unknown case, or a missing or invalid data file
 *   (the message names the file and says how to get it).
 */
export function createCec2022Function(fn: number, dimension: 10 | 20, dataDirectory: string): Cec2022Function {
  if (!isCec2022Case(fn, dimension)) {
    throw new CladeError(
      'TASK_INVALID',
      `CEC2022 has functions 1..12 in dimensions 10 and 20; got function ${fn} in dimension ${dimension}.`,
    );
  }
  return createCec2022FunctionFromData(loadCec2022Data(fn, dimension, dataDirectory));
}
