// Approval cards with Bot Framework authentication on: posted at TEAMS_SERVICE_URL (https) with the bot's own token,
// as the bot (28:<app id>), personal chats opened in the bot's tenant; the approver's click carries a genuine token
// like any other and the action is sent once.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { botFrameworkToken, startBotFrameworkKeys, type BotFrameworkKeys } from './bot-framework-keys.js';
import { entraTokens } from './entra-fake.js';
import { ALICE, AUTH_SERVICE_URL, BOB, LEE, POLICY, cardOf, click, executeActions, message, personalOf, startHarness, type Harness, type Where } from './harness.js';
import { APP_ID, BOT_ENV, BOT_TOKEN, OURS } from './bot-app.js';

const APPROVERS: Where = { kind: 'channel', id: '19:approvers@thread.tacv2' };
const policy = { ...POLICY, approval: { approvers: [`teams:${ALICE.aadObjectId}`, `teams:${LEE.aadObjectId}`, `teams:${BOB.aadObjectId}`], rules: [{ actions: ['lock'], devices: 'others' }] } };

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
});
afterAll(async () => {
  await keys.close();
  nock.enableNetConnect();
});

/** An activity as Teams delivers it for our tenant, from its own (https) service URL. */
function fromTeams<T extends { conversation: object; channelData: object }>(activity: T): T {
  return { ...activity, serviceUrl: AUTH_SERVICE_URL, conversation: { ...activity.conversation, tenantId: OURS }, channelData: { ...activity.channelData, tenant: { id: OURS } } };
}

async function post(activity: Record<string, unknown>) {
  return h!.post(activity, { authorization: `Bearer ${botFrameworkToken(keys.key.privateKey, APP_ID, AUTH_SERVICE_URL)}` });
}

/** Alice asks for a lock of someone else's phone and confirms it. */
async function askAndConfirm(harness: Harness) {
  await post(fromTeams(message(ALICE, "lock Dana's iPhone 15")));
  const offer = harness.sent.find((s) => s.method === 'POST' && s.path === `/v3/conversations/${personalOf(ALICE).id}/activities`)!;
  harness.sent.length = 0;
  await post(fromTeams(click(ALICE, 'request-card', executeActions(cardOf(offer))[0]!.data)));
  await harness.bot.idle();
}

describe('Teams approval cards with Bot Framework authentication', () => {
  it('the card goes to the conversation with the bot’s token, as the bot; an approver’s genuine click sends the action once', async () => {
    h = await startHarness({ ...BOT_ENV, TEAMS_INVOKE_WAIT_MS: '4000', TEAMS_SERVICE_URL: AUTH_SERVICE_URL, TEAMS_APPROVALS_CONVERSATION: APPROVERS.id }, { cloud: keys.cloud, policy, roster: [LEE] });
    entraTokens(OURS, BOT_TOKEN);
    await askAndConfirm(h);
    const posted = h.sent.find((s) => s.method === 'POST' && s.path === `/v3/conversations/${APPROVERS.id}/activities`)!;
    expect(posted.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    expect(posted.body).toMatchObject({ from: { id: `28:${APP_ID}` }, conversation: { id: APPROVERS.id, tenantId: OURS } });

    const approve = executeActions(cardOf(posted)).find((a) => a.title === 'Approve')!;
    const res = await post(fromTeams(click(LEE, posted.answeredId!, approve.data, APPROVERS)));
    expect(res.status).toBe(200);
    await h.bot.idle();
    const dispatches = [];
    for await (const e of h.app.store.audit.read()) if (e.event === 'dispatch') dispatches.push(e);
    expect(dispatches.map((e) => e.deviceName)).toEqual(["Dana's iPhone 15"]);
    const update = h.sent.find((s) => s.method === 'PUT' && s.path === `/v3/conversations/${APPROVERS.id}/activities/${posted.answeredId}`)!;
    expect(update.authorization).toBe(`Bearer ${BOT_TOKEN}`);
  });

  it('personal chats are opened in the bot’s tenant, as the bot, with the approvers’ object ids, not the requester’s', async () => {
    h = await startHarness({ ...BOT_ENV, TEAMS_INVOKE_WAIT_MS: '4000', TEAMS_SERVICE_URL: AUTH_SERVICE_URL }, { cloud: keys.cloud, policy, roster: [LEE] });
    entraTokens(OURS, BOT_TOKEN);
    await askAndConfirm(h);
    const opened = h.sent.filter((s) => s.method === 'POST' && s.path === '/v3/conversations');
    expect(opened.map((s) => s.body.members.map((m: { id: string }) => m.id)).flat().sort()).toEqual([BOB.aadObjectId, LEE.aadObjectId].sort());
    for (const s of opened) {
      expect(s.body).toMatchObject({ isGroup: false, bot: { id: `28:${APP_ID}` }, tenantId: OURS, channelData: { tenant: { id: OURS } } });
      expect(s.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    }
  });
});
