// The Teams adapter's mount on lockdesk's HTTP server: POST /api/messages, served by the teams-ai application.
import type { App } from '../../src/app.js';
import { teamsServed, teamsTenants } from '../../src/config/teams.js';
import type { Logger } from '../../src/ports.js';
import type { Mount } from '../../src/server/mounts.js';
import { createTeamsBot, type TeamsBot } from './bot.js';
import { MESSAGES_PATH, messagesRoute } from './http-route.js';
import { quietTokenRejections } from './quiet-auth-noise.js';

export function createTeamsMount(app: Pick<App, 'config' | 'handler' | 'aadGroupsOf' | 'sinks'>, logger: Logger): { mount: Mount; bot: TeamsBot } {
  const { config } = app;
  const authenticated = config.MICROSOFT_APP_ID !== undefined;
  if (authenticated) quietTokenRejections(logger);
  const tenants = teamsTenants(config);
  const bot = createTeamsBot({
    handler: app.handler,
    logger,
    appId: config.MICROSOFT_APP_ID,
    appPassword: config.MICROSOFT_APP_PASSWORD,
    appTenantId: config.MICROSOFT_APP_TENANT_ID,
    appType: config.MICROSOFT_APP_TYPE,
    invokeWaitMs: config.TEAMS_INVOKE_WAIT_MS,
    aadGroupsOf: app.aadGroupsOf,
    tenants,
  });
  // Follow-up rounds taken by this process, for clicks handled here before a restart or by another replica.
  app.sinks.register('teams', (data) => bot.restoreSink(data));
  const auth = authenticated ? 'Bot Framework authentication on' : 'DEMO mode: no authentication (no MICROSOFT_APP_ID), local clients only';
  const where = tenants.length > 0 ? `tenant ${tenants.join(', ')}` : 'any tenant';
  const mount: Mount = {
    describe: `Microsoft Teams: POST ${MESSAGES_PATH} (${auth}; ${where})`,
    routes: [
      messagesRoute({
        processActivity: (req, res, logic) => bot.adapter.process(req, res, logic),
        logic: async (ctx) => {
          await bot.application.run(ctx);
        },
        authenticated,
        tenants,
        onForeignTenant: (activity) => bot.refuseForeignTenant(activity),
        logger,
      }),
    ],
    // Lets card updates already under way finish before the server closes.
    stop: () => bot.drain(),
  };
  return { mount, bot };
}

const OFF_WITH_GRAPH =
  'Microsoft Teams: OFF. MICROSOFT_APP_ID is not set, and with a real Intune tenant (BACKEND=graph) Teams is served only with Bot Framework authentication. Set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD to serve it, or TEAMS_ENABLED=false.';

/** No mount when TEAMS_ENABLED=false; a routeless one that says why when a real backend has no app id. */
export function teamsMounts(app: App, logger: Logger): Mount[] {
  if (!app.config.TEAMS_ENABLED) return [];
  if (!teamsServed(app.config, app.config.BACKEND)) {
    logger.warn({}, OFF_WITH_GRAPH);
    return [{ describe: OFF_WITH_GRAPH, routes: [] }];
  }
  return [createTeamsMount(app, logger).mount];
}
