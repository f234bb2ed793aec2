/**
 * @module The parent links of an archive's nodes as a tree: every walk up or down them bounded, and
 * a parent cycle (only a hand-edited or damaged archive.db has one) found in one pass and reported
 * as an error naming `clade fsck`, instead of a command that hangs.
 */
import { ArchiveError } from '../core/errors.js';

/** What the checks need of a node. */
export interface ParentLink {
  id: number;
  parentId: number | null;
}

/**
 * The first parent cycle among `nodes` (ids in parent order, starting at the smallest id in it),
 * or null when the parent links form a forest. O(nodes); a parent that is not among `nodes` ends a
 * walk (fsck reports it separately).
 */
export function findParentCycle(nodes: Iterable<ParentLink>): number[] | null {
  const parentOf = new Map<number, number | null>();
  for (const node of nodes) parentOf.set(node.id, node.parentId);
  /** 1: on the walk in progress, 2: known to reach a root (or a missing parent). */
  const state = new Map<number, 1 | 2>();
  for (const start of parentOf.keys()) {
    if (state.has(start)) continue;
    const path: number[] = [];
    let current: number | null | undefined = start;
    while (current !== null && current !== undefined && parentOf.has(current)) {
      const seen = state.get(current);
      if (seen === 2) break;
      if (seen === 1) {
        const cycle = path.slice(path.indexOf(current));
        const smallest = cycle.indexOf(Math.min(...cycle));
        return [...cycle.slice(smallest), ...cycle.slice(0, smallest)];
      }
      state.set(current, 1);
      path.push(current);
      current = parentOf.get(current);
    }
    for (const id of path) state.set(id, 2);
  }
  return null;
}

/** The error for a parent cycle in the archive at `where` (a campaign directory or a database file). */
export function parentCycleError(cycle: readonly number[], where: string): ArchiveError {
  const shown = cycle.length > 8 ? [...cycle.slice(0, 8), '…'] : cycle;
  return new ArchiveError(
    'ARCHIVE_CORRUPT',
    `The archive in ${where} is damaged: nodes ${shown.map((id) => (typeof id === 'number' ? `#${id}` : id)).join(' → ')} → #${cycle[0]} form a parent cycle, so the tree cannot be walked. Run \`clade fsck ${where}\` for the full report, and restore archive.db from a backup (a campaign never writes a cycle).`,
  );
}

/**
 * Throws `parentCycleError` when the nodes' parent links have a cycle.
 *
 * @throws ArchiveError `ARCHIVE_CORRUPT` naming the cycle and `clade fsck`.
 */
export function assertNoParentCycle(nodes: Iterable<ParentLink>, where: string): void {
  const cycle = findParentCycle(nodes);
  if (cycle !== null) throw parentCycleError(cycle, where);
}

/**
 * The node's ancestors, nearest first (the node itself not included), stopping at a root, at a
 * parent not in `byId`, or where the walk would revisit a node (a cycle): at most `byId.size` steps.
 */
export function ancestorsOf<Node extends ParentLink>(node: Node, byId: ReadonlyMap<number, Node>): Node[] {
  const ancestors: Node[] = [];
  const seen = new Set<number>([node.id]);
  let current = node.parentId === null ? undefined : byId.get(node.parentId);
  while (current !== undefined && !seen.has(current.id)) {
    seen.add(current.id);
    ancestors.push(current);
    current = current.parentId === null ? undefined : byId.get(current.parentId);
  }
  return ancestors;
}
