// Records for store tests. Times are near the real clock so a store that archives by its own clock keeps them live.
import { randomUUID } from 'node:crypto';
import type { Approval, AuditEvent, Confirmation, DispatchRecord } from '../../src/core/records.js';
import type { ActorRef } from '../../src/core/types.js';

export const T0 = Math.floor(Date.now() / 1000) * 1000;
export const MINUTE = 60_000;
export const at = (offsetMs: number): Date => new Date(T0 + offsetMs);
export const iso = (offsetMs: number): string => at(offsetMs).toISOString();

export const alice: ActorRef = { platform: 'slack', id: 'U0ALICE', email: 'alice@example.com' };
export const bob: ActorRef = { platform: 'teams', id: '29:bob', aadObjectId: '00000000-0000-0000-0000-00000000b0b0' };

export function confirmation(overrides: Partial<Confirmation> = {}): Confirmation {
  return {
    id: `c-${randomUUID()}`,
    correlationId: `corr-${randomUUID()}`,
    action: 'lock',
    requester: alice,
    devices: [{ id: 'dev-1', name: 'Alice iPhone', userId: 'user-1', offered: true }],
    allowAll: false,
    createdAt: iso(0),
    expiresAt: iso(10 * MINUTE),
    status: 'pending',
    ...overrides,
  };
}

export function approval(overrides: Partial<Approval> = {}): Approval {
  return {
    id: `a-${randomUUID()}`,
    confirmationId: `c-${randomUUID()}`,
    correlationId: `corr-${randomUUID()}`,
    action: 'resetPasscode',
    requester: alice,
    devices: [{ id: 'dev-1', name: 'Alice iPhone', userId: 'user-1', offered: true }],
    rule: 'approval rule 1 (devices "others")',
    createdAt: iso(0),
    expiresAt: iso(30 * MINUTE),
    status: 'pending',
    requesterRef: { platform: 'slack', data: { channel: 'C1', ts: '1.2' } },
    ...overrides,
  };
}

export function dispatch(overrides: Partial<DispatchRecord> = {}): DispatchRecord {
  return {
    id: `d-${randomUUID()}`,
    confirmationId: 'c-1',
    correlationId: 'corr-1',
    action: 'lock',
    deviceId: 'dev-1',
    deviceName: 'Alice iPhone',
    requester: alice,
    state: 'dispatching',
    createdAt: iso(0),
    updatedAt: iso(0),
    ...overrides,
  };
}

export function auditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    at: iso(0),
    event: 'request',
    action: 'lock',
    deviceId: 'dev-1',
    deviceName: 'Alice iPhone',
    actor: alice,
    outcome: 'asked',
    correlationId: 'corr-1',
    ...overrides,
  };
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
