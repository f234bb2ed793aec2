/**
 * @module The campaign loop's persistent selection snapshot: candidates in a grow-only array, each
 * change to one written in a journal, so selectors update what they derive from the archive (sum
 * trees, sorted scores, islands) by the changed entries only instead of rebuilding it per child.
 */
import type { CandidateJournal, SelectionCandidate, SelectionSnapshot } from './types.js';

/** Fields of a candidate that may change after it was added (its id never does). */
export type CandidateChange = Partial<Omit<SelectionCandidate, 'id'>>;

/**
 * Candidates by insertion order, with a journal of changes. Use `add`/`update` for every change:
 * a candidate changed behind the pool's back leaves selectors' derived state stale.
 */
export class CandidatePool implements CandidateJournal {
  private readonly entries: SelectionCandidate[] = [];
  private readonly positions = new Map<number, number>();
  private journal = new Int32Array(1024);
  private changes = 0;

  /** The candidates in insertion order (the same array for the pool's whole life; entries change in place). */
  get nodes(): readonly SelectionCandidate[] {
    return this.entries;
  }

  get version(): number {
    return this.changes;
  }

  get size(): number {
    return this.entries.length;
  }

  positionAt(change: number): number {
    if (!(change >= 0 && change < this.changes)) {
      throw new RangeError(`Journal entry ${change} does not exist; the journal has ${this.changes} entries`);
    }
    return this.journal[change] as number;
  }

  /** The candidate with this id (undefined when absent). Read-only: change it through `update`. */
  get(id: number): Readonly<SelectionCandidate> | undefined {
    const position = this.positions.get(id);
    return position === undefined ? undefined : this.entries[position];
  }

  has(id: number): boolean {
    return this.positions.has(id);
  }

  /** Adds a candidate at the end; one with the same id already present is updated in place instead. */
  add(candidate: SelectionCandidate): void {
    const position = this.positions.get(candidate.id);
    if (position !== undefined) {
      const { id: _id, ...fields } = candidate;
      this.update(candidate.id, fields);
      return;
    }
    this.positions.set(candidate.id, this.entries.length);
    this.entries.push({ ...candidate });
    this.log(this.entries.length - 1);
  }

  /** Changes fields of the candidate with this id; a no-op for an unknown id. */
  update(id: number, change: CandidateChange): void {
    const position = this.positions.get(id);
    if (position === undefined) return;
    Object.assign(this.entries[position] as SelectionCandidate, change);
    this.log(position);
  }

  /** A snapshot for one selection: the pool's own array and journal, nothing copied. */
  snapshot(iteration?: number): SelectionSnapshot {
    return iteration === undefined
      ? { nodes: this.entries, journal: this }
      : { nodes: this.entries, iteration, journal: this };
  }

  private log(position: number): void {
    if (this.changes === this.journal.length) {
      const grown = new Int32Array(this.journal.length * 2);
      grown.set(this.journal);
      this.journal = grown;
    }
    this.journal[this.changes++] = position;
  }
}
