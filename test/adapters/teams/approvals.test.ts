// Second-person approval through Teams: the real Teams SDK over HTTP, the real core, a fake Bot Connector. The
// approval card goes to TEAMS_APPROVALS_CONVERSATION (or to each approver's personal chat), approvers decide on it
// there, and every card (restored on another process too) and the requester's message turn into the outcome.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeButton, type AuditEvent, type SinkRef } from '../../../src/core/index.js';
import { ALICE, BOB, LEE, POLICY, SERVICE_URL, cardOf, click, executeActions, message, personalOf, startHarness, type Harness, type Sent, type TeamsUser, type Where } from './harness.js';

const APPROVERS: Where = { kind: 'channel', id: '19:approvers@thread.tacv2' };
/** Alice under a second Teams identity: another from.id, the same Entra object id. */
const ALICE_AGAIN: TeamsUser = { ...ALICE, id: '29:alice-again', name: 'Alice (second account)' };
/** Another account whose roster email (UPN) is Alice's, with an object id of its own. */
const ALICE_ALT: TeamsUser = { id: '29:alice-alt', name: 'Alice (admin account)', aadObjectId: '0b6b2f0e-5c1d-4e7a-9d2c-3f4a5b6c7d8e', email: 'alice@contoso.com' };
const ROSTER = [LEE, ALICE_AGAIN, ALICE_ALT];
const TARGET = "Dana's iPhone 15";
const REQUEST_CARD = 'request-card';
const REQUEST_PATH = `/v3/conversations/${personalOf(ALICE).id}/activities/${REQUEST_CARD}`;

const approvers = [`teams:${ALICE.aadObjectId}`, `teams:${LEE.aadObjectId}`, `teams:${BOB.aadObjectId}`, `teams:${ALICE_ALT.aadObjectId}`];
const policyWith = (extra: object = {}) => ({
  ...POLICY,
  pausers: [`teams:${LEE.aadObjectId}`],
  approval: { approvers, expireMinutes: 30, rules: [{ name: 'locks of other people', actions: ['lock'], devices: 'others' }] },
  ...extra,
});
/** Teams' longest wait for a click's answer, so a busy machine still answers in the invoke response the tests read. */
const WAIT = { TEAMS_INVOKE_WAIT_MS: '4000' };
const CHANNEL_ENV = { ...WAIT, TEAMS_SERVICE_URL: SERVICE_URL, TEAMS_APPROVALS_CONVERSATION: APPROVERS.id };

let h: Harness;
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
});
afterAll(() => nock.enableNetConnect());
afterEach(async () => {
  await h?.close();
});

/** Every TextBlock's text of a card, one a line. */
function textOf(card: unknown): string {
  const found: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as { type?: unknown; text?: unknown };
      if (n.type === 'TextBlock' && typeof n.text === 'string') found.push(n.text);
      Object.values(node).forEach(walk);
    }
  };
  walk((card as { body?: unknown } | undefined)?.body);
  return found.join('\n');
}

const button = (card: unknown, title: string) => executeActions(card).find((a) => a.title === title)!;
const postsTo = (conversationId: string) => (s: Sent) => s.method === 'POST' && s.path === `/v3/conversations/${conversationId}/activities`;
const putsTo = (conversationId: string, cardId: string) => h.sent.filter((s) => s.method === 'PUT' && s.path === `/v3/conversations/${conversationId}/activities/${cardId}`);
const lastText = (sends: Sent[]) => textOf(cardOf(sends.at(-1)!));

async function audit(): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for await (const e of h.app.store.audit.read()) events.push(e);
  return events;
}
const dispatches = async () => (await audit()).filter((e) => e.event === 'dispatch');
const lockState = async (name: string) => {
  const [device] = await h.app.backend.findDevices({ by: 'name', value: name });
  return (await h.app.backend.getActionStatus(device!.id, 'lock')).state;
};

