// What an approval click in Teams is not believed on. The roster check of from.aadObjectId (identity.ts actorOf)
// cannot be made when the roster does not answer for from.id (404, 5xx, timeout): a body naming an unknown from.id
// and an approver's object id is then not believed for Approve or Deny, so the requester cannot replay a token with
// a forged body to approve her own request as Lee. And the card a click names (its replyToId) is the client's word:
// a decision's outcome goes to the approval's own stored cards and to the invoke's answer, never to a card of
// another request.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/core/index.js';
import { ALICE, LEE, POLICY, SERVICE_URL, cardOf, click, executeActions, message, personalOf, startHarness, type Harness, type Where } from './harness.js';

const APPROVERS: Where = { kind: 'channel', id: '19:approvers@thread.tacv2' };
const policy = { ...POLICY, approval: { approvers: [`teams:${LEE.aadObjectId}`], rules: [{ actions: ['lock'], devices: 'others' }] } };
const ENV = { TEAMS_INVOKE_WAIT_MS: '4000', TEAMS_SERVICE_URL: SERVICE_URL, TEAMS_APPROVALS_CONVERSATION: APPROVERS.id };

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

async function held(device: string) {
  h!.sent.length = 0;
  await h!.post(message(ALICE, `lock ${device}`));
  const offer = h!.sent.find((s) => s.method === 'POST' && s.path === `/v3/conversations/${personalOf(ALICE).id}/activities`)!;
  await h!.post(click(ALICE, `request-${device}`, executeActions(cardOf(offer))[0]!.data));
  await h!.bot.idle();
  return h!.sent.find((s) => s.method === 'POST' && s.path === `/v3/conversations/${APPROVERS.id}/activities`)!;
}

describe('an approval click the roster cannot confirm', () => {
  it('a from.id the roster does not know, with the approver’s object id, is refused; nothing is sent; Lee himself approves', async () => {
    h = await startHarness(ENV, { policy, roster: [LEE] });
    const posted = await held("Dana's iPhone 15");
    const approve = executeActions(cardOf(posted)).find((a) => a.title === 'Approve')!;

    // Control: Alice's own from.id with Lee's object id is caught by the roster (as roster-identity.test.ts shows).
    const caught = await h.post(click({ ...ALICE, aadObjectId: LEE.aadObjectId }, posted.answeredId!, approve.data, APPROVERS));
    expect(JSON.stringify(caught.body)).toMatch(/acts only for people of the organisation/);

    // The same forged body with a from.id the roster 404s on is not believed either.
    const forged = { id: '29:not-in-any-roster', name: 'Lee', aadObjectId: LEE.aadObjectId, email: '' };
    const res = await h.post(click(forged, posted.answeredId!, approve.data, APPROVERS));
    await h.bot.idle();
    expect(JSON.stringify(res.body)).toMatch(/Teams did not confirm who you are/);
    expect(JSON.stringify(res.body)).not.toMatch(/Approved by/);
    const none: AuditEvent[] = [];
    for await (const e of h.app.store.audit.read()) none.push(e);
    expect(none.filter((e) => e.event === 'dispatch')).toEqual([]);

    const lee = await h.post(click(LEE, posted.answeredId!, approve.data, APPROVERS));
    await h.bot.idle();
    expect(JSON.stringify(lee.body)).toMatch(/Approved by/);
    const events: AuditEvent[] = [];
    for await (const e of h.app.store.audit.read()) events.push(e);
    expect(events.filter((e) => e.event === 'dispatch').map((e) => [e.actor?.id, e.requester?.id])).toEqual([[LEE.aadObjectId, ALICE.aadObjectId]]);
  });
});

describe('a replyToId chosen by the client', () => {
  it('request 1’s outcome goes to request 1’s card, not to request 2’s, whose buttons stay', async () => {
    h = await startHarness(ENV, { policy, roster: [LEE] });
    const one = await held("Dana's iPhone 15");
    const two = await held("Bob's Galaxy S23");
    expect(two).toBeDefined();
    h.sent.length = 0;
    const approveOne = executeActions(cardOf(one)).find((a) => a.title === 'Approve')!;
    await h.post(click(LEE, two.answeredId!, approveOne.data, APPROVERS));
    await h.bot.idle();
    const onTwo = h.sent.filter((s) => s.method === 'PUT' && s.path === `/v3/conversations/${APPROVERS.id}/activities/${two.answeredId}`);
    expect(onTwo).toEqual([]);
    const onOne = h.sent.filter((s) => s.method === 'PUT' && s.path === `/v3/conversations/${APPROVERS.id}/activities/${one.answeredId}`);
    expect(JSON.stringify(cardOf(onOne.at(-1)!))).toMatch(/Approved by .*Dana's iPhone 15/);
  });
});
