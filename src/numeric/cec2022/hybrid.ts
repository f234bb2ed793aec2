/**
 * @module The CEC2022 hybrid functions F6 (hf02), F7 (hf10) and F8 (hf06): the point is shifted
 * and rotated, permuted by the shuffle data, cut into groups, and each group is fed to a basic
 * function; the value is the sum in group order. Reproduces the C code's quirk in F7: its last
 * group (Schaffer F7) reads the first entries of the permuted vector, not its own group.
 */
import type { Cec2022Data } from './data.js';
import {
  ackley,
  ackleyFromCosines,
  BLOCK_POINTS,
  bentCigar,
  blockViews,
  griewankRosenbrock,
  griewankRosenbrockArguments,
  griewankRosenbrockFromCosines,
  happycat,
  happycatBase,
  happycatFromPower,
  hgbat,
  katsuura,
  katsuuraBases,
  katsuuraExponent,
  katsuuraFromPowers,
  RATE,
  rastrigin,
  rastriginArguments,
  rastriginFromCosines,
  scaleSlice,
  schafferF7,
  schafferF7FromSines,
  schwefel,
  schwefelArguments,
  schwefelFromSines,
  shiftScaleRotate,
  shiftScaleRotateBlock,
} from './kernels.js';
import { createShiftRotateTransformer, type ShiftRotateTransformer, WASM_CHUNK_POINTS } from './wasm/shift-rotate.js';

/** Evaluates one point stored at x[offset .. offset + D). Not re-entrant (shared scratch). */
export type PointEvaluator = (x: Float64Array, offset: number) => number;

/**
 * out[p] = f(point p) + bias for p < count, the points row-major in x (count·D values). Equal bit
 * for bit to the point evaluator on each point. Not re-entrant (shared scratch).
 */
export type PointBatchEvaluator = (x: Float64Array, count: number, out: Float64Array, bias: number) => void;

/** A CEC2022 function's evaluators: one point, and a batch (four points per pass where it pays). */
export interface Cec2022Evaluator {
  point: PointEvaluator;
  batch: PointBatchEvaluator;
}

/**
 * The smallest dimension batched by blocks of four points: measured (benchmarks/perf) faster at
 * D = 20 (1.2–1.4×), but not at D = 10, where the row sums are short and the per-point work after
 * the rotation dominates.
 */
export const BLOCK_MIN_DIMENSION = 16;

/**
 * A batch evaluator from a block step: `transform(x, offset)` prepares points offset/D .. +3 into
 * `views` (one per point), `finish(view)` computes a point's value from its view; the last
 * count mod 4 points go through `point`.
 */
export function blockBatch(
  dimension: number,
  transform: (x: Float64Array, offset: number) => void,
  views: readonly Float64Array[],
  finish: (view: Float64Array) => number,
  point: PointEvaluator,
): PointBatchEvaluator {
  const [view0, view1, view2, view3] = views as [Float64Array, Float64Array, Float64Array, Float64Array];
  if (dimension < BLOCK_MIN_DIMENSION) {
    return (x, count, out, bias) => {
      for (let p = 0; p < count; p++) out[p] = point(x, p * dimension) + bias;
    };
  }
  return (x, count, out, bias) => {
    let p = 0;
    for (; p + BLOCK_POINTS <= count; p += BLOCK_POINTS) {
      transform(x, p * dimension);
      out[p] = finish(view0) + bias;
      out[p + 1] = finish(view1) + bias;
      out[p + 2] = finish(view2) + bias;
      out[p + 3] = finish(view3) + bias;
    }
    for (; p < count; p++) out[p] = point(x, p * dimension) + bias;
  };
}

/**
 * A batch evaluator on the WebAssembly shift-rotate step: points go to `transformer` a chunk at a
 * time (component 0, shrink `rate`), then `finish(view)` computes each point's value from its z.
 * The same bits as the point evaluator (the transform is; `finish` is the same code).
 */
