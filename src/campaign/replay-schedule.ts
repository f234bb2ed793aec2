/**
 * @module The order in which a campaign's archive changed, read back from its events, and a
 * `CampaignSchedule` that makes a new run of the loop change its archive in that same order.
 *
 * The loop changes the state its choices depend on at two kinds of moments only: when a worker
 * creates a child (selection reads the snapshot, the parent's child count grows) and when it
 * records one (the node and its scores enter the snapshot and the mutator's inspirations). Both
 * are synchronous and write an event (`node-created`, `node-recorded`), and `campaign-started`
 * marks each invocation (run or resume), where the loop rebuilds its view from the archive. So
 * the events give the exact sequence of states every selection and mutation saw, whatever the
 * number of workers and the durations of evaluations.
 */
import type { EventRecord } from '../archive/types.js';
import type { AgentNode, RunEvent } from '../core/types.js';
import { EvaluationAbortedError } from '../harness/run-harness.js';
import type { CampaignSchedule } from './types.js';

/** One change of the archive. */
export type ScheduleStep =
  | { kind: 'create'; nodeId: number; parentId: number | null }
  | { kind: 'record'; nodeId: number };

/** The steps of one invocation of the loop (`clade run` or one `clade resume`). */
export interface ScheduleSegment {
  steps: ScheduleStep[];
  /** Most children in flight at once: the workers the segment needs. */
  workers: number;
  /** Children created but never recorded (aborted or killed): their evaluation is discarded. */
  lost: number[];
}

/** The whole campaign's order of changes. */
export interface CampaignScheduleRecord {
  segments: ScheduleSegment[];
  /**
   * `events`: from `node-created` events (exact). `timestamps`: the archive predates them, and the
   * order of creations was rebuilt from the nodes' creation and evaluation times (exact unless two
   * of them fall in the same millisecond; children lost to a kill are unknown).
   */
  source: 'events' | 'timestamps';
}

/**
 * Reads the schedule from the archive's events (ordered by id) and nodes. A segment whose recorded
 * children lack `node-created` events (archives written before they were stored) is rebuilt from
 * timestamps.
 */
export function readCampaignSchedule(
  events: readonly EventRecord[],
  nodes: readonly AgentNode[],
): CampaignScheduleRecord {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const raw: ScheduleStep[][] = [];
  let current: ScheduleStep[] | null = null;
  for (const event of events) {
    if (event.type === 'campaign-started') {
      current = [];
      raw.push(current);
      continue;
    }
    if (event.type !== 'node-created' && event.type !== 'node-recorded') continue;
    if (current === null) {
      current = [];
      raw.push(current);
    }
    const nodeId = event.nodeId;
    if (nodeId === null) continue;
    if (event.type === 'node-created') {
      const data = event.data as { parentId?: unknown } | null;
      current.push({ kind: 'create', nodeId, parentId: typeof data?.parentId === 'number' ? data.parentId : null });
    } else {
      current.push({ kind: 'record', nodeId });
    }
  }
  let source: CampaignScheduleRecord['source'] = 'events';
  const segments = raw
    .map((steps) => {
      const created = new Set(steps.filter((step) => step.kind === 'create').map((step) => step.nodeId));
      const missing = steps.some((step) => step.kind === 'record' && step.nodeId !== 0 && !created.has(step.nodeId));
      if (!missing) return steps;
      source = 'timestamps';
      return rebuildFromTimestamps(steps, byId);
    })
    .filter((steps) => steps.length > 0)
    .map(toSegment);
  return { segments, source };
}

/** Places each recorded child's creation after every record that happened before its creation time. */
function rebuildFromTimestamps(steps: readonly ScheduleStep[], byId: ReadonlyMap<number, AgentNode>): ScheduleStep[] {
  const records = steps.filter((step) => step.kind === 'record');
  const children = records
    .map((step) => byId.get(step.nodeId))
    .filter((node): node is AgentNode => node !== undefined && node.parentId !== null)
    .sort((a, b) => a.id - b.id);
  const rebuilt: ScheduleStep[] = [];
  const created = new Set<number>();
  let next = 0;
  const recordedAt = (nodeId: number): string => byId.get(nodeId)?.evaluatedAt ?? '';
  for (const child of children) {
    // Records up to this creation's time; a record of a child not yet created waits (it cannot come first).
    while (next < records.length) {
      const record = records[next] as ScheduleStep;
      const node = byId.get(record.nodeId);
      const pendingCreation = node !== undefined && node.parentId !== null && !created.has(node.id);
      if (pendingCreation || recordedAt(record.nodeId) > child.createdAt) break;
      rebuilt.push(record);
      next++;
    }
    rebuilt.push({ kind: 'create', nodeId: child.id, parentId: child.parentId });
    created.add(child.id);
  }
  rebuilt.push(...records.slice(next));
  return rebuilt;
}

