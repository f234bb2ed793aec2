/**
 * @module The `tfjs` tensor backends: the built-in functions and CEC2022 F1–F12 (graphs in
 * tfjs-cec2022.ts) as TensorFlow.js graphs, evaluated in float32. `tfjs-node-gpu` (CUDA, via libtensorflow) is used when that
 * optional package is installed; otherwise `@tensorflow/tfjs` with its wasm backend
 * (`@tensorflow/tfjs-backend-wasm`) or its plain-JavaScript cpu backend. All imports are dynamic
 * and guarded: clade works without any of these packages.
 *
 * The graphs mirror the typed kernels: x − o is taken in float64 on the host, then
 * z = R · s · (x − o) is one matrix product per batch (Z = S Rᵀ), then element-wise ops and row sums.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { CladeError } from '../../core/errors.js';
import type { BuiltinFunction } from '../functions.js';
import { cec2022Graph } from './tfjs-cec2022.js';
import type { BatchEvaluator, TensorBackend, TensorBackendName } from './types.js';

type Tf = typeof TF;
type Tensor2D = TF.Tensor2D;
type Tensor1D = TF.Tensor1D;

/** The tfjs backends, in the order `tfjs` (auto) tries them. */
export const TFJS_BACKENDS = ['tfjs-node-gpu', 'tfjs-wasm', 'tfjs-cpu'] as const;
export type TfjsBackendName = (typeof TFJS_BACKENDS)[number];

const SCHWEFEL_OFFSET = 420.9687462275036;
const SCHWEFEL_PEAK = SCHWEFEL_OFFSET * Math.sin(Math.sqrt(SCHWEFEL_OFFSET));

/** Imports a module that may not be installed; the specifier is a variable so bundlers and tsc leave it alone. */
async function optionalImport<T>(specifier: string): Promise<T> {
  return (await import(specifier)) as T;
}

/** Runs `load` with tfjs's "install the node backend" advice silenced (it is printed on import). */
async function quietly<T>(load: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  const log = console.log;
  const keep =
    (original: (...args: unknown[]) => void) =>
    (...args: unknown[]) => {
      const text = args.map(String).join(' ');
      if (
        /tfjs-node|TensorFlow\.js in Node\.js|backend was already registered|Platform node has already been set/.test(
          text,
        )
      )
        return;
      original(...args);
    };
  console.warn = keep(warn);
  console.log = keep(log);
  try {
    return await load();
  } finally {
    console.warn = warn;
    console.log = log;
  }
}

interface LoadedTfjs {
  tf: Tf;
  /** The tfjs backend id to select (`tensorflow`, `wasm`, `cpu`). */
  backendId: string;
  description: string;
}

const loaded = new Map<TfjsBackendName, Promise<LoadedTfjs>>();

/**
 * Loads TensorFlow.js for `name`.
 *
 * @throws CladeError `SANDBOX_UNAVAILABLE` naming the missing package and how to install it.
 */
export function loadTfjs(name: TfjsBackendName): Promise<LoadedTfjs> {
  let promise = loaded.get(name);
  if (promise === undefined) {
    promise = quietly(() => loadUncached(name));
    promise.catch(() => loaded.delete(name));
    loaded.set(name, promise);
  }
  return promise;
}

async function loadUncached(name: TfjsBackendName): Promise<LoadedTfjs> {
  const missing = (what: string, error: unknown): CladeError =>
    new CladeError(
      'SANDBOX_UNAVAILABLE',
      `The ${name} tensor backend needs ${what}, which cannot be loaded here (${error instanceof Error ? error.message.split('\n')[0] : String(error)}). ` +
        (name === 'tfjs-node-gpu'
          ? 'Install it on a CUDA machine with `npm install @tensorflow/tfjs-node-gpu`, or use the typed or tfjs-wasm backend.'
          : `Install it with \`npm install ${what}\`, or use the typed backend.`),
      { cause: error },
    );
  if (name === 'tfjs-node-gpu') {
    let tf: Tf;
    try {
      tf = await optionalImport<Tf>('@tensorflow/tfjs-node-gpu');
      await tf.ready();
    } catch (error) {
      throw missing('@tensorflow/tfjs-node-gpu', error);
    }
    return { tf, backendId: 'tensorflow', description: `tfjs-node-gpu ${tf.version_core}, ${tf.getBackend()}` };
  }
  let tf: Tf;
  try {
    tf = await optionalImport<Tf>('@tensorflow/tfjs');
  } catch (error) {
    throw missing('@tensorflow/tfjs', error);
  }
  if (name === 'tfjs-wasm') {
    try {
      const wasm = await optionalImport<{ setWasmPaths(prefix: string): void }>('@tensorflow/tfjs-backend-wasm');
      const require = createRequire(import.meta.url);
      const directory = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
      wasm.setWasmPaths(`${path.join(directory, 'dist')}${path.sep}`);
      if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
    } catch (error) {
      throw missing('@tensorflow/tfjs-backend-wasm', error);
    }
    return { tf, backendId: 'wasm', description: `tfjs ${tf.version_core}, wasm` };
  }
  await tf.setBackend('cpu');
  return { tf, backendId: 'cpu', description: `tfjs ${tf.version_core}, cpu (JavaScript)` };
}

