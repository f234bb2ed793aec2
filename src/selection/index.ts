/**
 * @module Parent selectors: pure functions of an archive snapshot and a seeded random source.
 */
export { bestNodeId, bestSelector } from './best.js';
export { type DgmSelectorOptions, type DgmWeight, dgmSelector, dgmWeights } from './dgm.js';
export { randomSelector } from './random.js';
export { createSelector } from './registry.js';
export { assertCount, type ScoredCandidate, sampleProportional, scoredCandidates } from './sample.js';
export type { ParentSelector, SelectionCandidate, SelectionSnapshot } from './types.js';
