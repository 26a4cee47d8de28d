// Settles dispatch records whose outcome lockdesk did not see (a crash, a lost connection, a store that failed after
// the send), by asking the backend what the device's action state is. It never sends an action again, and it never
// touches a send that may still be in flight.
import { dispatchAudit } from './audit.js';
import type { Core } from './deps.js';
import { dispatchStateFromAction, isSettled, type DispatchRecord } from './records.js';

/** How far the backend's clock may be behind ours when we match its action to our record. */
export const CLOCK_SKEW_MS = 2 * 60_000;

/**
 * Records written before each one named its sender have only their age to go by: a send could last this long
 * (the Graph client's deadline and its write limiter's wait).
 */
export const IN_FLIGHT_MS = 90_000;

/**
 * Whether a "dispatching" record may still be a send in flight, so nobody may call it not sent yet.
 * - This process's own: exactly when it is inside a backend call here (the in-flight set).
 * - Another process's: while that process lives — however long its send takes (a 429 with a long Retry-After, a
 *   slow state read). The registry says "alive" for as long after a death as a request sent just before it could
 *   still land, and through a blip of its database session.
 * - One that names no sender (written by an older lockdesk): by its age.
 */
export async function mayBeInFlight(core: Core, record: DispatchRecord, olderThanMs = 0): Promise<boolean> {
  if (record.state !== 'dispatching') return false;
  if (!record.owner) {
    const age = core.clock.now().getTime() - Date.parse(record.updatedAt);
    return age < olderThanMs && age < IN_FLIGHT_MS;
  }
  if (record.owner === core.processes.id) return core.inFlight.has(record.id);
  try {
    return await core.processes.isAlive(record.owner);
  } catch {
    // Cannot tell: treat it as alive. A wrong "not sent" is the one outcome that must never be recorded.
    return true;
  }
}

export const NOT_SENT_DETAIL = 'lockdesk stopped before the action reached Intune, so nothing was sent. Ask again if it is still needed.';
export const SIGN_OUT_UNKNOWN_DETAIL =
  "lockdesk cannot tell whether the sign-out reached Microsoft Entra ID. Check the user's sign-in sessions, or sign them out again: a second sign-out does no harm.";
export const UNKNOWN_DETAIL = 'Intune reports an action on this device, but lockdesk cannot tell whether it is this one. Check the device in Intune before asking again.';

/** Settles records that are not in flight from the backend's action state; in-flight ones are skipped. */
export async function resolveInterrupted(core: Core, records: readonly DispatchRecord[]): Promise<DispatchRecord[]> {
  const resolved: DispatchRecord[] = [];
  for (const record of records) {
    if (record.state !== 'dispatching' || core.inFlight.has(record.id)) continue;
    let status;
    try {
      status = await core.backend.getActionStatus(record.deviceId, record.action);
    } catch (error) {
      core.logger.warn({ dispatchId: record.id, err: error }, 'cannot read the action state yet; the dispatch stays unresolved');
      continue;
    }
    const started = status.startedAt ? Date.parse(status.startedAt) : NaN;
    const ours = !Number.isNaN(started) && started >= Date.parse(record.createdAt) - CLOCK_SKEW_MS;
    let patch: { state: DispatchRecord['state']; detail?: string; outcome: string };
    const nothingOfOurs = status.state === 'none' || (!Number.isNaN(started) && !ours);
    // Entra ID keeps no record of a sign-out that lockdesk could match (only when sessions last became valid, and
    // that may lag): seeing nothing there proves nothing, so it is never called "not sent".
    if (nothingOfOurs && record.action === 'signOut') patch = { state: 'unknown', detail: SIGN_OUT_UNKNOWN_DETAIL, outcome: 'unknown' };
    else if (nothingOfOurs) patch = { state: 'notSent', detail: NOT_SENT_DETAIL, outcome: 'not-sent' };
    // Ours, and settled already: recorded as sent, so the follow-up records the result (and hands over a passcode).
    else if (ours) patch = { state: isSettled(dispatchStateFromAction(status.state)) ? 'sent' : dispatchStateFromAction(status.state), outcome: 'was-sent' };
    else patch = { state: 'unknown', detail: UNKNOWN_DETAIL, outcome: 'unknown' };

    const updated = await core.store.dispatches.transition(record.id, 'dispatching', {
      state: patch.state,
      ...(patch.detail ? { detail: patch.detail } : {}),
      updatedAt: core.clock.now().toISOString(),
    });
    if (!updated) {
      // Settled meanwhile by the process that sent it, or by another follow-up: theirs is the record.
      const current = await core.store.dispatches.get(record.id);
      if (current) resolved.push(current);
      continue;
    }
    await core.store.audit.append(dispatchAudit(core.clock, record, { event: 'recovery', outcome: patch.outcome, reason: patch.detail, actor: null }));
    resolved.push(updated);
  }
  return resolved;
}
