// The Teams SDK's App with every option lockdesk depends on given explicitly. When an option is missing the SDK
// reads CLIENT_ID, CLIENT_SECRET, TENANT_ID, MANAGED_IDENTITY_CLIENT_ID, SERVICE_URL, CLOUD and
// DANGEROUSLY_ALLOW_UNAUTHENTICATED_REQUESTS from the environment; with each one given (an empty string where
// lockdesk has none: the SDK's fallback is `??`), no stray variable changes who lockdesk believes or how it signs in.
import { App } from '@microsoft/teams.apps';
import type { CloudEnvironment } from '@microsoft/teams.api';
import type { Logger } from '../../src/ports.js';
import { MESSAGES_PATH } from './http-route.js';
import { botTokenProvider, type BotCredential } from './bot-token.js';
import type { RouteAdapter } from './route-adapter.js';
import { sdkLogger } from './sdk-logger.js';

export interface SdkAppOptions {
  /**
   * Unset: the demo mode. The SDK then has no credentials, sends no token and would refuse every request: lockdesk's
   * route vouches for the demo's local requests itself (http-route.ts).
   */
  appId: string | undefined;
  credential: BotCredential | undefined;
  tenantId: string | undefined;
  cloud: CloudEnvironment;
  adapter: RouteAdapter;
  logger: Logger;
}

/** Only for App.send(), which lockdesk never calls (replies go to each conversation's own service URL). */
const UNUSED_SERVICE_URL = 'https://smba.trafficmanager.net/teams';

export function createSdkApp(options: SdkAppOptions): App {
  const { appId, credential, cloud, adapter } = options;
  if (appId !== undefined && credential === undefined) throw new Error('the Teams bot has an app id but no credential');
  const logger = sdkLogger(options.logger, 'teams-sdk', undefined, appId === undefined ? DEMO_EXPECTED : []);
  return new App({
    clientId: appId ?? '',
    // Never the SDK's own credential: its tokens come from `token` (bot-token.ts), whatever the kind.
    clientSecret: '',
    managedIdentityClientId: '',
    ...(appId !== undefined ? { token: botTokenProvider({ appId, credential: credential!, loginEndpoint: cloud.loginEndpoint, botScope: cloud.botScope, logger: options.logger }) } : {}),
    tenantId: options.tenantId ?? '',
    cloud,
    serviceUrl: UNUSED_SERVICE_URL,
    // Every request must carry a valid Bot Framework token; the demo mode's requests are vouched for by lockdesk.
    dangerouslyAllowUnauthenticatedRequests: false,
    httpServerAdapter: adapter,
    messagingEndpoint: MESSAGES_PATH,
    logger,
    client: { logger: logger.child('http'), timeout: 30_000 },
    // The bot's own @mention is stripped by lockdesk (identity.ts): stripText would remove every mention.
    activity: { mentions: { stripText: false } },
    state: false,
    plugins: [],
    oauthFlows: [],
    telemetry: { agent365: false },
  });
}

/** The SDK warns at start-up that without credentials it refuses everything; in the demo mode lockdesk vouches. */
const DEMO_EXPECTED = [/^No credentials configured and dangerouslyAllowUnauthenticatedRequests is not enabled/];
