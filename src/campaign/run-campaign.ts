/**
 * @module The loop: select → mutate → commit → evaluate → record, with K workers in parallel.
 * A node and its evaluations are written in one transaction after it is evaluated, and its git ref
 * is set after that, so a `kill -9` at any point loses at most the children being evaluated, and
 * `resume` repairs a missing ref from the commit stored in the archive.
 *
 * With an evaluation scheme a node is recorded with its first evaluations, and later evaluations
 * are appended in their own transactions (a node has always been evaluated on a prefix of the plan,
 * so its evaluation count says where it stands). The scheme's `EvaluationScheduler` decides how
 * far: how many jobs a new child runs, whether the worker goes on with a recorded node at once
 * (staged: the next stage when the node reached the threshold; resume continues what a crash
 * interrupted), and whether a free worker makes a child or evaluates an existing node further
 * (HGM). The loop knows no scheduler and no selector by name: they come with the selection kind,
 * as does the `CandidateDescriber` that says what is recorded about a node's code for selection.
 */
import { getMaxListeners, setMaxListeners } from 'node:events';
import { CladeError, describeError } from '../core/errors.js';
import { sumOutcomes } from '../core/outcomes.js';
import { createRandom } from '../core/random.js';
import type { AgentFiles, AgentNode, NodeStatus, RunEvent, StopReason } from '../core/types.js';
import { EvaluationAbortedError } from '../harness/run-harness.js';
import type { MutationHistory, NodeWithCode } from '../mutation/types.js';
import { CandidatePool } from '../selection/candidate-pool.js';
import type {
  CandidateDescriber,
  EvaluationScheduler,
  PlanOutline,
  SchedulingDecision,
  SchedulingView,
} from '../selection/types.js';
import type { NodeEvaluation } from '../tasks/evaluate-node.js';
import type { EvaluationJob } from '../tasks/types.js';
import { outlineOf, stagedScheduler } from './evaluation-plan.js';
import type { CampaignDependencies, CampaignSettings, CampaignSummary, CampaignTimings } from './types.js';

/** What a free worker does next. */
type WorkerAction = { kind: 'expand' } | { kind: 'evaluate'; nodeId: number; jobs: EvaluationJob[] };

const FILE_CACHE_SIZE = 256;

/** Runs (or continues) the campaign stored in `dependencies.archive` until a budget or a stop. */
export async function runCampaign(
  settings: CampaignSettings,
  dependencies: CampaignDependencies,
): Promise<CampaignSummary> {
  const loop = new CampaignLoop(settings, dependencies);
  return loop.run();
}

/** Most listeners one running child may hold on the campaign's signals at once (see `run`). */
const LISTENERS_PER_CHILD = 4;

class CampaignLoop {
  private readonly clock: () => Date;
  private readonly nodes = new Map<number, AgentNode>();
  /** What selectors see: kept in place and journaled, so selectors update their state per change. */
  private readonly candidates = new CandidatePool();
  private readonly fileCache = new Map<string, AgentFiles>();
  private nextId = 0;
  private childrenRecorded = 0;
  private childrenStarted = 0;
  /** Children created and not yet recorded. */
  private readonly startedIds = new Set<number>();
  private recordedThisRun = 0;
  /** Time per step of making children, summed (see `CampaignTimings`). */
  private readonly timings: CampaignTimings = {
    children: 0,
    selectionMs: 0,
    mutationMs: 0,
    commitMs: 0,
    evaluationMs: 0,
    describeMs: 0,
    recordMs: 0,
    refMs: 0,
  };
  private functionEvaluations = 0;
  private stopReason: StopReason | null = null;
  /** `CampaignSummary.stopDetail`. */
  private stopDetail: string | null = null;
  private failure: unknown = null;
  private startedAt = 0;
  /** Evaluation records per node (a prefix of the plan), and in all. */
  private readonly evaluated = new Map<number, number>();
  private evaluationCount = 0;
  /** Nodes with more evaluations running (at most one batch per node, so records stay a prefix). */
  private readonly evaluating = new Set<number>();
  /** Staged nodes a crash interrupted between stages, continued first on resume. */
  private readonly continuations: number[] = [];
  /** The scheme's scheduler (the staged plan unless the selector kind brings one). */
  private readonly scheduler: EvaluationScheduler;
  private readonly plan: PlanOutline | null;
  private readonly describer: CandidateDescriber;
  /** What the scheduler sees: live views of the loop's counts. */
  private readonly view: SchedulingView;

