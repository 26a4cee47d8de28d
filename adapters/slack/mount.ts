// The Slack adapter as a mount of lockdesk's HTTP server: POST /slack/events (or Socket Mode), and the audit
// channel when SLACK_AUDIT_CHANNEL is set. Its banner line and /healthz say whether Slack is connected.
import type { App } from '../../src/app.js';
import type { Logger } from '../../src/ports.js';
import type { Mount } from '../../src/server/mounts.js';
import { slackApprovalNotifier } from './approval-cards.js';
import { attachAuditChannel } from './audit-channel.js';
import type { SlackStatus } from './connection.js';
import { createSlackAdapter, SLACK_EVENTS_PATH, type SlackAdapter, type SlackAdapterOptions } from './slack-adapter.js';

export type SlackMountOverrides = Partial<Pick<SlackAdapterOptions, 'botId' | 'botUserId' | 'responseUrls' | 'retries' | 'connectBackoffMs'>>;

export interface SlackMount extends Mount {
  adapter: SlackAdapter;
}

const degraded = (status: SlackStatus) =>
  status.state === 'connected' ? '' : status.state === 'stopped' ? ' (stopped)' : ` (DEGRADED: ${status.reason}${status.retryInMs > 0 ? `; trying again in ${Math.round(status.retryInMs / 1000)} s` : ''})`;

export async function slackMount(app: App, logger: Logger, overrides: SlackMountOverrides = {}): Promise<SlackMount> {
  const config = app.config;
  if (!config.SLACK_BOT_TOKEN) throw new Error('the Slack mount needs SLACK_BOT_TOKEN');
  const adapter = createSlackAdapter({
    handler: app.handler,
    policy: app.policy,
    logger,
    botToken: config.SLACK_BOT_TOKEN,
    apiUrl: config.SLACK_API_URL,
    teamId: config.SLACK_TEAM_ID,
    ...(config.SLACK_SIGNING_SECRET ? { signingSecret: config.SLACK_SIGNING_SECRET } : {}),
    ...(config.SLACK_APP_TOKEN ? { appToken: config.SLACK_APP_TOKEN } : {}),
    ...overrides,
  });
  // Follow-up rounds taken by this process, for clicks handled here before a restart or by another replica.
  app.sinks.register('slack', (data) => adapter.restoreSink(data));
  if (config.SLACK_AUDIT_CHANNEL) attachAuditChannel(app.store, adapter.client, config.SLACK_AUDIT_CHANNEL, logger);
  app.approvals.register('slack', slackApprovalNotifier({ client: adapter.client, directory: adapter.directory, logger, channel: config.SLACK_APPROVALS_CHANNEL }));
  const audit = config.SLACK_AUDIT_CHANNEL ? `, audit lines to ${config.SLACK_AUDIT_CHANNEL}` : '';
  const approvals = config.SLACK_APPROVALS_CHANNEL ? `, approval cards to ${config.SLACK_APPROVALS_CHANNEL}` : '';
  const listener = adapter.listener;
  const where = listener ? `POST ${SLACK_EVENTS_PATH}` : 'Socket Mode (no public URL)';
  return {
    adapter,
    get describe() {
      return `Slack: ${where}${audit}${approvals}${degraded(adapter.status)}`;
    },
    health: () => ({ slack: adapter.status.state === 'connected' ? 'ok' : 'degraded', ...(adapter.status.state === 'connecting' ? { slackReason: adapter.status.reason } : {}) }),
    routes: listener ? [{ method: 'POST', path: SLACK_EVENTS_PATH, listener }] : [],
    start: () => adapter.start(),
    stop: () => adapter.stop(),
  };
}
