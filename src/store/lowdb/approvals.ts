// Approvals kept in state.json, like confirmations.ts: resolve() decides and mutates in one synchronous step, then
// persists, so of any number of concurrent approve clicks in this process exactly one wins.
import { ERROR_CODES, LockdeskError } from '../../core/errors.js';
import type { Approval, ApprovalOutcome } from '../../core/records.js';
import type { ActorRef } from '../../core/types.js';
import type { ApprovalStore } from '../../ports.js';
import { annotated, copy, decideApproval, isExpiredPendingApproval, stillPending } from '../resolve-rules.js';
import type { LiveState } from './live-state.js';

export class LowdbApprovals implements ApprovalStore {
  readonly #live: LiveState;

  constructor(live: LiveState) {
    this.#live = live;
  }

  async create(approval: Approval): Promise<void> {
    const map = this.#live.approvals;
    if (map.has(approval.id)) throw new LockdeskError(ERROR_CODES.INTERNAL, `An approval with id ${approval.id} already exists; ids must be unique.`);
    const stored = copy(approval);
    await this.#live.change(
      () => map.set(stored.id, stored),
      () => map.get(stored.id) === stored && map.delete(stored.id),
    );
  }

  async get(id: string): Promise<Approval | undefined> {
    this.#live.ensureOpen();
    const found = this.#live.approvals.get(id);
    return found && copy(found);
  }

  async resolve(id: string, to: 'approved' | 'denied' | 'expired', by: ActorRef | null, now: Date, denyReason?: string): Promise<ApprovalOutcome> {
    this.#live.ensureOpen();
    const map = this.#live.approvals;
    const previous = map.get(id);
    const decision = decideApproval(previous, to, by, now, denyReason);
    const next = decision.next;
    if (!next || !previous) return decision.outcome;
    await this.#live.change(
      () => {
        map.set(id, next);
        this.#live.approvalResolved(next);
      },
      // Back to pending: the click failed to persist, so it did not count and a retry may win.
      () => map.get(id) === next && map.set(id, previous),
    );
    return decision.outcome;
  }

  async annotate(id: string, patch: Pick<Approval, 'cards' | 'reason'>): Promise<Approval | undefined> {
    this.#live.ensureOpen();
    const map = this.#live.approvals;
    const previous = map.get(id);
    const next = annotated(previous, patch);
    if (!next || !previous) return undefined;
    await this.#live.change(
      () => map.set(id, next),
      () => map.get(id) === next && map.set(id, previous),
    );
    return copy(next);
  }

  async listExpired(now: Date): Promise<Approval[]> {
    this.#live.ensureOpen();
    return [...this.#live.approvals.values()].filter((a) => isExpiredPendingApproval(a, now)).map(copy);
  }

  async listPending(now: Date, limit: number): Promise<Approval[]> {
    this.#live.ensureOpen();
    return stillPending(this.#live.approvals.values(), now, limit);
  }
}