  constructor(
    private readonly settings: CampaignSettings,
    private readonly dependencies: CampaignDependencies,
  ) {
    this.clock = dependencies.clock ?? (() => new Date());
    const scheme = dependencies.evaluation;
    this.scheduler = scheme?.scheduler ?? stagedScheduler;
    this.plan = scheme ? outlineOf(scheme.plan) : null;
    this.describer = dependencies.describer;
    const loop = this;
    this.view = {
      plan: this.plan ?? { jobCount: 0, stages: [] },
      nodes: this.candidates.nodes,
      get nodeCount() {
        return loop.nodes.size;
      },
      get pendingChildren() {
        return loop.childrenStarted;
      },
      get evaluationCount() {
        return loop.evaluationCount;
      },
      evaluated: (nodeId) => this.evaluated.get(nodeId) ?? 0,
      busy: (nodeId) => this.evaluating.has(nodeId),
      random: (...parts) => createRandom(this.settings.seed, ...parts),
    };
  }

  async run(): Promise<CampaignSummary> {
    this.startedAt = Date.now();
    // Every running child may listen on these signals at once (its model call and the wait before a
    // retry, its sandbox runs, its agent's model-proxy session), each listener removed when done: not a
    // leak, so Node's warning threshold (10) grows with the workers instead of firing at 11.
    for (const signal of [this.dependencies.stopSignal, this.dependencies.abortSignal]) {
      if (signal) {
        setMaxListeners(Math.max(getMaxListeners(signal), 10 + LISTENERS_PER_CHILD * this.settings.workers), signal);
      }
    }
    const { archive } = this.dependencies;
    const existing = archive.listNodes();
    for (const node of existing) this.remember(node);
    this.loadStatistics();
    await this.repairRefs(existing);
    this.nextId = (archive.maxAssignedNodeId() ?? -1) + 1;
    this.childrenRecorded = existing.filter((node) => node.parentId !== null).length;
    this.emit({
      type: 'campaign-started',
      campaign: archive.getCampaign()?.name ?? '',
      resumed: existing.length > 0,
      nodes: existing.length,
    });

    if (!this.nodes.has(0)) await this.evaluateSeed();
    const root = this.nodes.get(0);
    if (root?.status !== 'scored') {
      throw new CladeError(
        'AGENT_INVALID',
        `The seed agent did not score (status ${root?.status ?? 'missing'}): ${root?.error ?? 'no error recorded'}\n` +
          'Fix the seed agent and start a new campaign; `clade show <dir> 0` shows its logs.',
      );
    }

    this.findInterruptedStages();
    const workers = Array.from({ length: this.settings.workers }, () => this.worker());
    await Promise.all(workers);
    if (this.failure !== null) throw this.failure;
    const reason = this.stopReason ?? 'iterations';
    const summary = this.summary(reason);
    this.emit({
      type: 'campaign-finished',
      reason,
      nodes: summary.nodes,
      bestNodeId: summary.bestNodeId,
      bestScore: summary.bestScore,
    });
    return summary;
  }

  /** One worker: keeps making children (or evaluating nodes further) until a budget is spent or a stop. */
  private async worker(): Promise<void> {
    for (let action = this.nextAction(); action !== null; action = this.nextAction()) {
      if (action.kind === 'evaluate') {
        this.evaluating.add(action.nodeId);
        try {
          await this.evaluateFurther(action.nodeId, action.jobs);
        } catch (error) {
          this.fail(error);
        } finally {
          this.evaluating.delete(action.nodeId);
        }
        continue;
      }
      // Replay fixes the order of creations and records; a normal run has no schedule.
      if (this.dependencies.schedule && !(await this.dependencies.schedule.beforeCreate())) break;
      this.childrenStarted++;
      const id = this.nextId++;
      this.startedIds.add(id);
      const iteration = this.childrenRecorded + this.childrenStarted;
      try {
        await this.makeChild(id, iteration);
      } catch (error) {
        this.fail(error);
      } finally {
        // A recorded child stopped counting as started when it was recorded (see makeChild).
        if (this.startedIds.delete(id)) this.childrenStarted--;
      }
    }
  }

