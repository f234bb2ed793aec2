/**
 * @module The basic functions of the CEC2022 suite, transcribed operation by operation from the
 * official C code (`cec22_test_func.cpp`) so that every value is rounded as there: same order of
 * additions and multiplications, `pow(v, 2)` as v·v and `pow(v, 0.5)` as √v (both exact
 * equivalents of a correctly rounded pow), other powers through `correctlyRoundedPow`.
 *
 * Each kernel reads (and may overwrite) `z[0 .. n)`, the already shifted, scaled and rotated
 * point, like the C functions after their `sr_func` call. Callers own the scratch arrays.
 */
import {
  correctlyRoundedPow,
  correctlyRoundedPowPair,
  fifthPair,
  pow4,
  powOneFifth,
  powOneFifthPair,
  powPair,
} from './precise-math.js';

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
  let i = 0;
  // Two terms per pass: their x^0.2 side by side (`powOneFifthPair`), added to f in order.
  for (; i + 2 < n; i += 2) {
    const a = y[i] as number;
    const b = y[i + 1] as number;
    const c = y[i + 2] as number;
    const zi = Math.sqrt(a * a + b * b);
    const zNext = Math.sqrt(b * b + c * c);
    powOneFifthPair(zi, zNext);
    const tmp = Math.sin(50.0 * (fifthPair[0] as number));
    const tmpNext = Math.sin(50.0 * (fifthPair[1] as number));
    const root = Math.sqrt(zi);
    const rootNext = Math.sqrt(zNext);
    f += root + root * tmp * tmp;
    f += rootNext + rootNext * tmpNext * tmpNext;
  }
  for (; i < n - 1; i++) {
    const a = y[i] as number;
    const b = y[i + 1] as number;
    const zi = Math.sqrt(a * a + b * b);
    const tmp = Math.sin(50.0 * powOneFifth(zi));
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
  let i = 0;
  // Two coordinates per pass: their 32-term sums are independent chains of additions, which the
  // processor overlaps (one chain alone waits on each addition); each sum keeps its own order.
  for (; i + 1 < n; i += 2) {
    const zi = z[i] as number;
    const zNext = z[i + 1] as number;
    let temp = 0.0;
    let tempNext = 0.0;
    let scale = 1.0;
    let inverse = 1.0;
    for (let j = 1; j <= 32; j++) {
      scale *= 2.0;
      inverse *= 0.5;
      const tmp2 = scale * zi;
      const tmp2Next = scale * zNext;
      temp += Math.abs(tmp2 - Math.floor(tmp2 + 0.5)) * inverse;
      tempNext += Math.abs(tmp2Next - Math.floor(tmp2Next + 0.5)) * inverse;
    }
    correctlyRoundedPowPair(1.0 + (i + 1) * temp, 1.0 + (i + 2) * tempNext, exponent);
    f *= powPair[0] as number;
    f *= powPair[1] as number;
  }
  for (; i < n; i++) {
    const zi = z[i] as number;
    let temp = 0.0;
    let scale = 1.0;
    // ·2^-j instead of C's /2^j: both are the exact quotient rounded once, so the same double.
    let inverse = 1.0;
    for (let j = 1; j <= 32; j++) {
      scale *= 2.0;
      inverse *= 0.5;
      const tmp2 = scale * zi;
      temp += Math.abs(tmp2 - Math.floor(tmp2 + 0.5)) * inverse;
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

/** √(1 + i) for i < 64, Griewank's divisors (the same doubles as computing them per call). */
const GRIEWANK_DIVISORS = Float64Array.from({ length: 64 }, (_, i) => Math.sqrt(1.0 + i));

/** Griewank. */
export function griewank(z: Float64Array, n: number): number {
  let s = 0.0;
  let p = 1.0;
  for (let i = 0; i < n; i++) {
    const zi = z[i] as number;
    s += zi * zi;
    p *= Math.cos(zi / (i < 64 ? (GRIEWANK_DIVISORS[i] as number) : Math.sqrt(1.0 + i)));
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
  // Four (then two, then one) rows per pass share the loads of y; each row still sums in column
  // order from 0, as C's rotatefunc does, so the results are the same bits.
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const row0 = matrixOffset + i * n;
    const row1 = row0 + n;
    const row2 = row1 + n;
    const row3 = row2 + n;
    let sum0 = 0;
    let sum1 = 0;
    let sum2 = 0;
    let sum3 = 0;
    for (let j = 0; j < n; j++) {
      const value = y[j] as number;
      sum0 = sum0 + value * (matrix[row0 + j] as number);
      sum1 = sum1 + value * (matrix[row1 + j] as number);
      sum2 = sum2 + value * (matrix[row2 + j] as number);
      sum3 = sum3 + value * (matrix[row3 + j] as number);
    }
    z[i] = sum0;
    z[i + 1] = sum1;
    z[i + 2] = sum2;
    z[i + 3] = sum3;
  }
  for (; i + 1 < n; i += 2) {
    const row0 = matrixOffset + i * n;
    const row1 = row0 + n;
    let sum0 = 0;
    let sum1 = 0;
    for (let j = 0; j < n; j++) {
      const value = y[j] as number;
      sum0 = sum0 + value * (matrix[row0 + j] as number);
      sum1 = sum1 + value * (matrix[row1 + j] as number);
    }
    z[i] = sum0;
    z[i + 1] = sum1;
  }
  if (i < n) {
    const row = matrixOffset + i * n;
    let sum = 0;
    for (let j = 0; j < n; j++) sum = sum + (y[j] as number) * (matrix[row + j] as number);
    z[i] = sum;
  }
}

/** How many points the batched kernels transform per pass (`shiftScaleRotateBlock`). */
export const BLOCK_POINTS = 4;

/**
 * `shiftScaleRotate` for `BLOCK_POINTS` consecutive points at once: point q (q < 4) is read from
 * x[xOffset + q·n ..] and written to y[q·n ..] and z[q·n ..] (both hold 4·n values). Every z entry
 * is the same sum as in `shiftScaleRotate` (its row from 0 in column order, so the same bits); two
 * rows of four points per pass give eight independent sums that overlap in the pipeline, where one
 * point's sums wait on each other's additions.
 */
export function shiftScaleRotateBlock(
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
  for (let base = 0; base < BLOCK_POINTS * n; base += n) {
    for (let i = 0; i < n; i++) {
      y[base + i] = ((x[xOffset + base + i] as number) - (shift[shiftOffset + i] as number)) * rate;
    }
  }
  const n2 = 2 * n;
  const n3 = 3 * n;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const row0 = matrixOffset + i * n;
    const row1 = row0 + n;
    let a0 = 0;
    let a1 = 0;
    let b0 = 0;
    let b1 = 0;
    let c0 = 0;
    let c1 = 0;
    let d0 = 0;
    let d1 = 0;
    for (let j = 0; j < n; j++) {
      const m0 = matrix[row0 + j] as number;
      const m1 = matrix[row1 + j] as number;
      const u = y[j] as number;
      const v = y[n + j] as number;
      const w = y[n2 + j] as number;
      const t = y[n3 + j] as number;
      a0 = a0 + u * m0;
      a1 = a1 + u * m1;
      b0 = b0 + v * m0;
      b1 = b1 + v * m1;
      c0 = c0 + w * m0;
      c1 = c1 + w * m1;
      d0 = d0 + t * m0;
      d1 = d1 + t * m1;
    }
    z[i] = a0;
    z[i + 1] = a1;
    z[n + i] = b0;
    z[n + i + 1] = b1;
    z[n2 + i] = c0;
    z[n2 + i + 1] = c1;
    z[n3 + i] = d0;
    z[n3 + i + 1] = d1;
  }
  if (i < n) {
    const row = matrixOffset + i * n;
    let a = 0;
    let b = 0;
    let c = 0;
    let d = 0;
    for (let j = 0; j < n; j++) {
      const m = matrix[row + j] as number;
      a = a + (y[j] as number) * m;
      b = b + (y[n + j] as number) * m;
      c = c + (y[n2 + j] as number) * m;
      d = d + (y[n3 + j] as number) * m;
    }
    z[i] = a;
    z[n + i] = b;
    z[n2 + i] = c;
    z[n3 + i] = d;
  }
}

/** Views of a 4·n scratch array, one per point of a block. */
export function blockViews(values: Float64Array, n: number): Float64Array[] {
  return Array.from({ length: BLOCK_POINTS }, (_, q) => values.subarray(q * n, (q + 1) * n));
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

// Two-phase forms of the kernels that call sin or cos, for batches whose sines and cosines are
// computed together (WebAssembly, the same doubles as Math.sin / Math.cos): `…Arguments` writes the
// point's n arguments, `…From…` computes the value from their results, every other operation as in
// the one-phase kernel, in the same order. Both read z[offset .. offset + n) and leave it unchanged.

/** Rastrigin's cosine arguments 2π·z_i. */
export function rastriginArguments(z: Float64Array, offset: number, n: number, into: Float64Array, at: number): void {
  for (let i = 0; i < n; i++) into[at + i] = TWO_PI * (z[offset + i] as number);
}

/** Rastrigin from cos(2π·z_i) at cosines[at ..]. */
export function rastriginFromCosines(
  z: Float64Array,
  offset: number,
  n: number,
  cosines: Float64Array,
  at: number,
): number {
  let f = 0.0;
  for (let i = 0; i < n; i++) {
    const zi = z[offset + i] as number;
    f += zi * zi - 10.0 * (cosines[at + i] as number) + 10.0;
  }
  return f;
}

/** Schwefel's sine arguments (√ of the folded or plain |z_i + shift|, as `schwefel` takes them). */
export function schwefelArguments(z: Float64Array, offset: number, n: number, into: Float64Array, at: number): void {
  for (let i = 0; i < n; i++) {
    const zi = (z[offset + i] as number) + SCHWEFEL_SHIFT;
    if (zi > 500) {
      into[at + i] = Math.sqrt(500.0 - (zi % 500));
    } else if (zi < -500) {
      into[at + i] = Math.sqrt(500.0 - (Math.abs(zi) % 500));
    } else {
      into[at + i] = Math.sqrt(Math.abs(zi));
    }
  }
}

/** Schwefel from the sines of `schwefelArguments` at sines[at ..]. */
export function schwefelFromSines(z: Float64Array, offset: number, n: number, sines: Float64Array, at: number): number {
  let f = 0.0;
  for (let i = 0; i < n; i++) {
    const zi = (z[offset + i] as number) + SCHWEFEL_SHIFT;
    const sine = sines[at + i] as number;
    if (zi > 500) {
      const folded = 500.0 - (zi % 500);
      f -= folded * sine;
      const tmp = (zi - 500.0) / 100;
      f += (tmp * tmp) / n;
    } else if (zi < -500) {
      const remainder = Math.abs(zi) % 500;
      f -= (-500.0 + remainder) * sine;
      const tmp = (zi + 500.0) / 100;
      f += (tmp * tmp) / n;
    } else {
      f -= zi * sine;
    }
  }
  f += SCHWEFEL_BASE * n;
  return f;
}

/** Expanded Schaffer F6's sine arguments √(a² + b²) for the n pairs (the last wraps to z_0). */
export function expandedSchafferF6Arguments(
  z: Float64Array,
  offset: number,
  n: number,
  into: Float64Array,
  at: number,
): void {
  for (let i = 0; i < n; i++) {
    const a = z[offset + i] as number;
    const b = z[offset + (i + 1 < n ? i + 1 : 0)] as number;
    into[at + i] = Math.sqrt(a * a + b * b);
  }
}

/** Expanded Schaffer F6 from the sines of `expandedSchafferF6Arguments` at sines[at ..]. */
export function expandedSchafferF6FromSines(
  z: Float64Array,
  offset: number,
  n: number,
  sines: Float64Array,
  at: number,
): number {
  let f = 0.0;
  for (let i = 0; i < n; i++) {
    const a = z[offset + i] as number;
    const b = z[offset + (i + 1 < n ? i + 1 : 0)] as number;
    const squares = a * a + b * b;
    let temp1 = sines[at + i] as number;
    temp1 = temp1 * temp1;
    const temp2 = 1.0 + 0.001 * squares;
    f += 0.5 + (temp1 - 0.5) / (temp2 * temp2);
  }
  return f;
}

/** Griewank's cosine arguments z_i/√(1 + i). */
export function griewankArguments(z: Float64Array, offset: number, n: number, into: Float64Array, at: number): void {
  for (let i = 0; i < n; i++) {
    into[at + i] = (z[offset + i] as number) / (i < 64 ? (GRIEWANK_DIVISORS[i] as number) : Math.sqrt(1.0 + i));
  }
}

/** Griewank from the cosines of `griewankArguments` at cosines[at ..]. */
export function griewankFromCosines(
  z: Float64Array,
  offset: number,
  n: number,
  cosines: Float64Array,
  at: number,
): number {
  let s = 0.0;
  let p = 1.0;
  for (let i = 0; i < n; i++) {
    const zi = z[offset + i] as number;
    s += zi * zi;
    p *= cosines[at + i] as number;
  }
  return 1.0 + s / 4000.0 - p;
}

/** Ackley from cos(2π·z_i) at cosines[at ..] (its arguments are `rastriginArguments`'). */
export function ackleyFromCosines(
  z: Float64Array,
  offset: number,
  n: number,
  cosines: Float64Array,
  at: number,
): number {
  let sum1 = 0.0;
  let sum2 = 0.0;
  for (let i = 0; i < n; i++) {
    const zi = z[offset + i] as number;
    sum1 += zi * zi;
    sum2 += cosines[at + i] as number;
  }
  sum1 = -0.2 * Math.sqrt(sum1 / n);
  sum2 /= n;
  return E - 20.0 * Math.exp(sum1) - Math.exp(sum2) + 20.0;
}

/** The n terms `temp` of expanded Griewank-Rosenbrock on w = z + 1 (the last wraps to w_0). */
function griewankRosenbrockTerm(z: Float64Array, offset: number, n: number, i: number): number {
  const wi = (z[offset + i] as number) + 1.0;
  const wNext = (z[offset + (i + 1 < n ? i + 1 : 0)] as number) + 1.0;
  const tmp1 = wi * wi - wNext;
  const tmp2 = wi - 1.0;
  return 100.0 * tmp1 * tmp1 + tmp2 * tmp2;
}

/** Expanded Griewank-Rosenbrock's cosine arguments (its n terms). */
export function griewankRosenbrockArguments(
  z: Float64Array,
  offset: number,
  n: number,
  into: Float64Array,
  at: number,
): void {
  for (let i = 0; i < n; i++) into[at + i] = griewankRosenbrockTerm(z, offset, n, i);
}

/** Expanded Griewank-Rosenbrock from the cosines of its terms at cosines[at ..]. */
export function griewankRosenbrockFromCosines(
  z: Float64Array,
  offset: number,
  n: number,
  cosines: Float64Array,
  at: number,
): number {
  let f = 0.0;
  for (let i = 0; i < n; i++) {
    const temp = griewankRosenbrockTerm(z, offset, n, i);
    f += (temp * temp) / 4000.0 - (cosines[at + i] as number) + 1.0;
  }
  return f;
}

/** Schaffer F7 from sin(50·z_i^0.2) of its n − 1 pairs at sines[at ..] (z_i = √(a² + b²)). */
export function schafferF7FromSines(
  y: Float64Array,
  offset: number,
  n: number,
  sines: Float64Array,
  at: number,
): number {
  let f = 0.0;
  for (let i = 0; i < n - 1; i++) {
    const a = y[offset + i] as number;
    const b = y[offset + i + 1] as number;
    const root = Math.sqrt(Math.sqrt(a * a + b * b));
    const tmp = sines[at + i] as number;
    f += root + root * tmp * tmp;
  }
  return (f * f) / (n - 1) / (n - 1);
}

/**
 * Katsuura's power bases 1 + (i + 1)·Σ_j |2^j·z_i − round(2^j·z_i)|·2^-j into into[at ..], the sums
 * as `katsuura` makes them, so that a batch can compute all its powers in pairs.
 */
export function katsuuraBases(z: Float64Array, offset: number, n: number, into: Float64Array, at: number): void {
  for (let i = 0; i < n; i++) {
    const zi = z[offset + i] as number;
    let temp = 0.0;
    let scale = 1.0;
    let inverse = 1.0;
    for (let j = 1; j <= 32; j++) {
      scale *= 2.0;
      inverse *= 0.5;
      const tmp2 = scale * zi;
      temp += Math.abs(tmp2 - Math.floor(tmp2 + 0.5)) * inverse;
    }
    into[at + i] = 1.0 + (i + 1) * temp;
  }
}

/** Katsuura from the powers of its bases (`katsuuraBases`, raised to `katsuuraExponent(n)`). */
export function katsuuraFromPowers(n: number, powers: Float64Array, at: number): number {
  let f = 1.0;
  for (let i = 0; i < n; i++) f *= powers[at + i] as number;
  const tmp1 = 10.0 / n / n;
  return f * tmp1 - tmp1;
}

/** HappyCat's power base |r² − n| (z − 1 as `happycat` takes it; z is left unchanged). */
export function happycatBase(z: Float64Array, offset: number, n: number): number {
  let r2 = 0.0;
  for (let i = 0; i < n; i++) {
    const zi = (z[offset + i] as number) - 1.0;
    r2 += zi * zi;
  }
  return Math.abs(r2 - n);
}

/** HappyCat given `power` = |r² − n|^0.25 (correctly rounded). */
export function happycatFromPower(z: Float64Array, offset: number, n: number, power: number): number {
  let r2 = 0.0;
  let sumZ = 0.0;
  for (let i = 0; i < n; i++) {
    const zi = (z[offset + i] as number) - 1.0;
    r2 += zi * zi;
    sumZ += zi;
  }
  return power + (0.5 * r2 + sumZ) / n + 0.5;
}
