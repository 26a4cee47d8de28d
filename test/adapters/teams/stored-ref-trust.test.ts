// A conversation reference read back from the store (an approval card's, a requester's) is not trusted with the
// bot's token: altered there to name another https host, it is not used, so neither the token nor a temporary
// passcode nor the outcome card goes anywhere but to Teams' connectors (or TEAMS_SERVICE_URL).
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeButton } from '../../../src/core/index.js';
import { botFrameworkToken, startBotFrameworkKeys, type BotFrameworkKeys } from './bot-framework-keys.js';
import { entraTokens } from './entra-fake.js';
import { ALICE, AUTH_SERVICE_URL, LEE, POLICY, cardOf, click, executeActions, message, personalOf, startHarness, type Harness, type Where } from './harness.js';
import { seen } from '../../fakes/nock-request.js';
import { APP_ID, BOT_ENV, BOT_TOKEN, OURS } from './bot-app.js';

const APPROVERS: Where = { kind: 'channel', id: '19:approvers@thread.tacv2' };
const policy = { ...POLICY, approval: { approvers: [`teams:${LEE.aadObjectId}`], rules: [{ actions: ['lock'], devices: 'others' }] } };
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

function fromTeams<T extends { conversation: object; channelData: object }>(activity: T): T {
  return { ...activity, serviceUrl: AUTH_SERVICE_URL, conversation: { ...activity.conversation, tenantId: OURS }, channelData: { ...activity.channelData, tenant: { id: OURS } } };
}
const post = (activity: Record<string, unknown>) => h!.post(activity, { authorization: `Bearer ${botFrameworkToken(keys.key.privateKey, APP_ID, AUTH_SERVICE_URL)}` });

describe('stored references that name a host other than Teams', () => {
  it('a card ref whose serviceUrl is another https host is not used on another replica: no token leaves, the approval still goes through', async () => {
    h = await startHarness({ ...BOT_ENV, TEAMS_INVOKE_WAIT_MS: '4000', TEAMS_SERVICE_URL: AUTH_SERVICE_URL, TEAMS_APPROVALS_CONVERSATION: APPROVERS.id }, { cloud: keys.cloud, policy, roster: [LEE] });
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
    h = await startHarness({ ...BOT_ENV, TEAMS_INVOKE_WAIT_MS: '4000', TEAMS_SERVICE_URL: AUTH_SERVICE_URL }, { cloud: keys.cloud, policy, roster: [LEE] });
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
