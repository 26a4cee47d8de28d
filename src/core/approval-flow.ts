// Second-person approval: a confirmed request that a policy rule covers is held, not sent, until an approver (never
// the requester) approves it; a protected person's device is refused to a role that may not act on them. Every
// decision is audited where it is taken; the cards involved turn into the outcome. Clicks: approval-click.ts.
import { approvalVerdict, isProtectedUser, samePerson, type ApprovalVerdict } from './approval-policy.js';
import { approvalCard, approverNames, outcomeReply, reasonPrompt, waitingReply } from './approval-replies.js';
import { auditEvent } from './audit.js';
import type { Core, CoreDeps } from './deps.js';
import { toLockdeskError } from './errors.js';
import { isOwnDevice, mayActOnProtected } from './policy.js';
import type { Approval, Confirmation } from './records.js';
import { noticeReply } from './replies.js';
import type { Reply, ReplySink } from './reply.js';
import { entraIdOf } from './same-person.js';
import { oneLine } from './text.js';
import { actorRef, sameActor, type Actor, type ActorRef, type Device, type DeviceAction, type LostModeMessage } from './types.js';

export const PROTECTED_REFUSAL = (rule: string) =>
  `Refused by ${rule}: your role may not act on a protected person's device, and no approval rule covers this request. Nothing was sent; ask an administrator.`;

/** The sinks of this process for a pending approval: the requester's message and the cards it posted. */
interface LiveSinks {
  requester?: ReplySink;
  cards: ReplySink[];
}
const MAX_LIVE = 10_000;
const NAME_MAX = 100;
/** Pending approvals read to count one person's: far more than anyone may have waiting. */
const PENDING_READ = 500;
// By the handler's store, which every request of one handler shares: each request gets its own copy of the deps
// (the policy in force when it began), so the deps object itself is no key.
const liveByStore = new WeakMap<object, Map<string, LiveSinks>>();
export function liveSinks(deps: CoreDeps): Map<string, LiveSinks> {
  let map = liveByStore.get(deps.store);
  if (!map) liveByStore.set(deps.store, (map = new Map()));
  return map;
}

export interface HoldInput {
  actor: Actor;
  /** The requester as the policy sees them now. */
  requester: Actor;
  confirmation: Confirmation;
  targets: Device[];
  lostMode: LostModeMessage | undefined;
  /** The chosen devices that will not be sent (already said), to keep saying. */
  skippedText: string;
  sink: ReplySink;
}

/** Which targets belong to a protected person (other than the requester): one that cannot be told counts. */
export async function protectedOwners(deps: CoreDeps, requester: Actor, targets: Device[]): Promise<Set<string>> {
  const found = new Set<string>();
  const policy = deps.policy.protected;
  if (!policy || (policy.users.length === 0 && policy.groups.length === 0)) return found;
  const byOwner = new Map<string, boolean>();
  for (const device of targets) {
    if (isOwnDevice(device, requester)) continue;
    let hit = isProtectedUser(policy, device);
    if (!hit && policy.groups.length > 0) {
      if (!byOwner.has(device.userId)) {
        const groupIds = policy.groups.map((g) => g.slice('aad-group:'.length));
        // No directory, no owner, or no answer: lockdesk cannot tell, so the device counts as protected.
        const member = !deps.directory || !device.userId ? true : await deps.directory.memberGroups(device.userId, groupIds).then((ids) => ids.length > 0, () => true);
        byOwner.set(device.userId, member);
      }
      hit = byOwner.get(device.userId)!;
    }
    if (hit) found.add(device.id);
  }
  return found;
}

/** Whether the policy holds this request for a second person, refuses it (a protected person's device), or neither. */
export async function approvalFor(deps: CoreDeps, requester: Actor, action: DeviceAction, targets: Device[]): Promise<ApprovalVerdict> {
  const prot = await protectedOwners(deps, requester, targets);
  return approvalVerdict(deps.policy.approval, {
    action,
    targets,
    isOwn: (d) => isOwnDevice(d, requester),
    isProtected: (d) => prot.has(d.id),
    mayActOnProtected: mayActOnProtected(deps.policy, requester, action),
  });
}

/**
 * Called by the confirmation click once the request is confirmed and re-checked, just before it would be sent.
 * True: the request is held for approval or refused here (the requester has been told); false: send it as today.
 */
