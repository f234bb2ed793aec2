import { describe, expect, it } from 'vitest';
import { bestNode, renderTree, treeJson } from '../../../src/cli/render-tree.js';
import type { AgentNode, NodeStatus } from '../../../src/core/types.js';

function node(id: number, parentId: number | null, score: number | null, status: NodeStatus = 'scored'): AgentNode {
  return {
    id,
    parentId,
    commit: `c${id}`,
    status,
    score,
    publicMetrics: {},
    privateMetrics: {},
    mutation: { operator: id === 0 ? 'seed' : 'parametric', summary: `change ${id}` },
    error: status === 'scored' ? null : 'failed',
    iteration: id,
    createdAt: '2026-01-01T00:00:00.000Z',
    evaluatedAt: null,
  };
}

const nodes = [node(0, null, 0.4), node(1, 0, 0.5), node(2, 0, null, 'timeout'), node(3, 1, 0.7), node(4, 1, 0.45)];

describe('renderTree', () => {
  it('draws the hierarchy with scores, marks the best node and its lineage', () => {
    const text = renderTree(nodes);
    expect(text.split('\n')).toEqual([
      '*#0 0.4000  change 0',
      '├─ *#1 0.5000  change 1',
      '│  ├─ ★#3 0.7000  change 3',
      '│  └─  #4 0.4500  change 4',
      '└─  #2 ✗ timeout  change 2',
    ]);
  });

  it('summarises what lies below the depth limit', () => {
    const text = renderTree(nodes, { maxDepth: 1 });
    expect(text).toContain('… 2 more below');
    expect(text).not.toContain('#3');
  });

  it('handles a deep chain without recursion', () => {
    const chain = Array.from({ length: 20_000 }, (_, index) =>
      node(index, index === 0 ? null : index - 1, index / 20_000),
    );
    const lines = renderTree(chain).split('\n');
    expect(lines).toHaveLength(20_000);
    expect(lines.at(-1)).toContain('★#19999');
  });
});

describe('treeJson', () => {
  it('gives id, parentId, status, score and the child count of every node', () => {
    const json = treeJson(nodes);
    expect(json.nodes.map((entry) => [entry.id, entry.parentId, entry.status, entry.score, entry.children])).toEqual([
      [0, null, 'scored', 0.4, 2],
      [1, 0, 'scored', 0.5, 2],
      [2, 0, 'timeout', null, 0],
      [3, 1, 'scored', 0.7, 0],
      [4, 1, 'scored', 0.45, 0],
    ]);
  });

  it('finds the best scored node, ignoring failed ones', () => {
    expect(bestNode(nodes)?.id).toBe(3);
    expect(bestNode([node(0, null, null, 'crashed')])).toBeUndefined();
  });
});
