// The Teams adapter's mount on lockdesk's HTTP server: POST /api/messages, served by the teams-ai application.
import type { App } from '../../src/app.js';
import type { Logger } from '../../src/ports.js';
import type { Mount } from '../../src/server/mounts.js';
import { createTeamsBot, type TeamsBot } from './bot.js';
import { MESSAGES_PATH, messagesRoute } from './http-route.js';

export function createTeamsMount(app: Pick<App, 'config' | 'handler' | 'aadGroupsOf' | 'sinks'>, logger: Logger): { mount: Mount; bot: TeamsBot } {
  const { config } = app;
  const bot = createTeamsBot({
    handler: app.handler,
    logger,
    appId: config.MICROSOFT_APP_ID,
    appPassword: config.MICROSOFT_APP_PASSWORD,
    appTenantId: config.MICROSOFT_APP_TENANT_ID,
    appType: config.MICROSOFT_APP_TYPE,
    invokeWaitMs: config.TEAMS_INVOKE_WAIT_MS,
    aadGroupsOf: app.aadGroupsOf,
  });
  // Follow-up rounds taken by this process, for clicks handled here before a restart or by another replica.
  app.sinks.register('teams', (data) => bot.restoreSink(data));
  const auth = config.MICROSOFT_APP_ID ? 'Bot Framework authentication on' : 'authentication OFF (no MICROSOFT_APP_ID; loopback only)';
  const mount: Mount = {
    describe: `POST ${MESSAGES_PATH} (Microsoft Teams, ${auth})`,
    routes: [
      messagesRoute(
        (req, res, logic) => bot.adapter.process(req, res, logic),
        async (ctx) => {
          await bot.application.run(ctx);
        },
        (status) => logger.warn({ status }, 'Teams: request refused before it reached lockdesk (authentication failed); answered 401'),
      ),
    ],
    // Lets card updates already under way finish before the server closes.
    stop: () => bot.drain(),
  };
  return { mount, bot };
}

/** No mount when TEAMS_ENABLED=false. */
export function teamsMounts(app: App, logger: Logger): Mount[] {
  return app.config.TEAMS_ENABLED ? [createTeamsMount(app, logger).mount] : [];
}
