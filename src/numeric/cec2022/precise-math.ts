/**
 * @module Correctly rounded powers for the CEC2022 kernels.
 *
 * The official CEC2022 code calls C's `pow`, which glibc computes to within 0.52 ulp (correctly
 * rounded except within about 0.02 ulp of a tie); V8's `Math.pow` does not (about one result in
 * ten is 1 ulp off for exponents such as 0.2, 0.25 or 4), and inside `sin(50·z^0.2)` one ulp
 * grows into many. These functions compute x^y in double-double arithmetic (about 2^-75
 * relative error) and round once, so they agree with glibc's `pow` except near ties (measured:
 * 13 to 17 in 20,000 random arguments, each time with this result the correctly rounded one).
 *
 * No allocation per call: double-double results live in typed arrays (module-level `let`
 * doubles would be boxed, one heap allocation per assignment).
 */

/** 2^27 + 1: Veltkamp's splitting constant for doubles. */
const SPLITTER = 134217729;

/** [high, low] of the last `twoProduct`, `expDoubleDouble` and `logDoubleDouble`. */
const product = new Float64Array(2);
const expResult = new Float64Array(2);
const logResult = new Float64Array(2);

/** Bit access to a double; `HIGH_WORD` indexes the word with sign, exponent and top mantissa bits. */
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** Exact product a·b = product[0] + product[1] (Dekker, no FMA); |a|, |b| < 2^996. */
function twoProduct(a: number, b: number): void {
  const result = a * b;
  let t = SPLITTER * a;
  const aHigh = t - (t - a);
  const aLow = a - aHigh;
  t = SPLITTER * b;
  const bHigh = t - (t - b);
  const bLow = b - bHigh;
  product[0] = result;
  product[1] = aLow * bLow - (result - aHigh * bHigh - aLow * bHigh - aHigh * bLow);
}

/**
 * x⁴ rounded correctly: x² exactly as a double-double, squared in double-double. Equal to C's
 * `pow(x, 4)` under glibc except near ties.
 */
export function pow4(x: number): number {
  twoProduct(x, x);
  const squareHigh = product[0] as number;
  const squareLow = product[1] as number;
  twoProduct(squareHigh, squareHigh);
  return (product[0] as number) + ((product[1] as number) + (2 * squareHigh * squareLow + squareLow * squareLow));
}

/** ln 2 as a double-double. */
const LN2_HIGH = Math.LN2;
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
/** For m near c_j = 1 + j/128: inverse_j ≈ 1/c_j with 10 significant bits, and ln(1/inverse_j). */
const logInverse = new Float64Array(LOG_TABLE_LENGTH);
const logTableHigh = new Float64Array(LOG_TABLE_LENGTH);
const logTableLow = new Float64Array(LOG_TABLE_LENGTH);

/**
 * 2^(k − 1023) at index k (k = 1..2046 the exponent fields of the normal doubles; 2047 gives +∞).
 * A table, not a double built from two 32-bit stores: reading such a double back stalls
 * store-to-load forwarding (that alone was half the cost of `powOneFifth`).
 */
const POWERS_OF_TWO = Float64Array.from({ length: 2048 }, (_, k) => 2 ** (k - 1023));

/** 2^q for an integer q in [−1022, 1024] (2^1024 = +∞, as the bits (q + 1023) << 20 give). */
function powerOfTwo(q: number): number {
  return POWERS_OF_TWO[q + 1023] as number;
}

/**
 * exp(aHigh + aLow) as a double-double in expResult, for −707 < a < 709.8. Reduction
 * a = (64q + j)·ln2/64 + r with |r| ≤ ln2/128, exp(a) = 2^q · 2^(j/64) · exp(r).
 */
function expDoubleDouble(aHigh: number, aLow: number): void {
  const k = Math.round((aHigh * EXP_TABLE_SIZE) / LN2_HIGH);
  // r = a − k·ln2/64 in double-double; aHigh − k·LN2_HIGH/64 is exact (Sterbenz, or k = 0).
  twoProduct(k, LN2_HIGH / EXP_TABLE_SIZE);
  let rHigh = aHigh - (product[0] as number);
  let rLow = aLow - (product[1] as number) - (k * LN2_LOW) / EXP_TABLE_SIZE;
  const sum = rHigh + rLow;
  rLow = rLow - (sum - rHigh);
  rHigh = sum;
  // exp(r) − 1 = r + r²/2 + r³·poly(r); the polynomial part is small enough for plain doubles.
  twoProduct(rHigh, rHigh);
  const halfSquareHigh = (product[0] as number) / 2;
  const halfSquareLow = (product[1] as number) / 2 + rHigh * rLow;
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
  const partHigh = product[0] as number;
  const partLow = (product[1] as number) + tHigh * eLow + tLow * eHigh;
  let high = tHigh + partHigh;
  let low = partHigh - (high - tHigh) + partLow + tLow;
  const total = high + low;
  low = low - (total - high);
  high = total;
  const scale = powerOfTwo(q);
  expResult[0] = high * scale;
  expResult[1] = low * scale;
}

