// Follows dispatched actions until they settle: polls the backend with backoff, records each change,
// updates the chat message, and hands a temporary passcode to the requester alone.
import { dispatchAudit } from './audit.js';
import { toLockdeskError } from './errors.js';
import type { CoreDeps } from './deps.js';
import { dispatchStateFromAction, isSettled, type DispatchRecord } from './records.js';
import { CLOCK_SKEW_MS, resolveInterrupted } from './recovery.js';
import type { ReplySink } from './reply.js';
import { statusReply } from './status-replies.js';

export interface FollowUpTarget {
  sink?: ReplySink;
  /** Who confirmed, as the status message names them. */
  confirmedBy: string;
}

export const KEEP_CHECKING = 'lockdesk keeps checking this action; its result will be in the audit trail.';

export class FollowUp {
  readonly #deps: CoreDeps;
  readonly #running = new Set<Promise<void>>();
  /** Dispatch ids being followed in this process, so the periodic sweep leaves them alone. */
  readonly #tracked = new Set<string>();

  constructor(deps: CoreDeps) {
    this.#deps = deps;
  }

  isTracked(dispatchId: string): boolean {
    return this.#tracked.has(dispatchId);
  }

  /** Starts following in the background; `idle()` waits for every follow-up to end. */
  track(records: DispatchRecord[], target: FollowUpTarget): void {
    const open = records.filter((r) => !isSettled(r.state) && !this.#tracked.has(r.id));
    if (open.length === 0) return;
    open.forEach((r) => this.#tracked.add(r.id));
    const run = this.#follow(records, target)
      .catch((error) => this.#deps.logger.error({ err: error }, 'follow-up stopped unexpectedly'))
      .finally(() => {
        open.forEach((r) => this.#tracked.delete(r.id));
        this.#running.delete(run);
      });
    this.#running.add(run);
  }

  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  async #follow(initial: DispatchRecord[], target: FollowUpTarget): Promise<void> {
    const { clock, settings } = this.#deps;
    const records = [...initial];
    const deadline = clock.now().getTime() + settings.followUpMs;
    let interval = settings.pollInitialMs;
    while (records.some((r) => !isSettled(r.state)) && clock.now().getTime() < deadline) {
      await clock.sleep(Math.min(interval, Math.max(0, deadline - clock.now().getTime())));
      interval = Math.min(interval * 2, settings.pollMaxMs);
      let changed = false;
      for (const [index, record] of records.entries()) {
        if (isSettled(record.state)) continue;
        const next = await this.pollOnce(record, target.sink);
        if (next && next.state !== record.state) changed = true;
        if (next) records[index] = next;
      }
      if (changed) await this.#show(target, records);
    }
    if (records.some((r) => !isSettled(r.state))) await this.#show(target, records, KEEP_CHECKING);
  }

  async #show(target: FollowUpTarget, records: DispatchRecord[], footer?: string): Promise<void> {
    if (!target.sink) return;
    try {
      await target.sink.update(statusReply(records[0]!.action, target.confirmedBy, records, footer));
    } catch (error) {
      this.#deps.logger.warn({ err: error }, 'could not update the chat message with the action status');
    }
  }

  /** Reads one record's action state once; records and audits a change. Returns the record as it now is. */
  async pollOnce(record: DispatchRecord, sink?: ReplySink): Promise<DispatchRecord | undefined> {
    const { backend, store, clock, logger } = this.#deps;
    if (record.state === 'dispatching') return (await resolveInterrupted(this.#deps, [record]))[0];
    let status;
    try {
      status = await backend.getActionStatus(record.deviceId, record.action);
    } catch (error) {
      logger.warn({ dispatchId: record.id, err: error }, 'could not read the action state; will try again');
      return undefined;
    }
    // A state from an action older than ours says nothing about ours.
    const started = status.startedAt ? Date.parse(status.startedAt) : NaN;
    if (!Number.isNaN(started) && started < Date.parse(record.createdAt) - CLOCK_SKEW_MS) return record;
    const state = dispatchStateFromAction(status.state);
    if (state === record.state) return record;
    const updated = await store.dispatches.update(record.id, { state, updatedAt: clock.now().toISOString() });
    const passcode = state === 'done' ? status.passcode : undefined;
    let delivered = false;
    if (passcode && sink) {
      try {
        // To the person who asked, even when an approver clicked: the adapter delivers to `recipient` or refuses.
        await sink.sendSecret({
          recipient: record.requester,
          deviceId: record.deviceId,
          deviceName: record.deviceName,
          passcode,
          text: `Temporary passcode for "${record.deviceName}". Only you can see this; give it to the device's user in person or by phone, never in a channel.`,
        });
        delivered = true;
      } catch (error) {
        // Never the error itself: an SDK error may quote the message it failed to send.
        logger.warn({ dispatchId: record.id, code: toLockdeskError(error).code }, 'the temporary passcode could not be delivered to the requester');
      }
    }
    if (isSettled(state)) {
      const reason = passcode
        ? delivered
          ? 'a temporary passcode was shown privately to the requester'
          : 'a temporary passcode was created; the requester can read it in Intune'
        : undefined;
      await store.audit.append(dispatchAudit(clock, record, { event: 'result', outcome: state, reason, actor: null }));
    }
    return updated;
  }
}
