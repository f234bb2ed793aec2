/**
 * @module The CEC2022 composition functions F9 (cf01), F10 (cf02), F11 (cf06) and F12 (cf07):
 * a weighted mix of shifted (and mostly rotated) basic functions, each with its own optimum,
 * scale, bias and width σ. Weights as in C's `cf_cal`: w_i = 1/√d_i · exp(−d_i / (2·D·σ_i²)) with
 * d_i = ‖x − o_i‖², and w_i = 1e99 when x is exactly o_i.
 */
import type { Cec2022Data } from './data.js';
import { BLOCK_MIN_DIMENSION, type Cec2022Evaluator, type PointBatchEvaluator, type PointEvaluator } from './hybrid.js';
import {
  BLOCK_POINTS,
  bentCigar,
  blockViews,
  discus,
  ellipsoid,
  ellipsoidWeights,
  expandedSchafferF6,
  expandedSchafferF6Arguments,
  expandedSchafferF6FromSines,
  griewank,
  griewankArguments,
  griewankFromCosines,
  hgbat,
  RATE,
  rastrigin,
  rastriginArguments,
  rastriginFromCosines,
  rosenbrock,
  schwefel,
  schwefelArguments,
  schwefelFromSines,
  shiftScale,
  shiftScaleRotate,
  shiftScaleRotateBlock,
} from './kernels.js';
import { createShiftRotateTransformer, WASM_CHUNK_POINTS } from './wasm/shift-rotate.js';

/** The C code's weight for a point that is exactly a component's optimum. */
const INF = 1.0e99;

/** One component: which kernel, its shrink rate, rotated or not, and fit = numerator·f/denominator. */
interface Component {
  kernel:
    | 'rosenbrock'
    | 'ellipsoid'
    | 'bentCigar'
    | 'discus'
    | 'schwefel'
    | 'rastrigin'
    | 'hgbat'
    | 'schafferF6'
    | 'griewank';
  rotated: boolean;
  /** Scaling `numerator * fit / denominator` as written in C; null for none. */
  scale: readonly [number, number] | null;
}

interface CompositionDefinition {
  components: readonly Component[];
  delta: readonly number[];
  bias: readonly number[];
}

const RATES: Record<Component['kernel'], number> = {
  rosenbrock: RATE.rosenbrock,
  ellipsoid: RATE.one,
  bentCigar: RATE.one,
  discus: RATE.one,
  schwefel: RATE.schwefel,
  rastrigin: RATE.rastrigin,
  hgbat: RATE.beyer,
  schafferF6: RATE.one,
  griewank: RATE.griewank,
};

/** The four definitions, component by component as in `cf01`, `cf02`, `cf06` and `cf07`. */
export const COMPOSITIONS: Readonly<Record<number, CompositionDefinition>> = {
  9: {
    components: [
      { kernel: 'rosenbrock', rotated: true, scale: [10000, 1e4] },
      { kernel: 'ellipsoid', rotated: true, scale: [10000, 1e10] },
      { kernel: 'bentCigar', rotated: true, scale: [10000, 1e30] },
      { kernel: 'discus', rotated: true, scale: [10000, 1e10] },
      { kernel: 'ellipsoid', rotated: false, scale: [10000, 1e10] },
    ],
    delta: [10, 20, 30, 40, 50],
    bias: [0, 200, 300, 100, 400],
  },
  10: {
    components: [
      { kernel: 'schwefel', rotated: false, scale: null },
      { kernel: 'rastrigin', rotated: true, scale: null },
      { kernel: 'hgbat', rotated: true, scale: null },
    ],
    delta: [20, 10, 10],
    bias: [0, 200, 100],
  },
  11: {
    components: [
      { kernel: 'schafferF6', rotated: true, scale: [10000, 2e7] },
      { kernel: 'schwefel', rotated: true, scale: null },
      { kernel: 'griewank', rotated: true, scale: [1000, 100] },
      { kernel: 'rosenbrock', rotated: true, scale: null },
      { kernel: 'rastrigin', rotated: true, scale: [10000, 1e3] },
    ],
    delta: [20, 20, 30, 30, 20],
    bias: [0, 200, 300, 400, 200],
  },
  12: {
    components: [
      { kernel: 'hgbat', rotated: true, scale: [10000, 1000] },
      { kernel: 'rastrigin', rotated: true, scale: [10000, 1e3] },
      { kernel: 'schwefel', rotated: true, scale: [10000, 4e3] },
      { kernel: 'bentCigar', rotated: true, scale: [10000, 1e30] },
      { kernel: 'ellipsoid', rotated: true, scale: [10000, 1e10] },
      { kernel: 'schafferF6', rotated: true, scale: [10000, 2e7] },
    ],
    delta: [10, 20, 30, 40, 50, 60],
    bias: [0, 300, 500, 100, 400, 200],
  },
};

