// An Approve/Deny click names "the clicked card" by the invoke's replyToId, which the client chooses. The outcome of
// a decision goes to the approval's own cards (by the ids stored when they were posted) and to the invoke's answer,
// never to the card a replyToId names: request 1's outcome cannot replace the card of request 2, which still waits.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