/**
 * Builds one evaluator. `shifts` holds `components` rows of `dimension` values; `graph` maps the
 * batch's differences x − o_i ([count, components·dimension], float32) and, when `needsDistances`,
 * the squared distances ‖x − o_i‖² ([count, components]) to [count] values inside a tidy.
 */
function evaluator(
  loadedTfjs: LoadedTfjs,
  id: string,
  dimension: number,
  shifts: Float64Array,
  components: number,
  needsDistances: boolean,
  constants: TF.Tensor[],
  graph: (differences: Tensor2D, distances: Tensor2D | null) => Tensor1D,
): BatchEvaluator {
  const { tf, backendId } = loadedTfjs;
  let disposed = false;
  const width = components * dimension;
  return {
    id,
    dimension,
    async evaluate(points, count) {
      if (disposed) throw new CladeError('TASK_INVALID', `The ${id} evaluator was disposed.`);
      if (points.length < count * dimension) {
        throw new CladeError(
          'TASK_INVALID',
          `${id}: ${count} points need ${count * dimension} values, got ${points.length}.`,
        );
      }
      if (count === 0) return new Float64Array(0);
      if (tf.getBackend() !== backendId) await tf.setBackend(backendId);
      // x − o in float64 on the host: rounding x and o to float32 separately would cost most of the
      // precision near the optimum, where the difference is small. The same for ‖x − o‖², whose
      // float32 rounding would move the composition weights' exponents (up to −160) by 1e-5.
      const differences = new Float32Array(count * width);
      const distances = needsDistances ? new Float32Array(count * components) : null;
      for (let point = 0; point < count; point++) {
        for (let component = 0; component < components; component++) {
          let distance = 0;
          for (let coordinate = 0; coordinate < dimension; coordinate++) {
            const difference =
              (points[point * dimension + coordinate] as number) -
              (shifts[component * dimension + coordinate] as number);
            differences[point * width + component * dimension + coordinate] = difference;
            distance += difference * difference;
          }
          if (distances !== null) distances[point * components + component] = distance;
        }
      }
      const values = tf.tidy(() =>
        graph(
          tf.tensor2d(differences, [count, width], 'float32'),
          distances === null ? null : tf.tensor2d(distances, [count, components], 'float32'),
        ),
      );
      try {
        return Float64Array.from(await values.data());
      } finally {
        values.dispose();
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const tensor of constants) tensor.dispose();
    },
  };
}

