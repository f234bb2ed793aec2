/**
 * @module The web viewer's contract: the JSON its HTTP API serves (`clade serve`), read by the page
 * in `static/` and by scripts. Everything here is read from the archive and the lineage store; the
 * viewer never writes either.
 */
import type { EvaluationRecord, Metrics, MutationInfo, NodeStatus } from '../core/types.js';

/** `GET /api/summary`: the campaign at a glance. */
export interface ViewerSummary {
  campaign: { id: string; name: string; seed: number; createdAt: string; configPath: string } | null;
  /** The campaign directory as given to `clade serve`. */
  directory: string;
  nodes: number;
  scored: number;
  /** Nodes per status (every status present, zero included). */
  statusCounts: Record<NodeStatus, number>;
  root: { id: number; score: number | null } | null;
  best: { id: number; score: number } | null;
  /** Whether a `clade run`/`resume` process holds the directory's lock right now. */
  running: boolean;
  modelCalls: { count: number; tokensIn: number; tokensOut: number; costUsd: number };
  /** Id of the last archive event the viewer has read (the live stream continues after it). */
  lastEventId: number;
}

/**
 * `GET /api/nodes[?after=ID]`: nodes as parallel columns (one array per field, index i is one node),
 * ordered by id. Compact enough for 100,000 nodes; `after` returns only nodes with a larger id.
 */
export interface CompactNodes {
  /** `status[i]` is an index into this list. */
  statuses: readonly NodeStatus[];
  id: number[];
  parent: Array<number | null>;
  status: number[];
  score: Array<number | null>;
  iteration: number[];
  /** When the node was evaluated (or created, when it never was), in ms since the epoch. */
  time: number[];
  operator: string[];
  /** The mutation summary, cut to `SUMMARY_LIMIT` characters. */
  summary: string[];
}

/** One model call, as the node panel shows it: the transcript plus usage. */
export interface ViewerModelCall {
  id: number;
  provider: string;
  model: string;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  latencyMs: number;
  attempts: number;
  createdAt: string;
  /** The request's messages and the response's text, in order. */
  transcript: TranscriptMessage[];
}

/** One turn of a model transcript. `role` is `system`, `user`, `assistant`, `tool` or what the provider said. */
export interface TranscriptMessage {
  role: string;
  text: string;
}

/** `GET /api/nodes/:id`: everything the node panel shows. */
export interface NodeDetail {
  node: {
    id: number;
    parentId: number | null;
    commit: string;
    status: NodeStatus;
    score: number | null;
    publicMetrics: Metrics;
    /** How many private (held-out) metrics the node has; their values are not served. */
    privateMetricCount: number;
    mutation: MutationInfo;
    error: string | null;
    iteration: number;
    createdAt: string;
    evaluatedAt: string | null;
    /** Text the evaluator handed back (errors, feedback), by name; `{}` when none. Shown as text, never as HTML. */
    artifacts: Record<string, string>;
  };
  parent: { id: number; score: number | null; status: NodeStatus } | null;
  children: Array<{ id: number; score: number | null; status: NodeStatus }>;
  /** Ancestors from the root to the node itself. */
  lineage: Array<{ id: number; score: number | null }>;
  evaluations: EvaluationRecord[];
  /** Unified diff against the parent's code (for the root: all of its code, as added). */
  diff: { text: string; truncated: boolean; error: string | null };
  modelCalls: ViewerModelCall[];
}

/** `GET /api/progress`: one point per node in creation order, with the best score so far. */
export interface ProgressPoint {
  id: number;
  time: number;
  score: number | null;
  best: number | null;
}

/** A running viewer. */
export interface ViewerServer {
  /** `http://127.0.0.1:<port>/`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting requests, ends live streams and closes the archive. */
  close(): Promise<void>;
}
