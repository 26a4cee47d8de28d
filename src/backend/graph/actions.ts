// Dispatch with its faults settled per device. A device whose exchange was lost (timeout, dropped connection, a
// missing batch item) or answered 429/503/504 is never re-sent blindly: after the wait Graph asked for, its
// action state is read, and it is re-sent only when that state proves our action is not queued.
// A device whose request cannot be built (no Lost Mode text, no user to sign out) is refused before anything is sent.
import { ERROR_CODES, LockdeskError } from '../../core/errors.js';
import type { ActionStatus, DeviceAction } from '../../core/types.js';
import type { Clock, DispatchOptions, DispatchResult, Logger } from '../../ports.js';
import { actionRequest, type ActionRequest } from './action-requests.js';
import { sendAction, type ItemOutcome } from './action-send.js';
import { readActionStatus } from './action-status.js';
import { GRAPH_ACTION } from './graph-action.js';
import { errorCodeOf, lostError, translateGraphError, translateSignOutError } from './graph-errors.js';
import type { GraphHttp } from './http.js';
import { isGuid } from './odata.js';
import { backoffMs, parseRetryAfter, RETRYABLE } from './retry.js';
import type { GraphSettings } from './settings.js';

/** How far Graph's clock may be from ours when an action's startDateTime is compared with our send time. */
export const SEND_SKEW_MS = 2 * 60_000;
/** Rounds of sending for one dispatch (the first send included). */
export const MAX_ROUNDS = 5;

export type QueuedVerdict = 'queued' | 'notQueued' | 'unknown';

/** Whether the state proves our action is queued, proves it is not, or cannot tell. */
export function queuedSince(status: ActionStatus, sentAtMs: number): QueuedVerdict {
  if (status.state === 'none') return 'notQueued';
  const started = status.startedAt ? Date.parse(status.startedAt) : NaN;
  if (Number.isNaN(started)) return 'unknown';
  if (started >= sentAtMs - SEND_SKEW_MS) return 'queued';
  // An older action of the same kind: finished ones prove ours is not queued; a pending one leaves it open.
  return ['done', 'failed', 'canceled', 'notSupported'].includes(status.state) ? 'notQueued' : 'unknown';
}

const uncertain = (action: DeviceAction, why: string, requestId?: string) =>
  new LockdeskError(ERROR_CODES.UNAVAILABLE, `Graph ${GRAPH_ACTION[action].path}: ${why}`, {
    userMessage: 'Microsoft Graph did not confirm the action; lockdesk is checking the device\'s state.',
    ...(requestId ? { requestId } : {}),
  });

const withheld = (action: DeviceAction) =>
  new LockdeskError(ERROR_CODES.NOT_SENT, `Graph ${GRAPH_ACTION[action].path}: withheld before it was sent`, {
    userMessage: 'lockdesk had lost its connection to its database, so it sent nothing. Ask again in a moment.',
  });

