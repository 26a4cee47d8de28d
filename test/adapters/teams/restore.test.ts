// A click's follow-up on another lockdesk process: the reference stored with the dispatch record rebuilds a sink
// that updates the same card in place, keeps channel details private, holds no token, and a restart carries the
// status on to done.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Secret, type DispatchRecord, type Reply, type SinkRef } from '../../../src/core/index.js';
import { ALICE, BOT, CHANNEL, SERVICE_URL, TENANT, cardOf, cardText, click, executeActions, message, startHarness, waitFor, type Harness, type Sent } from './harness.js';

let h: Harness;
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
});
afterAll(() => nock.enableNetConnect());
afterEach(async () => {
  await h?.close();
});

const PERSONAL_CARD = `/v3/conversations/a:personal-${ALICE.id}/activities/card-1`;
const CHANNEL_CARD = `/v3/conversations/${CHANNEL.id}/activities/channel-card`;
const notice = (text: string): Reply => ({ text, blocks: [{ kind: 'notice', tone: 'info', text }] });
const botMention = { type: 'mention', text: `<at>${BOT.name}</at>`, mentioned: BOT };

/** Alice asks to lock her iPhone in her personal chat and confirms on card-1; returns the invoke response. */
async function confirmedInPersonalChat() {
  await h.post(message(ALICE, "lock Alice's iPhone"));
  const confirm = executeActions(cardOf(h.sent.find((s) => s.method === 'POST')!))[0]!;
  h.sent.length = 0;
  return h.post(click(ALICE, 'card-1', confirm.data));
}

/** The same in a channel: the details come to Alice by refresh; she confirms on channel-card. */
async function confirmedInChannel() {
  await h.post(message(ALICE, `<at>${BOT.name}</at> lock Alice's iPhone`, CHANNEL, [botMention]));
  const stub = cardOf(h.sent.find((s) => s.path.startsWith(`/v3/conversations/${CHANNEL.id}`))!);
  const details = await h.post(click(ALICE, 'channel-card', stub.refresh.action.data, CHANNEL, 'lockdesk.refresh'));
  h.sent.length = 0;
  await h.post(click(ALICE, 'channel-card', executeActions(details.body.value)[0]!.data, CHANNEL));
}

/** The dispatch record of the (one) confirmed lock, read from the store. */
async function dispatched(): Promise<DispatchRecord> {
  for await (const event of h.app.store.audit.read()) {
    if (event.event === 'dispatch' && event.dispatchId) return (await h.app.store.dispatches.get(event.dispatchId))!;
  }
  throw new Error('no dispatch in the audit trail');
}

const expectNoToken = (ref: SinkRef) => {
  const json = JSON.stringify(ref);
  for (const word of ['token', 'password', 'secret', 'Bearer', 'Authorization']) expect(json.toLowerCase()).not.toContain(word.toLowerCase());
};

