/**
 * @module `clade replay <dir> --campaign <out>`: re-grows a recorded campaign into a new directory
 * with the real campaign loop, in the recorded order of changes, and compares the new tree with the
 * recorded one node by node.
 *
 * What is guaranteed: every selection and mutation of the regrow sees exactly the archive state
 * (nodes, scores, child counts, snapshot order) that the recorded one saw, for any number of
 * workers, because the loop is driven by the recorded schedule (`replay-schedule.ts`) rather than
 * by how long evaluations take. Random choices come from (campaign seed, node id, purpose), and
 * evaluations of deterministic tasks depend on the code and the seeds only. So the tree is
 * identical node by node (parents, code, statuses, scores) whenever the mutator is deterministic
 * given its request (the parametric mutator; model mutators through recorded-call replay) and the
 * task is deterministic. Any difference is reported as the first divergence, and the regrow goes
 * on from its own results (it does not copy the recorded ones).
 */
import type { ArchiveStore } from '../archive/types.js';
import type { AgentFiles, AgentNode, EvaluationRecord, RunEvent } from '../core/types.js';
import { listNodeRefEntries } from '../lineage/git-batch.js';
import type { CodeStore } from '../lineage/types.js';
import { readCampaignSchedule, SegmentGate } from './replay-schedule.js';
import type { CampaignSchedule } from './types.js';

/** A campaign directory's stores. */
export interface CampaignStores {
  archive: ArchiveStore;
  code: CodeStore;
}

/** What one invocation of the target campaign's loop is run with. */
export interface InvocationOptions {
  /** The recorded order of this invocation. */
  schedule: CampaignSchedule;
  /** Workers: the most children the recorded invocation had in flight at once. */
  workers: number;
  /** The recorded seed agent (node #0's code). */
  seedFiles: () => Promise<AgentFiles>;
  /**
   * Children the archive holds when the recorded invocation ended (the iteration budget to run
   * with): a scheduler that evaluates existing nodes between children (HGM) must stop where the
   * recorded one stopped, not go on evaluating.
   */
  iterations: number;
  onEvent: (event: RunEvent) => void;
  stopSignal: AbortSignal;
}

/** Options of `regrowCampaign`. */
export interface RegrowOptions {
  /** The recorded campaign (read only). */
  source: CampaignStores;
  /** A new, empty campaign with the recorded configuration. */
  target: CampaignStores;
  /**
   * Runs one invocation of the target campaign's loop, wired exactly as `clade run` wires it
   * (`Campaign.run` with `schedule` and `seedFiles`): the same task, sandbox, evaluation scheme,
   * selector and mutator (a model mutator answered from the recorded calls).
   */
  runInvocation: (options: InvocationOptions) => Promise<unknown>;
  /** The loop's events, as `clade run --json` prints them. */
  onEvent?: (event: RunEvent) => void;
  /**
   * Called after each regrown node is compared, in the order the campaign grew. Nodes are compared
   * as they stand when the invocation that recorded them ends (staged and HGM evaluation append to
   * a node after it is first recorded), and every node again when the regrow ends.
   */
  onCompared?: (comparison: NodeComparison) => void;
  /** Stop at the first divergence instead of growing the whole campaign. */
  failFast?: boolean;
  stopSignal?: AbortSignal;
}

/** One field that differs between the recorded node and the regrown one. */
export interface FieldDifference {
  field: string;
  recorded: unknown;
  regrown: unknown;
}

/** A regrown node against its recorded twin. */
export interface NodeComparison {
  nodeId: number;
  /** Empty when identical. */
  differences: FieldDifference[];
}