export async function holdForApproval(deps: Core, input: HoldInput): Promise<boolean> {
  const { requester, confirmation, targets, sink, actor } = input;
  const verdict = await approvalFor(deps, requester, confirmation.action, targets);
  if (verdict.kind === 'none') return false;
  const base = { correlationId: confirmation.correlationId, actor, action: confirmation.action, confirmationId: confirmation.id, deviceIds: targets.map((d) => d.id) };
  if (verdict.kind === 'refused') {
    await deps.store.audit.append(auditEvent(deps.clock, { ...base, event: 'refusal', outcome: 'refused', reason: `refused by ${verdict.rule}: a protected person's device, and the requester's roles may not act on protected people` }));
    await sink.update(noticeReply('error', PROTECTED_REFUSAL(verdict.rule)));
    return true;
  }
  const approvalPolicy = deps.policy.approval!;
  const now = deps.clock.now();
  const waiting = (await deps.store.approvals.listPending(now, PENDING_READ)).filter((a) => samePerson(a.requester, requester) === 'same').length;
  if (waiting >= approvalPolicy.maxPendingPerPerson) {
    await deps.store.audit.append(auditEvent(deps.clock, { ...base, event: 'refusal', outcome: 'refused', reason: `approval: ${waiting} requests of this person already wait (at most ${approvalPolicy.maxPendingPerPerson})` }));
    await sink.update(noticeReply('error', `You have ${waiting} requests waiting for approval already, the most the policy allows. Nothing was sent; ask again once an approver has decided one of them (or it has expired).`));
    return true;
  }
  const requesterRef = sink.ref?.();
  const approval: Approval = {
    id: deps.ids.secretId(),
    confirmationId: confirmation.id,
    correlationId: confirmation.correlationId,
    action: confirmation.action,
    requester: confirmation.requester,
    ...(confirmation.requesterGroups ? { requesterGroups: confirmation.requesterGroups } : {}),
    // A name people choose themselves (Slack's display name, Teams' from.name): one plain line on the approvers' card.
    ...(requester.displayName && oneLine(requester.displayName) ? { requesterName: oneLine(requester.displayName).slice(0, NAME_MAX) } : {}),
    confirmedBy: actorRef(actor),
    devices: targets.map((d) => ({ id: d.id, name: d.name, userId: d.userId, offered: true })),
    ...(confirmation.action === 'enableLostMode' && input.lostMode ? { lostMode: input.lostMode } : {}),
    rule: verdict.rule,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + approvalPolicy.expireMinutes * 60_000).toISOString(),
    status: 'pending',
    ...(requesterRef ? { requesterRef } : {}),
  };
  await deps.store.approvals.create(approval);
  await deps.store.audit.append(auditEvent(deps.clock, { ...base, event: 'approval', outcome: 'requested', reason: verdict.rule, requester: confirmation.requester }));
  const live = liveSinks(deps);
  while (live.size >= MAX_LIVE) live.delete(live.keys().next().value!);
  const entry: LiveSinks = { requester: sink, cards: [] };
  live.set(approval.id, entry);
  entry.cards = await postCards(deps, approval, targets);
  // Decided while the cards were being posted (an approver quick on the first card): the decision could not reach
  // the cards posted after it, and the requester has been told already; those cards turn into the outcome now.
  const decided = await deps.store.approvals.get(approval.id).catch(() => undefined);
  if (decided && decided.status !== 'pending') {
    const outcome = outcomeReply(decided);
    await Promise.all(entry.cards.map((c) => c.update(outcome).catch((e: unknown) => deps.logger.warn({ code: toLockdeskError(e).code }, 'could not update a message of an approval'))));
    return true;
  }
  await sink.update(waitingReply(approval, approverNames(approvalPolicy.approvers), entry.cards.length, input.skippedText || undefined));
  if (sink.askToType) await sink.askToType(reasonPrompt(approval)).catch((e: unknown) => deps.logger.warn({ code: toLockdeskError(e).code }, 'could not ask the requester for a reason'));
  return true;
}