const TWO_POW_54 = 2 ** 54;
const MIN_NORMAL = 2 ** -1022;

/** ln(x) for finite x > 0 as a double-double in logResult. */
function logDoubleDouble(x: number): void {
  let exponent = 0;
  let value = x;
  if (value < MIN_NORMAL) {
    value *= TWO_POW_54;
    exponent -= 54;
  }
  // x = m·2^e with m ∈ [1, 2) read from the bits, then moved into [√½, √2).
  bits[0] = value;
  const highWord = words[HIGH_WORD] as number;
  exponent += ((highWord >>> 20) & 0x7ff) - 1023;
  // value·2^-(field − 1023), exact (a power of two; the product lies in [1, 2)).
  let m = value * (POWERS_OF_TWO[2046 - ((highWord >>> 20) & 0x7ff)] as number);
  if (m >= Math.SQRT2) {
    m *= 0.5;
    exponent++;
  }
  const index = Math.round((m - 1) * LOG_TABLE_STEP) + LOG_INDEX_OFFSET;
  const inverse = logInverse[index] as number;
  // t = m·inverse − 1 exactly as a double-double (m·inverse is within 2^-7 of 1).
  twoProduct(m, inverse);
  let tHigh = (product[0] as number) - 1;
  let tLow = product[1] as number;
  const tSum = tHigh + tLow;
  tLow = tLow - (tSum - tHigh);
  tHigh = tSum;
  // ln(1 + t) = t − t²/2 + t³·poly(t).
  twoProduct(tHigh, tHigh);
  const halfSquareHigh = (product[0] as number) / 2;
  const halfSquareLow = (product[1] as number) / 2 + tHigh * tLow;
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
  let sum = high + tableHigh;
  let error = Math.abs(high) >= Math.abs(tableHigh) ? high - sum + tableHigh : tableHigh - sum + high;
  low = low + (logTableLow[index] as number) + error;
  high = sum;
  // + exponent·ln2.
  twoProduct(exponent, LN2_HIGH);
  const eHigh = product[0] as number;
  const eLow = (product[1] as number) + exponent * LN2_LOW;
  sum = high + eHigh;
  error = Math.abs(high) >= Math.abs(eHigh) ? high - sum + eHigh : eHigh - sum + high;
  low = low + eLow + error;
  const total = sum + low;
  logResult[1] = low - (total - sum);
  logResult[0] = total;
}

/**
 * x^y rounded to the nearest double, for finite x ≥ 0 and finite y (what the CEC2022 code
 * needs: x^0.2, x^0.25, Katsuura's exponents, 10^(6i/(D−1)), D^1.2). pow(0, y) = 0 for y > 0,
 * 1 for y = 0, +∞ for y < 0; negative or non-finite x, and results below 2^-1020, fall back to
 * `Math.pow`.
 */
export function correctlyRoundedPow(x: number, y: number): number {
  if (!(x > 0) || x === Number.POSITIVE_INFINITY || !Number.isFinite(y)) {
    if (x === 0) return y > 0 ? 0 : y === 0 ? 1 : Number.POSITIVE_INFINITY;
    return x ** y;
  }
  if (y === 0 || x === 1) return 1;
  if (y === 1) return x;
  if (y === 0.5) return Math.sqrt(x);
  if (y === 2) return x * x;
  logDoubleDouble(x);
  // a = y · ln x as a double-double.
  twoProduct(y, logResult[0] as number);
  const aHigh = product[0] as number;
  const aLow = (product[1] as number) + y * (logResult[1] as number);
  const sum = aHigh + aLow;
  if (sum > 709.8) return Number.POSITIVE_INFINITY;
  if (sum < -707) return x ** y;
  expDoubleDouble(sum, aLow - (sum - aHigh));
  return (expResult[0] as number) + (expResult[1] as number);
}

/** Four slots: the exact products of `twoProductAt` (lane 0 at 0, 1; lane 1 at 2, 3). */
const products = new Float64Array(4);
/** [high0, low0, high1, low1] of `logDoubleDoublePair`. */
const pairLog = new Float64Array(4);

/** `twoProduct` into products[slot], products[slot + 1]. */
function twoProductAt(a: number, b: number, slot: number): void {
  const result = a * b;
  let t = SPLITTER * a;
  const aHigh = t - (t - a);
  const aLow = a - aHigh;
  t = SPLITTER * b;
  const bHigh = t - (t - b);
  const bLow = b - bHigh;
  products[slot] = result;
  products[slot + 1] = aLow * bLow - (result - aHigh * bHigh - aLow * bHigh - aHigh * bLow);
}

