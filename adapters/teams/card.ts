// Renders a neutral Reply as an Adaptive Card (1.5, Teams' newest): plain JSON, no SDK type.
import { actionTitle, type Block, type Button, type DeviceCard, type PromptField, type Reply, type TypedPrompt } from '../../src/core/index.js';

export type AdaptiveElement = Record<string, unknown>;
export interface AdaptiveCardJson {
  type: 'AdaptiveCard';
  $schema: string;
  version: '1.5';
  body: AdaptiveElement[];
  actions?: AdaptiveElement[];
  refresh?: AdaptiveElement;
  msteams?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Every lockdesk button is one Action.Execute verb; the neutral Button.value travels unchanged in its data. */
export const CLICK_VERB = 'lockdesk.click';
/** A card that shows its details to the requester only asks for them with this verb (refresh.userIds). */
export const REFRESH_VERB = 'lockdesk.refresh';

export interface ClickData {
  value: string;
  /** What was typed in a prompt's Input.Text (Teams merges the card's inputs into the data by their id). */
  typed?: string;
  /** A prompt with fields: their ids, so the submission can be read back (see prompt-answer.ts). */
  fields?: string[];
}

/** The id of a prompt's text input: its value arrives in the submit's data under this name. */
export const TYPED_INPUT_ID = 'typed';
/** The id of a prompt field's Input.Text: its text arrives in the submit's data under this name. */
export const fieldInputId = (id: string) => `field.${id}`;

const TONE_COLOR = { info: 'Accent', success: 'Good', warning: 'Warning', error: 'Attention' } as const;
const TONE_MARK = { info: 'ℹ️', success: '✅', warning: '⚠️', error: '⛔' } as const;

const text = (value: string, extra: AdaptiveElement = {}): AdaptiveElement => ({ type: 'TextBlock', text: escapeMarkdown(value), wrap: true, ...extra });

/** Card text is (a small) Markdown: a device named "*x*" or "[x](y)" must show its name, not italics or a link. */
export function escapeMarkdown(value: string): string {
  return value.replace(/([\\`*_[\]])/g, '\\$1').replace(/^(\s*)([-+]|\d+\.)(\s)/gm, '$1\\$2$3');
}

export function executeAction(button: Button): AdaptiveElement {
  const action: AdaptiveElement = { type: 'Action.Execute', title: button.label, verb: CLICK_VERB, data: { value: button.value } satisfies ClickData };
  if (button.style === 'danger') action.style = 'destructive';
  else if (button.style === 'primary') action.style = 'positive';
  return action;
}

function deviceElements(card: DeviceCard, buttons: Button[]): AdaptiveElement[] {
  const facts = [
    { title: 'Model', value: card.model },
    { title: 'OS', value: card.os },
    { title: 'Owner', value: card.owner },
    { title: 'Serial', value: card.serialTail },
    { title: 'Last check-in', value: `${card.lastCheckInAgo} (${card.lastCheckIn})` },
    { title: 'Platform', value: `${card.platform}, ${card.managementMode}` },
  ].map((f) => ({ title: f.title, value: escapeMarkdown(f.value) }));
  const items: AdaptiveElement[] = [
    text(card.name, { weight: 'Bolder', size: 'Medium' }),
    { type: 'FactSet', facts },
    ...card.support.map((s) => text(`${s.supported ? '✔' : '✘'} ${actionTitle(s.action)}: ${s.text}`, { spacing: 'None', isSubtle: !s.supported, size: 'Small' })),
  ];
  if (card.willHappen) items.push(text(`What will happen: ${card.willHappen}`));
  for (const caution of card.cautions) items.push(text(`⚠️ ${caution}`, { color: 'Warning' }));
  if (buttons.length > 0) items.push({ type: 'ActionSet', actions: buttons.map(executeAction) });
  return [{ type: 'Container', style: 'emphasis', separator: true, spacing: 'Medium', items }];
}

function blockElements(block: Block): AdaptiveElement[] {
  switch (block.kind) {
    case 'heading':
      return [text(block.text, { weight: 'Bolder', size: 'Large' })];
    case 'paragraph':
      return [text(block.text)];
    case 'notice':
      return [text(`${TONE_MARK[block.tone]} ${block.text}`, { color: TONE_COLOR[block.tone] })];
    case 'device':
      return deviceElements(block.card, block.buttons);
    case 'actions':
      return block.buttons.length > 0 ? [{ type: 'ActionSet', spacing: 'Medium', actions: block.buttons.map(executeAction) }] : [];
  }
}

export function emptyCard(body: AdaptiveElement[]): AdaptiveCardJson {
  return { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.5', msteams: { width: 'Full' }, body };
}

export function renderCard(reply: Reply): AdaptiveCardJson {
  const body = reply.blocks.flatMap(blockElements);
  if (reply.prompt) body.push(...promptElements(reply.prompt));
  return emptyCard(body.length > 0 ? body : [text(reply.text)]);
}

/** One Input.Text per field, showing its current text to keep or change; only a field that is not optional is required. */
function fieldInput(field: PromptField): AdaptiveElement {
  return {
    type: 'Input.Text',
    id: fieldInputId(field.id),
    label: field.label,
    value: field.initial,
    maxLength: field.maxLength,
    ...(field.multiline ? { isMultiline: true } : {}),
    ...(field.optional ? {} : { isRequired: true, errorMessage: `${field.label} is needed.` }),
  };
}

/** A typed second step: the input(s) and the one button that submits them with the prompt's value. */
function promptElements(prompt: TypedPrompt): AdaptiveElement[] {
  const data: ClickData = prompt.fields ? { value: prompt.value, fields: prompt.fields.map((f) => f.id) } : { value: prompt.value };
  const submit: AdaptiveElement = { type: 'Action.Execute', title: prompt.submitLabel, verb: CLICK_VERB, style: 'destructive', data };
  if (prompt.fields) submit.associatedInputs = 'auto';
  // The prompt took the place of the card's Cancel button; it takes no input, so an empty count does not hold it back.
  const cancel: AdaptiveElement[] = prompt.cancel ? [{ type: 'Action.Execute', title: prompt.cancel.label, verb: CLICK_VERB, associatedInputs: 'none', data: { value: prompt.cancel.value } satisfies ClickData }] : [];
  const inputs = prompt.fields
    ? prompt.fields.map(fieldInput)
    : [{ type: 'Input.Text', id: TYPED_INPUT_ID, label: prompt.label, isRequired: true, errorMessage: `${prompt.label} is needed.`, maxLength: 20 }];
  return [...inputs, { type: 'ActionSet', actions: [submit, ...cancel] }];
}

/** The public face of a card whose details only `ownerName` may see; their Teams client fetches the details itself. */
export function privateStubCard(ownerName: string, ownerMri: string, viewId: string): AdaptiveCardJson {
  return {
    ...emptyCard([text(`🔒 lockdesk answered ${ownerName}. Only ${ownerName} sees the details of this message.`, { isSubtle: true })]),
    refresh: { action: { type: 'Action.Execute', verb: REFRESH_VERB, data: { view: viewId } }, userIds: [ownerMri] },
  };
}

/** The public face of a card whose details went to `ownerName`'s personal chat (no refresh: no process holds them). */
export function elsewhereStubCard(ownerName: string): AdaptiveCardJson {
  return emptyCard([text(`🔒 lockdesk answered ${ownerName}. The latest status of this request went to ${ownerName}'s personal chat with lockdesk.`, { isSubtle: true })]);
}

/** A refresh of a private card this process no longer holds the details of. */
export function detailsGoneCard(): AdaptiveCardJson {
  return emptyCard([text('lockdesk no longer has the details of this message (they expire, and a restart forgets them). Ask again if it is still needed.')]);
}

/** A refresh of a private card by someone other than its owner. */
export function notYoursCard(): AdaptiveCardJson {
  return emptyCard([text('🔒 Only the person who asked sees the details of this message.', { isSubtle: true })]);
}

export function workingCard(): AdaptiveCardJson {
  return emptyCard([text('⏳ lockdesk is working on it… this card updates when there is news.', { isSubtle: true })]);
}

/** The device cards of a reply, one Adaptive Card each, without buttons (message-extension results). */
export function deviceCardsOf(reply: Reply): Array<{ card: DeviceCard; content: AdaptiveCardJson }> {
  return reply.blocks.flatMap((b) => (b.kind === 'device' ? [{ card: b.card, content: emptyCard(deviceElements(b.card, [])) }] : []));
}
