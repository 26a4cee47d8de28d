// Lost Mode's lock-screen text: the policy's template, filled in for one device, or what the requester typed
// instead. Apple requires a message or a phone number; every field is plain text of a bounded length.
import type { Device, LostModeMessage } from './types.js';

/** Longer text is refused (Apple's lock screen shows a few lines; Graph documents no limit, so lockdesk sets one). */
export const LOST_MODE_LIMITS = { message: 300, phoneNumber: 40, footer: 120 } as const;

/** Control characters but the line break, which a message may hold. */
const CONTROL = /[\p{Cf}\u2028\u2029]|(?![\n])\p{Cc}/u;
/** What a phone number may hold; empty means none. */
export const PHONE_NUMBER = /^([+0-9 ()./-]{3,})?$/;

/** The template's {ownerName} and {helpdeskPhone} filled in for one device. */
export function fillLostMode(template: LostModeMessage, device: Pick<Device, 'userDisplayName' | 'userPrincipalName'>, helpdeskPhone: string): LostModeMessage {
  const owner = device.userDisplayName || device.userPrincipalName || 'its owner';
  // Line breaks stay (a lock screen shows them); other runs of white space become one space.
  const fill = (text: string) =>
    text
      .replace(/\{ownerName\}/g, owner)
      .replace(/\{helpdeskPhone\}/g, helpdeskPhone)
      .replace(/\r\n?/g, '\n')
      .replace(/[^\S\n]+/g, ' ')
      .replace(/ ?\n ?/g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
  return { message: fill(template.message), phoneNumber: fill(template.phoneNumber), footer: fill(template.footer) };
}

export type LostModeCheck = { ok: true; text: LostModeMessage } | { ok: false; problem: string };

/** What was typed (or filled in) checked as Lost Mode text: trimmed, NFC, no control characters, within the limits. */
export function checkLostMode(text: LostModeMessage): LostModeCheck {
  const clean = {
    message: text.message.normalize('NFC').trim(),
    phoneNumber: text.phoneNumber.normalize('NFC').trim(),
    footer: text.footer.normalize('NFC').trim(),
  };
  if (clean.message === '' && clean.phoneNumber === '') {
    return { ok: false, problem: 'Lost Mode needs a message or a phone number for the lock screen (Apple requires one of them), and both are empty.' };
  }
  for (const field of ['message', 'phoneNumber', 'footer'] as const) {
    const value = clean[field];
    const name = field === 'phoneNumber' ? 'phone number' : field;
    if (value.length > LOST_MODE_LIMITS[field]) return { ok: false, problem: `The ${name} is ${value.length} characters long; at most ${LOST_MODE_LIMITS[field]} fit on the lock screen.` };
    if (CONTROL.test(value) || /[\p{Cs}]/u.test(value)) return { ok: false, problem: `The ${name} holds a character that cannot be shown on a lock screen (a control character or half of an emoji).` };
  }
  if (clean.phoneNumber.includes('\n')) return { ok: false, problem: 'The phone number must fit on one line.' };
  if (!PHONE_NUMBER.test(clean.phoneNumber)) {
    return { ok: false, problem: `"${clean.phoneNumber.slice(0, 40)}" is not a phone number: use digits, spaces, + ( ) - . / only.` };
  }
  return { ok: true, text: clean };
}
