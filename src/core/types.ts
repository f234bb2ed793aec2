/**
 * @module Domain types shared by every area. This module imports nothing.
 */

/**
 * What became of a child. A failed child is a result, not an exception.
 * - `scored`: evaluated; `score` is set.
 * - `patch_failed`: the mutation could not be applied.
 * - `build_failed`: the agent's code did not compile or bundle.
 * - `timeout`: the evaluation ran past its wall-clock limit and was killed.
 * - `crashed`: the agent process died (uncaught error, memory cap, signal).
 * - `invalid`: the evaluation ended but its result was missing or malformed, or the mutator gave up.
 */
export type NodeStatus = 'scored' | 'patch_failed' | 'build_failed' | 'timeout' | 'crashed' | 'invalid';

export const NODE_STATUSES: readonly NodeStatus[] = [
  'scored',
  'patch_failed',
  'build_failed',
  'timeout',
  'crashed',
  'invalid',
];

/** Named numeric (or short text) measurements. */
export type Metrics = Record<string, number | string | boolean | null>;

/**
 * In one job's metrics (`EvaluationRecord.metrics`), a name starting with this prefix is a private
 * metric (held out from models and from the viewer); the task's `aggregate` moves it into the
 * node's private metrics. Program tasks use it for their evaluator's `private` metrics.
 */
export const PRIVATE_METRIC_PREFIX = 'private:';

/** An agent's source tree: relative POSIX path → UTF-8 text. */
export type AgentFiles = Record<string, string>;

/** How a node was made from its parent. */
export interface MutationInfo {
  /** Mutator name, e.g. `parametric`, `llm-diff`, or `seed` for the root. */
  operator: string;
  /** One line for people: what changed. */
  summary: string;
  /** Mutator-specific, JSON-serialisable details (changed parameters, prompt ids, …). */
  details?: Record<string, unknown>;
}

/** A node of the agent tree as stored in the archive. */
export interface AgentNode {
  /** 0 for the seed agent, then increasing in order of creation. */
  id: number;
  parentId: number | null;
  /** Git commit of the agent's code in the campaign's lineage repository. */
  commit: string;
  status: NodeStatus;
  /**
   * Mean task score (in [0, 1] for the built-in tasks; a program task's raw score mapped by its
   * direction and declared range, see docs/PROGRAM.md); null unless `status` is `scored`.
   */
  score: number | null;
  /** Shown to models and in the viewer. */
  publicMetrics: Metrics;
  /** Held out: never shown to a model. */
  privateMetrics: Metrics;
  mutation: MutationInfo;
  /** Why the node is not scored (or a note on a scored one). */
  error: string | null;
  /** Iteration of the campaign loop that made it (0 for the seed). */
  iteration: number;
  /** ISO-8601 timestamps. */
  createdAt: string;
  evaluatedAt: string | null;
  /**
   * Text the evaluation handed back beside its score (a program task's evaluator: errors, stderr,
   * feedback), by name; capped. Shown by `clade show`, the viewer and `--json`, and put into the
   * node's children's prompts. Absent when there is none.
   */
  artifacts?: Record<string, string>;
}

/** Outcome of one evaluation job. */
export type EvaluationStatus = 'ok' | 'failed' | 'timeout' | 'crashed' | 'invalid';

/** One row per node × problem × repeat. */
export interface EvaluationRecord {
  nodeId: number;
  /** Problem id within the task, e.g. `rastrigin-d10`. */
  problem: string;
  repeat: number;
  /** Seed the agent's random source got for this job. */
  seed: number;
  status: EvaluationStatus;
  /** In [0, 1]; 0 when the agent failed the job (it counts against the node), null when the evaluation never ran (timeout, crash). */
  score: number | null;
  /** Per-job measurements, e.g. final error and evaluations used. */
  metrics: Metrics;
  durationMs: number;
  /** The tail of the agent's output or the error, capped. */
  logExcerpt: string;
}

/** Events the campaign emits (noun-verb), stored in the archive and shown as progress. */
export type RunEvent =
  | { type: 'campaign-started'; campaign: string; resumed: boolean; nodes: number }
  | { type: 'node-created'; nodeId: number; parentId: number; operator: string }
  | {
      type: 'evaluation-finished';
      nodeId: number;
      status: NodeStatus;
      score: number | null;
      durationMs: number;
      functionEvaluations: number;
    }
  | { type: 'node-recorded'; node: AgentNode }
  /** More evaluations of a recorded node (a later stage, or one HGM task); `node` is its new record. */
  | { type: 'node-updated'; node: AgentNode; jobs: number }
  | { type: 'campaign-stopping'; reason: StopReason; inFlight: number }
  | {
      type: 'campaign-finished';
      reason: StopReason;
      nodes: number;
      bestNodeId: number | null;
      bestScore: number | null;
    };

/** Why a campaign stopped. */
export type StopReason =
  | 'iterations'
  | 'wall-clock'
  | 'budget'
  /** The model could not be reached in several calls in a row (see `ModelLedger.modelUnreachable`). */
  | 'model-unreachable'
  | 'interrupted'
  | 'aborted'
  | 'error';