/** Builds the evaluators of composition function `data.fn` (9..12). */
export function createComposition(data: Cec2022Data): Cec2022Evaluator {
  const definition = COMPOSITIONS[data.fn];
  if (definition === undefined) throw new RangeError(`F${data.fn} is not a composition function`);
  const dimension = data.dimension;
  const count = definition.components.length;
  const weightsOfEllipsoid = ellipsoidWeights(dimension);
  const rates = Float64Array.from(definition.components, (component) => RATES[component.kernel]);
  const rotated = definition.components.map((component) => component.rotated);
  const delta = Float64Array.from(definition.delta);
  const bias = Float64Array.from(definition.bias);
  const block = dimension * dimension;
  const y = new Float64Array(BLOCK_POINTS * dimension);
  const z = new Float64Array(BLOCK_POINTS * dimension);
  const views = blockViews(z, dimension);
  const single = new Float64Array(dimension);
  /** Component values, `count` per point of a block. */
  const fit = new Float64Array(BLOCK_POINTS * count);
  const weight = new Float64Array(count);
  const { shift, rotation } = data;

  const kernels = definition.components.map((component) => component.kernel);
  const numerators = Float64Array.from(definition.components, (component) => component.scale?.[0] ?? Number.NaN);
  const denominators = Float64Array.from(definition.components, (component) => component.scale?.[1] ?? Number.NaN);
  const scaled = definition.components.map((component) => component.scale !== null);
  /** A component's raw value scaled as written in C: numerator·f/denominator (or as is). */
  const scaleValue = (i: number, value: number): number =>
    scaled[i] ? ((numerators[i] as number) * value) / (denominators[i] as number) : value;
  /** Component i's value on its transformed point, scaled as written in C: numerator·f/denominator. */
  const componentValue = (i: number, values: Float64Array): number => {
    let value: number;
    switch (kernels[i] as Component['kernel']) {
      case 'rosenbrock':
        value = rosenbrock(values, dimension);
        break;
      case 'ellipsoid':
        value = ellipsoid(values, dimension, weightsOfEllipsoid);
        break;
      case 'bentCigar':
        value = bentCigar(values, dimension);
        break;
      case 'discus':
        value = discus(values, dimension);
        break;
      case 'schwefel':
        value = schwefel(values, dimension);
        break;
      case 'rastrigin':
        value = rastrigin(values, dimension);
        break;
      case 'hgbat':
        value = hgbat(values, dimension);
        break;
      case 'schafferF6':
        value = expandedSchafferF6(values, dimension);
        break;
      case 'griewank':
        value = griewank(values, dimension);
        break;
    }
    return scaleValue(i, value);
  };

  /** cf_cal for the point at x[offset ..] with component values fit[fitOffset .. + count). */
  const combine = (x: Float64Array, offset: number, fitOffset: number): number => {
    let weightMax = 0;
    let weightSum = 0;
    for (let i = 0; i < count; i++) {
      fit[fitOffset + i] = (fit[fitOffset + i] as number) + (bias[i] as number);
      let distance = 0;
      const base = i * dimension;
      for (let j = 0; j < dimension; j++) {
        const difference = (x[offset + j] as number) - (shift[base + j] as number);
        distance += difference * difference;
      }
      let w: number;
      if (distance !== 0) {
        const width = delta[i] as number;
        w = Math.sqrt(1.0 / distance) * Math.exp(-distance / 2.0 / dimension / (width * width));
      } else {
        w = INF;
      }
      weight[i] = w;
      if (w > weightMax) weightMax = w;
    }
    for (let i = 0; i < count; i++) weightSum = weightSum + (weight[i] as number);
    if (weightMax === 0) {
      for (let i = 0; i < count; i++) weight[i] = 1;
      weightSum = count;
    }
    let f = 0.0;
    for (let i = 0; i < count; i++) f = f + ((weight[i] as number) / weightSum) * (fit[fitOffset + i] as number);
    return f;
  };

  const point: PointEvaluator = (x, offset) => {
    for (let i = 0; i < count; i++) {
      if (rotated[i]) {
        shiftScaleRotate(
          x,
          offset,
          shift,
          i * dimension,
          rates[i] as number,
          rotation,
          i * block,
          dimension,
          y,
          single,
        );
      } else {
        shiftScale(x, offset, shift, i * dimension, rates[i] as number, dimension, single);
      }
      fit[i] = componentValue(i, single);
    }
    // cf_cal, written out here as well: the single-point path (all of D = 10) runs faster without the call.
    let weightMax = 0;
    let weightSum = 0;
    for (let i = 0; i < count; i++) {
      fit[i] = (fit[i] as number) + (bias[i] as number);
      let distance = 0;
      const base = i * dimension;
      for (let j = 0; j < dimension; j++) {
        const difference = (x[offset + j] as number) - (shift[base + j] as number);
        distance += difference * difference;
      }
      let w: number;
      if (distance !== 0) {
        const width = delta[i] as number;
        w = Math.sqrt(1.0 / distance) * Math.exp(-distance / 2.0 / dimension / (width * width));
      } else {
        w = INF;
      }
      weight[i] = w;
      if (w > weightMax) weightMax = w;
    }
    for (let i = 0; i < count; i++) weightSum = weightSum + (weight[i] as number);
    if (weightMax === 0) {
      for (let i = 0; i < count; i++) weight[i] = 1;
      weightSum = count;
    }
    let f = 0.0;
    for (let i = 0; i < count; i++) f = f + ((weight[i] as number) / weightSum) * (fit[i] as number);
    return f;
  };

  if (dimension % 2 === 0) {
    // Rotated components through the WebAssembly step, a chunk of points at a time; unrotated
    // ones shifted and scaled here into the same output views.
    const transformer = createShiftRotateTransformer(dimension, count, rotation, shift);
    const { input, views: componentViews, trigArguments, trigResults } = transformer;
    // Component values of a chunk's points (count per point); the trigonometric kernels run in two
    // phases around one WebAssembly sin / cos pass over the chunk (the same doubles as Math's).
    const fits = new Float64Array(WASM_CHUNK_POINTS * count);
    const batch: PointBatchEvaluator = (x, pointCount, out, outputBias) => {
      for (let p = 0; p < pointCount; p += WASM_CHUNK_POINTS) {
        const size = Math.min(WASM_CHUNK_POINTS, pointCount - p);
        input.set(x.subarray(p * dimension, (p + size) * dimension));
        for (let i = 0; i < count; i++) {
          const rate = rates[i] as number;
          if (rotated[i]) {
            transformer.transform(i, size, rate);
          } else {
            const viewsOfComponent = componentViews[i] as readonly Float64Array[];
            for (let q = 0; q < size; q++) {
              shiftScale(
                input,
                q * dimension,
                shift,
                i * dimension,
                rate,
                dimension,
                viewsOfComponent[q] as Float64Array,
              );
            }
          }
        }
        for (let i = 0; i < count; i++) {
          const output = transformer.outputs[i] as Float64Array;
          const values = size * dimension;
          switch (kernels[i] as Component['kernel']) {
            case 'rastrigin':
              for (let q = 0; q < size; q++)
                rastriginArguments(output, q * dimension, dimension, trigArguments, q * dimension);
              transformer.cos(values);
              for (let q = 0; q < size; q++) {
                const value = rastriginFromCosines(output, q * dimension, dimension, trigResults, q * dimension);
                fits[q * count + i] = scaleValue(i, value);
              }
              break;
            case 'griewank':
              for (let q = 0; q < size; q++)
                griewankArguments(output, q * dimension, dimension, trigArguments, q * dimension);
              transformer.cos(values);
              for (let q = 0; q < size; q++) {
                const value = griewankFromCosines(output, q * dimension, dimension, trigResults, q * dimension);
                fits[q * count + i] = scaleValue(i, value);
              }
              break;
            case 'schwefel':
              for (let q = 0; q < size; q++)
                schwefelArguments(output, q * dimension, dimension, trigArguments, q * dimension);
              transformer.sin(values);
              for (let q = 0; q < size; q++) {
                const value = schwefelFromSines(output, q * dimension, dimension, trigResults, q * dimension);
                fits[q * count + i] = scaleValue(i, value);
              }
              break;
            case 'schafferF6':
              for (let q = 0; q < size; q++) {
                expandedSchafferF6Arguments(output, q * dimension, dimension, trigArguments, q * dimension);
              }
              transformer.sin(values);
              for (let q = 0; q < size; q++) {
                const value = expandedSchafferF6FromSines(output, q * dimension, dimension, trigResults, q * dimension);
                fits[q * count + i] = scaleValue(i, value);
              }
              break;
            default:
              for (let q = 0; q < size; q++) {
                fits[q * count + i] = componentValue(
                  i,
                  (componentViews[i] as readonly Float64Array[])[q] as Float64Array,
                );
              }
          }
        }
        for (let q = 0; q < size; q++) {
          for (let i = 0; i < count; i++) fit[i] = fits[q * count + i] as number;
          out[p + q] = combine(input, q * dimension, 0) + outputBias;
        }
      }
    };
    return { point, batch };
  }
  const blocks = dimension >= BLOCK_MIN_DIMENSION;
  const batch: PointBatchEvaluator = (x, pointCount, out, outputBias) => {
    let p = 0;
    for (; blocks && p + BLOCK_POINTS <= pointCount; p += BLOCK_POINTS) {
      const offset = p * dimension;
      for (let i = 0; i < count; i++) {
        const rate = rates[i] as number;
        if (rotated[i]) {
          shiftScaleRotateBlock(x, offset, shift, i * dimension, rate, rotation, i * block, dimension, y, z);
        } else {
          for (let q = 0; q < BLOCK_POINTS; q++) {
            shiftScale(x, offset + q * dimension, shift, i * dimension, rate, dimension, views[q] as Float64Array);
          }
        }
        for (let q = 0; q < BLOCK_POINTS; q++) fit[q * count + i] = componentValue(i, views[q] as Float64Array);
      }
      for (let q = 0; q < BLOCK_POINTS; q++) {
        out[p + q] = combine(x, offset + q * dimension, q * count) + outputBias;
      }
    }
    for (; p < pointCount; p++) out[p] = point(x, p * dimension) + outputBias;
  };
  return { point, batch };
}
