// What the store keeps: pending confirmations, dispatch records and audit events. No secret is ever a field here.
import type { ActionState, ActorRef, DeviceAction, LostModeMessage } from './types.js';
import type { SinkRef } from './reply.js';

/** What a person saw of a device when they were asked to confirm; the dispatch acts on exactly these ids. */
export interface DeviceSnapshot {
  id: string;
  name: string;
  /** The device's Intune user when it was shown; a change before the click stops the dispatch. */
  userId: string;
  /** Whether the confirmation offered an action button for this device. */
  offered: boolean;
}

export const CONFIRMATION_STATUSES = ['pending', 'confirmed', 'cancelled', 'expired'] as const;
export type ConfirmationStatus = (typeof CONFIRMATION_STATUSES)[number];

export interface Confirmation {
  /** Unguessable (128 random bits); it travels in button payloads. */
  id: string;
  correlationId: string;
  action: DeviceAction;
  requester: ActorRef;
  /** The policy groups the requester was in when they asked, so an approver's click can re-check their rights. */
  requesterGroups?: string[];
  devices: DeviceSnapshot[];
  /** Offer one button for every offered device at once (a user query). */
  allowAll: boolean;
  createdAt: string;
  expiresAt: string;
  status: ConfirmationStatus;
  resolvedAt?: string;
  resolvedBy?: ActorRef;
  /** The device id clicked, or "*" for all offered devices. */
  choice?: string;
}

export type ResolveOutcome =
  | { ok: true; confirmation: Confirmation }
  | { ok: false; reason: 'unknown' | 'expired' | Exclude<ConfirmationStatus, 'pending'>; confirmation?: Confirmation };

/**
 * A dispatch goes dispatching → sent → (pending | active) → done | failed | canceled | notSupported.
 * "dispatching" is written before the backend is called; a record left there by a crash is resolved at start-up.
 * "notSent" means lockdesk knows the backend never received the action.
 */
export const DISPATCH_STATES = ['dispatching', 'sent', 'pending', 'active', 'done', 'failed', 'canceled', 'notSupported', 'notSent', 'unknown'] as const;
export type DispatchState = (typeof DISPATCH_STATES)[number];

const SETTLED: ReadonlySet<DispatchState> = new Set(['done', 'failed', 'canceled', 'notSupported', 'notSent', 'unknown']);
export function isSettled(state: DispatchState): boolean {
  return SETTLED.has(state);
}

export function dispatchStateFromAction(state: ActionState): DispatchState {
  return state === 'none' ? 'sent' : state;
}

export interface DispatchRecord {
  id: string;
  confirmationId: string;
  correlationId: string;
  action: DeviceAction;
  deviceId: string;
  deviceName: string;
  requester: ActorRef;
  state: DispatchState;
  createdAt: string;
  updatedAt: string;
  /** Stable error code and plain words when the dispatch failed. */
  errorCode?: string;
  detail?: string;
  /** Where its chat message lives, so any replica can keep updating it (see ReplySink.ref). */
  replyRef?: SinkRef;
  /** The process that sends it: while that process lives, a "dispatching" record may be a send in flight. */
  owner?: string;
}

export type DispatchPatch = Partial<Pick<DispatchRecord, 'state' | 'errorCode' | 'detail'>> & { updatedAt: string };

export const APPROVAL_STATUSES = ['pending', 'approved', 'denied', 'expired'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

/**
 * A confirmed request that a policy rule holds for a second person. It is sent only once an approver (never the
 * requester) approves it, and only to these devices, as they are when it is approved.
 */
export interface Approval {
  /** Unguessable (128 random bits); it travels in button payloads. */
  id: string;
  confirmationId: string;
  correlationId: string;
  action: DeviceAction;
  requester: ActorRef;
  /** The policy groups the requester was in when they asked, to re-check their rights on approval. */
  requesterGroups?: string[];
  requesterName?: string;
  /** Who clicked the confirmation (the requester, or a policy confirmer for them): never the approver too. */
  confirmedBy?: ActorRef;
  /** The devices the requester confirmed. */
  devices: DeviceSnapshot[];
  /** The lock-screen text the requester confirmed (Lost Mode); placeholders still in. */
  lostMode?: LostModeMessage;
  /** The policy rule that asked for a second person, by name. */
  rule: string;
  /** What the requester typed for the approvers. */
  reason?: string;
  createdAt: string;
  expiresAt: string;
  status: ApprovalStatus;
  resolvedAt?: string;
  resolvedBy?: ActorRef;
  /** Why an approver denied it. */
  denyReason?: string;
  /** The requester's message ("Waiting for approval"), to turn into the outcome from any process. */
  requesterRef?: SinkRef;
  /** The approval cards posted to the approvers, to turn into the outcome from any process. */
  cards?: SinkRef[];
}

export type ApprovalOutcome =
  | { ok: true; approval: Approval }
  | { ok: false; reason: 'unknown' | 'expired' | Exclude<ApprovalStatus, 'pending'>; approval?: Approval };

export const AUDIT_EVENTS = [
  'request',
  'refusal',
  'confirmation',
  'confirmed',
  'cancel',
  'expiry',
  'click-refused',
  'dispatch',
  'result',
  'recovery',
  /** How following a confirmation's dispatches ended: settled, chat window over, gave up, unreachable. */
  'follow-up',
  /** The policy file read again (it changed, or SIGHUP): applied, or refused with the old policy kept. Its hash, never its content. */
  'policy-reload',
  /** The kill switch thrown and lifted by a command. */
  'pause',
  'resume',
  /** Second-person approval: outcome requested, approved, denied (reason: why), expired, refused (a click that did not count). */
  'approval',
] as const;
export type AuditEventName = (typeof AUDIT_EVENTS)[number];

export interface AuditEvent {
  at: string;
  event: AuditEventName;
  action: DeviceAction | null;
  deviceId: string | null;
  deviceName: string | null;
  /** null for lockdesk itself (expiry sweeps, crash recovery). */
  actor: ActorRef | null;
  outcome: string;
  reason?: string;
  correlationId: string;
  confirmationId?: string;
  dispatchId?: string;
  /** The devices a confirmation named, when it named more than one. */
  deviceIds?: string[];
  query?: string;
  /** On dispatch, result and recovery events: who asked (the actor may be lockdesk itself, or an approver). */
  requester?: ActorRef;
}
