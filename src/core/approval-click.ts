// A click on an approval card (Approve, Deny) or the requester's reason: only an approver who is not the requester,
// under any identity; only once across replicas; only before it expires; re-checked just before it is sent.
import { approvalCard, denyPrompt, outcomeReply, REASON_MAX, whoOf, WITHDRAWN } from './approval-replies.js';
import { cardSinks, expireApproval, showOutcome, requesterSink } from './approval-flow.js';
import { auditEvent } from './audit.js';
import type { ButtonAction } from './buttons.js';
import { describeSkipped, readCurrent, recheck } from './click-flow.js';
import type { Core } from './deps.js';
import { dispatchConfirmed } from './dispatcher.js';
import { pauseSentence } from './pause.js';
import { whoIs } from './same-person.js';
import { toLockdeskError } from './errors.js';
import type { FollowUp } from './follow-up.js';
import { withParameters } from './action-parameters.js';
import { isApprovalApprover } from './policy.js';
import type { Approval, Confirmation } from './records.js';
import { noticeReply } from './replies.js';
import type { ReplySink, TypedAnswer, TypedPrompt } from './reply.js';
import { statusReply } from './status-replies.js';
import { oneLine, storable } from './text.js';
import { sameActor, type Actor, type Device } from './types.js';

const REFUSAL_TEXT = {
  unknown: 'This approval request is no longer valid. Nothing was sent.',
  approved: 'This request was already approved. Nothing more was sent.',
  denied: 'This request was already denied. Nothing was sent.',
  withdrawn: 'The person who asked has withdrawn this request. Nothing was sent.',
  expired: 'This approval request has expired. Nothing was sent.',
  notApprover: 'Only the approvers the policy names can approve or deny this request. Nothing was sent.',
  ownRequest: 'You asked for this yourself, so you cannot approve or deny it, from any chat: another approver has to. Nothing was sent.',
  confirmedIt: 'You confirmed this request for the person who asked, so you cannot also approve or deny it: another approver has to. Nothing was sent.',
  unknownIdentity:
    'lockdesk cannot tell you apart from the person who asked: it could not find the Entra ID user behind each of you, so it cannot let you decide. Nothing was sent.',
  notRequester: 'Only the person who asked can add a reason to this request, or withdraw it.',
  noReason: 'Say why you deny it: the person who asked reads the reason. Nothing was decided yet.',
  notRegistered: 'lockdesk has lost its connection to its database for a moment, so it sent nothing. The request still waits: click again in a few seconds.',
  notReread: 'Intune did not say how the devices are now, so lockdesk sent nothing. The request still waits: click again in a moment.',
} as const;
type Refusal = keyof typeof REFUSAL_TEXT;

type ApprovalClick = Extract<ButtonAction, { kind: 'approve' | 'deny' | 'why' | 'withdraw' }>;

/**
 * A reason as every card can show it: one line, no control or direction-override characters (a line break or an
 * escape sequence in it could fake a line such as "Approved in advance by …" on an approver's screen).
 */
const reasonOf = (answer: TypedAnswer | undefined): string | undefined => {
  const raw = typeof answer === 'string' ? answer : answer?.reason;
  const text = raw === undefined ? undefined : oneLine(storable(raw)).slice(0, REASON_MAX);
  return text || undefined;
};