export function chunkedBatch(
  dimension: number,
  transformer: ShiftRotateTransformer,
  rate: number,
  finish: (view: Float64Array) => number,
): PointBatchEvaluator {
  const views = transformer.views[0] as readonly Float64Array[];
  const input = transformer.input;
  return (x, count, out, bias) => {
    for (let p = 0; p < count; p += WASM_CHUNK_POINTS) {
      const size = Math.min(WASM_CHUNK_POINTS, count - p);
      input.set(x.subarray(p * dimension, (p + size) * dimension));
      transformer.transform(0, size, rate);
      for (let q = 0; q < size; q++) out[p + q] = finish(views[q] as Float64Array) + bias;
    }
  };
}

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

/**
 * Shared setup and the evaluators around `groups(permuted)`, which computes the value from the
 * shifted, rotated and permuted vector. Permuting z = M·y by the shuffle is the product with M's
 * rows permuted (each entry the same row sum, so the same bits): one matrix product per point.
 */
function hybrid(
  data: Cec2022Data,
  fractions: readonly number[],
  groups: (sizes: number[], starts: number[], scratch: Float64Array) => (permuted: Float64Array) => number,
  /** A batch of its own on the WebAssembly transformer (same values as `groups`), when given. */
  chunked?: (transformer: ShiftRotateTransformer, sizes: number[], starts: number[]) => PointBatchEvaluator,
): Cec2022Evaluator {
  const dimension = data.dimension;
  const sizes = hybridGroupSizes(fractions, dimension);
  const starts: number[] = [];
  let start = 0;
  for (const size of sizes) {
    starts.push(start);
    start += size;
  }
  const shuffle = data.shuffle as Int32Array;
  const permutedRotation = new Float64Array(dimension * dimension);
  for (let i = 0; i < dimension; i++) {
    const source = ((shuffle[i] as number) - 1) * dimension;
    for (let j = 0; j < dimension; j++) permutedRotation[i * dimension + j] = data.rotation[source + j] as number;
  }
  const shifted = new Float64Array(BLOCK_POINTS * dimension);
  const permuted = new Float64Array(BLOCK_POINTS * dimension);
  const finish = groups(sizes, starts, new Float64Array(dimension));
  const single = new Float64Array(dimension);
  const point: PointEvaluator = (x, offset) => {
    shiftScaleRotate(x, offset, data.shift, 0, RATE.one, permutedRotation, 0, dimension, shifted, single);
    return finish(single);
  };
  if (dimension % 2 === 0) {
    const transformer = createShiftRotateTransformer(dimension, 1, permutedRotation, data.shift);
    if (chunked !== undefined) return { point, batch: chunked(transformer, sizes, starts) };
    return { point, batch: chunkedBatch(dimension, transformer, RATE.one, finish) };
  }
  const transform = (x: Float64Array, offset: number): void =>
    shiftScaleRotateBlock(x, offset, data.shift, 0, RATE.one, permutedRotation, 0, dimension, shifted, permuted);
  return { point, batch: blockBatch(dimension, transform, blockViews(permuted, dimension), finish, point) };
}

/**
 * F6's batch: per chunk, the Rastrigin group's cosines together in WebAssembly (the same doubles
 * as Math.cos), then each point's three groups as `createHybrid02`'s finish computes them.
 */
function hybrid02Chunked(
  dimension: number,
  transformer: ShiftRotateTransformer,
  sizes: number[],
  starts: number[],
): PointBatchEvaluator {
  const [n0, n1, n2] = sizes as [number, number, number];
  const [g0, g1, g2] = starts as [number, number, number];
  const output = transformer.outputs[0] as Float64Array;
  const { input, trigArguments, trigResults } = transformer;
  const scratch = new Float64Array(dimension);
  const twoPi = 2.0 * Math.PI;
  return (x, count, out, bias) => {
    for (let p = 0; p < count; p += WASM_CHUNK_POINTS) {
      const size = Math.min(WASM_CHUNK_POINTS, count - p);
      input.set(x.subarray(p * dimension, (p + size) * dimension));
      transformer.transform(0, size, RATE.one);
      for (let q = 0; q < size; q++) {
        const base = q * dimension + g2;
        for (let i = 0; i < n2; i++)
          trigArguments[q * n2 + i] = twoPi * ((output[base + i] as number) * RATE.rastrigin);
      }
      transformer.cos(size * n2);
      for (let q = 0; q < size; q++) {
        const view = q * dimension;
        scaleSlice(output, view + g0, n0, RATE.one, scratch);
        const fit0 = bentCigar(scratch, n0);
        scaleSlice(output, view + g1, n1, RATE.beyer, scratch);
        const fit1 = hgbat(scratch, n1);
        let fit2 = 0.0;
        for (let i = 0; i < n2; i++) {
          const zi = (output[view + g2 + i] as number) * RATE.rastrigin;
          fit2 += zi * zi - 10.0 * (trigResults[q * n2 + i] as number) + 10.0;
        }
        let f = 0.0;
        f += fit0;
        f += fit1;
        f += fit2;
        out[p + q] = f + bias;
      }
    }
  };
}

