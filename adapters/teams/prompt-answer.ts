// What a person typed in a prompt, read from an Action.Execute's data: anyone can post that data, so it is read as
// untrusted input. A prompt with fields names their ids in its submit's data (card.ts); each field's text arrives
// under its input's id. Only those ids are read, only strings are taken, and each is cut to a bound; whether the
// texts will do is the core's decision (a text longer than its field allows is passed on and refused there).
import type { TypedAnswer } from '../../src/core/index.js';
import { fieldInputId } from './card.js';

/** More than any field lockdesk asks for (Slack's own inputs stop at 3,000): a longer text is cut here, still too long. */
export const FIELD_TEXT_MAX = 3000;
/** More fields than any prompt has; the rest of a longer list is dropped. */
const FIELDS_MAX = 20;
const FIELD_ID = /^[A-Za-z]{1,64}$/;

/** At most FIELD_TEXT_MAX UTF-16 units, never ending in half of a surrogate pair. */
function bounded(text: string): string {
  if (text.length <= FIELD_TEXT_MAX) return text;
  const cut = text.slice(0, FIELD_TEXT_MAX);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** The answer the data carries: a record by field id (a prompt with fields), the typed text, or nothing. */
export function answerOf(data: Record<string, unknown>): TypedAnswer | undefined {
  if (!Array.isArray(data.fields)) return typeof data.typed === 'string' ? data.typed : undefined;
  const ids = [...new Set(data.fields.filter((id): id is string => typeof id === 'string' && FIELD_ID.test(id)))].slice(0, FIELDS_MAX);
  const answer: Record<string, string> = {};
  for (const id of ids) {
    const text = Object.hasOwn(data, fieldInputId(id)) ? data[fieldInputId(id)] : undefined;
    answer[id] = typeof text === 'string' ? bounded(text) : '';
  }
  return answer;
}