export async function dispatchActions(
  deps: { http: GraphHttp; clock: Clock; logger: Logger; settings: GraphSettings },
  action: DeviceAction,
  deviceIds: readonly string[],
  options: DispatchOptions = {},
): Promise<DispatchResult[]> {
  const { http, clock, logger, settings } = deps;
  const final = new Map<string, DispatchResult>();
  const decide = (id: string, result: DispatchResult) => {
    if (final.has(id)) return;
    final.set(id, result);
    try {
      options.onResult?.(result);
    } catch (error) {
      // The caller's bookkeeping must never cost a device its result.
      logger.warn({ err: error }, 'a dispatch progress callback failed');
    }
  };
  const unique = [...new Set(deviceIds)];
  for (const id of unique) {
    if (!isGuid(id)) decide(id, { deviceId: id, ok: false, error: new LockdeskError(ERROR_CODES.DEVICE_NOT_FOUND, `not a managed device id: ${id}`, { userMessage: 'That device is no longer in Intune.' }) });
  }
  // Each device's request, built once: a device whose parameters are missing is refused here and never sent.
  const requests = new Map<string, ActionRequest>();
  for (const id of unique) {
    if (final.has(id)) continue;
    const built = actionRequest(action, id, options.parameters?.get(id));
    if (built instanceof LockdeskError) decide(id, { deviceId: id, ok: false, error: built });
    else requests.set(id, built);
  }
  let pending = unique.filter((id) => !final.has(id));
  const firstSent = new Map<string, number>();

  for (let round = 0; pending.length > 0; round++) {
    const sentAt = clock.now().getTime();
    for (const id of pending) if (!firstSent.has(id)) firstSent.set(id, sentAt);
    let outcomes: Map<string, ItemOutcome>;
    // A device whose answer settles it is reported at once, batch by batch; the rest wait for the re-check below.
    const settleAtOnce = (batch: Map<string, ItemOutcome>) => {
      for (const [id, outcome] of batch) {
        const result = finalResult(action, id, outcome);
        if (result) decide(id, result);
      }
    };
    try {
      outcomes = await sendAction(http, action, new Map(pending.map((id) => [id, requests.get(id)!])), settings.writeBudget, options.maySend, settleAtOnce);
    } catch (error) {
      // The token or the limiter failed before anything was sent.
      for (const id of pending) decide(id, { deviceId: id, ok: false, error: error instanceof LockdeskError ? error : lostError(GRAPH_ACTION[action].path, error) });
      break;
    }
    const recheck: Array<{ id: string; outcome: Exclude<ItemOutcome, { kind: 'withheld' | 'unsent' }>; waitMs: number }> = [];
    for (const id of pending) {
      if (final.has(id)) continue;
      const outcome = outcomes.get(id) ?? { kind: 'lost' as const, cause: new Error('no outcome') };
      const result = finalResult(action, id, outcome);
      if (result) decide(id, result);
      else if (outcome.kind === 'lost' || (outcome.kind === 'response' && RETRYABLE.has(outcome.status))) {
        const hinted = outcome.kind === 'response' ? parseRetryAfter(outcome.retryAfter, clock.now().getTime()) : 0;
        recheck.push({ id, outcome, waitMs: hinted ?? backoffMs(round, settings.retryBaseMs, settings.retryCapMs) });
      }
    }
    pending = [];
    if (recheck.length === 0) break;

    const waitMs = Math.max(...recheck.map((r) => r.waitMs));
    const now = clock.now().getTime();
    const giveUp = (r: (typeof recheck)[number]) => round + 1 >= MAX_ROUNDS || now + r.waitMs > firstSent.get(r.id)! + settings.deadlineMs;
    for (const r of recheck.filter(giveUp)) decide(r.id, { deviceId: r.id, ok: false, error: givenUp(action, r.outcome, r.waitMs) });
    const next = recheck.filter((r) => !giveUp(r));
    if (next.length === 0) break;
    logger.info({ action, devices: next.length, waitMs }, 'some devices did not confirm the action; reading their state before any re-send');
    await clock.sleep(waitMs);

    for (const r of next) {
      let status: ActionStatus;
      try {
        // signOut: the user it was sent for, not whoever the device's user is by now.
        const userId = options.parameters?.get(r.id)?.userId;
        status = await readActionStatus(http, r.id, action, userId ? { userId } : {});
      } catch (error) {
        const gone = error instanceof LockdeskError && error.code === ERROR_CODES.DEVICE_NOT_FOUND;
        decide(r.id, { deviceId: r.id, ok: false, error: gone ? error : uncertain(action, 'the action state cannot be read after a lost answer') });
        continue;
      }
      const verdict = queuedSince(status, firstSent.get(r.id)!);
      if (verdict === 'queued') decide(r.id, { deviceId: r.id, ok: true });
      else if (verdict === 'notQueued') pending.push(r.id);
      else decide(r.id, { deviceId: r.id, ok: false, error: uncertain(action, 'cannot tell whether the action was queued') });
    }
    if (pending.length > 0) logger.info({ action, devices: pending.length }, 'the action state shows nothing queued; sending again');
  }
  return deviceIds.map((id) => final.get(id) ?? { deviceId: id, ok: false, error: uncertain(action, 'no result') });
}

/** The result an outcome settles, or undefined when it must be re-checked (lost, or 429/503/504). */
function finalResult(action: DeviceAction, id: string, outcome: ItemOutcome): DispatchResult | undefined {
  if (outcome.kind === 'withheld') return { deviceId: id, ok: false, error: withheld(action) };
  // The token or the limiter failed before this device's request left: nothing was sent for it.
  if (outcome.kind === 'unsent') return { deviceId: id, ok: false, error: outcome.error instanceof LockdeskError ? outcome.error : lostError(GRAPH_ACTION[action].path, outcome.error) };
  if (outcome.kind === 'lost' || RETRYABLE.has(outcome.status)) return undefined;
  if (outcome.status >= 200 && outcome.status < 300) return { deviceId: id, ok: true };
  const failure = { status: outcome.status, requestId: outcome.requestId, code: errorCodeOf(outcome.body) };
  const what = GRAPH_ACTION[action].path;
  return { deviceId: id, ok: false, error: action === 'signOut' ? translateSignOutError(failure, what) : translateGraphError(failure, 'action', what) };
}

function givenUp(action: DeviceAction, outcome: Exclude<ItemOutcome, { kind: 'withheld' | 'unsent' }>, waitMs: number): LockdeskError {
  if (outcome.kind === 'lost') return uncertain(action, 'no answer, and no time left to check');
  if (outcome.status === 429) {
    return translateGraphError({ status: 429, requestId: outcome.requestId, retryAfterMs: waitMs }, 'action', GRAPH_ACTION[action].path);
  }
  // 503/504: Graph may have taken it; the core reads the state.
  return uncertain(action, `HTTP ${outcome.status} until the deadline`, outcome.requestId);
}
