// Sends a confirmed action: the intent is on disk before the backend is called, every result is recorded, and what
// a person is told never says less than what happened (a send that reached Intune is never reported as "not sent").
import { dispatchAudit } from './audit.js';
import type { Core } from './deps.js';
import { pauseSentence, type PauseView } from './pause.js';
import { watchPause, type PauseWatch } from './pause-watch.js';
import { ERROR_CODES, isLockdeskError, type LockdeskError } from './errors.js';
import type { Confirmation, DispatchRecord, DispatchState } from './records.js';
import { resolveInterrupted } from './recovery.js';
import type { ActionParameters, Actor, Device } from './types.js';
import type { DispatchResult } from '../ports.js';
import type { SinkRef } from './reply.js';

/** What a failed item means for the record: whether the action could have reached Intune decides the state. */
function failureState(error: LockdeskError): DispatchState | 'uncertain' {
  switch (error.code) {
    case ERROR_CODES.THROTTLED:
    case ERROR_CODES.FORBIDDEN:
    case ERROR_CODES.NOT_SENT:
      return 'notSent';
    case ERROR_CODES.UNAVAILABLE:
    case ERROR_CODES.INTERNAL:
      return 'uncertain';
    default:
      return 'failed';
  }
}

export const WITHHELD_DETAIL = 'lockdesk had lost its connection to its database, so it sent nothing. Ask again in a moment.';
export const UNRECORDED_DETAIL = 'Sent to Intune; lockdesk could not record it just now and will confirm the outcome here and in the audit trail.';

export interface DispatchOptions {
  /** Stored with the records so any process can update the chat message. */
  replyRef?: SinkRef | undefined;
  /** Runs once the intents are durable and before anything is sent: the follow-up is scheduled here, so a crash
   *  during the send leaves work that another process (or this one, restarted) picks up. */
  beforeSend?: (records: DispatchRecord[]) => Promise<void>;
  /** What the action needs besides each device's id (Lost Mode's text, signOut's user), by device id. */
  parameters?: ReadonlyMap<string, ActionParameters>;
}

/**
 * Returns the records as the person should see them. While the records are inside the backend call they are in
 * `core.inFlight`, and nobody settles them; afterwards a record the store could not move on stays "dispatching"
 * (owned by this process, no longer in flight) for recovery to reconcile from the action state.
 */
export async function dispatchConfirmed(core: Core, confirmation: Confirmation, targets: Device[], actor: Actor, options: DispatchOptions = {}): Promise<DispatchRecord[]> {
  const { replyRef } = options;
  const now = core.clock.now().toISOString();
  const records: DispatchRecord[] = targets.map((device) => ({
    id: core.ids.id(),
    confirmationId: confirmation.id,
    correlationId: confirmation.correlationId,
    action: confirmation.action,
    deviceId: device.id,
    deviceName: device.name,
    requester: confirmation.requester,
    state: 'dispatching',
    createdAt: now,
    updatedAt: now,
    owner: core.processes.id,
    ...(replyRef ? { replyRef } : {}),
  }));
  // In flight from before the intent exists until its result is recorded: this process's own follow-up, scheduled
  // below, must not take a send it is still making for an interrupted one.
  for (const record of records) core.inFlight.add(record.id);
  try {
    // Every intent is durable before the backend is called. The writes go together (a store may commit them as
    // one) so that a bulk action of hundreds of devices does not wait on hundreds of writes in a row.
    await Promise.all(
      records.map(async (record) => {
        await core.store.dispatches.recordIntent(record);
        await core.store.audit.append(dispatchAudit(core.clock, record, { event: 'dispatch', outcome: 'dispatching', actor }));
      }),
    );
    await options.beforeSend?.(records);
    return await send(core, confirmation, records, actor, options.parameters);
  } finally {
    for (const record of records) core.inFlight.delete(record.id);
  }
}

const pausedDetail = (view: PauseView) => `${pauseSentence(view)}, so this device was not sent the action.`;

/** What a backend result means for its record: a known state, or uncertain (the action state must be read). */
function stateOf(record: DispatchRecord, result: DispatchResult | undefined): DispatchState | 'uncertain' {
  if (!result || result.deviceId !== record.deviceId) return 'uncertain';
  return result.ok ? 'sent' : failureState(result.error);
}

async function send(core: Core, confirmation: Confirmation, records: DispatchRecord[], actor: Actor, parameters?: ReadonlyMap<string, ActionParameters>): Promise<DispatchRecord[]> {
  if (!core.processes.maySend()) return Promise.all(records.map((r) => settle(core, r, 'notSent', actor, { detail: WITHHELD_DETAIL, errorCode: ERROR_CODES.NOT_SENT })));
  // The click read the pause before the devices were read again; one typed since (on any replica) still holds.
  // A store that cannot say leaves the send as the click found it.
  const paused = await core.pauseState().catch(() => undefined);
  if (paused) return Promise.all(records.map((r) => settle(core, r, 'notSent', actor, { detail: pausedDetail(paused), errorCode: ERROR_CODES.NOT_SENT })));
  const pause = watchPause(core, records.length > 1);
  try {
    return await sendWatched(core, confirmation, records, actor, pause, parameters);
  } finally {
    pause.end();
  }
}

