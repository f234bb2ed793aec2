/**
 * @module The `typed` tensor backend: clade's Float64Array kernels (src/numeric/functions.ts and
 * src/numeric/cec2022), synchronous and exact. The default and the reference the others are
 * checked against.
 */
import type { Cec2022Data } from '../cec2022/data.js';
import { createCec2022FunctionFromData } from '../cec2022/suite.js';
import type { BuiltinFunction } from '../functions.js';
import type { BenchmarkFunction } from '../types.js';
import type { BatchEvaluator, TensorBackend } from './types.js';

function wrap(fn: BenchmarkFunction): BatchEvaluator {
  return {
    id: fn.id,
    dimension: fn.dimension,
    evaluate: (points, count) => {
      const out = new Float64Array(count);
      fn.evaluateBatch(points, count, out);
      return Promise.resolve(out);
    },
    dispose: () => {},
  };
}

/** Creates the typed backend. */
export function createTypedBackend(): TensorBackend {
  return {
    name: 'typed',
    precision: 'float64',
    description: 'Float64Array kernels (JavaScript, one core)',
    builtin: (fn: BuiltinFunction) => wrap(fn),
    cec2022: (data: Cec2022Data) => wrap(createCec2022FunctionFromData(data)),
    dispose: () => {},
  };
}
