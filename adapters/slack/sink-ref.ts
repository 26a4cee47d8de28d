// Rebuilds a click's sink from the reference stored with its dispatch records, so that whichever lockdesk process
// takes a follow-up round (or the same one after a restart) can keep the clicked message up to date.
import { z } from 'zod';
import type { ReplySink } from '../../src/core/index.js';
import { createSink, type Outlets } from './sink.js';

const slackId = z.string().regex(/^[A-Z0-9]{2,32}$/);

/**
 * A response URL lockdesk posts to: Slack's own (https on hooks.slack(-gov).com), or one on the origin of the
 * configured SLACK_API_URL (a Slack-compatible gateway, a test stub). Anything else in a stored reference is dropped.
 */
export function acceptableResponseUrl(value: unknown, apiOrigin: string): value is string {
  if (typeof value !== 'string' || value.length > 500 || !URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'https:' && /^hooks\.slack(-gov)?\.com$/.test(url.hostname)) || url.origin === apiOrigin;
}

/**
 * clickRef (sink.ts) writes this. Each part is read on its own: what does not read is dropped and the rest is used
 * (a follow-up never ends silently because, say, a response URL is no longer acceptable). The clicker's id is the
 * one part without which nothing can reach them.
 */
const clickRefData = z.object({
  userId: slackId,
  channelId: slackId.optional().catch(undefined),
  responseUrl: z.unknown().optional(),
  message: z.object({ channel: slackId, ts: z.string().regex(/^\d{1,20}\.\d{1,10}$/), ephemeral: z.boolean() }).optional().catch(undefined),
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
export function restoreClickSink(outlets: Outlets, data: Record<string, unknown>, live: { triggerId?: string } = {}): ReplySink | undefined {
  const parsed = clickRefData.safeParse(data);
  if (!parsed.success) return undefined;
  const { userId, channelId, message } = parsed.data;
  const responseUrl = acceptableResponseUrl(parsed.data.responseUrl, outlets.apiOrigin) ? parsed.data.responseUrl : undefined;
  // `live.triggerId`: the event that restores it now (a modal's submission) can open a modal again; never stored.
  const triggerId = live.triggerId !== undefined && /^[\w.-]{1,200}$/.test(live.triggerId) ? live.triggerId : undefined;
  return createSink(outlets, {
    kind: 'click',
    userId,
    ...(channelId ? { channelId } : {}),
    ...(responseUrl ? { responseUrl } : {}),
    ...(message ? { message } : {}),
    ...(triggerId ? { triggerId } : {}),
  });
}
