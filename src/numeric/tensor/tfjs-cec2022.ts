/**
 * @module CEC2022 F1–F12 as TensorFlow.js graphs (float32), for the tfjs tensor backends. Each graph
 * follows the official C code's definitions as the typed kernels (src/numeric/cec2022) reproduce
 * them, quirks included: F3 unrotated, F4 plain Rastrigin, F7's Schaffer F7 group reading the head
 * of the permuted vector, F10 with three components, weight 1e99 at a component's optimum and equal
 * weights when every weight underflows.
 *
 * Float32 keeps about 7 digits, so the graphs use exact algebraic rewrites of the C formulas where
 * those lose digits to cancellation near an optimum (the typed kernels stay the reference, rounded
 * as in C):
 * - x − o and ‖x − o_i‖² are taken in float64 on the host (the caller subtracts; see `Cec2022Graph`);
 * - 10 − 10·cos(2πz) = 20·sin²(πz) (Rastrigin), 1 − cos t = 2·sin²(t/2) (Griewank-Rosenbrock);
 * - HGBat and HappyCat: with u = z − 1, (½Σu² + Σu)/n + ½ = ½Σz²/n, Σu² − Σu = Σ(z−1)(z−2),
 *   Σu² + Σu = Σz(z−1) (so (Σu²)² − (Σu)² is a product of two accurate sums), Σu² − n = Σz(z−2);
 * - Ackley and Katsuura through expm1 / log1p; Rosenbrock with (z+1)² − (z'+1) = z² + 2z − z';
 * - composition weights in the log domain: log w_i = −½·ln d_i − d_i/(2Dσ_i²), normalised by a
 *   softmax, since exp(−d/(2Dσ²)) underflows float32 inside the box (it does not in float64).
 * The permutation of the hybrid functions is folded into the rotation matrix (its rows permuted),
 * so a hybrid function is one matrix product and element-wise work on column slices.
 */
import type * as TF from '@tensorflow/tfjs';
import { CladeError } from '../../core/errors.js';
import { COMPOSITIONS } from '../cec2022/composition.js';
import type { Cec2022Data } from '../cec2022/data.js';
import { hybridGroupSizes } from '../cec2022/hybrid.js';
import { ellipsoidWeights, katsuuraExponent, RATE } from '../cec2022/kernels.js';
import { CEC2022_BIASES } from '../cec2022/suite.js';

type Tf = typeof TF;
type Tensor2D = TF.Tensor2D;
type Tensor1D = TF.Tensor1D;

/** The C code's Schwefel constants (see kernels.ts). */
const SCHWEFEL_SHIFT = 4.209687462275036e2;
const SCHWEFEL_BASE = 4.189828872724338e2;
/** ln(1e99): the log weight of a component whose optimum is exactly the point. */
const LOG_WEIGHT_AT_OPTIMUM = Math.log(1e99);
/**
 * Below this largest log weight every double weight √(1/d)·exp(−d/(2Dσ²)) is 0 (exp underflows
 * below −745.13), and C's cf_cal falls back to equal weights.
 */
const LOG_WEIGHT_UNDERFLOW = -745.13;

/** What the tfjs evaluator needs for one CEC2022 function. */
export interface Cec2022Graph {
  /** Tensors the graph holds (freed by the evaluator's dispose). */
  constants: TF.Tensor[];
  /**
   * Shift vectors, one row of D per component (one row for F1–F8): the evaluator passes the graph
   * x − o_i in float64-then-float32, all rows side by side ([count, components·D]).
   */
  shifts: Float64Array;
  components: number;
  /** Whether the graph reads the squared distances ‖x − o_i‖² ([count, components], float64 on the host). */
  needsDistances: boolean;
  /** The batch's values, bias F* included. */
  graph: (differences: Tensor2D, distances: Tensor2D | null) => Tensor1D;
}

/**
 * The graph of CEC2022 function `data.fn` (1..12) in `data.dimension`.
 *
 * @throws CladeError `TASK_INVALID` for a function number outside 1..12.
 */
