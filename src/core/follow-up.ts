// Follows dispatched actions until they settle: polls the backend with backoff, records each change, updates the
// chat message, and hands a temporary passcode (or a locked Mac's unlock PIN) to the requester alone. Every way following ends is audited.
import { auditEvent, dispatchAudit } from './audit.js';
import type { Core } from './deps.js';
import { ERROR_CODES, isLockdeskError, toLockdeskError } from './errors.js';
import { dispatchStateFromAction, isSettled, type DispatchRecord } from './records.js';
import { CLOCK_SKEW_MS, mayBeInFlight, resolveInterrupted } from './recovery.js';
import type { Button, ReplySink, SecretKind } from './reply.js';
import { statusDigest, statusReply } from './status-replies.js';
import type { FollowUpJob } from '../ports.js';
import type { ActionStatus, DeviceAction, Secret } from './types.js';

export interface FollowUpTarget {
  sink?: ReplySink;
  /** Who confirmed, as the status message names them. */
  confirmedBy: string;
  /** Until when the chat message is kept up to date (default: the follow-up window from now). */
  chatUntil?: Date;
  /** What the message says beneath the states every time (the chosen devices that were not sent, and why). */
  note?: string;
  /** The playbook's next steps, beneath the status every time it is shown. */
  nextSteps?: Button[];
}

export const NO_LOCATION = 'Intune reported the device located but gave no location; look at the device in the Intune admin center.';
export const KEEP_CHECKING = 'lockdesk keeps checking this action; its result will be in the audit trail.';
const DAY_MS = 86_400_000;

/** What each secret a finished action yields is called: the private message, the audit reason, the log line. Never the value (a location included). */
const SECRETS: Record<SecretKind, { message: (deviceName: string) => string; shown: (who: string) => string; undelivered: string; logged: string }> = {
  passcode: {
    message: (name) => `Temporary passcode for "${name}". Only you can see this; give it to the device's user in person or by phone, never in a channel.`,
    shown: (who) => `a temporary passcode was shown privately to ${who}, who asked`,
    undelivered: 'a temporary passcode was created; the requester can read it in Intune',
    logged: 'the temporary passcode could not be delivered to the requester',
  },
  unlockPin: {
    message: (name) =>
      `Unlock PIN for the Mac "${name}". Only you can see this; give it to the Mac's user in person or by phone, never in a channel. Do not lock this Mac again until this PIN has been used, or the new lock fails.`,
    shown: (who) => `the Mac's unlock PIN was shown privately to ${who}, who asked`,
    undelivered: "the Mac's unlock PIN could not be delivered; read it in Intune",
    logged: "the Mac's unlock PIN could not be delivered to the requester",
  },
  location: {
    message: (name) => `Where "${name}" is, as Intune last heard from it. Only you can see this; do not post it in a channel, and do not go after a device alone: tell security or the police.`,
    shown: (who) => `location shown to ${who}, privately`,
    undelivered: 'the device was located; the requester can read the location in Intune (kept there for 24 hours)',
    logged: 'the location could not be delivered to the requester',
  },
};

/** The secret a finished action yields, if any: a reset's temporary passcode, a Mac lock's unlock PIN. */
function secretOf(action: DeviceAction, status: ActionStatus): { kind: SecretKind; value: Secret } | undefined {
  if (status.state !== 'done') return undefined;
  if (action === 'resetPasscode' && status.passcode) return { kind: 'passcode', value: status.passcode };
  if (action === 'lock' && status.unlockPin) return { kind: 'unlockPin', value: status.unlockPin };
  if (action === 'locateDevice' && status.location) return { kind: 'location', value: status.location };
  return undefined;
}
/** Sinks of clicks this process handled, kept at most this many (the oldest go first). */
export const MAX_LIVE_SINKS = 10_000;

/**
 * Follows dispatched actions as jobs on the queue, so that any lockdesk process can take the next round: one
 * round polls each unsettled record once, records and shows what changed, and schedules the next round with
 * backoff. The sink of the click is used where this process still has it; elsewhere it is restored from the
 * reference stored with the records.
 */
