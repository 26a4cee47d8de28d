// Who is behind a Teams activity: the Actor the core gets, and people named by an @mention.
import type { Actor } from '../../src/core/index.js';
import type { Logger } from '../../src/ports.js';
import { errorSummary, type Member, type Reference } from './outbox.js';

/** What of an inbound activity identity.ts reads. */
export interface Sender {
  from: { id: string; name?: string | undefined; aadObjectId?: string | undefined };
  recipient?: { id: string } | undefined;
  text?: string | undefined;
  entities?: unknown[] | undefined;
}

export interface Person {
  /** Teams' user id in this conversation (the MRI, "29:…"; the Playground's are like "user-id-0"). */
  id: string;
  aadObjectId?: string;
  name?: string;
  /** Email, else UPN: what the core matches `email:` selectors and device users against. */
  address?: string;
  /** The person's home tenant, as the roster names it: a guest of a shared channel has another one. */
  tenantId?: string;
}

const TTL_MS = 10 * 60_000;
const MAX_ENTRIES = 2000;

/** The conversation's roster: one member by their Teams id (outbox.ts asks the connector). */
export type RosterLookUp = (reference: Reference, userId: string) => Promise<Member>;

/**
 * Looks people up in the conversation's roster (the connector's members API) and remembers them for a while,
 * so a card click within Teams' invoke time limit does not wait for the roster each time.
 */
export class Directory {
  readonly #cache = new Map<string, { person: Person; until: number }>();
  readonly #roster: RosterLookUp;
  readonly #logger: Logger;
  readonly #now: () => number;

  constructor(roster: RosterLookUp, logger: Logger, now: () => number = Date.now) {
    this.#roster = roster;
    this.#logger = logger;
    this.#now = now;
  }

  async lookUp(reference: Reference, userId: string): Promise<Person | undefined> {
    const key = `${reference.conversation.tenantId ?? ''}|${userId}`;
    const hit = this.#cache.get(key);
    if (hit && hit.until > this.#now()) return hit.person;
    try {
      const member = await this.#roster(reference, userId);
      const address = member.email || member.userPrincipalName || undefined;
      const person: Person = {
        id: userId,
        ...(member.aadObjectId ? { aadObjectId: member.aadObjectId } : {}),
        ...(member.name ? { name: member.name } : {}),
        ...(address ? { address } : {}),
        ...(member.tenantId ? { tenantId: member.tenantId } : {}),
      };
      if (this.#cache.size >= MAX_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(key, { person, until: this.#now() + TTL_MS });
      return person;
    } catch (error) {
      this.#logger.warn({ err: errorSummary(error), userId }, 'could not look the Teams user up in the conversation roster');
      return undefined;
    }
  }
}

/**
 * The caller: the Entra object id is the identity when Teams sends one (requester checks compare it), and the home
 * tenant the roster names for them (a member of another tenant can sit in a conversation of ours). `rosterObjectId`:
 * the roster names another object id for `from.id` than the activity does (a body written by someone replaying a
 * token, which does not cover the body): the activity is not to be believed. `rosterUnconfirmed`: the roster gave no
 * answer for `from.id`, so that check could not be made; a decision for someone else (Approve, Deny) is refused then.
 */
export async function actorOf(
  activity: Sender,
  reference: Reference,
  directory: Directory,
  aadGroupsOf: (aadObjectId: string) => Promise<string[]>,
): Promise<{ actor: Actor; homeTenant?: string; rosterObjectId?: string; rosterUnconfirmed?: boolean }> {
  const from = activity.from;
  const aad = from.aadObjectId || undefined;
  const person = await directory.lookUp(reference, from.id);
  if (aad && person?.aadObjectId && person.aadObjectId.toLowerCase() !== aad.toLowerCase()) {
    return { actor: { platform: 'teams', id: aad, aadObjectId: aad, groups: [] }, rosterObjectId: person.aadObjectId };
  }
  const actor: Actor = {
    platform: 'teams',
    id: aad ?? from.id,
    ...(aad ? { aadObjectId: aad } : {}),
    ...(person?.address ? { email: person.address } : {}),
    ...(from.name || person?.name ? { displayName: from.name || person?.name } : {}),
    groups: aad ? await aadGroupsOf(aad) : [],
  };
  // The roster did not answer for from.id: the object id is the activity's word alone (see rosterObjectId).
  return { actor, ...(person?.tenantId ? { homeTenant: person.tenantId } : {}), ...(aad && !person ? { rosterUnconfirmed: true } : {}) };
}

interface MentionEntity {
  type: 'mention';
  text: string;
  mentioned: { id: string; name?: string };
}

/**
 * Replaces each @mention of a person (not of the bot) in the text with their Entra object id ("user:<id>"), else
 * their email or UPN, so "lock @Megan" reaches the handler as "lock user:<Megan's id>". Mentions Teams cannot resolve
 * are returned by name.
 */
export async function resolveMentions(activity: Sender, reference: Reference, text: string, directory: Directory): Promise<{ text: string; unresolved: string[] }> {
  const botId = activity.recipient?.id;
  const mentions = mentionsOf(activity).filter((e) => e.mentioned.id !== botId);
  let result = text;
  const unresolved: string[] = [];
  for (const mention of mentions) {
    if (!result.includes(mention.text)) continue;
    const person = await directory.lookUp(reference, mention.mentioned.id);
    // The immutable Entra object id names the person; the roster's email (which can change hands) only where
    // Teams gives no id. The handler takes "user:<id>" as that person's devices.
    if (person?.aadObjectId) result = result.split(mention.text).join(`user:${person.aadObjectId}`);
    else if (person?.address) result = result.split(mention.text).join(person.address);
    else unresolved.push(typeof mention.mentioned.name === 'string' ? mention.mentioned.name : mention.text.replace(/<\/?at>/g, ''));
  }
  return { text: result, unresolved };
}

/** The well-formed mentions (a text and the id of who is mentioned); anything else among the entities is no mention. */
const mentionsOf = (activity: Sender): MentionEntity[] =>
  (Array.isArray(activity.entities) ? activity.entities : []).filter((e): e is MentionEntity => {
    const m = e as Partial<MentionEntity> | null;
    return m !== null && typeof m === 'object' && m.type === 'mention' && typeof m.text === 'string' && m.text !== '' && typeof m.mentioned?.id === 'string' && m.mentioned.id !== '';
  });

/**
 * The text without the bot's own @mention (how a channel or group chat addresses it). Only the bot's: "lock
 * @Megan" must keep Megan, whom resolveMentions turns into her id (the SDK's stripText would remove every mention).
 */
export function withoutBotMention(activity: Sender): string {
  const botId = activity.recipient?.id;
  let text = activity.text ?? '';
  for (const mention of mentionsOf(activity)) {
    if (botId && mention.mentioned.id === botId) text = text.split(mention.text).join(' ');
  }
  return text;
}

/** Teams' plain text still carries leftovers of its HTML: non-breaking spaces, <at> tags of a bot mention. */
export function cleanText(text: string | undefined): string {
  return (text ?? '')
    .replace(/&nbsp;|\u00a0/g, ' ')
    .replace(/\r\n?/g, '\n')
    .trim();
}
