/**
 * @module Parent selectors: pure functions of an archive snapshot and a seeded random source.
 */

export { bestNodeId, bestSelector } from './best.js';
export { FastBetaSampler, gammaConstants, sampleBeta, sampleGamma } from './beta.js';
export { type CandidateChange, CandidatePool } from './candidate-pool.js';
export { type DerivedState, DerivedStateCache, isScored, ScoredPositions } from './derived-state.js';
export { type DgmSelectorOptions, type DgmWeight, dgmSelector, dgmWeights } from './dgm.js';
export { hgmCandidates, hgmSelector, thompsonArgmax } from './hgm.js';
export {
  buildIslands,
  type IslandState,
  islandOf,
  type MapElitesSelectorOptions,
  mapElitesSelector,
} from './map-elites.js';
export {
  type PowerLawEntry,
  type PowerLawSelectorOptions,
  powerLawProbabilities,
  powerLawSelector,
} from './power-law.js';
export { randomSelector } from './random.js';
export { createSelector } from './registry.js';
export {
  assertCount,
  CumulativeWeights,
  logSigmoid,
  median,
  probabilitiesFromLogWeights,
  type ScoredCandidate,
  sampleProportional,
  scoredCandidates,
} from './sample.js';
export { SortedScores } from './sorted-scores.js';
export { LogWeightTree, SumTree } from './sum-tree.js';
export { type TournamentSelectorOptions, tournamentProbabilities, tournamentSelector } from './tournament.js';
export type {
  CandidateJournal,
  OutcomeCounts,
  ParentSelector,
  SelectionCandidate,
  SelectionSnapshot,
} from './types.js';
export {
  type WeightedEntry,
  type WeightedSelectorOptions,
  weightedProbabilities,
  weightedSelector,
} from './weighted.js';
