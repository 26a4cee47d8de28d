// A prompt with fields in the terminal chat: each field is asked in turn, showing its current text. An empty line
// keeps the text shown, "-" clears an optional field; after the last field the answers go to the core together.
import type { PromptField, TypedPrompt } from '../../src/core/index.js';

export type FieldPrompt = TypedPrompt & { fields: PromptField[] };

export const hasFields = (prompt: TypedPrompt | undefined): prompt is FieldPrompt => prompt?.fields !== undefined;

/** Shown on one line: the terminal reads a line per answer, so a multiline text's breaks become spaces. */
const oneLine = (text: string) => text.replace(/\s*[\r\n]+\s*/g, ' ');

export class FieldQuestions {
  readonly prompt: FieldPrompt;
  readonly #answers: Record<string, string> = {};
  #index = 0;

  constructor(prompt: FieldPrompt) {
    this.prompt = prompt;
  }

  /** The line that asks for the current field. */
  question(): string {
    const field = this.prompt.fields[this.#index]!;
    const hints = [
      field.initial === '' ? 'now empty' : `now: "${oneLine(field.initial)}"`,
      ...(field.initial !== '' ? ['Enter keeps it'] : field.optional ? ['Enter leaves it empty'] : []),
      ...(field.optional && field.initial !== '' ? ['"-" clears it'] : []),
    ];
    return field.optional || field.initial !== '' ? `${field.label} (${hints.join('; ')}):` : `${field.label}:`;
  }

  /** Takes the line typed for the current field; every field's text by its id once the last one is answered. */
  answer(line: string): Record<string, string> | undefined {
    const field = this.prompt.fields[this.#index]!;
    this.#answers[field.id] = line === '' ? field.initial : line === '-' && field.optional ? '' : line;
    this.#index++;
    return this.#index < this.prompt.fields.length ? undefined : { ...this.#answers };
  }
}
