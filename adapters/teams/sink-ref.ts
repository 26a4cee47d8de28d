// Rebuilds a click's sink from the reference stored with its dispatch records (ClickSession writes it), so that
// whichever lockdesk process takes a follow-up round, or the same one after a restart, keeps the card up to date.
import { z } from 'zod';
import type { Reply, ReplySink } from '../../src/core/index.js';
import { elsewhereStubCard, renderCard } from './card.js';
import type { Reference } from './outbox.js';
import { idSchema, referenceSchema } from './stored-reference.js';
import { deliverSecret, isPersonal, publicCard, type EventScope, type SinkDeps } from './sinks.js';

const id = idSchema;

const clickRefData = z.object({
  reference: referenceSchema,
  userId: id,
  actorId: id,
  // What is only needed for a nicer update is dropped, not the whole reference, when it does not read: the status
  // then goes to the clicker's personal chat instead of into the card (a follow-up never ends silently).
  userName: z.string().max(256).catch('the requester'),
  cardId: id.optional().catch(undefined),
  viewId: id.optional().catch(undefined),
});

/**
 * A click's sink on this process; undefined when the data is not what ClickSession wrote.
 * - update: replaces the card in place. Outside a personal chat the details stay with the clicker: while this
 *   process holds the card's private view, as today (a stub whose refresh shows them the details); otherwise
 *   (the views live in memory and another process or a restart has none) the channel card becomes a stub saying
 *   where the status went, and the status goes to the clicker's personal chat.
 * - reply: to the clicker's personal chat. sendSecret: to the recipient's personal chat, as for a live click.
 */
export function restoreClickSink(deps: SinkDeps, data: Record<string, unknown>): ReplySink | undefined {
  const parsed = clickRefData.safeParse(data);
  if (!parsed.success) return undefined;
  const { reference: stored, userId, userName, actorId, cardId, viewId } = parsed.data;
  const reference: Reference = stored;
  const scope: EventScope = { actor: { platform: 'teams', id: actorId, groups: [] }, userId, userName, reference };
  const privately = (reply: Reply) => deps.outbox.sendPrivately(reference, userId, renderCard(reply));
  let stubbed = false;

  return {
    reply: privately,
    async update(reply) {
      if (!cardId) return privately(reply);
      if (isPersonal(reference) || (viewId && deps.views.holds(viewId))) {
        await deps.outbox.update(reference, cardId, publicCard(deps, scope, reply, viewId).card);
        return;
      }
      await privately(reply);
      if (!stubbed) await deps.outbox.update(reference, cardId, elsewhereStubCard(userName));
      stubbed = true;
    },
    sendSecret: (message) => deliverSecret(deps, scope, message),
  };
}