/** `logDoubleDouble` of two arguments, statement by statement side by side, into pairLog. */
function logDoubleDoublePair(x0: number, x1: number): void {
  let exponent0 = 0;
  let exponent1 = 0;
  let value0 = x0;
  let value1 = x1;
  if (value0 < MIN_NORMAL) {
    value0 *= TWO_POW_54;
    exponent0 -= 54;
  }
  if (value1 < MIN_NORMAL) {
    value1 *= TWO_POW_54;
    exponent1 -= 54;
  }
  bits[0] = value0;
  const highWord0 = words[HIGH_WORD] as number;
  bits[0] = value1;
  const highWord1 = words[HIGH_WORD] as number;
  exponent0 += ((highWord0 >>> 20) & 0x7ff) - 1023;
  exponent1 += ((highWord1 >>> 20) & 0x7ff) - 1023;
  let m0 = value0 * (POWERS_OF_TWO[2046 - ((highWord0 >>> 20) & 0x7ff)] as number);
  let m1 = value1 * (POWERS_OF_TWO[2046 - ((highWord1 >>> 20) & 0x7ff)] as number);
  if (m0 >= Math.SQRT2) {
    m0 *= 0.5;
    exponent0++;
  }
  if (m1 >= Math.SQRT2) {
    m1 *= 0.5;
    exponent1++;
  }
  const index0 = Math.round((m0 - 1) * LOG_TABLE_STEP) + LOG_INDEX_OFFSET;
  const index1 = Math.round((m1 - 1) * LOG_TABLE_STEP) + LOG_INDEX_OFFSET;
  const inverse0 = logInverse[index0] as number;
  const inverse1 = logInverse[index1] as number;
  twoProductAt(m0, inverse0, 2 * 0);
  twoProductAt(m1, inverse1, 2 * 1);
  let tHigh0 = (products[2 * 0] as number) - 1;
  let tHigh1 = (products[2 * 1] as number) - 1;
  let tLow0 = products[2 * 0 + 1] as number;
  let tLow1 = products[2 * 1 + 1] as number;
  const tSum0 = tHigh0 + tLow0;
  const tSum1 = tHigh1 + tLow1;
  tLow0 = tLow0 - (tSum0 - tHigh0);
  tLow1 = tLow1 - (tSum1 - tHigh1);
  tHigh0 = tSum0;
  tHigh1 = tSum1;
  twoProductAt(tHigh0, tHigh0, 2 * 0);
  twoProductAt(tHigh1, tHigh1, 2 * 1);
  const halfSquareHigh0 = (products[2 * 0] as number) / 2;
  const halfSquareHigh1 = (products[2 * 1] as number) / 2;
  const halfSquareLow0 = (products[2 * 0 + 1] as number) / 2 + tHigh0 * tLow0;
  const halfSquareLow1 = (products[2 * 1 + 1] as number) / 2 + tHigh1 * tLow1;
  const tail0 =
    tHigh0 *
    tHigh0 *
    tHigh0 *
    (1 / 3 +
      tHigh0 *
        (-1 / 4 +
          tHigh0 *
            (1 / 5 + tHigh0 * (-1 / 6 + tHigh0 * (1 / 7 + tHigh0 * (-1 / 8 + tHigh0 * (1 / 9 - tHigh0 / 10)))))));
  const tail1 =
    tHigh1 *
    tHigh1 *
    tHigh1 *
    (1 / 3 +
      tHigh1 *
        (-1 / 4 +
          tHigh1 *
            (1 / 5 + tHigh1 * (-1 / 6 + tHigh1 * (1 / 7 + tHigh1 * (-1 / 8 + tHigh1 * (1 / 9 - tHigh1 / 10)))))));
  let high0 = tHigh0 - halfSquareHigh0;
  let high1 = tHigh1 - halfSquareHigh1;
  let low0 = tHigh0 - high0 - halfSquareHigh0 + tLow0 - halfSquareLow0 + tail0;
  let low1 = tHigh1 - high1 - halfSquareHigh1 + tLow1 - halfSquareLow1 + tail1;
  const tableHigh0 = logTableHigh[index0] as number;
  const tableHigh1 = logTableHigh[index1] as number;
  let sum0 = high0 + tableHigh0;
  let sum1 = high1 + tableHigh1;
  let error0 = Math.abs(high0) >= Math.abs(tableHigh0) ? high0 - sum0 + tableHigh0 : tableHigh0 - sum0 + high0;
  let error1 = Math.abs(high1) >= Math.abs(tableHigh1) ? high1 - sum1 + tableHigh1 : tableHigh1 - sum1 + high1;
  low0 = low0 + (logTableLow[index0] as number) + error0;
  low1 = low1 + (logTableLow[index1] as number) + error1;
  high0 = sum0;
  high1 = sum1;
  twoProductAt(exponent0, LN2_HIGH, 2 * 0);
  twoProductAt(exponent1, LN2_HIGH, 2 * 1);
  const eHigh0 = products[2 * 0] as number;
  const eHigh1 = products[2 * 1] as number;
  const eLow0 = (products[2 * 0 + 1] as number) + exponent0 * LN2_LOW;
  const eLow1 = (products[2 * 1 + 1] as number) + exponent1 * LN2_LOW;
  sum0 = high0 + eHigh0;
  sum1 = high1 + eHigh1;
  error0 = Math.abs(high0) >= Math.abs(eHigh0) ? high0 - sum0 + eHigh0 : eHigh0 - sum0 + high0;
  error1 = Math.abs(high1) >= Math.abs(eHigh1) ? high1 - sum1 + eHigh1 : eHigh1 - sum1 + high1;
  low0 = low0 + eLow0 + error0;
  low1 = low1 + eLow1 + error1;
  const total0 = sum0 + low0;
  const total1 = sum1 + low1;
  pairLog[2 * 0 + 1] = low0 - (total0 - sum0);
  pairLog[2 * 1 + 1] = low1 - (total1 - sum1);
  pairLog[2 * 0] = total0;
  pairLog[2 * 1] = total1;
}

