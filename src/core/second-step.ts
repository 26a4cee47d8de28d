// The second step some confirmations take before anything is sent: typing the number of devices of a large bulk
// action (so a misclick cannot act on hundreds), and Lost Mode's lock-screen text (the policy's, which the
// requester may change). Both come back from one prompt; this decides whether what came back will do.
import { encodeButton, type ButtonAction } from './buttons.js';
import type { CoreDeps } from './deps.js';
import { checkLostMode, fillLostMode, LOST_MODE_LIMITS } from './lost-mode.js';
import type { Confirmation, DeviceSnapshot } from './records.js';
import { allDevicesLabel, cancelButton, ACTION_NOUN } from './replies.js';
import type { PromptField, TypedAnswer, TypedPrompt } from './reply.js';
import type { LostModeMessage } from './types.js';

/** What was typed as a count: digits, with thousands separators only between groups of three ("1,200", "1 200"). */
export function typedCount(typed: string): number | undefined {
  if (typed.length > 50) return undefined;
  const text = typed.normalize('NFKC').trim();
  if (!/^\d{1,9}$/.test(text) && !/^\d{1,3}([ ,.'’_]\d{3}){1,2}$/.test(text)) return undefined;
  return Number(text.replace(/\D/g, ''));
}

export type StepOutcome =
  /** Go on and send; `lostMode`: the lock-screen text to send (placeholders still in, filled per device). */
  | { kind: 'proceed'; lostMode?: LostModeMessage }
  /** The prompt went out; the answer comes as another click. */
  | { kind: 'asked' }
  /** The answer will not do: say `text` (with the prompt again, where a chat can show it), send nothing. */
  | { kind: 'refused'; reason: 'countMismatch' | 'lostModeText'; text: string; prompt: TypedPrompt }
  /** The chat cannot ask, and the step cannot be skipped. */
  | { kind: 'cannotAsk' };

type Confirm = Extract<ButtonAction, { kind: 'confirm' }>;

const field = (answer: TypedAnswer | undefined, id: string): string | undefined => (typeof answer === 'object' ? answer[id] : undefined);

export interface StepInput {
  confirmation: Confirmation;
  click: Confirm;
  chosen: DeviceSnapshot[];
  answer: TypedAnswer | undefined;
  canAsk: boolean;
  /** The click is the requester's own (not a policy approver's). */
  byRequester: boolean;
  /** The one chosen device's owner, for the text shown to edit (undefined: show the placeholders). */
  ownerOf?: { userDisplayName: string; userPrincipalName: string };
}

const needs = (deps: CoreDeps, input: Pick<StepInput, 'confirmation' | 'click' | 'chosen' | 'byRequester'>) => ({
  count: input.click.target === '*' && input.chosen.length > deps.policy.bulkConfirmAbove,
  // Only the person who asked may write what a lock screen says; an approver confirms the policy's text.
  text: input.confirmation.action === 'enableLostMode' && input.byRequester,
});

/** The prompt of the second step; `typed`: what the person typed last time, shown again to correct. */
export function stepPrompt(deps: CoreDeps, input: Omit<StepInput, 'answer' | 'canAsk'>, typed?: Partial<LostModeMessage>): TypedPrompt {
  const { confirmation, click, chosen } = input;
  const need = needs(deps, input);
  const label = need.count ? allDevicesLabel(confirmation.action, chosen.length) : 'Enable Lost Mode';
  const countText = need.count ? ` This sends a ${ACTION_NOUN[confirmation.action]} to ${chosen.length} devices at once. To be sure, type the number of devices, ${chosen.length}.` : '';
  const base = { title: `${label}?`, submitLabel: label, value: encodeButton(click), cancel: cancelButton(confirmation.id) };
  if (!need.text) return { ...base, text: countText.trim(), label: 'Number of devices' };
  const template = deps.policy.lostMode;
  const shown = input.ownerOf ? fillLostMode(template, input.ownerOf, deps.policy.helpdeskPhone) : template;
  const where = chosen.length === 1 ? `"${chosen[0]!.name}"` : 'each device';
  const placeholders = input.ownerOf ? '' : " {ownerName} becomes the name of each device's owner.";
  const fields: PromptField[] = [
    { id: 'message', label: 'Message on the lock screen', initial: typed?.message ?? shown.message, maxLength: LOST_MODE_LIMITS.message, optional: true, multiline: true },
    { id: 'phoneNumber', label: 'Phone number to call', initial: typed?.phoneNumber ?? shown.phoneNumber, maxLength: LOST_MODE_LIMITS.phoneNumber, optional: true },
    { id: 'footer', label: 'Footer (optional)', initial: typed?.footer ?? shown.footer, maxLength: LOST_MODE_LIMITS.footer, optional: true },
    ...(need.count ? [{ id: 'count', label: 'Number of devices', initial: '', maxLength: 20, optional: false }] : []),
  ];
  return {
    ...base,
    text: `This is what ${where} will show on its lock screen until Lost Mode is turned off. Change it if you like: Apple needs a message or a phone number.${placeholders}${countText}`,
    label: 'Lock-screen text',
    fields,
  };
}

/** Whether the click may go on to send, given what (if anything) was typed in the second step. */
export function secondStep(deps: CoreDeps, input: StepInput): StepOutcome {
  const { confirmation, chosen, answer } = input;
  const need = needs(deps, input);
  const policyText = confirmation.action === 'enableLostMode' ? { lostMode: deps.policy.lostMode } : {};
  if (!need.count && !need.text) return { kind: 'proceed', ...policyText };
  if (answer === undefined) {
    if (input.canAsk) return { kind: 'asked' };
    // A chat that cannot ask still sends the policy's text, which the confirmation showed; never a large bulk.
    return need.count ? { kind: 'cannotAsk' } : { kind: 'proceed', lostMode: deps.policy.lostMode };
  }
  const typedText: Partial<LostModeMessage> = need.text
    ? { message: field(answer, 'message') ?? '', phoneNumber: field(answer, 'phoneNumber') ?? '', footer: field(answer, 'footer') ?? '' }
    : {};
  if (need.count) {
    const typed = typeof answer === 'string' ? answer : (field(answer, 'count') ?? '');
    if (typedCount(typed) !== chosen.length) {
      const label = allDevicesLabel(confirmation.action, chosen.length);
      const shown = typed.trim().slice(0, 20) || 'nothing';
      return {
        kind: 'refused',
        reason: 'countMismatch',
        text: `You typed ${shown}, but this request covers ${chosen.length} devices, so lockdesk sent nothing. Your confirmation still stands: click "${label}" again and type ${chosen.length}.`,
        prompt: stepPrompt(deps, input, typedText),
      };
    }
  }
  if (!need.text) return { kind: 'proceed', ...policyText };
  // Checked as it will read on a device: placeholders filled in (with a sample owner when there are several).
  const text = typedText as LostModeMessage;
  const checked = checkLostMode(fillLostMode(text, input.ownerOf ?? { userDisplayName: 'its owner', userPrincipalName: '' }, deps.policy.helpdeskPhone));
  if (!checked.ok) return { kind: 'refused', reason: 'lostModeText', text: `${checked.problem} Nothing was sent; change the text and send again.`, prompt: stepPrompt(deps, input, typedText) };
  return { kind: 'proceed', lostMode: text };
}
