// What second-person approval says: the approvers' card, the requester's "waiting", the prompts, the outcomes.
import { encodeButton } from './buttons.js';
import { deviceCard } from './device-card.js';
import type { PlatformSupport } from './platform-support.js';
import type { Approval } from './records.js';
import { ACTION_NOUN, noticeReply } from './replies.js';
import type { Block, Reply, TypedPrompt } from './reply.js';
import type { ActorRef, Device } from './types.js';

export const REASON_MAX = 500;
/** A request its requester took back is kept as denied by them, with this reason. */
export const WITHDRAWN = 'withdrawn by the person who asked';
/** Device cards on one approval card, at most; the rest are counted. */
const CARDS_SHOWN = 10;

export const whoOf = (ref: Pick<ActorRef, 'email' | 'id'>): string => ref.email ?? ref.id;

/** "lead@contoso.com, the Slack group S0ADMINS": the policy's approver selectors as a person reads them. */
export function approverNames(selectors: readonly string[]): string {
  const named = selectors.map((s) => {
    const colon = s.indexOf(':');
    const [kind, value] = [s.slice(0, colon), s.slice(colon + 1)];
    if (kind === 'email') return value;
    if (kind === 'slack-group') return `the Slack group ${value}`;
    if (kind === 'aad-group') return `the Entra group ${value}`;
    if (kind === 'slack') return `Slack user ${value}`;
    if (kind === 'teams') return `Teams user ${value}`;
    return 'anyone';
  });
  return named.join(', ');
}

function what(approval: Approval): string {
  const noun = ACTION_NOUN[approval.action];
  return approval.devices.length === 1 ? `a ${noun} of "${approval.devices[0]!.name}"` : `a ${noun} of ${approval.devices.length} devices`;
}

/** The approvers' card: the same device cards, who asked and why, Approve and Deny. */
export function approvalCard(approval: Approval, devices: readonly Device[], platforms: PlatformSupport, now: Date): Reply {
  const who = whoOf(approval.requester);
  const heading = `Approval needed: ${who} asks for ${what(approval)}.`;
  const minutes = Math.max(1, Math.round((Date.parse(approval.expiresAt) - now.getTime()) / 60_000));
  const blocks: Block[] = [
    { kind: 'heading', text: heading },
    { kind: 'paragraph', text: `Asked by ${approval.requesterName ? `${approval.requesterName} (${who})` : who} on ${approval.requester.platform}. The policy needs a second person: ${approval.rule}.` },
  ];
  if (approval.reason) blocks.push({ kind: 'paragraph', text: `Reason: ${approval.reason}` });
  // What the lock screen will say is part of what is approved: a requester may have changed the policy's text.
  if (approval.lostMode) blocks.push({ kind: 'paragraph', text: lostModeLine(approval.lostMode) });
  const byId = new Map(devices.map((d) => [d.id, d]));
  const shown = approval.devices.slice(0, CARDS_SHOWN);
  for (const snapshot of shown) {
    const device = byId.get(snapshot.id);
    blocks.push(device ? { kind: 'device', card: deviceCard(device, platforms, now, approval.action), buttons: [] } : { kind: 'paragraph', text: `"${snapshot.name}"` });
  }
  if (approval.devices.length > shown.length) blocks.push({ kind: 'notice', tone: 'info', text: `and ${approval.devices.length - shown.length} more devices.` });
  const footer = `Nothing is sent until an approver approves; you cannot approve a request of your own. This request expires in ${minutes} minutes. Anything the action yields (a temporary passcode, a PIN, a location) goes only to ${who}.`;
  blocks.push({ kind: 'paragraph', text: footer });
  blocks.push(approvalButtons(approval));
  return { text: `${heading}${approval.reason ? ` Reason: ${approval.reason}` : ''}`, blocks };
}

/** The lock-screen text a Lost Mode request would send, as it was confirmed (placeholders still in). */
function lostModeLine(text: NonNullable<Approval['lostMode']>): string {
  return `Lock-screen message: "${text.message}"; phone number: "${text.phoneNumber}"${text.footer ? `; footer: "${text.footer}"` : ''}.`;
}

/** Approve (which asks "Approve?" first) and Deny. */
function approvalButtons(approval: Approval): Block {
  const label = 'Approve';
  return {
    kind: 'actions',
    buttons: [
      { label, value: encodeButton({ kind: 'approve', approvalId: approval.id }), style: 'danger', confirm: { title: 'Approve?', text: `Approve ${what(approval)} for ${whoOf(approval.requester)}.`, ok: label, cancel: 'Not yet' } },
      { label: 'Deny', value: encodeButton({ kind: 'deny', approvalId: approval.id }), style: 'default' },
    ],
  };
}

/**
 * The `approvals` command's answer: each request still waiting that the caller may decide, in a line, with its
 * buttons; `more` counts those not shown.
 */