/** Results of `correctlyRoundedPowPair`. */
export const powPair = new Float64Array(2);

/**
 * `correctlyRoundedPow(x0, y)` and `correctlyRoundedPow(x1, y)` into powPair[0] and powPair[1], the
 * same doubles: the double-double logarithm and exponential of both, operation by operation side by
 * side (each alone is one long chain of dependent operations; two chains overlap in the processor,
 * as in Katsuura's product of powers). Arguments outside the ordinary case (x ≤ 0, non-finite,
 * y·ln x out of range, the shortcut exponents) go to `correctlyRoundedPow` one by one.
 */
export function correctlyRoundedPowPair(x0: number, x1: number, y: number): void {
  if (
    !(x0 > 0 && x0 < Number.POSITIVE_INFINITY && x1 > 0 && x1 < Number.POSITIVE_INFINITY && Number.isFinite(y)) ||
    y === 0 ||
    y === 1 ||
    y === 0.5 ||
    y === 2 ||
    x0 === 1 ||
    x1 === 1
  ) {
    powPair[0] = correctlyRoundedPow(x0, y);
    powPair[1] = correctlyRoundedPow(x1, y);
    return;
  }
  logDoubleDoublePair(x0, x1);
  twoProductAt(y, pairLog[0] as number, 0);
  twoProductAt(y, pairLog[2] as number, 2);
  const aHigh0 = products[0] as number;
  const aHigh1 = products[2] as number;
  const aLow0 = (products[1] as number) + y * (pairLog[1] as number);
  const aLow1 = (products[3] as number) + y * (pairLog[3] as number);
  const sum0 = aHigh0 + aLow0;
  const sum1 = aHigh1 + aLow1;
  if (!(sum0 <= 709.8 && sum0 >= -707 && sum1 <= 709.8 && sum1 >= -707)) {
    powPair[0] = correctlyRoundedPow(x0, y);
    powPair[1] = correctlyRoundedPow(x1, y);
    return;
  }
  expDoubleDoublePair(sum0, aLow0 - (sum0 - aHigh0), sum1, aLow1 - (sum1 - aHigh1));
}