/** Alice asks in her personal chat and confirms on REQUEST_CARD; returns the invoke response's card. */
async function askAndConfirm(text = `lock ${TARGET}`) {
  await h.post(message(ALICE, text));
  const offer = h.sent.find(postsTo(personalOf(ALICE).id))!;
  const confirm = executeActions(cardOf(offer))[0]!;
  h.sent.length = 0;
  const res = await h.post(click(ALICE, REQUEST_CARD, confirm.data));
  await h.bot.idle();
  return res.body.value;
}

/** Asks, confirms, and returns the approval card posted to the approvers' conversation, with its id. */
async function heldInChannel() {
  const answer = await askAndConfirm();
  const posted = h.sent.find(postsTo(APPROVERS.id))!;
  expect(posted).toBeDefined();
  return { answer, card: cardOf(posted), cardId: posted.answeredId! };
}

/** Who got a personal chat card: the member each new 1:1 chat was opened with, its conversation id and card id. */
function personalCards(): Array<{ member: string; chat: string; cardId: string; card: unknown }> {
  return h.sent
    .filter((s) => s.method === 'POST' && s.path === '/v3/conversations')
    .map((opened) => {
      const posted = h.sent.find(postsTo(opened.answeredId!))!;
      return { member: opened.body.members[0].id, chat: opened.answeredId!, cardId: posted.answeredId!, card: cardOf(posted) };
    });
}