export function cec2022Graph(tf: Tf, data: Cec2022Data): Cec2022Graph {
  const { fn, dimension } = data;
  if (!Number.isInteger(fn) || fn < 1 || fn > 12) {
    throw new CladeError('TASK_INVALID', `CEC2022 has functions F1–F12; got F${fn}.`);
  }
  const kernels = tfjsKernels(tf);
  const constants: TF.Tensor[] = [];
  const keep = <T extends TF.Tensor>(tensor: T): T => {
    constants.push(tf.keep(tensor));
    return tensor;
  };
  const bias = CEC2022_BIASES[fn - 1] as number;
  const matrix = (block: number, rowOrder?: Int32Array): Tensor2D => {
    const values = new Float32Array(dimension * dimension);
    for (let row = 0; row < dimension; row++) {
      const source = rowOrder === undefined ? row : (rowOrder[row] as number) - 1;
      for (let column = 0; column < dimension; column++) {
        values[row * dimension + column] = data.rotation[
          block * dimension * dimension + source * dimension + column
        ] as number;
      }
    }
    return keep(tf.tensor2d(values, [dimension, dimension]));
  };
  /** z = rate · M·(x − o) for every point: (X − o)·Mᵀ. */
  const rotate = (difference: Tensor2D, rotation: Tensor2D, rate: number): Tensor2D =>
    tf.mul(tf.matMul(difference, rotation, false, true), rate) as Tensor2D;

  if (fn <= 5) {
    const rotation = matrix(0);
    const indexWeights = keep(tf.tensor1d(Float32Array.from({ length: dimension }, (_, i) => 0.5 * (i + 1))));
    const graph = (points: Tensor2D): Tensor1D => {
      let value: Tensor1D;
      if (fn === 1) {
        const z = rotate(points, rotation, RATE.one);
        const sum2 = tf.sum(tf.mul(z, indexWeights), 1);
        value = tf.add(tf.add(tf.sum(tf.square(z), 1), tf.square(sum2)), tf.pow(sum2, 4));
      } else if (fn === 2) {
        value = kernels.rosenbrock(rotate(points, rotation, RATE.rosenbrock), dimension);
      } else if (fn === 3) {
        // Schaffer F7 on the shifted, unrotated vector (the official code's quirk).
        value = kernels.schafferF7(points, dimension);
      } else if (fn === 4) {
        value = kernels.rastrigin(rotate(points, rotation, RATE.rastrigin), dimension);
      } else {
        value = kernels.levy(rotate(points, rotation, RATE.one), dimension);
      }
      return tf.add(value, bias);
    };
    return { constants, shifts: data.shift.slice(0, dimension), components: 1, needsDistances: false, graph };
  }

  if (fn <= 8) {
    const fractions =
      fn === 6 ? [0.4, 0.4, 0.2] : fn === 7 ? [0.1, 0.2, 0.2, 0.2, 0.1, 0.2] : [0.3, 0.2, 0.2, 0.1, 0.2];
    const sizes = hybridGroupSizes(fractions, dimension);
    const starts = sizes.map((_, index) => sizes.slice(0, index).reduce((sum, size) => sum + size, 0));
    // Permuting z = M·y by the shuffle is multiplying y by M with its rows permuted.
    const rotation = matrix(0, data.shuffle as Int32Array);
    const katsuura =
      fn === 7
        ? kernels.katsuuraOf(sizes[1] as number, katsuuraExponent(sizes[1] as number), keep)
        : fn === 8
          ? kernels.katsuuraOf(sizes[0] as number, katsuuraExponent(sizes[0] as number), keep)
          : null;
    const graph = (points: Tensor2D): Tensor1D => {
      const permuted = tf.matMul(points, rotation, false, true);
      const group = (index: number, rate: number): Tensor2D =>
        tf.mul(tf.slice(permuted, [0, starts[index] as number], [-1, sizes[index] as number]), rate) as Tensor2D;
      const size = (index: number): number => sizes[index] as number;
      let parts: Tensor1D[];
      if (fn === 6) {
        parts = [
          kernels.bentCigar(group(0, RATE.one), size(0)),
          kernels.hgbat(group(1, RATE.beyer), size(1)),
          kernels.rastrigin(group(2, RATE.rastrigin), size(2)),
        ];
      } else if (fn === 7) {
        parts = [
          kernels.hgbat(group(0, RATE.beyer), size(0)),
          (katsuura as (z: Tensor2D) => Tensor1D)(group(1, RATE.beyer)),
          kernels.ackley(group(2, RATE.one), size(2)),
          kernels.rastrigin(group(3, RATE.rastrigin), size(3)),
          kernels.schwefel(group(4, RATE.schwefel), size(4)),
          // The C code's Schaffer F7 reads the head of the permuted vector, unscaled.
          kernels.schafferF7(tf.slice(permuted, [0, 0], [-1, size(5)]) as Tensor2D, size(5)),
        ];
      } else {
        parts = [
          (katsuura as (z: Tensor2D) => Tensor1D)(group(0, RATE.beyer)),
          kernels.happycat(group(1, RATE.beyer), size(1)),
          kernels.griewankRosenbrock(group(2, RATE.beyer), size(2)),
          kernels.schwefel(group(3, RATE.schwefel), size(3)),
          kernels.ackley(group(4, RATE.one), size(4)),
        ];
      }
      return tf.add(tf.addN(parts), bias);
    };
    return { constants, shifts: data.shift.slice(0, dimension), components: 1, needsDistances: false, graph };
  }

  const definition = COMPOSITIONS[fn];
  if (definition === undefined) throw new CladeError('TASK_INVALID', `F${fn} is not a composition function.`);
  const count = definition.components.length;
  const rotations = definition.components.map((component, index) => (component.rotated ? matrix(index) : null));
  const ellipsoidWeightTensor = keep(tf.tensor1d(Float32Array.from(ellipsoidWeights(dimension))));
  const griewankDivisors = keep(tf.tensor1d(Float32Array.from({ length: dimension }, (_, i) => Math.sqrt(1.0 + i))));
  const componentBias = keep(tf.tensor1d(Float32Array.from(definition.bias)));
  // −1/(2Dσ²) per component, applied to d.
  const distanceFactor = keep(
    tf.tensor1d(Float32Array.from(definition.delta, (width) => -1 / 2 / dimension / (width * width))),
  );
  const rateOf: Record<string, number> = {
    rosenbrock: RATE.rosenbrock,
    schwefel: RATE.schwefel,
    rastrigin: RATE.rastrigin,
    hgbat: RATE.beyer,
    griewank: RATE.griewank,
  };
  const graph = (differences: Tensor2D, distances: Tensor2D | null): Tensor1D => {
    const fits: Tensor1D[] = definition.components.map((component, index) => {
      const difference = tf.slice(differences, [0, index * dimension], [-1, dimension]);
      const rate = rateOf[component.kernel] ?? RATE.one;
      const rotation = rotations[index] ?? null;
      const z = rotation === null ? (tf.mul(difference, rate) as Tensor2D) : rotate(difference, rotation, rate);
      let value: Tensor1D;
      switch (component.kernel) {
        case 'rosenbrock':
          value = kernels.rosenbrock(z, dimension);
          break;
        case 'ellipsoid':
          value = tf.sum(tf.mul(tf.square(z), ellipsoidWeightTensor), 1);
          break;
        case 'bentCigar':
          value = kernels.bentCigar(z, dimension);
          break;
        case 'discus':
          value = kernels.discus(z, dimension);
          break;
        case 'schwefel':
          value = kernels.schwefel(z, dimension);
          break;
        case 'rastrigin':
          value = kernels.rastrigin(z, dimension);
          break;
        case 'hgbat':
          value = kernels.hgbat(z, dimension);
          break;
        case 'schafferF6':
          value = kernels.expandedSchafferF6(z, dimension);
          break;
        case 'griewank':
          value = kernels.griewank(z, dimension, griewankDivisors);
          break;
      }
      return component.scale === null ? value : tf.mul(value, component.scale[0] / component.scale[1]);
    });
    const fit = tf.add(tf.stack(fits, 1), componentBias) as Tensor2D;
    const d = distances as Tensor2D;
    const logWeights = tf.where(
      tf.equal(d, 0),
      tf.fill(d.shape, LOG_WEIGHT_AT_OPTIMUM),
      tf.add(tf.mul(-0.5, tf.log(d)), tf.mul(d, distanceFactor)),
    ) as Tensor2D;
    const largest = tf.max(logWeights, 1, true);
    // C's fallback: every weight 0 in double → equal weights.
    const weights = tf.where(
      tf.less(largest, LOG_WEIGHT_UNDERFLOW),
      tf.fill(logWeights.shape, 1 / count),
      tf.softmax(logWeights, 1),
    );
    return tf.add(tf.sum(tf.mul(weights, fit), 1), bias);
  };
  return { constants, shifts: data.shift.slice(0, count * dimension), components: count, needsDistances: true, graph };
}