/** `expDoubleDouble` of two arguments side by side; writes high + low of each to powPair. */
function expDoubleDoublePair(aHigh0: number, aLow0: number, aHigh1: number, aLow1: number): void {
  const k0 = Math.round((aHigh0 * EXP_TABLE_SIZE) / LN2_HIGH);
  const k1 = Math.round((aHigh1 * EXP_TABLE_SIZE) / LN2_HIGH);
  twoProductAt(k0, LN2_HIGH / EXP_TABLE_SIZE, 2 * 0);
  twoProductAt(k1, LN2_HIGH / EXP_TABLE_SIZE, 2 * 1);
  let rHigh0 = aHigh0 - (products[2 * 0] as number);
  let rHigh1 = aHigh1 - (products[2 * 1] as number);
  let rLow0 = aLow0 - (products[2 * 0 + 1] as number) - (k0 * LN2_LOW) / EXP_TABLE_SIZE;
  let rLow1 = aLow1 - (products[2 * 1 + 1] as number) - (k1 * LN2_LOW) / EXP_TABLE_SIZE;
  const sum0 = rHigh0 + rLow0;
  const sum1 = rHigh1 + rLow1;
  rLow0 = rLow0 - (sum0 - rHigh0);
  rLow1 = rLow1 - (sum1 - rHigh1);
  rHigh0 = sum0;
  rHigh1 = sum1;
  twoProductAt(rHigh0, rHigh0, 2 * 0);
  twoProductAt(rHigh1, rHigh1, 2 * 1);
  const halfSquareHigh0 = (products[2 * 0] as number) / 2;
  const halfSquareHigh1 = (products[2 * 1] as number) / 2;
  const halfSquareLow0 = (products[2 * 0 + 1] as number) / 2 + rHigh0 * rLow0;
  const halfSquareLow1 = (products[2 * 1 + 1] as number) / 2 + rHigh1 * rLow1;
  const tail0 =
    rHigh0 *
    rHigh0 *
    rHigh0 *
    (1 / 6 + rHigh0 * (1 / 24 + rHigh0 * (1 / 120 + rHigh0 * (1 / 720 + rHigh0 * (1 / 5040 + rHigh0 / 40320)))));
  const tail1 =
    rHigh1 *
    rHigh1 *
    rHigh1 *
    (1 / 6 + rHigh1 * (1 / 24 + rHigh1 * (1 / 120 + rHigh1 * (1 / 720 + rHigh1 * (1 / 5040 + rHigh1 / 40320)))));
  let eHigh0 = rHigh0 + halfSquareHigh0;
  let eHigh1 = rHigh1 + halfSquareHigh1;
  let eLow0 = halfSquareHigh0 - (eHigh0 - rHigh0) + rLow0 + halfSquareLow0 + tail0;
  let eLow1 = halfSquareHigh1 - (eHigh1 - rHigh1) + rLow1 + halfSquareLow1 + tail1;
  const normalised0 = eHigh0 + eLow0;
  const normalised1 = eHigh1 + eLow1;
  eLow0 = eLow0 - (normalised0 - eHigh0);
  eLow1 = eLow1 - (normalised1 - eHigh1);
  eHigh0 = normalised0;
  eHigh1 = normalised1;
  const q0 = Math.floor(k0 / EXP_TABLE_SIZE);
  const q1 = Math.floor(k1 / EXP_TABLE_SIZE);
  const j0 = k0 - q0 * EXP_TABLE_SIZE;
  const j1 = k1 - q1 * EXP_TABLE_SIZE;
  const tHigh0 = expTableHigh[j0] as number;
  const tHigh1 = expTableHigh[j1] as number;
  const tLow0 = expTableLow[j0] as number;
  const tLow1 = expTableLow[j1] as number;
  twoProductAt(tHigh0, eHigh0, 2 * 0);
  twoProductAt(tHigh1, eHigh1, 2 * 1);
  const partHigh0 = products[2 * 0] as number;
  const partHigh1 = products[2 * 1] as number;
  const partLow0 = (products[2 * 0 + 1] as number) + tHigh0 * eLow0 + tLow0 * eHigh0;
  const partLow1 = (products[2 * 1 + 1] as number) + tHigh1 * eLow1 + tLow1 * eHigh1;
  let high0 = tHigh0 + partHigh0;
  let high1 = tHigh1 + partHigh1;
  let low0 = partHigh0 - (high0 - tHigh0) + partLow0 + tLow0;
  let low1 = partHigh1 - (high1 - tHigh1) + partLow1 + tLow1;
  const total0 = high0 + low0;
  const total1 = high1 + low1;
  low0 = low0 - (total0 - high0);
  low1 = low1 - (total1 - high1);
  high0 = total0;
  high1 = total1;
  const scale0 = powerOfTwo(q0);
  const scale1 = powerOfTwo(q1);
  const result0 = high0 * scale0 + low0 * scale0;
  const result1 = high1 * scale1 + low1 * scale1;
  powPair[0] = result0;
  powPair[1] = result1;
}

/** The double 0.2 minus 1/5: 0.2 is 3602879701896397·2^-54, so the excess is 2^-54/5. */
const ONE_FIFTH_EXCESS = 2 ** -54 / 5;
/** For m in [1 + k/128, 1 + (k+1)/128): the centre's inverse, its fifth root (correctly rounded) and log. */
const FIFTH_CENTRE_INVERSE = new Float64Array(128);
const FIFTH_CENTRE_POWER = new Float64Array(128);
const FIFTH_CENTRE_LOG = new Float64Array(128);
/** 2^(s/5) for s = 0..4, and 2^q for q = −20..20 at index q + 20. */
const FIFTH_OF_POWER_OF_TWO = Float64Array.from({ length: 5 }, (_, s) => 2 ** (s / 5));
const POWER_OF_TWO_BY_FIFTHS = Float64Array.from({ length: 41 }, (_, q) => 2 ** (q - 20));

/**
 * The double-double log and exp tables, one array (what the WebAssembly `powers` reads): logInverse,
 * logTableHigh, logTableLow (92 each), expTableHigh, expTableLow (64 each).
 */
export function powerTables(): Float64Array {
  const tables = new Float64Array(3 * LOG_TABLE_LENGTH + 2 * EXP_TABLE_SIZE);
  tables.set(logInverse, 0);
  tables.set(logTableHigh, LOG_TABLE_LENGTH);
  tables.set(logTableLow, 2 * LOG_TABLE_LENGTH);
  tables.set(expTableHigh, 3 * LOG_TABLE_LENGTH);
  tables.set(expTableLow, 3 * LOG_TABLE_LENGTH + EXP_TABLE_SIZE);
  return tables;
}

/**
 * The tables of `powOneFifth`'s first approximation, one array: 128 centre inverses, 128 centre
 * fifth roots, 128 centre logarithms, 2^(s/5) for s = 0..4, 2^q for q = −20..20 (what the
 * WebAssembly `fifthRoots` reads, so that it computes with the very same doubles).
 */
