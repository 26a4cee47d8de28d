// The single-use rules of a confirmation, shared by every store so that they cannot drift apart.
// Pure and synchronous on purpose: a store calls decideResolve and applies its result with no await in between,
// which is what makes "of N concurrent clicks exactly one wins" true within one process.
import type { Approval, ApprovalOutcome, Confirmation, ResolveOutcome } from '../core/records.js';
import { actorRef, type ActorRef } from '../core/types.js';

export type ResolveTarget = 'confirmed' | 'cancelled' | 'expired';

export interface ResolveDecision {
  outcome: ResolveOutcome;
  /** The record to store when the outcome is ok; undefined when nothing may change. */
  next?: Confirmation;
}

export function decideResolve(
  current: Confirmation | undefined,
  to: ResolveTarget,
  by: ActorRef | null,
  choice: string | undefined,
  now: Date,
): ResolveDecision {
  if (!current) return { outcome: { ok: false, reason: 'unknown' } };
  if (current.status !== 'pending') return { outcome: { ok: false, reason: current.status, confirmation: copy(current) } };
  // Left pending on purpose: the caller resolves it to "expired" itself, so the expiry is audited once, by the caller.
  if (to !== 'expired' && now.getTime() >= Date.parse(current.expiresAt)) {
    return { outcome: { ok: false, reason: 'expired', confirmation: copy(current) } };
  }
  const next: Confirmation = { ...copy(current), status: to, resolvedAt: now.toISOString() };
  // Callers may hand over a full Actor (display name, groups); only the reference fields are kept.
  if (by) next.resolvedBy = actorRef(by);
  if (choice !== undefined) next.choice = choice;
  return { outcome: { ok: true, confirmation: copy(next) }, next };
}

/** Pending and out of time: what the expiry sweep must resolve. */
export function isExpiredPending(confirmation: Confirmation, now: Date): boolean {
  return confirmation.status === 'pending' && Date.parse(confirmation.expiresAt) <= now.getTime();
}

/** Records leave a store as copies, so a caller that edits one cannot change stored state behind the store's back. */
export function copy<T>(value: T): T {
  return structuredClone(value);
}

/** The single-use rules of an approval, like decideResolve: pure and synchronous, shared by every store. */
export function decideApproval(
  current: Approval | undefined,
  to: 'approved' | 'denied' | 'expired',
  by: ActorRef | null,
  now: Date,
  denyReason?: string,
): { outcome: ApprovalOutcome; next?: Approval } {
  if (!current) return { outcome: { ok: false, reason: 'unknown' } };
  if (current.status !== 'pending') return { outcome: { ok: false, reason: current.status, approval: copy(current) } };
  if (to !== 'expired' && now.getTime() >= Date.parse(current.expiresAt)) return { outcome: { ok: false, reason: 'expired', approval: copy(current) } };
  const next: Approval = { ...copy(current), status: to, resolvedAt: now.toISOString() };
  if (by) next.resolvedBy = actorRef(by);
  if (denyReason !== undefined) next.denyReason = denyReason;
  return { outcome: { ok: true, approval: copy(next) }, next };
}

/** What annotate() may add, and only to a pending approval. */
export function annotated(current: Approval | undefined, patch: Pick<Approval, 'cards' | 'reason'>): Approval | undefined {
  if (!current || current.status !== 'pending') return undefined;
  const next = copy(current);
  if (patch.cards !== undefined) next.cards = copy(patch.cards);
  if (patch.reason !== undefined) next.reason = patch.reason;
  return next;
}

/** Pending and still in time, oldest first: what `approvals` lists. */
export function stillPending(approvals: Iterable<Approval>, now: Date, limit: number): Approval[] {
  return [...approvals]
    .filter((a) => a.status === 'pending' && Date.parse(a.expiresAt) > now.getTime())
    .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || a.id.localeCompare(b.id))
    .slice(0, limit)
    .map(copy);
}

export function isExpiredPendingApproval(approval: Approval, now: Date): boolean {
  return approval.status === 'pending' && Date.parse(approval.expiresAt) <= now.getTime();
}