describe('Teams approval cards in the approvers’ conversation', () => {
  it('(a) a request that needs a second person: the card reaches the configured conversation, the requester sees who it waits for, nothing is sent', async () => {
    h = await startHarness(CHANNEL_ENV, { policy: policyWith(), roster: ROSTER });
    const { answer, card } = await heldInChannel();
    expect(textOf(answer)).toMatch(/Waiting for approval by Teams user 40e5033a-.*Teams user aad-lee.*locks of other people/s);
    expect(textOf(card)).toContain(`Approval needed: alice@contoso.com asks for a remote lock of "${TARGET}"`);
    expect(executeActions(card).map((a) => [a.title, a.data.value.split(':')[0]])).toEqual([
      ['Approve', 'approve'],
      ['Deny', 'deny'],
    ]);
    // Public in the approvers' conversation: no private view, and no refresh that shows it to one person only.
    expect(card.refresh).toBeUndefined();
    // The requester's card keeps saying it waits, beneath the optional reason prompt.
    const request = putsTo(personalOf(ALICE).id, REQUEST_CARD);
    expect(lastText(request)).toMatch(/Waiting for approval by[\s\S]*A reason for the approvers\?/);
    expect(await lockState(TARGET)).toBe('none');
    expect((await audit()).filter((e) => e.event === 'approval').map((e) => e.outcome)).toEqual(['requested']);
  });

  it('the requester’s optional reason, typed on their own card, shows on the approvers’ card', async () => {
    h = await startHarness(CHANNEL_ENV, { policy: policyWith(), roster: ROSTER });
    const { cardId } = await heldInChannel();
    const prompt = cardOf(putsTo(personalOf(ALICE).id, REQUEST_CARD).at(-1)!);
    h.sent.length = 0;
    const res = await h.post(click(ALICE, REQUEST_CARD, { ...button(prompt, 'Add the reason').data, 'field.reason': 'Dana lost it on a train' }));
    expect(textOf(res.body.value)).toMatch(/Your reason was added/);
    await h.bot.idle();
    expect(lastText(putsTo(APPROVERS.id, cardId))).toMatch(/Reason: Dana lost it on a train/);
    expect(executeActions(cardOf(putsTo(APPROVERS.id, cardId).at(-1)!)).map((a) => a.title)).toEqual(['Approve', 'Deny']);
  });

  it('(b) the requester under a second Teams identity (same object id; same roster email) is refused, and nothing is dispatched', async () => {
    h = await startHarness(CHANNEL_ENV, { policy: policyWith(), roster: ROSTER });
    const { card, cardId } = await heldInChannel();
    h.sent.length = 0;
    for (const who of [ALICE_AGAIN, ALICE_ALT, ALICE]) {
      const res = await h.post(click(who, cardId, button(card, 'Approve').data, APPROVERS));
      expect(textOf(res.body.value)).toMatch(/You asked for this yourself/);
    }
    await h.bot.idle();
    expect(putsTo(APPROVERS.id, cardId)).toEqual([]);
    expect(await dispatches()).toEqual([]);
    expect(await lockState(TARGET)).toBe('none');
    expect((await audit()).filter((e) => e.event === 'click-refused').map((e) => e.reason)).toEqual(['approval: ownRequest', 'approval: ownRequest', 'approval: ownRequest']);
  });

  it('(c) an approver approves: dispatched once; the card and the requester’s message turn into the outcome', async () => {
    h = await startHarness(CHANNEL_ENV, { policy: policyWith(), roster: ROSTER });
    const { card, cardId } = await heldInChannel();
    h.sent.length = 0;
    const res = await h.post(click(LEE, cardId, button(card, 'Approve').data, APPROVERS));
    expect(textOf(res.body.value)).toMatch(/^✅ Approved by lee@contoso\.com at \d\d:\d\d UTC: a remote lock of "Dana's iPhone 15" asked by alice@contoso\.com\. Sent to 1 device/);
    await h.bot.idle();
    const cardUpdates = putsTo(APPROVERS.id, cardId);
    expect(cardUpdates.length).toBeGreaterThanOrEqual(1);
    for (const u of cardUpdates) {
      expect(textOf(cardOf(u))).toMatch(/^✅ Approved by lee@contoso\.com/);
      expect(cardOf(u).refresh).toBeUndefined();
      expect(executeActions(cardOf(u))).toEqual([]);
    }
    expect(lastText(putsTo(personalOf(ALICE).id, REQUEST_CARD))).toMatch(/confirmed by alice@contoso\.com, approved by lee@contoso\.com/);
    expect((await dispatches()).map((e) => [e.actor?.id, e.requester?.id])).toEqual([[LEE.aadObjectId, ALICE.aadObjectId]]);
    // Nothing more on a second approval, by anyone.
    const again = await h.post(click(BOB, cardId, button(card, 'Approve').data, APPROVERS));
    expect(textOf(again.body.value)).toMatch(/already approved/);
    await h.bot.idle();
    expect(await dispatches()).toHaveLength(1);
  });

  it('(e) expiry: swept by another process, the card restored from its stored reference and the requester’s message say so; a late click sends nothing', async () => {
    h = await startHarness(CHANNEL_ENV, { policy: policyWith(), roster: ROSTER });
    const { card, cardId } = await heldInChannel();
    await h.restart();
    h.sent.length = 0;
    h.clock.offsetMs += 29 * 60_000;
    expect(await h.app.handler.sweepExpired()).toBe(0);
    h.clock.offsetMs += 2 * 60_000;
    expect(await h.app.handler.sweepExpired()).toBe(1);
    expect(lastText(putsTo(APPROVERS.id, cardId))).toMatch(/^⚠️ Expired: nobody approved a remote lock of "Dana's iPhone 15"/);
    expect(lastText(putsTo(personalOf(ALICE).id, REQUEST_CARD))).toMatch(/Expired: nobody approved/);
    const late = await h.post(click(LEE, cardId, button(card, 'Approve').data, APPROVERS));
    expect(textOf(late.body.value)).toMatch(/has expired\. Nothing was sent/);
    await h.bot.idle();
    expect(await dispatches()).toEqual([]);
  });

  it('(f) deny asks the approver alone for a reason (the others keep the card); the reason reaches the requester', async () => {
    h = await startHarness(CHANNEL_ENV, { policy: policyWith(), roster: ROSTER });
    const { card, cardId } = await heldInChannel();
    h.sent.length = 0;
    const asked = await h.post(click(LEE, cardId, button(card, 'Deny').data, APPROVERS));
    expect(textOf(asked.body.value)).toContain('Deny this request?');
    await h.bot.idle();
    expect(putsTo(APPROVERS.id, cardId)).toEqual([]); // the card, with its buttons, stays as it is for everyone else
    const submit = button(asked.body.value, 'Deny');
    const denied = await h.post(click(LEE, cardId, { ...submit.data, 'field.reason': 'Dana has her phone back' }, APPROVERS));
    expect(textOf(denied.body.value)).toMatch(/Denied by lee@contoso\.com/);
    await h.bot.idle();
    expect(lastText(putsTo(personalOf(ALICE).id, REQUEST_CARD))).toMatch(/Denied by lee@contoso\.com at \d\d:\d\d UTC: Dana has her phone back Nothing was sent/);
    expect(lastText(putsTo(APPROVERS.id, cardId))).toMatch(/Denied by lee@contoso\.com/);
    expect(await dispatches()).toEqual([]);
    expect(await lockState(TARGET)).toBe('none');
  });

  it('(g) a rate limit: the request over it is refused with when to ask again, and nothing more is sent', async () => {
    h = await startHarness(CHANNEL_ENV, { policy: policyWith({ limits: [{ per: 'actor', actions: ['lock'], max: 1, window: '1h' }] }), roster: ROSTER });
    await askAndConfirm("lock Alice's iPhone");
    expect(await dispatches()).toHaveLength(1);
    const refused = await askAndConfirm("lock Alice's Pixel 8");
    expect(textOf(refused)).toMatch(/Nothing was sent: the limit of at most 1 remote lock per person per hour: it is reached \(1 in the last hour\)\. Ask again after \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\./);
    expect(await dispatches()).toHaveLength(1);
    expect(await lockState("Alice's Pixel 8")).toBe('none');
  });

  it('(h) pause by a pauser stops an approval click and confirmations; resume lets the approval go', async () => {
    h = await startHarness(CHANNEL_ENV, { policy: policyWith(), roster: ROSTER });
    const { card, cardId } = await heldInChannel();
    await h.post(message(LEE, 'pause a script is locking phones'));
    await h.bot.idle();
    const paused = await h.post(click(LEE, cardId, button(card, 'Approve').data, APPROVERS));
    expect(textOf(paused.body.value)).toMatch(/lockdesk is paused by lee@contoso\.com .*a script is locking phones\. Nothing was sent; this request still waits/);
    const own = await askAndConfirm("lock Alice's iPhone");
    expect(textOf(own)).toMatch(/lockdesk is paused by lee@contoso\.com/);
    await h.bot.idle();
    expect(await dispatches()).toEqual([]);
    await h.post(message(LEE, 'resume'));
    await h.bot.idle();
    const approved = await h.post(click(LEE, cardId, button(card, 'Approve').data, APPROVERS));
    expect(textOf(approved.body.value)).toMatch(/Approved by lee@contoso\.com/);
    await h.bot.idle();
    expect((await dispatches()).map((e) => e.deviceName)).toEqual([TARGET]);
  });

  it('(i) a protected person’s device needs approval; without a rule for them it is refused to a role without mayActOnProtected, naming the rule, not the person', async () => {
    const protectedDana = { users: ['dana@contoso.com'] };
    h = await startHarness(CHANNEL_ENV, { policy: policyWith({ protected: protectedDana, approval: { approvers, rules: [{ targets: 'protected' }] } }), roster: ROSTER });
    const { answer } = await heldInChannel();
    expect(textOf(answer)).toMatch(/Waiting for approval by .*protected people/);
    await h.close();

    h = await startHarness(CHANNEL_ENV, { policy: policyWith({ protected: protectedDana, approval: { approvers, rules: [{ actions: ['resetPasscode'], devices: 'others' }] } }), roster: ROSTER });
    const refused = await askAndConfirm();
    expect(textOf(refused)).toMatch(/Refused by the policy's "protected" people: your role may not act on a protected person's device.*Nothing was sent/);
    expect(textOf(refused)).not.toMatch(/dana/i);
    expect(h.sent.filter(postsTo(APPROVERS.id))).toEqual([]);
    expect(await lockState(TARGET)).toBe('none');
  });

  it('a card that cannot be posted: a warning without the request or a token, and the requester is told nobody was reached', async () => {
    nock(SERVICE_URL).post(`/v3/conversations/${encodeURIComponent('19:broken@thread.tacv2')}/activities`).reply(500, { error: { code: 'ServiceError' } });
    h = await startHarness({ ...WAIT, TEAMS_SERVICE_URL: SERVICE_URL, TEAMS_APPROVALS_CONVERSATION: '19:broken@thread.tacv2' }, { policy: policyWith(), roster: ROSTER });
    const answer = await askAndConfirm();
    expect(textOf(answer)).toMatch(/could not post the request to any approver/);
    const warning = h.logger.lines.find((l) => l.includes('could not post the approval card to TEAMS_APPROVALS_CONVERSATION'))!;
    expect(warning).toMatch(/^warn .*"status":500/);
    expect(warning.toLowerCase()).not.toMatch(/authorization|bearer|token/);
  });
});