export function fifthRootTables(): Float64Array {
  const tables = new Float64Array(128 * 3 + 5 + 41);
  tables.set(FIFTH_CENTRE_INVERSE, 0);
  tables.set(FIFTH_CENTRE_POWER, 128);
  tables.set(FIFTH_CENTRE_LOG, 256);
  tables.set(FIFTH_OF_POWER_OF_TWO, 384);
  tables.set(POWER_OF_TWO_BY_FIFTHS, 389);
  return tables;
}

/** Arguments `powOneFifth` takes its fast path for (wider ones go to `correctlyRoundedPow`). */
const FIFTH_ROOT_LOW = 2 ** -100;
const FIFTH_ROOT_HIGH = 2 ** 100;
/**
 * How close (relative) the exact x^0.2 may come to a rounding midpoint before `powOneFifth` defers
 * to `correctlyRoundedPow`: 2^-64, far above the fast path's own error (below 2^-95) and the
 * double-double path's (about 2^-75), so wherever the fast path answers both round the same way.
 */
const MIDPOINT_MARGIN = 2 ** -64;
const TWO_POW_MINUS_52 = 2 ** -52;

/**
 * `correctlyRoundedPow(x, 0.2)`, the same double for every x, about three times faster (Schaffer
 * F7's r^0.2). A first approximation r = exp(ln x / 5) is corrected once: with P = r⁵ in
 * double-double and t = (x − P)/P, x^(1/5) = r·(1 + t/5 − 2t²/25 + …) and x^0.2 = x^(1/5)·(1 + δ·ln x + …)
 * for δ = 0.2 − 1/5, so x^0.2 ≈ r + r·c with c = t/5 − 2t²/25 + δ·ln x, within 2^-95 relative.
 * That value is returned rounded when it lies more than 2^-64 (relative) from a rounding midpoint,
 * where the correctly rounded result is certainly the same; otherwise (about one call in a
 * thousand), and outside [2^-100, 2^100], the double-double path answers.
 */
export function powOneFifth(x: number): number {
  if (!(x >= FIFTH_ROOT_LOW && x <= FIFTH_ROOT_HIGH)) return correctlyRoundedPow(x, 0.2);
  // First approximation without leaving JavaScript (Math.log and Math.exp are calls into C++, half
  // the cost before): x = m·2^e, m = c_k·(1 + t) with c_k the centre of m's 1/128 interval,
  // x^0.2 ≈ c_k^0.2 · (1 + t)^0.2 · 2^(e/5) with the series to t^4 (|t| ≤ 2^-8: relative error
  // below 1e-14, far inside the 1e-12 the correction step takes), and ln x to about 1e-8, which the
  // correction multiplies by 2^-54/5 (an error below 2^-83 relative).
  bits[0] = x;
  const highWord = words[HIGH_WORD] as number;
  const exponent = ((highWord >>> 20) & 0x7ff) - 1023;
  const index = (highWord >>> 13) & 127;
  // m = x·2^-e, and below ulp(result) from the exponent field, through a table: building a double
  // from two 32-bit stores and reading it back stalls store-to-load forwarding.
  const mantissa = x * (POWERS_OF_TWO[1023 - exponent] as number);
  const t0 = mantissa * (FIFTH_CENTRE_INVERSE[index] as number) - 1;
  const fifths = Math.floor(exponent / 5);
  const r =
    (FIFTH_CENTRE_POWER[index] as number) *
    (1 + t0 * (0.2 + t0 * (-0.08 + t0 * (0.048 + t0 * -0.0336)))) *
    (FIFTH_OF_POWER_OF_TWO[exponent - 5 * fifths] as number) *
    (POWER_OF_TWO_BY_FIFTHS[fifths + 20] as number);
  const logarithm = exponent * LN2_HIGH + (FIFTH_CENTRE_LOG[index] as number) + (t0 - 0.5 * t0 * t0);
  // r² exactly (Dekker), r⁴ and r⁵ in double-double (errors below 2^-100 relative).
  let t = SPLITTER * r;
  const rHigh = t - (t - r);
  const rLow = r - rHigh;
  const squareHigh = r * r;
  const squareLow = rLow * rLow - (squareHigh - rHigh * rHigh - rLow * rHigh - rHigh * rLow);
  t = SPLITTER * squareHigh;
  const sHigh = t - (t - squareHigh);
  const sLow = squareHigh - sHigh;
  const fourthHigh = squareHigh * squareHigh;
  const fourthLow =
    sLow * sLow - (fourthHigh - sHigh * sHigh - sLow * sHigh - sHigh * sLow) + 2 * squareHigh * squareLow;
  t = SPLITTER * fourthHigh;
  const qHigh = t - (t - fourthHigh);
  const qLow = fourthHigh - qHigh;
  const fifthHigh = fourthHigh * r;
  const fifthLow = qLow * rLow - (fifthHigh - qHigh * rHigh - qLow * rHigh - qHigh * rLow) + fourthLow * r;
  // x − P: x − fifthHigh is exact (Sterbenz: r is within a few ulps of x^(1/5)).
  const ratio = (x - fifthHigh - fifthLow) / fifthHigh;
  if (!(Math.abs(ratio) < 1e-12)) return correctlyRoundedPow(x, 0.2);
  const correction = ratio / 5 - (2 / 25) * ratio * ratio + ONE_FIFTH_EXCESS * logarithm;
  const increment = r * correction;
  const result = r + increment;
  // result − r is exact (both within a few ulps); the rest is how far r + increment lies from result.
  const remainder = Math.abs(increment - (result - r));
  // ulp(result) from its exponent bits; a power of two (ulps differ on its two sides) defers.
  bits[0] = result;
  const binade = POWERS_OF_TWO[((words[HIGH_WORD] as number) >>> 20) & 0x7ff] as number;
  if (binade === result) return correctlyRoundedPow(x, 0.2);
  if (remainder < binade * TWO_POW_MINUS_52 * 0.5 - result * MIDPOINT_MARGIN) return result;
  return correctlyRoundedPow(x, 0.2);
}

