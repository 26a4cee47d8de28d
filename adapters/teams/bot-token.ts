// The bot's own tokens (for the Bot Connector) through msal-node, handed to the Teams SDK as its `token` callback:
// a client secret, a certificate (as the Graph backend signs in) or a managed identity. The SDK then never builds a
// credential of its own, so no CLIENT_SECRET or MANAGED_IDENTITY_CLIENT_ID in the environment changes how it signs in.
import { ConfidentialClientApplication, LogLevel, ManagedIdentityApplication, type Configuration } from '@azure/msal-node';
import type { Secret } from '../../src/core/index.js';
import type { Logger } from '../../src/ports.js';

export type BotCredential =
  | { kind: 'secret'; secret: Secret }
  /** privateKey is PKCS#8 PEM; x5c the certificate (PEM), sent so Entra can do subject-name/issuer auth. */
  | { kind: 'certificate'; privateKey: Secret; thumbprintSha256: string; x5c: string }
  /** A user-assigned managed identity whose client id is the bot's app id. */
  | { kind: 'managedIdentity' };

export interface BotTokenOptions {
  appId: string;
  credential: BotCredential;
  /** e.g. https://login.microsoftonline.com */
  loginEndpoint: string;
  /** The only scope handed out: the Bot Connector's (an SDK feature asking for Graph gets nothing). */
  botScope: string;
  logger: Logger;
}

/** The SDK's `token` callback: `(scope, tenantId) → access token`. Errors name MSAL's code, never the request. */
export type BotTokenProvider = (scope: string | string[], tenantId?: string) => Promise<string>;

export function botTokenProvider(options: BotTokenOptions): BotTokenProvider {
  const { appId, credential, botScope, logger } = options;
  const system: Configuration['system'] = {
    loggerOptions: {
      piiLoggingEnabled: false,
      logLevel: LogLevel.Warning,
      // MSAL's own lines carry no token (PII logging is off); they are passed on at debug level.
      loggerCallback: (level, message, containsPii) => {
        if (!containsPii && level <= LogLevel.Warning) logger.debug({ msal: true }, message);
      },
    },
  };
  const acquire = credential.kind === 'managedIdentity' ? fromManagedIdentity(appId, system) : fromClientCredential(appId, credential, options.loginEndpoint, system);
  return async (scopes, tenantId) => {
    const scope = [scopes].flat().join(' ');
    if (scope !== botScope) throw new Error(`lockdesk's Teams bot asks for Bot Connector tokens only, not for ${scope}`);
    try {
      const token = await acquire(scope, tenantId ?? 'botframework.com');
      if (!token) throw new Error('the token endpoint returned no access token');
      return token;
    } catch (error) {
      throw tokenError(error);
    }
  };
}

type Acquire = (scope: string, tenantId: string) => Promise<string | undefined>;

/** One MSAL client per tenant (MSAL caches each one's token and renews it before it expires). */
function fromClientCredential(appId: string, credential: Exclude<BotCredential, { kind: 'managedIdentity' }>, loginEndpoint: string, system: Configuration['system']): Acquire {
  const byTenant = new Map<string, ConfidentialClientApplication>();
  return async (scope, tenantId) => {
    let app = byTenant.get(tenantId);
    if (!app) {
      app = new ConfidentialClientApplication({
        auth: {
          clientId: appId,
          authority: `${loginEndpoint}/${tenantId}`,
          // A known authority is trusted as it is: MSAL then asks no other host (no instance discovery).
          knownAuthorities: [new URL(loginEndpoint).host],
          ...(credential.kind === 'secret'
            ? { clientSecret: credential.secret.reveal() }
            : { clientCertificate: { thumbprintSha256: credential.thumbprintSha256, privateKey: credential.privateKey.reveal(), x5c: credential.x5c } }),
        },
        system,
      });
      byTenant.set(tenantId, app);
    }
    return (await app.acquireTokenByClientCredential({ scopes: [scope] }))?.accessToken;
  };
}

/** The managed identity's endpoint takes a resource, not a scope. */
function fromManagedIdentity(appId: string, system: Configuration['system']): Acquire {
  const app = new ManagedIdentityApplication({ managedIdentityIdParams: { userAssignedClientId: appId }, system });
  return async (scope) => (await app.acquireToken({ resource: scope.replace(/\/\.default$/, '') })).accessToken;
}

/** MSAL's error code and the first line of its description; no cause (MSAL's error can quote the request). */
function tokenError(error: unknown): Error {
  const e = error as { errorCode?: string; errorMessage?: string; message?: string };
  const detail = (e.errorMessage ?? e.message ?? '').split(/\r?\n/)[0]?.slice(0, 300) ?? '';
  return new Error(`Cannot get the Teams bot's token: ${e.errorCode ?? 'token_error'}: ${detail}`);
}