/** The basic functions on [count, n] batches z (already shifted, rotated and scaled), each row → value. */
function tfjsKernels(tf: Tf) {
  const column = (z: Tensor2D, index: number): Tensor1D => tf.reshape(tf.slice(z, [0, index], [-1, 1]), [-1]);
  const head = (z: Tensor2D, n: number): Tensor2D => tf.slice(z, [0, 0], [-1, n - 1]);
  const tail = (z: Tensor2D, n: number): Tensor2D => tf.slice(z, [0, 1], [-1, n - 1]);
  /** z shifted left by one coordinate, cyclically: the C loops' (z_i, z_{i+1 mod n}) pairs. */
  const next = (z: Tensor2D, n: number): Tensor2D =>
    n === 1 ? z : tf.concat([tf.slice(z, [0, 1], [-1, n - 1]), tf.slice(z, [0, 0], [-1, 1])], 1);
  const sumSquares = (z: Tensor2D): Tensor1D => tf.sum(tf.square(z), 1);
  const sinSquared = (t: TF.Tensor): TF.Tensor => tf.square(tf.sin(t));

  return {
    /** Rosenbrock with the C code's +1: 100·(z_i² + 2z_i − z_{i+1})² + z_i². */
    rosenbrock(z: Tensor2D, n: number): Tensor1D {
      const a = head(z, n);
      const valley = tf.sub(tf.add(tf.square(a), tf.mul(2, a)), tail(z, n));
      return tf.sum(tf.add(tf.mul(100, tf.square(valley)), tf.square(a)), 1);
    },
    /** Schaffer F7 as C computes it, on y[0 .. n). */
    schafferF7(y: Tensor2D, n: number): Tensor1D {
      const radius = tf.sqrt(tf.add(tf.square(head(y, n)), tf.square(tail(y, n))));
      const wave = sinSquared(tf.mul(50, tf.pow(radius, 0.2)));
      const root = tf.sqrt(radius);
      const sum = tf.sum(tf.add(root, tf.mul(root, wave)), 1);
      return tf.div(tf.square(sum), (n - 1) * (n - 1));
    },
    /** Rastrigin: z² − 10·cos(2πz) + 10 = z² + 20·sin²(πz). */
    rastrigin(z: Tensor2D, _n: number): Tensor1D {
      return tf.sum(tf.add(tf.square(z), tf.mul(20, sinSquared(tf.mul(Math.PI, z)))), 1);
    },
    /** Levy with the C code's sin(π·w + 1). */
    levy(z: Tensor2D, n: number): Tensor1D {
      const w = tf.add(1, tf.div(z, 4)) as Tensor2D;
      const first = column(w, 0);
      const last = column(w, n - 1);
      const term1 = sinSquared(tf.mul(Math.PI, first));
      const term3 = tf.mul(tf.square(tf.sub(last, 1)), tf.add(1, sinSquared(tf.mul(2 * Math.PI, last))));
      const body = head(w, n);
      const middle = tf.mul(
        tf.square(tf.sub(body, 1)),
        tf.add(1, tf.mul(10, sinSquared(tf.add(tf.mul(Math.PI, body), 1)))),
      );
      return tf.add(tf.add(term1, tf.sum(middle, 1)), term3) as Tensor1D;
    },
    bentCigar(z: Tensor2D, n: number): Tensor1D {
      if (n === 1) return sumSquares(z);
      return tf.add(tf.square(column(z, 0)), tf.mul(1e6, sumSquares(tail(z, n))));
    },
    discus(z: Tensor2D, n: number): Tensor1D {
      if (n === 1) return tf.mul(1e6, sumSquares(z));
      return tf.add(tf.mul(1e6, tf.square(column(z, 0))), sumSquares(tail(z, n)));
    },
    /** HGBat: √|Σ(z−1)(z−2) · Σz(z−1)| + ½Σz²/n (C's formula rewritten exactly, see the module comment). */
    hgbat(z: Tensor2D, n: number): Tensor1D {
      const below = tf.sub(z, 1);
      const difference = tf.sum(tf.mul(below, tf.sub(z, 2)), 1);
      const sum = tf.sum(tf.mul(z, below), 1);
      return tf.add(tf.sqrt(tf.abs(tf.mul(difference, sum))), tf.div(tf.mul(0.5, sumSquares(z)), n));
    },
    /** HappyCat: |Σz(z−2)|^¼ + ½Σz²/n. */
    happycat(z: Tensor2D, n: number): Tensor1D {
      const offset = tf.sum(tf.mul(z, tf.sub(z, 2)), 1);
      return tf.add(tf.pow(tf.abs(offset), 0.25), tf.div(tf.mul(0.5, sumSquares(z)), n));
    },
    /**
     * Katsuura in n dimensions: 10/n²·(Π(1 + (i+1)·t_i)^e − 1), t_i = Σ_j |2^j z_i − round(2^j z_i)|/2^j
     * for j = 1..32 (exact in float32), the product through log1p/expm1.
     */
    katsuuraOf(n: number, exponent: number, keep: <T extends TF.Tensor>(tensor: T) => T) {
      const scales = keep(tf.tensor1d(Float32Array.from({ length: 32 }, (_, j) => 2 ** (j + 1))));
      const indices = keep(tf.tensor1d(Float32Array.from({ length: n }, (_, i) => i + 1)));
      return (z: Tensor2D): Tensor1D => {
        const scaled = tf.mul(tf.expandDims(z, 2), scales);
        const fractions = tf.div(tf.abs(tf.sub(scaled, tf.round(scaled))), scales);
        const t = tf.sum(fractions, 2);
        const logProduct = tf.mul(tf.sum(tf.log1p(tf.mul(t, indices)), 1), exponent);
        return tf.mul(tf.expm1(logProduct), 10 / n / n);
      };
    },
    /** Ackley: −20·expm1(−0.2·√(Σz²/n)) − e·expm1(−2·Σsin²(πz)/n). */
    ackley(z: Tensor2D, n: number): Tensor1D {
      const radius = tf.sqrt(tf.div(sumSquares(z), n));
      const cosines = tf.div(tf.mul(-2, tf.sum(sinSquared(tf.mul(Math.PI, z)), 1)), n);
      return tf.sub(tf.mul(-20, tf.expm1(tf.mul(-0.2, radius))), tf.mul(Math.E, tf.expm1(cosines)));
    },
    /** CEC's modified Schwefel with its fold and penalty outside [−500, 500], base added per coordinate. */
    schwefel(z: Tensor2D, n: number): Tensor1D {
      const v = tf.add(z, SCHWEFEL_SHIFT);
      const inside = tf.neg(tf.mul(v, tf.sin(tf.sqrt(tf.abs(v)))));
      const folded = tf.sub(500, tf.mod(v, 500));
      const above = tf.add(
        tf.neg(tf.mul(folded, tf.sin(tf.sqrt(folded)))),
        tf.div(tf.square(tf.div(tf.sub(v, 500), 100)), n),
      );
      const remainder = tf.mod(tf.neg(v), 500);
      const below = tf.add(
        tf.neg(tf.mul(tf.sub(remainder, 500), tf.sin(tf.sqrt(tf.sub(500, remainder))))),
        tf.div(tf.square(tf.div(tf.add(v, 500), 100)), n),
      );
      const terms = tf.where(tf.greater(v, 500), above, tf.where(tf.less(v, -500), below, inside));
      return tf.sum(tf.add(terms, SCHWEFEL_BASE), 1);
    },
    /** Expanded Griewank plus Rosenbrock, cyclic pairs: t = 100(z² + 2z − z')² + z², t²/4000 + 2·sin²(t/2). */
    griewankRosenbrock(z: Tensor2D, n: number): Tensor1D {
      const valley = tf.sub(tf.add(tf.square(z), tf.mul(2, z)), next(z, n));
      const t = tf.add(tf.mul(100, tf.square(valley)), tf.square(z));
      return tf.sum(tf.add(tf.div(tf.square(t), 4000), tf.mul(2, sinSquared(tf.mul(0.5, t)))), 1);
    },
    /** Expanded Schaffer F6, cyclic pairs: ½ + (sin²√s − ½)/(1 + s/1000)² = (s/1000·(1 + s/2000) + sin²√s)/(1 + s/1000)². */
    expandedSchafferF6(z: Tensor2D, n: number): Tensor1D {
      const s = tf.add(tf.square(z), tf.square(next(z, n)));
      const growth = tf.add(1, tf.mul(0.001, s));
      const numerator = tf.add(tf.mul(tf.mul(0.001, s), tf.add(1, tf.mul(0.0005, s))), sinSquared(tf.sqrt(s)));
      return tf.sum(tf.div(numerator, tf.square(growth)), 1);
    },
    griewank(z: Tensor2D, _n: number, divisors: Tensor1D): Tensor1D {
      return tf.sub(tf.add(1, tf.div(sumSquares(z), 4000)), tf.prod(tf.cos(tf.div(z, divisors)), 1)) as Tensor1D;
    },
  };
}
