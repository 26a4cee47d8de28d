// A real, in-memory Store for handler tests: the same rules as the lowdb store (it passes the same contract suite),
// minus files and archiving. Everything lives in Maps and arrays and is gone when the process ends.
import { ERROR_CODES, LockdeskError } from '../core/errors.js';
import { isSettled, type Approval, type AuditEvent, type Confirmation, type DispatchRecord } from '../core/records.js';
import type { ApprovalStore, AuditLog, ConfirmationStore, DispatchStore, Store } from '../ports.js';
import { annotated, copy, decideApproval, decideResolve, isExpiredPending, isExpiredPendingApproval, stillPending } from './resolve-rules.js';
import { createMemoryLimits, createMemoryPause } from './memory-guardrails.js';

export function createMemoryStore(): Store {
  const confirmations = new Map<string, Confirmation>();
  const dispatches = new Map<string, DispatchRecord>();
  const approvals = new Map<string, Approval>();
  const events: AuditEvent[] = [];

  const confirmationStore: ConfirmationStore = {
    async create(confirmation) {
      if (confirmations.has(confirmation.id)) throw duplicate('confirmation', confirmation.id);
      confirmations.set(confirmation.id, copy(confirmation));
    },
    async get(id) {
      const found = confirmations.get(id);
      return found && copy(found);
    },
    async resolve(id, to, by, choice, now) {
      const decision = decideResolve(confirmations.get(id), to, by, choice, now);
      if (decision.next) confirmations.set(id, decision.next);
      return decision.outcome;
    },
    async listExpired(now) {
      return [...confirmations.values()].filter((c) => isExpiredPending(c, now)).map(copy);
    },
  };

  const approvalStore: ApprovalStore = {
    async create(approval) {
      if (approvals.has(approval.id)) throw duplicate('approval', approval.id);
      approvals.set(approval.id, copy(approval));
    },
    async get(id) {
      const found = approvals.get(id);
      return found && copy(found);
    },
    async resolve(id, to, by, now, denyReason) {
      const decision = decideApproval(approvals.get(id), to, by, now, denyReason);
      if (decision.next) approvals.set(id, decision.next);
      return decision.outcome;
    },
    async annotate(id, patch) {
      const next = annotated(approvals.get(id), patch);
      if (next) approvals.set(id, next);
      return next && copy(next);
    },
    async listExpired(now) {
      return [...approvals.values()].filter((a) => isExpiredPendingApproval(a, now)).map(copy);
    },
    async listPending(now, limit) {
      return stillPending(approvals.values(), now, limit);
    },
  };

  const dispatchStore: DispatchStore = {
    async recordIntent(record) {
      if (dispatches.has(record.id)) throw duplicate('dispatch', record.id);
      dispatches.set(record.id, copy(record));
    },
    async transition(id, from, patch) {
      const current = dispatches.get(id);
      if (!current || current.state !== from) return undefined;
      const next: DispatchRecord = { ...current, ...copy(patch) };
      dispatches.set(id, next);
      return copy(next);
    },
    async get(id) {
      const found = dispatches.get(id);
      return found && copy(found);
    },
    async listOpen() {
      return [...dispatches.values()].filter((d) => !isSettled(d.state)).map(copy);
    },
  };

  const audit: AuditLog = {
    async append(event) {
      // Through JSON, like the file-backed log, so a test sees exactly what a file would have kept.
      events.push(JSON.parse(JSON.stringify(event)) as AuditEvent);
    },
    async *read(options = {}) {
      const since = options.since?.getTime() ?? Number.NEGATIVE_INFINITY;
      // A snapshot: events appended while a reader iterates are not mixed into that read.
      for (const event of events.slice()) {
        if (Date.parse(event.at) >= since) yield copy(event);
      }
    },
  };

  return { confirmations: confirmationStore, approvals: approvalStore, dispatches: dispatchStore, audit, limits: createMemoryLimits(), pause: createMemoryPause(), close: async () => {} };
}

function duplicate(kind: string, id: string): LockdeskError {
  return new LockdeskError(ERROR_CODES.INTERNAL, `A ${kind} with id ${id} already exists; ids must be unique.`);
}
