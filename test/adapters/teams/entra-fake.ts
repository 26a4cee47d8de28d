// Entra's sign-in endpoints for one tenant, as nock interceptors: MSAL's metadata request and the token request of
// the bot's client-credentials grant (recorded, to see which credential lockdesk used), and the tenant's signing
// keys (for tokens Entra would issue).
import type { KeyObject } from 'node:crypto';
import nock from 'nock';

export const LOGIN = 'https://login.microsoftonline.com';

export interface TokenRequests {
  /** The form of each token request. */
  forms: URLSearchParams[];
}

/** The tenant's token endpoint, answering every request with `accessToken`. */
export function entraTokens(tenantId: string, accessToken: string): TokenRequests {
  const forms: URLSearchParams[] = [];
  const base = `${LOGIN}/${tenantId}`;
  nock(LOGIN)
    .persist()
    .get(`/${tenantId}/v2.0/.well-known/openid-configuration`)
    .reply(200, {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      issuer: `${base}/v2.0`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      response_types_supported: ['code'],
    })
    .post(`/${tenantId}/oauth2/v2.0/token`, (body: string | Record<string, string>) => {
      forms.push(new URLSearchParams(typeof body === 'string' ? body : body));
      return true;
    })
    .query(true)
    .reply(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken });
  return { forms };
}

/** The tenant's published signing keys (what the SDK fetches to verify a token Entra issued for that tenant). */
export function entraKeys(tenantId: string, publicKey: KeyObject, kid: string): void {
  nock(LOGIN)
    .persist()
    .get(`/${tenantId}/discovery/v2.0/keys`)
    .reply(200, { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }] });
}
