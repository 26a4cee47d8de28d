// Where Teams approval cards go: the approvers' channel or group chat (TEAMS_APPROVALS_CONVERSATION), else a personal
// chat with each approver the policy names by `teams:<Entra object id>`, never the requester. Cards are posted
// proactively, through the outbox, at the configured service URL; each posted card gives the core its sink.
import type { ActorRef, ReplySink } from '../../src/core/index.js';
import type { ApprovalNotice, ApprovalNotifier, Logger } from '../../src/ports.js';
import { approvalCardSink } from './approval-card-sink.js';
import { renderCard, type AdaptiveCardJson } from './card.js';
import { errorSummary, type Outbox, type Reference } from './outbox.js';

export interface TeamsApprovalSettings {
  /** The approvers' channel or group chat; unset: a personal chat with each approver named by teams:<object id>. */
  conversationId?: string | undefined;
  /** Where the bot posts without an activity to answer (Teams' connector for the bot's region). */
  serviceUrl: string;
  /** The bot as Teams knows it ("28:<app id>"). */
  bot: Reference['bot'];
  /** The bot's tenant: personal chats are opened in it. */
  tenantId?: string | undefined;
}

/** At most this many personal chats get a card per request; the rest are counted in a warning. */
export const MAX_PERSONAL_CARDS = 20;
/** Personal chats opened and posted to at the same time. */
const AT_ONCE = 5;

/** Who of the approvers can get a personal chat card, and who cannot, from the policy's selectors. */
export function personalApprovers(selectors: readonly string[], requester: ActorRef, confirmedBy?: ActorRef): { objectIds: string[]; requesterSkipped: boolean; groups: number; others: number } {
  const seen = new Set<string>();
  const objectIds: string[] = [];
  let requesterSkipped = false;
  let groups = 0;
  let others = 0;
  // The requester, and whoever confirmed for them: neither may decide, so neither gets a card.
  const idsOf = (p: ActorRef | undefined) => (p ? [p.aadObjectId, p.platform === 'teams' ? p.id : undefined] : []);
  const isRequester = (oid: string) => [...idsOf(requester), ...idsOf(confirmedBy)].some((id) => id?.toLowerCase() === oid);
  for (const selector of selectors) {
    if (selector.startsWith('aad-group:')) groups++;
    else if (selector.startsWith('email:')) others++;
    if (!selector.startsWith('teams:')) continue;
    const oid = selector.slice('teams:'.length).trim().toLowerCase();
    if (oid === '' || seen.has(oid)) continue;
    seen.add(oid);
    if (isRequester(oid)) requesterSkipped = true;
    else objectIds.push(oid);
  }
  return { objectIds, requesterSkipped, groups, others };
}

export class TeamsApprovalNotifier implements ApprovalNotifier {
  readonly #outbox: Outbox;
  readonly #logger: Logger;
  readonly #settings: TeamsApprovalSettings;

  constructor(outbox: Outbox, logger: Logger, settings: TeamsApprovalSettings) {
    this.#outbox = outbox;
    this.#logger = logger;
    this.#settings = settings;
  }

  async notify(notice: ApprovalNotice): Promise<ReplySink[]> {
    const card = renderCard(notice.card);
    if (this.#settings.conversationId) {
      const sink = await this.#post(this.#reference(this.#settings.conversationId, 'group'), card, 'post the approval card to TEAMS_APPROVALS_CONVERSATION');
      return sink ? [sink] : [];
    }
    const { objectIds, groups, others } = personalApprovers(notice.approvers, notice.requester, notice.confirmedBy);
    if (groups + others > 0) {
      this.#logger.warn(
        { groups, others },
        'Teams: approvers named by aad-group: or email: cannot get a card in a personal chat (only teams:<Entra object id> can): set TEAMS_APPROVALS_CONVERSATION to a channel or group chat they are in',
      );
    }
    const reached = objectIds.slice(0, MAX_PERSONAL_CARDS);
    if (objectIds.length > reached.length) {
      this.#logger.warn({ skipped: objectIds.length - reached.length, max: MAX_PERSONAL_CARDS }, `Teams: an approval card goes to at most ${MAX_PERSONAL_CARDS} personal chats; the other approvers got none (set TEAMS_APPROVALS_CONVERSATION instead)`);
    }
    // A few at a time: Teams throttles a bot that opens many conversations at once (HTTP 429).
    const sinks: Array<ReplySink | undefined> = [];
    for (let i = 0; i < reached.length; i += AT_ONCE) sinks.push(...(await Promise.all(reached.slice(i, i + AT_ONCE).map((oid) => this.#postPersonally(oid, card)))));
    return sinks.filter((s): s is ReplySink => s !== undefined);
  }

  #reference(conversationId: string, kind: 'group' | 'personal'): Reference {
    const { serviceUrl, bot, tenantId } = this.#settings;
    const conversation = { id: conversationId, ...(kind === 'personal' ? { conversationType: 'personal', isGroup: false } : { isGroup: true }), ...(tenantId ? { tenantId } : {}) };
    return { serviceUrl, channelId: 'msteams', conversation, bot };
  }

  async #postPersonally(objectId: string, card: AdaptiveCardJson): Promise<ReplySink | undefined> {
    let chat: string;
    try {
      // The conversation id is not known yet: the reference names the tenant and bot the chat is opened with.
      chat = await this.#outbox.openChat(this.#reference('(new)', 'personal'), objectId);
    } catch (error) {
      this.#logger.warn({ err: errorSummary(error) }, 'Teams: could not open a personal chat with an approver (is lockdesk installed for them?)');
      return undefined;
    }
    return this.#post(this.#reference(chat, 'personal'), card, "post the approval card to an approver's personal chat");
  }

  /** Posts the card; a failure is logged (the error's message and status only, never the request) and gives no sink. */
  async #post(reference: Reference, card: AdaptiveCardJson, what: string): Promise<ReplySink | undefined> {
    try {
      const cardId = await this.#outbox.send(reference, card);
      if (!cardId) throw new Error('Teams gave the posted card no id');
      return approvalCardSink(this.#outbox, reference, cardId);
    } catch (error) {
      this.#logger.warn({ err: errorSummary(error) }, `Teams: could not ${what}`);
      return undefined;
    }
  }
}
