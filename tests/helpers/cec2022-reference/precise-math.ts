/**
 * @module Test reference (frozen copy of src/numeric/cec2022 before its batched rewrite, with a plain
 * row-by-row matrix product): the straightforward implementation the optimised kernels must equal
 * bit for bit (tests/unit/numeric/cec2022/batched-kernels.test.ts).
 *
 * Original module comment: Correctly rounded powers for the CEC2022 kernels.
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
const LOW_WORD = 1 - HIGH_WORD;

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

/** 2^q for an integer q in [−1022, 1023], built from its bits. */
function powerOfTwo(q: number): number {
  words[HIGH_WORD] = (q + 1023) << 20;
  words[LOW_WORD] = 0;
  return bits[0] as number;
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
  words[HIGH_WORD] = (highWord & 0x000fffff) | 0x3ff00000;
  let m = bits[0] as number;
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