/**
 * values[k] = correctlyRoundedPow(values[k], y) for k < count, in WebAssembly (`powers`: the same
 * doubles), through the transformer's buffers.
 */
function powersOfChunk(transformer: ShiftRotateTransformer, values: Float64Array, count: number, y: number): void {
  transformer.trigArguments.set(values.subarray(0, count));
  transformer.powers(count, y);
  values.set(transformer.trigResults.subarray(0, count));
}

/**
 * A hybrid batch whose trigonometric groups run in two phases around one WebAssembly cos pass and
 * one sin pass per chunk (the same doubles as Math.cos / Math.sin). `cosines(view, into, at)` and
 * `sines(view, into, at)` write a point's arguments (`cosineCount` and `sineCount` of them) from its
 * permuted vector output[view .. view + D); `value(view, cosines, cosineAt, sines, sineAt)` computes
 * the point's value from their results, every other operation as the point evaluator does.
 */
function twoPhaseHybridBatch(
  dimension: number,
  transformer: ShiftRotateTransformer,
  cosineCount: number,
  sineCount: number,
  cosines: (view: number, into: Float64Array, at: number) => void,
  sines: (view: number, into: Float64Array, at: number) => void,
  value: (view: number, cosines: Float64Array, cosineAt: number, sines: Float64Array, sineAt: number) => number,
  /** Called once per chunk after the transform, with its point count (for per-chunk passes). */
  prepare?: (size: number) => void,
): PointBatchEvaluator {
  const { input, trigArguments, trigResults } = transformer;
  const savedCosines = new Float64Array(WASM_CHUNK_POINTS * cosineCount);
  return (x, count, out, bias) => {
    for (let p = 0; p < count; p += WASM_CHUNK_POINTS) {
      const size = Math.min(WASM_CHUNK_POINTS, count - p);
      input.set(x.subarray(p * dimension, (p + size) * dimension));
      transformer.transform(0, size, RATE.one);
      prepare?.(size);
      for (let q = 0; q < size; q++) cosines(q * dimension, trigArguments, q * cosineCount);
      transformer.cos(size * cosineCount);
      savedCosines.set(trigResults.subarray(0, size * cosineCount));
      for (let q = 0; q < size; q++) sines(q * dimension, trigArguments, q * sineCount);
      transformer.sin(size * sineCount);
      for (let q = 0; q < size; q++) {
        out[p + q] = value(q * dimension, savedCosines, q * cosineCount, trigResults, q * sineCount) + bias;
      }
    }
  };
}

