/**
 * @module The `Mutator` plug-in point: make a child's code from a parent's.
 * Implementations are the kinds in `registry.ts`: `parametric` (offline default), `llm-diff`, `llm-rewrite`, `self-modify`.
 */
import type { Random } from '../core/random.js';
import type { AgentFiles, AgentNode, MutationInfo } from '../core/types.js';

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
  signal?: AbortSignal;
}

export type MutationResult =
  | { ok: true; files: AgentFiles; info: MutationInfo }
  /** The child is recorded with this status and the error, and the campaign goes on. */
  | { ok: false; status: 'patch_failed' | 'invalid'; error: string; info: MutationInfo };

export interface Mutator {
  readonly name: string;
  mutate(request: MutationRequest): Promise<MutationResult>;
}
