// Where Teams approval cards go, from the configuration: the conversation (or personal chats), the connector's
// service URL, the bot and its tenant; or why this process cannot post them.
import type { Config } from '../../src/config/index.js';
import { botTenant, teamsTenants } from '../../src/config/teams.js';
import { mayReplyTo } from './activity-check.js';
import type { TeamsApprovalSettings } from './approval-notifier.js';

/** The bot in the demo mode (no app id): a local Teams client takes any id. */
const DEMO_BOT_ID = '28:lockdesk';

type Settings = Pick<Config, 'MICROSOFT_APP_ID' | 'MICROSOFT_APP_TYPE' | 'MICROSOFT_APP_TENANT_ID' | 'AZURE_TENANT_ID' | 'TEAMS_ALLOWED_TENANTS' | 'TEAMS_APPROVALS_CONVERSATION' | 'TEAMS_SERVICE_URL'>;

export function approvalSettingsOf(config: Settings): { ok: true; settings: TeamsApprovalSettings; where: string } | { ok: false; why: string } {
  const authenticated = config.MICROSOFT_APP_ID !== undefined;
  if (!mayReplyTo(config.TEAMS_SERVICE_URL, authenticated)) {
    return {
      ok: false,
      why: `approval cards OFF: the demo mode posts only on this machine, and TEAMS_SERVICE_URL (${config.TEAMS_SERVICE_URL}) is not (set it to the local Teams client's service URL)`,
    };
  }
  // Personal chats are opened in the bot's tenant (a multi-tenant bot's, when it serves one tenant only).
  const tenants = teamsTenants(config);
  const tenantId = botTenant(config) ?? (tenants.length === 1 ? tenants[0] : undefined);
  const bot = { id: authenticated ? `28:${config.MICROSOFT_APP_ID}` : DEMO_BOT_ID, name: 'lockdesk' };
  const conversationId = config.TEAMS_APPROVALS_CONVERSATION;
  const where = conversationId
    ? `approval cards to TEAMS_APPROVALS_CONVERSATION via ${config.TEAMS_SERVICE_URL}`
    : `approval cards to the personal chats of teams:<object id> approvers via ${config.TEAMS_SERVICE_URL}`;
  return { ok: true, settings: { ...(conversationId ? { conversationId } : {}), serviceUrl: config.TEAMS_SERVICE_URL, bot, ...(tenantId ? { tenantId } : {}) }, where };
}
