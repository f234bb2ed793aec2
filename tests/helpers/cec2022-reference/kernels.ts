/**
 * @module Test reference (frozen copy of src/numeric/cec2022 before its batched rewrite, with a plain
 * row-by-row matrix product): the straightforward implementation the optimised kernels must equal
 * bit for bit (tests/unit/numeric/cec2022/batched-kernels.test.ts).
 *
 * Original module comment: The basic functions of the CEC2022 suite, transcribed operation by operation from the
 * official C code (`cec22_test_func.cpp`) so that every value is rounded as there: same order of
 * additions and multiplications, `pow(v, 2)` as v·v and `pow(v, 0.5)` as √v (both exact
 * equivalents of a correctly rounded pow), other powers through `correctlyRoundedPow`.
 *
 * Each kernel reads (and may overwrite) `z[0 .. n)`, the already shifted, scaled and rotated
 * point, like the C functions after their `sr_func` call. Callers own the scratch arrays.
 */
import { correctlyRoundedPow, pow4 } from './precise-math.js';

/** The C code's `PI` and `E` (the same doubles as Math.PI and Math.E). */
const PI = Math.PI;
const E = Math.E;
const TWO_PI = 2.0 * PI;
/** The C code's Schwefel constants. */
const SCHWEFEL_SHIFT = 4.209687462275036e2;
const SCHWEFEL_BASE = 4.189828872724338e2;

/** Shrink rates of `sr_func`, written as in C (constant-folded there exactly as here). */
export const RATE = {
  one: 1.0,
  rosenbrock: 2.048 / 100.0,
  rastrigin: 5.12 / 100.0,
  schwefel: 1000.0 / 100.0,
  griewank: 600.0 / 100.0,
  beyer: 5.0 / 100.0,
} as const;

// Kernels index typed arrays inside bounds their callers guarantee, hence the `as number` casts
// that `noUncheckedIndexedAccess` asks for.

/** Zakharov (F1). */
export function zakharov(z: Float64Array, n: number): number {
  let sum1 = 0.0;
  let sum2 = 0.0;
  for (let i = 0; i < n; i++) {
    const xi = z[i] as number;
    sum1 = sum1 + xi * xi;
    sum2 = sum2 + 0.5 * (i + 1) * xi;
  }
  return sum1 + sum2 * sum2 + pow4(sum2);
}

/** Rosenbrock (F2 and composition components); adds 1 to z in place as C does. */
export function rosenbrock(z: Float64Array, n: number): number {
  let f = 0.0;
  z[0] = (z[0] as number) + 1.0;
  for (let i = 0; i < n - 1; i++) {
    z[i + 1] = (z[i + 1] as number) + 1.0;
    const zi = z[i] as number;
    const tmp1 = zi * zi - (z[i + 1] as number);
    const tmp2 = zi - 1.0;
    f += 100.0 * tmp1 * tmp1 + tmp2 * tmp2;
  }
  return f;
}

/**
 * Schaffer F7 as the C code computes it: from `y`, not from its own transformed input (the
 * quirk behind F3 being unrotated and F7's last group reading the shuffled vector's head).
 * Reads y[0 .. n).
 */
export function schafferF7(y: Float64Array, n: number): number {
  let f = 0.0;
  for (let i = 0; i < n - 1; i++) {
    const a = y[i] as number;
    const b = y[i + 1] as number;
    const zi = Math.sqrt(a * a + b * b);
    const tmp = Math.sin(50.0 * correctlyRoundedPow(zi, 0.2));
    const root = Math.sqrt(zi);
    f += root + root * tmp * tmp;
  }
  return (f * f) / (n - 1) / (n - 1);
}

/** Rastrigin (F4's "non-continuous" Rastrigin is this: its rounding step has no effect in C). */
export function rastrigin(z: Float64Array, n: number): number {
  let f = 0.0;
  for (let i = 0; i < n; i++) {
    const zi = z[i] as number;
    f += zi * zi - 10.0 * Math.cos(TWO_PI * zi) + 10.0;
  }
  return f;
}

