// SLACK_AUDIT_CHANNEL: one line per dispatched action and per result, saying who asked, which device and the
// outcome. Audit events hold no secrets, and only these fields of them are shown.
import type { webApi } from '@slack/bolt';
import { actionTitle, type ActorRef, type AuditEvent } from '../../src/core/index.js';
import type { Logger } from '../../src/ports.js';
import type { ObservedStore } from '../../src/store/observed-store.js';
import { clip, mrkdwn } from './limits.js';
import { slackFailure } from './slack-errors.js';

const EMOJI: Record<string, string> = { dispatching: ':outbox_tray:', sent: ':outbox_tray:', done: ':white_check_mark:', failed: ':x:', notSent: ':x:', canceled: ':warning:', notSupported: ':x:', unknown: ':grey_question:' };
const MAX_REMEMBERED = 10_000;
const OPEN = new Set(['dispatching', 'sent', 'pending', 'active']);

function who(actor: ActorRef | null | undefined): string {
  if (!actor) return 'lockdesk';
  if (actor.platform === 'slack') return actor.email ? `<@${actor.id}> (${mrkdwn(actor.email, 200)})` : `<@${actor.id}>`;
  return mrkdwn(actor.email ?? `${actor.platform}:${actor.id}`, 200);
}

/** The line for one event, or undefined for events the channel does not show. */
export function auditLine(event: AuditEvent, askedBy?: ActorRef | null): string | undefined {
  if ((event.event !== 'dispatch' && event.event !== 'result') || !event.action) return undefined;
  const device = `"${mrkdwn(event.deviceName ?? event.deviceId ?? 'unknown device', 200)}"${event.deviceId ? ` (\`${mrkdwn(event.deviceId, 80)}\`)` : ''}`;
  const outcome = event.event === 'dispatch' ? 'sent to Intune' : event.outcome;
  const reason = event.event === 'result' && event.reason ? `: ${mrkdwn(clip(event.reason, 300), 400)}` : '';
  const by = event.actor ? who(event.actor) : askedBy !== undefined ? who(askedBy) : 'an earlier request';
  return `${EMOJI[event.outcome] ?? ':information_source:'} ${actionTitle(event.action)} of ${device}, asked by ${by}: *${outcome}*${reason}`;
}

/** Posts each dispatch and result line to the channel; a failure is logged and never touches the action. */
export function attachAuditChannel(store: ObservedStore, client: webApi.WebClient, channel: string, logger: Logger): void {
  // Result events are lockdesk's own (actor null): the dispatch told who asked.
  const askedBy = new Map<string, ActorRef | null>();
  store.onAudit(async (event) => {
    if (event.event === 'dispatch' && event.dispatchId) {
      askedBy.set(event.dispatchId, event.actor);
      if (askedBy.size > MAX_REMEMBERED) askedBy.delete(askedBy.keys().next().value!);
    }
    const line = auditLine(event, event.dispatchId && askedBy.has(event.dispatchId) ? askedBy.get(event.dispatchId) : undefined);
    if (!line) return;
    if (event.event === 'result' && event.dispatchId && !OPEN.has(event.outcome)) askedBy.delete(event.dispatchId);
    try {
      await client.chat.postMessage({ channel, text: line, unfurl_links: false, unfurl_media: false });
    } catch (error) {
      logger.warn({ slackError: slackFailure(error).code, event: event.event, dispatchId: event.dispatchId }, 'could not post to the Slack audit channel');
    }
  });
}
