// Where the handler's answers to one Slack event go. Each kind of answer has an ordered list of ways to reach the
// person; the next is tried when one fails or a response URL's budget is spent. Nothing posted is ever logged.
import type { webApi } from '@slack/bolt';
import { SECRET_NAMES, type Reply, type ReplySink, type SecretMessage, type SinkRef, type TypedPrompt } from '../../src/core/index.js';
import type { Logger } from '../../src/ports.js';
import { renderMessage, type SlackMessage } from './block-kit.js';
import { clip, LIMITS, mrkdwn } from './limits.js';
import type { ResponseUrls } from './response-url.js';
import { slackFailure } from './slack-errors.js';
import { typedModal } from './typed-modal.js';

/** Where an event came from. */
export interface Origin {
  kind: 'command' | 'click';
  /** The person whose event it is; ephemeral messages and DMs go to them only. */
  userId: string;
  channelId?: string;
  responseUrl?: string;
  /** The message a click came from. An ephemeral one can only be replaced through the response URL. */
  message?: { channel: string; ts: string; ephemeral: boolean };
  /** A click's trigger id: a modal can be opened with it, within 3 seconds of the click. */
  triggerId?: string;
}

export interface Outlets {
  client: webApi.WebClient;
  responseUrls: ResponseUrls;
  logger: Logger;
  /** The origin of SLACK_API_URL: response URLs there are as good as Slack's own (a gateway, a stub). */
  apiOrigin: string;
}

type Way = { name: string; send: (m: SlackMessage) => Promise<boolean> };

/** Response-URL posts kept for an outcome (and the "keeps checking" note) when progress updates are skipped. */
export const RESPONSE_URL_RESERVE = 2;

/** Thrown when no way reached the person; carries only codes, never the message. */
export class UndeliveredError extends Error {
  constructor(readonly tried: string[]) {
    super(`could not deliver a Slack message (${tried.join(', ')})`);
    this.name = 'UndeliveredError';
  }
}