  private fail(error: unknown): void {
    if (error instanceof EvaluationAbortedError) {
      this.stop('aborted');
    } else {
      this.failure ??= error;
      this.stop('error');
    }
  }

  /**
   * The next thing a free worker does, or null when it is done: stages a crash interrupted first,
   * then, while the budget allows another child, what the scheduler decides (without an evaluation
   * scheme: always a child).
   */
  private nextAction(): WorkerAction | null {
    if (this.stopReason !== null) return null;
    const interrupted = this.continuations.shift();
    if (interrupted !== undefined) {
      const jobs = this.continuationJobs(interrupted);
      if (jobs.length > 0) return { kind: 'evaluate', nodeId: interrupted, jobs };
      return this.nextAction();
    }
    if (!this.shouldStartChild()) return null;
    const plan = this.dependencies.evaluation?.plan;
    if (!plan) return { kind: 'expand' };
    return this.actionOf(this.scheduler.next(this.view), plan.jobs);
  }

  /** A scheduler's decision as worker action, checked: a node it names must exist, be idle and have jobs left. */
  private actionOf(decision: SchedulingDecision, jobs: readonly EvaluationJob[]): WorkerAction {
    if (decision.kind === 'expand') return decision;
    const done = this.evaluated.get(decision.nodeId) ?? 0;
    const chosen = jobs.slice(done, done + decision.jobCount);
    if (!this.nodes.has(decision.nodeId) || this.evaluating.has(decision.nodeId) || chosen.length === 0) {
      throw new CladeError(
        'NODE_NOT_FOUND',
        `Evaluation scheduler ${this.scheduler.name} chose node ${decision.nodeId} for ${decision.jobCount} more job(s), ` +
          `but that node is unknown, being evaluated, or has no jobs left (${done} of ${jobs.length} done). ` +
          'A scheduler may only choose idle nodes with jobs left; fix the scheduler.',
      );
    }
    return { kind: 'evaluate', nodeId: decision.nodeId, jobs: chosen };
  }

  /** The jobs the scheduler continues a recorded node with now (none without a scheme). */
  private continuationJobs(nodeId: number): EvaluationJob[] {
    const node = this.nodes.get(nodeId);
    const scheme = this.dependencies.evaluation;
    if (!node || !scheme || !this.plan) return [];
    const done = this.evaluated.get(nodeId) ?? 0;
    return scheme.plan.jobs.slice(done, done + this.scheduler.continueWith(this.plan, done, node.score));
  }

  private shouldStartChild(): boolean {
    if (this.stopReason !== null) return false;
    if (this.dependencies.stopSignal?.aborted) return this.stop('interrupted');
    if (this.dependencies.abortSignal?.aborted) return this.stop('aborted');
    if (this.childrenRecorded + this.childrenStarted >= this.settings.iterations) return false;
    const limit = this.settings.wallClockSeconds;
    if (limit !== null && Date.now() - this.startedAt >= limit * 1000) return this.stop('wall-clock');
    if (this.dependencies.budgetExceeded?.() != null) return this.stop('budget');
    const unreachable = this.dependencies.modelUnreachable?.() ?? null;
    if (unreachable !== null) {
      this.stopDetail ??= unreachable;
      return this.stop('model-unreachable');
    }
    return true;
  }

  private stop(reason: StopReason): false {
    if (this.stopReason === null) {
      this.stopReason = reason;
      this.emit({ type: 'campaign-stopping', reason, inFlight: this.childrenStarted });
    }
    return false;
  }

