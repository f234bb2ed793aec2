/**
 * @module Chooses a tensor backend by name (`createTensorBackend`) and reports which work on this
 * machine (`describeTensorBackends`, used by `clade doctor`).
 */
import { CladeError } from '../../core/errors.js';
import { createTfjsBackend, loadTfjs, TFJS_BACKENDS, type TfjsBackendName } from './tfjs-backend.js';
import { createTypedBackend } from './typed-backend.js';
import type { TensorBackend, TensorBackendInfo } from './types.js';

/** Names `createTensorBackend` accepts: a concrete backend, or `tfjs` for the best tfjs one here. */
export const TENSOR_BACKEND_CHOICES = ['typed', 'tfjs', ...TFJS_BACKENDS] as const;

/**
 * The backend named `name`. `tfjs` picks `tfjs-node-gpu` when installed, else `tfjs-wasm`, else `tfjs-cpu`.
 *
 * @throws CladeError `USAGE` for an unknown name; `SANDBOX_UNAVAILABLE` when the backend's package is missing.
 */
export async function createTensorBackend(name = 'typed'): Promise<TensorBackend> {
  if (name === 'typed') return createTypedBackend();
  if (name === 'tfjs') {
    let last: unknown;
    for (const candidate of TFJS_BACKENDS) {
      try {
        return await createTfjsBackend(candidate);
      } catch (error) {
        last = error;
      }
    }
    throw last;
  }
  if ((TFJS_BACKENDS as readonly string[]).includes(name)) return createTfjsBackend(name as TfjsBackendName);
  throw new CladeError('USAGE', `Unknown tensor backend "${name}". Use one of: ${TENSOR_BACKEND_CHOICES.join(', ')}.`);
}

/**
 * Which tensor backends work on this machine, each with its version and device or the reason it
 * does not (and what to install). Loads each tfjs flavour once; never throws.
 */
export async function describeTensorBackends(): Promise<TensorBackendInfo[]> {
  const infos: TensorBackendInfo[] = [
    { name: 'typed', available: true, precision: 'float64', detail: createTypedBackend().description },
  ];
  for (const name of TFJS_BACKENDS) {
    try {
      const { description } = await loadTfjs(name);
      infos.push({ name, available: true, precision: 'float32', detail: description });
    } catch (error) {
      infos.push({
        name,
        available: false,
        precision: 'float32',
        detail: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return infos;
}
