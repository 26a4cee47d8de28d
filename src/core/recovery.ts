// Settles dispatch records whose outcome lockdesk did not see (a crash, a lost connection), by asking the
// backend what the device's action state is. It never sends an action again.
import { dispatchAudit } from './audit.js';
import type { CoreDeps } from './deps.js';
import { dispatchStateFromAction, isSettled, type DispatchRecord } from './records.js';

/** How far the backend's clock may be behind ours when we match its action to our record. */
export const CLOCK_SKEW_MS = 2 * 60_000;

/**
 * How long a "dispatching" record may still be in flight on the process sending it (a backend retries one send
 * for up to a minute): until then a follow-up on another process leaves it alone rather than call it not sent.
 */
export const IN_FLIGHT_MS = 90_000;

/**
 * Whether a "dispatching" record may still be a send in flight, so nobody else may call it not sent yet: its owner
 * is alive (or unknown) and it started less than IN_FLIGHT_MS ago. A dead owner sends nothing more.
 */
export async function mayBeInFlight(deps: CoreDeps, record: DispatchRecord): Promise<boolean> {
  const age = deps.clock.now().getTime() - Date.parse(record.createdAt);
  if (age >= IN_FLIGHT_MS) return false;
  // A request the dead process had already sent may still be applied by Intune for a moment.
  if (age < LANDING_MS) return true;
  const { processes } = deps;
  if (!record.owner || !processes || record.owner === processes.id) return true;
  try {
    return await processes.isAlive(record.owner);
  } catch {
    return true;
  }
}

/** How long after a send starts its request may still land in Intune although its sender has died. */
export const LANDING_MS = 10_000;

export const NOT_SENT_DETAIL = 'lockdesk stopped before the action reached Intune, so nothing was sent. Ask again if it is still needed.';
export const UNKNOWN_DETAIL = 'Intune reports an action on this device, but lockdesk cannot tell whether it is this one. Check the device in Intune before asking again.';

export async function resolveInterrupted(deps: CoreDeps, records: readonly DispatchRecord[]): Promise<DispatchRecord[]> {
  const resolved: DispatchRecord[] = [];
  for (const record of records) {
    if (record.state !== 'dispatching') continue;
    let status;
    try {
      status = await deps.backend.getActionStatus(record.deviceId, record.action);
    } catch (error) {
      deps.logger.warn({ dispatchId: record.id, err: error }, 'cannot read the action state yet; the dispatch stays unresolved');
      continue;
    }
    const started = status.startedAt ? Date.parse(status.startedAt) : NaN;
    const ours = !Number.isNaN(started) && started >= Date.parse(record.createdAt) - CLOCK_SKEW_MS;
    let patch: { state: DispatchRecord['state']; detail?: string; outcome: string };
    if (status.state === 'none' || (!Number.isNaN(started) && !ours)) patch = { state: 'notSent', detail: NOT_SENT_DETAIL, outcome: 'not-sent' };
    // Ours, and settled already: recorded as sent, so the follow-up records the result (and hands over a passcode).
    else if (ours) patch = { state: isSettled(dispatchStateFromAction(status.state)) ? 'sent' : dispatchStateFromAction(status.state), outcome: 'was-sent' };
    else patch = { state: 'unknown', detail: UNKNOWN_DETAIL, outcome: 'unknown' };

    const updated = await deps.store.dispatches.transition(record.id, 'dispatching', {
      state: patch.state,
      ...(patch.detail ? { detail: patch.detail } : {}),
      updatedAt: deps.clock.now().toISOString(),
    });
    if (!updated) {
      // Settled meanwhile by the process that sent it, or by another follow-up: theirs is the record.
      const current = await deps.store.dispatches.get(record.id);
      if (current) resolved.push(current);
      continue;
    }
    await deps.store.audit.append(dispatchAudit(deps.clock, record, { event: 'recovery', outcome: patch.outcome, reason: patch.detail, actor: null }));
    resolved.push(updated);
  }
  return resolved;
}
