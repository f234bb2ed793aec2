export * from './model-proxy.js';
export * from './types.js';
