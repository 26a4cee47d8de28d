// The sink of one approval card lockdesk posted (in the approvers' conversation or an approver's personal chat):
// the core turns the card into the outcome with update(), in place and for everyone who sees it (the approvers'
// conversation is its own record). Its ref() names the conversation and the card, so any process can do so.
import { z } from 'zod';
import type { ReplySink, SinkRef } from '../../src/core/index.js';
import { renderCard } from './card.js';
import type { Outbox, Reference } from './outbox.js';
import { idSchema, referenceSchema, storedReference } from './stored-reference.js';

/** What tells an approval card's stored data from a click's (sink-ref.ts). */
export const APPROVAL_CARD_KIND = 'approval-card';

const approvalCardData = z.object({
  kind: z.literal(APPROVAL_CARD_KIND),
  reference: referenceSchema,
  cardId: idSchema,
});

/** Says so to whoever hands an approval card a secret: nothing the action yields ever goes to an approver. */
export const NO_SECRET_ON_APPROVAL_CARD = 'refused to put a secret on an approval card: it goes to the requester only';

export function approvalCardSink(outbox: Outbox, reference: Reference, cardId: string): ReplySink {
  return {
    ref: (): SinkRef => ({ platform: 'teams', data: { kind: APPROVAL_CARD_KIND, reference: storedReference(reference), cardId } }),
    update: (reply) => outbox.update(reference, cardId, renderCard(reply)),
    // A new card in the card's conversation (the core has nothing to say there but outcomes, which are updates).
    reply: async (reply) => void (await outbox.send(reference, renderCard(reply))),
    sendSecret: async () => {
      throw new Error(NO_SECRET_ON_APPROVAL_CARD);
    },
  };
}

/** Whether stored data says it is an approval card's (then only restoreApprovalCardSink reads it). */
export const isApprovalCardData = (data: Record<string, unknown>) => data.kind === APPROVAL_CARD_KIND;

/** An approval card's sink on this process; undefined when the data is not what approvalCardSink's ref() wrote. */
export function restoreApprovalCardSink(outbox: Outbox, data: Record<string, unknown>): ReplySink | undefined {
  const parsed = approvalCardData.safeParse(data);
  if (!parsed.success) return undefined;
  return approvalCardSink(outbox, parsed.data.reference, parsed.data.cardId);
}
