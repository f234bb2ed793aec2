/**
 * @module Parent selectors: pure functions of an archive snapshot and a seeded random source.
 */

export { bestKind, bestNodeId, bestSelector } from './best.js';
export { FastBetaSampler, gammaConstants, sampleBeta, sampleGamma } from './beta.js';
export { type CandidateChange, CandidatePool } from './candidate-pool.js';
export {
  agentFeatures,
  candidateFeatures,
  codeFeatureDescriber,
  concatenateFiles,
  editDistance,
} from './code-features.js';
export { type DerivedState, DerivedStateCache, isScored, ScoredPositions } from './derived-state.js';
export { type DgmSelectorOptions, type DgmWeight, dgmKind, dgmSelector, dgmWeights } from './dgm.js';
export { hgmCandidates, hgmKind, hgmOptionsSchema, hgmSelector } from './hgm.js';
export { type HgmSchedulerOptions, hgmScheduler, thompsonArgmax } from './hgm-scheduler.js';
export {
  buildIslands,
  type IslandState,
  islandOf,
  type MapElitesSelectorOptions,
  mapElitesKind,
  mapElitesOptionsSchema,
  mapElitesSelector,
} from './map-elites.js';
export {
  type PowerLawEntry,
  type PowerLawSelectorOptions,
  powerLawKind,
  powerLawOptionsSchema,
  powerLawProbabilities,
  powerLawSelector,
} from './power-law.js';
export { randomKind, randomSelector } from './random.js';
export {
  createCandidateDescriber,
  createEvaluationScheduler,
  createSelector,
  DEFAULT_SELECTION_STRATEGY,
  selectionSectionSchema,
  selectorKinds,
} from './registry.js';
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
export { optionsOf } from './selector-kind.js';
export { SortedScores } from './sorted-scores.js';
export { LogWeightTree, SumTree } from './sum-tree.js';
export {
  type TournamentSelectorOptions,
  tournamentKind,
  tournamentOptionsSchema,
  tournamentProbabilities,
  tournamentSelector,
} from './tournament.js';
export type {
  CandidateDescriber,
  CandidateJournal,
  EvaluationScheduler,
  OutcomeCounts,
  ParentSelector,
  PlanOutline,
  SchedulingDecision,
  SchedulingView,
  SelectionCandidate,
  SelectionSection,
  SelectionSnapshot,
  SelectorKind,
} from './types.js';
export {
  type WeightedEntry,
  type WeightedSelectorOptions,
  weightedKind,
  weightedProbabilities,
  weightedSelector,
} from './weighted.js';
