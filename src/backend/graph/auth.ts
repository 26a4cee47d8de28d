// App-only tokens through MSAL's client-credentials flow. MSAL caches the token and fetches a new one before it
// expires, and the token is held here too until then; `fresh` skips both caches once (after a 401). MSAL reaches only
// the configured authority host.
import { ConfidentialClientApplication, LogLevel, type Configuration } from '@azure/msal-node';
import { ERROR_CODES, LockdeskError } from '../../core/errors.js';
import type { Logger } from '../../ports.js';
import type { GraphSettings } from './settings.js';

export interface TokenSource {
  /** A bearer token for Graph; never log it. */
  getToken(options?: { fresh?: boolean }): Promise<string>;
}

export function graphScope(settings: Pick<GraphSettings, 'graphBaseUrl'>): string {
  return `${settings.graphBaseUrl}/.default`;
}

export function msalConfiguration(settings: GraphSettings, logger: Logger): Configuration {
  const host = new URL(settings.authorityHost).host;
  const credential = settings.credential;
  return {
    auth: {
      clientId: settings.clientId,
      authority: `${settings.authorityHost}/${settings.tenantId}`,
      // A known authority is trusted as it is: MSAL then asks no other host (no instance discovery).
      knownAuthorities: [host],
      ...(credential.kind === 'secret'
        ? { clientSecret: credential.clientSecret.reveal() }
        : { clientCertificate: { thumbprintSha256: credential.thumbprintSha256, privateKey: credential.privateKey.reveal(), x5c: credential.x5c } }),
    },
    system: {
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: LogLevel.Warning,
        // MSAL's own lines carry no token (PII logging is off); they are passed on at debug level.
        loggerCallback: (level, message, containsPii) => {
          if (!containsPii && level <= LogLevel.Warning) logger.debug({ msal: true }, message);
        },
      },
    },
  };
}

/** MSAL renews a cached token this long before it expires (its tokenRenewalOffsetSeconds); so does the copy here. */
export const RENEW_BEFORE_MS = 5 * 60_000;

export function createTokenSource(settings: GraphSettings, logger: Logger, now: () => number = Date.now): TokenSource {
  const app = new ConfidentialClientApplication(msalConfiguration(settings, logger));
  const scopes = [graphScope(settings)];
  // MSAL's own cache costs about 0.15 ms of CPU a call (request building, cache scans); every Graph request asks for a
  // token, so at a few hundred requests a second the token is kept here until MSAL itself would renew it.
  let held: { token: string; renewAt: number } | undefined;
  let asking: Promise<string> | undefined;
  // A fresh token (after a 401) starts a new generation: an older request that answers later must not bring back the
  // token Graph refused.
  let generation = 0;
  const acquire = async (fresh: boolean): Promise<string> => {
    const mine = fresh ? ++generation : generation;
    try {
      const result = await app.acquireTokenByClientCredential({ scopes, skipCache: fresh });
      if (!result?.accessToken) throw new Error('the token endpoint returned no access token');
      const renewAt = Math.min(result.expiresOn ? result.expiresOn.getTime() - RENEW_BEFORE_MS : 0, result.refreshOn?.getTime() ?? Number.POSITIVE_INFINITY);
      if (mine === generation) held = renewAt > now() ? { token: result.accessToken, renewAt } : undefined;
      return result.accessToken;
    } catch (error) {
      throw tokenError(error);
    }
  };
  return {
    async getToken(options = {}) {
      if (options.fresh === true) {
        held = undefined;
        return acquire(true);
      }
      if (held && now() < held.renewAt) return held.token;
      // Callers that arrive while MSAL is asked share its answer.
      asking ??= acquire(false).finally(() => {
        asking = undefined;
      });
      return asking;
    },
  };
}

/** MSAL's error code and the first line of its description (AADSTS…); never the request, which holds the credential. */
function tokenError(error: unknown): LockdeskError {
  const e = error as { errorCode?: string; errorMessage?: string; correlationId?: string; message?: string };
  const code = e.errorCode ?? 'token_error';
  const detail = (e.errorMessage ?? e.message ?? '').split(/\r?\n/)[0]?.slice(0, 300) ?? '';
  const network = /network|ECONN|ENOTFOUND|ETIMEDOUT|endpoints_resolution/i.test(`${code} ${detail}`);
  return new LockdeskError(network ? ERROR_CODES.UNAVAILABLE : ERROR_CODES.FORBIDDEN, `Cannot get a Graph token: ${code}: ${detail}`, {
    userMessage: network
      ? 'lockdesk cannot reach the Microsoft sign-in service right now; nothing was sent. Try again in a minute.'
      : 'lockdesk cannot sign in to Microsoft Graph (check the app registration, its secret or certificate, and admin consent); nothing was sent.',
    ...(e.correlationId ? { requestId: e.correlationId } : {}),
    // No cause: MSAL's error can quote the whole request, credential included.
  });
}
