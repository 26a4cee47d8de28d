// Builds audit events; the store appends them. No field here may ever hold a secret.
import type { AuditEvent, AuditEventName, DispatchRecord } from './records.js';
import type { Clock } from '../ports.js';
import { actorRef, type Actor, type ActorRef, type DeviceAction } from './types.js';

export interface AuditFields {
  event: AuditEventName;
  outcome: string;
  correlationId: string;
  actor: Actor | ActorRef | null;
  action?: DeviceAction | null;
  device?: { id: string; name: string } | null;
  reason?: string | undefined;
  confirmationId?: string;
  dispatchId?: string;
  deviceIds?: string[];
  query?: string;
  requester?: ActorRef;
}

export function auditEvent(clock: Clock, f: AuditFields): AuditEvent {
  const event: AuditEvent = {
    at: clock.now().toISOString(),
    event: f.event,
    action: f.action ?? null,
    deviceId: f.device?.id ?? null,
    deviceName: f.device?.name ?? null,
    actor: f.actor ? actorRef({ ...f.actor }) : null,
    outcome: f.outcome,
    correlationId: f.correlationId,
  };
  if (f.reason !== undefined) event.reason = f.reason;
  if (f.confirmationId !== undefined) event.confirmationId = f.confirmationId;
  if (f.dispatchId !== undefined) event.dispatchId = f.dispatchId;
  if (f.deviceIds !== undefined) event.deviceIds = f.deviceIds;
  if (f.query !== undefined) event.query = f.query;
  if (f.requester !== undefined) event.requester = actorRef({ ...f.requester });
  return event;
}

/** An audit event about one dispatch record: its device, confirmation and correlation come from the record. */
export function dispatchAudit(
  clock: Clock,
  record: DispatchRecord,
  f: { event: AuditEventName; outcome: string; actor: Actor | ActorRef | null; reason?: string | undefined },
): AuditEvent {
  return auditEvent(clock, {
    ...f,
    correlationId: record.correlationId,
    action: record.action,
    device: { id: record.deviceId, name: record.deviceName },
    confirmationId: record.confirmationId,
    dispatchId: record.id,
    requester: record.requester,
  });
}
