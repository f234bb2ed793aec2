/**
 * @module Correctly rounded powers for the CEC2022 kernels.
 *
 * The official CEC2022 code calls C's `pow`, which glibc rounds correctly (to the nearest double)
 * in all but astronomically rare cases; V8's `Math.pow` does not (about one result in ten is
 * 1 ulp off for exponents such as 0.2, 0.25 or 4), and inside `sin(50·z^0.2)` one ulp grows into
 * many. These functions compute x^y in double-double arithmetic (about 2^-80 relative error)
 * and round once, so they agree with glibc's `pow` bit for bit except at near-ties.
 *
 * No allocation per call: double-double intermediates live in module-level scalars.
 */

/** 2^27 + 1: Veltkamp's splitting constant for doubles. */
const SPLITTER = 134217729;

// Results of the double-double primitives (hi, lo), kept in module scalars to avoid allocation.
let productHigh = 0;
let productLow = 0;

/** Exact product a·b = productHigh + productLow (Dekker, no FMA); |a|, |b| < 2^996. */
function twoProduct(a: number, b: number): void {
  const product = a * b;
  let t = SPLITTER * a;
  const aHigh = t - (t - a);
  const aLow = a - aHigh;
  t = SPLITTER * b;
  const bHigh = t - (t - b);
  const bLow = b - bHigh;
  productHigh = product;
  productLow = aLow * bLow - (product - aHigh * bHigh - aLow * bHigh - aHigh * bLow);
}

/**
 * x⁴ rounded correctly: x² exactly as a double-double, squared in double-double. Equal to C's
 * `pow(x, 4)` under glibc.
 */
export function pow4(x: number): number {
  twoProduct(x, x);
  const squareHigh = productHigh;
  const squareLow = productLow;
  twoProduct(squareHigh, squareHigh);
  const high = productHigh;
  const low = productLow + (2 * squareHigh * squareLow + squareLow * squareLow);
  return high + low;
}

/** ln 2 as a double-double. */
const LN2_HIGH = 0.6931471805599453;
const LN2_LOW = 2.3190468138462996e-17;

/** Entries per octave of the exp table (2^(j/64)) and of the log table. */
const EXP_TABLE_SIZE = 64;
const LOG_TABLE_STEP = 128;
/** Log table indices j cover m ∈ [√½, √2): j = round((m − 1)·128) ∈ [−38, 53]. */
const LOG_INDEX_OFFSET = 38;
const LOG_TABLE_LENGTH = 92;

/** 2^(j/64) for j = 0..63 as double-doubles. */
const expTableHigh = new Float64Array(EXP_TABLE_SIZE);
const expTableLow = new Float64Array(EXP_TABLE_SIZE);
/** For m near c_j = 1 + j/128: inverse_j ≈ 1/c_j with 10 significant bits, and −ln(inverse_j). */
const logInverse = new Float64Array(LOG_TABLE_LENGTH);
const logTableHigh = new Float64Array(LOG_TABLE_LENGTH);
const logTableLow = new Float64Array(LOG_TABLE_LENGTH);

// exp result (double-double), written by expDoubleDouble.
let expHigh = 0;
let expLow = 0;

/**
 * exp(aHigh + aLow) as a double-double in (expHigh, expLow); |a| < 700. Reduction
 * a = (64q + j)·ln2/64 + r with |r| ≤ ln2/128, exp(a) = 2^q · 2^(j/64) · exp(r).
 */