/** Results of `powOneFifthPair`. */
export const fifthPair = new Float64Array(2);

/**
 * `powOneFifth(x0)` and `powOneFifth(x1)` into fifthPair[0] and fifthPair[1], the same doubles: the
 * fast path's two long chains of dependent operations side by side, so the processor overlaps them
 * (one call alone is bound by the latency of its chain). Either argument outside the fast path, or
 * near a rounding midpoint, is computed by `powOneFifth` itself.
 */
export function powOneFifthPair(x0: number, x1: number): void {
  if (!(x0 >= FIFTH_ROOT_LOW && x0 <= FIFTH_ROOT_HIGH && x1 >= FIFTH_ROOT_LOW && x1 <= FIFTH_ROOT_HIGH)) {
    fifthPair[0] = powOneFifth(x0);
    fifthPair[1] = powOneFifth(x1);
    return;
  }
  bits[0] = x0;
  const highWord0 = words[HIGH_WORD] as number;
  bits[0] = x1;
  const highWord1 = words[HIGH_WORD] as number;
  const exponent0 = ((highWord0 >>> 20) & 0x7ff) - 1023;
  const index0 = (highWord0 >>> 13) & 127;
  const mantissa0 = x0 * (POWERS_OF_TWO[1023 - exponent0] as number);
  const series0 = mantissa0 * (FIFTH_CENTRE_INVERSE[index0] as number) - 1;
  const fifths0 = Math.floor(exponent0 / 5);
  const r0 =
    (FIFTH_CENTRE_POWER[index0] as number) *
    (1 + series0 * (0.2 + series0 * (-0.08 + series0 * (0.048 + series0 * -0.0336)))) *
    (FIFTH_OF_POWER_OF_TWO[exponent0 - 5 * fifths0] as number) *
    (POWER_OF_TWO_BY_FIFTHS[fifths0 + 20] as number);
  const logarithm0 = exponent0 * LN2_HIGH + (FIFTH_CENTRE_LOG[index0] as number) + (series0 - 0.5 * series0 * series0);
  let t0 = SPLITTER * r0;
  const rHigh0 = t0 - (t0 - r0);
  const rLow0 = r0 - rHigh0;
  const squareHigh0 = r0 * r0;
  const squareLow0 = rLow0 * rLow0 - (squareHigh0 - rHigh0 * rHigh0 - rLow0 * rHigh0 - rHigh0 * rLow0);
  t0 = SPLITTER * squareHigh0;
  const sHigh0 = t0 - (t0 - squareHigh0);
  const sLow0 = squareHigh0 - sHigh0;
  const fourthHigh0 = squareHigh0 * squareHigh0;
  const fourthLow0 =
    sLow0 * sLow0 - (fourthHigh0 - sHigh0 * sHigh0 - sLow0 * sHigh0 - sHigh0 * sLow0) + 2 * squareHigh0 * squareLow0;
  t0 = SPLITTER * fourthHigh0;
  const qHigh0 = t0 - (t0 - fourthHigh0);
  const qLow0 = fourthHigh0 - qHigh0;
  const fifthHigh0 = fourthHigh0 * r0;
  const fifthLow0 = qLow0 * rLow0 - (fifthHigh0 - qHigh0 * rHigh0 - qLow0 * rHigh0 - qHigh0 * rLow0) + fourthLow0 * r0;
  const ratio0 = (x0 - fifthHigh0 - fifthLow0) / fifthHigh0;
  const correction0 = ratio0 / 5 - (2 / 25) * ratio0 * ratio0 + ONE_FIFTH_EXCESS * logarithm0;
  const increment0 = r0 * correction0;
  const result0 = r0 + increment0;
  const remainder0 = Math.abs(increment0 - (result0 - r0));
  bits[0] = result0;
  const binade0 = POWERS_OF_TWO[((words[HIGH_WORD] as number) >>> 20) & 0x7ff] as number;
  const exponent1 = ((highWord1 >>> 20) & 0x7ff) - 1023;
  const index1 = (highWord1 >>> 13) & 127;
  const mantissa1 = x1 * (POWERS_OF_TWO[1023 - exponent1] as number);
  const series1 = mantissa1 * (FIFTH_CENTRE_INVERSE[index1] as number) - 1;
  const fifths1 = Math.floor(exponent1 / 5);
  const r1 =
    (FIFTH_CENTRE_POWER[index1] as number) *
    (1 + series1 * (0.2 + series1 * (-0.08 + series1 * (0.048 + series1 * -0.0336)))) *
    (FIFTH_OF_POWER_OF_TWO[exponent1 - 5 * fifths1] as number) *
    (POWER_OF_TWO_BY_FIFTHS[fifths1 + 20] as number);
  const logarithm1 = exponent1 * LN2_HIGH + (FIFTH_CENTRE_LOG[index1] as number) + (series1 - 0.5 * series1 * series1);
  let t1 = SPLITTER * r1;
  const rHigh1 = t1 - (t1 - r1);
  const rLow1 = r1 - rHigh1;
  const squareHigh1 = r1 * r1;
  const squareLow1 = rLow1 * rLow1 - (squareHigh1 - rHigh1 * rHigh1 - rLow1 * rHigh1 - rHigh1 * rLow1);
  t1 = SPLITTER * squareHigh1;
  const sHigh1 = t1 - (t1 - squareHigh1);
  const sLow1 = squareHigh1 - sHigh1;
  const fourthHigh1 = squareHigh1 * squareHigh1;
  const fourthLow1 =
    sLow1 * sLow1 - (fourthHigh1 - sHigh1 * sHigh1 - sLow1 * sHigh1 - sHigh1 * sLow1) + 2 * squareHigh1 * squareLow1;
  t1 = SPLITTER * fourthHigh1;
  const qHigh1 = t1 - (t1 - fourthHigh1);
  const qLow1 = fourthHigh1 - qHigh1;
  const fifthHigh1 = fourthHigh1 * r1;
  const fifthLow1 = qLow1 * rLow1 - (fifthHigh1 - qHigh1 * rHigh1 - qLow1 * rHigh1 - qHigh1 * rLow1) + fourthLow1 * r1;
  const ratio1 = (x1 - fifthHigh1 - fifthLow1) / fifthHigh1;
  const correction1 = ratio1 / 5 - (2 / 25) * ratio1 * ratio1 + ONE_FIFTH_EXCESS * logarithm1;
  const increment1 = r1 * correction1;
  const result1 = r1 + increment1;
  const remainder1 = Math.abs(increment1 - (result1 - r1));
  bits[0] = result1;
  const binade1 = POWERS_OF_TWO[((words[HIGH_WORD] as number) >>> 20) & 0x7ff] as number;
  // The same tests as powOneFifth: a small ratio, not a power of two, clear of the midpoint.
  fifthPair[0] =
    Math.abs(ratio0) < 1e-12 &&
    binade0 !== result0 &&
    remainder0 < binade0 * TWO_POW_MINUS_52 * 0.5 - result0 * MIDPOINT_MARGIN
      ? result0
      : powOneFifth(x0);
  fifthPair[1] =
    Math.abs(ratio1) < 1e-12 &&
    binade1 !== result1 &&
    remainder1 < binade1 * TWO_POW_MINUS_52 * 0.5 - result1 * MIDPOINT_MARGIN
      ? result1
      : powOneFifth(x1);
}

