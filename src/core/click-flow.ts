// A click on a confirmation: only the right person, only once, only before it expires, only the devices shown.
import { holdForApproval } from './approval-flow.js';
import { auditEvent } from './audit.js';
import type { ButtonAction } from './buttons.js';
import type { Core, CoreDeps } from './deps.js';
import { dispatchConfirmed } from './dispatcher.js';
import type { FollowUp } from './follow-up.js';
import { supportFor } from './platform-support.js';
import { mayActOn, mayConfirm } from './policy.js';
import type { Confirmation, DeviceSnapshot } from './records.js';
import { noticeReply, ACTION_NOUN } from './replies.js';
import { toLockdeskError } from './errors.js';
import type { ReplySink, TypedAnswer, TypedPrompt } from './reply.js';
import { statusReply } from './status-replies.js';
import { withParameters } from './action-parameters.js';
import { nextSteps } from './playbook.js';
import { takeLimits } from './limits.js';
import { pauseSentence } from './pause.js';
import { secondStep, stepPrompt } from './second-step.js';
import { storableFields } from './text.js';
import { actorRef, sameActor, type Actor, type Device, type LostModeMessage } from './types.js';

const REFUSAL_TEXT = {
  unknown: 'This confirmation is no longer valid (it was used, cancelled or has expired). Nothing was sent.',
  confirmed: 'This confirmation was already used. Nothing more was sent.',
  cancelled: 'This request was cancelled. Nothing was sent.',
  expired: 'This confirmation has expired. Nothing was sent; ask again if it is still needed.',
  notOffered: 'That device was not offered in this confirmation. Nothing was sent.',
  notRegistered: 'lockdesk has lost its connection to its database for a moment, so it sent nothing. Your confirmation still stands: click again in a few seconds.',
  notReread: 'Intune did not say how the devices are now, so lockdesk sent nothing. Your confirmation still stands: click again in a moment.',
  stillStands: 'Your confirmation still stands: click it again once lockdesk is resumed (before it expires).',
  cannotAsk: 'This chat cannot ask you to type the number of devices, so lockdesk sent nothing. Ask again for fewer devices, or confirm from Slack, Teams or the terminal chat.',
} as const;

/** Skipped devices named one by one up to this many; beyond, counted by reason. */
const SKIPPED_NAMED = 5;

export { typedCount } from './second-step.js';

type Decision = Extract<ButtonAction, { kind: 'confirm' | 'cancel' }>;