export function createSink(outlets: Outlets, origin: Origin): ReplySink {
  const { client, responseUrls, logger } = outlets;
  const user = origin.userId;

  const viaResponseUrl = (extra: Record<string, unknown>): Way[] =>
    origin.responseUrl ? [{ name: 'response_url', send: (m) => responseUrls.post(origin.responseUrl!, { ...m, ...extra }) }] : [];
  const ephemeral = (channel = origin.channelId, to = user): Way[] =>
    channel
      ? [
          {
            name: 'chat.postEphemeral',
            send: async (m) => {
              await client.chat.postEphemeral({ channel, user: to, text: m.text, blocks: m.blocks });
              return true;
            },
          },
        ]
      : [];
  const direct: Way = {
    name: 'direct message',
    send: async (m) => {
      await client.chat.postMessage({ channel: user, text: m.text, blocks: m.blocks, unfurl_links: false, unfurl_media: false });
      return true;
    },
  };
  const updateInPlace: Way[] =
    origin.message && !origin.message.ephemeral
      ? [
          {
            name: 'chat.update',
            send: async (m) => {
              await client.chat.update({ channel: origin.message!.channel, ts: origin.message!.ts, text: m.text, blocks: m.blocks });
              return true;
            },
          },
        ]
      : [];

  async function deliver(kind: string, message: SlackMessage, ways: Way[]): Promise<void> {
    const tried: string[] = [];
    for (const way of ways) {
      try {
        if (await way.send(message)) return;
        tried.push(`${way.name}: budget spent`);
      } catch (error) {
        const failure = slackFailure(error);
        tried.push(`${way.name}: ${failure.code}`);
        logger.warn({ slackError: failure.code, via: way.name, kind, user }, 'a Slack delivery failed; trying the next way');
      }
    }
    logger.error({ kind, user, tried }, 'no way reached the person in Slack');
    throw new UndeliveredError(tried);
  }

  /** The modal of a prompt (typed-modal.ts), opened with the event's trigger id; throws when Slack did not open it. */
  async function openModal(prompt: TypedPrompt, problem?: string): Promise<void> {
    const view = typedModal(prompt, clickRef(origin).data, problem);
    try {
      if (!origin.triggerId || !view) throw new Error(view ? 'no trigger id' : 'the modal does not fit');
      await client.views.open({ trigger_id: origin.triggerId, view });
    } catch (error) {
      logger.warn({ slackError: slackFailure(error).code, user }, problem ? 'could not open the modal again to correct the answer' : 'could not open the modal to type the answer');
      throw error;
    }
  }

  const newMessage = origin.kind === 'command' ? [...viaResponseUrl({ response_type: 'ephemeral', replace_original: false }), ...ephemeral(), direct] : [...ephemeral(), direct];

  return {
    // A click's follow-up may go on in another process (see sink-ref.ts); a command starts nothing to follow.
    ...(origin.kind === 'click' ? { ref: () => clickRef(origin) } : {}),
    reply: async (reply: Reply) => {
      // A refused answer to a prompt with fields (a modal's submission): the modal opens again with what was typed,
      // to correct, while the submission's trigger id lasts (so first); the refusal in the message is said anyway.
      if (reply.prompt?.fields && origin.triggerId) await openModal(reply.prompt, reply.text).catch(() => undefined);
      await deliver('reply', renderMessage(reply), newMessage);
    },
    update: async (reply: Reply) => {
      // A message only its response URL can replace has 5 posts in all: a status on its way is skipped once only
      // the reserve is left, so the outcome still replaces the message instead of arriving as a new one.
      if (reply.transient && updateInPlace.length === 0 && origin.responseUrl && responseUrls.remaining(origin.responseUrl) <= RESPONSE_URL_RESERVE) {
        logger.debug({ user }, 'a progress update was skipped to keep the response URL for the outcome');
        return;
      }
      const replace = updateInPlace.length > 0 ? updateInPlace : viaResponseUrl({ replace_original: true });
      return deliver('update', renderMessage(reply), [...replace, ...(origin.kind === 'command' ? newMessage : [...ephemeral(), direct])]);
    },
    ...(origin.kind === 'click'
      ? {
          async askToType(prompt: TypedPrompt) {
            try {
              await openModal(prompt);
            } catch {
              const text = prompt.fields
                ? 'Slack did not open the window in which you check what to send, so lockdesk sent nothing. Your confirmation still stands: click the button again.'
                : 'Slack did not open the window in which you type the number of devices, so lockdesk sent nothing. Your confirmation still stands: click the button again.';
              await deliver('reply', renderMessage({ text, blocks: [{ kind: 'notice', tone: 'warning', text }] }), [...ephemeral(), direct]);
            }
          },
        }
      : {}),
    // Ephemeral only: through the response URL, else chat.postEphemeral. Never a channel message or a DM thread.
    // It goes to the person who asked; when an approver clicked for them, the approver's response URL is not theirs.
    async sendSecret(secret: SecretMessage) {
      if (secret.recipient.platform !== 'slack') throw new UndeliveredError(['the requester is not on Slack']);
      const forClicker = secret.recipient.id === user;
      const channel = origin.channelId ?? origin.message?.channel;
      try {
        await deliver('secret', secretMessage(secret), forClicker ? [...viaResponseUrl({ response_type: 'ephemeral', replace_original: false }), ...ephemeral(channel)] : ephemeral(channel, secret.recipient.id));
      } catch {
        // Said without the passcode, by any way that reaches the person; the follow-up must go on regardless.
        const text = `lockdesk could not show you the ${SECRET_NAMES[secret.kind]} for "${secret.deviceName}" privately in Slack. Read it in Intune.`;
        const note = renderMessage({ text, blocks: [{ kind: 'notice', tone: 'warning', text }] });
        await deliver('secret-undelivered', note, [...ephemeral(), direct]).catch(() => undefined);
        throw new UndeliveredError([`the ${SECRET_NAMES[secret.kind]}`]);
      }
    },
  };
}

/**
 * What it takes to reach a click's message again: the response URL, the channel, the clicker and the message.
 * Picked field by field, so no token or anything else of the payload can ride along.
 */
export function clickRef(origin: Origin): SinkRef {
  const data: Record<string, unknown> = { userId: origin.userId };
  if (origin.channelId) data.channelId = origin.channelId;
  if (origin.responseUrl) data.responseUrl = origin.responseUrl;
  if (origin.message) data.message = { channel: origin.message.channel, ts: origin.message.ts, ephemeral: origin.message.ephemeral };
  return { platform: 'slack', data };
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function secretMessage(secret: SecretMessage): SlackMessage {
  return {
    // The notification preview never shows the passcode; the message body does.
    text: `${capitalised(SECRET_NAMES[secret.kind])} for "${clip(secret.deviceName, 200)}" (only you can see this)`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:lock: ${mrkdwn(secret.text, LIMITS.sectionText - 200)}` } },
      { type: 'section', text: { type: 'mrkdwn', text: `\`${mrkdwn(secret.passcode.reveal(), 100)}\`` } },
    ],
  };
}
