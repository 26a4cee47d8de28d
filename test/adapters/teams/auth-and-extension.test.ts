// Bot Framework authentication on and off, the loopback rule, and the "Find device" message extension.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { isLoopbackHost } from '../../../src/config/teams.js';
import { ALICE, message, personalOf, startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
});
afterAll(() => nock.enableNetConnect());
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const auditCount = async (harness: Harness) => {
  let n = 0;
  for await (const _ of harness.app.store.audit.read()) n++;
  return n;
};

const APP_ID = '7e1d3c9a-0000-4000-8000-00000000b07a';
const TENANT_ID = '5b0c6e3e-1d8f-4c2a-9a47-0b7a3f1e2d44';
const published = generateKeyPairSync('rsa', { modulusLength: 2048 });
const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** Bot Framework's OpenID metadata and signing keys, as login.botframework.com would serve them. */
function fakeBotFrameworkKeys() {
  const jwk = published.publicKey.export({ format: 'jwk' });
  nock('https://login.botframework.com')
    .persist()
    .get('/v1/.well-known/openidconfiguration')
    .reply(200, { issuer: 'https://api.botframework.com', jwks_uri: 'https://login.botframework.com/v1/.well-known/keys', id_token_signing_alg_values_supported: ['RS256'] })
    .get('/v1/.well-known/keys')
    .reply(200, { keys: [{ ...jwk, kid: 'key-1', use: 'sig', alg: 'RS256', endorsements: ['msteams'] }] });
}

function jwt(key: KeyObject): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${part({ alg: 'RS256', typ: 'JWT', kid: 'key-1' })}.${part({ iss: 'https://api.botframework.com', aud: APP_ID, nbf: now - 60, exp: now + 3600, serviceurl: 'https://smba.example.test/' })}`;
  return `${head}.${sign('RSA-SHA256', Buffer.from(head), key).toString('base64url')}`;
}

describe('Teams authentication', () => {
  it('with an app id, a request without a token or with a bad one gets 401 and nothing is dispatched', async () => {
    h = await startHarness({ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'not-a-real-secret', MICROSOFT_APP_TENANT_ID: TENANT_ID });
    fakeBotFrameworkKeys();
    const lock = message(ALICE, "lock Alice's iPhone");
    expect((await h.post(lock)).status).toBe(401);
    expect((await h.post(lock, { authorization: 'Bearer not.a.jwt' })).status).toBe(401);
    // Well formed, right issuer and audience, but signed with a key Bot Framework never published.
    expect((await h.post(lock, { authorization: `Bearer ${jwt(attacker.privateKey)}` })).status).toBe(401);
    expect(h.sent).toEqual([]);
    expect(await auditCount(h)).toBe(0);
  });

  it('without an app id (the demo mode) a local client\'s requests are accepted, token or not', async () => {
    h = await startHarness();
    expect((await h.post(message(ALICE, 'help'), { authorization: 'Bearer anything' })).status).toBe(200);
    expect(h.sent.filter((s) => s.method === 'POST')).toHaveLength(1);
  });

  it('a body that is not a JSON object is refused with 400', async () => {
    h = await startHarness();
    const res = await fetch(`${h.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1,2' });
    expect(res.status).toBe(400);
  });
});

describe('Teams configuration', () => {
  it('refuses to start without an app id on a non-loopback address, with a clear message', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/MICROSOFT_APP_ID: is not set, so Teams requests would not be authenticated; that is allowed only when HOST is a loopback address \(HOST is "0\.0\.0\.0"\)/);
    expect(() => loadConfig({ HOST: '0.0.0.0', MICROSOFT_APP_ID: 'id' })).toThrow(/MICROSOFT_APP_PASSWORD/);
    expect(() => loadConfig({ HOST: '0.0.0.0', MICROSOFT_APP_ID: 'id', MICROSOFT_APP_PASSWORD: 'pw', MICROSOFT_APP_TYPE: 'SingleTenant' })).toThrow(/MICROSOFT_APP_TENANT_ID/);
  });

  it('accepts no app id on loopback, an app id anywhere, and TEAMS_ENABLED=false anywhere', () => {
    expect(loadConfig({ HOST: '127.0.0.1' }).MICROSOFT_APP_ID).toBeUndefined();
    expect(loadConfig({ HOST: '::1' }).TEAMS_ENABLED).toBe(true);
    expect(loadConfig({ HOST: '0.0.0.0', MICROSOFT_APP_ID: 'id', MICROSOFT_APP_PASSWORD: 'pw', MICROSOFT_APP_TENANT_ID: TENANT_ID }).MICROSOFT_APP_TYPE).toBe('SingleTenant');
    expect(loadConfig({ HOST: '0.0.0.0', TEAMS_ENABLED: 'false' }).TEAMS_ENABLED).toBe(false);
    expect(['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.1', 'lockdesk.example.com', '128.0.0.1'].some(isLoopbackHost)).toBe(false);
  });
});

describe('Teams message extension "Find device"', () => {
  it('returns a device card per match from the handler\'s devices look-up', async () => {
    h = await startHarness();
    const res = await h.post({
      ...message(ALICE, ''),
      type: 'invoke',
      name: 'composeExtension/query',
      value: { commandId: 'findDevice', parameters: [{ name: 'query', value: 'Alice' }], queryOptions: { skip: 0, count: 25 } },
      conversation: { id: personalOf(ALICE).id, conversationType: 'personal', tenantId: 'tenant-contoso' },
    });
    expect(res.status).toBe(200);
    const result = res.body.composeExtension;
    expect(result).toMatchObject({ type: 'result', attachmentLayout: 'list' });
    expect(result.attachments.map((a: any) => a.preview.content.title)).toEqual(['ALICE-LAPTOP', "Alice's iPhone", "Alice's MacBook Pro", "Alice's Pixel 8"]);
    expect(result.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(result.attachments[1].content)).toContain('…N72Q');
    expect(JSON.stringify(result.attachments[1].content)).not.toContain('Action.Execute');
    expect(h.sent.filter((s) => s.method !== 'GET')).toEqual([]);
  });

  it('a query nothing matches gives the handler\'s sentence', async () => {
    h = await startHarness();
    const res = await h.post({ ...message(ALICE, ''), type: 'invoke', name: 'composeExtension/query', value: { commandId: 'findDevice', parameters: [{ name: 'query', value: 'no-such-device' }] } });
    expect(res.body.composeExtension).toMatchObject({ type: 'message' });
    expect(res.body.composeExtension.text).toContain('No device matches');
  });
});