export async function handleDecision(deps: Core, followUp: FollowUp, actor: Actor, click: Decision, sink: ReplySink, answer?: TypedAnswer): Promise<void> {
  const { store, clock } = deps;
  const confirmation = await store.confirmations.get(click.confirmationId);
  const refuse = async (reason: Exclude<keyof typeof REFUSAL_TEXT, 'notRegistered' | 'cannotAsk' | 'stillStands'> | 'paused' | 'notRequester' | 'countMismatch' | 'lostModeText', text: string, c?: Confirmation, prompt?: TypedPrompt) => {
    await store.audit.append(
      auditEvent(clock, {
        event: 'click-refused',
        outcome: 'refused',
        reason,
        correlationId: c?.correlationId ?? deps.ids.id(),
        actor,
        action: c?.action ?? null,
        confirmationId: click.confirmationId.slice(0, 64),
      }),
    );
    await sink.reply({ ...noticeReply('error', text), ...(prompt ? { prompt } : {}) });
  };

  if (!confirmation) return refuse('unknown', REFUSAL_TEXT.unknown);
  if (!mayConfirm(deps.policy, actor, confirmation.requester)) {
    const who = confirmation.requester.email ?? confirmation.requester.id;
    return refuse('notRequester', `Only ${who}, who asked for this ${ACTION_NOUN[confirmation.action]}, can confirm or cancel it. Nothing was sent.`, confirmation);
  }
  const chosen = click.kind === 'confirm' ? chosenDevices(confirmation, click.target) : [];
  if (click.kind === 'confirm' && chosen.length === 0) return refuse('notOffered', REFUSAL_TEXT.notOffered, confirmation);
  // While paused nothing is sent, and the confirmation is not used up: it works again once lockdesk is resumed.
  const paused = click.kind === 'confirm' ? await deps.pauseState() : undefined;
  if (paused) return refuse('paused', `${pauseSentence(paused)}; nothing was sent. ${REFUSAL_TEXT.stillStands}`, confirmation);
  // A second step where the confirmation needs one: the count of a large bulk action, Lost Mode's text.
  let lostMode: LostModeMessage | undefined;
  if (click.kind === 'confirm') {
    const byRequester = sameActor(actorRef(actor), confirmation.requester);
    const input = { confirmation, click, chosen, answer, canAsk: sink.askToType !== undefined, byRequester };
    const needsStep = secondStep(deps, { ...input, answer: undefined, canAsk: true }).kind === 'asked';
    if (needsStep) {
      const closed = closedReason(confirmation, clock.now());
      if (closed) {
        if (closed === 'expired') await expire(deps, confirmation);
        return refuse(closed, REFUSAL_TEXT[closed], confirmation);
      }
    }
    const ownerOf = needsStep && confirmation.action === 'enableLostMode' && chosen.length === 1 ? await readOwner(deps, chosen[0]!) : undefined;
    const step = secondStep(deps, { ...input, ...(ownerOf ? { ownerOf } : {}) });
    if (step.kind === 'cannotAsk') return void (await sink.reply(noticeReply('error', REFUSAL_TEXT.cannotAsk)));
    if (step.kind === 'asked') return void (await sink.askToType!(stepPrompt(deps, { confirmation, click, chosen, byRequester, ...(ownerOf ? { ownerOf } : {}) })));
    // The prompt rides along: where it replaced the confirmation (a Teams card) the person can type again.
    if (step.kind === 'refused') return refuse(step.reason, step.text, confirmation, step.prompt);
    lostMode = step.lostMode;
  }
  // A process that may not send right now (it lost its registration) does not use the confirmation up: the person
  // clicks again in a moment, on this process or another.
  if (click.kind === 'confirm' && !deps.processes.maySend()) {
    await sink.reply(noticeReply('warning', REFUSAL_TEXT.notRegistered));
    return;
  }
  // The chosen devices as Intune has them now, read before the confirmation is used up: a bulk action re-reads
  // hundreds of devices, and a read that fails (a throttled $batch item) must leave the confirmation standing.
  // Not for a confirmation already closed (a repeated submission): the claim below refuses it without the cost.
  let current: Map<string, Device> | undefined;
  if (click.kind === 'confirm' && !closedReason(confirmation, clock.now())) {
    try {
      current = await readCurrent(deps, chosen);
    } catch (error) {
      deps.logger.warn({ correlationId: confirmation.correlationId, code: toLockdeskError(error).code }, 'could not re-read the chosen devices; the confirmation stands');
      return refuse('notReread', REFUSAL_TEXT.notReread, confirmation);
    }
  }

  const outcome = await store.confirmations.resolve(confirmation.id, click.kind === 'confirm' ? 'confirmed' : 'cancelled', actor, click.kind === 'confirm' ? click.target : undefined, clock.now());
  if (!outcome.ok) {
    if (outcome.reason === 'expired') await expire(deps, confirmation);
    await refuse(outcome.reason, REFUSAL_TEXT[outcome.reason], confirmation);
    if (outcome.reason === 'expired') await sink.update(noticeReply('warning', REFUSAL_TEXT.expired));
    return;
  }
  const by = actor.email ?? actor.displayName ?? actor.id;
  if (click.kind === 'cancel') {
    await store.audit.append(auditEvent(clock, { event: 'cancel', outcome: 'cancelled', correlationId: confirmation.correlationId, actor, action: confirmation.action, confirmationId: confirmation.id }));
    await sink.update(noticeReply('info', `Cancelled by ${by}. Nothing was sent.`));
    return;
  }
  await store.audit.append(
    auditEvent(clock, {
      event: 'confirmed',
      outcome: 'confirmed',
      correlationId: confirmation.correlationId,
      actor,
      action: confirmation.action,
      device: chosen.length === 1 ? chosen[0]! : null,
      confirmationId: confirmation.id,
      deviceIds: chosen.map((d) => d.id),
      ...(confirmation.action === 'enableLostMode'
        ? { reason: lostMode === deps.policy.lostMode ? "with the policy's lock-screen text" : 'with the lock-screen text the requester confirmed' }
        : {}),
    }),
  );
  const requester = requesterNow(actor, confirmation);
  const rechecked = await recheck(deps, requester, actor, confirmation, chosen, current ?? new Map());
  const { targets, skipped, parameters } = await withParameters(deps, actor, confirmation, rechecked.targets, lostMode);
  const skippedText = describeSkipped([...rechecked.skipped, ...skipped]);
  if (targets.length === 0) {
    await sink.update(noticeReply('error', `${skippedText} Ask again to see the devices as they are now.`));
    return;
  }
  // The rate limits count what is about to be sent (after the re-checks): over one, nothing is sent at all.
  const limited = await takeLimits(deps, confirmation, actor, confirmation.requester, targets);
  if (!limited.ok) {
    await sink.update(noticeReply('error', skippedText ? `${limited.text} ${skippedText}` : limited.text));
    return;
  }
  // Second-person approval and protected people (approval-flow.ts): held for an approver, or refused, instead of sent.
  if (await holdForApproval(deps, { actor, requester, confirmation, targets, lostMode, skippedText, sink })) return;
  // The playbook's next step for one device (none for a bulk action), for the person who asked.
  const steps = targets.length === 1 ? nextSteps(deps, requester, confirmation.action, targets[0]!) : [];
  const records = await dispatchConfirmed(deps, confirmation, targets, actor, {
    replyRef: sink.ref?.(),
    beforeSend: (intents) => followUp.track(intents, { sink, confirmedBy: by, ...(skippedText ? { note: skippedText } : {}), nextSteps: steps }),
    ...(parameters ? { parameters } : {}),
  });
  // The action has left: a message that cannot be updated must never turn into "nothing was done, try again".
  const status = statusReply(confirmation.action, by, records, skippedText || undefined, steps);
  const shown = await sink.update(status).then(
    () => true,
    async (error: unknown) => {
      deps.logger.warn({ correlationId: confirmation.correlationId, code: toLockdeskError(error).code }, 'could not update the clicked message with the status; sending it as a new message');
      return sink.reply(status).then(
        () => true,
        () => (deps.logger.warn({ correlationId: confirmation.correlationId }, 'could not tell the person the status; it is in the audit trail'), false),
      );
    },
  );
  // Only what the person has: a status they never saw is shown by the next follow-up round.
  if (shown) followUp.noteShown(records);
}

