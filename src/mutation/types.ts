/**
 * @module The `Mutator` plug-in point: make a child's code from a parent's.
 * Implementations are the kinds in `registry.ts`: `parametric` (offline default), `llm-diff`, `llm-rewrite`, `self-modify`.
 */
import type { Random } from '../core/random.js';
import type { AgentFiles, AgentNode, EvaluationRecord, MutationInfo } from '../core/types.js';

/** A node with its code. */
export interface NodeWithCode {
  node: AgentNode;
  files: AgentFiles;
}

export interface MutationRequest {
  /** Id the child will have (model calls are recorded against it). */
  nodeId?: number;
  parent: NodeWithCode;
  /** Other scored archive members (top and diverse) the mutator may learn from. */
  inspirations: readonly NodeWithCode[];
  /** Seeded from (campaign seed, child id, 'mutation'). */
  random: Random;
  /**
   * The archive as it stood when the child was created, for mutators that read the history
   * (`Mutator.readsHistory`): what the prompt says about earlier nodes then depends on the order of
   * creations and records only, not on when the mutation happens to run, so a regrow sees what the
   * recorded run saw. Absent: the mutator's own (live) history.
   */
  history?: MutationHistory;
  signal?: AbortSignal;
}

export type MutationResult =
  | { ok: true; files: AgentFiles; info: MutationInfo }
  /** The child is recorded with this status and the error, and the campaign goes on. */
  | { ok: false; status: 'patch_failed' | 'invalid'; error: string; info: MutationInfo };

export interface Mutator {
  readonly name: string;
  /** Whether `mutate` reads the archive's history (then the loop passes `MutationRequest.history`). */
  readonly readsHistory?: boolean;
  mutate(request: MutationRequest): Promise<MutationResult>;
}

/** Read access to the archive, injected by the wiring. */
export interface MutationHistory {
  /** Every node recorded so far. */
  nodes(): readonly AgentNode[];
  /** A node's evaluations (for log excerpts). */
  evaluations(nodeId: number): readonly EvaluationRecord[];
}
