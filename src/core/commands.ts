// Turns what a person typed into a typed command, or into the reason it is not one.
import { z } from 'zod';
import { LONE_SURROGATE } from './text.js';
import type { DeviceAction } from './types.js';

export const MAX_QUERY_LENGTH = 200;
/** Longer input is refused before any parsing, so a 10 kB paste costs nothing. */
export const MAX_INPUT_LENGTH = 1000;

export type Query =
  | { kind: 'me' }
  /** A user by UPN, email or Entra object id: all of that user's devices. */
  | { kind: 'user'; user: string }
  /** A device id, serial number or name (exact, then prefix). */
  | { kind: 'text'; text: string }
  /** A device id from a button; never typed. */
  | { kind: 'deviceId'; id: string };

export type Command =
  | { kind: 'action'; action: DeviceAction; query: Query }
  | { kind: 'lost' }
  | { kind: 'devices'; query: Query }
  /** `preview <action command>` or `<action command> --dry-run`: what would be dispatched, sending nothing. */
  | { kind: 'preview'; action: DeviceAction; query: Query }
  | { kind: 'help'; topic?: CommandWord }
  | { kind: 'pause'; reason: string }
  | { kind: 'resume' }
  | { kind: 'approvals' };

export const COMMAND_WORDS = ['lock', 'reset-passcode', 'lost', 'lost-mode', 'found', 'locate', 'sound', 'sign-out', 'devices', 'preview', 'pause', 'resume', 'approvals', 'help'] as const;
export type CommandWord = (typeof COMMAND_WORDS)[number];

export type ParseResult = { ok: true; command: Command } | { ok: false; problem: string; topic?: CommandWord };

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// Control characters (C0, DEL, C1) and the invisible formatting ones that can disguise text.
const CONTROL = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

const queryText = z
  .string()
  .trim()
  .max(MAX_QUERY_LENGTH, `the query is longer than ${MAX_QUERY_LENGTH} characters`)
  .refine((text) => !CONTROL.test(text), 'the query contains control characters')
  .transform(stripQuotes)
  .pipe(z.string().min(1, 'the query is empty'));

/** Classifies a query that has already passed the query checks (see queryText): quotes are gone by then. */
export function toQuery(query: string): Query {
  if (query.toLowerCase() === 'me') return { kind: 'me' };
  // "user:<Entra object id>": how an adapter names a person it knows by id only (a Teams @mention).
  const byId = /^user:(\S+)$/i.exec(query);
  if (byId) return { kind: 'user', user: byId[1]! };
  if (EMAIL.test(query)) return { kind: 'user', user: query };
  return { kind: 'text', text: query };
}

/** "Alice's iPhone" in quotes means the name; the quotes are not part of it. */
function stripQuotes(text: string): string {
  const pairs: Array<[string, string]> = [['"', '"'], ["'", "'"], ['“', '”'], ['‘', '’']];
  for (const [open, close] of pairs) {
    if (text.length >= 2 && text.startsWith(open) && text.endsWith(close)) return text.slice(open.length, -close.length).trim();
  }
  return text;
}

/** Why lockdesk is paused, as its pauser typed it: shown to everyone who clicks while it is. */
export const MAX_REASON_LENGTH = 200;
const reasonText = z
  .string()
  .trim()
  .max(MAX_REASON_LENGTH, `the reason is longer than ${MAX_REASON_LENGTH} characters`)
  .refine((text) => !CONTROL.test(text), 'the reason contains control characters');

const commandSchema = z.discriminatedUnion('word', [
  z.object({ word: z.literal('help'), rest: z.string() }),
  z.object({ word: z.literal('lost'), rest: z.literal('', { message: '"lost" takes no query: it always shows your own devices' }) }),
  z.object({ word: z.literal('lock'), rest: queryText }),
  z.object({ word: z.literal('reset-passcode'), rest: queryText }),
  z.object({ word: z.literal('lost-mode'), rest: queryText }),
  z.object({ word: z.literal('found'), rest: queryText }),
  z.object({ word: z.literal('locate'), rest: queryText }),
  z.object({ word: z.literal('sound'), rest: queryText }),
  z.object({ word: z.literal('sign-out'), rest: queryText }),
  z.object({ word: z.literal('devices'), rest: queryText }),
  z.object({ word: z.literal('pause'), rest: reasonText }),
  z.object({ word: z.literal('resume'), rest: z.literal('', { message: '"resume" takes nothing after it' }) }),
  z.object({ word: z.literal('approvals'), rest: z.literal('', { message: '"approvals" takes nothing after it' }) }),
]);

