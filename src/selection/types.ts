/**
 * @module The `ParentSelector` plug-in point and what comes with a selector kind: its evaluation
 * scheduler and its candidate describer. Selectors are pure functions over an archive snapshot and
 * a seeded random source.
 */
import type { z } from 'zod';
import type { OutcomeCounts } from '../core/outcomes.js';
import type { PluginKind } from '../core/plugin.js';
import type { Random } from '../core/random.js';
import type { AgentFiles, AgentNode, NodeStatus } from '../core/types.js';

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

/**
 * The evaluation plan as a scheduler sees it: how many jobs a node has in all, and the cumulative
 * stages (`end`: jobs up to that position in plan order; `threshold`: the score needed to go on).
 */
export interface PlanOutline {
  readonly jobCount: number;
  readonly stages: readonly { readonly end: number; readonly threshold: number }[];
}

/** What the campaign loop shows a scheduler when a worker is free. */
export interface SchedulingView {
  readonly plan: PlanOutline;
  /** The candidates (the loop's pool), in the order nodes were added. */
  readonly nodes: readonly SelectionCandidate[];
  /** Nodes in the archive, the seed included. */
  readonly nodeCount: number;
  /** Children started and not yet recorded (pending expansions). */
  readonly pendingChildren: number;
  /** Evaluation records of every node, in all. */
  readonly evaluationCount: number;
  /** Evaluation records of node `nodeId` (a prefix of the plan). */
  evaluated(nodeId: number): number;
  /** Whether node `nodeId` is being evaluated now (it may not get a second batch at once). */
  busy(nodeId: number): boolean;
  /**
   * The random stream of one decision, derived from the campaign seed and `parts` (the same parts
   * give the same stream, so a regrown campaign decides alike).
   */
  random(...parts: readonly (string | number)[]): Random;
}

/** What a free worker does next: make a child, or run the next `jobCount` plan jobs of a node. */
export type SchedulingDecision = { kind: 'expand' } | { kind: 'evaluate'; nodeId: number; jobCount: number };

/**
 * How a campaign spends evaluation effort when the task's jobs are planned (`evaluation` scheme):
 * how many jobs a new child runs before it is recorded, whether a recorded node goes on at once,
 * and, per free worker, whether to expand or evaluate an existing node further. The campaign loop
 * asks only this interface; a selector kind may bring its own (`SelectorKind.scheduler`, HGM), the
 * default is the staged plan (`stagedScheduler` in `campaign/evaluation-plan.ts`).
 */
export interface EvaluationScheduler {
  readonly name: string;
  /** Plan jobs a new child is evaluated on before it is recorded (≥ 1, ≤ `plan.jobCount`). */
  initialJobs(plan: PlanOutline): number;
  /**
   * Whether nodes are evaluated in several batches, so a node's status, score and metrics come
   * from the scheme's summary of all its evaluations (else the evaluator's own metrics stand).
   */
  incremental(plan: PlanOutline): boolean;
  /**
   * Plan jobs the worker that just recorded a batch of node evaluations runs next on the same node
   * (0: none), given the jobs done and the node's score. Also asked on resume, for every scored
   * node, to continue what a crash interrupted.
   */
  continueWith(plan: PlanOutline, done: number, score: number | null): number;
  /** What a free worker does when the budget allows another child. Uses only `view.random` for chance. */
  next(view: SchedulingView): SchedulingDecision;
}

/**
 * What the campaign loop learns about a node for selection: numbers computed from its code when
 * it is recorded (stored in its private metrics), and the `features` of its candidate.
 */
export interface CandidateDescriber {
  /**
   * Numbers about the agent's code, stored in the node's private metrics. `seedFiles` reads the
   * seed agent's files (node 0) on demand; called once per recorded node, the seed first.
   */
  describe(files: AgentFiles, seedFiles: () => Promise<AgentFiles>): Promise<Record<string, number>>;
  /** The candidate `features` of a node from its metrics (kept in step as the node is re-scored). */
  features(node: Pick<AgentNode, 'publicMetrics' | 'privateMetrics'>): Record<string, number>;
}

/** The campaign file's `selection` section: the strategy, the shared λ / α0, each kind's options under its key. */
export interface SelectionSection {
  readonly strategy: string;
  /** Sigmoid steepness λ of `dgm` and `weighted`. */
  readonly lambda: number;
  /** DGM sigmoid midpoint α0. */
  readonly alpha0: number;
  readonly [optionsKey: string]: unknown;
}

/**
 * One selection strategy as a value (`selectorKinds` in `registry.ts` lists them). `options`: the
 * strategy's own options, under `key` in the `selection` section (every field with a default);
 * `create` builds the selector; `scheduler`, when present, replaces the staged plan's scheduling;
 * `describer`, when present, replaces the default code features (`codeFeatureDescriber`).
 */
export interface SelectorKind extends PluginKind {
  readonly options?: { readonly key: string; readonly schema: z.ZodObject };
  create(section: SelectionSection): ParentSelector;
  scheduler?(section: SelectionSection): EvaluationScheduler;
  describer?(section: SelectionSection): CandidateDescriber;
}
