// Where approval cards go in Slack: the channel SLACK_APPROVALS_CHANNEL names, or else a direct message to each
// approver the policy names in Slack terms (slack:, slack-group:, email:), never to the person who asked. A card is
// an ordinary message: its outcome replaces it with chat.update, from this process or, through its stored
// reference, from any other.
import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import type { ActorRef, Reply, ReplySink, SinkRef } from '../../src/core/index.js';
import type { ApprovalNotice, ApprovalNotifier, Logger } from '../../src/ports.js';
import { renderMessage } from './block-kit.js';
import type { SlackDirectory } from './directory.js';
import { slackFailure } from './slack-errors.js';
import { UndeliveredError } from './sink.js';

/** Direct messages per request at most: a policy naming a large group still posts a bounded number of cards. */
export const MAX_DIRECT_CARDS = 20;

const slackId = z.string().regex(/^[A-Z0-9]{2,32}$/);
const cardRefData = z.object({ card: z.object({ channel: slackId, ts: z.string().regex(/^\d{1,20}\.\d{1,10}$/) }) });

/** What the cards need to know of Slack's people: cached by the adapter's directory. */
export type ApproverDirectory = Pick<SlackDirectory, 'emailOf' | 'groupMembers'>;

export interface ApprovalCardOptions {
  client: webApi.WebClient;
  directory: ApproverDirectory;
  logger: Logger;
  /** SLACK_APPROVALS_CHANNEL: every card goes there; without it, each approver gets a direct message. */
  channel?: string | undefined;
  maxDirect?: number;
}

/** The sink of one posted card: updated in place; a secret never goes to it. */
export function cardSink(client: webApi.WebClient, card: { channel: string; ts: string }): ReplySink {
  const post = async (reply: Reply, thread: boolean) => {
    const m = renderMessage(reply);
    if (thread) await client.chat.postMessage({ channel: card.channel, thread_ts: card.ts, text: m.text, blocks: m.blocks, unfurl_links: false, unfurl_media: false });
    else await client.chat.update({ channel: card.channel, ts: card.ts, text: m.text, blocks: m.blocks });
  };
  return {
    ref: (): SinkRef => ({ platform: 'slack', data: { card: { channel: card.channel, ts: card.ts } } }),
    update: (reply) => post(reply, false),
    reply: (reply) => post(reply, true),
    sendSecret: async () => {
      throw new UndeliveredError(['an approval card is seen by approvers: no secret goes to it']);
    },
  };
}

/** A card's sink from its stored reference; undefined when the data is not a card's. */
export function restoreCardSink(client: webApi.WebClient, data: Record<string, unknown>): ReplySink | undefined {
  const parsed = cardRefData.safeParse(data);
  return parsed.success ? cardSink(client, parsed.data.card) : undefined;
}

export function slackApprovalNotifier(options: ApprovalCardOptions): ApprovalNotifier {
  const { client, logger } = options;
  const maxDirect = options.maxDirect ?? MAX_DIRECT_CARDS;

  const postTo = async (channel: string, notice: ApprovalNotice): Promise<ReplySink | undefined> => {
    const m = renderMessage(notice.card);
    try {
      const posted = await client.chat.postMessage({ channel, text: m.text, blocks: m.blocks, unfurl_links: false, unfurl_media: false });
      const where = { channel: String(posted.channel ?? ''), ts: String(posted.ts ?? '') };
      if (!slackId.safeParse(where.channel).success || !where.ts) throw new Error('chat.postMessage named no message');
      return cardSink(client, where);
    } catch (error) {
      logger.warn({ slackError: slackFailure(error).code, approvalId: notice.approvalId }, 'could not post an approval card in Slack');
      return undefined;
    }
  };

  return {
    async notify(notice) {
      if (options.channel) {
        const sink = await postTo(options.channel, notice);
        return sink ? [sink] : [];
      }
      const people = await slackApprovers(client, options.directory, logger, notice.approvers, notice.requester, notice.confirmedBy);
      if (people.length > maxDirect) logger.warn({ approvalId: notice.approvalId, approvers: people.length, posted: maxDirect }, 'more Slack approvers than direct cards are posted; set SLACK_APPROVALS_CHANNEL');
      const sinks = await Promise.all(people.slice(0, maxDirect).map((user) => postTo(user, notice)));
      return sinks.filter((s): s is ReplySink => s !== undefined);
    },
  };
}

/**
 * The Slack user ids of the policy's approvers, in the policy's order, without the person who asked (by id, and by
 * email where Slack shows theirs). Selectors of other chats are not Slack's to reach. A look-up that fails is logged
 * and skipped: the others still get their card.
 */
export async function slackApprovers(client: webApi.WebClient, directory: ApproverDirectory, logger: Logger, selectors: readonly string[], requester: ActorRef, confirmedBy?: ActorRef): Promise<string[]> {
  const ids = new Set<string>();
  for (const selector of selectors) {
    const value = selector.slice(selector.indexOf(':') + 1);
    try {
      if (selector.startsWith('slack:')) ids.add(value);
      else if (selector.startsWith('slack-group:')) for (const u of await directory.groupMembers(value)) ids.add(u);
      else if (selector.startsWith('email:')) {
        if ([requester, confirmedBy].some((p) => p?.email && p.email.trim().toLowerCase() === value.trim().toLowerCase())) continue;
        const found = await client.users.lookupByEmail({ email: value });
        if (found.user?.id && !found.user.deleted && !found.user.is_bot) ids.add(found.user.id);
      }
    } catch (error) {
      logger.warn({ slackError: slackFailure(error).code, selector: selector.split(':')[0] }, 'could not look up an approver in Slack');
    }
  }
  // Neither the requester nor whoever confirmed for them may decide: no card for either.
  const excluded = [requester, ...(confirmedBy ? [confirmedBy] : [])];
  for (const person of excluded) if (person.platform === 'slack') ids.delete(person.id);
  const candidates = [...ids].filter((id) => slackId.safeParse(id).success);
  const emails = excluded.map((p) => p.email?.trim().toLowerCase()).filter((e): e is string => !!e);
  return emails.length > 0 ? withoutAddress(directory, logger, candidates, emails) : candidates;
}

/** Looked up at most, to leave out another Slack account of the requester (one with their email). */
const MAX_CHECKED = 50;

/**
 * The candidates whose Slack profile shows none of `emails` (the requester's or the confirmer's, who asked from
 * another chat or a second account): a card of their own request is no use to them. One Slack cannot show is kept:
 * the core refuses their click if they are the requester after all.
 */
async function withoutAddress(directory: ApproverDirectory, logger: Logger, candidates: string[], emails: readonly string[]): Promise<string[]> {
  const checked = await Promise.all(
    candidates.slice(0, MAX_CHECKED).map(async (user) => {
      try {
        const email = (await directory.emailOf(user))?.trim().toLowerCase();
        return email && emails.includes(email) ? undefined : user;
      } catch (error) {
        logger.warn({ slackError: slackFailure(error).code }, 'could not read an approver in Slack');
        return user;
      }
    }),
  );
  return [...checked.filter((u): u is string => u !== undefined), ...candidates.slice(MAX_CHECKED)];
}