function toSegment(steps: ScheduleStep[]): ScheduleSegment {
  const open = new Set<number>();
  let workers = 1;
  for (const step of steps) {
    if (step.kind === 'create') {
      open.add(step.nodeId);
      workers = Math.max(workers, open.size);
    } else {
      open.delete(step.nodeId);
    }
  }
  return { steps, workers, lost: [...open] };
}

/**
 * A `CampaignSchedule` that walks one segment: it lets one worker create when the next step is a
 * creation, lets the worker holding node N record it when the next step is N's record, follows
 * the loop's `node-created` / `node-recorded` events (pass them to `observe`) to advance, and,
 * at the segment's end, tells waiting workers to stop and discards children that were lost.
 */
export class SegmentGate implements CampaignSchedule {
  readonly #steps: readonly ScheduleStep[];
  #position = 0;
  #granted = false;
  readonly #createWaiters: Array<(go: boolean) => void> = [];
  readonly #recordWaiters = new Map<number, { resolve: () => void; reject: (error: unknown) => void }>();
  #problem: string | null = null;
  #closed = false;

  constructor(segment: ScheduleSegment) {
    this.#steps = segment.steps;
  }

  /** Why the run stopped following the schedule, or null. */
  get problem(): string | null {
    return this.#problem;
  }

  /** Whether every step was taken. */
  get complete(): boolean {
    return this.#position >= this.#steps.length;
  }

  beforeCreate(): Promise<boolean> {
    return new Promise((resolve) => {
      this.#createWaiters.push(resolve);
      this.#pump();
    });
  }

  beforeRecord(id: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#recordWaiters.set(id, { resolve, reject });
      this.#pump();
    });
  }

  /** Feeds the loop's events; advances past the step they complete. */
  observe(event: RunEvent): void {
    if (event.type !== 'node-created' && event.type !== 'node-recorded') return;
    const nodeId = event.type === 'node-created' ? event.nodeId : event.node.id;
    const kind = event.type === 'node-created' ? 'create' : 'record';
    const step = this.#steps[this.#position];
    if (!step || step.kind !== kind || step.nodeId !== nodeId) {
      this.#problem ??= `the run ${kind === 'create' ? 'created' : 'recorded'} node #${nodeId} where the recorded campaign ${step ? `${step.kind === 'create' ? 'created' : 'recorded'} node #${step.nodeId}` : 'had finished this invocation'}`;
      this.#finish();
      return;
    }
    this.#position++;
    this.#granted = false;
    this.#pump();
  }

  /** Stops following the schedule (a stop was asked for): no more children, waiting ones discarded. */
  abandon(): void {
    this.#closed = true;
    this.#finish();
  }

  #pump(): void {
    const step = this.#steps[this.#position];
    if (!step || this.#problem !== null || this.#closed) {
      this.#finish();
      return;
    }
    if (this.#granted) return;
    if (step.kind === 'create') {
      const waiter = this.#createWaiters.shift();
      if (!waiter) return;
      this.#granted = true;
      waiter(true);
      return;
    }
    const waiter = this.#recordWaiters.get(step.nodeId);
    if (!waiter) return;
    this.#recordWaiters.delete(step.nodeId);
    this.#granted = true;
    waiter.resolve();
  }

  /** End of the segment: no more children; those still waiting to be recorded were lost. */
  #finish(): void {
    for (const waiter of this.#createWaiters.splice(0)) waiter(false);
    for (const waiter of this.#recordWaiters.values()) waiter.reject(new EvaluationAbortedError());
    this.#recordWaiters.clear();
  }
}
