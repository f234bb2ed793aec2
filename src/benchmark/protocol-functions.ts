/**
 * @module Builds the function a protocol job names (`ProtocolFunctionSpec`), in the sandbox and on
 * the host alike: a built-in instance, or a CEC2022 function from the data files' text that the job
 * carries.
 */
import { parseCec2022Data } from '../numeric/cec2022/data.js';
import { createCec2022FunctionFromData } from '../numeric/cec2022/suite.js';
import { createBuiltinFunction } from '../numeric/functions.js';
import type { BenchmarkFunction } from '../numeric/types.js';
import type { ProtocolFunctionSpec } from './protocol-job.js';

/** A benchmark function with its search box (the same for every coordinate). */
export type BoxedBenchmarkFunction = BenchmarkFunction & { readonly lower: number; readonly upper: number };

/**
 * The function `spec` names.
 *
 * @throws CladeError `TASK_INVALID` for an unknown function, or data files missing from the job or invalid.
 */
export function buildProtocolFunction(spec: ProtocolFunctionSpec): BoxedBenchmarkFunction {
  if (spec.suite === 'builtin') return createBuiltinFunction(spec.fn, spec.dim, spec.instanceSeed, spec.bounds);
  const { files } = spec;
  const read = (name: string): string | undefined => (Object.hasOwn(files, name) ? files[name] : undefined);
  return createCec2022FunctionFromData(parseCec2022Data(spec.fn, spec.dim, read, 'the protocol job'));
}
