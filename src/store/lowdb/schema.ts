// The shape of state.json, checked when the store opens: a file edited by hand or written by another version
// must fail loudly rather than be half-read. The annotations make tsc prove the schemas match the core's records.
import { z } from 'zod';
import { APPROVAL_STATUSES, CONFIRMATION_STATUSES, DISPATCH_STATES, type Approval, type Confirmation, type DispatchRecord } from '../../core/records.js';
import { CHAT_PLATFORMS, DEVICE_ACTIONS, type ActorRef } from '../../core/types.js';

export const STATE_VERSION = 1;

const timestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date-time');

const actorRef: z.ZodType<ActorRef> = z.object({
  platform: z.enum(CHAT_PLATFORMS),
  id: z.string(),
  email: z.string().optional(),
  aadObjectId: z.string().optional(),
});

export const confirmationSchema: z.ZodType<Confirmation> = z.object({
  id: z.string().min(1),
  correlationId: z.string(),
  action: z.enum(DEVICE_ACTIONS),
  requester: actorRef,
  requesterGroups: z.array(z.string()).optional(),
  devices: z.array(z.object({ id: z.string(), name: z.string(), userId: z.string(), offered: z.boolean() })),
  allowAll: z.boolean(),
  createdAt: timestamp,
  expiresAt: timestamp,
  status: z.enum(CONFIRMATION_STATUSES),
  resolvedAt: timestamp.optional(),
  resolvedBy: actorRef.optional(),
  choice: z.string().optional(),
});

export const dispatchRecordSchema: z.ZodType<DispatchRecord> = z.object({
  id: z.string().min(1),
  confirmationId: z.string(),
  correlationId: z.string(),
  action: z.enum(DEVICE_ACTIONS),
  deviceId: z.string(),
  deviceName: z.string(),
  requester: actorRef,
  state: z.enum(DISPATCH_STATES),
  createdAt: timestamp,
  updatedAt: timestamp,
  errorCode: z.string().optional(),
  detail: z.string().optional(),
  replyRef: z.object({ platform: z.enum(CHAT_PLATFORMS), data: z.record(z.string(), z.unknown()) }).optional(),
  owner: z.string().optional(),
});

const sinkRef = z.object({ platform: z.enum(CHAT_PLATFORMS), data: z.record(z.string(), z.unknown()) });

export const approvalSchema: z.ZodType<Approval> = z.object({
  id: z.string().min(1),
  confirmationId: z.string(),
  correlationId: z.string(),
  action: z.enum(DEVICE_ACTIONS),
  requester: actorRef,
  requesterGroups: z.array(z.string()).optional(),
  requesterName: z.string().optional(),
  confirmedBy: actorRef.optional(),
  devices: z.array(z.object({ id: z.string(), name: z.string(), userId: z.string(), offered: z.boolean() })),
  lostMode: z.object({ message: z.string(), phoneNumber: z.string(), footer: z.string() }).optional(),
  rule: z.string(),
  reason: z.string().optional(),
  createdAt: timestamp,
  expiresAt: timestamp,
  status: z.enum(APPROVAL_STATUSES),
  resolvedAt: timestamp.optional(),
  resolvedBy: actorRef.optional(),
  denyReason: z.string().optional(),
  requesterRef: sinkRef.optional(),
  cards: z.array(sinkRef).optional(),
});

/** Only live state: history lives in history.jsonl so this file stays small. */
export const stateFileSchema = z.object({
  version: z.literal(STATE_VERSION),
  confirmations: z.array(confirmationSchema),
  dispatches: z.array(dispatchRecordSchema),
  /** Written only when there are any, so a store that never held one keeps the file it always had. */
  approvals: z.array(approvalSchema).optional(),
});
export type StateFileData = z.infer<typeof stateFileSchema>;

/** One line of history.jsonl: a record that left state.json, and when. */
export type HistoryLine =
  | { kind: 'confirmation'; archivedAt: string; record: Confirmation }
  | { kind: 'dispatch'; archivedAt: string; record: DispatchRecord }
  | { kind: 'approval'; archivedAt: string; record: Approval };

/** An audit line must at least carry a readable time, since read({since}) filters on it. */
export const auditLineSchema = z.looseObject({ at: timestamp, event: z.string() });