export class FollowUp {
  readonly #core: Core;
  /**
   * Sinks of clicks handled by this process, by job key, until their chat window ends. Another replica may run
   * every round of a job (so this process never sees it end): entries leave when their window is over, not only
   * when a round here finishes, and the map never holds more than MAX_LIVE_SINKS.
   */
  readonly #live = new Map<string, { sink: ReplySink; until: number; shown?: string }>();

  constructor(core: Core) {
    this.#core = core;
  }

  get liveSinks(): number {
    return this.#live.size;
  }

  async track(records: DispatchRecord[], target: FollowUpTarget): Promise<void> {
    const open = records.filter((r) => !isSettled(r.state));
    if (open.length === 0) return;
    const { clock, settings, queue } = this.#core;
    const now = clock.now().getTime();
    const key = records[0]!.id;
    const chatUntil = target.chatUntil ?? new Date(now + settings.followUpMs);
    this.#prune(now);
    const shown = statusDigest(records);
    if (target.sink) this.#live.set(key, { sink: target.sink, until: chatUntil.getTime(), shown });
    // A window already over (a restart long after the click) is followed quietly: no message is revived.
    const phase = chatUntil.getTime() > now ? 'chat' : 'background';
    await queue.schedule(
      {
        key,
        dispatchIds: records.map((r) => r.id),
        confirmedBy: target.confirmedBy,
        chatUntil: chatUntil.toISOString(),
        phase,
        attempt: 0,
        shown,
        ...(target.note ? { note: target.note } : {}),
        ...(target.nextSteps && target.nextSteps.length > 0 ? { nextSteps: target.nextSteps } : {}),
      },
      phase === 'chat' ? settings.pollInitialMs : settings.backgroundPollMs,
    );
  }

  /** The click's own status update showed these records: the next round need not show them again. */
  noteShown(records: DispatchRecord[]): void {
    const live = records[0] && this.#live.get(records[0].id);
    if (live) live.shown = statusDigest(records);
  }

  /** One round; the queue calls it on whichever process takes the job. A store that fails puts the round off. */
  async run(job: FollowUpJob): Promise<void> {
    try {
      await this.#round(job);
    } catch (error) {
      if (!isLockdeskError(error) || (error.code !== ERROR_CODES.STORE_UNAVAILABLE && error.code !== ERROR_CODES.STORE_CORRUPT)) throw error;
      this.#core.logger.warn({ key: job.key, code: error.code }, 'a follow-up round could not reach the store; it will be tried again');
      const { settings, queue } = this.#core;
      await queue.schedule({ ...job, attempt: job.attempt + 1 }, Math.min(settings.pollInitialMs * 2 ** (job.attempt + 1), settings.pollMaxMs));
    }
  }

