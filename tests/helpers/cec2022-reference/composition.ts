/**
 * @module Test reference (frozen copy of src/numeric/cec2022 before its batched rewrite, with a plain
 * row-by-row matrix product): the straightforward implementation the optimised kernels must equal
 * bit for bit (tests/unit/numeric/cec2022/batched-kernels.test.ts).
 *
 * Original module comment: The CEC2022 composition functions F9 (cf01), F10 (cf02), F11 (cf06) and F12 (cf07):
 * a weighted mix of shifted (and mostly rotated) basic functions, each with its own optimum,
 * scale, bias and width σ. Weights as in C's `cf_cal`: w_i = 1/√d_i · exp(−d_i / (2·D·σ_i²)) with
 * d_i = ‖x − o_i‖², and w_i = 1e99 when x is exactly o_i.
 */
import type { Cec2022Data } from '../../../src/numeric/cec2022/data.js';
import type { PointEvaluator } from './hybrid.js';
import {
  bentCigar,
  discus,
  ellipsoid,
  ellipsoidWeights,
  expandedSchafferF6,
  griewank,
  hgbat,
  RATE,
  rastrigin,
  rosenbrock,
  schwefel,
  shiftScale,
  shiftScaleRotate,
} from './kernels.js';

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

/** Builds the evaluator of composition function `data.fn` (9..12). */
export function createComposition(data: Cec2022Data): PointEvaluator {
  const definition = COMPOSITIONS[data.fn];
  if (definition === undefined) throw new RangeError(`F${data.fn} is not a composition function`);
  const dimension = data.dimension;
  const count = definition.components.length;
  const weightsOfEllipsoid = ellipsoidWeights(dimension);
  const kernels = definition.components.map((component) => component.kernel);
  const rates = Float64Array.from(definition.components, (component) => RATES[component.kernel]);
  const rotated = definition.components.map((component) => component.rotated);
  const numerators = Float64Array.from(definition.components, (component) => component.scale?.[0] ?? Number.NaN);
  const denominators = Float64Array.from(definition.components, (component) => component.scale?.[1] ?? Number.NaN);
  const scaled = definition.components.map((component) => component.scale !== null);
  const delta = Float64Array.from(definition.delta);
  const bias = Float64Array.from(definition.bias);
  const block = dimension * dimension;
  const y = new Float64Array(dimension);
  const z = new Float64Array(dimension);
  const fit = new Float64Array(count);
  const weight = new Float64Array(count);
  const { shift, rotation } = data;

  const evaluateKernel = (kernel: Component['kernel']): number => {
    switch (kernel) {
      case 'rosenbrock':
        return rosenbrock(z, dimension);
      case 'ellipsoid':
        return ellipsoid(z, dimension, weightsOfEllipsoid);
      case 'bentCigar':
        return bentCigar(z, dimension);
      case 'discus':
        return discus(z, dimension);
      case 'schwefel':
        return schwefel(z, dimension);
      case 'rastrigin':
        return rastrigin(z, dimension);
      case 'hgbat':
        return hgbat(z, dimension);
      case 'schafferF6':
        return expandedSchafferF6(z, dimension);
      case 'griewank':
        return griewank(z, dimension);
    }
  };

  return (x, offset) => {
    for (let i = 0; i < count; i++) {
      if (rotated[i]) {
        shiftScaleRotate(x, offset, shift, i * dimension, rates[i] as number, rotation, i * block, dimension, y, z);
      } else {
        shiftScale(x, offset, shift, i * dimension, rates[i] as number, dimension, z);
      }
      let value = evaluateKernel(kernels[i] as Component['kernel']);
      if (scaled[i]) value = ((numerators[i] as number) * value) / (denominators[i] as number);
      fit[i] = value;
    }
    // cf_cal.
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
}