/** Levy (F5), with the C code's sin(π·w + 1). */
export function levy(z: Float64Array, n: number): number {
  // w_i = 1 + (z_i − 0)/4, computed on the fly (C stores them in a temporary array).
  const w0 = 1.0 + ((z[0] as number) - 0.0) / 4.0;
  const wLast = 1.0 + ((z[n - 1] as number) - 0.0) / 4.0;
  const s0 = Math.sin(PI * w0);
  const term1 = s0 * s0;
  const sLast = Math.sin(2 * PI * wLast);
  const term3 = (wLast - 1) * (wLast - 1) * (1 + sLast * sLast);
  let sum = 0.0;
  for (let i = 0; i < n - 1; i++) {
    const wi = 1.0 + ((z[i] as number) - 0.0) / 4.0;
    const s = Math.sin(PI * wi + 1);
    const newv = (wi - 1) * (wi - 1) * (1 + 10 * (s * s));
    sum = sum + newv;
  }
  return term1 + sum + term3;
}

/** Bent cigar. */
export function bentCigar(z: Float64Array, n: number): number {
  const z0 = z[0] as number;
  let f = z0 * z0;
  for (let i = 1; i < n; i++) {
    const zi = z[i] as number;
    f += 1e6 * zi * zi;
  }
  return f;
}

/** Discus. */
export function discus(z: Float64Array, n: number): number {
  const z0 = z[0] as number;
  let f = 1e6 * z0 * z0;
  for (let i = 1; i < n; i++) {
    const zi = z[i] as number;
    f += zi * zi;
  }
  return f;
}

/** Weights pow(10, 6·i/(n − 1)) of the ellipsoid, correctly rounded as glibc's pow gives them. */
export function ellipsoidWeights(n: number): Float64Array {
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) weights[i] = correctlyRoundedPow(10.0, (6.0 * i) / (n - 1));
  return weights;
}

/** Ellipsoid with precomputed weights (see `ellipsoidWeights`). */
export function ellipsoid(z: Float64Array, n: number, weights: Float64Array): number {
  let f = 0.0;
  for (let i = 0; i < n; i++) {
    const zi = z[i] as number;
    f += (weights[i] as number) * zi * zi;
  }
  return f;
}

/** HGBat (Beyer); subtracts 1 from z in place as C does. */
export function hgbat(z: Float64Array, n: number): number {
  let r2 = 0.0;
  let sumZ = 0.0;
  for (let i = 0; i < n; i++) {
    const zi = (z[i] as number) - 1.0;
    z[i] = zi;
    r2 += zi * zi;
    sumZ += zi;
  }
  return Math.sqrt(Math.abs(r2 * r2 - sumZ * sumZ)) + (0.5 * r2 + sumZ) / n + 0.5;
}

/** HappyCat (Beyer); subtracts 1 from z in place as C does. */
export function happycat(z: Float64Array, n: number): number {
  let r2 = 0.0;
  let sumZ = 0.0;
  for (let i = 0; i < n; i++) {
    const zi = (z[i] as number) - 1.0;
    z[i] = zi;
    r2 += zi * zi;
    sumZ += zi;
  }
  return correctlyRoundedPow(Math.abs(r2 - n), 0.25) + (0.5 * r2 + sumZ) / n + 0.5;
}

/** The constant pow(n, 1.2) of Katsuura in n dimensions. */
export function katsuuraExponent(n: number): number {
  return 10.0 / correctlyRoundedPow(1.0 * n, 1.2);
}

/** Katsuura; `exponent` is `katsuuraExponent(n)`. */
export function katsuura(z: Float64Array, n: number, exponent: number): number {
  let f = 1.0;
  for (let i = 0; i < n; i++) {
    const zi = z[i] as number;
    let temp = 0.0;
    let scale = 1.0;
    for (let j = 1; j <= 32; j++) {
      scale *= 2.0;
      const tmp2 = scale * zi;
      temp += Math.abs(tmp2 - Math.floor(tmp2 + 0.5)) / scale;
    }
    f *= correctlyRoundedPow(1.0 + (i + 1) * temp, exponent);
  }
  const tmp1 = 10.0 / n / n;
  return f * tmp1 - tmp1;
}

/** Ackley. */
export function ackley(z: Float64Array, n: number): number {
  let sum1 = 0.0;
  let sum2 = 0.0;
  for (let i = 0; i < n; i++) {
    const zi = z[i] as number;
    sum1 += zi * zi;
    sum2 += Math.cos(TWO_PI * zi);
  }
  sum1 = -0.2 * Math.sqrt(sum1 / n);
  sum2 /= n;
  return E - 20.0 * Math.exp(sum1) - Math.exp(sum2) + 20.0;
}

