// The bot's own credential other than a secret: a certificate (msal-node's clientCertificate, as for Graph) and a
// managed identity (here App Service's endpoint, on loopback). Each answers a command with a real token round.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { botFrameworkToken, startBotFrameworkKeys, type BotFrameworkKeys } from './bot-framework-keys.js';
import { entraTokens } from './entra-fake.js';
import { AUTH_SERVICE_URL, startHarness, type Harness } from './harness.js';
import { APP_ID, BOT_TOKEN, fromOurTenant, OURS } from './bot-app.js';

const CERT = new URL('../../backend/graph/fixtures/test-cert.pem', import.meta.url).pathname;

let keys: BotFrameworkKeys;
let h: Harness | undefined;
beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
  keys = await startBotFrameworkKeys();
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await h?.close();
  h = undefined;
});
afterAll(async () => {
  await keys.close();
  nock.enableNetConnect();
});

const teamsToken = () => ({ authorization: `Bearer ${botFrameworkToken(keys.key.privateKey, APP_ID, AUTH_SERVICE_URL)}` });
const repliesAuthorization = (harness: Harness) => harness.sent.filter((s) => s.method === 'POST').map((s) => s.authorization);

describe('the Teams bot signs in', () => {
  it('with a certificate: a signed client assertion naming the certificate, no secret', async () => {
    h = await startHarness({ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_CERTIFICATE_PATH: CERT, MICROSOFT_APP_TENANT_ID: OURS }, { cloud: keys.cloud });
    const entra = entraTokens(OURS, BOT_TOKEN);
    expect((await h.post(fromOurTenant(), teamsToken())).status).toBe(200);
    expect(repliesAuthorization(h)).toEqual([`Bearer ${BOT_TOKEN}`]);
    const form = entra.forms[0]!;
    expect(form.get('client_secret')).toBeNull();
    expect(form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const header = JSON.parse(Buffer.from(form.get('client_assertion')!.split('.')[0]!, 'base64url').toString());
    const thumbprint = new X509Certificate(readFileSync(CERT)).fingerprint256.replace(/:/g, '');
    expect(Buffer.from(header['x5t#S256'], 'base64url').toString('hex').toUpperCase()).toBe(thumbprint);
    expect(header.x5c).toBeDefined();
  });

  it('with a managed identity (MICROSOFT_APP_TYPE=UserAssignedMSI): the identity endpoint, for the app id', async () => {
    const asked: URL[] = [];
    const identity: Server = createServer((req, res) => {
      asked.push(new URL(req.url ?? '/', 'http://127.0.0.1'));
      const secret = req.headers['x-identity-header'];
      if (secret !== 'local-identity-header') return res.writeHead(401).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: BOT_TOKEN, expires_on: String(Math.floor(Date.now() / 1000) + 3600), resource: 'https://api.botframework.com', token_type: 'Bearer' }));
    });
    await new Promise<void>((resolve) => identity.listen(0, '127.0.0.1', resolve));
    try {
      vi.stubEnv('IDENTITY_ENDPOINT', `http://127.0.0.1:${(identity.address() as AddressInfo).port}/msi/token`);
      vi.stubEnv('IDENTITY_HEADER', 'local-identity-header');
      h = await startHarness({ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_TYPE: 'UserAssignedMSI', MICROSOFT_APP_TENANT_ID: OURS }, { cloud: keys.cloud });
      expect((await h.post(fromOurTenant(), teamsToken())).status).toBe(200);
      expect(repliesAuthorization(h)).toEqual([`Bearer ${BOT_TOKEN}`]);
      expect(asked.map((u) => [u.searchParams.get('resource'), u.searchParams.get('client_id')])).toEqual([['https://api.botframework.com', APP_ID]]);
    } finally {
      await new Promise((resolve) => identity.close(resolve));
    }
  });
});
