// lockdesk is a Microsoft Teams bot, but its Azure Bot registration has other channels too: Web Chat is on for every
// Azure Bot and cannot be removed, Direct Line is one click away. Bot Framework signs their activities with the same
// keys and the same issuer, for the same app id, and their clients choose `from` and `channelData` themselves (a
// Direct Line client can name any tenant in channelData and any user). Only Teams' own activities are served.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/core/index.js';
import { botFrameworkToken, startBotFrameworkKeys, type BotFrameworkKeys } from './bot-framework-keys.js';
import { entraTokens } from './entra-fake.js';
import { ALICE, message, startHarness, type Harness } from './harness.js';
import { APP_ID, BOT_ENV, BOT_TOKEN, OURS } from './bot-app.js';

const WEBCHAT = 'https://webchat.botframework.com/';

let keys: BotFrameworkKeys;
let h: Harness | undefined;
beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
  keys = await startBotFrameworkKeys();
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  nock.cleanAll();
});
afterAll(async () => {
  await keys.close();
  nock.enableNetConnect();
});

async function audit(harness: Harness): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for await (const e of harness.app.store.audit.read()) events.push(e);
  return events;
}

describe('Teams: an activity of another Bot Framework channel of the same bot', () => {
  it('is refused (403) before any route, although its token is genuine: nothing is sent, nothing dispatched', async () => {
    h = await startHarness(BOT_ENV, { cloud: keys.cloud });
    entraTokens(OURS, BOT_TOKEN);
    // What the Web Chat channel would deliver for a client that says it is Alice of our tenant.
    const sentToWebChat: string[] = [];
    nock(WEBCHAT)
      .persist()
      .get(/.*/)
      .reply(404, {})
      .post(/.*/)
      .reply(async (req: Request) => {
        sentToWebChat.push(await req.text());
        return [200, { id: 'x' }];
      });
    const mine = message(ALICE, "lock Alice's iPhone");
    const forged = {
      ...mine,
      channelId: 'webchat',
      serviceUrl: WEBCHAT,
      conversation: { id: 'dl-conversation-1' },
      channelData: { tenant: { id: OURS } },
    };
    const res = await h.post(forged, { authorization: `Bearer ${botFrameworkToken(keys.key.privateKey, APP_ID, WEBCHAT)}` });
    expect(res.status).toBe(403);
    await h.bot.idle();
    expect(sentToWebChat).toEqual([]);
    expect(h.sent).toEqual([]);
    expect((await audit(h)).filter((e) => e.event !== 'refusal')).toEqual([]);
  });

  it('in the demo mode too: the local client must be a Teams one', async () => {
    h = await startHarness();
    expect((await h.post({ ...message(ALICE, 'help'), channelId: 'directline' })).status).toBe(403);
    expect(h.sent).toEqual([]);
    // The Agents Playground runs as Teams (-c msteams): served.
    expect((await h.post(message(ALICE, 'help'))).status).toBe(200);
  });
});