/** Posts the approval card to the approvers (the adapters decide where) and keeps where each went. */
async function postCards(deps: CoreDeps, approval: Approval, devices: readonly Device[]): Promise<ReplySink[]> {
  if (!deps.approvals) {
    deps.logger.warn({ correlationId: approval.correlationId }, 'no chat can post approval cards; the request waits unseen');
    return [];
  }
  const card = approvalCard(approval, devices, deps.platforms, deps.clock.now());
  // The object ids behind the requester and the confirmer, where found: a chat that knows approvers by object id
  // (Teams) then leaves them out even when they asked from another chat.
  const withEntraId = async (ref: ActorRef): Promise<ActorRef> => {
    const id = ref.aadObjectId ? undefined : await entraIdOf(deps, ref);
    return id ? { ...ref, aadObjectId: id } : ref;
  };
  const confirmer = approval.confirmedBy && !sameActor(approval.confirmedBy, approval.requester) ? await withEntraId(approval.confirmedBy) : undefined;
  const notice = { approvalId: approval.id, approvers: deps.policy.approval?.approvers ?? [], requester: await withEntraId(approval.requester), ...(confirmer ? { confirmedBy: confirmer } : {}), card };
  const sinks = await deps.approvals.notify(notice).catch((error: unknown) => {
    deps.logger.warn({ correlationId: approval.correlationId, code: toLockdeskError(error).code }, 'could not post the approval card');
    return [] as ReplySink[];
  });
  const refs = sinks.map((s) => s.ref?.()).filter((r) => r !== undefined);
  if (refs.length > 0) await deps.store.approvals.annotate(approval.id, { cards: refs });
  return sinks;
}

/** The sinks of every card of an approval: this process's own, else restored from the stored references. */
export function cardSinks(deps: CoreDeps, approval: Approval): ReplySink[] {
  const live = liveSinks(deps).get(approval.id);
  if (live && live.cards.length > 0) return live.cards;
  return (approval.cards ?? []).map((ref) => restore(deps, ref)).filter((s): s is ReplySink => s !== undefined);
}

export function requesterSink(deps: CoreDeps, approval: Approval): ReplySink | undefined {
  return liveSinks(deps).get(approval.id)?.requester ?? (approval.requesterRef ? restore(deps, approval.requesterRef) : undefined);
}

function restore(deps: CoreDeps, ref: NonNullable<Approval['requesterRef']>): ReplySink | undefined {
  try {
    return deps.sinks?.restore(ref);
  } catch (error) {
    deps.logger.warn({ code: toLockdeskError(error).code }, 'could not restore a chat message of an approval');
    return undefined;
  }
}

/** Turns every card (and, unless `requesterReply` is null, the requester's message) into the outcome; never throws. */
export async function showOutcome(deps: CoreDeps, approval: Approval, clicked: ReplySink | undefined, cardReply: Reply, requesterReply: Reply | null): Promise<void> {
  const cards = cardSinks(deps, approval);
  const targets = clicked && !cards.includes(clicked) ? [clicked, ...cards] : cards;
  const quietly = (p: Promise<void>) => p.catch((e: unknown) => deps.logger.warn({ correlationId: approval.correlationId, code: toLockdeskError(e).code }, 'could not update a message of an approval'));
  await Promise.all(targets.map((s) => quietly(s.update(cardReply))));
  const requester = requesterReply ? requesterSink(deps, approval) : undefined;
  if (requester && requesterReply) await quietly(requester.update(requesterReply));
  if (approval.status !== 'pending') liveSinks(deps).delete(approval.id);
}

/** Marks an approval expired once, however many clicks or sweeps notice it; audited once, every card told. */
export async function expireApproval(deps: CoreDeps, approval: Approval): Promise<boolean> {
  const outcome = await deps.store.approvals.resolve(approval.id, 'expired', null, deps.clock.now());
  if (!outcome.ok) return false;
  await deps.store.audit.append(
    auditEvent(deps.clock, {
      event: 'approval',
      outcome: 'expired',
      reason: 'no approver approved or denied it in time',
      correlationId: approval.correlationId,
      actor: null,
      action: approval.action,
      confirmationId: approval.confirmationId,
      deviceIds: approval.devices.map((d) => d.id),
      requester: approval.requester,
    }),
  );
  const reply = outcomeReply(outcome.approval);
  await showOutcome(deps, outcome.approval, undefined, reply, reply);
  return true;
}

export async function sweepApprovals(deps: CoreDeps): Promise<number> {
  let count = 0;
  for (const approval of await deps.store.approvals.listExpired(deps.clock.now())) if (await expireApproval(deps, approval)) count++;
  return count;
}