export async function handleApprovalClick(deps: Core, followUp: FollowUp, actor: Actor, click: ApprovalClick, sink: ReplySink, answer?: TypedAnswer): Promise<void> {
  const { store, clock } = deps;
  const approval = await store.approvals.get(click.approvalId);
  const refuse = async (reason: Refusal, a?: Approval, prompt?: TypedPrompt) => {
    await store.audit.append(
      auditEvent(clock, {
        event: 'click-refused',
        outcome: 'refused',
        reason: `approval: ${reason}`,
        correlationId: a?.correlationId ?? deps.ids.id(),
        actor,
        action: a?.action ?? null,
        ...(a ? { confirmationId: a.confirmationId, requester: a.requester } : {}),
      }),
    );
    await sink.reply({ ...noticeReply('error', REFUSAL_TEXT[reason]), ...(prompt ? { prompt } : {}) });
  };
  if (!approval) return refuse('unknown');
  if (click.kind === 'why') return addReason(deps, actor, approval, sink, answer, refuse);
  if (click.kind === 'withdraw') return withdraw(deps, actor, approval, sink, refuse);
  if (!isApprovalApprover(deps.policy, actor)) return refuse('notApprover', approval);
  // The requester under any identity (another platform, another address of theirs) never decides; nor does the
  // person who confirmed it for them: a second person means someone other than both.
  const who = await whoIs(deps, actor, approval.requester);
  if (who !== 'different') return refuse(who === 'same' ? 'ownRequest' : 'unknownIdentity', approval);
  if (approval.confirmedBy) {
    const confirmer = await whoIs(deps, actor, approval.confirmedBy);
    if (confirmer !== 'different') return refuse(confirmer === 'same' ? 'confirmedIt' : 'unknownIdentity', approval);
  }
  if (approval.status !== 'pending') return refuse(approval.status === 'denied' && approval.denyReason === WITHDRAWN ? 'withdrawn' : approval.status, approval);
  if (Date.parse(approval.expiresAt) <= clock.now().getTime()) {
    await expireApproval(deps, approval);
    return refuse('expired', approval);
  }
  if (click.kind === 'deny') return deny(deps, actor, approval, sink, answer, refuse);

  // The kill switch holds for approvals too: nothing is sent while lockdesk is paused, and the approval still waits.
  const paused = await deps.pauseState();
  if (paused) {
    await audited(deps, actor, approval, 'approval: paused');
    return void (await sink.reply(noticeReply('warning', `${pauseSentence(paused)}. Nothing was sent; this request still waits and can be approved once lockdesk is resumed.`)));
  }
  if (!deps.processes.maySend()) {
    await audited(deps, actor, approval, 'approval: notRegistered');
    return void (await sink.reply(noticeReply('warning', REFUSAL_TEXT.notRegistered)));
  }
  let current: Map<string, Device>;
  try {
    current = await readCurrent(deps, approval.devices);
  } catch (error) {
    deps.logger.warn({ correlationId: approval.correlationId, code: toLockdeskError(error).code }, 'could not re-read the devices of an approval; it still waits');
    return refuse('notReread', approval);
  }
  const outcome = await store.approvals.resolve(approval.id, 'approved', actor, clock.now());
  if (!outcome.ok) {
    if (outcome.reason === 'expired') await expireApproval(deps, approval);
    return refuse(outcome.reason, approval);
  }
  const approved = outcome.approval;
  await store.audit.append(auditEvent(clock, { event: 'approval', outcome: 'approved', reason: approved.rule, correlationId: approved.correlationId, actor, action: approved.action, confirmationId: approved.confirmationId, deviceIds: approved.devices.map((d) => d.id), requester: approved.requester }));
  await sendApproved(deps, followUp, actor, approved, current, sink);
}

/** A click refused while the request still waits (paused, no registration): audited like any refused click. */
async function audited(deps: Core, actor: Actor, approval: Approval, reason: string): Promise<void> {
  await deps.store.audit.append(
    auditEvent(deps.clock, { event: 'click-refused', outcome: 'refused', reason, correlationId: approval.correlationId, actor, action: approval.action, confirmationId: approval.confirmationId, requester: approval.requester }),
  );
}

/** The confirmation the approval came from, as the dispatcher and the re-checks read it (it may be archived by now). */
function asConfirmation(a: Approval): Confirmation {
  return { id: a.confirmationId, correlationId: a.correlationId, action: a.action, requester: a.requester, ...(a.requesterGroups ? { requesterGroups: a.requesterGroups } : {}), devices: a.devices, allowAll: false, createdAt: a.createdAt, expiresAt: a.expiresAt, status: 'confirmed' };
}

/** A sink that reaches nobody: the requester's message could not be restored here. A secret is never handed to it. */
function nowhere(deps: Core, a: Approval): ReplySink {
  const say = async () => deps.logger.info({ correlationId: a.correlationId }, "the requester's message of an approved request cannot be reached from here; its status is in the audit trail");
  return {
    reply: say,
    update: say,
    sendSecret: async () => {
      throw new Error('the requester cannot be reached from this process');
    },
  };
}

async function sendApproved(deps: Core, followUp: FollowUp, approver: Actor, approval: Approval, current: Map<string, Device>, clicked: ReplySink): Promise<void> {
  // The policy as it stands now, for the person who asked, with their groups as they were when they asked.
  const requester: Actor = { ...approval.requester, groups: approval.requesterGroups ?? [] };
  const confirmation = asConfirmation(approval);
  const rechecked = await recheck(deps, requester, approver, confirmation, approval.devices, current);
  const { targets, skipped, parameters } = await withParameters(deps, approver, confirmation, rechecked.targets, approval.lostMode);
  const skippedText = describeSkipped([...rechecked.skipped, ...skipped]);
  const by = whoOf(approver);
  if (targets.length === 0) {
    const text = `Approved by ${by}, but nothing was sent: ${skippedText} Ask again to see the devices as they are now.`;
    await showOutcome(deps, approval, clicked, noticeReply('error', text), noticeReply('error', text));
    return;
  }
  // Status, passcodes, PINs and locations go to the requester's own message and sink, never to the approver.
  const toRequester = requesterSink(deps, approval) ?? nowhere(deps, approval);
  const confirmedBy = `${whoOf(approval.requester)}, approved by ${by}`;
  const records = await dispatchConfirmed(deps, confirmation, targets, approver, {
    replyRef: approval.requesterRef,
    beforeSend: (intents) => followUp.track(intents, { sink: toRequester, confirmedBy, ...(skippedText ? { note: skippedText } : {}) }),
    ...(parameters ? { parameters } : {}),
  });
  // Withheld at the last moment (a pause typed meanwhile, the database gone): the cards must not say it was sent.
  const left = records.filter((r) => r.state !== 'notSent');
  const withheld = records.length - left.length;
  const sent =
    left.length === 0
      ? `Nothing was sent: ${records[0]?.detail ?? 'lockdesk withheld it.'}`
      : `Sent to ${left.length} device(s)${withheld > 0 ? ` (${withheld} not sent)` : ''}; ${whoOf(approval.requester)} sees how it goes.${skippedText ? ` ${skippedText}` : ''}`;
  await showOutcome(deps, approval, clicked, outcomeReply(approval, sent), null);
  const status = statusReply(approval.action, confirmedBy, records, skippedText || undefined);
  const shown = await toRequester.update(status).then(
    () => true,
    () => false,
  );
  if (shown) followUp.noteShown(records);
}