function builtinGraph(
  tf: Tf,
  fn: BuiltinFunction,
): { constants: TF.Tensor[]; graph: (difference: Tensor2D) => Tensor1D } {
  const dimension = fn.dimension;
  const rotation =
    fn.rotation === null ? null : tf.keep(tf.tensor2d(Float32Array.from(fn.rotation), [dimension, dimension]));
  const constants: TF.Tensor[] = rotation === null ? [] : [rotation];
  const weights =
    fn.name === 'ellipsoid'
      ? tf.keep(
          tf.tensor1d(
            Float32Array.from({ length: dimension }, (_, i) =>
              dimension === 1 ? 1 : 10 ** ((6 * i) / (dimension - 1)),
            ),
          ),
        )
      : null;
  if (weights !== null) constants.push(weights);
  const griewankDivisors =
    fn.name === 'griewank'
      ? tf.keep(tf.tensor1d(Float32Array.from({ length: dimension }, (_, i) => Math.sqrt(i + 1))))
      : null;
  if (griewankDivisors !== null) constants.push(griewankDivisors);

  const transform = (difference: Tensor2D): Tensor2D => {
    const shifted = tf.mul(difference, fn.scale) as Tensor2D;
    return rotation === null ? shifted : tf.matMul(shifted, rotation, false, true);
  };
  const graph = (points: Tensor2D): Tensor1D => {
    const z = transform(points);
    const square = tf.square(z);
    switch (fn.name) {
      case 'sphere':
        return tf.sum(square, 1);
      case 'ellipsoid':
        return tf.sum(tf.mul(square, weights as Tensor1D), 1);
      case 'rastrigin':
        return tf.sum(tf.add(square, tf.mul(20, tf.square(tf.sin(tf.mul(Math.PI, z))))), 1);
      case 'rosenbrock': {
        const a = tf.slice(z, [0, 0], [-1, dimension - 1]);
        const b = tf.slice(z, [0, 1], [-1, dimension - 1]);
        const valley = tf.sub(tf.add(tf.square(a), tf.mul(2, a)), b);
        return tf.sum(tf.add(tf.mul(100, tf.square(valley)), tf.square(a)), 1);
      }
      case 'ackley': {
        const radius = tf.sqrt(tf.mean(square, 1));
        const cosines = tf.mean(tf.cos(tf.mul(2 * Math.PI, z)), 1);
        return tf.sub(
          tf.mul(-20, tf.sub(tf.exp(tf.mul(-0.2, radius)), 1)),
          tf.mul(Math.E, tf.sub(tf.exp(tf.sub(cosines, 1)), 1)),
        );
      }
      case 'griewank':
        return tf.add(
          tf.div(tf.sum(square, 1), 4000),
          tf.sub(1, tf.prod(tf.cos(tf.div(z, griewankDivisors as Tensor1D)), 1)),
        );
      case 'schwefel': {
        const value = tf.add(z, SCHWEFEL_OFFSET);
        const inside = tf.sub(SCHWEFEL_PEAK, tf.mul(value, tf.sin(tf.sqrt(tf.abs(value)))));
        const folded = tf.sub(500, tf.mod(value, 500));
        const above = tf.add(
          tf.sub(SCHWEFEL_PEAK, tf.mul(folded, tf.sin(tf.sqrt(folded)))),
          tf.div(tf.square(tf.div(tf.sub(value, 500), 100)), dimension),
        );
        const remainder = tf.mod(tf.neg(value), 500);
        const below = tf.add(
          tf.sub(SCHWEFEL_PEAK, tf.mul(tf.sub(remainder, 500), tf.sin(tf.sqrt(tf.sub(500, remainder))))),
          tf.div(tf.square(tf.div(tf.add(value, 500), 100)), dimension),
        );
        const terms = tf.where(tf.greater(value, 500), above, tf.where(tf.less(value, -500), below, inside));
        return tf.sum(terms, 1);
      }
      default:
        throw new CladeError('TASK_INVALID', `The tfjs backend has no graph for ${fn.name}.`);
    }
  };
  return { constants, graph };
}

/**
 * Creates a tfjs backend.
 *
 * @throws CladeError `SANDBOX_UNAVAILABLE` when its package cannot be loaded (the message says what to install).
 */
export async function createTfjsBackend(name: TfjsBackendName): Promise<TensorBackend> {
  const loadedTfjs = await loadTfjs(name);
  const { tf } = loadedTfjs;
  const evaluators = new Set<BatchEvaluator>();
  const track = (made: BatchEvaluator): BatchEvaluator => {
    evaluators.add(made);
    return made;
  };
  const select = (): void => {
    if (tf.getBackend() !== loadedTfjs.backendId) void tf.setBackend(loadedTfjs.backendId);
  };
  return {
    name: name as TensorBackendName,
    precision: 'float32',
    description: loadedTfjs.description,
    builtin(fn) {
      select();
      const { constants, graph } = builtinGraph(tf, fn);
      return track(evaluator(loadedTfjs, fn.id, fn.dimension, fn.shift, 1, false, constants, graph));
    },
    cec2022(data) {
      select();
      const { constants, shifts, components, needsDistances, graph } = cec2022Graph(tf, data);
      return track(
        evaluator(
          loadedTfjs,
          `cec2022-f${data.fn}-d${data.dimension}`,
          data.dimension,
          shifts,
          components,
          needsDistances,
          constants,
          graph,
        ),
      );
    },
    dispose() {
      for (const made of evaluators) made.dispose();
      evaluators.clear();
    },
  };
}