/** What `regrowCampaign` found. */
export interface RegrowReport {
  identical: boolean;
  /** Recorded nodes. */
  recordedNodes: number;
  /** Nodes the regrow recorded. */
  regrownNodes: number;
  /** Nodes compared with differences. */
  divergentNodes: number;
  /** The first divergence in the order the campaign grew, or null. */
  firstDivergence: NodeComparison | null;
  /** Invocations (run + resumes) replayed. */
  invocations: number;
  /** Whether the order came from recorded creation events or was rebuilt from timestamps. */
  scheduleSource: 'events' | 'timestamps';
  /** The regrow could not follow the recorded order (the two campaigns no longer match in shape). */
  scheduleProblem: string | null;
  /** Children the recorded campaign lost to an abort or a kill (re-made and discarded here too). */
  lostChildren: number;
  stoppedEarly: boolean;
}

/** Re-grows `source` into `target` and compares every node. */
export async function regrowCampaign(options: RegrowOptions): Promise<RegrowReport> {
  const { source, target } = options;
  const recordedNodes = source.archive.listNodes();
  const recordedById = new Map(recordedNodes.map((node) => [node.id, node]));
  const schedule = readCampaignSchedule(source.archive.events(), recordedNodes);
  const root = recordedById.get(0);
  const seedFiles = async () => {
    if (!root) throw new Error('The recorded campaign has no seed node #0: there is nothing to regrow.');
    return source.code.readFiles(root.commit);
  };

  const regrownOrder: number[] = [];
  const compare = (nodeId: number): NodeComparison => {
    const regrown = target.archive.getNode(nodeId);
    if (regrown === null) {
      return { nodeId, differences: [{ field: 'node', recorded: `#${nodeId}`, regrown: 'not regrown' }] };
    }
    return compareNodes(
      recordedById.get(nodeId),
      source.archive.evaluations(nodeId),
      regrown,
      target.archive.evaluations(nodeId),
    );
  };
  const internalStop = new AbortController();
  const stopSignal = options.stopSignal
    ? AbortSignal.any([options.stopSignal, internalStop.signal])
    : internalStop.signal;
  let scheduleProblem: string | null = null;
  let invocations = 0;
  const recordedChildren = new Set<number>();

  for (const segment of schedule.segments) {
    if (stopSignal.aborted) break;
    invocations++;
    for (const step of segment.steps)
      if (step.kind === 'record' && step.nodeId !== 0) recordedChildren.add(step.nodeId);
    const gate = new SegmentGate(segment);
    const abandon = (): void => gate.abandon();
    stopSignal.addEventListener('abort', abandon, { once: true });
    const recordedHere: number[] = [];
    const onEvent = (event: RunEvent): void => {
      gate.observe(event);
      options.onEvent?.(event);
      if (event.type === 'node-recorded') recordedHere.push(event.node.id);
    };
    await options.runInvocation({
      schedule: gate,
      workers: segment.workers,
      seedFiles,
      iterations: recordedChildren.size,
      onEvent,
      stopSignal,
    });
    stopSignal.removeEventListener('abort', abandon);
    regrownOrder.push(...recordedHere);
    // Compared when their invocation has ended: evaluations appended after the first record are in.
    for (const nodeId of recordedHere) {
      const comparison = compare(nodeId);
      options.onCompared?.(comparison);
      if (comparison.differences.length > 0 && options.failFast) internalStop.abort();
    }
    if (gate.problem !== null) {
      scheduleProblem = gate.problem;
      break;
    }
  }

  // The final comparison: every node as it stands at the end (a later invocation may have added
  // evaluations to a node of an earlier one).
  const comparisons = regrownOrder.map(compare);
  // Code: compare trees (content hashes) of both repositories, one git process each.
  const recordedTrees = await treesById(source);
  const regrownTrees = await treesById(target);
  for (const comparison of comparisons) {
    const recorded = recordedTrees.get(comparison.nodeId);
    const regrown = regrownTrees.get(comparison.nodeId);
    if (recorded !== undefined && regrown !== undefined && recorded !== regrown) {
      comparison.differences.push({ field: 'code (git tree)', recorded, regrown });
    }
  }
  const regrownIds = new Set(comparisons.map((comparison) => comparison.nodeId));
  for (const node of recordedNodes) {
    if (!regrownIds.has(node.id)) {
      comparisons.push({
        nodeId: node.id,
        differences: [{ field: 'node', recorded: `#${node.id} (${node.status})`, regrown: 'not regrown' }],
      });
    }
  }
  const divergent = comparisons.filter((comparison) => comparison.differences.length > 0);
  return {
    identical: divergent.length === 0 && scheduleProblem === null,
    recordedNodes: recordedNodes.length,
    regrownNodes: regrownIds.size,
    divergentNodes: divergent.length,
    firstDivergence: divergent[0] ?? null,
    invocations,
    scheduleSource: schedule.source,
    scheduleProblem,
    lostChildren: schedule.segments.reduce((sum, segment) => sum + segment.lost.length, 0),
    stoppedEarly: stopSignal.aborted,
  };
}

