// Channels keep device details to the requester (refresh.userIds); a temporary passcode goes to the
// requester's personal chat only, never to the channel or a log.
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BOB, BOT, LEE, CHANNEL, cardOf, cardText, click, executeActions, message, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
  nock.enableNetConnect();
});

const botMention = { type: 'mention', text: `<at>${BOT.name}</at>`, mentioned: BOT };
const inChannel = (s: { path: string }) => s.path.startsWith(`/v3/conversations/${CHANNEL.id}`);

describe('Teams privacy', () => {
  it('in a channel: a stub for everyone, the details for the requester by refresh, the passcode in their personal chat only', async () => {
    await h.post(message(ALICE, `<at>${BOT.name}</at> reset passcode Alice's Pixel 8`, CHANNEL, [botMention]));
    const stub = cardOf(h.sent.find(inChannel)!);
    expect(stub.refresh).toMatchObject({ action: { type: 'Action.Execute', verb: 'lockdesk.refresh' }, userIds: [ALICE.id] });
    expect(cardText(stub)).not.toContain('Pixel');

    const refreshData = stub.refresh.action.data;
    const forBob = await h.post(click(BOB, 'channel-card', refreshData, CHANNEL, 'lockdesk.refresh'));
    expect(cardText(forBob.body.value)).not.toContain('Pixel');
    const forAlice = await h.post(click(ALICE, 'channel-card', refreshData, CHANNEL, 'lockdesk.refresh'));
    expect(forAlice.body.value.refresh).toBeUndefined();
    const confirm = executeActions(forAlice.body.value)[0]!;
    expect(confirm.title).toBe('Reset work-profile passcode "Alice\'s Pixel 8"');

    h.sent.length = 0;
    const res = await h.post(click(ALICE, 'channel-card', confirm.data, CHANNEL));
    expect(cardText(res.body.value)).toContain('Passcode reset confirmed by alice@contoso.com');
    await h.bot.idle();

    // Updates of the channel card stay stubs; the passcode went to a 1:1 conversation opened with Alice.
    const channelTraffic = h.sent.filter(inChannel);
    expect(channelTraffic.length).toBeGreaterThan(0);
    expect(channelTraffic.every((s) => s.method === 'PUT' && !cardText(cardOf(s)).includes('Pixel'))).toBe(true);
    const opened = h.sent.find((s) => s.method === 'POST' && s.path === '/v3/conversations')!;
    expect(opened.body).toMatchObject({ isGroup: false, members: [{ id: ALICE.id }], tenantId: 'tenant-contoso' });
    const secret = h.sent.find((s) => s.method === 'POST' && /^\/v3\/conversations\/dm-\d+\/activities/.test(s.path))!;
    const passcode = /"text":"(\d{6})"/.exec(cardText(cardOf(secret)))?.[1];
    expect(passcode).toMatch(/^\d{6}$/);
    expect(h.sent.filter((s) => s !== secret).some((s) => JSON.stringify(s.body).includes(passcode!))).toBe(false);
    expect(h.logger.lines.some((line) => line.includes(passcode!))).toBe(false);
    for await (const e of h.app.store.audit.read()) expect(JSON.stringify(e)).not.toContain(passcode!);
  });

  it('when an approver confirms, the passcode goes to a 1:1 chat with the requester, not to the approver', async () => {
    h.sent.length = 0;
    await h.post(message(ALICE, "reset passcode Alice's Pixel 8"));
    const confirm = executeActions(cardOf(h.sent[0]!))[0]!;
    h.sent.length = 0;
    await h.post(click(LEE, 'card-a', confirm.data));
    await h.bot.idle();
    const opened = h.sent.find((s) => s.method === 'POST' && s.path === '/v3/conversations')!;
    expect(opened.body).toMatchObject({ isGroup: false, members: [{ id: ALICE.aadObjectId }] });
    const toLee = h.sent.filter((s) => s.path.includes(`personal-${LEE.id}`));
    expect(toLee.some((s) => /Temporary passcode/.test(cardText(cardOf(s))))).toBe(false);
  });

  it('in a personal chat the passcode comes in the same chat', async () => {
    h.sent.length = 0;
    await h.post(message(ALICE, "reset passcode Alice's Pixel 8"));
    const confirm = executeActions(cardOf(h.sent[0]!))[0]!;
    h.sent.length = 0;
    await h.post(click(ALICE, 'card-p', confirm.data));
    await h.bot.idle();
    const posts = h.sent.filter((s) => s.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.path).toMatch(/^\/v3\/conversations\/a:personal-29:alice\/activities/);
    expect(cardText(cardOf(posts[0]!))).toMatch(/Temporary passcode for .*"text":"\d{6}"/);
  });
});
