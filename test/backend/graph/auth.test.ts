// The token request through MSAL: secret and certificate, against a custom authority host (a national cloud),
// with MSAL's metadata requests going to that host and nowhere else.
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { ConfidentialClientApplication } from '@azure/msal-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTokenSource, RENEW_BEFORE_MS } from '../../../src/backend/graph/auth.js';
import { loadCertificate } from '../../../src/backend/graph/settings.js';
import { CapturingLogger, SECRET, settings, setupNock, teardownNock } from './helpers.js';

const HOST = 'https://login.sovereign.example';
const TENANT = '99999999-8888-4777-8666-555555555555';
const CERT = new URL('./fixtures/test-cert.pem', import.meta.url).pathname;

function metadata(scope: nock.Scope) {
  const base = `${HOST}/${TENANT}`;
  return scope
    .get(`/${TENANT}/v2.0/.well-known/openid-configuration`)
    .reply(200, {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      issuer: `${base}/v2.0`,
      jwks_uri: `${base}/discovery/v2.0/keys`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      response_types_supported: ['code'],
    });
}

const tokenReply = (n: number) => ({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: `access-token-${n}` });

describe('Graph tokens (MSAL client credentials)', () => {
  beforeEach(setupNock);
  afterEach(teardownNock);

  it('asks the configured authority host for metadata and a token with a client secret, and caches it', async () => {
    let form = '';
    const scope = metadata(nock(HOST))
      .post(`/${TENANT}/oauth2/v2.0/token`, (body: string | Record<string, string>) => {
        form = typeof body === 'string' ? body : new URLSearchParams(body).toString();
        return true;
      })
      .query(true)
      .reply(200, tokenReply(1));
    const logger = new CapturingLogger();
    const tokens = createTokenSource(settings({ tenantId: TENANT, authorityHost: HOST, graphBaseUrl: 'https://graph.sovereign.example' }), logger);
    expect(await tokens.getToken()).toBe('access-token-1');
    expect(await tokens.getToken()).toBe('access-token-1'); // cached: no second token request
    const params = new URLSearchParams(form);
    expect(params.get('grant_type')).toBe('client_credentials');
    expect(params.get('scope')).toContain('https://graph.sovereign.example/.default');
    expect(params.get('client_secret')).toBe(SECRET);
    expect(scope.isDone()).toBe(true);
    expect(logger.text).not.toContain(SECRET);
    expect(logger.text).not.toContain('access-token-1');
  });

  it('a fresh token skips the cache (after a 401)', async () => {
    metadata(nock(HOST)).post(`/${TENANT}/oauth2/v2.0/token`).query(true).reply(200, tokenReply(1)).post(`/${TENANT}/oauth2/v2.0/token`).query(true).reply(200, tokenReply(2));
    const tokens = createTokenSource(settings({ tenantId: TENANT, authorityHost: HOST }), new CapturingLogger());
    expect(await tokens.getToken()).toBe('access-token-1');
    expect(await tokens.getToken({ fresh: true })).toBe('access-token-2');
    expect(await tokens.getToken()).toBe('access-token-2'); // the refused one is not handed out again
  });

  it('holds the token without asking MSAL again until five minutes before it expires', async () => {
    metadata(nock(HOST)).post(`/${TENANT}/oauth2/v2.0/token`).query(true).reply(200, tokenReply(1));
    const asked = vi.spyOn(ConfidentialClientApplication.prototype, 'acquireTokenByClientCredential');
    let now = Date.now();
    const tokens = createTokenSource(settings({ tenantId: TENANT, authorityHost: HOST }), new CapturingLogger(), () => now);
    const first = await Promise.all([tokens.getToken(), tokens.getToken()]);
    expect(first).toEqual(['access-token-1', 'access-token-1']);
    expect(await tokens.getToken()).toBe('access-token-1');
    expect(asked).toHaveBeenCalledTimes(1); // the two concurrent callers shared one request, the third was held
    now += 3599_000 - RENEW_BEFORE_MS + 1_000;
    expect(await tokens.getToken()).toBe('access-token-1'); // MSAL's cache still answers (its clock is the real one)
    expect(asked).toHaveBeenCalledTimes(2);
    asked.mockRestore();
  });

  it('signs a client assertion with the certificate (thumbprint computed from the PEM), sending no secret', async () => {
    let form = '';
    metadata(nock(HOST))
      .post(`/${TENANT}/oauth2/v2.0/token`, (body: string | Record<string, string>) => {
        form = typeof body === 'string' ? body : new URLSearchParams(body).toString();
        return true;
      })
      .query(true)
      .reply(200, tokenReply(3));
    const credential = loadCertificate(CERT);
    expect(credential.kind).toBe('certificate');
    if (credential.kind !== 'certificate') return;
    expect(credential.thumbprintSha256).toMatch(/^[0-9a-f]{64}$/);
    const tokens = createTokenSource(settings({ tenantId: TENANT, authorityHost: HOST, credential }), new CapturingLogger());
    expect(await tokens.getToken()).toBe('access-token-3');
    const params = new URLSearchParams(form);
    expect(params.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const assertion = params.get('client_assertion') ?? '';
    const header = JSON.parse(Buffer.from(assertion.split('.')[0]!, 'base64url').toString()) as { alg: string; 'x5t#S256'?: string };
    expect(header['x5t#S256']).toBe(Buffer.from(credential.thumbprintSha256, 'hex').toString('base64url'));
    expect(params.get('client_secret')).toBeNull();
    expect(readFileSync(CERT, 'utf8')).toContain('BEGIN CERTIFICATE');
  });

  it('a refused sign-in becomes a plain error without the secret', async () => {
    metadata(nock(HOST))
      .post(`/${TENANT}/oauth2/v2.0/token`)
      .query(true)
      .reply(401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.', error_codes: [7000215], correlation_id: 'corr-1' });
    const tokens = createTokenSource(settings({ tenantId: TENANT, authorityHost: HOST }), new CapturingLogger());
    const error = await tokens.getToken().catch((e: unknown) => e as Error);
    expect(String((error as Error).message)).toContain('invalid_client');
    expect(String((error as Error).message)).not.toContain(SECRET);
  });
});
