/**
 * @module The loop: select → mutate → commit → evaluate → record, with K workers in parallel.
 * A node and its evaluations are written in one transaction after it is evaluated, and its git ref
 * is set after that, so a `kill -9` at any point loses at most the children being evaluated, and
 * `resume` repairs a missing ref from the commit stored in the archive.
 *
 * With an evaluation scheme a node is recorded with its first stage's evaluations, and later
 * evaluations are appended in their own transactions (a node has always been evaluated on a prefix
 * of the plan, so its evaluation count says where it stands): under staged evaluation the worker
 * goes on to the next stage when the node reached the threshold, and resume continues nodes a crash
 * interrupted; under HGM each free worker either expands (makes a child) or runs one more job of an
 * existing node, by progressive widening and Thompson sampling.
 */
import { CladeError, describeError } from '../core/errors.js';
import { sumOutcomes } from '../core/outcomes.js';
import { createRandom } from '../core/random.js';
import type { AgentFiles, AgentNode, NodeStatus, RunEvent, StopReason } from '../core/types.js';
import type { NodeWithCode } from '../mutation/types.js';
import { CandidatePool } from '../selection/candidate-pool.js';
import { thompsonArgmax } from '../selection/hgm.js';
import type { SelectionCandidate } from '../selection/types.js';
import { EvaluationAbortedError, type NodeEvaluation } from '../tasks/evaluate-node.js';
import type { EvaluationJob } from '../tasks/types.js';
import { nextStageJobs } from './evaluation-plan.js';
import { agentFeatures, concatenateFiles } from './features.js';
import type { CampaignDependencies, CampaignSettings, CampaignSummary } from './types.js';

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
  private functionEvaluations = 0;
  private stopReason: StopReason | null = null;
  private failure: unknown = null;
  private startedAt = 0;
  /** Evaluation records per node (a prefix of the plan), and in all. */
  private readonly evaluated = new Map<number, number>();
  private evaluationCount = 0;
  /** Nodes with more evaluations running (at most one batch per node, so records stay a prefix). */
  private readonly evaluating = new Set<number>();
  /** Staged nodes a crash interrupted between stages, continued first on resume. */
  private readonly continuations: number[] = [];
  private seedSource: string | null = null;

  constructor(
    private readonly settings: CampaignSettings,
    private readonly dependencies: CampaignDependencies,
  ) {
    this.clock = dependencies.clock ?? (() => new Date());
  }

  async run(): Promise<CampaignSummary> {
    this.startedAt = Date.now();
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
   * The next thing a free worker does, or null when it is done. Interrupted stages first; under HGM,
   * expand when evaluations^α ≥ nodes − 1 + pending expansions (or no node has jobs left), else
   * evaluate one more job of the node whose Thompson draw on its own outcomes is highest.
   */
  private nextAction(): WorkerAction | null {
    if (this.stopReason !== null) return null;
    const interrupted = this.continuations.shift();
    if (interrupted !== undefined) {
      const node = this.nodes.get(interrupted);
      const plan = this.dependencies.evaluation?.plan;
      const jobs = node && plan ? nextStageJobs(plan, this.evaluated.get(interrupted) ?? 0, node.score) : [];
      if (jobs.length > 0) return { kind: 'evaluate', nodeId: interrupted, jobs };
      return this.nextAction();
    }
    const scheme = this.dependencies.evaluation;
    if (!scheme?.hgm) return this.shouldStartChild() ? { kind: 'expand' } : null;
    if (!this.shouldStartChild()) return null;
    const open = this.nodesWithJobsLeft(scheme.plan.jobs.length);
    const widen = this.evaluationCount ** scheme.hgm.alpha >= this.nodes.size - 1 + this.childrenStarted;
    if (widen || open.length === 0) return { kind: 'expand' };
    const random = createRandom(this.settings.seed, 'hgm-evaluation', this.evaluationCount, this.nodes.size);
    const ownCounts = open.map((candidate) => candidate.own ?? { passes: 0, failures: 0 });
    const chosen = open[thompsonArgmax(ownCounts, random)];
    if (!chosen) return { kind: 'expand' };
    const done = this.evaluated.get(chosen.id) ?? 0;
    return { kind: 'evaluate', nodeId: chosen.id, jobs: scheme.plan.jobs.slice(done, done + 1) };
  }

  /** Scored nodes not fully evaluated and not being evaluated now. */
  private nodesWithJobsLeft(total: number): SelectionCandidate[] {
    const open: SelectionCandidate[] = [];
    for (const candidate of this.candidates.nodes) {
      if (candidate.status !== 'scored' || this.evaluating.has(candidate.id)) continue;
      if ((this.evaluated.get(candidate.id) ?? 0) < total) open.push(candidate);
    }
    return open;
  }

  private shouldStartChild(): boolean {
    if (this.stopReason !== null) return false;
    if (this.dependencies.stopSignal?.aborted) return this.stop('interrupted');
    if (this.dependencies.abortSignal?.aborted) return this.stop('aborted');
    if (this.childrenRecorded + this.childrenStarted >= this.settings.iterations) return false;
    const limit = this.settings.wallClockSeconds;
    if (limit !== null && Date.now() - this.startedAt >= limit * 1000) return this.stop('wall-clock');
    if (this.dependencies.budgetExceeded?.() != null) return this.stop('budget');
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
    this.seedSource = concatenateFiles(files);
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
      files,
    );
    await this.dependencies.code.setNodeRef(0, commit);
    this.nextId = Math.max(this.nextId, 1);
    await this.continueStages(0);
  }

  /** The jobs a new node is evaluated on first: its first stage, HGM's initial jobs, or all (undefined). */
  private firstJobs(): EvaluationJob[] | undefined {
    const scheme = this.dependencies.evaluation;
    if (!scheme) return undefined;
    const count = scheme.hgm ? scheme.hgm.initialJobs : (scheme.plan.stages[0]?.end ?? scheme.plan.jobs.length);
    return scheme.plan.jobs.slice(0, count);
  }

  /** Staged evaluation (not HGM): runs the next stages while the node reaches their thresholds. */
  private async continueStages(nodeId: number): Promise<void> {
    const scheme = this.dependencies.evaluation;
    if (!scheme || scheme.hgm) return;
    for (;;) {
      const node = this.nodes.get(nodeId);
      if (node?.status !== 'scored' || this.stopReason !== null) return;
      const jobs = nextStageJobs(scheme.plan, this.evaluated.get(nodeId) ?? 0, node.score);
      if (jobs.length === 0) return;
      await this.evaluateFurther(nodeId, jobs);
    }
  }

  /**
   * Runs more jobs of a recorded node and appends them in one transaction, with the node's status,
   * score and metrics recomputed from all its evaluations; then (staged) the stages after them.
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
    };
    const added = evaluation.evaluations.map((record) => ({ ...record, nodeId }));
    archive.appendEvaluations(updated, added);
    this.functionEvaluations += evaluation.functionEvaluations;
    this.nodes.set(nodeId, updated);
    this.candidates.update(nodeId, { status: updated.status, score: updated.score, features: featuresOf(updated) });
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
    if (!scheme.hgm) await this.continueStages(nodeId);
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

  /** Staged nodes that reached a threshold but whose next stage a crash or stop left undone. */
  private findInterruptedStages(): void {
    const scheme = this.dependencies.evaluation;
    if (!scheme || scheme.hgm) return;
    for (const node of this.nodes.values()) {
      if (node.status !== 'scored') continue;
      if (nextStageJobs(scheme.plan, this.evaluated.get(node.id) ?? 0, node.score).length > 0) {
        this.continuations.push(node.id);
      }
    }
  }

  private async makeChild(id: number, iteration: number): Promise<void> {
    const { seed } = this.settings;
    // The pool itself, not a copy: selectors follow its journal instead of rebuilding per child.
    const snapshot = this.candidates.snapshot(iteration);
    const [parentId] = this.dependencies.selector.select(snapshot, createRandom(seed, 'node', id, 'selection'), 1);
    const parent = parentId === undefined ? undefined : this.nodes.get(parentId);
    if (!parent)
      throw new CladeError('NODE_NOT_FOUND', `Selector ${this.dependencies.selector.name} returned no scored parent.`);
    const parentCandidate = this.candidates.get(parent.id);
    if (parentCandidate) this.candidates.update(parent.id, { children: parentCandidate.children + 1 });
    const createdAt = this.now();
    this.emit({ type: 'node-created', nodeId: id, parentId: parent.id, operator: this.dependencies.mutator.name });

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
      ...(this.dependencies.abortSignal ? { signal: this.dependencies.abortSignal } : {}),
    });

    const files = mutation.ok ? mutation.files : parentFiles;
    const message = `node ${id} (parent ${parent.id}): ${mutation.info.summary}`;
    const commit = await this.dependencies.code.commit(files, parent.commit, message);
    const base = { id, parentId: parent.id, commit, iteration, mutation: mutation.info, createdAt };
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
    await this.dependencies.schedule?.beforeRecord(id);
    // The parent's pending child is now a recorded child: the count stays the same.
    this.record(base, evaluation, files, await this.seedSourceText());
    this.recordedThisRun++;
    this.childrenRecorded++;
    // Started → recorded in the same step, so `iteration` (recorded + started) never counts a child
    // twice while its ref is written: it depends on the order of creations and records only.
    if (this.startedIds.delete(id)) this.childrenStarted--;
    await this.dependencies.code.setNodeRef(id, commit);
    await this.continueStages(id);
  }

  /** The seed agent's source, the reference of the `diversity` feature. */
  private async seedSourceText(): Promise<string> {
    if (this.seedSource === null) {
      const root = this.nodes.get(0);
      this.seedSource = root ? concatenateFiles(await this.filesOf(root.commit)) : '';
    }
    return this.seedSource;
  }

  private record(
    base: Pick<AgentNode, 'id' | 'parentId' | 'commit' | 'iteration' | 'mutation' | 'createdAt'>,
    evaluation: NodeEvaluation,
    files: AgentFiles,
    seedSource = this.seedSource ?? '',
  ): void {
    // With a scheme, a scored node's metrics come from the same summary as its later updates (with
    // confidence intervals); a node that failed as a whole keeps the evaluator's status and error.
    // Without stages, HGM or repeats the evaluator's own metrics stand, as they always did.
    const scheme = this.dependencies.evaluation;
    const incremental = scheme !== undefined && (scheme.hgm !== undefined || scheme.plan.stages.length > 1);
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
        ...agentFeatures(files, seedSource),
      },
      error: summary.error,
      evaluatedAt: this.now(),
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
      features: featuresOf(node),
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
      nodes: this.nodes.size,
      recorded: this.recordedThisRun,
      rootScore: this.nodes.get(0)?.score ?? null,
      bestNodeId: best?.id ?? null,
      bestScore: best?.score ?? null,
      durationMs: Date.now() - this.startedAt,
      functionEvaluations: this.functionEvaluations,
      statuses,
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

/** A node's MAP-Elites features: `codeLength`, `diversity` and every numeric public metric. */
function featuresOf(node: AgentNode): Record<string, number> {
  const features: Record<string, number> = {};
  for (const [name, value] of Object.entries(node.publicMetrics)) {
    if (typeof value === 'number' && Number.isFinite(value)) features[name] = value;
  }
  for (const name of ['codeLength', 'diversity']) {
    const value = node.privateMetrics[name];
    if (typeof value === 'number' && Number.isFinite(value)) features[name] = value;
  }
  return features;
}
