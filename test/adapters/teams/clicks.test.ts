// Card clicks (adaptiveCard/action invokes): the requester's, someone else's, a second one, an expired one,
// and a slow backend that makes the first answer late.
import nock from 'nock';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { ALICE, BOB, cardOf, cardText, click, executeActions, message, startHarness, waitFor, type Harness } from './harness.js';

let h: Harness;
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
});
afterAll(() => nock.enableNetConnect());
afterEach(async () => {
  await h?.close();
});

/** Asks for a lock in Alice's personal chat; returns the card's id and its buttons. */
async function confirmationFor(text: string) {
  await h.post(message(ALICE, text));
  const posted = h.sent.find((s) => s.method === 'POST')!;
  const buttons = executeActions(cardOf(posted));
  h.sent.length = 0;
  return { cardId: 'card-1', buttons };
}

const lockState = async (name: string) => {
  const [device] = await h.app.backend.findDevices({ by: 'name', value: name });
  return (await h.app.backend.getActionStatus(device!.id, 'lock')).state;
};

describe('Teams card clicks', () => {
  it("the requester's click returns the status card, then updates the card in place until it is done", async () => {
    h = await startHarness();
    const { cardId, buttons } = await confirmationFor("lock Alice's iPhone");
    const res = await h.post(click(ALICE, cardId, buttons[0]!.data));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(cardText(res.body.value)).toContain('Remote lock confirmed by alice@contoso.com');
    // No button on the status while the lock is on its way; once done, only the playbook's next step (a new request).
    expect(executeActions(res.body.value)).toEqual([]);
    await h.bot.idle();
    const updates = h.sent.filter((s) => s.method === 'PUT');
    expect(updates.length).toBeGreaterThanOrEqual(2);
    expect(updates.every((u) => u.path === `/v3/conversations/a:personal-29:alice/activities/${cardId}`)).toBe(true);
    expect(cardText(cardOf(updates.at(-1)!))).toContain('done: Intune reports');
    expect(executeActions(cardOf(updates.at(-1)!)).map((a) => [a.title, String(a.data.value).split(':')[0]])).toEqual([['Sign me out everywhere', 'start']]);
    expect(await lockState("Alice's iPhone")).toBe('done');
  });

  it("someone else's click gets a card saying so, for them only, and nothing is dispatched", async () => {
    h = await startHarness();
    const { cardId, buttons } = await confirmationFor("lock Alice's iPhone");
    const res = await h.post(click(BOB, cardId, buttons[0]!.data));
    expect(cardText(res.body.value)).toContain('Only alice@contoso.com, who asked for this remote lock, can confirm or cancel it');
    await h.bot.idle();
    expect(h.sent.filter((s) => s.method === 'PUT')).toEqual([]);
    expect(await lockState("Alice's iPhone")).toBe('none');
  });

  it('a second click is refused and sends nothing more', async () => {
    h = await startHarness();
    const { cardId, buttons } = await confirmationFor("lock Alice's iPhone");
    await h.post(click(ALICE, cardId, buttons[0]!.data));
    await h.bot.idle();
    const again = await h.post(click(ALICE, cardId, buttons[0]!.data));
    expect(cardText(again.body.value)).toContain('already used');
    const dispatches = [];
    for await (const e of h.app.store.audit.read()) if (e.event === 'dispatch') dispatches.push(e);
    expect(dispatches).toHaveLength(1);
  });

  it('Cancel turns the card into its outcome', async () => {
    h = await startHarness();
    const { cardId, buttons } = await confirmationFor("lock Alice's iPhone");
    const res = await h.post(click(ALICE, cardId, buttons.at(-1)!.data));
    expect(cardText(res.body.value)).toContain('Cancelled by alice@contoso.com');
    await h.bot.idle();
    expect(cardText(cardOf(h.sent.find((s) => s.method === 'PUT')!))).toContain('Cancelled by');
    expect(await lockState("Alice's iPhone")).toBe('none');
  });

  it('an expired confirmation: the clicker is told, the card says expired, nothing is dispatched', async () => {
    h = await startHarness();
    const { cardId, buttons } = await confirmationFor("lock Alice's iPhone");
    h.clock.offsetMs = 10 * 60_000;
    const res = await h.post(click(ALICE, cardId, buttons[0]!.data));
    expect(cardText(res.body.value)).toContain('has expired');
    await h.bot.idle();
    const update = await waitFor(() => h.sent.find((s) => s.method === 'PUT'));
    expect(cardText(cardOf(update))).toContain('expired');
    expect(await lockState("Alice's iPhone")).toBe('none');
  });

  it('a slow backend: Teams gets a "working" card in time, and the card is updated when the answer comes', { timeout: 60_000 }, async () => {
    // Each backend call takes 1.5 s and lockdesk answers the invoke after 100 ms: a "working" card (not the outcome)
    // in the invoke response is the proof that Teams did not wait for the backend.
    h = await startHarness({ LOCKDESK_SIM_LATENCY_MS: '1500', TEAMS_INVOKE_WAIT_MS: '100' });
    const { cardId, buttons } = await confirmationFor("lock Alice's iPhone");
    const res = await h.post(click(ALICE, cardId, buttons[0]!.data));
    expect(cardText(res.body.value)).toContain('working on it');
    await h.bot.idle();
    const updates = h.sent.filter((s) => s.method === 'PUT');
    expect(cardText(cardOf(updates[0]!))).toContain('Remote lock confirmed by');
    expect(cardText(cardOf(updates.at(-1)!))).toContain('done');
  });

  it('a look-up button starts a request that needs its own confirmation', async () => {
    h = await startHarness();
    await h.post(message(ALICE, 'devices bob@contoso.com'));
    const start = executeActions(cardOf(h.sent[0]!)).find((a) => a.title.startsWith('Lock'))!;
    const res = await h.post(click(ALICE, 'card-9', start.data));
    const titles = executeActions(res.body.value).map((a) => a.title);
    expect(titles.at(-1)).toBe('Cancel');
    expect(titles[0]).toMatch(/^Lock "Bob/);
  });
});
