/**
 * @module The `TensorBackend` plug-in point: batched evaluation of benchmark functions on a
 * compute backend. `typed` (Float64Array kernels, the default and the reference) and `tfjs`
 * (TensorFlow.js: `tfjs-node-gpu` on CUDA machines when installed, else the wasm or cpu backend,
 * float32) implement it.
 */
import type { Cec2022Data } from '../cec2022/data.js';
import type { BuiltinFunction } from '../functions.js';

/** Concrete backends. */
export type TensorBackendName = 'typed' | 'tfjs-node-gpu' | 'tfjs-wasm' | 'tfjs-cpu';

/** A function bound to a backend: evaluates batches of points. */
export interface BatchEvaluator {
  /** The function's id, e.g. `rastrigin-d10` or `cec2022-f4-d20`. */
  readonly id: string;
  readonly dimension: number;
  /**
   * f(point i) for i < count; `points` is row-major count × dimension. Values are float32-accurate
   * on tfjs backends, exact (as the typed kernels compute them) on `typed`.
   */
  evaluate(points: Float64Array, count: number): Promise<Float64Array>;
  /** Frees backend memory held by this evaluator (matrices, shifts). */
  dispose(): void;
}

export interface TensorBackend {
  readonly name: TensorBackendName;
  /** Arithmetic the backend evaluates in. */
  readonly precision: 'float64' | 'float32';
  /** What it runs on, e.g. `tfjs 4.22.0, wasm (SIMD)`. */
  readonly description: string;
  /** A built-in function instance (the same shift, rotation and scale) on this backend. */
  builtin(fn: BuiltinFunction): BatchEvaluator;
  /**
   * A CEC2022 function (F1–F12) from its loaded data, bias included: exact on `typed`, float32
   * graphs on the tfjs backends (see tfjs-cec2022.ts for the rewrites that keep float32 accurate).
   */
  cec2022(data: Cec2022Data): BatchEvaluator;
  /** Releases the backend (idempotent). */
  dispose(): void;
}

/** One line of `clade doctor`: whether a backend can be used here, and why not. */
export interface TensorBackendInfo {
  name: TensorBackendName;
  available: boolean;
  precision: 'float64' | 'float32';
  /** Version and device when available; the reason (and what to install) when not. */
  detail: string;
}