  private async evaluateSeed(): Promise<void> {
    const files = await this.dependencies.seedFiles();
    const commit = await this.dependencies.code.commit(files, null, 'node 0: seed agent');
    // The seed is every child's reference: it is evaluated on every job, whatever the scheme.
    const evaluation = await this.dependencies.evaluate(
      files,
      this.dependencies.abortSignal,
      this.dependencies.evaluation?.plan.jobs,
      0,
    );
    this.record(
      {
        id: 0,
        parentId: null,
        commit,
        iteration: 0,
        mutation: { operator: 'seed', summary: 'seed agent' },
        createdAt: this.now(),
      },
      evaluation,
      await this.describer.describe(files, async () => files),
    );
    await this.dependencies.code.setNodeRef(0, commit);
    this.nextId = Math.max(this.nextId, 1);
    await this.continueStages(0);
  }

  /** The jobs a new node is evaluated on first (the scheduler's count), or all (undefined) without a scheme. */
  private firstJobs(): EvaluationJob[] | undefined {
    const scheme = this.dependencies.evaluation;
    if (!scheme || !this.plan) return undefined;
    return scheme.plan.jobs.slice(0, this.scheduler.initialJobs(this.plan));
  }

  /** Runs what the scheduler continues a recorded node with (staged: the next stages while it reaches their thresholds). */
  private async continueStages(nodeId: number): Promise<void> {
    for (;;) {
      const node = this.nodes.get(nodeId);
      if (node?.status !== 'scored' || this.stopReason !== null) return;
      const jobs = this.continuationJobs(nodeId);
      if (jobs.length === 0) return;
      await this.evaluateFurther(nodeId, jobs);
    }
  }

  /**
   * Runs more jobs of a recorded node and appends them in one transaction, with the node's status,
   * score and metrics recomputed from all its evaluations; then what the scheduler continues it with.
   */
  private async evaluateFurther(nodeId: number, jobs: readonly EvaluationJob[]): Promise<void> {
    const scheme = this.dependencies.evaluation;
    const node = this.nodes.get(nodeId);
    if (!scheme || !node) return;
    const files = await this.filesOf(node.commit);
    const evaluation = await this.dependencies.evaluate(files, this.dependencies.abortSignal, jobs, nodeId);
    const { archive } = this.dependencies;
    const records = [...archive.evaluations(nodeId), ...evaluation.evaluations];
    const summary = scheme.summarize(records);
    const updated: AgentNode = {
      ...node,
      status: summary.status,
      score: summary.status === 'scored' ? summary.score : null,
      publicMetrics: summary.publicMetrics,
      privateMetrics: { ...node.privateMetrics, ...summary.privateMetrics },
      error: summary.error,
      evaluatedAt: this.now(),
      ...(evaluation.artifacts ? { artifacts: evaluation.artifacts } : {}),
    };
    const added = evaluation.evaluations.map((record) => ({ ...record, nodeId }));
    archive.appendEvaluations(updated, added);
    this.functionEvaluations += evaluation.functionEvaluations;
    this.nodes.set(nodeId, updated);
    this.candidates.update(nodeId, {
      status: updated.status,
      score: updated.score,
      features: this.describer.features(updated),
    });
    this.countOutcomes(nodeId, added);
    this.emit({
      type: 'evaluation-finished',
      nodeId,
      status: updated.status,
      score: updated.score,
      durationMs: evaluation.durationMs,
      functionEvaluations: evaluation.functionEvaluations,
    });
    this.emit({ type: 'node-updated', node: updated, jobs: added.length });
    await this.continueStages(nodeId);
  }

  /** Own counts of the node, clade counts of it and its ancestors (the archive does the same). */
  private countOutcomes(nodeId: number, records: readonly { score: number | null }[]): void {
    if (records.length === 0) return;
    const outcome = sumOutcomes(records.map((record) => record.score));
    this.evaluated.set(nodeId, (this.evaluated.get(nodeId) ?? 0) + records.length);
    this.evaluationCount += records.length;
    const candidate = this.candidates.get(nodeId);
    if (candidate) {
      const own = candidate.own ?? { passes: 0, failures: 0 };
      this.candidates.update(nodeId, {
        own: { passes: own.passes + outcome.passes, failures: own.failures + outcome.failures },
      });
    }
    for (let current = this.candidates.get(nodeId); current; ) {
      const clade = current.clade ?? { passes: 0, failures: 0 };
      this.candidates.update(current.id, {
        clade: { passes: clade.passes + outcome.passes, failures: clade.failures + outcome.failures },
      });
      current = current.parentId === null ? undefined : this.candidates.get(current.parentId);
    }
  }