async function sendWatched(core: Core, confirmation: Confirmation, records: DispatchRecord[], actor: Actor, pause: PauseWatch, parameters?: ReadonlyMap<string, ActionParameters>): Promise<DispatchRecord[]> {
  const maySend = () => !pause.stopped && core.processes.maySend();
  const failure = (result: DispatchResult | undefined) => {
    if (!result || result.ok) return {};
    // Withheld because of a pause seen during the send: say so, not the backend's generic "withheld".
    if (result.error.code === ERROR_CODES.NOT_SENT && pause.view) return { detail: pausedDetail(pause.view), errorCode: ERROR_CODES.NOT_SENT };
    return { detail: result.error.describe(), errorCode: result.error.code };
  };
  // Each result is recorded as it comes, so that the status of a bulk action moves while its batches wait for
  // the write budget; whatever is uncertain waits for the end and is read from the action state.
  const byDevice = new Map(records.map((r) => [r.deviceId, r]));
  const early = new Map<string, Promise<DispatchRecord>>();
  const onResult = (result: DispatchResult) => {
    const record = byDevice.get(result.deviceId);
    const state = record ? stateOf(record, result) : 'uncertain';
    if (!record || state === 'uncertain' || early.has(record.id)) return;
    early.set(record.id, settle(core, record, state, actor, failure(result)));
  };
  let results;
  try {
    results = await core.backend.dispatch(confirmation.action, records.map((r) => r.deviceId), { maySend, onResult, ...(parameters ? { parameters } : {}) });
  } catch (error) {
    core.logger.warn({ correlationId: confirmation.correlationId, err: error }, 'dispatch call failed; asking the backend what it received');
    const settledEarly = await asTheyAreNow(core, await Promise.all(early.values()));
    const done = new Set(settledEarly.map((r) => r.id));
    const rest = await settleUncertain(core, records.filter((r) => !done.has(r.id)));
    const byId = new Map([...settledEarly, ...rest].map((r) => [r.id, r]));
    return records.map((r) => byId.get(r.id) ?? r);
  }
  const uncertain: DispatchRecord[] = [];
  const known: Array<Promise<DispatchRecord>> = [];
  for (const [index, record] of records.entries()) {
    if (early.has(record.id)) continue;
    const result = results[index];
    const state = stateOf(record, result);
    if (state === 'uncertain') uncertain.push(record);
    else known.push(settle(core, record, state, actor, failure(result)));
  }
  const settled = [...(await asTheyAreNow(core, await Promise.all(early.values()))), ...(await Promise.all(known))];
  const rest = await settleUncertain(core, uncertain);
  const byId = new Map([...settled, ...rest].map((r) => [r.id, r]));
  return records.map((r) => byId.get(r.id) ?? r);
}

/**
 * Records settled while later devices were still being sent, as the store has them now: a follow-up round may have
 * recorded their outcome meanwhile ("done", and shown it), and the click's status must not take that back. A record
 * the store could not move on (still "dispatching" there) keeps what the backend said.
 */
async function asTheyAreNow(core: Core, records: DispatchRecord[]): Promise<DispatchRecord[]> {
  return Promise.all(
    records.map(async (record) => {
      const now = await core.store.dispatches.get(record.id).catch(() => undefined);
      return now && now.state !== 'dispatching' ? now : record;
    }),
  );
}

/**
 * Records what the backend said. When the store fails here the action has already left: the person is told it was
 * sent, never "nothing was done", and the record stays "dispatching" for recovery to reconcile.
 */
async function settle(core: Core, record: DispatchRecord, state: DispatchState, actor: Actor, failure: { detail?: string; errorCode?: string }): Promise<DispatchRecord> {
  try {
    const updated = await core.store.dispatches.transition(record.id, 'dispatching', { state, ...failure, updatedAt: core.clock.now().toISOString() });
    if (!updated) {
      core.logger.warn({ dispatchId: record.id, state }, 'a send finished after its record was settled elsewhere');
      return (await core.store.dispatches.get(record.id)) ?? record;
    }
    await core.store.audit.append(dispatchAudit(core.clock, record, { event: 'result', outcome: state, reason: failure.detail, actor })).catch((error: unknown) => {
      core.logger.warn({ dispatchId: record.id, code: isLockdeskError(error) ? error.code : 'internal' }, 'the result of a send could not be audited; recovery will not repeat it');
    });
    return updated;
  } catch (error) {
    core.logger.warn({ dispatchId: record.id, state, code: isLockdeskError(error) ? error.code : 'internal' }, 'the result of a send could not be recorded; recovery will reconcile it from the action state');
    return { ...record, state, ...failure, ...(state === 'sent' ? { detail: UNRECORDED_DETAIL } : {}) };
  }
}

async function settleUncertain(core: Core, records: DispatchRecord[]): Promise<DispatchRecord[]> {
  if (records.length === 0) return [];
  // Out of the in-flight set first: the send is over, and resolveInterrupted skips what is still in flight.
  for (const record of records) core.inFlight.delete(record.id);
  let resolved: DispatchRecord[] = [];
  try {
    resolved = await resolveInterrupted(core, records);
  } catch (error) {
    core.logger.warn({ code: isLockdeskError(error) ? error.code : 'internal' }, 'could not settle an uncertain send yet; recovery will');
  }
  const byId = new Map(resolved.map((r) => [r.id, r]));
  return records.map((r) => byId.get(r.id) ?? r);
}
