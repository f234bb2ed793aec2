/**
 * @module What a selector derives from a snapshot (weights, sorted scores, islands), kept across
 * calls when the snapshot carries a journal: the state is built once from every node, then each
 * later call re-reads only the nodes the journal says changed. Without a journal (a plain array,
 * as tests pass) the state is built from scratch, so both paths answer the same.
 */
import type { CandidateJournal, SelectionCandidate, SelectionSnapshot } from './types.js';

/** State a selector derives from the nodes, one position at a time. */
export interface DerivedState {
  /**
   * Re-reads the node at `position` (added or changed). Positions are new in increasing order;
   * the same position may come again. Implementations compare with what they stored for it.
   */
  refresh(nodes: readonly SelectionCandidate[], position: number): void;
}

/**
 * Keeps one selector's derived state in step with the journal it last saw. A different journal
 * (another pool) or a plain snapshot starts from scratch.
 */
export class DerivedStateCache<State extends DerivedState> {
  private journal: CandidateJournal | null = null;
  private version = 0;
  private state: State | null = null;

  constructor(private readonly create: () => State) {}

  /** The state for this snapshot, up to date with every node in it. */
  get(snapshot: SelectionSnapshot): State {
    const { journal, nodes } = snapshot;
    if (journal && journal === this.journal && this.state !== null && journal.version >= this.version) {
      const changed = journal.changesSince(this.version);
      if (changed !== null) {
        for (const position of changed) this.state.refresh(nodes, position);
        this.version = journal.version;
        return this.state;
      }
    }
    const state = this.create();
    for (let position = 0; position < nodes.length; position++) state.refresh(nodes, position);
    if (journal) {
      this.journal = journal;
      this.version = journal.version;
      this.state = state;
      journal.changesSince(journal.version); // read up to here
    }
    return state;
  }
}

/** A candidate that may be a parent: status `scored` with a finite score. */
export function isScored(node: SelectionCandidate): node is SelectionCandidate & { score: number } {
  return node.status === 'scored' && typeof node.score === 'number' && Number.isFinite(node.score);
}

/** `array` itself when it holds `length` entries, else a copy at least twice as long. */
export function ensureLength<T extends Float64Array | Int32Array | Uint8Array>(array: T, length: number): T {
  if (length <= array.length) return array;
  let size = Math.max(16, array.length);
  while (size < length) size *= 2;
  const grown = new (array.constructor as new (size: number) => T)(size);
  grown.set(array);
  return grown;
}

/** Index of the first entry of `values[0..length)` that is ≥ `value` (ascending values). */
export function lowerBound(values: Float64Array | Int32Array, length: number, value: number): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((values[middle] as number) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Index of the first entry of `values[0..length)` that is > `value` (ascending values). */
export function upperBound(values: Float64Array | Int32Array, length: number, value: number): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((values[middle] as number) <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The positions of scored nodes in snapshot order (ascending), kept by `refresh`: what `random`,
 * `tournament` and `hgm` draw from. Uniform picks are O(1); a node joining or leaving is a
 * binary search and a move of the entries after it.
 */
export class ScoredPositions implements DerivedState {
  positions = new Int32Array(16);
  length = 0;
  private member = new Uint8Array(16);

  refresh(nodes: readonly SelectionCandidate[], position: number): void {
    this.member = ensureLength(this.member, position + 1);
    const now = isScored(nodes[position] as SelectionCandidate) ? 1 : 0;
    if (now === this.member[position]) return;
    this.member[position] = now;
    if (now === 1) {
      this.positions = ensureLength(this.positions, this.length + 1);
      const at = lowerBound(this.positions, this.length, position);
      this.positions.copyWithin(at + 1, at, this.length);
      this.positions[at] = position;
      this.length++;
    } else {
      const at = lowerBound(this.positions, this.length, position);
      this.positions.copyWithin(at, at + 1, this.length);
      this.length--;
    }
  }
}
