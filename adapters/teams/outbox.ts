// Everything lockdesk sends to Teams outside the HTTP answer: new cards, cards updated in place, private messages in
// the person's personal chat, and roster look-ups. Each goes through the Teams SDK's low-level API client cloned
// for the stored reference's service URL (never `app.send()`, which has one app-wide service URL), so a reply, an
// update after the turn or one made on another replica reaches the conversation the activity came from.
import type { App } from '@microsoft/teams.apps';
import type { Logger } from '../../src/ports.js';
import type { AdaptiveCardJson } from './card.js';

/** Where a conversation lives and who the bot is in it: what an activity names, and what a click stores. */
export interface Reference {
  serviceUrl: string;
  channelId: string;
  conversation: { id: string; conversationType?: string; isGroup?: boolean; tenantId?: string };
  bot: { id: string; name?: string };
}

/** An activity's reference: its service URL, conversation and the bot as its recipient. */
export function referenceOf(activity: { serviceUrl: string; channelId: string; conversation: Reference['conversation']; recipient?: Reference['bot'] | undefined }): Reference {
  return { serviceUrl: activity.serviceUrl, channelId: activity.channelId, conversation: activity.conversation, bot: activity.recipient ?? { id: '' } };
}

/** What the roster says of one member. */
export interface Member {
  id: string;
  name?: string;
  aadObjectId?: string;
  email?: string;
  userPrincipalName?: string;
  tenantId?: string;
}

type ApiClient = App['api'];
type Params = Parameters<ApiClient['conversations']['createActivity']>[1];

const cardMessage = (card: AdaptiveCardJson) => ({ type: 'message' as const, attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] });
/**
 * Ids go into the connector's paths encoded, as Bot Framework's own clients send them. encodeURIComponent keeps "."
 * and "..", which a URL resolves: a conversation id ".." would have the bot call another API of the connector with
 * its token. No Teams id is either, so they are refused.
 */
function enc(id: string): string {
  if (id === '.' || id === '..' || id === '') throw new Error('refused an id that is not a path segment of its own');
  return encodeURIComponent(id);
}

export class Outbox {
  readonly #api: ApiClient;
  readonly #logger: Logger;
  readonly #mayReplyTo: (serviceUrl: string) => boolean;

  /** `mayReplyTo` decides which service URLs the bot posts to (see activity-check.ts); any other is refused here. */
  constructor(api: ApiClient, logger: Logger, mayReplyTo: (serviceUrl: string) => boolean) {
    this.#api = api;
    this.#logger = logger;
    this.#mayReplyTo = mayReplyTo;
  }

  /** The connector at the reference's service URL (the bot's token goes along, so only where it may). */
  #at(reference: Reference): ApiClient['conversations'] {
    if (!this.#mayReplyTo(reference.serviceUrl ?? '')) throw new Error('refused to send to a service URL lockdesk does not post to');
    return this.#api.clone({ serviceUrl: reference.serviceUrl }).conversations;
  }

  /**
   * One call to the connector. Its errors are axios errors whose `config` holds the Authorization header, and
   * whoever catches one may log it whole: what leaves here is a TeamsApiError with the message and status only.
   */
  async #call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw new TeamsApiError(error);
    }
  }

  /** A new card in the conversation; returns its activity id. */
  async send(reference: Reference, card: AdaptiveCardJson): Promise<string | undefined> {
    const activity = { ...cardMessage(card), from: reference.bot, conversation: reference.conversation };
    const connector = this.#at(reference);
    return (await this.#call(() => connector.createActivity(enc(reference.conversation.id), activity as Params)))?.id;
  }

  /** Replaces the card of an earlier message (PUT /v3/conversations/{id}/activities/{activityId}). */
  async update(reference: Reference, activityId: string, card: AdaptiveCardJson): Promise<void> {
    const activity = { ...cardMessage(card), id: activityId, from: reference.bot, conversation: reference.conversation };
    const connector = this.#at(reference);
    await this.#call(() => connector.updateActivity(enc(reference.conversation.id), enc(activityId), activity as Params));
  }

  /** To `userId` alone: in this conversation when it is their personal chat, else in a 1:1 chat opened for it. */
  async sendPrivately(reference: Reference, userId: string, card: AdaptiveCardJson, options: { otherPerson?: boolean } = {}): Promise<void> {
    const personal = reference.conversation.conversationType === 'personal' || reference.conversation.isGroup === false;
    if (personal && !options.otherPerson) {
      await this.send(reference, card);
      return;
    }
    const opened = await this.openChat(reference, userId);
    await this.send({ ...reference, conversation: { id: opened } }, card);
  }

  /**
   * Opens (or finds: Teams keeps one per person and bot) the 1:1 chat of the bot with `userId`, in the reference's
   * tenant, and returns its conversation id. The bot must be installed for the person; Teams accepts their Entra
   * object id as the member, too (Bot Framework's create-conversation call, as proactive messaging does).
   */
  async openChat(reference: Reference, userId: string): Promise<string> {
    const tenantId = reference.conversation.tenantId;
    const connector = this.#at(reference);
    const opened = await this.#call(() =>
      connector.create({
        isGroup: false,
        bot: reference.bot,
        members: [{ id: userId, name: '' } as never],
        ...(tenantId ? { tenantId, channelData: { tenant: { id: tenantId } } } : {}),
      }),
    );
    return opened.id;
  }

  /** One member of the conversation, from its roster. */
  async member(reference: Reference, userId: string): Promise<Member> {
    const connector = this.#at(reference);
    return this.#call(() => connector.getMemberById(enc(reference.conversation.id), enc(userId)));
  }

  /** Runs a send and logs a failure without the request (whose headers carry a token) or the card. */
  async attempt(what: string, work: () => Promise<unknown>): Promise<boolean> {
    try {
      await work();
      return true;
    } catch (error) {
      this.#logger.warn({ err: errorSummary(error) }, `Teams: could not ${what}`);
      return false;
    }
  }
}

/** A connector call that failed: its message and HTTP status, and nothing of the request. */
export class TeamsApiError extends Error {
  readonly status: number | undefined;

  constructor(error: unknown) {
    const summary = errorSummary(error);
    super(`Teams connector: ${summary.message}`);
    this.name = 'TeamsApiError';
    this.status = summary.status;
  }
}

/** An API error without its request: an axios error's `config` carries the Authorization header. */
export function errorSummary(error: unknown): { message: string; status?: number } {
  const e = error as { message?: unknown; response?: { status?: unknown }; status?: unknown };
  const status = e?.response?.status ?? e?.status;
  return { message: String(e?.message ?? error).slice(0, 300), ...(typeof status === 'number' ? { status } : {}) };
}
