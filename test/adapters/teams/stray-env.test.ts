// The Teams SDK reads CLIENT_ID, CLIENT_SECRET, TENANT_ID, MANAGED_IDENTITY_CLIENT_ID, SERVICE_URL, CLOUD and
// DANGEROUSLY_ALLOW_UNAUTHENTICATED_REQUESTS from the environment for every option it is not given. lockdesk
// gives them all: such variables, left in the environment by anything, change nothing.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { botFrameworkToken, startBotFrameworkKeys, type BotFrameworkKeys } from './bot-framework-keys.js';
import { entraTokens } from './entra-fake.js';
import { ALICE, AUTH_SERVICE_URL, message, startHarness, type Harness } from './harness.js';
import { APP_ID, BOT_TOKEN, fromOurTenant, OURS, SECRET } from './bot-app.js';

const STRAY = {
  DANGEROUSLY_ALLOW_UNAUTHENTICATED_REQUESTS: 'true',
  CLIENT_ID: '0badc0de-0000-4000-8000-000000000000',
  CLIENT_SECRET: 'a-stray-secret',
  TENANT_ID: '9f1e2d3c-4b5a-4697-8877-665544332211',
  MANAGED_IDENTITY_CLIENT_ID: 'system',
  SERVICE_URL: 'https://connector.attacker.example/',
  CLOUD: 'China',
};

let keys: BotFrameworkKeys;
let h: Harness | undefined;
beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
  keys = await startBotFrameworkKeys();
});
beforeEach(() => {
  for (const [name, value] of Object.entries(STRAY)) vi.stubEnv(name, value);
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


describe('Teams with stray SDK variables in the environment', () => {
  it('with an app id: an unauthenticated request is still refused, and the bot still signs in as itself', async () => {
    h = await startHarness({ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: SECRET, MICROSOFT_APP_TENANT_ID: OURS }, { cloud: keys.cloud });
    expect(process.env.DANGEROUSLY_ALLOW_UNAUTHENTICATED_REQUESTS).toBe('true');
    // Over HTTP, and straight to the SDK's own handler (past lockdesk's checks): no token, no turn.
    expect((await h.post(fromOurTenant())).status).toBe(401);
    await h.bot.ready;
    expect((await h.bot.adapter.handle({ body: fromOurTenant(), headers: {} })).status).toBe(401);
    const forged = `Bearer eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify({ iss: 'https://api.botframework.com' })).toString('base64url')}.AAAA`;
    expect((await h.post(fromOurTenant(), { authorization: forged })).status).toBe(401);
    expect(h.sent).toEqual([]);

    // A real token is served; the reply goes to the activity's service URL (not SERVICE_URL) with the bot's token,
    // got from the public cloud's sign-in host (not China's), in the bot's tenant, with its own id and secret.
    const entra = entraTokens(OURS, BOT_TOKEN);
    const res = await h.post(fromOurTenant(), { authorization: `Bearer ${botFrameworkToken(keys.key.privateKey, APP_ID, AUTH_SERVICE_URL)}` });
    expect(res.status).toBe(200);
    expect(h.sent.filter((s) => s.method === 'POST').map((s) => s.authorization)).toEqual([`Bearer ${BOT_TOKEN}`]);
    expect(entra.forms.map((f) => [f.get('client_id'), f.get('client_secret')])).toEqual([[APP_ID, SECRET]]);
  });

  it('in the demo mode: the SDK gets no credentials from them, and no token goes to the local client', async () => {
    h = await startHarness();
    // No sign-in host is reachable: a token request would make the reply fail.
    expect((await h.post(message(ALICE, 'help'))).status).toBe(200);
    const posts = h.sent.filter((s) => s.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.authorization).toBeUndefined();
    // Without an app id the SDK would refuse every request of its own accord: only lockdesk's demo rules let one in.
    await h.bot.ready;
    expect((await h.bot.adapter.handle({ body: message(ALICE, 'help'), headers: {} })).status).toBe(401);
  });
});