  /** Own and clade counts and evaluation counts from the archive (resume). */
  private loadStatistics(): void {
    for (const stats of this.dependencies.archive.nodeStats()) {
      if (!this.candidates.has(stats.nodeId)) continue;
      this.candidates.update(stats.nodeId, { own: stats.own, clade: stats.clade });
      const count = Math.round(stats.own.passes + stats.own.failures);
      this.evaluated.set(stats.nodeId, count);
      this.evaluationCount += count;
    }
  }

  /** Nodes the scheduler would have continued (a staged node past a threshold) when a crash or stop came. */
  private findInterruptedStages(): void {
    for (const node of this.nodes.values()) {
      if (node.status !== 'scored') continue;
      if (this.continuationJobs(node.id).length > 0) this.continuations.push(node.id);
    }
  }

  private async makeChild(id: number, iteration: number): Promise<void> {
    const { seed } = this.settings;
    const selectionStarted = performance.now();
    // The pool itself, not a copy: selectors follow its journal instead of rebuilding per child.
    const snapshot = this.candidates.snapshot(iteration);
    const [parentId] = this.dependencies.selector.select(snapshot, createRandom(seed, 'node', id, 'selection'), 1);
    const parent = parentId === undefined ? undefined : this.nodes.get(parentId);
    if (!parent)
      throw new CladeError('NODE_NOT_FOUND', `Selector ${this.dependencies.selector.name} returned no scored parent.`);
    const parentCandidate = this.candidates.get(parent.id);
    if (parentCandidate) this.candidates.update(parent.id, { children: parentCandidate.children + 1 });
    const createdAt = this.now();
    const mutationStarted = performance.now();
    this.emit({ type: 'node-created', nodeId: id, parentId: parent.id, operator: this.dependencies.mutator.name });

    // The history a mutator reads is the archive as it stands now, at creation (read synchronously),
    // not when the mutation happens to run: it depends on the order of creations and records only.
    const history = this.dependencies.mutator.readsHistory ? this.historyAt(parent.id) : undefined;
    // Inspirations are chosen now, at creation (an async function runs synchronously up to its first
    // await), so they depend on the order of creations and records only; their files load meanwhile.
    const inspirationsLoading = this.inspirationsFor(parent.id, id);
    inspirationsLoading.catch(() => {}); // Awaited below; this only keeps an early failure handled.
    const parentFiles = await this.filesOf(parent.commit);
    const inspirations = await inspirationsLoading;
    const mutation = await this.dependencies.mutator.mutate({
      nodeId: id,
      parent: { node: parent, files: parentFiles },
      inspirations,
      random: createRandom(seed, 'node', id, 'mutation'),
      ...(history ? { history } : {}),
      ...(this.dependencies.abortSignal ? { signal: this.dependencies.abortSignal } : {}),
    });

    const files = mutation.ok ? mutation.files : parentFiles;
    const message = `node ${id} (parent ${parent.id}): ${mutation.info.summary}`;
    const commitStarted = performance.now();
    const commit = await this.dependencies.code.commit(files, parent.commit, message);
    const base = { id, parentId: parent.id, commit, iteration, mutation: mutation.info, createdAt };
    const evaluationStarted = performance.now();
    let evaluation: NodeEvaluation;
    if (mutation.ok) {
      evaluation = await this.dependencies.evaluate(files, this.dependencies.abortSignal, this.firstJobs(), id);
    } else {
      evaluation = {
        status: mutation.status,
        score: null,
        publicMetrics: {},
        privateMetrics: {},
        error: mutation.error,
        evaluations: [],
        durationMs: 0,
        functionEvaluations: 0,
        environment: 'host',
      };
    }
    const evaluationEnded = performance.now();
    await this.dependencies.schedule?.beforeRecord(id);
    const describeStarted = performance.now();
    const description = await this.describer.describe(files, () => this.seedFiles());
    const recordStarted = performance.now();
    // The parent's pending child is now a recorded child: the count stays the same.
    this.record(base, evaluation, description);
    const recordEnded = performance.now();
    this.recordedThisRun++;
    this.childrenRecorded++;
    // Started → recorded in the same step, so `iteration` (recorded + started) never counts a child
    // twice while its ref is written: it depends on the order of creations and records only.
    if (this.startedIds.delete(id)) this.childrenStarted--;
    await this.dependencies.code.setNodeRef(id, commit);
    const timings = this.timings;
    timings.children++;
    timings.selectionMs += mutationStarted - selectionStarted;
    timings.mutationMs += commitStarted - mutationStarted;
    timings.commitMs += evaluationStarted - commitStarted;
    timings.evaluationMs += evaluationEnded - evaluationStarted;
    timings.describeMs += recordStarted - describeStarted;
    timings.recordMs += recordEnded - recordStarted;
    timings.refMs += performance.now() - recordEnded;
    await this.continueStages(id);
  }

