/**
 * @module Tensor backends: batched evaluation of benchmark functions behind `TensorBackend`.
 */
export { createTensorBackend, describeTensorBackends, TENSOR_BACKEND_CHOICES } from './registry.js';
export { createTfjsBackend, TFJS_BACKENDS, type TfjsBackendName } from './tfjs-backend.js';
export { createTypedBackend } from './typed-backend.js';
export type { BatchEvaluator, TensorBackend, TensorBackendInfo, TensorBackendName } from './types.js';
