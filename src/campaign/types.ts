/**
 * @module What the campaign loop needs, as interfaces only. Concrete implementations are chosen in
 * one place (`createCampaign`, the CLI).
 */
import type { ArchiveStore } from '../archive/types.js';
import type { AgentFiles, EvaluationRecord, RunEvent, StopReason } from '../core/types.js';
import type { CodeStore } from '../lineage/types.js';
import type { Mutator } from '../mutation/types.js';
import type { SandboxLimits } from '../sandbox/types.js';
import type { CandidateDescriber, EvaluationScheduler, ParentSelector } from '../selection/types.js';
import type { NodeEvaluation } from '../tasks/evaluate-node.js';
import type { EvaluationSummary } from '../tasks/summarize-evaluations.js';
import type { EvaluationJob } from '../tasks/types.js';
import type { EvaluationPlan } from './evaluation-plan.js';

/**
 * Evaluates an agent tree on `jobs` (default: every job of the task); bound to a task, a sandbox
 * and limits by the wiring. `nodeId` is the node evaluated (model calls its agent makes are charged to it).
 */
export type NodeEvaluator = (
  files: AgentFiles,
  signal?: AbortSignal,
  jobs?: readonly EvaluationJob[],
  nodeId?: number,
) => Promise<NodeEvaluation>;

/**
 * How evaluation effort is spent. Without it the loop evaluates each child on every job at once.
 * With it, a child first runs the scheduler's initial jobs (staged: its first stage) and is
 * recorded; later jobs are appended to it in their own transactions and its score is recomputed
 * from all.
 */
export interface EvaluationScheme {
  plan: EvaluationPlan;
  /** A node's status, score and metrics from all its evaluations (the task's aggregate). */
  summarize(records: readonly Omit<EvaluationRecord, 'nodeId'>[]): EvaluationSummary;
  /**
   * Who decides how far each node is evaluated and whether a free worker expands or evaluates
   * further: the selector kind's scheduler (`createEvaluationScheduler`, e.g. HGM's). Absent: the
   * staged plan (`stagedScheduler`).
   */
  scheduler?: EvaluationScheduler;
}

export interface CampaignSettings {
  seed: number;
  /** Children to have in the archive when the run ends (the seed not counted). */
  iterations: number;
  /** Stop starting children after this long (this invocation); null for no limit. */
  wallClockSeconds: number | null;
  workers: number;
  /** Scored archive members shown to the mutator besides the parent. */
  inspirations: number;
  limits: SandboxLimits;
}

export interface CampaignDependencies {
  archive: ArchiveStore;
  code: CodeStore;
  evaluate: NodeEvaluator;
  mutator: Mutator;
  selector: ParentSelector;
  /**
   * What is recorded about each node's code for selection: the selector kind's describer
   * (`createCandidateDescriber`; the built-in code features `codeLength`/`diversity` unless the kind
   * brings its own).
   */
  describer: CandidateDescriber;
  /** Staged / incremental evaluation and its scheduler; absent: every job at once. */
  evaluation?: EvaluationScheme;
  /** The seed agent's files (read only when the seed node is not yet in the archive). */
  seedFiles: () => Promise<AgentFiles>;
  clock?: () => Date;
  onEvent?: (event: RunEvent) => void;
  /** Stop starting children; running evaluations finish and are recorded. */
  stopSignal?: AbortSignal;
  /** Kill running evaluations; they are discarded and redone on resume. */
  abortSignal?: AbortSignal;
  /** Why no further child may start (a spent model budget: `budget.usd`, `budget.tokens`), or null. */
  budgetExceeded?: () => string | null;
  /**
   * Why no further child may start because the model cannot be reached (several calls in a row found
   * nothing answering), or null. Running children finish; the campaign stops with `model-unreachable`.
   */
  modelUnreachable?: () => string | null;
  /** Fixes the order of creations and records (`clade replay --campaign`); absent in normal runs. */
  schedule?: CampaignSchedule;
}

/**
 * The order in which a replayed campaign creates and records children. A worker asks before it
 * selects a parent for a new child and before it records an evaluated child, so the archive changes
 * in exactly the recorded order whatever the evaluations' durations.
 */
export interface CampaignSchedule {
  /** Resolves true when this worker may create the next child now, false when it should stop. */
  beforeCreate(): Promise<boolean>;
  /** Resolves when node `id` may be recorded; rejects with `EvaluationAbortedError` to discard it. */
  beforeRecord(id: number): Promise<void>;
}

export interface CampaignSummary {
  reason: StopReason;
  /** What stopped it, in words, when the reason needs them (`model-unreachable`: the calls' error). */
  stopDetail?: string;
  /** Nodes in the archive, seed included. */
  nodes: number;
  /** Children recorded in this invocation. */
  recorded: number;
  rootScore: number | null;
  bestNodeId: number | null;
  bestScore: number | null;
  durationMs: number;
  functionEvaluations: number;
  /** Counts per node status over the whole archive. */
  statuses: Record<string, number>;
  /** Where the time of making children went in this invocation. */
  timings: CampaignTimings;
}

/**
 * Wall time the loop spent in each step of making a child, summed over the children made and
 * recorded in this invocation (ms). Workers overlap, so the sums may exceed `durationMs`; divide by
 * `children` for the time per child. Always measured (a few `performance.now()` calls per child).
 * Later stages of a staged evaluation are not included.
 */
export interface CampaignTimings {
  /** Children the sums cover. */
  children: number;
  /** Choosing the parent (`selector.select`). */
  selectionMs: number;
  /** Loading the parent's and the inspirations' files, and `mutator.mutate`. */
  mutationMs: number;
  /** Writing the child's commit (`code.commit`). */
  commitMs: number;
  /** The child's first evaluation (`evaluate`: bundling, the sandbox run, the agent's jobs). */
  evaluationMs: number;
  /** Describing the child's code for selection (`describer.describe`). */
  describeMs: number;
  /** Recording the node and its evaluations (`archive.recordNode`: one SQLite transaction). */
  recordMs: number;
  /** Pointing the node's ref at its commit (`code.setNodeRef`). */
  refMs: number;
}
