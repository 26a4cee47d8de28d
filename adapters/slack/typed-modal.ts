// The second step of a bulk confirmation in Slack: a modal in which the person types the number of devices. The
// modal carries the prompt's value and where the clicked message is (as a click's stored reference does), so the
// submission reaches the same message; what was typed goes to the core, which decides.
import type { types } from '@slack/bolt';
import { z } from 'zod';
import type { TypedPrompt } from '../../src/core/index.js';
import { clip, LIMITS } from './limits.js';

export const TYPED_CALLBACK_ID = 'lockdesk-typed';
const BLOCK_ID = 'typed';
const ACTION_ID = 'value';
/** Slack keeps at most 3,000 characters of private_metadata. */
const METADATA_MAX = 3000;

const metadataSchema = z.object({ value: z.string().min(1).max(500), ref: z.record(z.string(), z.unknown()) });
export type TypedMetadata = z.infer<typeof metadataSchema>;

/** The modal, or undefined when its metadata would not fit (then the click is answered in the message instead). */
export function typedModal(prompt: TypedPrompt, ref: Record<string, unknown>): types.ModalView | undefined {
  const metadata = JSON.stringify({ value: prompt.value, ref });
  if (metadata.length > METADATA_MAX) return undefined;
  return {
    type: 'modal',
    callback_id: TYPED_CALLBACK_ID,
    private_metadata: metadata,
    title: { type: 'plain_text', text: clip('Confirm with a number', 24) },
    submit: { type: 'plain_text', text: clip(prompt.submitLabel, 24) },
    close: { type: 'plain_text', text: 'Send nothing' },
    blocks: [
      { type: 'section', text: { type: 'plain_text', text: clip(`${prompt.title} ${prompt.text}`, LIMITS.sectionText) } },
      {
        type: 'input',
        block_id: BLOCK_ID,
        label: { type: 'plain_text', text: clip(prompt.label, 2000) },
        element: { type: 'plain_text_input', action_id: ACTION_ID, max_length: 20 },
      },
    ],
  };
}

/** What a view_submission of the modal says: the prompt's value, the clicked message's reference, what was typed. */
export function readSubmission(view: { private_metadata?: string; state?: { values?: Record<string, Record<string, { value?: string | null }>> } }):
  | { metadata: TypedMetadata; typed: string }
  | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(view.private_metadata ?? '');
  } catch {
    return undefined;
  }
  const parsed = metadataSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const typed = view.state?.values?.[BLOCK_ID]?.[ACTION_ID]?.value;
  return { metadata: parsed.data, typed: typeof typed === 'string' ? typed : '' };
}
