// Who sent an activity is `from.aadObjectId`, and a Bot Framework token does not cover the body it comes with:
// whoever replays a captured token (it is valid for an hour) can write any object id there. The conversation's
// roster, asked at the verified service URL with the bot's own token, names the object id of the Teams user
// `from.id`: when it names another one, the activity is not believed (audited, and the sender is told).
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/core/index.js';
import { ALICE, BOB, cardOf, cardText, click, executeActions, message, startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
});
afterAll(() => nock.enableNetConnect());
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function audit(harness: Harness): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for await (const e of harness.app.store.audit.read()) events.push(e);
  return events;
}

/** Bob's own Teams user, saying it is Alice (the helpdesk member) by her object id. */
const asAlice = <T extends { from: object }>(activity: T): T => ({ ...activity, from: { ...activity.from, aadObjectId: ALICE.aadObjectId } });

describe('Teams: a from.aadObjectId the roster contradicts', () => {
  it('gets no confirmation: a refusal, audited, told to the sender', async () => {
    h = await startHarness();
    expect((await h.post(asAlice(message(BOB, "lock Alice's iPhone")))).status).toBe(200);
    await h.bot.idle();
    const posts = h.sent.filter((s) => s.method === 'POST');
    expect(posts.flatMap((s) => executeActions(cardOf(s)))).toEqual([]);
    expect(posts.map((s) => cardText(cardOf(s)))).toEqual([expect.stringMatching(/acts only for people of the organisation that installed it/)]);
    const events = await audit(h);
    expect(events.map((e) => [e.event, e.outcome])).toEqual([['refusal', 'refused']]);
    expect(events[0]!.reason).toContain(`teams-identity ${BOB.aadObjectId}`);
  });

  it("cannot confirm the real Alice's request", async () => {
    h = await startHarness();
    await h.post(message(ALICE, "lock Alice's iPhone"));
    const [button] = executeActions(cardOf(h.sent.find((s) => s.method === 'POST')!));
    h.sent.length = 0;
    const res = await h.post(asAlice(click(BOB, 'card-1', button!.data)));
    await h.bot.idle();
    expect(cardText(res.body.value)).toMatch(/acts only for people of the organisation that installed it/);
    expect(h.sent.filter((s) => s.method === 'PUT')).toEqual([]);
    const [device] = await h.app.backend.findDevices({ by: 'name', value: "Alice's iPhone" });
    expect((await h.app.backend.getActionStatus(device!.id, 'lock')).state).toBe('none');
  });

  it('the roster agreeing (any case) is served as before', async () => {
    h = await startHarness();
    const alice = message(ALICE, "lock Alice's iPhone");
    expect((await h.post({ ...alice, from: { ...alice.from, aadObjectId: ALICE.aadObjectId.toUpperCase() } })).status).toBe(200);
    expect(executeActions(cardOf(h.sent.find((s) => s.method === 'POST')!)).length).toBeGreaterThan(0);
  });
});
