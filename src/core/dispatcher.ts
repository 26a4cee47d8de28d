// Sends a confirmed action: the intent is on disk before the backend is called, and every result is recorded.
import { dispatchAudit } from './audit.js';
import type { CoreDeps } from './deps.js';
import { ERROR_CODES, type LockdeskError } from './errors.js';
import type { Confirmation, DispatchRecord, DispatchState } from './records.js';
import { resolveInterrupted } from './recovery.js';
import type { Actor, Device } from './types.js';
import type { SinkRef } from './reply.js';

/** What a failed item means for the record: whether the action could have reached Intune decides the state. */
function failureState(error: LockdeskError): DispatchState | 'uncertain' {
  switch (error.code) {
    case ERROR_CODES.THROTTLED:
    case ERROR_CODES.FORBIDDEN:
      return 'notSent';
    case ERROR_CODES.UNAVAILABLE:
    case ERROR_CODES.INTERNAL:
      return 'uncertain';
    default:
      return 'failed';
  }
}

export interface DispatchOptions {
  /** Stored with the records so any process can update the chat message. */
  replyRef?: SinkRef | undefined;
  /** Runs once the intents are durable and before anything is sent: the follow-up is scheduled here, so a crash
   *  during the send leaves work that another process (or this one, restarted) picks up. */
  beforeSend?: (records: DispatchRecord[]) => Promise<void>;
}

export async function dispatchConfirmed(deps: CoreDeps, confirmation: Confirmation, targets: Device[], actor: Actor, options: DispatchOptions = {}): Promise<DispatchRecord[]> {
  const { replyRef } = options;
  const now = deps.clock.now().toISOString();
  const records: DispatchRecord[] = targets.map((device) => ({
    id: deps.ids.id(),
    confirmationId: confirmation.id,
    correlationId: confirmation.correlationId,
    action: confirmation.action,
    deviceId: device.id,
    deviceName: device.name,
    requester: confirmation.requester,
    state: 'dispatching',
    createdAt: now,
    updatedAt: now,
    ...(replyRef ? { replyRef } : {}),
    ...(deps.processes ? { owner: deps.processes.id } : {}),
  }));
  // Every intent is durable before the backend is called. The writes go together (a store may commit them as
  // one) so that a bulk action of hundreds of devices does not wait on hundreds of writes in a row.
  await Promise.all(
    records.map(async (record) => {
      await deps.store.dispatches.recordIntent(record);
      await deps.store.audit.append(dispatchAudit(deps.clock, record, { event: 'dispatch', outcome: 'dispatching', actor }));
    }),
  );

  await options.beforeSend?.(records);

  let results;
  try {
    results = await deps.backend.dispatch(confirmation.action, records.map((r) => r.deviceId));
  } catch (error) {
    deps.logger.warn({ correlationId: confirmation.correlationId, err: error }, 'dispatch call failed; asking the backend what it received');
    return settleUncertain(deps, records);
  }

  const uncertain: DispatchRecord[] = [];
  const known: Array<{ record: DispatchRecord; state: DispatchState; error?: LockdeskError }> = [];
  for (const [index, record] of records.entries()) {
    const result = results[index];
    const state = !result || result.deviceId !== record.deviceId ? 'uncertain' : result.ok ? 'sent' : failureState(result.error);
    if (state === 'uncertain') uncertain.push(record);
    else known.push(result && !result.ok ? { record, state, error: result.error } : { record, state });
  }
  const settled = await Promise.all(
    known.map(async ({ record, state, error }) => {
      const detail = error?.describe();
      const updated = await deps.store.dispatches.transition(record.id, 'dispatching', {
        state,
        ...(error ? { detail, errorCode: error.code } : {}),
        updatedAt: deps.clock.now().toISOString(),
      });
      if (!updated) {
        // Settled by a follow-up meanwhile (this send outlived the in-flight time): keep what was recorded.
        deps.logger.warn({ dispatchId: record.id, state }, 'a send finished after its record was settled elsewhere');
        return (await deps.store.dispatches.get(record.id)) ?? record;
      }
      await deps.store.audit.append(dispatchAudit(deps.clock, record, { event: 'result', outcome: state, reason: detail, actor }));
      return updated;
    }),
  );
  const rest = await settleUncertain(deps, uncertain);
  const byId = new Map([...settled, ...rest].map((r) => [r.id, r]));
  return records.map((r) => byId.get(r.id) ?? r);
}

async function settleUncertain(deps: CoreDeps, records: DispatchRecord[]): Promise<DispatchRecord[]> {
  if (records.length === 0) return [];
  const resolved = await resolveInterrupted(deps, records);
  const byId = new Map(resolved.map((r) => [r.id, r]));
  return records.map((r) => byId.get(r.id) ?? r);
}
