// A conversation reference as lockdesk stores it (with a click's dispatch, with an approval's cards) and reads it
// back: picked field by field when stored, checked field by field when read, since another process will send the
// bot's token to its service URL.
import { z } from 'zod';
import type { Reference } from './outbox.js';

/**
 * The outbox sends the bot's token to the service URL: only https, or http on loopback (the Agents Playground).
 * Anything else in a stored reference is refused.
 */
export const serviceUrlSchema = z
  .string()
  .max(2048)
  .refine((value) => {
    if (!URL.canParse(value)) return false;
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname));
  });
export const idSchema = z.string().min(1).max(512);

/** A stored Reference, field by field (nothing else of an activity is kept). */
export const referenceSchema = z.object({
  serviceUrl: serviceUrlSchema,
  channelId: z.string().min(1).max(64),
  conversation: z.object({ id: idSchema, conversationType: z.string().max(32).optional(), isGroup: z.boolean().optional(), tenantId: idSchema.optional() }),
  bot: z.object({ id: idSchema, name: z.string().max(256).optional() }),
});

/** A Reference as it is stored: picked field by field, so no token nor anything else of an activity rides along. */
export function storedReference(reference: Reference): z.input<typeof referenceSchema> {
  const c = reference.conversation;
  return {
    serviceUrl: reference.serviceUrl,
    channelId: reference.channelId,
    conversation: { id: c?.id, ...(c?.conversationType ? { conversationType: c.conversationType } : {}), ...(c?.isGroup !== undefined ? { isGroup: c.isGroup } : {}), ...(c?.tenantId ? { tenantId: c.tenantId } : {}) },
    bot: { id: reference.bot?.id, ...(reference.bot?.name ? { name: reference.bot.name } : {}) },
  };
}

