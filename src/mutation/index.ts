export * from './evolve-annotations.js';
export * from './parametric.js';
export * from './types.js';