  /** The seed agent's files (node 0), for the describer. */
  private async seedFiles(): Promise<AgentFiles> {
    const root = this.nodes.get(0);
    return root ? this.filesOf(root.commit) : {};
  }

  /** Records an evaluated node; `description`: what the describer computed from its code (private metrics). */
  private record(
    base: Pick<AgentNode, 'id' | 'parentId' | 'commit' | 'iteration' | 'mutation' | 'createdAt'>,
    evaluation: NodeEvaluation,
    description: Record<string, number>,
  ): void {
    // With a scheme, a scored node's metrics come from the same summary as its later updates (with
    // confidence intervals); a node that failed as a whole keeps the evaluator's status and error.
    // Unless the scheduler evaluates in batches or jobs repeat, the evaluator's own metrics stand.
    const scheme = this.dependencies.evaluation;
    const incremental = scheme !== undefined && this.plan !== null && this.scheduler.incremental(this.plan);
    const repeated = evaluation.evaluations.some((record) => record.repeat > 0);
    const summary =
      scheme && evaluation.status === 'scored' && (incremental || repeated)
        ? scheme.summarize(evaluation.evaluations)
        : evaluation;
    const node: AgentNode = {
      ...base,
      status: summary.status,
      score: summary.status === 'scored' ? summary.score : null,
      publicMetrics: summary.publicMetrics,
      privateMetrics: {
        ...summary.privateMetrics,
        environment: evaluation.environment,
        ...description,
      },
      error: summary.error,
      evaluatedAt: this.now(),
      ...(evaluation.artifacts ? { artifacts: evaluation.artifacts } : {}),
    };
    const records = evaluation.evaluations.map((record) => ({ ...record, nodeId: node.id }));
    this.dependencies.archive.recordNode(node, records);
    this.functionEvaluations += evaluation.functionEvaluations;
    this.remember(node, false);
    this.countOutcomes(node.id, records);
    this.emit({
      type: 'evaluation-finished',
      nodeId: node.id,
      status: node.status,
      score: node.score,
      durationMs: evaluation.durationMs,
      functionEvaluations: evaluation.functionEvaluations,
    });
    this.emit({ type: 'node-recorded', node });
  }

  /**
   * The archive's nodes and the parent's evaluations as they are now (the archive reads are
   * synchronous), for a mutator's prompt; other nodes' evaluations are read when asked.
   */
  private historyAt(parentId: number): MutationHistory {
    const { archive } = this.dependencies;
    const nodes = archive.listNodes();
    const parentEvaluations = archive.evaluations(parentId);
    return {
      nodes: () => nodes,
      evaluations: (nodeId) => (nodeId === parentId ? parentEvaluations : archive.evaluations(nodeId)),
    };
  }

  /** Adds a node to the in-memory view. `countChild`: bump the parent's child count (loading). */
  private remember(node: AgentNode, countChild = true): void {
    this.nodes.set(node.id, node);
    this.candidates.add({
      id: node.id,
      parentId: node.parentId,
      status: node.status,
      score: node.score,
      children: this.candidates.get(node.id)?.children ?? 0,
      iteration: node.iteration,
      features: this.describer.features(node),
    });
    if (countChild && node.parentId !== null) {
      const parent = this.candidates.get(node.parentId);
      if (parent) this.candidates.update(node.parentId, { children: parent.children + 1 });
    }
  }

