/**
 * @module The CEC2022 benchmark suite: data files, kernels, hybrid and composition functions,
 * the function factory and the data directory.
 */
export * from './composition.js';
export * from './data.js';
export * from './data-directory.js';
export * from './fetch.js';
export * from './hybrid.js';
export * from './kernels.js';
export * from './precise-math.js';
export * from './suite.js';
export * from './zip-reader.js';
