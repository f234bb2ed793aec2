/**
 * @module The batched shift-scale-rotate step of the CEC2022 functions in WebAssembly SIMD
 * (shift-rotate.wat): z_p = M·((x_p − o)·rate) for a chunk of points, two points per f64x2, with
 * every value the same double as the scalar `shiftScaleRotate` (each lane runs the scalar
 * operations in the scalar order). One instance per function instance owns its memory: the
 * matrices and shifts are copied in once, the points chunk by chunk.
 */
import { correctlyRoundedPow, fifthRootTables, powerTables, powOneFifth } from '../precise-math.js';
import { SHIFT_ROTATE_WASM_BASE64 } from './wasm-module.js';

/** Points per chunk: the input and each component's output hold this many points. */
export const WASM_CHUNK_POINTS = 128;

/** The part of the WebAssembly API used here (the project's TypeScript libraries do not declare it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

interface ShiftRotateExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  shiftScaleRotate(
    x: number,
    count: number,
    n: number,
    shift: number,
    rate: number,
    matrix: number,
    out: number,
    scratch: number,
  ): void;
  trig(input: number, output: number, count: number, cosine: number, fallback: number): number;
  fifthRoots(input: number, output: number, count: number, tables: number, fallback: number): number;
  powers(input: number, output: number, count: number, y: number, tables: number, fallback: number): number;
}

let compiled: object | undefined;

/** The compiled module, made on first use (synchronous compilation: the module is small). */
function shiftRotateModule(): object {
  compiled ??= new wasm.Module(Buffer.from(SHIFT_ROTATE_WASM_BASE64, 'base64'));
  return compiled;
}

/** A chunked transformer for `components` (matrix, shift) pairs in `dimension`. */
export interface ShiftRotateTransformer {
  /** Where the caller writes the chunk's points (WASM_CHUNK_POINTS × dimension, row-major). */
  readonly input: Float64Array;
  /** outputs[component]: that component's z for the chunk's points, row-major. */
  readonly outputs: readonly Float64Array[];
  /** views[component][q]: point q's z (a view of outputs[component]; the kernels may overwrite it). */
  readonly views: readonly (readonly Float64Array[])[];
  /** z = M_c·((x − o_c)·rate) for the first `count` points of `input` into outputs[component]. */
  transform(component: number, count: number, rate: number): void;
  /** Arguments for `sin` / `cos` (WASM_CHUNK_POINTS × (dimension + 1) values). */
  readonly trigArguments: Float64Array;
  /** Their sines or cosines, the same doubles as Math.sin / Math.cos. */
  readonly trigResults: Float64Array;
  /** trigResults[k] = Math.sin(trigArguments[k]) for k < count. */
  sin(count: number): void;
  /** trigResults[k] = powOneFifth(trigArguments[k]) for k < count (the same doubles). */
  fifthRoots(count: number): void;
  /** trigResults[k] = correctlyRoundedPow(trigArguments[k], y) for k < count (the same doubles). */
  powers(count: number, y: number): void;
  /** trigResults[k] = Math.cos(trigArguments[k]) for k < count. */
  cos(count: number): void;
}

/**
 * Copies `matrices` (components × dimension², row-major) and `shifts` (components × dimension)
 * into a fresh WebAssembly instance. `dimension` must be even (CEC2022's 10 and 20 are).
 */
