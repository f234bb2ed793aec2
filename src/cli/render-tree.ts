/**
 * @module The agent tree as text (`clade tree`) and as JSON (`clade tree --json`).
 */
import { ancestorsOf } from '../archive/parent-links.js';
import type { NodeStatsRecord } from '../archive/types.js';
import type { OutcomeCounts } from '../core/outcomes.js';
import type { AgentNode } from '../core/types.js';

export interface TreeJsonNode {
  id: number;
  parentId: number | null;
  status: AgentNode['status'];
  score: number | null;
  iteration: number;
  children: number;
  operator: string;
  summary: string;
  commit: string;
  error: string | null;
  createdAt: string;
  evaluatedAt: string | null;
  /** The node's own task outcomes (graded: score as passes, 1 − score as failures). */
  own: OutcomeCounts;
  /** Own plus every descendant's outcomes (HGM's clade). */
  clade: OutcomeCounts;
}

/**
 * `clade tree --json`: `{"nodes":[{"id","parentId","status","score","children","own","clade",...}]}`,
 * ordered by id. `stats` (the archive's clade statistics) fills `own` and `clade`; nodes without
 * stats get zero counts.
 */
export function treeJson(
  nodes: readonly AgentNode[],
  stats: readonly NodeStatsRecord[] = [],
): { nodes: TreeJsonNode[] } {
  const children = childrenIndex(nodes);
  const statsById = new Map(stats.map((entry) => [entry.nodeId, entry]));
  const none = (): OutcomeCounts => ({ passes: 0, failures: 0 });
  return {
    nodes: nodes.map((node) => ({
      id: node.id,
      parentId: node.parentId,
      status: node.status,
      score: node.score,
      iteration: node.iteration,
      children: children.get(node.id)?.length ?? 0,
      operator: node.mutation.operator,
      summary: node.mutation.summary,
      commit: node.commit,
      error: node.error,
      createdAt: node.createdAt,
      evaluatedAt: node.evaluatedAt,
      own: statsById.get(node.id)?.own ?? none(),
      clade: statsById.get(node.id)?.clade ?? none(),
    })),
  };
}

export interface RenderTreeOptions {
  /** Deepest level printed (0 = root only); deeper subtrees are summarised. */
  maxDepth?: number;
}

/**
 * ASCII tree: score (or status), `*` on the best node's lineage, `★` on the best node.
 * Iterative, so deep trees do not overflow the stack; every node is drawn at most once, so a parent
 * cycle in a damaged archive cannot make it loop (callers refuse one first: `assertNoParentCycle`).
 */
export function renderTree(nodes: readonly AgentNode[], options: RenderTreeOptions = {}): string {
  if (nodes.length === 0) return '(empty archive)';
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const children = childrenIndex(nodes);
  const best = bestNode(nodes);
  const lineage = new Set<number>(best ? [best.id, ...ancestorsOf(best, byId).map((node) => node.id)] : []);
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const lines: string[] = [];
  const roots = nodes.filter((node) => node.parentId === null || !byId.has(node.parentId));
  const stack: StackItem[] = roots
    .map((node, index) => ({ node, prefix: null, last: index === roots.length - 1, depth: 0 }))
    .reverse();
  while (stack.length > 0) {
    const item = stack.pop();
    if (!item) break;
    const { node, prefix, last, depth } = item;
    const connector = depth === 0 ? '' : last ? '└─ ' : '├─ ';
    lines.push(`${drawPrefix(prefix)}${connector}${describe(node, best, lineage)}`);
    const kids = children.get(node.id) ?? [];
    const childPrefix: Prefix | null =
      depth === 0 ? null : { segment: last ? '   ' : '│  ', parent: prefix, depth: (prefix?.depth ?? 0) + 1 };
    if (kids.length > 0 && depth >= maxDepth) {
      lines.push(`${drawPrefix(childPrefix)}└─ … ${countDescendants(node.id, children)} more below (raise --depth)`);
      continue;
    }
    for (let index = kids.length - 1; index >= 0; index--) {
      const kid = kids[index];
      if (kid) stack.push({ node: kid, prefix: childPrefix, last: index === kids.length - 1, depth: depth + 1 });
    }
  }
  return lines.join('\n');
}

/** Indentation as a shared linked list, so deep trees cost O(nodes), not O(nodes × depth). */
interface Prefix {
  segment: string;
  parent: Prefix | null;
  depth: number;
}

interface StackItem {
  node: AgentNode;
  prefix: Prefix | null;
  last: boolean;
  depth: number;
}

/** Levels of indentation drawn; deeper lines show their depth instead of more indentation. */
const DRAWN_LEVELS = 24;

function drawPrefix(prefix: Prefix | null): string {
  const segments: string[] = [];
  let current = prefix;
  while (current && segments.length < DRAWN_LEVELS) {
    segments.push(current.segment);
    current = current.parent;
  }
  const elided = current ? `[depth ${prefix?.depth}] ` : '';
  return elided + segments.reverse().join('');
}

function describe(node: AgentNode, best: AgentNode | undefined, lineage: ReadonlySet<number>): string {
  const mark = best?.id === node.id ? '★' : lineage.has(node.id) ? '*' : ' ';
  const value = node.status === 'scored' && node.score !== null ? node.score.toFixed(4) : `✗ ${node.status}`;
  const summary =
    node.mutation.summary.length > 70 ? `${node.mutation.summary.slice(0, 67)}...` : node.mutation.summary;
  return `${mark}#${node.id} ${value}  ${summary}`;
}

/** The scored node with the highest score (lowest id on ties). */
export function bestNode(nodes: readonly AgentNode[]): AgentNode | undefined {
  let best: AgentNode | undefined;
  for (const node of nodes) {
    if (node.status !== 'scored' || node.score === null) continue;
    if (!best || node.score > (best.score ?? Number.NEGATIVE_INFINITY)) best = node;
  }
  return best;
}

function childrenIndex(nodes: readonly AgentNode[]): Map<number, AgentNode[]> {
  const index = new Map<number, AgentNode[]>();
  for (const node of nodes) {
    if (node.parentId === null) continue;
    const list = index.get(node.parentId);
    if (list) list.push(node);
    else index.set(node.parentId, [node]);
  }
  return index;
}

function countDescendants(id: number, children: ReadonlyMap<number, AgentNode[]>): number {
  let count = 0;
  const stack = [...(children.get(id) ?? [])];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node) break;
    count++;
    stack.push(...(children.get(node.id) ?? []));
  }
  return count;
}