describe('a Teams click restored on another process', () => {
  it('the stored reference names the conversation, card and clicker, and no token; restored elsewhere, an update replaces the same card', async () => {
    h = await startHarness();
    await confirmedInPersonalChat();
    await h.bot.idle();
    const ref = (await dispatched()).replyRef!;
    expect(ref).toEqual({
      platform: 'teams',
      data: {
        reference: { serviceUrl: SERVICE_URL, channelId: 'msteams', conversation: { id: `a:personal-${ALICE.id}`, conversationType: 'personal', tenantId: TENANT }, bot: BOT },
        userId: ALICE.id,
        userName: ALICE.name,
        actorId: ALICE.aadObjectId,
        cardId: 'card-1',
      },
    });
    expectNoToken(ref);

    await h.restart();
    h.sent.length = 0;
    const sink = h.app.sinks.restore(JSON.parse(JSON.stringify(ref)) as SinkRef)!;
    await sink.update(notice('Restored: still on it'));
    expect(h.sent.map((s) => `${s.method} ${s.path}`)).toEqual([`PUT ${PERSONAL_CARD}`]);
    expect(cardText(cardOf(h.sent[0]!))).toContain('Restored: still on it');
    await sink.reply(notice('Restored: a note for you'));
    expect(h.sent[1]).toMatchObject({ method: 'POST', path: expect.stringMatching(new RegExp(`^/v3/conversations/a:personal-${ALICE.id}/activities`)) });
    expect(cardText(cardOf(h.sent[1]!))).toContain('Restored: a note for you');
  });

  it('in a channel, while this process holds the private view: a stub in place, the details for the requester by refresh', async () => {
    h = await startHarness();
    await confirmedInChannel();
    await h.bot.idle();
    const ref = (await dispatched()).replyRef!;
    const viewId = ref.data.viewId as string;
    expect(viewId).toEqual(expect.any(String));
    expectNoToken(ref);

    h.sent.length = 0;
    await h.app.sinks.restore(ref)!.update(notice('Restored here'));
    const put = h.sent.find((s) => s.method === 'PUT' && s.path === CHANNEL_CARD)!;
    expect(cardText(cardOf(put))).not.toContain('Restored here');
    expect(cardOf(put).refresh).toMatchObject({ action: { data: { view: viewId } }, userIds: [ALICE.id] });
    const details = await h.post(click(ALICE, 'channel-card', { view: viewId }, CHANNEL, 'lockdesk.refresh'));
    expect(cardText(details.body.value)).toContain('Restored here');
  });

  it('in a channel after a restart (the private views are gone): the status goes to the requester privately, the channel card stays a stub', async () => {
    h = await startHarness();
    await confirmedInChannel();
    await h.bot.idle();
    const ref = (await dispatched()).replyRef!;
    await h.restart();
    h.sent.length = 0;
    const sink = h.app.sinks.restore(ref)!;
    await sink.update(notice("Alice's iPhone: restored status"));
    await sink.update(notice("Alice's iPhone: later status"));

    const inChannel = h.sent.filter((s) => s.path.startsWith(`/v3/conversations/${CHANNEL.id}`));
    expect(inChannel.map((s) => `${s.method} ${s.path}`)).toEqual([`PUT ${CHANNEL_CARD}`]); // once: the stub stays
    expect(cardText(cardOf(inChannel[0]!))).not.toContain('iPhone');
    expect(cardText(cardOf(inChannel[0]!))).toContain("Alice Smith's personal chat");
    const opened = h.sent.filter((s) => s.method === 'POST' && s.path === '/v3/conversations');
    expect(opened.map((s) => s.body)).toEqual([expect.objectContaining({ isGroup: false, members: [{ id: ALICE.id, name: '' }] }), expect.objectContaining({ members: [{ id: ALICE.id, name: '' }] })]);
    const privately = h.sent.filter((s) => /^\/v3\/conversations\/dm-\d+\/activities/.test(s.path)).map((s) => cardText(cardOf(s)));
    expect(privately).toEqual([expect.stringContaining('restored status'), expect.stringContaining('later status')]);

    // A temporary passcode goes to the recipient's personal chat, never to the channel.
    h.sent.length = 0;
    await sink.sendSecret({ kind: 'passcode', recipient: { platform: 'teams', id: ALICE.aadObjectId, aadObjectId: ALICE.aadObjectId }, deviceId: 'd1', deviceName: "Alice's iPhone", passcode: new Secret('246810'), text: 'Temporary passcode' });
    expect(h.sent.find((s) => s.path === '/v3/conversations')?.body).toMatchObject({ members: [{ id: ALICE.id }] });
    const withPasscode = h.sent.filter((s) => JSON.stringify(s.body).includes('246810'));
    expect(withPasscode.map((s) => s.path)).toEqual([expect.stringMatching(/^\/v3\/conversations\/dm-\d+\/activities/)]);
  });

  it('data that is not a stored Teams click restores to undefined', async () => {
    h = await startHarness();
    const good = {
      reference: { serviceUrl: SERVICE_URL, channelId: 'msteams', conversation: { id: 'a:personal-29:alice', conversationType: 'personal' }, bot: BOT },
      userId: ALICE.id,
      userName: ALICE.name,
      actorId: ALICE.aadObjectId,
      cardId: 'card-1',
    };
    expect(h.app.sinks.restore({ platform: 'teams', data: good })).toBeDefined();
    const bad: Array<Record<string, unknown>> = [
      {},
      { ...good, reference: { ...good.reference, serviceUrl: 'http://connector.attacker.example/' } },
      { ...good, reference: { ...good.reference, serviceUrl: 'not a url' } },
      { ...good, reference: { ...good.reference, conversation: {} } },
      { ...good, userId: '' },
    ];
    for (const data of bad) expect(h.app.sinks.restore({ platform: 'teams', data })).toBeUndefined();
    // What only makes the update nicer is dropped, not the whole reference: the status still reaches the clicker.
    expect(h.app.sinks.restore({ platform: 'teams', data: { ...good, cardId: 7, userName: { x: 1 } } })).toBeDefined();
    expect(h.app.sinks.restore({ platform: 'slack', data: good })).toBeUndefined(); // no Slack adapter here
  });

  it('after a restart the follow-up goes on through the restored sink: the clicked card reaches done', async () => {
    // The first process never polls: its follow-up is still waiting when it stops, and dies with it.
    h = await startHarness({ LOCKDESK_POLL_INTERVAL_MS: '600000' });
    const res = await confirmedInPersonalChat();
    expect(cardText(res.body.value)).toContain('sent: Intune has queued it');
    await h.restart({ LOCKDESK_POLL_INTERVAL_MS: '40' });
    const isDone = (s: Sent) => s.method === 'PUT' && s.path === PERSONAL_CARD && cardText(cardOf(s)).includes('done: Intune reports');
    expect(h.sent.filter(isDone)).toEqual([]);
    h.clock.offsetMs += 1_000; // by now the simulated device has carried the lock out

    expect(await h.app.handler.recover()).toMatchObject({ following: 1 });
    await waitFor(() => h.sent.find(isDone));
    await h.bot.idle();
    expect((await dispatched()).state).toBe('done');
  });
});
