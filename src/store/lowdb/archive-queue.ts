// Which live records may move to history, and from when, ordered by that time. Keeping this index means a write
// looks only at the few records that are due, never scans the whole state: the archiving work per write is bounded.

export type ArchiveKind = 'confirmation' | 'dispatch' | 'approval';

export interface ArchiveCandidate {
  kind: ArchiveKind;
  id: string;
  /** Epoch ms from which the record may leave state.json. */
  dueMs: number;
}

export class ArchiveQueue {
  /** Sorted by dueMs, oldest first. Duplicates are harmless: the taker re-checks each record. */
  readonly #items: ArchiveCandidate[] = [];

  get size(): number {
    return this.#items.length;
  }

  add(candidate: ArchiveCandidate): void {
    const items = this.#items;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (items[mid]!.dueMs <= candidate.dueMs) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, candidate);
  }

  /** Removes and returns at most `max` candidates due at `nowMs`. */
  takeDue(nowMs: number, max: number): ArchiveCandidate[] {
    let count = 0;
    while (count < max && count < this.#items.length && this.#items[count]!.dueMs <= nowMs) count += 1;
    return this.#items.splice(0, count);
  }
}