function expDoubleDouble(aHigh: number, aLow: number): void {
  const k = Math.round((aHigh * EXP_TABLE_SIZE) / LN2_HIGH);
  // r = a − k·ln2/64, in double-double (k·LN2_HIGH/64 exact as a product pair).
  twoProduct(k, LN2_HIGH / EXP_TABLE_SIZE);
  const s = aHigh - productHigh;
  // s is exact (Sterbenz) when k ≠ 0 and both are close; add the remaining terms.
  let rHigh = s;
  let rLow = aLow - productLow - (k * LN2_LOW) / EXP_TABLE_SIZE;
  // Renormalise.
  const sum = rHigh + rLow;
  rLow = rLow - (sum - rHigh);
  rHigh = sum;
  // exp(r) − 1 = r + r²/2 + r³·poly(r); the polynomial part is small enough for plain doubles.
  twoProduct(rHigh, rHigh);
  const halfSquareHigh = productHigh / 2;
  const halfSquareLow = productLow / 2 + rHigh * rLow;
  const tail =
    rHigh *
    rHigh *
    rHigh *
    (1 / 6 + rHigh * (1 / 24 + rHigh * (1 / 120 + rHigh * (1 / 720 + rHigh * (1 / 5040 + rHigh / 40320)))));
  // e = r + r²/2 + tail as a double-double (|e| < 0.0055).
  let eHigh = rHigh + halfSquareHigh;
  let eLow = halfSquareHigh - (eHigh - rHigh) + rLow + halfSquareLow + tail;
  const normalised = eHigh + eLow;
  eLow = eLow - (normalised - eHigh);
  eHigh = normalised;
  // 2^(j/64) · (1 + e).
  const q = Math.floor(k / EXP_TABLE_SIZE);
  const j = k - q * EXP_TABLE_SIZE;
  const tHigh = expTableHigh[j] as number;
  const tLow = expTableLow[j] as number;
  twoProduct(tHigh, eHigh);
  const partHigh = productHigh;
  const partLow = productLow + tHigh * eLow + tLow * eHigh;
  let high = tHigh + partHigh;
  let low = partHigh - (high - tHigh) + partLow + tLow;
  const total = high + low;
  low = low - (total - high);
  high = total;
  const scale = scaleOfPowerOfTwo(q);
  expHigh = high * scale;
  expLow = low * scale;
}

/** 2^q as a double for |q| ≤ 1000 (exact). */
function scaleOfPowerOfTwo(q: number): number {
  if (q >= -1022 && q <= 1023) return 2 ** q;
  return q > 0 ? Number.POSITIVE_INFINITY : 0;
}

// log result (double-double), written by logDoubleDouble.
let logHigh = 0;
let logLow = 0;

/** Largest double below 1 and smallest above: [√½, √2) reduction bounds. */
const SQRT_HALF = Math.SQRT1_2;
const TWO_POW_54 = 2 ** 54;

/** ln(x) for finite x > 0 as a double-double in (logHigh, logLow). */
function logDoubleDouble(x: number): void {
  let exponent = 0;
  let m = x;
  if (m < 2 ** -1000) {
    m *= TWO_POW_54;
    exponent -= 54;
  }
  // Bring m into [√½, √2) with exact scalings by powers of two.
  const binaryExponent = Math.floor(Math.log2(m));
  m /= 2 ** binaryExponent;
  exponent += binaryExponent;
  // Math.log2 may be off by one near powers of two: fix up exactly.
  while (m >= 2) {
    m /= 2;
    exponent++;
  }
  while (m < 1) {
    m *= 2;
    exponent--;
  }
  if (m >= Math.SQRT2) {
    m /= 2;
    exponent++;
  }
  if (m < SQRT_HALF) {
    m *= 2;
    exponent--;
  }
  const index = Math.round((m - 1) * LOG_TABLE_STEP) + LOG_INDEX_OFFSET;
  const inverse = logInverse[index] as number;
  // t = m·inverse − 1 exactly as a double-double (m·inverse is within 2^-7 of 1).
  twoProduct(m, inverse);
  let tHigh = productHigh - 1;
  let tLow = productLow;
  const tSum = tHigh + tLow;
  tLow = tLow - (tSum - tHigh);
  tHigh = tSum;
  // ln(1 + t) = t − t²/2 + t³·poly(t).
  twoProduct(tHigh, tHigh);
  const halfSquareHigh = productHigh / 2;
  const halfSquareLow = productLow / 2 + tHigh * tLow;
  const tail =
    tHigh *
    tHigh *
    tHigh *
    (1 / 3 +
      tHigh *
        (-1 / 4 +
          tHigh * (1 / 5 + tHigh * (-1 / 6 + tHigh * (1 / 7 + tHigh * (-1 / 8 + tHigh * (1 / 9 - tHigh / 10)))))));
  let high = tHigh - halfSquareHigh;
  let low = tHigh - high - halfSquareHigh + tLow - halfSquareLow + tail;
  // + ln(1/inverse) from the table.
  const tableHigh = logTableHigh[index] as number;
  const tableLow = logTableLow[index] as number;
  let sum = high + tableHigh;
  let error = Math.abs(high) >= Math.abs(tableHigh) ? high - sum + tableHigh : tableHigh - sum + high;
  low = low + tableLow + error;
  high = sum;
  // + exponent·ln2.
  twoProduct(exponent, LN2_HIGH);
  const eHigh = productHigh;
  const eLow = productLow + exponent * LN2_LOW;
  sum = high + eHigh;
  error = Math.abs(high) >= Math.abs(eHigh) ? high - sum + eHigh : eHigh - sum + high;
  low = low + eLow + error;
  const total = sum + low;
  logLow = low - (total - sum);
  logHigh = total;
}

