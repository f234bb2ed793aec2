/**
 * @module The `ParentSelector` plug-in point. Selectors are pure functions over an archive
 * snapshot and a seeded random source.
 */
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
}

export interface SelectionSnapshot {
  readonly nodes: readonly SelectionCandidate[];
}

export interface ParentSelector {
  readonly name: string;
  /**
   * Picks `count` parents (with replacement) among scored nodes. Returns [] when no node is
   * scored. Must use only `random` for chance.
   */
  select(snapshot: SelectionSnapshot, random: Random, count: number): number[];
}
