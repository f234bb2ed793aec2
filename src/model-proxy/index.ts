export * from './model-proxy.js';
export * from './setup.js';
export * from './types.js';