/**
 * x^y rounded to the nearest double, for finite x ≥ 0 and finite y (what the CEC2022 code
 * needs: x^0.2, x^0.25, Katsuura's exponents, 10^(6i/(D−1)), D^1.2). pow(0, y) = 0 for y > 0,
 * 1 for y = 0, +∞ for y < 0; negative or non-finite x falls back to `Math.pow`.
 */
export function correctlyRoundedPow(x: number, y: number): number {
  if (!(x > 0) || !Number.isFinite(x) || !Number.isFinite(y)) {
    if (x === 0) return y > 0 ? 0 : y === 0 ? 1 : Number.POSITIVE_INFINITY;
    return x ** y;
  }
  if (y === 0 || x === 1) return 1;
  if (y === 1) return x;
  if (y === 0.5) return Math.sqrt(x);
  if (y === 2) return x * x;
  logDoubleDouble(x);
  // a = y · ln x as a double-double.
  twoProduct(y, logHigh);
  const aHigh = productHigh;
  const aLow = productLow + y * logLow;
  const sum = aHigh + aLow;
  const normalisedLow = aLow - (sum - aHigh);
  if (sum > 709.8) return Number.POSITIVE_INFINITY;
  if (sum < -745.2) return 0;
  if (sum < -707) return x ** y; // Subnormal results: not needed by the suite.
  expDoubleDouble(sum, normalisedLow);
  return expHigh + expLow;
}

// Tables, computed once at load with the double-double routines themselves (bootstrapped:
// the exp table by Newton on v^64 = 2^j, the log table by Newton on exp).
(function buildTables(): void {
  for (let j = 0; j < EXP_TABLE_SIZE; j++) {
    const target = 2 ** j;
    let high = 2 ** (j / EXP_TABLE_SIZE);
    let low = 0;
    for (let iteration = 0; iteration < 2; iteration++) {
      // v^64 by six double-double squarings.
      let powerHigh = high;
      let powerLow = low;
      for (let square = 0; square < 6; square++) {
        twoProduct(powerHigh, powerHigh);
        const nextLow = productLow + 2 * powerHigh * powerLow;
        const nextHigh = productHigh + nextLow;
        powerLow = nextLow - (nextHigh - productHigh);
        powerHigh = nextHigh;
      }
      // v ← v − (v^64 − 2^j) / (64 v^63) = v − v·(v^64 − 2^j)/(64·v^64).
      const residual = powerHigh - target + powerLow;
      const correction = (high * residual) / (EXP_TABLE_SIZE * powerHigh);
      const nextHigh = high + (low - correction);
      low = low - correction - (nextHigh - high);
      high = nextHigh;
    }
    expTableHigh[j] = high;
    expTableLow[j] = low;
  }
  for (let index = 0; index < LOG_TABLE_LENGTH; index++) {
    const center = 1 + (index - LOG_INDEX_OFFSET) / LOG_TABLE_STEP;
    // 1/center rounded to 10 significant bits, so that m·inverse stays close to 1.
    const exponent = Math.floor(Math.log2(1 / center));
    const unit = 2 ** (exponent - 9);
    const inverse = Math.round(1 / center / unit) * unit;
    logInverse[index] = inverse;
    // L = −ln(inverse) = ln(1/inverse): Newton on exp: L ← L + (exp(−L)·inverse… ) written as
    // L ← L − (1 − exp(−L)/ (1/inverse)) ≈ L + (inverse·exp(L) − 1)·(−1).
    let high = -Math.log(inverse);
    let low = 0;
    for (let iteration = 0; iteration < 2; iteration++) {
      expDoubleDouble(high, low);
      // u = inverse·exp(L) − 1; L ← L − u (first order suffices: |u| ≈ 2^-52).
      twoProduct(inverse, expHigh);
      const u = productHigh - 1 + (productLow + inverse * expLow);
      const nextHigh = high + (low - u);
      low = low - u - (nextHigh - high);
      high = nextHigh;
    }
    logTableHigh[index] = high;
    logTableLow[index] = low;
  }
})();