async function deny(deps: Core, actor: Actor, approval: Approval, sink: ReplySink, answer: TypedAnswer | undefined, refuse: (r: Refusal, a?: Approval, p?: TypedPrompt) => Promise<void>): Promise<void> {
  let reason = reasonOf(answer);
  if (answer === undefined) {
    if (sink.askToType) return void (await sink.askToType(denyPrompt(approval)));
    reason = '(no reason given: this chat cannot ask for one)';
  }
  if (!reason) return refuse('noReason', approval, denyPrompt(approval));
  const outcome = await deps.store.approvals.resolve(approval.id, 'denied', actor, deps.clock.now(), reason);
  if (!outcome.ok) {
    if (outcome.reason === 'expired') await expireApproval(deps, approval);
    return refuse(outcome.reason, approval);
  }
  const denied = outcome.approval;
  await deps.store.audit.append(auditEvent(deps.clock, { event: 'approval', outcome: 'denied', reason, correlationId: denied.correlationId, actor, action: denied.action, confirmationId: denied.confirmationId, deviceIds: denied.devices.map((d) => d.id), requester: denied.requester }));
  const reply = outcomeReply(denied);
  await showOutcome(deps, denied, sink, reply, reply);
}

/** The requester takes the request back: nothing is sent, every card and their message say so. */
async function withdraw(deps: Core, actor: Actor, approval: Approval, sink: ReplySink, refuse: (r: Refusal, a?: Approval) => Promise<void>): Promise<void> {
  if (!sameActor(actor, approval.requester)) return refuse('notRequester', approval);
  const outcome = await deps.store.approvals.resolve(approval.id, 'denied', actor, deps.clock.now(), WITHDRAWN);
  if (!outcome.ok) {
    if (outcome.reason === 'expired') await expireApproval(deps, approval);
    return refuse(outcome.reason, approval);
  }
  const withdrawn = outcome.approval;
  await deps.store.audit.append(auditEvent(deps.clock, { event: 'approval', outcome: 'withdrawn', reason: WITHDRAWN, correlationId: withdrawn.correlationId, actor, action: withdrawn.action, confirmationId: withdrawn.confirmationId, requester: withdrawn.requester }));
  const reply = outcomeReply(withdrawn);
  await showOutcome(deps, withdrawn, sink, reply, reply);
}

/** The requester's optional reason, typed after the request went out: kept, audited, and shown on every card. */
async function addReason(deps: Core, actor: Actor, approval: Approval, sink: ReplySink, answer: TypedAnswer | undefined, refuse: (r: Refusal, a?: Approval) => Promise<void>): Promise<void> {
  if (!sameActor(actor, approval.requester)) return refuse('notRequester', approval);
  const reason = reasonOf(answer);
  if (!reason) return void (await sink.reply(noticeReply('info', 'No reason added; the approvers see the request as it is.')));
  const updated = await deps.store.approvals.annotate(approval.id, { reason });
  if (!updated) return refuse(approval.status === 'pending' ? 'expired' : approval.status, approval);
  await deps.store.audit.append(auditEvent(deps.clock, { event: 'approval', outcome: 'reason', reason, correlationId: updated.correlationId, actor, action: updated.action, confirmationId: updated.confirmationId, requester: updated.requester }));
  const devices = await deps.backend.getDevices(updated.devices.map((d) => d.id)).catch(() => [] as Device[]);
  // Decided while Intune was read: the cards already show the outcome, and a pending card must not come back.
  const still = await deps.store.approvals.get(updated.id).catch(() => undefined);
  if (still?.status === 'pending') {
    const card = approvalCard(still, devices, deps.platforms, deps.clock.now());
    await Promise.all(cardSinks(deps, still).map((s) => s.update(card).catch(() => undefined)));
  }
  await sink.reply(noticeReply('info', 'Your reason was added to the request the approvers see.'));
}
