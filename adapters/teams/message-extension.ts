// The search message extension "Find device": the handler's `devices <query>` answer, as compose-box results.
import { CardFactory, type MessagingExtensionResult } from 'botbuilder';
import type { Actor, Handler, Reply, ReplySink } from '../../src/core/index.js';
import { deviceCardsOf } from './card.js';

/** The command id in manifest/teams/manifest.json. */
export const FIND_DEVICE_COMMAND = 'findDevice';

/** A sink that only collects: a search shows results, it sends no message. */
function capturingSink(): { sink: ReplySink; replies: Reply[] } {
  const replies: Reply[] = [];
  const keep = async (reply: Reply) => {
    replies.push(reply);
  };
  return { replies, sink: { reply: keep, update: keep, sendSecret: async () => undefined } };
}

export async function findDevices(handler: Handler, actor: Actor, queryText: string): Promise<MessagingExtensionResult> {
  // An empty box (the first open) shows the caller's own devices.
  const query = queryText.trim() === '' ? 'me' : queryText.trim();
  const { sink, replies } = capturingSink();
  await handler.handleMessage(actor, `devices ${query}`, sink);
  const reply = replies[0];
  const cards = reply ? deviceCardsOf(reply) : [];
  if (cards.length === 0) return { type: 'message', text: reply?.text ?? 'No answer from lockdesk.' };
  return {
    type: 'result',
    attachmentLayout: 'list',
    attachments: cards.map(({ card, content }) => ({
      ...CardFactory.adaptiveCard(content),
      preview: CardFactory.thumbnailCard(card.name, `${card.model} · ${card.os} · ${card.owner}`),
    })),
  };
}
