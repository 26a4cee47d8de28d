// Every sentence lockdesk says, in one place, built as neutral replies.
import { encodeButton } from './buttons.js';
import type { CommandWord, Query } from './commands.js';
import { describeQuery } from './commands.js';
import type { Block, Button, DeviceCard, Reply } from './reply.js';
import type { Support } from './platform-support.js';
import type { DeviceAction } from './types.js';

import { ACTION_NOUN, ACTION_WORDS } from './action-words.js';

export { ACTION_NOUN };

export const USAGE: Record<CommandWord, string> = {
  lock: 'lock <device name, serial number, device id, user email, user:<Entra object id> or "me">: lock a device remotely, after you confirm.',
  'reset-passcode': 'reset passcode <device name, serial, id, user email or "me">: reset (Android) or remove (iOS) a passcode, after you confirm.',
  lost: 'lost: lost your phone? Pick the device, then lockdesk offers what fits it best first: Lost Mode, lock, locate, a sound.',
  'lost-mode': 'lost mode <query>: put a supervised, corporate iPhone or iPad in Lost Mode: it locks and shows a message and phone number on its lock screen. You can change the text before it is sent.',
  found: 'found <query>: the device is back: turn its Lost Mode off.',
  locate: 'locate <query>: ask the device where it is; the location is shown to you alone, privately.',
  sound: 'sound <query>: make a lost device play a sound (an iPhone in Lost Mode, a corporate Android device).',
  'sign-out': "sign out <query>: end every session of the device's owner in Microsoft Entra ID (where the policy allows it).",
  devices: 'devices <query>: look devices up and see what each one supports.',
  preview: 'preview <command> (or <command> --dry-run): what the command would do, device by device, and whether the policy allows it; nothing is sent.',
  pause: 'pause [reason]: the kill switch: nothing is sent by any lockdesk until someone resumes it (for the people the policy names as pausers).',
  resume: 'resume: lift a pause made with "pause" (a pause set by LOCKDESK_PAUSED is lifted only by an operator).',
  approvals: 'approvals: the requests waiting for a second person that you may approve or deny (for the approvers the policy names).',
  help: 'help [command]: this list.',
};

/** One command's usage, or the list of `words` (default: every command) with an optional closing note. */
export function helpReply(topic?: CommandWord, words: readonly CommandWord[] = Object.keys(USAGE) as CommandWord[], note?: string): Reply {
  const lines = topic ? [USAGE[topic]] : words.map((w) => USAGE[w]);
  const text = topic ? USAGE[topic] : `lockdesk handles lost devices and forgotten passcodes. The commands you may use:\n${lines.join('\n')}${note ? `\n${note}` : ''}`;
  const blocks: Block[] = topic
    ? [{ kind: 'paragraph', text: USAGE[topic] }]
    : [
        { kind: 'heading', text: 'lockdesk: lost devices and forgotten passcodes' },
        ...lines.map((l): Block => ({ kind: 'paragraph', text: l })),
        ...(note ? [{ kind: 'notice', tone: 'info', text: note } as Block] : []),
      ];
  return { text, blocks };
}

export function usageReply(problem: string, topic?: CommandWord): Reply {
  const hint = topic ? `Usage: ${USAGE[topic]}` : 'Try "help" for the list of commands, e.g. "lock Alice\'s iPhone" or "lost".';
  return { text: `${problem} ${hint}`, blocks: [{ kind: 'notice', tone: 'error', text: problem }, { kind: 'paragraph', text: hint }] };
}

export function notFoundReply(query: Query): Reply {
  const what = query.kind === 'user' ? `lockdesk found no device of ${query.user}` : query.kind === 'me' ? 'lockdesk found no device of yours' : `No device matches ${describeQuery(query)}`;
  const text = `${what}. Nothing was done. Use "devices <part of a name, a serial number or an email>" to look devices up.`;
  return { text, blocks: [{ kind: 'notice', tone: 'info', text }] };
}

export function noticeReply(tone: 'info' | 'success' | 'warning' | 'error', text: string): Reply {
  return { text, blocks: [{ kind: 'notice', tone, text }] };
}

export function outsiderReply(): Reply {
  return noticeReply('error', 'lockdesk acts only for people of the organisation that installed it, and you are signed in from another one. Nothing was done; ask your own IT helpdesk.');
}

export function refusalReply(reason: string): Reply {
  return noticeReply('error', `${reason} Nothing was done.`);
}

/** How much of what matched a reply shows: `total` when it is known, else only that there is `more`. */
export interface Listing {
  shown: number;
  total: number | undefined;
  more: boolean;
}

export function tooManyNote(listing: Listing): Block[] {
  if (!listing.more) return [];
  const text =
    listing.total !== undefined
      ? `Showing ${listing.shown} of ${listing.total} matching devices: refine your query to see the others.`
      : `Showing the first ${listing.shown} matching devices; more match: refine your query to see the others.`;
  return [{ kind: 'notice', tone: 'info', text }];
}

export interface ConfirmEntry {
  card: DeviceCard;
  /** The action button, or none when the device does not support the action. */
  button?: Button;
}

