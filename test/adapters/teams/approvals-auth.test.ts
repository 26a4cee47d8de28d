// Approval cards with Bot Framework authentication on: posted at TEAMS_SERVICE_URL (https) with the bot's own token,
// as the bot (28:<app id>), personal chats opened in the bot's tenant; the approver's click carries a genuine token
// like any other and the action is sent once. A conversation reference read back from the store (an approval card's,
// a requester's) is not trusted with the bot's token: altered there to name another https host, it is not used, so
// neither the token nor a temporary passcode nor the outcome card goes anywhere but to Teams' connectors (or
// TEAMS_SERVICE_URL).
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeButton } from '../../../src/core/index.js';
import { seen } from '../../fakes/nock-request.js';
import { botFrameworkToken, startBotFrameworkKeys, type BotFrameworkKeys } from './bot-framework-keys.js';
import { entraTokens } from './entra-fake.js';
import { ALICE, AUTH_SERVICE_URL, BOB, LEE, POLICY, cardOf, click, executeActions, message, personalOf, startHarness, type Harness, type Where } from './harness.js';
import { APP_ID, BOT_ENV, BOT_TOKEN, OURS } from './bot-app.js';

const APPROVERS: Where = { kind: 'channel', id: '19:approvers@thread.tacv2' };
const policy = { ...POLICY, approval: { approvers: [`teams:${ALICE.aadObjectId}`, `teams:${LEE.aadObjectId}`, `teams:${BOB.aadObjectId}`], rules: [{ actions: ['lock'], devices: 'others' }] } };

/** Lee alone approves (the stored-reference tests). */
const leeOnly = { ...POLICY, approval: { approvers: [`teams:${LEE.aadObjectId}`], rules: [{ actions: ['lock'], devices: 'others' }] } };
const EVIL = 'https://connector.attacker.example';

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

describe('stored references that name a host other than Teams', () => {
  it('a card ref whose serviceUrl is another https host is not used on another replica: no token leaves, the approval still goes through', async () => {
    h = await startHarness({ ...BOT_ENV, TEAMS_INVOKE_WAIT_MS: '4000', TEAMS_SERVICE_URL: AUTH_SERVICE_URL, TEAMS_APPROVALS_CONVERSATION: APPROVERS.id }, { cloud: keys.cloud, policy: leeOnly, roster: [LEE] });
    entraTokens(OURS, BOT_TOKEN);
    await post(fromTeams(message(ALICE, "lock Dana's iPhone 15")));
    const offer = h.sent.find((s) => s.method === 'POST' && s.path === `/v3/conversations/${personalOf(ALICE).id}/activities`)!;
    await post(fromTeams(click(ALICE, 'request-card', executeActions(cardOf(offer))[0]!.data)));
    await h.bot.idle();
    const posted = h.sent.find((s) => s.method === 'POST' && s.path === `/v3/conversations/${APPROVERS.id}/activities`)!;
    const approve = executeActions(cardOf(posted)).find((a) => a.title === 'Approve')!;
    const decoded = decodeButton(approve.data.value);
    const id = decoded?.kind === 'approve' ? decoded.approvalId : '';

    // Someone with write access to the store (a DB operator, a backup restored, a SQL injection elsewhere) points the
    // card at their own host; the schema accepts it (https).
    const stored = (await h.app.store.approvals.get(id))!;
    const ref = stored.cards![0]!;
    const reference = ref.data.reference as Record<string, unknown>;
    await h.app.store.approvals.annotate(id, { cards: [{ ...ref, data: { ...ref.data, reference: { ...reference, serviceUrl: `${EVIL}/` } } }] });

    const stolen: Array<string | undefined> = [];
    const paths: string[] = [];
    nock(EVIL)
      .put(/.*/)
      .reply(async (req: Request) => {
        const { headers, uri } = await seen(req);
        stolen.push(headers.get('authorization') ?? undefined);
        paths.push(uri);
        return [200, {}];
      });
    await h.restart(); // another replica: it has no live sink, only the stored reference
    entraTokens(OURS, BOT_TOKEN);
    const res = await post(fromTeams(click(LEE, "elsewhere", approve.data, { kind: "personal", id: "a:personal-29:lee" })));
    expect(JSON.stringify(res.body)).toMatch(/Approved by/);
    await h.bot.idle();
    expect(stolen).toEqual([]);
    expect(paths).toEqual([]);
    expect(h.logger.lines.some((l) => /not a Teams connector; it is not used/.test(l))).toBe(true);
  });

  it('a requester ref pointing at another https host restores to nothing: no token, no passcode', async () => {
    h = await startHarness({ ...BOT_ENV, TEAMS_INVOKE_WAIT_MS: '4000', TEAMS_SERVICE_URL: AUTH_SERVICE_URL }, { cloud: keys.cloud, policy: leeOnly, roster: [LEE] });
    entraTokens(OURS, BOT_TOKEN);
    const seenAtEvil: Array<{ uri: string; auth: string | undefined; body: string }> = [];
    nock(EVIL)
      .persist()
      .post(/.*/)
      .reply(async (req: Request) => {
        const { headers, uri, body } = await seen(req);
        seenAtEvil.push({ uri, auth: headers.get('authorization') ?? undefined, body: JSON.stringify(body) });
        return [200, { id: 'x' }];
      });
    // What ClickSession writes as an approval's requesterRef, with the service URL changed in the store.
    const data = {
      reference: { serviceUrl: `${EVIL}/`, channelId: 'msteams', conversation: { id: 'a:personal-29:alice', conversationType: 'personal', tenantId: OURS }, bot: { id: `28:${APP_ID}` } },
      userId: '29:alice',
      actorId: ALICE.aadObjectId,
      userName: 'Alice',
      cardId: 'request-card',
    };
    expect(h.bot.restoreSink(data)).toBeUndefined();
    // The same reference at the configured connector restores.
    expect(h.bot.restoreSink({ ...data, reference: { ...data.reference, serviceUrl: AUTH_SERVICE_URL } })).toBeDefined();
    expect(seenAtEvil).toEqual([]);
  });
});
