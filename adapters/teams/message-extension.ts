// The search message extension "Find device": the handler's `devices <query>` answer, as compose-box results.
import type { Actor, Handler, Reply, ReplySink } from '../../src/core/index.js';
import { deviceCardsOf } from './card.js';

/** The composeExtension of a query's invoke response (Bot Framework's MessagingExtensionResult), as plain JSON. */
export type ExtensionResult =
  | { type: 'message'; text: string }
  | { type: 'result'; attachmentLayout: 'list'; attachments: Array<{ contentType: string; content: unknown; preview: { contentType: string; content: { title: string; text: string } } }> };

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

/** The text of the query's "query" parameter (the manifest's); none on the first open (initialRun). */
export function queryTextOf(value: unknown): string {
  const parameters = (value as { parameters?: unknown } | undefined)?.parameters;
  if (!Array.isArray(parameters)) return '';
  const query = parameters.find((p: { name?: unknown }) => p?.name === 'query') as { value?: unknown } | undefined;
  return typeof query?.value === 'string' ? query.value : '';
}

export async function findDevices(handler: Handler, actor: Actor, queryText: string): Promise<ExtensionResult> {
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
      contentType: 'application/vnd.microsoft.card.adaptive',
      content,
      preview: { contentType: 'application/vnd.microsoft.card.thumbnail', content: { title: card.name, text: `${card.model} · ${card.os} · ${card.owner}` } },
    })),
  };
}