export function createShiftRotateTransformer(
  dimension: number,
  components: number,
  matrices: Float64Array,
  shifts: Float64Array,
): ShiftRotateTransformer {
  if (dimension % 2 !== 0 || dimension <= 0) {
    throw new RangeError(`the WebAssembly shift-rotate step needs an even dimension, got ${dimension}`);
  }
  const instance = new wasm.Instance(shiftRotateModule(), {});
  const exports = instance.exports as unknown as ShiftRotateExports;
  const matrixBytes = components * dimension * dimension * 8;
  const shiftBytes = components * dimension * 8;
  const chunkBytes = WASM_CHUNK_POINTS * dimension * 8;
  const scratchBytes = 64 * dimension;
  const matrixAddress = 0;
  const shiftAddress = matrixAddress + matrixBytes;
  const scratchAddress = shiftAddress + shiftBytes;
  const inputAddress = scratchAddress + scratchBytes;
  const outputAddress = inputAddress + chunkBytes;
  const trigCapacity = WASM_CHUNK_POINTS * (dimension + 1);
  const argumentsAddress = outputAddress + components * chunkBytes;
  const resultsAddress = argumentsAddress + trigCapacity * 8;
  const fallbackAddress = resultsAddress + trigCapacity * 8;
  const tablesAddress = fallbackAddress + trigCapacity * 4;
  const tables = fifthRootTables();
  const logExpTables = powerTables();
  const logExpAddress = tablesAddress + tables.length * 8;
  const needed = logExpAddress + logExpTables.length * 8;
  const memory = exports.memory;
  if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65536));
  const buffer = memory.buffer;
  new Float64Array(buffer, matrixAddress, components * dimension * dimension).set(
    matrices.subarray(0, components * dimension * dimension),
  );
  new Float64Array(buffer, shiftAddress, components * dimension).set(shifts.subarray(0, components * dimension));
  const input = new Float64Array(buffer, inputAddress, WASM_CHUNK_POINTS * dimension);
  const outputs = Array.from(
    { length: components },
    (_, component) => new Float64Array(buffer, outputAddress + component * chunkBytes, WASM_CHUNK_POINTS * dimension),
  );
  const views = outputs.map((output) =>
    Array.from({ length: WASM_CHUNK_POINTS }, (_, q) => output.subarray(q * dimension, (q + 1) * dimension)),
  );
  const trigArguments = new Float64Array(buffer, argumentsAddress, trigCapacity);
  const trigResults = new Float64Array(buffer, resultsAddress, trigCapacity);
  const fallback = new Int32Array(buffer, fallbackAddress, trigCapacity);
  const trig = exports.trig;
  const fifthRoots = exports.fifthRoots;
  new Float64Array(buffer, tablesAddress, tables.length).set(tables);
  new Float64Array(buffer, logExpAddress, logExpTables.length).set(logExpTables);
  const powers = exports.powers;
  const run = exports.shiftScaleRotate;
  return {
    input,
    outputs,
    views,
    trigArguments,
    trigResults,
    fifthRoots(count) {
      const found = fifthRoots(argumentsAddress, resultsAddress, count, tablesAddress, fallbackAddress);
      for (let index = 0; index < found; index++) {
        const k = fallback[index] as number;
        trigResults[k] = powOneFifth(trigArguments[k] as number);
      }
    },
    powers(count, y) {
      if (!Number.isFinite(y) || y === 0 || y === 1 || y === 0.5 || y === 2) {
        for (let k = 0; k < count; k++) trigResults[k] = correctlyRoundedPow(trigArguments[k] as number, y);
        return;
      }
      const found = powers(argumentsAddress, resultsAddress, count, y, logExpAddress, fallbackAddress);
      for (let index = 0; index < found; index++) {
        const k = fallback[index] as number;
        trigResults[k] = correctlyRoundedPow(trigArguments[k] as number, y);
      }
    },
    sin(count) {
      const found = trig(argumentsAddress, resultsAddress, count, 0, fallbackAddress);
      for (let index = 0; index < found; index++) {
        const k = fallback[index] as number;
        trigResults[k] = Math.sin(trigArguments[k] as number);
      }
    },
    cos(count) {
      const found = trig(argumentsAddress, resultsAddress, count, 1, fallbackAddress);
      for (let index = 0; index < found; index++) {
        const k = fallback[index] as number;
        trigResults[k] = Math.cos(trigArguments[k] as number);
      }
    },
    transform(component, count, rate) {
      run(
        inputAddress,
        count,
        dimension,
        shiftAddress + component * dimension * 8,
        rate,
        matrixAddress + component * dimension * dimension * 8,
        outputAddress + component * chunkBytes,
        scratchAddress,
      );
    },
  };
}
