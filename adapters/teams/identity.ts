// Who is behind a Teams activity: the Actor the core gets, and people named by an @mention.
import { TeamsInfo, type TurnContext } from 'botbuilder';
import type { Actor } from '../../src/core/index.js';
import type { Logger } from '../../src/ports.js';

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

/**
 * Looks people up in the conversation's roster (the connector's members API) and remembers them for a while,
 * so a card click within Teams' invoke time limit does not wait for the roster each time.
 */
export class Directory {
  readonly #cache = new Map<string, { person: Person; until: number }>();
  readonly #logger: Logger;
  readonly #now: () => number;

  constructor(logger: Logger, now: () => number = Date.now) {
    this.#logger = logger;
    this.#now = now;
  }

  async lookUp(ctx: TurnContext, userId: string): Promise<Person | undefined> {
    const key = `${ctx.activity.conversation?.tenantId ?? ''}|${userId}`;
    const hit = this.#cache.get(key);
    if (hit && hit.until > this.#now()) return hit.person;
    try {
      const member = await TeamsInfo.getMember(ctx, userId);
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

/** An SDK error without its request (which carries the Authorization header). */
export function errorSummary(error: unknown): { message: string; status?: number } {
  const e = error as { message?: unknown; statusCode?: unknown };
  return { message: String(e?.message ?? error), ...(typeof e?.statusCode === 'number' ? { status: e.statusCode } : {}) };
}

/**
 * The caller: the Entra object id is the identity when Teams sends one (requester checks compare it), and the home
 * tenant the roster names for them (a member of another tenant can sit in a conversation of ours).
 */
export async function actorOf(ctx: TurnContext, directory: Directory, aadGroupsOf: (aadObjectId: string) => Promise<string[]>): Promise<{ actor: Actor; homeTenant?: string }> {
  const from = ctx.activity.from;
  const aad = from.aadObjectId || undefined;
  const person = await directory.lookUp(ctx, from.id);
  const actor: Actor = {
    platform: 'teams',
    id: aad ?? from.id,
    ...(aad ? { aadObjectId: aad } : {}),
    ...(person?.address ? { email: person.address } : {}),
    ...(from.name || person?.name ? { displayName: from.name || person?.name } : {}),
    groups: aad ? await aadGroupsOf(aad) : [],
  };
  return { actor, ...(person?.tenantId ? { homeTenant: person.tenantId } : {}) };
}

interface MentionEntity {
  type?: string;
  text?: string;
  mentioned?: { id?: string; name?: string };
}

/**
 * Replaces each @mention of a person (not of the bot) in the text with their Entra object id ("user:<id>"), else
 * their email or UPN, so "lock @Megan" reaches the handler as "lock user:<Megan's id>". Mentions Teams cannot resolve
 * are returned by name.
 */
export async function resolveMentions(ctx: TurnContext, text: string, directory: Directory): Promise<{ text: string; unresolved: string[] }> {
  const botId = ctx.activity.recipient?.id;
  const mentions = ((ctx.activity.entities ?? []) as MentionEntity[]).filter((e) => e.type === 'mention' && e.mentioned?.id && e.mentioned.id !== botId && e.text);
  let result = text;
  const unresolved: string[] = [];
  for (const mention of mentions) {
    if (!result.includes(mention.text!)) continue;
    const person = await directory.lookUp(ctx, mention.mentioned!.id!);
    // The immutable Entra object id names the person; the roster's email (which can change hands) only where
    // Teams gives no id. The handler takes "user:<id>" as that person's devices.
    if (person?.aadObjectId) result = result.split(mention.text!).join(`user:${person.aadObjectId}`);
    else if (person?.address) result = result.split(mention.text!).join(person.address);
    else unresolved.push(mention.mentioned!.name ?? mention.text!.replace(/<\/?at>/g, ''));
  }
  return { text: result, unresolved };
}

/** Teams' plain text still carries leftovers of its HTML: non-breaking spaces, <at> tags of a bot mention. */
export function cleanText(text: string | undefined): string {
  return (text ?? '')
    .replace(/&nbsp;|\u00a0/g, ' ')
    .replace(/\r\n?/g, '\n')
    .trim();
}