/** The owner of the one device a Lost Mode is for, to fill in the text shown to edit; undefined if it cannot be read. */
async function readOwner(deps: CoreDeps, snapshot: DeviceSnapshot): Promise<{ userDisplayName: string; userPrincipalName: string } | undefined> {
  const device = await deps.backend.getDevice(snapshot.id).catch(() => undefined);
  return device && device.userId === snapshot.userId ? { userDisplayName: device.userDisplayName, userPrincipalName: device.userPrincipalName } : undefined;
}

/** Why a confirmation can no longer be used, seen before a second step is offered (the claim decides in the end). */
function closedReason(confirmation: Confirmation, now: Date): 'confirmed' | 'cancelled' | 'expired' | undefined {
  if (confirmation.status === 'confirmed' || confirmation.status === 'cancelled' || confirmation.status === 'expired') return confirmation.status;
  return Date.parse(confirmation.expiresAt) <= now.getTime() ? 'expired' : undefined;
}

/** "Not sent to …" for each skipped device, or counted by reason when there are many. */
export function describeSkipped(skipped: Array<{ name: string; reason: string }>): string {
  if (skipped.length <= SKIPPED_NAMED) return skipped.map((s) => `Not sent to "${s.name}": ${s.reason}.`).join(' ');
  const byReason = new Map<string, number>();
  for (const s of skipped) byReason.set(s.reason, (byReason.get(s.reason) ?? 0) + 1);
  const reasons = [...byReason].sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${n}: ${reason}`);
  return `Not sent to ${skipped.length} devices (${reasons.join('; ')}). Each is in the audit trail.`;
}

/** The offered devices the click names: one device, or "*" for all of them when the confirmation allows it. */
function chosenDevices(confirmation: Confirmation, target: string): DeviceSnapshot[] {
  const offered = confirmation.devices.filter((d) => d.offered);
  if (target === '*') return confirmation.allowAll ? offered : [];
  return offered.filter((d) => d.id === target);
}

/** Each chosen device read again by id, just before the confirmation is claimed and the action sent. */
export async function readCurrent(deps: CoreDeps, chosen: DeviceSnapshot[]): Promise<Map<string, Device>> {
  return new Map((await deps.backend.getDevices(chosen.map((s) => s.id))).map((d) => [d.id, storableFields(d)]));
}

/**
 * Checks each chosen device as it was just read again (`current`): it must still exist, still belong to the same
 * Intune user, still support the action and (for the requester) still be within their policy.
 */
/**
 * The person who asked, as the policy sees them now: the clicker when it is them; for an approver's click, the
 * requester with their groups as they were when they asked (an approver's click is checked against the policy as it
 * stands now, for the person who asked).
 */
function requesterNow(actor: Actor, confirmation: Confirmation): Actor {
  return sameActor(actorRef(actor), confirmation.requester) ? actor : { ...confirmation.requester, groups: confirmation.requesterGroups ?? [] };
}

export async function recheck(
  deps: CoreDeps,
  requester: Actor,
  actor: Actor,
  confirmation: Confirmation,
  chosen: DeviceSnapshot[],
  current: Map<string, Device>,
): Promise<{ targets: Device[]; skipped: Array<{ name: string; reason: string }> }> {
  const targets: Device[] = [];
  const skipped: Array<{ name: string; reason: string }> = [];
  for (const snapshot of chosen) {
    const device = current.get(snapshot.id);
    let reason: string | undefined;
    if (!device || device.id !== snapshot.id) reason = 'the device is no longer in Intune';
    else if (device.userId !== snapshot.userId) reason = 'the device changed owner since the confirmation was shown';
    else if (!supportFor(deps.platforms, device, confirmation.action).supported) reason = supportFor(deps.platforms, device, confirmation.action).reason;
    else if (!mayActOn(deps.policy, requester, confirmation.action, device)) reason = 'the policy no longer allows this';
    if (reason || !device) {
      skipped.push({ name: snapshot.name, reason: reason ?? 'the device is no longer in Intune' });
      await deps.store.audit.append(
        auditEvent(deps.clock, { event: 'refusal', outcome: 'not-dispatched', reason, correlationId: confirmation.correlationId, actor, action: confirmation.action, device: snapshot, confirmationId: confirmation.id }),
      );
      continue;
    }
    targets.push(device);
  }
  return { targets, skipped };
}

/** Marks a confirmation expired once, however many clicks or sweeps notice it. */
export async function expire(deps: CoreDeps, confirmation: Confirmation): Promise<boolean> {
  const outcome = await deps.store.confirmations.resolve(confirmation.id, 'expired', null, undefined, deps.clock.now());
  if (!outcome.ok) return false;
  await deps.store.audit.append(
    auditEvent(deps.clock, {
      event: 'expiry',
      outcome: 'expired',
      correlationId: confirmation.correlationId,
      actor: null,
      action: confirmation.action,
      confirmationId: confirmation.id,
      deviceIds: confirmation.devices.filter((d) => d.offered).map((d) => d.id),
    }),
  );
  return true;
}
