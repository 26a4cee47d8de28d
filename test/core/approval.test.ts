// Second-person approval and protected people, through the handler: which requests wait for an approver, who may
// approve (never the requester, under any identity), once, before expiry, and where the outcome and secrets go.
import { describe, expect, it } from 'vitest';
import { policySchema, Secret, type Actor, type Policy } from '../../src/core/index.js';
import { actor, buttonValue, makeHarness, RecordingNotifier, RecordingSink } from './harness.js';
import { all, patIphone, patPixel, samIphone } from './fixtures.js';

const pat = actor('pat@contoso.com', { aadObjectId: 'aad-pat' });
const sam = actor('sam@contoso.com', { aadObjectId: 'aad-sam' });
const help = actor('help@contoso.com');
const lead = actor('lead@contoso.com');
const sec = actor('sec@contoso.com');

const roles = [
  { name: 'helpdesk', members: ['email:help@contoso.com'], actions: ['lock', 'resetPasscode'], devices: 'any' },
  { name: 'security', members: ['email:sec@contoso.com'], actions: ['lock'], devices: 'any', mayActOnProtected: true },
  { name: 'everyone', members: ['*'], actions: ['lock', 'resetPasscode'], devices: 'own' },
];
const approvers = ['email:lead@contoso.com', 'email:help@contoso.com', 'slack-group:S0ADMINS'];
const policy: Policy = policySchema.parse({
  roles,
  approval: { approvers, expireMinutes: 30, rules: [{ actions: ['resetPasscode'], devices: 'others' }, { actions: ['lock'], bulkAbove: 1 }, { targets: 'protected' }] },
  protected: { users: ['sam@contoso.com'] },
});
/** Protected people, but no approval rule for them: only a role with mayActOnProtected may act on them. */
const protectOnly: Policy = policySchema.parse({ roles, approval: { approvers, rules: [{ actions: ['resetPasscode'], devices: 'others' }] }, protected: { users: ['aad-sam'] } });

function setup(p: Policy = policy) {
  const notifier = new RecordingNotifier();
  const h = makeHarness(all(), { policy: p, approvals: notifier });
  return { h, notifier };
}

/** Asks and confirms as `who`; returns the requester's sink (the confirmation message) after the click. */
async function askAndConfirm(h: ReturnType<typeof makeHarness>, who: Actor, text: string, label: string): Promise<RecordingSink> {
  const offer = await h.say(who, text);
  return h.click(who, offer.lastReply, label);
}

const events = async (h: ReturnType<typeof makeHarness>) => (await h.audit()).filter((e) => e.event === 'approval').map((e) => `${e.outcome}:${e.actor?.id ?? 'lockdesk'}`);