describe('Teams approval cards in personal chats (no TEAMS_APPROVALS_CONVERSATION)', () => {
  const DM_ENV = { ...WAIT, TEAMS_SERVICE_URL: SERVICE_URL };
  const dmPolicy = (names: string[] = [...approvers.slice(0, 3), 'aad-group:22222222-2222-2222-2222-222222222222']) => policyWith({ approval: { approvers: names, rules: [{ actions: ['lock'], devices: 'others' }] } });

  it('(j) each approver named by teams:<object id> gets a card in a personal chat, never the requester; a group is warned about; deny there with a reason', async () => {
    h = await startHarness(DM_ENV, { policy: dmPolicy(), roster: ROSTER });
    await askAndConfirm();
    const cards = personalCards();
    expect(cards.map((c) => c.member).sort()).toEqual([BOB.aadObjectId, LEE.aadObjectId].sort());
    for (const c of cards) expect(textOf(c.card)).toContain('Approval needed: alice@contoso.com asks for a remote lock');
    expect(h.logger.lines.some((l) => l.startsWith('warn ') && l.includes('cannot get a card in a personal chat') && l.includes('"groups":1'))).toBe(true);

    const lee = cards.find((c) => c.member === LEE.aadObjectId)!;
    const bob = cards.find((c) => c.member === BOB.aadObjectId)!;
    const leeChat: Where = { kind: 'personal', id: lee.chat };
    const asked = await h.post(click(LEE, lee.cardId, button(lee.card, 'Deny').data, leeChat));
    expect(textOf(asked.body.value)).toContain('Deny this request?');
    const submit = button(asked.body.value, 'Deny');
    await h.post(click(LEE, lee.cardId, { ...submit.data, 'field.reason': 'not without a ticket' }, leeChat));
    await h.bot.idle();
    expect(lastText(putsTo(personalOf(ALICE).id, REQUEST_CARD))).toMatch(/Denied by lee@contoso\.com .*: not without a ticket Nothing was sent/);
    expect(lastText(putsTo(bob.chat, bob.cardId))).toMatch(/Denied by lee@contoso\.com/);
    expect(lastText(putsTo(lee.chat, lee.cardId))).toMatch(/Denied by lee@contoso\.com/);
    expect(await dispatches()).toEqual([]);
  });

  it('(d) approved on another process: the cards restored from their stored references are updated, the action is sent once', async () => {
    h = await startHarness(DM_ENV, { policy: dmPolicy(), roster: ROSTER });
    await askAndConfirm();
    const cards = personalCards();
    const lee = cards.find((c) => c.member === LEE.aadObjectId)!;
    const bob = cards.find((c) => c.member === BOB.aadObjectId)!;
    await h.restart();
    h.sent.length = 0;
    await h.post(click(LEE, lee.cardId, button(lee.card, 'Approve').data, { kind: 'personal', id: lee.chat }));
    await h.bot.idle();
    // Bob's card was never clicked: only its stored reference could have reached it.
    expect(lastText(putsTo(bob.chat, bob.cardId))).toMatch(/^✅ Approved by lee@contoso\.com/);
    expect(lastText(putsTo(lee.chat, lee.cardId))).toMatch(/^✅ Approved by lee@contoso\.com/);
    expect(lastText(putsTo(personalOf(ALICE).id, REQUEST_CARD))).toMatch(/approved by lee@contoso\.com/);
    expect(await dispatches()).toHaveLength(1);
  });

  it('the stored reference of a card holds no token; restored, it refuses a secret; data that is not one restores to nothing', async () => {
    h = await startHarness(DM_ENV, { policy: dmPolicy(), roster: ROSTER });
    await askAndConfirm();
    const decoded = decodeButton(button(personalCards()[0]!.card, 'Approve').data.value);
    const stored = await h.app.store.approvals.get(decoded?.kind === 'approve' ? decoded.approvalId : '');
    const refs = stored!.cards!;
    expect(refs).toHaveLength(2);
    for (const ref of refs) {
      expect(JSON.stringify(ref).toLowerCase()).not.toMatch(/token|secret|bearer|authorization/);
      const sink = h.app.sinks.restore(ref as SinkRef)!;
      await expect(sink.sendSecret({} as never)).rejects.toThrow(/secret/);
    }
    const good = refs[0]!.data;
    const bad: Array<Record<string, unknown>> = [
      { ...good, cardId: '' },
      { ...good, reference: { ...(good.reference as object), serviceUrl: 'http://connector.attacker.example/' } },
      { ...good, reference: {} },
    ];
    for (const data of bad) expect(h.app.sinks.restore({ platform: 'teams', data })).toBeUndefined();
  });

  it('one approver’s chat that cannot be opened: a warning, and the cards that did post are the ones kept', async () => {
    // Teams answers 403 when lockdesk is not installed for the person.
    nock(SERVICE_URL)
      .post('/v3/conversations', (body: { members?: Array<{ id?: string }> }) => body.members?.[0]?.id === BOB.aadObjectId)
      .reply(403, { error: { code: 'BotNotInConversationRoster' } });
    h = await startHarness(DM_ENV, { policy: dmPolicy(), roster: ROSTER });
    await askAndConfirm();
    expect(personalCards().map((c) => c.member)).toEqual([LEE.aadObjectId]);
    const warning = h.logger.lines.find((l) => l.includes('could not open a personal chat with an approver'))!;
    expect(warning).toMatch(/^warn .*"status":403/);
    expect(warning.toLowerCase()).not.toMatch(/authorization|bearer/);
    const decoded = decodeButton(button(personalCards()[0]!.card, 'Approve').data.value);
    const stored = await h.app.store.approvals.get(decoded?.kind === 'approve' ? decoded.approvalId : '');
    expect(stored?.cards?.map((ref) => (ref.data.reference as { conversation: { id: string } }).conversation.id)).toEqual([personalCards()[0]!.chat]);
  });

  it('at most 20 personal chats per request; how many were left out is logged', async () => {
    const many = Array.from({ length: 25 }, (_, i) => `teams:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    h = await startHarness(DM_ENV, { policy: dmPolicy(many), roster: ROSTER });
    await askAndConfirm();
    expect(personalCards()).toHaveLength(20);
    expect(h.logger.lines.some((l) => l.startsWith('warn ') && l.includes('"skipped":5'))).toBe(true);
  });
});
