// The Teams adapter's mount on lockdesk's HTTP server: POST /api/messages, served by the Teams SDK v2 application.
import { PUBLIC, type CloudEnvironment } from '@microsoft/teams.api';
import type { App } from '../../src/app.js';
import { loadCertificate } from '../../src/backend/graph/settings.js';
import type { Config } from '../../src/config/index.js';
import { botTenant, teamsServed, teamsTenants } from '../../src/config/teams.js';
import { Secret } from '../../src/core/index.js';
import type { Logger } from '../../src/ports.js';
import type { Mount } from '../../src/server/mounts.js';
import { createTeamsBot, type TeamsBot } from './bot.js';
import type { BotCredential } from './bot-token.js';
import { MESSAGES_PATH, messagesRoute } from './http-route.js';
import { keySetUrlOf, PublishedKeyIds } from './token-check.js';
import { approvalSettingsOf } from './approval-settings.js';

/** The bot's credential: a certificate wins over a secret (it is the stronger one), as for Graph. */
export function botCredentialOf(config: Pick<Config, 'MICROSOFT_APP_TYPE' | 'MICROSOFT_APP_CERTIFICATE_PATH' | 'MICROSOFT_APP_PASSWORD'>): BotCredential | undefined {
  if (config.MICROSOFT_APP_TYPE === 'UserAssignedMSI') return { kind: 'managedIdentity' };
  if (config.MICROSOFT_APP_CERTIFICATE_PATH) return loadCertificate(config.MICROSOFT_APP_CERTIFICATE_PATH, 'MICROSOFT_APP_CERTIFICATE_PATH');
  return config.MICROSOFT_APP_PASSWORD ? { kind: 'secret', secret: new Secret(config.MICROSOFT_APP_PASSWORD) } : undefined;
}

/** `cloud`: Microsoft's public cloud unless given (tests point it at a local Bot Framework key set). */
export function createTeamsMount(app: Pick<App, 'config' | 'handler' | 'aadGroupsOf' | 'sinks' | 'approvals'>, logger: Logger, options: { cloud?: CloudEnvironment } = {}): { mount: Mount; bot: TeamsBot } {
  const { config } = app;
  const authenticated = config.MICROSOFT_APP_ID !== undefined;
  const tenants = teamsTenants(config);
  const cloud = options.cloud ?? PUBLIC;
  const bot = createTeamsBot({
    handler: app.handler,
    logger,
    appId: config.MICROSOFT_APP_ID,
    credential: authenticated ? botCredentialOf(config) : undefined,
    botTenantId: botTenant(config),
    cloud,
    invokeWaitMs: config.TEAMS_INVOKE_WAIT_MS,
    aadGroupsOf: app.aadGroupsOf,
    tenants,
    serviceUrl: config.TEAMS_SERVICE_URL,
  });
  // Follow-up rounds taken by this process, for clicks handled here before a restart or by another replica.
  app.sinks.register('teams', (data) => bot.restoreSink(data));
  const cards = registerApprovalCards(app, bot);
  const auth = authenticated ? 'Bot Framework authentication on' : 'DEMO mode: no authentication (no MICROSOFT_APP_ID), local clients only';
  const where = tenants.length > 0 ? `tenant ${tenants.join(', ')}` : 'any tenant';
  const mount: Mount = {
    describe: `Microsoft Teams: POST ${MESSAGES_PATH} (${auth}; ${where}; ${cards})`,
    routes: [
      messagesRoute({
        bot,
        authenticated,
        tokenIssuer: cloud.tokenIssuer,
        ...(authenticated ? { signingKeys: new PublishedKeyIds(keySetUrlOf(cloud.openIdMetadataUrl), logger) } : {}),
        logger,
      }),
    ],
    // Lets card updates already under way finish before the server closes.
    stop: () => bot.drain(),
  };
  return { mount, bot };
}

/** Approval cards go where the configuration says, when the bot may post there; returns where, or why not (for the banner). */
function registerApprovalCards(app: Pick<App, 'config' | 'approvals'>, bot: TeamsBot): string {
  const settings = approvalSettingsOf(app.config);
  if (!settings.ok) return settings.why;
  app.approvals.register('teams', bot.approvalNotifier(settings.settings));
  return settings.where;
}

const OFF_WITH_GRAPH =
  'Microsoft Teams: OFF. MICROSOFT_APP_ID is not set, and with a real Intune tenant (BACKEND=graph) Teams is served only with Bot Framework authentication. Set MICROSOFT_APP_ID and its credential (MICROSOFT_APP_PASSWORD, MICROSOFT_APP_CERTIFICATE_PATH or a managed identity) to serve it, or TEAMS_ENABLED=false.';

/** No mount when TEAMS_ENABLED=false; a routeless one that says why when a real backend has no app id. */
export function teamsMounts(app: App, logger: Logger): Mount[] {
  if (!app.config.TEAMS_ENABLED) return [];
  if (!teamsServed(app.config, app.config.BACKEND)) {
    logger.warn({}, OFF_WITH_GRAPH);
    return [{ describe: OFF_WITH_GRAPH, routes: [] }];
  }
  return [createTeamsMount(app, logger).mount];
}