/** CEC's modified Schwefel, with its fold and penalty outside [−500, 500]; shifts z in place. */
export function schwefel(z: Float64Array, n: number): number {
  let f = 0.0;
  for (let i = 0; i < n; i++) {
    const zi = (z[i] as number) + SCHWEFEL_SHIFT;
    z[i] = zi;
    if (zi > 500) {
      const folded = 500.0 - (zi % 500);
      f -= folded * Math.sin(Math.sqrt(folded));
      const tmp = (zi - 500.0) / 100;
      f += (tmp * tmp) / n;
    } else if (zi < -500) {
      const remainder = Math.abs(zi) % 500;
      f -= (-500.0 + remainder) * Math.sin(Math.sqrt(500.0 - remainder));
      const tmp = (zi + 500.0) / 100;
      f += (tmp * tmp) / n;
    } else {
      f -= zi * Math.sin(Math.sqrt(Math.abs(zi)));
    }
  }
  f += SCHWEFEL_BASE * n;
  return f;
}

/** Griewank. */
export function griewank(z: Float64Array, n: number): number {
  let s = 0.0;
  let p = 1.0;
  for (let i = 0; i < n; i++) {
    const zi = z[i] as number;
    s += zi * zi;
    p *= Math.cos(zi / Math.sqrt(1.0 + i));
  }
  return 1.0 + s / 4000.0 - p;
}

/** Expanded Griewank plus Rosenbrock; adds 1 to z in place as C does. */
export function griewankRosenbrock(z: Float64Array, n: number): number {
  let f = 0.0;
  z[0] = (z[0] as number) + 1.0;
  for (let i = 0; i < n - 1; i++) {
    z[i + 1] = (z[i + 1] as number) + 1.0;
    const zi = z[i] as number;
    const tmp1 = zi * zi - (z[i + 1] as number);
    const tmp2 = zi - 1.0;
    const temp = 100.0 * tmp1 * tmp1 + tmp2 * tmp2;
    f += (temp * temp) / 4000.0 - Math.cos(temp) + 1.0;
  }
  const last = z[n - 1] as number;
  const tmp1 = last * last - (z[0] as number);
  const tmp2 = last - 1.0;
  const temp = 100.0 * tmp1 * tmp1 + tmp2 * tmp2;
  f += (temp * temp) / 4000.0 - Math.cos(temp) + 1.0;
  return f;
}

/** Expanded Schaffer F6. */
export function expandedSchafferF6(z: Float64Array, n: number): number {
  let f = 0.0;
  for (let i = 0; i < n - 1; i++) {
    const a = z[i] as number;
    const b = z[i + 1] as number;
    const squares = a * a + b * b;
    let temp1 = Math.sin(Math.sqrt(squares));
    temp1 = temp1 * temp1;
    const temp2 = 1.0 + 0.001 * squares;
    f += 0.5 + (temp1 - 0.5) / (temp2 * temp2);
  }
  const a = z[n - 1] as number;
  const b = z[0] as number;
  const squares = a * a + b * b;
  let temp1 = Math.sin(Math.sqrt(squares));
  temp1 = temp1 * temp1;
  const temp2 = 1.0 + 0.001 * squares;
  f += 0.5 + (temp1 - 0.5) / (temp2 * temp2);
  return f;
}

/**
 * `sr_func` with shift and rotation: y = (x − o)·rate, then z = M·y with each row summed from 0
 * in column order, as `rotatefunc` does. Reads x[xOffset ..], o[shiftOffset ..], M[matrixOffset ..].
 */
export function shiftScaleRotate(
  x: Float64Array,
  xOffset: number,
  shift: Float64Array,
  shiftOffset: number,
  rate: number,
  matrix: Float64Array,
  matrixOffset: number,
  n: number,
  y: Float64Array,
  z: Float64Array,
): void {
  for (let i = 0; i < n; i++) y[i] = ((x[xOffset + i] as number) - (shift[shiftOffset + i] as number)) * rate;
  // rotatefunc: each row summed from 0 in column order.
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum = sum + (y[j] as number) * (matrix[matrixOffset + i * n + j] as number);
    z[i] = sum;
  }
}

/** `sr_func` with shift and no rotation: z = (x − o)·rate. */
export function shiftScale(
  x: Float64Array,
  xOffset: number,
  shift: Float64Array,
  shiftOffset: number,
  rate: number,
  n: number,
  z: Float64Array,
): void {
  for (let i = 0; i < n; i++) z[i] = ((x[xOffset + i] as number) - (shift[shiftOffset + i] as number)) * rate;
}

/** `sr_func` without shift or rotation (hybrid components): z = v[start .. start + n)·rate. */
export function scaleSlice(values: Float64Array, start: number, n: number, rate: number, z: Float64Array): void {
  for (let i = 0; i < n; i++) z[i] = (values[start + i] as number) * rate;
}
