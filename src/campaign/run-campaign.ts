/**
 * @module The loop: select → mutate → commit → evaluate → record, with K workers in parallel.
 * A node and its evaluations are written in one transaction after it is evaluated, and its git ref
 * is set after that, so a `kill -9` at any point loses at most the children being evaluated, and
 * `resume` repairs a missing ref from the commit stored in the archive.
 */
import { CladeError, describeError } from '../core/errors.js';
import { createRandom } from '../core/random.js';
import type { AgentFiles, AgentNode, NodeStatus, RunEvent, StopReason } from '../core/types.js';
import type { NodeWithCode } from '../mutation/types.js';
import type { SelectionCandidate } from '../selection/types.js';
import { EvaluationAbortedError, type NodeEvaluation } from '../tasks/evaluate-node.js';
import type { CampaignDependencies, CampaignSettings, CampaignSummary } from './types.js';

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
  private readonly candidates = new Map<number, SelectionCandidate>();
  private readonly fileCache = new Map<string, AgentFiles>();
  private nextId = 0;
  private childrenRecorded = 0;
  private childrenStarted = 0;
  private recordedThisRun = 0;
  private functionEvaluations = 0;
  private stopReason: StopReason | null = null;
  private failure: unknown = null;
  private startedAt = 0;

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
    await this.repairRefs(existing);
    this.nextId = (archive.maxNodeId() ?? -1) + 1;
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

  /** One worker: keeps making children until a budget is spent or the campaign is told to stop. */
  private async worker(): Promise<void> {
    while (this.shouldStartChild()) {
      // Replay fixes the order of creations and records; a normal run has no schedule.
      if (this.dependencies.schedule && !(await this.dependencies.schedule.beforeCreate())) break;
      this.childrenStarted++;
      const id = this.nextId++;
      const iteration = this.childrenRecorded + this.childrenStarted;
      try {
        await this.makeChild(id, iteration);
      } catch (error) {
        if (error instanceof EvaluationAbortedError) {
          this.stop('aborted');
        } else {
          this.failure ??= error;
          this.stop('error');
        }
      } finally {
        this.childrenStarted--;
      }
    }
  }

  private shouldStartChild(): boolean {
    if (this.stopReason !== null) return false;
    if (this.dependencies.stopSignal?.aborted) return this.stop('interrupted');
    if (this.dependencies.abortSignal?.aborted) return this.stop('aborted');
    if (this.childrenRecorded + this.childrenStarted >= this.settings.iterations) return false;
    const limit = this.settings.wallClockSeconds;
    if (limit !== null && Date.now() - this.startedAt >= limit * 1000) return this.stop('wall-clock');
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
    const evaluation = await this.dependencies.evaluate(files, this.dependencies.abortSignal);
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
    );
    await this.dependencies.code.setNodeRef(0, commit);
    this.nextId = Math.max(this.nextId, 1);
  }

  private async makeChild(id: number, iteration: number): Promise<void> {
    const { seed } = this.settings;
    const snapshot = { nodes: [...this.candidates.values()] };
    const [parentId] = this.dependencies.selector.select(snapshot, createRandom(seed, 'node', id, 'selection'), 1);
    const parent = parentId === undefined ? undefined : this.nodes.get(parentId);
    if (!parent)
      throw new CladeError('NODE_NOT_FOUND', `Selector ${this.dependencies.selector.name} returned no scored parent.`);
    const parentCandidate = this.candidates.get(parent.id);
    if (parentCandidate) parentCandidate.children++;
    const createdAt = this.now();
    this.emit({ type: 'node-created', nodeId: id, parentId: parent.id, operator: this.dependencies.mutator.name });

    const parentFiles = await this.filesOf(parent.commit);
    const inspirations = await this.inspirationsFor(parent.id, id);
    const mutation = await this.dependencies.mutator.mutate({
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
      evaluation = await this.dependencies.evaluate(files, this.dependencies.abortSignal);
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
    this.record(base, evaluation);
    this.recordedThisRun++;
    this.childrenRecorded++;
    await this.dependencies.code.setNodeRef(id, commit);
  }

  private record(
    base: Pick<AgentNode, 'id' | 'parentId' | 'commit' | 'iteration' | 'mutation' | 'createdAt'>,
    evaluation: NodeEvaluation,
  ): void {
    const node: AgentNode = {
      ...base,
      status: evaluation.status,
      score: evaluation.status === 'scored' ? evaluation.score : null,
      publicMetrics: evaluation.publicMetrics,
      privateMetrics: { ...evaluation.privateMetrics, environment: evaluation.environment },
      error: evaluation.error,
      evaluatedAt: this.now(),
    };
    this.dependencies.archive.recordNode(
      node,
      evaluation.evaluations.map((record) => ({ ...record, nodeId: node.id })),
    );
    this.functionEvaluations += evaluation.functionEvaluations;
    this.remember(node, false);
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
    this.candidates.set(node.id, {
      id: node.id,
      parentId: node.parentId,
      status: node.status,
      score: node.score,
      children: this.candidates.get(node.id)?.children ?? 0,
    });
    if (countChild && node.parentId !== null) {
      const parent = this.candidates.get(node.parentId);
      if (parent) parent.children++;
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
    const statuses: Partial<Record<NodeStatus, number>> = {};
    for (const node of this.nodes.values()) {
      statuses[node.status] = (statuses[node.status] ?? 0) + 1;
      if (node.status === 'scored' && node.score !== null && (best === null || node.score > (best.score ?? -1)))
        best = node;
    }
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