  /** Sets refs that a crash between the archive write and the ref update left missing. */
  private async repairRefs(nodes: readonly AgentNode[]): Promise<void> {
    if (nodes.length === 0) return;
    const refs = await this.dependencies.code.nodeRefs();
    for (const node of nodes) {
      if (refs.get(node.id) !== node.commit) await this.dependencies.code.setNodeRef(node.id, node.commit);
    }
  }

  private async filesOf(commit: string): Promise<AgentFiles> {
    const cached = this.fileCache.get(commit);
    if (cached) {
      this.fileCache.delete(commit);
      this.fileCache.set(commit, cached);
      return cached;
    }
    const files = await this.dependencies.code.readFiles(commit);
    this.fileCache.set(commit, files);
    if (this.fileCache.size > FILE_CACHE_SIZE) {
      const oldest = this.fileCache.keys().next().value;
      if (oldest !== undefined) this.fileCache.delete(oldest);
    }
    return files;
  }

  /** Half the best scored nodes, half drawn at random among the rest (OpenEvolve's top + diverse). */
  private async inspirationsFor(parentId: number, childId: number): Promise<NodeWithCode[]> {
    const wanted = this.settings.inspirations;
    if (wanted === 0) return [];
    const scored = [...this.nodes.values()]
      .filter((node) => node.status === 'scored' && node.id !== parentId && node.score !== null)
      .sort((a, b) => (b.score ?? 0) - (a.score ?? 0) || a.id - b.id);
    const top = scored.slice(0, Math.ceil(wanted / 2));
    const rest = scored.slice(top.length);
    const random = createRandom(this.settings.seed, 'node', childId, 'inspirations');
    const diverse = random.shuffle(rest).slice(0, wanted - top.length);
    const chosen = [...top, ...diverse];
    return Promise.all(chosen.map(async (node) => ({ node, files: await this.filesOf(node.commit) })));
  }

  private summary(reason: StopReason): CampaignSummary {
    let best: AgentNode | null = null;
    let bestPartial: AgentNode | null = null;
    const statuses: Partial<Record<NodeStatus, number>> = {};
    // A score on part of the jobs (a first stage, HGM's single tasks) is not comparable with a mean
    // over all of them: the best node is the best fully evaluated one when there is any.
    const full = this.dependencies.evaluation?.plan.jobs.length ?? 0;
    for (const node of this.nodes.values()) {
      statuses[node.status] = (statuses[node.status] ?? 0) + 1;
      if (node.status !== 'scored' || node.score === null) continue;
      if ((this.evaluated.get(node.id) ?? 0) >= full) {
        if (best === null || node.score > (best.score ?? -1)) best = node;
      } else if (bestPartial === null || node.score > (bestPartial.score ?? -1)) {
        bestPartial = node;
      }
    }
    best ??= bestPartial;
    return {
      reason,
      ...(reason === 'model-unreachable' && this.stopDetail !== null ? { stopDetail: this.stopDetail } : {}),
      nodes: this.nodes.size,
      recorded: this.recordedThisRun,
      rootScore: this.nodes.get(0)?.score ?? null,
      bestNodeId: best?.id ?? null,
      bestScore: best?.score ?? null,
      durationMs: Date.now() - this.startedAt,
      functionEvaluations: this.functionEvaluations,
      statuses,
      timings: { ...this.timings },
    };
  }

  private emit(event: RunEvent): void {
    // `node-recorded` is stored with the node itself (one transaction); campaign events and
    // `node-created` here. Together they fix the order in which the archive changed, which
    // `clade replay --campaign` follows.
    if (event.type.startsWith('campaign-')) this.dependencies.archive.recordEvent(event.type, event);
    else if (event.type === 'node-created') this.dependencies.archive.recordEvent(event.type, event, event.nodeId);
    try {
      this.dependencies.onEvent?.(event);
    } catch (error) {
      // A broken progress display must not stop the campaign.
      process.emitWarning(`clade: event handler failed: ${describeError(error)}`);
    }
  }

  private now(): string {
    return this.clock().toISOString();
  }
}