  async #round(job: FollowUpJob): Promise<void> {
    const { store, clock, settings, queue } = this.#core;
    const found = await Promise.all(job.dispatchIds.map((id) => store.dispatches.get(id)));
    const records = found.filter((r): r is DispatchRecord => r !== undefined);
    if (records.length === 0) {
      this.#live.delete(job.key);
      await this.#ended(job, 'records-missing', 'the dispatch records are gone from the store; nothing more can be followed');
      return;
    }
    const chat = job.phase === 'chat';
    // Also in the background: a passcode that comes late still goes to the person who asked.
    const sink = this.#sinkFor(job, records, { quiet: !chat });
    // At most pollPerRound records are asked about per round, taking turns; the rest are asked next round.
    const open = records.map((r, index) => ({ r, index })).filter(({ r }) => !isSettled(r.state));
    const start = open.length > settings.pollPerRound ? (job.cursor ?? 0) % open.length : 0;
    const turn = open.length > settings.pollPerRound ? [...open.slice(start), ...open.slice(0, start)].slice(0, settings.pollPerRound) : open;
    for (const { r, index } of turn) {
      const next = await this.pollOnce(r, sink);
      if (next) records[index] = next;
    }
    const cursor = start + turn.length;
    // The message changes only when what it says changes (a send recorded by the dispatcher counts too), at most
    // once a round: a bulk action's status moves every few seconds without spending Slack's or Teams' rate limits.
    const digest = statusDigest(records);
    const live = this.#live.get(job.key);
    let shown = live?.shown ?? job.shown;
    // Marked shown only once the person has it: an update that failed is tried again next round.
    if (chat && digest !== shown && (await this.#show(sink, job, records, job.note))) {
      shown = digest;
      if (live) live.shown = digest;
    }
    const next = { ...job, ...(shown !== undefined ? { shown } : {}), cursor };
    if (records.every((r) => isSettled(r.state))) {
      this.#live.delete(job.key);
      if (chat && !sink && records.some((r) => r.replyRef)) await this.#ended(job, 'unreachable', 'settled, but the person could not be reached in chat from here; the outcome is in the audit trail', records);
      else await this.#ended(job, 'settled', `${records.length} action(s) settled`, records);
      return;
    }
    const now = clock.now().getTime();
    if (chat) {
      const chatLeft = Date.parse(job.chatUntil) - now;
      if (chatLeft > 0) {
        // A send still in flight (here or on a live replica) is looked at again soon, without backing off: it ends, or
        // its sender is known dead, at a moment of its own, and the person is waiting for it.
        const sending = records.some((r) => r.state === 'dispatching');
        const backoff = sending ? settings.pollInitialMs : Math.min(settings.pollInitialMs * 2 ** (job.attempt + 1), settings.pollMaxMs);
        await queue.schedule({ ...next, attempt: sending ? job.attempt : job.attempt + 1 }, Math.min(backoff, chatLeft));
        return;
      }
      await this.#show(sink, job, records, job.note ? `${job.note} ${KEEP_CHECKING}` : KEEP_CHECKING);
      this.#live.delete(job.key);
      await this.#ended(job, 'chat-ended', 'the chat message is no longer updated; following goes on in the background', records);
    }
    const oldest = Math.min(...records.map((r) => Date.parse(r.createdAt)));
    if (now - oldest < settings.giveUpAfterMs) {
      await queue.schedule({ ...next, phase: 'background', attempt: job.attempt + 1 }, settings.backgroundPollMs);
      return;
    }
    await this.#giveUp(job, records);
  }

