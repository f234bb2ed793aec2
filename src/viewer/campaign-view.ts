/**
 * @module What the viewer knows about one campaign directory: a read-only archive connection, a
 * cache of its nodes kept current from the archive's events table, and the JSON the API serves.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ancestorsOf, assertNoParentCycle } from '../archive/parent-links.js';
import type { ArchiveStore, EventRecord } from '../archive/types.js';
import { describeError } from '../core/errors.js';
import type { AgentNode, NodeStatus } from '../core/types.js';
import { NODE_STATUSES, PRIVATE_METRIC_PREFIX } from '../core/types.js';
import type { CodeStore } from '../lineage/types.js';
import { transcriptOf } from './transcript.js';
import type { CompactNodes, NodeDetail, ProgressPoint, ViewerSummary } from './types.js';

/** Mutation summaries in `CompactNodes` are cut to this many characters (the panel shows them whole). */
export const SUMMARY_LIMIT = 160;
/** Diffs longer than this many characters are cut (the rest: `clade diff`). */
export const DIFF_LIMIT = 1_000_000;
/** Events read from the archive per refresh; the next refresh continues after the last. */
const EVENT_BATCH = 5000;

/** Options of `createCampaignView`. */
export interface CampaignViewOptions {
  /** The campaign directory (for the lock file and the summary). */
  directory: string;
  /** The archive, opened read-only by the caller; the view closes it in `close()`. */
  archive: ArchiveStore;
  /** The lineage store, for diffs; null when the directory has none. */
  code: CodeStore | null;
}

/** New and changed nodes and the other archive events found by one `refresh()`. */
export interface ViewUpdate {
  /** Nodes recorded, or updated (more evaluations), since the last refresh; ordered by id. */
  nodes: AgentNode[];
  events: EventRecord[];
}

/**
 * A campaign as the viewer sees it. Nodes are immutable once recorded, so the view loads them once
 * and then follows `node-recorded` events (which carry the node), reading only new events.
 */
export class CampaignView {
  readonly directory: string;
  readonly #archive: ArchiveStore;
  readonly #code: CodeStore | null;
  readonly #nodes: AgentNode[] = [];
  readonly #byId = new Map<number, AgentNode>();
  readonly #children = new Map<number, number[]>();
  readonly #diffs = new Map<number, NodeDetail['diff']>();
  #lastEventId = 0;
  #best: AgentNode | null = null;

