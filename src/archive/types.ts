/**
 * @module The archive: one SQLite database per campaign directory (`archive.db`, WAL mode) holding
 * the campaign, its nodes, their evaluations, model calls and events.
 */
import type { OutcomeCounts } from '../core/outcomes.js';
import type { AgentNode, EvaluationRecord } from '../core/types.js';
import type { StoredModelCall } from '../model/types.js';

export interface CampaignRecord {
  /** Stable id (the campaign name plus a random suffix). */
  id: string;
  name: string;
  seed: number;
  /** The resolved campaign configuration, as JSON. */
  config: unknown;
  /** Absolute path of the campaign file it was started from. */
  configPath: string;
  createdAt: string;
}

/** A stored model call: the one declaration, `StoredModelCall` in `src/model/types.ts`. */
export type ModelCallRecord = StoredModelCall;

/** A node's place in the tree and its outcome counts (kept incrementally; migration 2). */
export interface NodeStatsRecord {
  nodeId: number;
  /** 0 for the root. */
  depth: number;
  /** Recorded children. */
  children: number;
  /** The node's own evaluations (graded: score as passes, 1 − score as failures). */
  own: OutcomeCounts;
  /** Own plus every descendant's: the clade HGM's metaproductivity is estimated from. */
  clade: OutcomeCounts;
}

/** What changes on a recorded node when more of its evaluations arrive (staged or HGM evaluation). */
export type NodeEvaluationUpdate = Pick<
  AgentNode,
  'id' | 'status' | 'score' | 'publicMetrics' | 'privateMetrics' | 'error' | 'evaluatedAt'
> & {
  /** The artifacts of the latest evaluation; when given they replace the node's (an empty map clears them). */
  artifacts?: Record<string, string>;
};

export interface EventRecord {
  id: number;
  type: string;
  nodeId: number | null;
  data: unknown;
  createdAt: string;
}

export interface ArchiveStore {
  /** Path of the database file. */
  readonly path: string;
  /** The campaign stored here, or null for a new archive. */
  getCampaign(): CampaignRecord | null;
  createCampaign(campaign: CampaignRecord): void;
  /** Writes the node and all its evaluations in one transaction (with a `node-recorded` event). */
  recordNode(node: AgentNode, evaluations: readonly EvaluationRecord[]): void;
  /**
   * Adds evaluations to a recorded node and updates its status, score and metrics, in one
   * transaction (with an `evaluations-appended` event); its own and its ancestors' clade counts
   * grow by the new outcomes (O(depth) rows).
   */
  appendEvaluations(update: NodeEvaluationUpdate, evaluations: readonly EvaluationRecord[]): void;
  /** Every node's depth, children and own/clade outcome counts, ordered by id. */
  nodeStats(): NodeStatsRecord[];
  getNode(id: number): AgentNode | null;
  /** All nodes, ordered by id. */
  listNodes(): AgentNode[];
  nodeCount(): number;
  /** Largest node id, or null when there is none. */
  maxNodeId(): number | null;
  /**
   * Largest node id that something is recorded under: stored nodes and model calls. A child lost to
   * a crash after it called a model keeps its id, so a resumed campaign never files new calls under
   * the old ones. A lost child with nothing recorded gives its id back: the resumed campaign remakes
   * the same child (a seeded mutator makes the same code), whose queued evaluation it re-attaches to.
   * Null when there is none.
   */
  maxAssignedNodeId(): number | null;
  /** Ids of the node's children, in id order (one indexed query). */
  childIds(nodeId: number): number[];
  /** The scored node with the highest score (lowest id on ties), or null (one indexed query). */
  bestNode(): AgentNode | null;
  evaluations(nodeId: number): EvaluationRecord[];
  recordModelCall(call: Omit<ModelCallRecord, 'id' | 'createdAt'>): number;
  modelCalls(nodeId: number): ModelCallRecord[];
  /** Every model call, ordered by id (recorded-call replay). */
  listModelCalls(): ModelCallRecord[];
  /** Number of model calls in the whole archive, with their summed tokens and cost (one query). */
  modelCallTotals(): { count: number; tokensIn: number; tokensOut: number; costUsd: number };
  recordEvent(type: string, data: unknown, nodeId?: number | null): void;
  /** Most recent events last; `afterId` for incremental reads. */
  events(options?: { afterId?: number; limit?: number }): EventRecord[];
  /** Current schema version (number of the last applied migration). */
  schemaVersion(): number;
  close(): void;
}