  /**
   * After the give-up time an action Intune never reported on is settled as unknown, so that it leaves the open
   * records (and no sweep revives its follow-up), and the audit says lockdesk stopped.
   */
  async #giveUp(job: FollowUpJob, records: DispatchRecord[]): Promise<void> {
    const { store, clock, settings, logger } = this.#core;
    const days = Math.round(settings.giveUpAfterMs / DAY_MS);
    const detail = `Intune reported no result within ${days} day(s), so lockdesk stopped checking. Check the device in Intune.`;
    for (const record of records) {
      if (isSettled(record.state) || record.state === 'dispatching') continue;
      const updated = await store.dispatches.transition(record.id, record.state, { state: 'unknown', detail, updatedAt: clock.now().toISOString() });
      if (updated) await store.audit.append(dispatchAudit(clock, record, { event: 'result', outcome: 'unknown', reason: detail, actor: null }));
    }
    logger.warn({ key: job.key, days }, 'gave up following an action Intune never reported on');
    await this.#ended(job, 'gave-up', `no result from Intune within ${days} day(s)`, records);
  }

  /** One audit event for each way a follow-up ends. */
  async #ended(job: FollowUpJob, outcome: 'settled' | 'chat-ended' | 'gave-up' | 'records-missing' | 'unreachable', reason: string, records: DispatchRecord[] = []): Promise<void> {
    const first = records[0];
    await this.#core.store.audit.append(
      auditEvent(this.#core.clock, {
        event: 'follow-up',
        outcome,
        reason,
        correlationId: first?.correlationId ?? job.key,
        actor: null,
        action: first?.action ?? null,
        ...(first ? { confirmationId: first.confirmationId, requester: first.requester } : {}),
        deviceIds: records.map((r) => r.deviceId),
      }),
    );
  }

  /** The click's sink: this process's own while it has it, else restored from the stored reference. */
  #sinkFor(job: FollowUpJob, records: DispatchRecord[], options: { quiet?: boolean } = {}): ReplySink | undefined {
    const live = this.#live.get(job.key);
    if (live) return live.sink;
    const ref = records.find((r) => r.replyRef)?.replyRef;
    if (!ref) return undefined;
    try {
      const sink = this.#core.sinks?.restore(ref);
      if (!sink && !options.quiet) {
        this.#core.logger.warn({ key: job.key, platform: ref.platform }, 'the chat message of a follow-up cannot be restored here; its outcome goes to the audit trail only');
      }
      return sink;
    } catch (error) {
      this.#core.logger.warn({ err: error, key: job.key }, 'could not restore the chat message of a follow-up');
      return undefined;
    }
  }

  #prune(now: number): void {
    for (const [key, entry] of this.#live) if (entry.until <= now) this.#live.delete(key);
    while (this.#live.size >= MAX_LIVE_SINKS) this.#live.delete(this.#live.keys().next().value!);
  }

  /** Whether the message now says it. */
  async #show(sink: ReplySink | undefined, job: FollowUpJob, records: DispatchRecord[], footer?: string): Promise<boolean> {
    if (!sink) return false;
    try {
      const reply = statusReply(records[0]!.action, job.confirmedBy, records, footer, job.nextSteps);
      // The last update of the chat window is an outcome for the chat, however unsettled the actions are.
      await sink.update(footer?.includes(KEEP_CHECKING) ? { ...reply, transient: false } : reply);
      return true;
    } catch (error) {
      this.#core.logger.warn({ code: toLockdeskError(error).code }, 'could not update the chat message with the action status');
      return false;
    }
  }

  /** Reads one record's action state once; records and audits a change. Returns the record as it now is. */
  async pollOnce(record: DispatchRecord, sink?: ReplySink): Promise<DispatchRecord | undefined> {
    const { backend, store, clock, logger } = this.#core;
    if (record.state === 'dispatching') {
      if (await mayBeInFlight(this.#core, record)) return record;
      return (await resolveInterrupted(this.#core, [record]))[0];
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
    // A locate that finished without a place to show (Intune gave none, or 0,0) says so, rather than nothing.
    const noPlace = record.action === 'locateDevice' && state === 'done' && !status.location;
    const updated = await store.dispatches.transition(record.id, record.state, { state, ...(noPlace ? { detail: NO_LOCATION } : {}), updatedAt: clock.now().toISOString() });
    // Another process following the same dispatch recorded this change first: it also audits it and hands over
    // any passcode or PIN, so this one does neither.
    if (!updated) return store.dispatches.get(record.id);
    const secret = secretOf(record.action, status);
    let delivered = false;
    if (secret && sink) {
      try {
        // To the person who asked, even when an approver clicked: the adapter delivers to `recipient` or refuses.
        await sink.sendSecret({
          kind: secret.kind,
          recipient: record.requester,
          deviceId: record.deviceId,
          deviceName: record.deviceName,
          passcode: secret.value,
          text: SECRETS[secret.kind].message(record.deviceName),
        });
        delivered = true;
      } catch (error) {
        // Never the error itself: an SDK error may quote the message it failed to send.
        logger.warn({ dispatchId: record.id, code: toLockdeskError(error).code }, SECRETS[secret.kind].logged);
      }
    }
    if (isSettled(state)) {
      const reason = secret ? (delivered ? SECRETS[secret.kind].shown(record.requester.email ?? record.requester.id) : SECRETS[secret.kind].undelivered) : noPlace ? NO_LOCATION : undefined;
      await store.audit.append(dispatchAudit(clock, record, { event: 'result', outcome: state, reason, actor: null }));
    }
    return updated;
  }
}
