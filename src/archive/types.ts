/**
 * @module The archive: one SQLite database per campaign directory (`archive.db`, WAL mode) holding
 * the campaign, its nodes, their evaluations, model calls and events.
 */
import type { AgentNode, EvaluationRecord } from '../core/types.js';

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

/** A stored model call (filled by the model issue; empty for offline campaigns). */
export interface ModelCallRecord {
  id: number;
  nodeId: number | null;
  provider: string;
  model: string;
  request: unknown;
  response: unknown;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  latencyMs: number;
  attempts: number;
  createdAt: string;
}

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
  getNode(id: number): AgentNode | null;
  /** All nodes, ordered by id. */
  listNodes(): AgentNode[];
  nodeCount(): number;
  /** Largest node id, or null when there is none. */
  maxNodeId(): number | null;
  evaluations(nodeId: number): EvaluationRecord[];
  recordModelCall(call: Omit<ModelCallRecord, 'id' | 'createdAt'>): number;
  modelCalls(nodeId: number): ModelCallRecord[];
  recordEvent(type: string, data: unknown, nodeId?: number | null): void;
  /** Most recent events last; `afterId` for incremental reads. */
  events(options?: { afterId?: number; limit?: number }): EventRecord[];
  /** Current schema version (number of the last applied migration). */
  schemaVersion(): number;
  close(): void;
}
