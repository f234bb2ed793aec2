import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/random.js';
import { hgmScheduler, thompsonArgmax } from '../../../src/selection/hgm-scheduler.js';
import type { SchedulingView, SelectionCandidate } from '../../../src/selection/types.js';

const plan = { jobCount: 4, stages: [{ end: 4, threshold: 0 }] };

function node(id: number, status: SelectionCandidate['status'], passes: number, failures: number): SelectionCandidate {
  return {
    id,
    parentId: id === 0 ? null : 0,
    status,
    score: status === 'scored' ? 0.5 : null,
    children: 0,
    own: { passes, failures },
  };
}

function view(
  nodes: SelectionCandidate[],
  evaluated: Record<number, number>,
  options: { pending?: number; busy?: number[]; seed?: number } = {},
): SchedulingView {
  const evaluationCount = Object.values(evaluated).reduce((sum, count) => sum + count, 0);
  return {
    plan,
    nodes,
    nodeCount: nodes.length,
    pendingChildren: options.pending ?? 0,
    evaluationCount,
    evaluated: (id) => evaluated[id] ?? 0,
    busy: (id) => options.busy?.includes(id) ?? false,
    random: (...parts) => createRandom(options.seed ?? 1, ...parts),
  };
}

describe('hgmScheduler', () => {
  const scheduler = hgmScheduler({ alpha: 0.6, initialJobs: 2 });

  it('starts a child on initialJobs jobs (at most the plan), evaluates in batches, never continues by itself', () => {
    expect(scheduler.initialJobs(plan)).toBe(2);
    expect(hgmScheduler({ alpha: 0.6, initialJobs: 9 }).initialJobs(plan)).toBe(4);
    expect(scheduler.incremental(plan)).toBe(true);
    expect(scheduler.continueWith(plan, 2, 1)).toBe(0);
  });

  it('widens when evaluations^α ≥ nodes − 1 + pending expansions', () => {
    const nodes = [node(0, 'scored', 2, 2), node(1, 'scored', 1, 0), node(2, 'scored', 0, 1)];
    // 8^0.6 ≈ 3.48 ≥ 2 + 1: expand; with 2 pending, 3.48 < 4: evaluate.
    expect(scheduler.next(view(nodes, { 0: 4, 1: 2, 2: 2 }, { pending: 1 }))).toEqual({ kind: 'expand' });
    expect(scheduler.next(view(nodes, { 0: 4, 1: 2, 2: 2 }, { pending: 2 })).kind).toBe('evaluate');
  });

  it('evaluates one more job of the open node with the highest Thompson draw on its own outcomes', () => {
    const nodes = [node(0, 'scored', 2, 2), node(1, 'scored', 1, 0), node(2, 'crashed', 0, 0), node(3, 'scored', 0, 1)];
    const evaluated = { 0: 4, 1: 1, 2: 0, 3: 1 };
    for (let seed = 0; seed < 20; seed++) {
      const current = view(nodes, evaluated, { pending: 3, seed });
      const open = [nodes[1], nodes[3]] as SelectionCandidate[];
      const expected =
        open[
          thompsonArgmax(
            open.map((entry) => entry.own ?? { passes: 0, failures: 0 }),
            current.random('hgm-evaluation', 6, 4),
          )
        ];
      expect(scheduler.next(current)).toEqual({ kind: 'evaluate', nodeId: expected?.id, jobCount: 1 });
    }
  });

  it('expands when every open node is fully evaluated, failed or busy', () => {
    const nodes = [node(0, 'scored', 2, 2), node(1, 'scored', 1, 0), node(2, 'crashed', 0, 0)];
    expect(scheduler.next(view(nodes, { 0: 4, 1: 1 }, { pending: 5, busy: [1] }))).toEqual({ kind: 'expand' });
  });
});