// Tables, computed once at load with the double-double routines themselves: the exp table by
// Newton's method on v^64 = 2^j, then the log table by Newton's method on exp.
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
      const nextLow = (product[1] as number) + 2 * powerHigh * powerLow;
      const nextHigh = (product[0] as number) + nextLow;
      powerLow = nextLow - (nextHigh - (product[0] as number));
      powerHigh = nextHigh;
    }
    // v ← v − (v^64 − 2^j)/(64·v^63) = v − v·(v^64 − 2^j)/(64·v^64).
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
  // 1/center rounded to 10 significant bits, so that m·inverse stays within 2^-7 of 1.
  const unit = 2 ** (Math.floor(Math.log2(1 / center)) - 9);
  const inverse = Math.round(1 / center / unit) * unit;
  logInverse[index] = inverse;
  // L = ln(1/inverse) solves inverse·exp(L) = 1; Newton: L ← L − (inverse·exp(L) − 1).
  let high = -Math.log(inverse);
  let low = 0;
  for (let iteration = 0; iteration < 2; iteration++) {
    expDoubleDouble(high, low);
    twoProduct(inverse, expResult[0] as number);
    const u = (product[0] as number) - 1 + ((product[1] as number) + inverse * (expResult[1] as number));
    const nextHigh = high + (low - u);
    low = low - u - (nextHigh - high);
    high = nextHigh;
  }
  logTableHigh[index] = high;
  logTableLow[index] = low;
}
for (let index = 0; index < 128; index++) {
  const centre = 1 + (index + 0.5) / 128;
  FIFTH_CENTRE_INVERSE[index] = 1 / centre;
  FIFTH_CENTRE_POWER[index] = correctlyRoundedPow(centre, 0.2);
  FIFTH_CENTRE_LOG[index] = Math.log(centre);
}