describe('second-person approval: which requests need it', () => {
  it('self-service on your own device needs none', async () => {
    const { h, notifier } = setup();
    await askAndConfirm(h, pat, "reset passcode Pat's Pixel", 'Reset work-profile passcode');
    expect(h.backend.dispatchedIds).toEqual([patPixel.id]);
    expect(notifier.notices).toEqual([]);
  });

  it("a passcode reset of someone else's device waits for an approver: nothing is sent, the message says who", async () => {
    const { h, notifier } = setup();
    const sink = await askAndConfirm(h, help, "reset passcode Pat's Pixel", 'Reset work-profile passcode');
    expect(h.backend.dispatched).toEqual([]);
    expect(sink.lastUpdate.text).toMatch(/^Waiting for approval by lead@contoso.com, help@contoso.com, the Slack group S0ADMINS/);
    expect(notifier.notices).toHaveLength(1);
    const card = notifier.notices[0]!.card;
    expect(card.text).toMatch(/help@contoso.com asks for a passcode reset of "Pat's Pixel"/);
    expect(card.blocks.some((b) => b.kind === 'device' && b.card.name === "Pat's Pixel")).toBe(true);
    expect(buttonValue(card, 'Approve')).toMatch(/^approve:/);
    expect(buttonValue(card, 'Deny')).toMatch(/^deny:/);
    expect(await events(h)).toEqual(['requested:help@contoso.com']);
  });

  it("a single lock of someone else's device needs none; more than bulkAbove devices at once does", async () => {
    const { h, notifier } = setup();
    await askAndConfirm(h, help, "lock Pat's iPhone", 'Lock "Pat');
    expect(h.backend.dispatchedIds).toEqual([patIphone.id]);
    await askAndConfirm(h, help, 'lock pat@contoso.com', 'all 2 devices');
    expect(h.backend.dispatchedIds).toEqual([patIphone.id]);
    expect(notifier.notices).toHaveLength(1);
    expect((await h.audit()).find((e) => e.event === 'approval')!.reason).toMatch(/more than 1 devices/);
  });

  it("a protected person's device needs approval, whatever the role; their own device does not", async () => {
    const { h, notifier } = setup();
    await askAndConfirm(h, sec, "lock Sam's iPhone", 'Lock "Sam');
    expect(h.backend.dispatched).toEqual([]);
    expect((await h.audit()).find((e) => e.event === 'approval')!.reason).toMatch(/protected people/);
    await askAndConfirm(h, sam, "lock Sam's iPhone", 'Lock "Sam');
    expect(h.backend.dispatchedIds).toEqual([samIphone.id]);
    expect(notifier.notices).toHaveLength(1);
  });

  it("without a rule for them, a protected person's device is refused to a role without mayActOnProtected, naming the rule, not the person", async () => {
    const { h, notifier } = setup(protectOnly);
    const sink = await askAndConfirm(h, help, "lock Sam's iPhone", 'Lock "Sam');
    expect(h.backend.dispatched).toEqual([]);
    expect(sink.lastUpdate.text).toMatch(/Refused by the policy's "protected" people.*Nothing was sent/);
    expect(sink.lastUpdate.text).not.toMatch(/sam/i);
    expect(notifier.notices).toEqual([]);
    expect((await h.audit()).filter((e) => e.event === 'refusal').at(-1)!.reason).toMatch(/protected/);
    await askAndConfirm(h, sec, "lock Sam's iPhone", 'Lock "Sam');
    expect(h.backend.dispatchedIds).toEqual([samIphone.id]);
  });

  it('a protected group without a directory to ask counts everyone in it as protected (fail closed)', async () => {
    const notifier = new RecordingNotifier();
    const p = policySchema.parse({ roles, protected: { groups: ['aad-group:g-execs'] } });
    const h = makeHarness(all(), { policy: p, approvals: notifier });
    await askAndConfirm(h, help, "lock Pat's iPhone", 'Lock "Pat');
    expect(h.backend.dispatched).toEqual([]);
    const h2 = makeHarness(all(), { policy: p, approvals: notifier, directory: { memberGroups: async (user) => (user === 'aad-sam' ? ['g-execs'] : []) } });
    await askAndConfirm(h2, help, "lock Pat's iPhone", 'Lock "Pat');
    expect(h2.backend.dispatchedIds).toEqual([patIphone.id]);
    await askAndConfirm(h2, help, "lock Sam's iPhone", 'Lock "Sam');
    expect(h2.backend.dispatchedIds).toEqual([patIphone.id]);
  });
});

describe('preview says what a second person or the kill switch would do', () => {
  it('names the approval rule and the approvers, a protected refusal, and a pause; creates nothing', async () => {
    const { h, notifier } = setup();
    expect((await h.say(help, "preview reset passcode Pat's Pixel")).lastReply.text).toContain(
      'You would confirm it yourself; then a second person has to approve it (approval rule 1 (actions resetPasscode; devices "others")): lead@contoso.com, help@contoso.com, the Slack group S0ADMINS.',
    );
    expect((await h.say(pat, "preview reset passcode Pat's Pixel")).lastReply.text).toContain('You would confirm it yourself; no second person is needed.');
    const p = setup(protectOnly);
    expect((await p.h.say(help, "lock Sam's iPhone --dry-run")).lastReply.text).toMatch(/It would be refused when confirmed \([^)]+\): your role may not act on a protected person's device/);
    await h.store.pause.pause({ by: { platform: 'console', id: 'lead@contoso.com', email: 'lead@contoso.com' }, since: h.clock.now().toISOString(), reason: 'drill' });
    expect((await h.say(pat, 'preview lock me')).lastReply.text).toMatch(/lockdesk is paused by lead@contoso\.com .*drill: while it is, a confirmation sends nothing\./);
    expect(notifier.notices).toEqual([]);
    expect(await h.store.approvals.listPending(h.clock.now(), 10)).toEqual([]);
  });
});

describe('second-person approval: deciding', () => {
  async function held() {
    const { h, notifier } = setup();
    const requester = await askAndConfirm(h, help, "reset passcode Pat's Pixel", 'Reset work-profile passcode');
    return { h, notifier, requester, card: notifier.notices[0]!.card, cardSink: notifier.cards[0]! };
  }

  it('an approval clicked while lockdesk is paused sends nothing and still waits; after resume it is sent', async () => {
    const { h, card } = await held();
    await h.store.pause.pause({ by: { platform: 'console', id: 'lead@contoso.com', email: 'lead@contoso.com' }, since: h.clock.now().toISOString(), reason: 'a bad script' });
    const paused = await h.click(lead, card, 'Approve');
    expect(h.backend.dispatched).toEqual([]);
    expect(paused.lastReply.text).toMatch(/lockdesk is paused by lead@contoso\.com .*a bad script\. Nothing was sent; this request still waits/);
    await h.store.pause.resume();
    await h.click(lead, card, 'Approve');
    expect(h.backend.dispatched).toEqual([{ action: 'resetPasscode', deviceIds: [patPixel.id] }]);
  });

  it('an approver approves: sent once, the requester sees the status, every card says who approved', async () => {
    const { h, requester, card, cardSink } = await held();
    const clicked = await h.click(lead, card, 'Approve');
    expect(h.backend.dispatched).toEqual([{ action: 'resetPasscode', deviceIds: [patPixel.id] }]);
    expect(requester.lastUpdate.text).toMatch(/Passcode reset of "Pat's Pixel": sent/);
    expect(requester.lastUpdate.blocks[0]).toMatchObject({ kind: 'heading', text: expect.stringMatching(/confirmed by help@contoso.com, approved by lead@contoso.com/) });
    expect(clicked.lastUpdate.text).toMatch(/^Approved by lead@contoso.com/);
    expect(cardSink.lastUpdate.text).toMatch(/^Approved by lead@contoso.com/);
    expect(await events(h)).toEqual(['requested:help@contoso.com', 'approved:lead@contoso.com']);
    const dispatch = (await h.audit()).find((e) => e.event === 'dispatch')!;
    expect(dispatch.actor?.id).toBe('lead@contoso.com');
    expect(dispatch.requester?.id).toBe('help@contoso.com');
    const again = await h.click(lead, card, 'Approve');
    expect(again.lastReply.text).toMatch(/already approved/);
    expect(h.backend.dispatched).toHaveLength(1);
  });

  it('"approvals" lists what waits for the caller, with its buttons: an approver can decide from there; never their own request; not for others', async () => {
    const { h, requester, cardSink } = await held();
    const listed = await h.say(lead, 'approvals');
    expect(listed.lastReply.text).toMatch(/^1 request waiting for approval:\nhelp@contoso.com asks for a passcode reset of "Pat's Pixel" \(approval rule 1 .*expires in 30 minutes\./);
    expect((await h.say(help, 'approvals')).lastReply.text).toBe('No request is waiting for your approval.');
    expect((await h.say(pat, 'approvals')).lastReply.text).toMatch(/^Only the approvers the policy names can see/);
    expect((await h.say(pat, 'help')).lastReply.text).not.toMatch(/approvals:/);
    expect((await h.say(lead, 'help')).lastReply.text).toMatch(/\napprovals: /);
    await h.click(lead, listed.lastReply, 'Approve', listed);
    expect(h.backend.dispatched).toEqual([{ action: 'resetPasscode', deviceIds: [patPixel.id] }]);
    expect(listed.lastUpdate.text).toMatch(/^Approved by lead@contoso.com/);
    expect(cardSink.lastUpdate.text).toMatch(/^Approved by lead@contoso.com/);
    expect(requester.lastUpdate.text).toMatch(/Passcode reset of "Pat's Pixel": sent/);
    expect((await h.say(lead, 'approvals')).lastReply.text).toBe('No request is waiting for your approval.');
  });

  it('"approvals" shows five at most and counts the rest', async () => {
    const { h } = setup(policySchema.parse({ ...policy, approval: { ...policy.approval, maxPendingPerPerson: 10 } }));
    for (let i = 0; i < 7; i++) await askAndConfirm(h, help, "reset passcode Pat's Pixel", 'Reset work-profile passcode');
    const listed = (await h.say(lead, 'approvals')).lastReply;
    expect(listed.text).toMatch(/^7 requests waiting for approval:/);
    expect(listed.text).toMatch(/\nand 2 more\.$/);
    expect(listed.blocks.filter((b) => b.kind === 'actions')).toHaveLength(5);
  });

  it('a held request counts against the rate limits once, when confirmed: not again when approved; a denied one still counts', async () => {
    const limited = policySchema.parse({ ...policy, limits: [{ per: 'actor', actions: ['resetPasscode'], max: 2, window: '1h' }] });
    const { h, notifier } = setup(limited);
    await askAndConfirm(h, help, "reset passcode Pat's Pixel", 'Reset work-profile passcode');
    await h.click(lead, notifier.notices[0]!.card, 'Approve');
    expect(h.backend.dispatched).toHaveLength(1);
    // The second fits (the approval took nothing more); denied, it still counts, so the third is refused.
    await askAndConfirm(h, help, "reset passcode Pat's Pixel", 'Reset work-profile passcode');
    expect(notifier.notices).toHaveLength(2);
    await h.click(lead, notifier.notices[1]!.card, 'Deny').then((s) => h.handler.handleClick(lead, buttonValue(notifier.notices[1]!.card, 'Deny'), s, { reason: 'no' }));
    expect((await events(h)).filter((e) => e.startsWith('denied'))).toEqual(['denied:lead@contoso.com']);
    const third = await askAndConfirm(h, help, "reset passcode Pat's Pixel", 'Reset work-profile passcode');
    expect(third.lastUpdate.text).toMatch(/^Nothing was sent: the limit of at most 2 passcode resets per person per hour/);
    expect(notifier.notices).toHaveLength(2);
    expect(h.backend.dispatched).toHaveLength(1);
  });

  it('one person may have five requests waiting at once (policy maxPendingPerPerson): the sixth is refused, audited, and no card is posted', async () => {
    const { h, notifier } = setup();
    for (let i = 0; i < 5; i++) await askAndConfirm(h, help, "reset passcode Pat's Pixel", 'Reset work-profile passcode');
    const sixth = await askAndConfirm(h, help, "reset passcode Pat's Pixel", 'Reset work-profile passcode');
    expect(sixth.lastUpdate.text).toMatch(/^You have 5 requests waiting for approval already/);
    expect(notifier.notices).toHaveLength(5);
    expect((await h.audit()).filter((e) => e.event === 'refusal').at(-1)!.reason).toBe('approval: 5 requests of this person already wait (at most 5)');
    await h.click(lead, notifier.notices[0]!.card, 'Deny').then((s) => h.handler.handleClick(lead, buttonValue(notifier.notices[0]!.card, 'Deny'), s, { reason: 'no' }));
    await askAndConfirm(h, help, "reset passcode Pat's Pixel", 'Reset work-profile passcode');
    expect(notifier.notices).toHaveLength(6);
    expect(h.backend.dispatched).toEqual([]);
  });

  it('the requester may withdraw a waiting request: nothing is sent, every card says so, audited; nobody else may', async () => {
    const { h, requester, card, cardSink } = await held();
    const waiting = requester.lastUpdate;
    const other = await h.click(lead, waiting, 'Withdraw the request');
    expect(other.lastReply.text).toMatch(/^Only the person who asked can add a reason to this request, or withdraw it/);
    await h.click(help, waiting, 'Withdraw the request', requester);
    expect(requester.lastUpdate.text).toMatch(/^Withdrawn by help@contoso.com at \d\d:\d\d UTC: a passcode reset of "Pat's Pixel" asked by help@contoso.com\. Nothing was sent\./);
    expect(cardSink.lastUpdate.text).toMatch(/^Withdrawn by help@contoso.com/);
    expect(await events(h)).toEqual(['requested:help@contoso.com', 'withdrawn:help@contoso.com']);
    expect((await h.click(lead, card, 'Approve')).lastReply.text).toMatch(/^The person who asked has withdrawn this request/);
    expect(h.backend.dispatched).toEqual([]);
  });

  it('two approve clicks at once (two approvers) send it once', async () => {
    const { h, card } = await held();
    const other = actor('admin@contoso.com', { platform: 'slack', id: 'U0ADMIN', groups: ['slack-group:S0ADMINS'] });
    const value = buttonValue(card, 'Approve');
    const sinks = [new RecordingSink(), new RecordingSink(), new RecordingSink()];
    await Promise.all([h.handler.handleClick(lead, value, sinks[0]!), h.handler.handleClick(other, value, sinks[1]!), h.handler.handleClick(lead, value, sinks[2]!)]);
    expect(h.backend.dispatched).toEqual([{ action: 'resetPasscode', deviceIds: [patPixel.id] }]);
    expect((await events(h)).filter((e) => e.startsWith('approved'))).toHaveLength(1);
  });

  it('the requester can never approve their own request, under any identity; nor can one who cannot be told apart', async () => {
    const { h, card } = await held();
    const tries: Actor[] = [
      help,
      // The same person on Slack: same email.
      { platform: 'slack', id: 'U0HELP', email: 'HELP@contoso.com', groups: ['slack-group:S0ADMINS'] },
      // On Teams: another id, the same email, an object id of its own.
      { platform: 'teams', id: '29:help', email: 'help@contoso.com', aadObjectId: 'aad-help' },
      // An approver Slack can tell nothing about but their user id: may be the requester.
      { platform: 'slack', id: 'U0ANON', groups: ['slack-group:S0ADMINS'] },
    ];
    for (const who of tries) {
      const sink = await h.click(who, card, 'Approve');
      expect(sink.lastReply.text).toMatch(who.id === 'U0ANON' ? /cannot tell you apart/ : /You asked for this yourself/);
    }
    // Nor deny it.
    expect((await h.click(help, card, 'Deny')).lastReply.text).toMatch(/You asked for this yourself/);
    // Not an approver at all.
    expect((await h.click(pat, card, 'Approve')).lastReply.text).toMatch(/Only the approvers/);
    expect(h.backend.dispatched).toEqual([]);
    const refused = (await h.audit()).filter((e) => e.event === 'click-refused').map((e) => e.reason);
    expect(refused).toEqual(['approval: ownRequest', 'approval: ownRequest', 'approval: ownRequest', 'approval: unknownIdentity', 'approval: ownRequest', 'approval: notApprover']);
    await h.click(lead, card, 'Approve');
    expect(h.backend.dispatchedIds).toEqual([patPixel.id]);
  });

  it('the same Entra object id is the same person, across platforms', async () => {
    const notifier = new RecordingNotifier();
    const h = makeHarness(all(), { policy: policySchema.parse({ ...policy, roles: [...roles, { name: 't', members: ['teams:aad-tess'], actions: ['resetPasscode'], devices: 'any' }], approval: { ...policy.approval, approvers: ['aad-group:g-leads'] } }), approvals: notifier });
    const tess: Actor = { platform: 'teams', id: '29:tess', aadObjectId: 'aad-tess' };
    await askAndConfirm(h, tess, "reset passcode Pat's Pixel", 'Reset work-profile passcode');
    const card = notifier.notices[0]!.card;
    const sink = await h.click({ platform: 'console', id: 'tess-at-terminal', email: 'tess@contoso.com', aadObjectId: 'AAD-TESS', groups: ['aad-group:g-leads'] }, card, 'Approve');
    expect(sink.lastReply.text).toMatch(/You asked for this yourself/);
    await h.click({ platform: 'teams', id: '29:lee', aadObjectId: 'aad-lee', groups: ['aad-group:g-leads'] }, card, 'Approve');
    expect(h.backend.dispatchedIds).toEqual([patPixel.id]);
  });

  it('deny asks for a reason; the reason reaches the requester and every card, and nothing is sent', async () => {
    const { h, requester, card, cardSink } = await held();
    const clicked = await h.click(lead, card, 'Deny');
    expect(clicked.prompts).toHaveLength(1);
    expect(clicked.prompts[0]!.fields?.map((f) => f.id)).toEqual(['reason']);
    const empty = new RecordingSink();
    await h.handler.handleClick(lead, clicked.prompts[0]!.value, empty, { reason: '   ' });
    expect(empty.lastReply.text).toMatch(/Say why you deny it/);
    const answered = new RecordingSink();
    await h.handler.handleClick(lead, clicked.prompts[0]!.value, answered, { reason: 'Pat is at their desk; no reset needed' });
    expect(requester.lastUpdate.text).toMatch(/^Denied by lead@contoso.com.*: Pat is at their desk; no reset needed Nothing was sent/);
    expect(cardSink.lastUpdate.text).toMatch(/^Denied by lead@contoso.com/);
    expect(answered.lastUpdate.text).toMatch(/^Denied by lead@contoso.com/);
    expect((await h.audit()).find((e) => e.event === 'approval' && e.outcome === 'denied')!.reason).toBe('Pat is at their desk; no reset needed');
    expect((await h.click(actor('admin@contoso.com', { groups: ['slack-group:S0ADMINS'] }), card, 'Approve')).lastReply.text).toMatch(/already denied/);
    expect(h.backend.dispatched).toEqual([]);
  });

  it('the requester may add a reason, which every card then shows', async () => {
    const { h, requester, cardSink } = await held();
    const prompt = requester.prompts.at(-1)!;
    expect(prompt.fields?.[0]).toMatchObject({ id: 'reason', optional: true });
    const other = new RecordingSink();
    await h.handler.handleClick(pat, prompt.value, other, { reason: 'not mine to add' });
    expect(other.lastReply.text).toMatch(/Only the person who asked/);
    const typed = new RecordingSink();
    await h.handler.handleClick(help, prompt.value, typed, { reason: 'Pat is locked out before a flight' });
    expect(cardSink.lastUpdate.text).toMatch(/Reason: Pat is locked out before a flight/);
    expect(await events(h)).toEqual(['requested:help@contoso.com', 'reason:help@contoso.com']);
  });

  it('expires after the policy time: swept and audited once, every card says so, a late approval sends nothing', async () => {
    const { h, requester, card, cardSink } = await held();
    h.clock.advance(29 * 60_000);
    expect(await h.handler.sweepExpired()).toBe(0);
    h.clock.advance(60_000);
    expect(await h.handler.sweepExpired()).toBe(1);
    expect(await h.handler.sweepExpired()).toBe(0);
    expect(requester.lastUpdate.text).toMatch(/^Expired: nobody approved/);
    expect(cardSink.lastUpdate.text).toMatch(/^Expired/);
    expect((await h.click(lead, card, 'Approve')).lastReply.text).toMatch(/expired/);
    expect(h.backend.dispatched).toEqual([]);
    expect((await events(h)).filter((e) => e.startsWith('expired'))).toEqual(['expired:lockdesk']);
  });

  it('a click after the time expires it once, without the sweep', async () => {
    const { h, card } = await held();
    h.clock.advance(30 * 60_000);
    await h.click(lead, card, 'Approve');
    await h.click(lead, card, 'Approve');
    expect(await h.handler.sweepExpired()).toBe(0);
    expect((await events(h)).filter((e) => e.startsWith('expired'))).toHaveLength(1);
  });

  it('approval re-checks the devices: one that changed owner meanwhile is not sent', async () => {
    const { h, requester, card } = await held();
    h.backend.devices.find((d) => d.id === patPixel.id)!.userId = 'aad-someone-else';
    await h.click(lead, card, 'Approve');
    expect(h.backend.dispatched).toEqual([]);
    expect(requester.lastUpdate.text).toMatch(/changed owner/);
  });

  it('the temporary passcode goes to the requester only, never to the approver', async () => {
    const { h, requester, card } = await held();
    const clicked = await h.click(lead, card, 'Approve');
    h.backend.setStatus(patPixel.id, 'resetPasscode', { state: 'done', startedAt: h.clock.now().toISOString(), passcode: new Secret('739214') });
    h.clock.advance(1_000);
    await h.handler.idle();
    expect(requester.secrets.map((s) => [s.recipient.id, s.passcode.reveal()])).toEqual([['help@contoso.com', '739214']]);
    expect(clicked.secrets).toEqual([]);
    expect(JSON.stringify([...clicked.replies, ...clicked.updates])).not.toContain('739214');
    expect(JSON.stringify(await h.audit())).not.toContain('739214');
  });
});
