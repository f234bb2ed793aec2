/**
 * @module Test reference (frozen copy of src/numeric/cec2022 before its batched rewrite, with a plain
 * row-by-row matrix product): the straightforward implementation the optimised kernels must equal
 * bit for bit (tests/unit/numeric/cec2022/batched-kernels.test.ts).
 *
 * Original module comment: The CEC2022 hybrid functions F6 (hf02), F7 (hf10) and F8 (hf06): the point is shifted
 * and rotated, permuted by the shuffle data, cut into groups, and each group is fed to a basic
 * function; the value is the sum in group order. Reproduces the C code's quirk in F7: its last
 * group (Schaffer F7) reads the first entries of the permuted vector, not its own group.
 */
import type { Cec2022Data } from '../../../src/numeric/cec2022/data.js';
import {
  ackley,
  bentCigar,
  griewankRosenbrock,
  happycat,
  hgbat,
  katsuura,
  katsuuraExponent,
  RATE,
  rastrigin,
  scaleSlice,
  schafferF7,
  schwefel,
  shiftScaleRotate,
} from './kernels.js';

/** Evaluates one point stored at x[offset .. offset + D). Not re-entrant (shared scratch). */
export type PointEvaluator = (x: Float64Array, offset: number) => number;

/** Group sizes as C computes them: ceil(fraction·D) for all but the last, which takes the rest. */
export function hybridGroupSizes(fractions: readonly number[], dimension: number): number[] {
  const sizes: number[] = [];
  let used = 0;
  for (let index = 0; index < fractions.length - 1; index++) {
    const size = Math.ceil((fractions[index] as number) * dimension);
    sizes.push(size);
    used += size;
  }
  sizes.push(dimension - used);
  return sizes;
}

/** Shared setup: shifted/rotated/permuted vector in `permuted`, group starts and sizes. */
function hybridBase(data: Cec2022Data, fractions: readonly number[]) {
  const dimension = data.dimension;
  const sizes = hybridGroupSizes(fractions, dimension);
  const starts: number[] = [];
  let start = 0;
  for (const size of sizes) {
    starts.push(start);
    start += size;
  }
  const shuffle = data.shuffle as Int32Array;
  const shifted = new Float64Array(dimension);
  const rotated = new Float64Array(dimension);
  const permuted = new Float64Array(dimension);
  const scratch = new Float64Array(dimension);
  const permute = (x: Float64Array, offset: number): void => {
    shiftScaleRotate(x, offset, data.shift, 0, RATE.one, data.rotation, 0, dimension, shifted, rotated);
    for (let i = 0; i < dimension; i++) permuted[i] = rotated[(shuffle[i] as number) - 1] as number;
  };
  return { sizes, starts, permuted, scratch, permute };
}

/** F6 (hf02): bent cigar, HGBat, Rastrigin on 40 %, 40 %, 20 % of the coordinates. */
export function createHybrid02(data: Cec2022Data): PointEvaluator {
  const { sizes, starts, permuted, scratch, permute } = hybridBase(data, [0.4, 0.4, 0.2]);
  const [n0, n1, n2] = sizes as [number, number, number];
  const [g0, g1, g2] = starts as [number, number, number];
  return (x, offset) => {
    permute(x, offset);
    scaleSlice(permuted, g0, n0, RATE.one, scratch);
    const fit0 = bentCigar(scratch, n0);
    scaleSlice(permuted, g1, n1, RATE.beyer, scratch);
    const fit1 = hgbat(scratch, n1);
    scaleSlice(permuted, g2, n2, RATE.rastrigin, scratch);
    const fit2 = rastrigin(scratch, n2);
    let f = 0.0;
    f += fit0;
    f += fit1;
    f += fit2;
    return f;
  };
}

/**
 * F7 (hf10): HGBat, Katsuura, Ackley, Rastrigin, Schwefel, Schaffer F7 on 10/20/20/20/10/20 %;
 * the Schaffer F7 group reads permuted[0 .. n5) (the C code's global `y`).
 */
export function createHybrid10(data: Cec2022Data): PointEvaluator {
  const { sizes, starts, permuted, scratch, permute } = hybridBase(data, [0.1, 0.2, 0.2, 0.2, 0.1, 0.2]);
  const [n0, n1, n2, n3, n4, n5] = sizes as [number, number, number, number, number, number];
  const [g0, g1, g2, g3, g4] = starts as [number, number, number, number, number];
  const exponent1 = katsuuraExponent(n1);
  return (x, offset) => {
    permute(x, offset);
    scaleSlice(permuted, g0, n0, RATE.beyer, scratch);
    const fit0 = hgbat(scratch, n0);
    scaleSlice(permuted, g1, n1, RATE.beyer, scratch);
    const fit1 = katsuura(scratch, n1, exponent1);
    scaleSlice(permuted, g2, n2, RATE.one, scratch);
    const fit2 = ackley(scratch, n2);
    scaleSlice(permuted, g3, n3, RATE.rastrigin, scratch);
    const fit3 = rastrigin(scratch, n3);
    scaleSlice(permuted, g4, n4, RATE.schwefel, scratch);
    const fit4 = schwefel(scratch, n4);
    const fit5 = schafferF7(permuted, n5);
    let f = 0.0;
    f += fit0;
    f += fit1;
    f += fit2;
    f += fit3;
    f += fit4;
    f += fit5;
    return f;
  };
}

/** F8 (hf06): Katsuura, HappyCat, Griewank-Rosenbrock, Schwefel, Ackley on 30/20/20/10/20 %. */
export function createHybrid06(data: Cec2022Data): PointEvaluator {
  const { sizes, starts, permuted, scratch, permute } = hybridBase(data, [0.3, 0.2, 0.2, 0.1, 0.2]);
  const [n0, n1, n2, n3, n4] = sizes as [number, number, number, number, number];
  const [g0, g1, g2, g3, g4] = starts as [number, number, number, number, number];
  const exponent0 = katsuuraExponent(n0);
  return (x, offset) => {
    permute(x, offset);
    scaleSlice(permuted, g0, n0, RATE.beyer, scratch);
    const fit0 = katsuura(scratch, n0, exponent0);
    scaleSlice(permuted, g1, n1, RATE.beyer, scratch);
    const fit1 = happycat(scratch, n1);
    scaleSlice(permuted, g2, n2, RATE.beyer, scratch);
    const fit2 = griewankRosenbrock(scratch, n2);
    scaleSlice(permuted, g3, n3, RATE.schwefel, scratch);
    const fit3 = schwefel(scratch, n3);
    scaleSlice(permuted, g4, n4, RATE.one, scratch);
    const fit4 = ackley(scratch, n4);
    let f = 0.0;
    f += fit0;
    f += fit1;
    f += fit2;
    f += fit3;
    f += fit4;
    return f;
  };
}
