// When the Bot Connector refuses what the bot sends, the failure is logged without the bot's token: no
// Authorization header, no axios `config` or request, whichever path the error takes (the core's "request failed",
// a follow-up's update, the roster, the Teams SDK's own error handler).
import { generateKeyPairSync } from 'node:crypto';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botFrameworkToken, signJwt, startBotFrameworkKeys, type BotFrameworkKeys } from './bot-framework-keys.js';
import { entraTokens } from './entra-fake.js';
import { ALICE, AUTH_SERVICE_URL, click, message, startHarness, type Harness } from './harness.js';

const APP_ID = '7e1d3c9a-0000-4000-8000-00000000b07a';
const OURS = '5b0c6e3e-1d8f-4c2a-9a47-0b7a3f1e2d44';
const BOT_TOKEN = signJwt(generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey, { aud: 'https://api.botframework.com', exp: Math.floor(Date.now() / 1000) + 3600 });

let keys: BotFrameworkKeys;
let h: Harness;
beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
  keys = await startBotFrameworkKeys();
  h = await startHarness({ MICROSOFT_APP_ID: APP_ID, MICROSOFT_APP_PASSWORD: 'the-bot-secret-for-tests', MICROSOFT_APP_TENANT_ID: OURS }, { connector: false, cloud: keys.cloud });
  entraTokens(OURS, BOT_TOKEN);
  // A connector that refuses everything the bot sends, and quotes the request back in its error.
  const refuse = (uri: string) => [403, { error: { code: 'BotNotInConversationRoster', message: `refused ${uri}` } }] as [number, object];
  nock(AUTH_SERVICE_URL).persist().get(/\/v3\/conversations\/[^/]+\/members\/.+/).reply(500, 'connector down').post(/.*/).reply(refuse).put(/.*/).reply(refuse);
});
afterAll(async () => {
  await h.close();
  await keys.close();
  nock.enableNetConnect();
});

const fromOurTenant = <T extends { conversation: object; channelData: object }>(activity: T) => ({ ...activity, serviceUrl: AUTH_SERVICE_URL, conversation: { ...activity.conversation, tenantId: OURS }, channelData: { ...activity.channelData, tenant: { id: OURS } } });
const teamsToken = () => ({ authorization: `Bearer ${botFrameworkToken(keys.key.privateKey, APP_ID, AUTH_SERVICE_URL)}` });

describe('Teams: sends the connector refuses', () => {
  it('are logged without the bot\'s token, its Authorization header or the request', async () => {
    expect((await h.post(fromOurTenant(message(ALICE, 'help')), teamsToken())).status).toBe(200);
    expect((await h.post(fromOurTenant(message(ALICE, "lock Alice's iPhone")), teamsToken())).status).toBe(200);
    // A click on a card whose id is made up: the follow-up's updates are refused too.
    await h.post(fromOurTenant(click(ALICE, 'card-x', { value: 'not-a-confirmation' })), teamsToken());
    await h.bot.idle();
    const log = h.logger.lines.join('\n');
    expect(log).toMatch(/403|refused|could not/); // the failures were logged
    expect(log).not.toContain(BOT_TOKEN.split('.')[1]!);
    expect(log).not.toMatch(/Bearer|authorization/i);
    expect(log).not.toMatch(/"config"|"request"|"headers"/);
  });
});