/** F6 (hf02): bent cigar, HGBat, Rastrigin on 40 %, 40 %, 20 % of the coordinates. */
export function createHybrid02(data: Cec2022Data): Cec2022Evaluator {
  const chunked = (transformer: ShiftRotateTransformer, sizes: number[], starts: number[]): PointBatchEvaluator =>
    hybrid02Chunked(data.dimension, transformer, sizes, starts);
  return hybrid(
    data,
    [0.4, 0.4, 0.2],
    (sizes, starts, scratch) => {
      const [n0, n1, n2] = sizes as [number, number, number];
      const [g0, g1, g2] = starts as [number, number, number];
      return (permuted) => {
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
    },
    chunked,
  );
}

/**
 * F7 (hf10): HGBat, Katsuura, Ackley, Rastrigin, Schwefel, Schaffer F7 on 10/20/20/20/10/20 %;
 * the Schaffer F7 group reads permuted[0 .. n5) (the C code's global `y`).
 */
export function createHybrid10(data: Cec2022Data): Cec2022Evaluator {
  const exponent1 = katsuuraExponent(hybridGroupSizes([0.1, 0.2, 0.2, 0.2, 0.1, 0.2], data.dimension)[1] as number);
  const dimension = data.dimension;
  // Two phases: cosines of Ackley (group 2) and Rastrigin (group 3); sines of Schwefel (group 4) and
  // Schaffer F7 (the head of the permuted vector).
  const chunked = (transformer: ShiftRotateTransformer, sizes: number[], starts: number[]): PointBatchEvaluator => {
    const [n0, n1, n2, n3, n4, n5] = sizes as [number, number, number, number, number, number];
    const [g0, g1, g2, g3, g4] = starts as [number, number, number, number, number];
    const output = transformer.outputs[0] as Float64Array;
    const scratch = new Float64Array(dimension);
    const schafferArguments = new Float64Array(WASM_CHUNK_POINTS * Math.max(n5 - 1, 0));
    const katsuuraPowers = new Float64Array(WASM_CHUNK_POINTS * n1);
    return twoPhaseHybridBatch(
      dimension,
      transformer,
      n2 + n3,
      n4 + n5 - 1,
      (view, into, at) => {
        scaleSlice(output, view + g2, n2, RATE.one, scratch);
        rastriginArguments(scratch, 0, n2, into, at);
        scaleSlice(output, view + g3, n3, RATE.rastrigin, scratch);
        rastriginArguments(scratch, 0, n3, into, at + n2);
      },
      (view, into, at) => {
        scaleSlice(output, view + g4, n4, RATE.schwefel, scratch);
        schwefelArguments(scratch, 0, n4, into, at);
        const q = view / dimension;
        for (let i = 0; i < n5 - 1; i++) into[at + n4 + i] = schafferArguments[q * (n5 - 1) + i] as number;
      },
      (view, cosines, cosineAt, sines, sineAt) => {
        scaleSlice(output, view + g0, n0, RATE.beyer, scratch);
        const fit0 = hgbat(scratch, n0);
        const fit1 = katsuuraFromPowers(n1, katsuuraPowers, (view / dimension) * n1);
        scaleSlice(output, view + g2, n2, RATE.one, scratch);
        const fit2 = ackleyFromCosines(scratch, 0, n2, cosines, cosineAt);
        scaleSlice(output, view + g3, n3, RATE.rastrigin, scratch);
        const fit3 = rastriginFromCosines(scratch, 0, n3, cosines, cosineAt + n2);
        scaleSlice(output, view + g4, n4, RATE.schwefel, scratch);
        const fit4 = schwefelFromSines(scratch, 0, n4, sines, sineAt);
        const fit5 = schafferF7FromSines(output, view, n5, sines, sineAt + n4);
        let f = 0.0;
        f += fit0;
        f += fit1;
        f += fit2;
        f += fit3;
        f += fit4;
        f += fit5;
        return f;
      },
      (size) => {
        // The chunk's Katsuura powers in WebAssembly (same doubles).
        for (let q = 0; q < size; q++) {
          scaleSlice(output, q * dimension + g1, n1, RATE.beyer, scratch);
          katsuuraBases(scratch, 0, n1, katsuuraPowers, q * n1);
        }
        powersOfChunk(transformer, katsuuraPowers, size * n1, exponent1);
        // The chunk's Schaffer F7 arguments 50·z^0.2, the fifth roots in WebAssembly (same doubles).
        const terms = n5 - 1;
        for (let q = 0; q < size; q++) {
          const view = q * dimension;
          for (let i = 0; i < terms; i++) {
            const a = output[view + i] as number;
            const b = output[view + i + 1] as number;
            schafferArguments[q * terms + i] = Math.sqrt(a * a + b * b);
          }
        }
        const total = size * terms;
        transformer.trigArguments.set(schafferArguments.subarray(0, total));
        transformer.fifthRoots(total);
        for (let k = 0; k < total; k++) schafferArguments[k] = 50.0 * (transformer.trigResults[k] as number);
      },
    );
  };
  return hybrid(
    data,
    [0.1, 0.2, 0.2, 0.2, 0.1, 0.2],
    (sizes, starts, scratch) => {
      const [n0, n1, n2, n3, n4, n5] = sizes as [number, number, number, number, number, number];
      const [g0, g1, g2, g3, g4] = starts as [number, number, number, number, number];
      return (permuted) => {
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
    },
    chunked,
  );
}

/** F8 (hf06): Katsuura, HappyCat, Griewank-Rosenbrock, Schwefel, Ackley on 30/20/20/10/20 %. */
export function createHybrid06(data: Cec2022Data): Cec2022Evaluator {
  const exponent0 = katsuuraExponent(hybridGroupSizes([0.3, 0.2, 0.2, 0.1, 0.2], data.dimension)[0] as number);
  const dimension = data.dimension;
  // Two phases: cosines of Griewank-Rosenbrock (group 2) and Ackley (group 4); sines of Schwefel (group 3).
  const chunked = (transformer: ShiftRotateTransformer, sizes: number[], starts: number[]): PointBatchEvaluator => {
    const [n0, n1, n2, n3, n4] = sizes as [number, number, number, number, number];
    const [g0, g1, g2, g3, g4] = starts as [number, number, number, number, number];
    const output = transformer.outputs[0] as Float64Array;
    const scratch = new Float64Array(dimension);
    const katsuuraPowers = new Float64Array(WASM_CHUNK_POINTS * n0);
    const happycatPowers = new Float64Array(WASM_CHUNK_POINTS);
    return twoPhaseHybridBatch(
      dimension,
      transformer,
      n2 + n4,
      n3,
      (view, into, at) => {
        scaleSlice(output, view + g2, n2, RATE.beyer, scratch);
        griewankRosenbrockArguments(scratch, 0, n2, into, at);
        scaleSlice(output, view + g4, n4, RATE.one, scratch);
        rastriginArguments(scratch, 0, n4, into, at + n2);
      },
      (view, into, at) => {
        scaleSlice(output, view + g3, n3, RATE.schwefel, scratch);
        schwefelArguments(scratch, 0, n3, into, at);
      },
      (view, cosines, cosineAt, sines, sineAt) => {
        const q = view / dimension;
        const fit0 = katsuuraFromPowers(n0, katsuuraPowers, q * n0);
        scaleSlice(output, view + g1, n1, RATE.beyer, scratch);
        const fit1 = happycatFromPower(scratch, 0, n1, happycatPowers[q] as number);
        scaleSlice(output, view + g2, n2, RATE.beyer, scratch);
        const fit2 = griewankRosenbrockFromCosines(scratch, 0, n2, cosines, cosineAt);
        scaleSlice(output, view + g3, n3, RATE.schwefel, scratch);
        const fit3 = schwefelFromSines(scratch, 0, n3, sines, sineAt);
        scaleSlice(output, view + g4, n4, RATE.one, scratch);
        const fit4 = ackleyFromCosines(scratch, 0, n4, cosines, cosineAt + n2);
        let f = 0.0;
        f += fit0;
        f += fit1;
        f += fit2;
        f += fit3;
        f += fit4;
        return f;
      },
      (size) => {
        // The chunk's Katsuura and HappyCat powers, in WebAssembly over the whole chunk.
        for (let q = 0; q < size; q++) {
          scaleSlice(output, q * dimension + g0, n0, RATE.beyer, scratch);
          katsuuraBases(scratch, 0, n0, katsuuraPowers, q * n0);
          scaleSlice(output, q * dimension + g1, n1, RATE.beyer, scratch);
          happycatPowers[q] = happycatBase(scratch, 0, n1);
        }
        powersOfChunk(transformer, katsuuraPowers, size * n0, exponent0);
        powersOfChunk(transformer, happycatPowers, size, 0.25);
      },
    );
  };
  return hybrid(
    data,
    [0.3, 0.2, 0.2, 0.1, 0.2],
    (sizes, starts, scratch) => {
      const [n0, n1, n2, n3, n4] = sizes as [number, number, number, number, number];
      const [g0, g1, g2, g3, g4] = starts as [number, number, number, number, number];
      return (permuted) => {
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
    },
    chunked,
  );
}