export function pendingReply(approvals: readonly Approval[], more: number, now: Date): Reply {
  if (approvals.length === 0) return noticeReply('info', 'No request is waiting for your approval.');
  const minutes = (iso: string) => {
    const n = Math.round(Math.abs(Date.parse(iso) - now.getTime()) / 60_000);
    return n === 1 ? '1 minute' : `${Math.max(1, n)} minutes`;
  };
  const heading = `${approvals.length + more} request${approvals.length + more === 1 ? '' : 's'} waiting for approval`;
  const blocks: Block[] = [{ kind: 'heading', text: heading }];
  const lines: string[] = [];
  for (const a of approvals) {
    const line = `${whoOf(a.requester)} asks for ${what(a)} (${a.rule}), asked ${Date.parse(a.createdAt) > now.getTime() - 60_000 ? 'just now' : `${minutes(a.createdAt)} ago`}, expires in ${minutes(a.expiresAt)}.${a.reason ? ` Reason: ${a.reason}` : ''}${a.lostMode ? ` ${lostModeLine(a.lostMode)}` : ''}`;
    lines.push(line);
    blocks.push({ kind: 'paragraph', text: line }, approvalButtons(a));
  }
  if (more > 0) blocks.push({ kind: 'notice', tone: 'info', text: `and ${more} more: decide these first, then ask again.` });
  return { text: `${heading}:\n${lines.join('\n')}${more > 0 ? `\nand ${more} more.` : ''}`, blocks };
}

/** The requester's message while it waits. */
export function waitingReply(approval: Approval, approvers: string, reached: number, note?: string): Reply {
  const reach = reached > 0 ? '' : ' lockdesk could not post the request to any approver: ask one of them to look at it.';
  const text = `Waiting for approval by ${approvers}: the policy needs a second person for ${what(approval)} (${approval.rule}). Nothing is sent until one of them approves; it expires in ${Math.round((Date.parse(approval.expiresAt) - Date.parse(approval.createdAt)) / 60_000)} minutes.${reach}`;
  const withdraw: Block = { kind: 'actions', buttons: [{ label: 'Withdraw the request', value: encodeButton({ kind: 'withdraw', approvalId: approval.id }), style: 'default' }] };
  return { text: note ? `${text} ${note}` : text, blocks: [{ kind: 'notice', tone: 'info', text }, ...(note ? [{ kind: 'paragraph', text: note } as Block] : []), withdraw] };
}

export function reasonPrompt(approval: Approval): TypedPrompt {
  return {
    title: 'A reason for the approvers?',
    text: 'Optional: say why this is needed; the approvers see it on their card.',
    label: 'Reason',
    submitLabel: 'Add the reason',
    value: encodeButton({ kind: 'why', approvalId: approval.id }),
    fields: [{ id: 'reason', label: 'Reason for the approvers (optional)', initial: '', maxLength: REASON_MAX, optional: true, multiline: true }],
  };
}

export function denyPrompt(approval: Approval): TypedPrompt {
  return {
    title: 'Deny this request?',
    text: `Say why you deny ${what(approval)}; ${whoOf(approval.requester)} reads it.`,
    label: 'Reason',
    submitLabel: 'Deny',
    value: encodeButton({ kind: 'deny', approvalId: approval.id }),
    fields: [{ id: 'reason', label: 'Why it is denied', initial: '', maxLength: REASON_MAX, optional: false, multiline: true }],
  };
}

const at = (iso: string | undefined) => (iso ? ` at ${iso.slice(11, 16)} UTC` : '');

/** What every card of the request turns into once it is decided. */
export function outcomeReply(approval: Approval, note?: string): Reply {
  const by = approval.resolvedBy ? whoOf(approval.resolvedBy) : 'lockdesk';
  const subject = `${what(approval)} asked by ${whoOf(approval.requester)}`;
  switch (approval.status) {
    case 'approved':
      return noticeReply('success', `Approved by ${by}${at(approval.resolvedAt)}: ${subject}.${note ? ` ${note}` : ''}`);
    case 'denied':
      if (approval.denyReason === WITHDRAWN && approval.resolvedBy && approval.resolvedBy.platform === approval.requester.platform && approval.resolvedBy.id === approval.requester.id) {
        return noticeReply('info', `Withdrawn by ${by}${at(approval.resolvedAt)}: ${subject}. Nothing was sent.`);
      }
      return noticeReply('warning', `Denied by ${by}${at(approval.resolvedAt)}: ${approval.denyReason ?? ''} Nothing was sent (${subject}).`);
    case 'expired':
      return noticeReply('warning', `Expired: nobody approved ${subject} in time. Nothing was sent; ask again if it is still needed.`);
    default:
      return noticeReply('info', `Waiting for approval: ${subject}.`);
  }
}