export function confirmButton(confirmationId: string, target: string, label: string, deviceName: string, willHappen: string | undefined): Button {
  return {
    label,
    value: encodeButton({ kind: 'confirm', confirmationId, target }),
    style: 'danger',
    confirm: { title: `${label}?`, text: `${label} "${deviceName}"${willHappen ? `: ${willHappen}` : ''}.`, ok: label, cancel: 'Keep it' },
  };
}

/** "Lock all 600 devices": the words of the bulk button and of its typed second step. */
export function allDevicesLabel(action: DeviceAction, count: number): string {
  return ACTION_WORDS[action].all(count);
}

/** "Lock all 600 devices": above `typedAbove` the click asks for the count to be typed, instead of a yes/no dialog. */
export function allDevicesButton(confirmationId: string, action: DeviceAction, names: string[], typedAbove: number): Button {
  const label = allDevicesLabel(action, names.length);
  const button: Button = { label, value: encodeButton({ kind: 'confirm', confirmationId, target: '*' }), style: 'danger' };
  if (names.length > typedAbove) return button;
  const listed = names.slice(0, 5).map((n) => `"${n}"`).join(', ');
  const text = `${label}: ${listed}${names.length > 5 ? ` and ${names.length - 5} more` : ''}.`;
  return { ...button, confirm: { title: `${label}?`, text, ok: label, cancel: 'Keep them' } };
}

/** What the devices without a card are, in a sentence: "and 575 more: 575 Android Enterprise (dedicated)". */
export function restSummary(action: DeviceAction | undefined, rest: Array<Pick<Support, 'platform' | 'mode' | 'supported'>>): string | undefined {
  if (rest.length === 0) return undefined;
  const groups = new Map<string, number>();
  for (const s of rest) {
    const kind = s.mode ? `${s.platform} (${s.mode})` : s.platform;
    groups.set(kind, (groups.get(kind) ?? 0) + 1);
  }
  const sorted = [...groups].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const named = sorted.slice(0, 5).map(([kind, n]) => `${n} ${kind}`);
  const others = sorted.slice(5).reduce((sum, [, n]) => sum + n, 0);
  const unsupported = action ? rest.filter((s) => !s.supported).length : 0;
  const cannot = unsupported > 0 ? `; ${unsupported} of them cannot take a ${ACTION_NOUN[action!]}` : '';
  return `and ${rest.length} more: ${named.join(', ')}${others > 0 ? `, ${others} others` : ''}${cannot}.`;
}

export function cancelButton(confirmationId: string): Button {
  return { label: 'Cancel', value: encodeButton({ kind: 'cancel', confirmationId }), style: 'default' };
}

export function confirmationReply(options: {
  action: DeviceAction;
  heading: string;
  entries: ConfirmEntry[];
  allButton?: Button;
  cancel: Button;
  expiresInMinutes: number;
  listing: Listing;
  /** The devices without a card, in a sentence (they are in the confirmation all the same). */
  summary?: string;
  /** How many devices, with or without a card, can take the action. */
  offeredCount?: number;
}): Reply {
  const { entries } = options;
  const offered = options.offeredCount ?? entries.filter((e) => e.button).length;
  const blocks: Block[] = [{ kind: 'heading', text: options.heading }];
  for (const entry of entries) blocks.push({ kind: 'device', card: entry.card, buttons: entry.button ? [entry.button] : [] });
  blocks.push(...(options.summary ? [{ kind: 'notice', tone: 'info', text: options.summary } as Block] : tooManyNote(options.listing)));
  blocks.push({ kind: 'paragraph', text: `Nothing is sent until you click. This request expires in ${options.expiresInMinutes} minutes.` });
  blocks.push({ kind: 'actions', buttons: [...(options.allButton ? [options.allButton] : []), options.cancel] });
  const names = entries.filter((e) => e.button).map((e) => `"${e.card.name}"`);
  const more = offered > names.length ? ` and ${offered - names.length} more` : '';
  const text = `${options.heading} ${offered === 1 ? `Confirm to ${ACTION_WORDS[options.action].verb} ${names[0]}.` : `${offered} devices can take it: ${names.join(', ')}${more}.`}`;
  return { text, blocks };
}

export function lookupReply(heading: string, entries: Array<{ card: DeviceCard; buttons: Button[] }>, listing: Listing, summary?: string): Reply {
  const blocks: Block[] = [{ kind: 'heading', text: heading }];
  for (const e of entries) blocks.push({ kind: 'device', card: e.card, buttons: e.buttons });
  blocks.push(...tooManyNote(listing));
  if (summary) blocks.push({ kind: 'paragraph', text: summary });
  return { text: `${heading} ${entries.map((e) => `"${e.card.name}"`).join(', ')}`, blocks };
}

export function unsupportedReply(action: DeviceAction, cards: DeviceCard[], summary?: string): Reply {
  const why = cards.map((c) => `"${c.name}": ${c.support.find((s) => s.action === action)?.text ?? ''}`);
  const text = `No device here supports a ${ACTION_NOUN[action]}, so nothing can be sent. ${why.join(' ')}${summary ? ` ${summary}` : ''}`;
  return {
    text,
    blocks: [
      { kind: 'notice', tone: 'warning', text: `No device here supports a ${ACTION_NOUN[action]}; nothing can be sent.` },
      ...cards.map((card): Block => ({ kind: 'device', card, buttons: [] })),
      ...(summary ? [{ kind: 'paragraph', text: summary } as Block] : []),
    ],
  };
}
