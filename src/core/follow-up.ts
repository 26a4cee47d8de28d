// Follows dispatched actions until they settle: polls the backend with backoff, records each change,
// updates the chat message, and hands a temporary passcode to the requester alone.
import { dispatchAudit } from './audit.js';
import { toLockdeskError } from './errors.js';
import type { CoreDeps } from './deps.js';
import { dispatchStateFromAction, isSettled, type DispatchRecord } from './records.js';
import { CLOCK_SKEW_MS, mayBeInFlight, resolveInterrupted } from './recovery.js';
import type { ReplySink } from './reply.js';
import { statusReply } from './status-replies.js';
import type { FollowUpJob } from '../ports.js';

export interface FollowUpTarget {
  sink?: ReplySink;
  /** Who confirmed, as the status message names them. */
  confirmedBy: string;
  /** Until when the chat message is kept up to date (default: the follow-up window from now). */
  chatUntil?: Date;
}

export const KEEP_CHECKING = 'lockdesk keeps checking this action; its result will be in the audit trail.';

/**
 * Follows dispatched actions as jobs on the queue, so that any lockdesk process can take the next round: one
 * round polls each unsettled record once, records and shows what changed, and schedules the next round with
 * backoff. The sink of the click is used where this process still has it; elsewhere it is restored from the
 * reference stored with the records.
 */
export class FollowUp {
  readonly #deps: CoreDeps;
  /** Sinks of clicks handled by this process, by job key. */
  readonly #live = new Map<string, ReplySink>();

  constructor(deps: CoreDeps) {
    this.#deps = deps;
  }

  async track(records: DispatchRecord[], target: FollowUpTarget): Promise<void> {
    const open = records.filter((r) => !isSettled(r.state));
    if (open.length === 0) return;
    const { clock, settings, queue } = this.#deps;
    const key = records[0]!.id;
    if (target.sink) this.#live.set(key, target.sink);
    const chatUntil = target.chatUntil ?? new Date(clock.now().getTime() + settings.followUpMs);
    await queue.schedule(
      { key, dispatchIds: records.map((r) => r.id), confirmedBy: target.confirmedBy, chatUntil: chatUntil.toISOString(), phase: 'chat', attempt: 0 },
      settings.pollInitialMs,
    );
  }

  /** One round; the queue calls it on whichever process takes the job. */
  async run(job: FollowUpJob): Promise<void> {
    const { store, clock, settings, queue, sinks, logger } = this.#deps;
    const found = await Promise.all(job.dispatchIds.map((id) => store.dispatches.get(id)));
    const records = found.filter((r): r is DispatchRecord => r !== undefined);
    if (records.length === 0) {
      this.#live.delete(job.key);
      return;
    }
    const ref = records.find((r) => r.replyRef)?.replyRef;
    let sink = this.#live.get(job.key);
    if (!sink && ref) {
      try {
        sink = sinks?.restore(ref);
      } catch (error) {
        logger.warn({ err: error, key: job.key }, 'could not restore the chat message of a follow-up');
      }
    }
    const chat = job.phase === 'chat';
    let changed = false;
    for (const [index, record] of records.entries()) {
      if (isSettled(record.state)) continue;
      const next = await this.pollOnce(record, sink);
      if (next && next.state !== record.state) changed = true;
      if (next) records[index] = next;
    }
    if (chat && changed) await this.#show(sink, job.confirmedBy, records);
    if (records.every((r) => isSettled(r.state))) {
      this.#live.delete(job.key);
      return;
    }
    const now = clock.now().getTime();
    if (chat) {
      const chatLeft = Date.parse(job.chatUntil) - now;
      if (chatLeft > 0) {
        const backoff = Math.min(settings.pollInitialMs * 2 ** (job.attempt + 1), settings.pollMaxMs);
        await queue.schedule({ ...job, attempt: job.attempt + 1 }, Math.min(backoff, chatLeft));
        return;
      }
      await this.#show(sink, job.confirmedBy, records, KEEP_CHECKING);
      this.#live.delete(job.key);
    }
    const oldest = Math.min(...records.map((r) => Date.parse(r.createdAt)));
    if (now - oldest < settings.giveUpAfterMs) {
      await queue.schedule({ ...job, phase: 'background', attempt: job.attempt + 1 }, settings.backgroundPollMs);
    } else {
      logger.warn({ key: job.key }, 'no result from Intune within the give-up time; the dispatch stays open for an administrator');
    }
  }

  async #show(sink: ReplySink | undefined, confirmedBy: string, records: DispatchRecord[], footer?: string): Promise<void> {
    if (!sink) return;
    try {
      await sink.update(statusReply(records[0]!.action, confirmedBy, records, footer));
    } catch (error) {
      this.#deps.logger.warn({ err: error }, 'could not update the chat message with the action status');
    }
  }

  /** Reads one record's action state once; records and audits a change. Returns the record as it now is. */
  async pollOnce(record: DispatchRecord, sink?: ReplySink): Promise<DispatchRecord | undefined> {
    const { backend, store, clock, logger } = this.#deps;
    if (record.state === 'dispatching') {
      if (await mayBeInFlight(this.#deps, record)) return record;
      return (await resolveInterrupted(this.#deps, [record]))[0];
    }
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
    const updated = await store.dispatches.transition(record.id, record.state, { state, updatedAt: clock.now().toISOString() });
    // Another process following the same dispatch recorded this change first: it also audits it and hands over
    // any passcode, so this one does neither.
    if (!updated) return store.dispatches.get(record.id);
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
