// Dispatch records kept in state.json while open; a settled one moves to history.jsonl after a short grace.
import { ERROR_CODES, LockdeskError } from '../../core/errors.js';
import { isSettled, type DispatchPatch, type DispatchRecord, type DispatchState } from '../../core/records.js';
import type { DispatchStore } from '../../ports.js';
import { copy } from '../resolve-rules.js';
import type { LiveState } from './live-state.js';

export class LowdbDispatches implements DispatchStore {
  readonly #live: LiveState;

  constructor(live: LiveState) {
    this.#live = live;
  }

  /** Resolves only after state.json has been replaced: the intent survives a crash right after. */
  async recordIntent(record: DispatchRecord): Promise<void> {
    const map = this.#live.dispatches;
    if (map.has(record.id)) {
      throw new LockdeskError(ERROR_CODES.INTERNAL, `A dispatch with id ${record.id} already exists; ids must be unique.`);
    }
    const stored = copy(record);
    await this.#live.change(
      () => {
        map.set(stored.id, stored);
        if (isSettled(stored.state)) this.#live.dispatchSettled(stored);
      },
      () => map.get(stored.id) === stored && map.delete(stored.id),
    );
  }

  /** The state is checked and changed with no await in between, so within this process one caller wins. */
  async transition(id: string, from: DispatchState, patch: DispatchPatch): Promise<DispatchRecord | undefined> {
    this.#live.ensureOpen();
    const map = this.#live.dispatches;
    const previous = map.get(id);
    if (!previous || previous.state !== from) return undefined;
    const next: DispatchRecord = { ...previous, ...copy(patch) };
    await this.#live.change(
      () => {
        map.set(id, next);
        if (isSettled(next.state)) this.#live.dispatchSettled(next);
      },
      () => map.get(id) === next && map.set(id, previous),
    );
    return copy(next);
  }

  async get(id: string): Promise<DispatchRecord | undefined> {
    this.#live.ensureOpen();
    const found = this.#live.dispatches.get(id);
    return found && copy(found);
  }

  async listOpen(): Promise<DispatchRecord[]> {
    this.#live.ensureOpen();
    return [...this.#live.dispatches.values()].filter((d) => !isSettled(d.state)).map(copy);
  }
}
