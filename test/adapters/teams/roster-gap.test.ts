// The roster check of from.aadObjectId (identity.ts actorOf) cannot be made when the roster does not answer for
// from.id (404, 5xx, timeout): a body naming an unknown from.id and an approver's object id is then not believed for
// Approve or Deny, so the requester cannot replay a token with a forged body to approve her own request as Lee.
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

describe('an approval click the roster cannot confirm', () => {
  it('a from.id the roster does not know, with the approver’s object id, is refused; nothing is sent; Lee himself approves', async () => {
    h = await startHarness(ENV, { policy, roster: [LEE] });
    await h.post(message(ALICE, "lock Dana's iPhone 15"));
    const offer = h.sent.find((s) => s.method === 'POST' && s.path === `/v3/conversations/${personalOf(ALICE).id}/activities`)!;
    await h.post(click(ALICE, 'request-card', executeActions(cardOf(offer))[0]!.data));
    await h.bot.idle();
    const posted = h.sent.find((s) => s.method === 'POST' && s.path === `/v3/conversations/${APPROVERS.id}/activities`)!;
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