async function treesById(stores: CampaignStores): Promise<Map<number, string>> {
  const entries = await listNodeRefEntries(stores.code.path);
  return new Map(entries.map((entry) => [entry.nodeId, entry.tree]));
}

/** Metrics that name where an evaluation ran, not what it found. */
const ENVIRONMENT_METRICS = new Set(['environment']);

/** Compares everything a deterministic regrow must reproduce (not times, logs or commit hashes). */
export function compareNodes(
  recorded: AgentNode | undefined,
  recordedEvaluations: readonly EvaluationRecord[],
  regrown: AgentNode,
  regrownEvaluations: readonly EvaluationRecord[],
): NodeComparison {
  const differences: FieldDifference[] = [];
  if (!recorded) {
    return { nodeId: regrown.id, differences: [{ field: 'node', recorded: 'absent', regrown: `#${regrown.id}` }] };
  }
  const check = (field: string, a: unknown, b: unknown): void => {
    if (stableJson(a) !== stableJson(b)) differences.push({ field, recorded: a, regrown: b });
  };
  check('parent', recorded.parentId, regrown.parentId);
  check(
    'mutation',
    `${recorded.mutation.operator}: ${recorded.mutation.summary}`,
    `${regrown.mutation.operator}: ${regrown.mutation.summary}`,
  );
  check('status', recorded.status, regrown.status);
  check('score', recorded.score, regrown.score);
  check('iteration', recorded.iteration, regrown.iteration);
  check('public metrics', recorded.publicMetrics, regrown.publicMetrics);
  check('private metrics', withoutEnvironment(recorded.privateMetrics), withoutEnvironment(regrown.privateMetrics));
  const key = (evaluation: EvaluationRecord) => `${evaluation.problem} #${evaluation.repeat}`;
  const regrownByKey = new Map(regrownEvaluations.map((evaluation) => [key(evaluation), evaluation]));
  for (const evaluation of recordedEvaluations) {
    const twin = regrownByKey.get(key(evaluation));
    regrownByKey.delete(key(evaluation));
    if (!twin) {
      differences.push({ field: `evaluation ${key(evaluation)}`, recorded: evaluation.score, regrown: 'missing' });
      continue;
    }
    check(`evaluation ${key(evaluation)}`, summary(evaluation), summary(twin));
  }
  for (const [name, evaluation] of regrownByKey) {
    differences.push({ field: `evaluation ${name}`, recorded: 'missing', regrown: evaluation.score });
  }
  return { nodeId: regrown.id, differences };
}

function summary(evaluation: EvaluationRecord): unknown {
  return { seed: evaluation.seed, status: evaluation.status, score: evaluation.score, metrics: evaluation.metrics };
}

function withoutEnvironment(metrics: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(metrics).filter(([name]) => !ENVIRONMENT_METRICS.has(name)));
}

/** JSON with sorted keys, so that key order does not count as a difference. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${stableJson(item)}`).join(',')}}`;
}
