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
 *
 * The journal stays small: a position already journaled and not yet read by any selector is not
 * written again (the selector re-reads the node as it is then), and entries far older than the
 * newest (more than twice the pool's size) are dropped, so a selector that far behind rebuilds,
 * which costs what replaying them would.
 */
export class CandidatePool implements CandidateJournal {
  private readonly entries: SelectionCandidate[] = [];
  private readonly positions = new Map<number, number>();
  private journal = new Int32Array(1024);
  /** Version of journal[0]. */
  private base = 0;
  private length = 0;
  /** Per position: 1 + the version of its newest journal entry (0: none). */
  private journaledAt = new Int32Array(1024);
  /** Version when a selector last read the journal. */
  private readMark = 0;

  /** The candidates in insertion order (the same array for the pool's whole life; entries change in place). */
  get nodes(): readonly SelectionCandidate[] {
    return this.entries;
  }

  get version(): number {
    return this.base + this.length;
  }

  get size(): number {
    return this.entries.length;
  }

  changesSince(version: number): Int32Array | null {
    this.readMark = this.version;
    if (version < this.base || version > this.version) return null;
    return this.journal.subarray(version - this.base, this.length);
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
    if (position >= this.journaledAt.length) {
      const grown = new Int32Array(Math.max(2 * this.journaledAt.length, position + 1));
      grown.set(this.journaledAt);
      this.journaledAt = grown;
    }
    const newest = (this.journaledAt[position] as number) - 1;
    // Journaled after the last read: every selector will still re-read it, as it is then.
    if (newest >= this.readMark) return;
    if (this.length === this.journal.length) {
      const keep = 2 * this.entries.length + 1024;
      if (this.length > keep) {
        const drop = this.length - keep;
        this.journal.copyWithin(0, drop, this.length);
        this.base += drop;
        this.length -= drop;
      } else {
        const grown = new Int32Array(this.journal.length * 2);
        grown.set(this.journal);
        this.journal = grown;
      }
    }
    this.journaledAt[position] = this.version + 1;
    this.journal[this.length++] = position;
  }
}