function splitWord(input: string): { word: string; rest: string } {
  const text = input.replace(/^\//, '');
  const reset = /^reset[\s-]+passcode\b/i.exec(text);
  if (reset) return { word: 'reset-passcode', rest: text.slice(reset[0].length).trim() };
  const lostMode = /^lost[\s-]+mode\b/i.exec(text);
  if (lostMode) return { word: 'lost-mode', rest: text.slice(lostMode[0].length).trim() };
  const signOut = /^sign[\s-]+out\b/i.exec(text);
  if (signOut) return { word: 'sign-out', rest: text.slice(signOut[0].length).trim() };
  const match = /^(\S+)\s*([\s\S]*)$/.exec(text);
  return { word: (match?.[1] ?? '').toLowerCase(), rest: (match?.[2] ?? '').trim() };
}

const isCommandWord = (word: string): word is CommandWord => (COMMAND_WORDS as readonly string[]).includes(word);

export function parseCommand(input: string): ParseResult {
  if (input.length > MAX_INPUT_LENGTH) {
    return { ok: false, problem: `That message is ${input.length} characters long; lockdesk reads at most ${MAX_INPUT_LENGTH}.` };
  }
  if (input.includes('\u0000') || LONE_SURROGATE.test(input)) {
    return { ok: false, problem: 'That message holds a character lockdesk cannot read (a NUL, or half of an emoji from a damaged paste). Type it again.' };
  }
  // NFC: "Zoë" typed with a combining diaeresis is the same name as the one Intune holds.
  const trimmed = input.normalize('NFC').trim();
  if (trimmed === '') return { ok: false, problem: 'That message was empty.' };
  const dryRun = /\s--dry-run$/i.exec(trimmed);
  if (dryRun) return asPreview(parseCommand(trimmed.slice(0, dryRun.index)));
  const { word, rest } = splitWord(trimmed);
  if (!isCommandWord(word)) return { ok: false, problem: `"${printable(word)}" is not a lockdesk command.` };
  if (word !== 'help' && rest.toLowerCase() === 'help') return { ok: true, command: { kind: 'help', topic: word } };
  if (word === 'preview') return rest === '' ? { ok: false, problem: 'Preview what? Give it a command.', topic: 'preview' } : asPreview(parseCommand(rest));

  const parsed = commandSchema.safeParse({ word, rest });
  if (!parsed.success) {
    const reason = parsed.error.issues.map((issue) => issue.message).join('; ');
    return { ok: false, problem: `Cannot read that ${word} command: ${reason}.`, topic: word };
  }
  const command = parsed.data;
  switch (command.word) {
    case 'help': {
      const topic = command.rest.toLowerCase().replace(/^reset[\s-]+passcode$/, 'reset-passcode').replace(/^lost[\s-]+mode$/, 'lost-mode').replace(/^sign[\s-]+out$/, 'sign-out');
      return { ok: true, command: isCommandWord(topic) ? { kind: 'help', topic } : { kind: 'help' } };
    }
    case 'lost':
      return { ok: true, command: { kind: 'lost' } };
    case 'lock':
      return { ok: true, command: { kind: 'action', action: 'lock', query: toQuery(command.rest) } };
    case 'reset-passcode':
      return { ok: true, command: { kind: 'action', action: 'resetPasscode', query: toQuery(command.rest) } };
    case 'lost-mode':
      return { ok: true, command: { kind: 'action', action: 'enableLostMode', query: toQuery(command.rest) } };
    case 'found':
      return { ok: true, command: { kind: 'action', action: 'disableLostMode', query: toQuery(command.rest) } };
    case 'locate':
      return { ok: true, command: { kind: 'action', action: 'locateDevice', query: toQuery(command.rest) } };
    case 'sound':
      return { ok: true, command: { kind: 'action', action: 'playLostModeSound', query: toQuery(command.rest) } };
    case 'sign-out':
      return { ok: true, command: { kind: 'action', action: 'signOut', query: toQuery(command.rest) } };
    case 'devices':
      return { ok: true, command: { kind: 'devices', query: toQuery(command.rest) } };
    case 'pause':
      return { ok: true, command: { kind: 'pause', reason: command.rest } };
    case 'resume':
      return { ok: true, command: { kind: 'resume' } };
    case 'approvals':
      return { ok: true, command: { kind: 'approvals' } };
  }
}

/** A preview of an action command; anything else sends nothing anyway, so there is nothing to preview. */
function asPreview(parsed: ParseResult): ParseResult {
  if (!parsed.ok) return parsed;
  const { command } = parsed;
  if (command.kind === 'action') return { ok: true, command: { kind: 'preview', action: command.action, query: command.query } };
  return { ok: false, problem: 'Only a device action can be previewed (lock, reset passcode, lost mode, found, locate, sound, sign out).', topic: 'preview' };
}

/** Echoes a word back without control characters and without letting a long paste through. */
export function printable(text: string, max = 40): string {
  const clean = text.replace(new RegExp(CONTROL.source, 'gu'), '�');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

export function describeQuery(query: Query): string {
  switch (query.kind) {
    case 'me':
      return 'your devices';
    case 'user':
      return `the devices of ${query.user}`;
    case 'text':
      return `"${query.text}"`;
    case 'deviceId':
      return `device ${query.id}`;
  }
}
