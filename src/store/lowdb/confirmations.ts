// Confirmations kept in state.json. resolve() decides and mutates in one synchronous step (no await between the check
// and the change), then persists: of any number of concurrent clicks in this process exactly one wins.
import { ERROR_CODES, LockdeskError } from '../../core/errors.js';
import type { Confirmation, ResolveOutcome } from '../../core/records.js';
import type { ActorRef } from '../../core/types.js';
import type { ConfirmationStore } from '../../ports.js';
import { copy, decideResolve, isExpiredPending, type ResolveTarget } from '../resolve-rules.js';
import type { LiveState } from './live-state.js';

export class LowdbConfirmations implements ConfirmationStore {
  readonly #live: LiveState;

  constructor(live: LiveState) {
    this.#live = live;
  }

  async create(confirmation: Confirmation): Promise<void> {
    const map = this.#live.confirmations;
    if (map.has(confirmation.id)) {
      throw new LockdeskError(ERROR_CODES.INTERNAL, `A confirmation with id ${confirmation.id} already exists; ids must be unique.`);
    }
    const stored = copy(confirmation);
    await this.#live.change(
      () => map.set(stored.id, stored),
      () => map.get(stored.id) === stored && map.delete(stored.id),
    );
  }

  async get(id: string): Promise<Confirmation | undefined> {
    this.#live.ensureOpen();
    const found = this.#live.confirmations.get(id);
    return found && copy(found);
  }

  async resolve(id: string, to: ResolveTarget, by: ActorRef | null, choice: string | undefined, now: Date): Promise<ResolveOutcome> {
    this.#live.ensureOpen();
    const map = this.#live.confirmations;
    const previous = map.get(id);
    const decision = decideResolve(previous, to, by, choice, now);
    const next = decision.next;
    if (!next || !previous) return decision.outcome;
    await this.#live.change(
      () => {
        map.set(id, next);
        this.#live.confirmationResolved(next);
      },
      // Back to pending: the click failed to persist, so it did not count and a retry may win.
      () => map.get(id) === next && map.set(id, previous),
    );
    return decision.outcome;
  }

  async listExpired(now: Date): Promise<Confirmation[]> {
    this.#live.ensureOpen();
    return [...this.#live.confirmations.values()].filter((c) => isExpiredPending(c, now)).map(copy);
  }
}
