// The second step of a confirmation in Slack: a modal in which the person types the number of devices, or (a
// prompt with fields) checks and edits each field's text. The modal carries the prompt's value, the ids of its
// fields and where the clicked message is (as a click's stored reference does), so the submission reaches the same
// message; never a field's text. What was typed goes to the core, which decides.
import type { types } from '@slack/bolt';
import { z } from 'zod';
import type { PromptField, TypedAnswer, TypedPrompt } from '../../src/core/index.js';
import { clip, LIMITS } from './limits.js';

export const TYPED_CALLBACK_ID = 'lockdesk-typed';
const BLOCK_ID = 'typed';
const ACTION_ID = 'value';
/** A field's input block: its id names the field, so the submission can be read by the metadata's ids. */
export const fieldBlockId = (id: string) => `field.${id}`;
/** Slack keeps at most 3,000 characters of private_metadata. */
const METADATA_MAX = 3000;
/** Slack's limits: a modal's title, submit and close texts; a plain_text_input's max_length; an input's label. */
const VIEW_TEXT_MAX = 24;
const INPUT_MAX = 3000;
const LABEL_MAX = 2000;
/** A modal holds at most 100 blocks; the section and the refusal take two. */
const FIELDS_MAX = 50;

const fieldId = z.string().regex(/^[A-Za-z]{1,64}$/);
const metadataSchema = z.object({ value: z.string().min(1).max(500), ref: z.record(z.string(), z.unknown()), fields: z.array(fieldId).max(FIELDS_MAX).optional() });
export type TypedMetadata = z.infer<typeof metadataSchema>;

/** Text Slack shows in 24 characters: as it is when it fits, else a fixed shorter one (never cut mid-word). */
const fit = (text: string, fallback: string) => (text.length <= VIEW_TEXT_MAX ? text : fallback);

function fieldBlock(field: PromptField): types.InputBlock {
  const max = Math.min(Math.max(1, field.maxLength), INPUT_MAX);
  const element: types.PlainTextInput = { type: 'plain_text_input', action_id: ACTION_ID, max_length: max, ...(field.multiline ? { multiline: true } : {}) };
  // Slack refuses an initial value longer than max_length (what a refusal shows again may be longer).
  if (field.initial !== '') element.initial_value = clip(field.initial, max);
  return { type: 'input', block_id: fieldBlockId(field.id), label: { type: 'plain_text', text: clip(field.label, LABEL_MAX) }, element, ...(field.optional ? { optional: true } : {}) };
}

/**
 * The modal, or undefined when its metadata would not fit (then the click is answered in the message instead).
 * `problem`: why the last answer would not do, shown above the fields when the modal opens again to correct it.
 */
export function typedModal(prompt: TypedPrompt, ref: Record<string, unknown>, problem?: string): types.ModalView | undefined {
  const fields = prompt.fields;
  if (fields && (fields.length > FIELDS_MAX || fields.some((f) => !fieldId.safeParse(f.id).success))) return undefined;
  const metadata = JSON.stringify({ value: prompt.value, ref, ...(fields ? { fields: fields.map((f) => f.id) } : {}) });
  if (metadata.length > METADATA_MAX) return undefined;
  const intro: types.KnownBlock = { type: 'section', text: { type: 'plain_text', text: clip(`${prompt.title} ${prompt.text}`, LIMITS.sectionText) } };
  const refusal: types.KnownBlock[] = problem ? [{ type: 'section', text: { type: 'plain_text', text: clip(`⛔ ${problem}`, LIMITS.sectionText) } }] : [];
  const inputs: types.KnownBlock[] = fields
    ? fields.map(fieldBlock)
    : [{ type: 'input', block_id: BLOCK_ID, label: { type: 'plain_text', text: clip(prompt.label, LABEL_MAX) }, element: { type: 'plain_text_input', action_id: ACTION_ID, max_length: 20 } }];
  return {
    type: 'modal',
    callback_id: TYPED_CALLBACK_ID,
    private_metadata: metadata,
    title: { type: 'plain_text', text: fields ? fit(prompt.title, 'Check and confirm') : clip('Confirm with a number', VIEW_TEXT_MAX) },
    submit: { type: 'plain_text', text: fields ? fit(prompt.submitLabel, 'Confirm') : clip(prompt.submitLabel, VIEW_TEXT_MAX) },
    close: { type: 'plain_text', text: 'Send nothing' },
    blocks: [...refusal, intro, ...inputs],
  };
}

type SubmittedState = { values?: Record<string, Record<string, { value?: string | null } | undefined> | undefined> };

/**
 * What a view_submission of the modal says: the prompt's value, the clicked message's reference, and what was typed:
 * one text, or (a modal with fields) each field's text by the ids the metadata names, '' for one left empty or
 * missing from the state. Undefined when the metadata is not lockdesk's.
 */
export function readSubmission(view: { private_metadata?: string; state?: SubmittedState }): { metadata: TypedMetadata; typed: TypedAnswer } | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(view.private_metadata ?? '');
  } catch {
    return undefined;
  }
  const parsed = metadataSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const text = (blockId: string) => {
    const value = view.state?.values?.[blockId]?.[ACTION_ID]?.value;
    return typeof value === 'string' ? value : '';
  };
  const fields = parsed.data.fields;
  const typed: TypedAnswer = fields ? Object.fromEntries(fields.map((id) => [id, text(fieldBlockId(id))])) : text(BLOCK_ID);
  return { metadata: parsed.data, typed };
}
