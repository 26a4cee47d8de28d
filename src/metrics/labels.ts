// Every label value a metric may carry comes from here: small fixed sets, so that no label can ever hold a person,
// a device, a confirmation id or a secret, and a scrape never grows with the traffic. Anything not in a set is "other".
import { AUDIT_EVENTS, CHAT_PLATFORMS, DEVICE_ACTIONS, type AuditEvent } from '../core/index.js';

const oneOf = <T extends string>(allowed: readonly T[], value: unknown, fallback: T | 'other' = 'other'): T | 'other' =>
  typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : fallback;

/** The outcomes the core writes into the audit trail (src/core: request-flow, click-flow, dispatcher, follow-up, recovery). */
export const AUDIT_OUTCOMES = [
  'found', 'not-found', 'refused', 'not-supported', 'offered', 'confirmed', 'cancelled', 'expired', 'not-dispatched',
  'dispatching', 'sent', 'pending', 'active', 'done', 'failed', 'canceled', 'notSupported', 'notSent', 'unknown',
  'not-sent', 'was-sent',
  'settled', 'chat-ended', 'gave-up', 'records-missing', 'unreachable',
] as const;

export const auditEventLabel = (event: AuditEvent) => oneOf(AUDIT_EVENTS, event.event);
export const auditOutcomeLabel = (event: AuditEvent) => oneOf(AUDIT_OUTCOMES, event.outcome);
export const actionLabel = (action: unknown) => oneOf(DEVICE_ACTIONS, action, 'none');
/** Who acted: a chat platform, or lockdesk itself (expiry sweeps, follow-up, recovery). */
export const platformLabel = (platform: unknown) => (platform === undefined || platform === null ? 'lockdesk' : oneOf(CHAT_PLATFORMS, platform));

/** What a command or click came to, for lockdesk_commands_total and lockdesk_clicks_total. */
export const CALL_OUTCOMES = ['offered', 'listed', 'not-found', 'refused', 'not-supported', 'confirmed', 'cancelled', 'error', 'answered'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/**
 * The audit events that say what a command or click came to, most telling first: a click that confirmed and then
 * dispatched is "confirmed"; a request that found devices and offered a confirmation is "offered".
 */
const DECISIVE: ReadonlyArray<{ event: AuditEvent['event']; outcome?: string; means: CallOutcome }> = [
  { event: 'confirmed', means: 'confirmed' },
  { event: 'cancel', means: 'cancelled' },
  { event: 'click-refused', means: 'refused' },
  { event: 'confirmation', means: 'offered' },
  { event: 'refusal', outcome: 'not-supported', means: 'not-supported' },
  { event: 'refusal', means: 'refused' },
  { event: 'request', outcome: 'not-found', means: 'not-found' },
  { event: 'request', means: 'listed' },
];

/** The rank of an audit event in DECISIVE (lower is more telling), or undefined when it says nothing about the call. */
export function decisiveRank(event: AuditEvent): { rank: number; means: CallOutcome } | undefined {
  const rank = DECISIVE.findIndex((d) => d.event === event.event && (d.outcome === undefined || d.outcome === event.outcome));
  return rank < 0 ? undefined : { rank, means: DECISIVE[rank]!.means };
}

/** The events of lockdesk_confirmations_total, from the audit event that records each. */
export const CONFIRMATION_EVENTS: Partial<Record<AuditEvent['event'], string>> = {
  confirmation: 'offered',
  confirmed: 'confirmed',
  cancel: 'cancelled',
  expiry: 'expired',
  'click-refused': 'refused',
};

/** An HTTP status as a label: the codes Graph and the chat platforms are known to send, else its class ("5xx"). */
const KNOWN_STATUSES = new Set([200, 201, 202, 204, 400, 401, 403, 404, 409, 412, 413, 415, 429, 500, 501, 502, 503, 504]);
export function statusLabel(status: number | 'lost'): string {
  if (status === 'lost') return 'lost';
  if (KNOWN_STATUSES.has(status)) return String(status);
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}

export function statusClassLabel(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}

export const GRAPH_CALL_KINDS = ['action', 'lookup', 'directory'] as const;
export const graphKindLabel = (kind: unknown) => oneOf(GRAPH_CALL_KINDS, kind);

/** The store's methods, as lockdesk_store_errors_total names them. */
export const STORE_OPERATIONS = [
  'confirmations.create', 'confirmations.get', 'confirmations.resolve', 'confirmations.listExpired',
  'dispatches.recordIntent', 'dispatches.transition', 'dispatches.get', 'dispatches.listOpen',
  'audit.append', 'limits.take', 'pause.get', 'pause.pause', 'pause.resume',
] as const;
export type StoreOperation = (typeof STORE_OPERATIONS)[number];