  constructor(options: CampaignViewOptions) {
    this.directory = options.directory;
    this.#archive = options.archive;
    this.#code = options.code;
    // Read the event cursor before the nodes: a node recorded in between is in both, and `#add`
    // ignores the second copy, so none is missed.
    this.#lastEventId = this.#archive.events({ limit: 1 }).at(-1)?.id ?? 0;
    for (const node of this.#archive.listNodes()) this.#add(node);
    try {
      assertNoParentCycle(this.#nodes, this.directory);
    } catch (error) {
      this.#archive.close();
      throw error;
    }
  }

  /** Reads the archive's new events; returns the nodes and campaign events not seen before. */
  refresh(): ViewUpdate {
    const update: ViewUpdate = { nodes: [], events: [] };
    const changed = new Map<number, AgentNode>();
    for (;;) {
      const events = this.#archive.events({ afterId: this.#lastEventId, limit: EVENT_BATCH });
      for (const event of events) {
        this.#lastEventId = event.id;
        if (event.type === 'node-recorded') {
          const node = nodeOfEvent(event) ?? (event.nodeId === null ? null : this.#archive.getNode(event.nodeId));
          if (node && this.#add(node)) changed.set(node.id, node);
        } else {
          update.events.push(event);
          // A recorded node can change later (more evaluations arrive: staged or HGM evaluation).
          if (event.nodeId !== null && this.#byId.has(event.nodeId)) {
            const node = this.#archive.getNode(event.nodeId);
            if (node) {
              this.#replace(node);
              changed.set(node.id, node);
            }
          }
        }
      }
      if (events.length < EVENT_BATCH) break;
    }
    // Nodes arrive in commit order, which with several workers is not id order.
    if (changed.size > 0) this.#nodes.sort((a, b) => a.id - b.id);
    update.nodes = [...changed.values()].sort((a, b) => a.id - b.id);
    return update;
  }

  get lastEventId(): number {
    return this.#lastEventId;
  }

  summary(): ViewerSummary {
    const campaign = this.#archive.getCampaign();
    const statusCounts = Object.fromEntries(NODE_STATUSES.map((status) => [status, 0])) as Record<NodeStatus, number>;
    for (const node of this.#nodes) statusCounts[node.status]++;
    const root = this.#nodes.find((node) => node.parentId === null) ?? null;
    return {
      campaign: campaign && {
        id: campaign.id,
        name: campaign.name,
        seed: campaign.seed,
        createdAt: campaign.createdAt,
        configPath: campaign.configPath,
      },
      directory: this.directory,
      nodes: this.#nodes.length,
      scored: statusCounts.scored,
      statusCounts,
      root: root && { id: root.id, score: root.score },
      best: this.#best && { id: this.#best.id, score: this.#best.score ?? 0 },
      running: lockHolderRunning(this.directory),
      modelCalls: this.#archive.modelCallTotals(),
      lastEventId: this.#lastEventId,
    };
  }

  /** Nodes with an id above `afterId` (all when it is undefined), as columns. */
  compactNodes(afterId?: number): CompactNodes {
    return toCompactNodes(afterId === undefined ? this.#nodes : this.#nodes.filter((node) => node.id > afterId));
  }

  /** Score of every node in creation order with the best score so far. */
  progress(): ProgressPoint[] {
    let best: number | null = null;
    return this.#nodes.map((node) => {
      if (node.status === 'scored' && node.score !== null && (best === null || node.score > best)) best = node.score;
      return {
        id: node.id,
        time: Date.parse(node.evaluatedAt ?? node.createdAt) || 0,
        score: node.status === 'scored' ? node.score : null,
        best,
      };
    });
  }

  /** Everything the node panel shows, or null for an unknown id. */
  async detail(id: number): Promise<NodeDetail | null> {
    const node = this.#byId.get(id) ?? this.#archive.getNode(id);
    if (!node) return null;
    const parent = node.parentId === null ? null : (this.#byId.get(node.parentId) ?? null);
    // Bounded: a parent cycle written after the view opened ends the walk where it would repeat.
    const lineage: NodeDetail['lineage'] = [node, ...ancestorsOf(node, this.#byId)]
      .map((current) => ({ id: current.id, score: current.score }))
      .reverse();
    const children = (this.#children.get(node.id) ?? [])
      .map((childId) => this.#byId.get(childId))
      .filter((child): child is AgentNode => child !== undefined)
      .map((child) => ({ id: child.id, score: child.score, status: child.status }));
    const modelCalls = this.#archive.modelCalls(node.id).map((call) => ({
      id: call.id,
      provider: call.provider,
      model: call.model,
      tokensIn: call.tokensIn,
      tokensOut: call.tokensOut,
      costUsd: call.costUsd,
      latencyMs: call.latencyMs,
      attempts: call.attempts,
      createdAt: call.createdAt,
      transcript: transcriptOf(call.request, call.response),
    }));
    return {
      node: {
        id: node.id,
        parentId: node.parentId,
        commit: node.commit,
        status: node.status,
        score: node.score,
        publicMetrics: node.publicMetrics,
        privateMetricCount: Object.keys(node.privateMetrics).length,
        mutation: node.mutation,
        error: node.error,
        iteration: node.iteration,
        createdAt: node.createdAt,
        evaluatedAt: node.evaluatedAt,
        artifacts: node.artifacts ?? {},
      },
      parent: parent && { id: parent.id, score: parent.score, status: parent.status },
      children,
      lineage,
      // A job's private metrics (`private:` names) are held back like the node's.
      evaluations: this.#archive.evaluations(node.id).map((evaluation) => ({
        ...evaluation,
        metrics: Object.fromEntries(
          Object.entries(evaluation.metrics).filter(([name]) => !name.startsWith(PRIVATE_METRIC_PREFIX)),
        ),
      })),
      diff: await this.#diff(node, parent),
      modelCalls,
    };
  }

  close(): void {
    this.#archive.close();
  }

  async #diff(node: AgentNode, parent: AgentNode | null): Promise<NodeDetail['diff']> {
    const cached = this.#diffs.get(node.id);
    if (cached) return cached;
    if (!this.#code) return { text: '', truncated: false, error: 'This campaign directory has no code.git.' };
    let result: NodeDetail['diff'];
    try {
      const text = await this.#code.diff(parent?.commit ?? null, node.commit);
      result =
        text.length > DIFF_LIMIT
          ? { text: text.slice(0, DIFF_LIMIT), truncated: true, error: null }
          : { text, truncated: false, error: null };
    } catch (error) {
      // Not cached: the commit may appear later (a node's code is committed before it is recorded).
      return { text: '', truncated: false, error: describeError(error) };
    }
    this.#diffs.set(node.id, result);
    return result;
  }

  /** Replaces a known node by its newer version (status, score, metrics may have changed). */
  #replace(node: AgentNode): void {
    const position = this.#nodes.findIndex((candidate) => candidate.id === node.id);
    if (position < 0) return;
    this.#nodes[position] = node;
    this.#byId.set(node.id, node);
    this.#diffs.delete(node.id);
    this.#best = null;
    for (const candidate of this.#nodes) this.#considerBest(candidate);
  }

  #considerBest(node: AgentNode): void {
    if (
      node.status === 'scored' &&
      node.score !== null &&
      (this.#best === null ||
        node.score > (this.#best.score ?? Number.NEGATIVE_INFINITY) ||
        (node.score === this.#best.score && node.id < this.#best.id))
    ) {
      this.#best = node;
    }
  }

  /** Adds a node not seen before; false for a duplicate. */
  #add(node: AgentNode): boolean {
    if (this.#byId.has(node.id)) return false;
    this.#byId.set(node.id, node);
    this.#nodes.push(node);
    if (node.parentId !== null) {
      const siblings = this.#children.get(node.parentId);
      if (siblings) siblings.push(node.id);
      else this.#children.set(node.parentId, [node.id]);
    }
    this.#considerBest(node);
    return true;
  }
}

/** Nodes as parallel columns (see `CompactNodes`). */
export function toCompactNodes(nodes: readonly AgentNode[]): CompactNodes {
  const columns: CompactNodes = {
    statuses: NODE_STATUSES,
    id: [],
    parent: [],
    status: [],
    score: [],
    iteration: [],
    time: [],
    operator: [],
    summary: [],
  };
  const statusIndex = new Map(NODE_STATUSES.map((status, index) => [status, index]));
  for (const node of nodes) {
    columns.id.push(node.id);
    columns.parent.push(node.parentId);
    columns.status.push(statusIndex.get(node.status) ?? 0);
    columns.score.push(node.score);
    columns.iteration.push(node.iteration);
    columns.time.push(Date.parse(node.evaluatedAt ?? node.createdAt) || 0);
    columns.operator.push(node.mutation.operator);
    const summary = node.mutation.summary;
    columns.summary.push(summary.length > SUMMARY_LIMIT ? `${summary.slice(0, SUMMARY_LIMIT - 1)}…` : summary);
  }
  return columns;
}

/** The node a `node-recorded` event carries (`{ node }`), or null when the data has another shape. */
function nodeOfEvent(event: EventRecord): AgentNode | null {
  const data = event.data as { node?: Partial<AgentNode> } | null;
  const node = data?.node;
  if (!node || typeof node.id !== 'number' || typeof node.status !== 'string' || typeof node.mutation !== 'object') {
    return null;
  }
  return node as AgentNode;
}

/** Whether the directory's `clade.lock` names a live process (a campaign running in it). */
function lockHolderRunning(directory: string): boolean {
  let owner: number;
  try {
    owner = Number.parseInt(readFileSync(path.join(directory, 'clade.lock'), 'utf8'), 10);
  } catch {
    return false;
  }
  if (!Number.isInteger(owner) || owner <= 0) return false;
  try {
    process.kill(owner, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
