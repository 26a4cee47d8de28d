// The live records in memory, and the one way they reach disk: commit(). Each commit first moves a bounded batch of
// due records to history.jsonl, then rewrites state.json. History is written before state.json drops a record, so a
// crash between the two can duplicate a history line but never lose a record.
import { ERROR_CODES, LockdeskError, isLockdeskError } from '../../core/errors.js';
import { isSettled, type Approval, type Confirmation, type DispatchRecord } from '../../core/records.js';
import type { Logger } from '../../ports.js';
import { ArchiveQueue, type ArchiveCandidate } from './archive-queue.js';
import { GroupCommit } from './group-commit.js';
import type { HistoryArchive } from './history-archive.js';
import type { HistoryLine } from './schema.js';
import type { LiveRecords, StateFile } from './state-file.js';

/** At most this many records move to history per commit, so no single write pays for a backlog. */
export const ARCHIVE_BATCH = 100;

export interface LiveStateOptions {
  now: () => Date;
  /** How long a settled dispatch stays readable through get() before it moves to history. */
  settledGraceMs: number;
  logger: Logger;
}

export class LiveState {
  readonly confirmations: Map<string, Confirmation>;
  readonly dispatches: Map<string, DispatchRecord>;
  readonly approvals: Map<string, Approval>;
  readonly #state: StateFile;
  readonly #history: HistoryArchive;
  readonly #options: LiveStateOptions;
  readonly #queue = new ArchiveQueue();
  readonly #commit = new GroupCommit(() => this.#flush());
  #closed = false;

  constructor(state: StateFile, records: LiveRecords, history: HistoryArchive, options: LiveStateOptions) {
    this.confirmations = records.confirmations;
    this.dispatches = records.dispatches;
    this.approvals = records.approvals;
    this.#state = state;
    this.#history = history;
    this.#options = options;
    for (const c of this.confirmations.values()) if (c.status !== 'pending') this.confirmationResolved(c);
    for (const a of this.approvals.values()) if (a.status !== 'pending') this.approvalResolved(a);
    // Settled before this start: their grace already ran (or nobody is waiting on them any more).
    const nowMs = options.now().getTime();
    for (const d of this.dispatches.values()) if (isSettled(d.state)) this.#queue.add({ kind: 'dispatch', id: d.id, dueMs: nowMs });
  }

  /** A spent confirmation still answers "already used" until its expiresAt, then it may go. */
  confirmationResolved(c: Confirmation): void {
    this.#queue.add({ kind: 'confirmation', id: c.id, dueMs: Date.parse(c.expiresAt) });
  }

  /** A resolved approval still answers "already approved" until its expiresAt, then it may go. */
  approvalResolved(a: Approval): void {
    this.#queue.add({ kind: 'approval', id: a.id, dueMs: Date.parse(a.expiresAt) });
  }

  dispatchSettled(d: DispatchRecord): void {
    this.#queue.add({ kind: 'dispatch', id: d.id, dueMs: this.#options.now().getTime() + this.#options.settledGraceMs });
  }

  /** Resolves once every change made before the call is in state.json. */
  commit(): Promise<void> {
    return this.#commit.request();
  }

  /** Waits for pending writes; every later use throws, so a late caller cannot believe an unwritten change was kept. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#commit.idle();
  }

  ensureOpen(): void {
    if (this.#closed) throw new LockdeskError(ERROR_CODES.STORE_UNAVAILABLE, `The store at ${this.#state.file} is closed.`);
  }

  /**
   * Applies a change in memory, commits it, and undoes it if the commit fails, so memory never claims what the
   * disk does not hold. `apply` runs synchronously, right away; `undo` only runs if the change is still the latest.
   */
  async change(apply: () => void, undo: () => void): Promise<void> {
    this.ensureOpen();
    apply();
    try {
      await this.commit();
    } catch (error) {
      undo();
      throw error;
    }
  }

  async #flush(): Promise<void> {
    const now = this.#options.now();
    const moved = this.#takeDue(now);
    if (moved.length > 0) {
      try {
        await this.#history.append(moved.map(({ line }) => line));
      } catch (error) {
        // Archiving is housekeeping: if history cannot be written, keep the records live and retry on a later write.
        for (const { line, candidate } of moved) {
          this.#restore(line);
          this.#queue.add({ ...candidate, dueMs: now.getTime() });
        }
        this.#options.logger.warn({ err: error, records: moved.length }, 'could not append to history.jsonl; records stay in state.json for now');
      }
    }
    try {
      await this.#state.write(this);
    } catch (error) {
      if (isLockdeskError(error)) throw error;
      throw new LockdeskError(ERROR_CODES.STORE_UNAVAILABLE, `Could not write ${this.#state.file}: ${String(error)}`, { cause: error });
    }
  }

  /** Synchronous: the records leave the maps in the same tick as they are chosen. */
  #takeDue(now: Date): { line: HistoryLine; candidate: ArchiveCandidate }[] {
    const archivedAt = now.toISOString();
    const moved: { line: HistoryLine; candidate: ArchiveCandidate }[] = [];
    for (const candidate of this.#queue.takeDue(now.getTime(), ARCHIVE_BATCH)) {
      if (candidate.kind === 'confirmation') {
        const record = this.confirmations.get(candidate.id);
        if (!record || record.status === 'pending') continue;
        this.confirmations.delete(candidate.id);
        moved.push({ line: { kind: 'confirmation', archivedAt, record }, candidate });
      } else if (candidate.kind === 'approval') {
        const record = this.approvals.get(candidate.id);
        if (!record || record.status === 'pending') continue;
        this.approvals.delete(candidate.id);
        moved.push({ line: { kind: 'approval', archivedAt, record }, candidate });
      } else {
        const record = this.dispatches.get(candidate.id);
        // Not settled any more (a later update reopened it): it is queued again when it settles.
        if (!record || !isSettled(record.state)) continue;
        this.dispatches.delete(candidate.id);
        moved.push({ line: { kind: 'dispatch', archivedAt, record }, candidate });
      }
    }
    return moved;
  }

  #restore(line: HistoryLine): void {
    if (line.kind === 'confirmation') {
      if (!this.confirmations.has(line.record.id)) this.confirmations.set(line.record.id, line.record);
    } else if (line.kind === 'approval') {
      if (!this.approvals.has(line.record.id)) this.approvals.set(line.record.id, line.record);
    } else if (!this.dispatches.has(line.record.id)) {
      this.dispatches.set(line.record.id, line.record);
    }
  }
}
