/**
 * @module The `ParentSelector` plug-in point. Selectors are pure functions over an archive
 * snapshot and a seeded random source.
 */
import type { OutcomeCounts } from '../core/outcomes.js';
import type { Random } from '../core/random.js';
import type { NodeStatus } from '../core/types.js';

/** What a selector may look at for one node. */
export interface SelectionCandidate {
  id: number;
  parentId: number | null;
  status: NodeStatus;
  /** Null unless scored. */
  score: number | null;
  /** Children recorded plus children being made right now. */
  children: number;
  /** The node's own task outcomes (graded: score as passes, 1 − score as failures). For `hgm`. */
  own?: OutcomeCounts;
  /** Own outcomes plus every descendant's (its clade). For `hgm`. */
  clade?: OutcomeCounts;
  /** Iteration of the loop that made the node (0 for the seed). For `map-elites` islands. */
  iteration?: number;
  /** Feature values (`codeLength`, `diversity`, numeric task metrics). For `map-elites`. */
  features?: Readonly<Record<string, number>>;
}

export type { OutcomeCounts };

/**
 * The changes made to a snapshot's `nodes` over time (`CandidatePool` keeps one): entries are only
 * ever appended, and every append or in-place change of entry i is journaled. Selectors that see
 * the same journal again re-read only the entries changed since their last call, to update the
 * state they derive (sum trees, sorted scores, islands) instead of recomputing it from every node.
 */
export interface CandidateJournal {
  /** Grows with every journaled change. */
  readonly version: number;
  /**
   * Positions in `nodes` changed since `version` (each at least once, after its last change), or
   * null when the journal no longer reaches back that far (the caller rebuilds from every node).
   */
  changesSince(version: number): Int32Array | null;
}

export interface SelectionSnapshot {
  readonly nodes: readonly SelectionCandidate[];
  /** Iteration of the child being made; `map-elites` picks its island round-robin from it. */
  readonly iteration?: number;
  /**
   * Present when `nodes` is a persistent, append-only array whose changes are journaled (the
   * campaign loop's pool). It changes only how fast a selector answers, never what it answers.
   */
  readonly journal?: CandidateJournal;
}

export interface ParentSelector {
  readonly name: string;
  /**
   * Picks `count` parents (with replacement) among scored nodes. Returns [] when no node is
   * scored. Must use only `random` for chance.
   */
  select(snapshot: SelectionSnapshot, random: Random, count: number): number[];
}
