// Everything lockdesk sends to Teams outside the HTTP answer: new cards, cards updated in place, and private
// messages in the person's personal chat. Each goes through the connector as a proactive turn.
import { CardFactory, MessageFactory, TurnContext, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { Logger } from '../../src/ports.js';
import type { AdaptiveCardJson } from './card.js';

/** The audience of the bot's outbound token (botframework-connector's ToChannelFromBotOAuthScope). */
const BOT_FRAMEWORK_SCOPE = 'https://api.botframework.com';

export type Reference = Partial<ConversationReference>;

export const cardActivity = (card: AdaptiveCardJson) => MessageFactory.attachment(CardFactory.adaptiveCard(card));

export class Outbox {
  readonly #adapter: CloudAdapter;
  readonly #appId: string;
  readonly #logger: Logger;
  readonly #mayReplyTo: (serviceUrl: string) => boolean;

  /** `mayReplyTo` decides which service URLs the bot posts to (see activity-check.ts); any other is refused here. */
  constructor(adapter: CloudAdapter, appId: string, logger: Logger, mayReplyTo: (serviceUrl: string) => boolean) {
    this.#adapter = adapter;
    this.#appId = appId;
    this.#logger = logger;
    this.#mayReplyTo = mayReplyTo;
  }

  #check(reference: Reference): void {
    if (!this.#mayReplyTo(reference.serviceUrl ?? '')) throw new Error('refused to send to a service URL lockdesk does not post to');
  }

  async #within(reference: Reference, work: (ctx: TurnContext) => Promise<void>): Promise<void> {
    this.#check(reference);
    await delivering((logic) => this.#adapter.continueConversationAsync(this.#appId, reference, logic), work);
  }

  /** A new card in the conversation; returns its activity id. */
  async send(reference: Reference, card: AdaptiveCardJson): Promise<string | undefined> {
    let id: string | undefined;
    await this.#within(reference, async (ctx) => {
      id = (await ctx.sendActivity(cardActivity(card)))?.id;
    });
    return id;
  }

  /** Replaces the card of an earlier message. */
  async update(reference: Reference, activityId: string, card: AdaptiveCardJson): Promise<void> {
    await this.#within(reference, async (ctx) => {
      await ctx.updateActivity({ ...cardActivity(card), id: activityId });
    });
  }

  /**
   * A card for one person only, in their personal chat with the bot: the same conversation when the event came
   * from it, otherwise a 1:1 conversation the bot opens (it must be installed for them).
   */
  /** To `userId` alone: in this conversation when it is their personal chat, else in a 1:1 chat opened for it. */
  async sendPrivately(reference: Reference, userId: string, card: AdaptiveCardJson, options: { otherPerson?: boolean } = {}): Promise<void> {
    const personal = reference.conversation?.conversationType === 'personal' || reference.conversation?.isGroup === false;
    if (personal && !options.otherPerson) {
      await this.send(reference, card);
      return;
    }
    const tenantId = reference.conversation?.tenantId;
    this.#check(reference);
    await delivering(
      (logic) =>
        this.#adapter.createConversationAsync(
          this.#appId,
          reference.channelId ?? 'msteams',
          reference.serviceUrl ?? '',
          BOT_FRAMEWORK_SCOPE,
          {
            isGroup: false,
            bot: reference.bot!,
            members: [{ id: userId, name: '' }],
            tenantId: tenantId ?? '',
            channelData: tenantId ? { tenant: { id: tenantId } } : {},
            activity: undefined as never,
          },
          logic,
        ),
      async (ctx) => {
        await ctx.sendActivity(cardActivity(card));
      },
    );
  }

  /** Runs a send and logs a failure without the request (whose headers carry a token) or the card. */
  async attempt(what: string, work: () => Promise<unknown>): Promise<boolean> {
    try {
      await work();
      return true;
    } catch (error) {
      const e = error as { message?: unknown; statusCode?: unknown };
      this.#logger.warn({ err: { message: String(e?.message ?? error), status: e?.statusCode } }, `Teams: could not ${what}`);
      return false;
    }
  }
}

/**
 * botbuilder hands an error thrown inside a proactive turn to onTurnError and resolves as if all went well: a card or
 * a passcode the connector refused would count as delivered. The work's error is kept and thrown afterwards.
 */
async function delivering(run: (logic: (ctx: TurnContext) => Promise<void>) => Promise<unknown>, work: (ctx: TurnContext) => Promise<void>): Promise<void> {
  let failure: { error: unknown } | undefined;
  await run(async (ctx) => {
    try {
      await work(ctx);
    } catch (error) {
      failure = { error };
    }
  });
  if (failure) throw failure.error;
}

export const referenceOf = (ctx: TurnContext): Reference => TurnContext.getConversationReference(ctx.activity);
