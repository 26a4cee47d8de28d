// The welcome on install: when the bot is added to a person's personal chat (conversationUpdate, membersAdded), it
// says what it can do and shows the person's own devices. Nowhere else, and not for other members joining.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BOB, BOT, CHANNEL, cardOf, cardText, executeActions, personalOf, SERVICE_URL, startHarness, TENANT, type Harness, type TeamsUser, type Where } from './harness.js';

let h: Harness | undefined;
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
});
afterEach(async () => {
  await h?.close();
  h = undefined;
});
afterAll(() => nock.enableNetConnect());

/** Teams' conversationUpdate when `added` join the conversation (the bot itself, when it is installed there). */
function membersAdded(from: TeamsUser, added: Array<{ id: string }>, where: Where = personalOf(from), tenant = TENANT) {
  return {
    type: 'conversationUpdate',
    id: `update-${added.map((a) => a.id).join('-')}`,
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    recipient: BOT,
    conversation: { id: where.id, conversationType: where.kind, tenantId: tenant, ...(where.kind === 'channel' ? { isGroup: true } : {}) },
    channelData: { tenant: { id: tenant }, eventType: where.kind === 'channel' ? 'teamMemberAdded' : undefined },
    membersAdded: added,
  };
}

describe('Teams welcome on install', () => {
  it('in a personal chat: the help card, then the person\'s own devices, each with its buttons', async () => {
    h = await startHarness();
    expect((await h.post(membersAdded(ALICE, [{ id: BOT.id }]))).status).toBe(200);
    await h.bot.idle();
    const posts = h.sent.filter((s) => s.method === 'POST');
    expect(posts.map((s) => s.path)).toEqual([expect.stringMatching(/^\/v3\/conversations\/a:personal-29:alice\/activities/), expect.stringMatching(/^\/v3\/conversations\/a:personal-29:alice\/activities/)]);
    expect(cardText(cardOf(posts[0]!))).toContain('reset passcode');
    const own = cardOf(posts[1]!);
    for (const device of ["Alice's iPhone", "Alice's Pixel 8"]) expect(cardText(own)).toContain(device);
    expect(executeActions(own).map((a) => a.title)).toEqual(expect.arrayContaining(['I lost this device', 'I forgot my passcode']));
    expect(cardText(own)).not.toContain("Bob's");
  });

  it('not when someone else joins, and not in a channel', async () => {
    h = await startHarness();
    expect((await h.post(membersAdded(ALICE, [{ id: BOB.id }]))).status).toBe(200);
    expect((await h.post(membersAdded(ALICE, [{ id: BOT.id }], CHANNEL))).status).toBe(200);
    await h.bot.idle();
    expect(h.sent.filter((s) => s.method !== 'GET')).toEqual([]);
  });

  it('not into another tenant: refused with 403 before anything is sent', async () => {
    h = await startHarness({ MICROSOFT_APP_TENANT_ID: '5b0c6e3e-1d8f-4c2a-9a47-0b7a3f1e2d44' });
    expect((await h.post(membersAdded(ALICE, [{ id: BOT.id }]))).status).toBe(403);
    await h.bot.idle();
    expect(h.sent).toEqual([]);
  });
});
