// Rebuilds a click's sink from the reference stored with its dispatch records, so that whichever lockdesk process
// takes a follow-up round (or the same one after a restart) can keep the clicked message up to date.
import { z } from 'zod';
import type { ReplySink } from '../../src/core/index.js';
import { createSink, type Outlets } from './sink.js';

const slackId = z.string().regex(/^[A-Z0-9]{2,32}$/);

/** clickRef (sink.ts) writes this. A response URL is only ever Slack's own: https on hooks.slack(-gov).com. */
const clickRefData = z.object({
  userId: slackId,
  channelId: slackId.optional(),
  responseUrl: z.url({ protocol: /^https$/, hostname: /^hooks\.slack(-gov)?\.com$/ }).max(500).optional(),
  message: z.object({ channel: slackId, ts: z.string().regex(/^\d{1,20}\.\d{1,10}$/), ephemeral: z.boolean() }).optional(),
});

/**
 * The sink of a stored click, with this process's outlets; undefined when the data is not what clickRef wrote.
 *
 * The response URL's budget (5 posts in 30 minutes) is counted per process: this process starts from a fresh
 * count and cannot know what the clicking process spent, and the URL may have expired. Slack then refuses the
 * post (used_url, expired_url, an HTTP 404), ResponseUrls.post throws, and createSink's chain goes on as it does
 * for a live sink: an update to chat.postEphemeral to the clicker, else a DM; a secret to chat.postEphemeral only,
 * never to a channel or a DM. A message that is not ephemeral is updated with chat.update, no response URL needed.
 */
export function restoreClickSink(outlets: Outlets, data: Record<string, unknown>): ReplySink | undefined {
  const parsed = clickRefData.safeParse(data);
  if (!parsed.success) return undefined;
  const { userId, channelId, responseUrl, message } = parsed.data;
  return createSink(outlets, { kind: 'click', userId, ...(channelId ? { channelId } : {}), ...(responseUrl ? { responseUrl } : {}), ...(message ? { message } : {}) });
}
