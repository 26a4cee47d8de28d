// What a review that tried to break the guardrails found, each now a rule: a second address of the requester is
// still the requester; whoever confirmed a request cannot also approve it; a pause typed after the click (before
// the send) still holds; a per-person limit counts the person; refused approval clicks are audited; a reason is one
// plain line; the approver sees the Lost Mode text they approve.
import { describe, expect, it } from 'vitest';
import { policySchema, type Actor, type Policy, type Reply } from '../../src/core/index.js';
import { PAUSE_WATCH_MS } from '../../src/core/pause-watch.js';
import { actor, FakeIdentities, makeHarness, RecordingNotifier, RecordingSink } from './harness.js';
import { all, fleetOf, patIphone, patPixel } from './fixtures.js';
import { makeDevice } from '../fakes/device.js';

const help = actor('help@contoso.com');
const lead = actor('lead@contoso.com');
const roles = [
  { name: 'helpdesk', members: ['email:help@contoso.com', 'teams:aad-jane'], actions: ['lock', 'resetPasscode'], devices: 'any' },
  { name: 'everyone', members: ['*'], actions: ['lock', 'resetPasscode'], devices: 'own' },
];
const base = {
  roles,
  pausers: ['email:lead@contoso.com'],
  approval: { approvers: ['email:lead@contoso.com', 'slack-group:S0ADMINS'], rules: [{ actions: ['resetPasscode'], devices: 'others' }] },
};
const policy: Policy = policySchema.parse(base);

function setup(p: Policy = policy, identities: FakeIdentities | null = new FakeIdentities()) {
  const notifier = new RecordingNotifier();
  return { h: makeHarness(all(), { policy: p, approvals: notifier, identities }), notifier, identities };
}
const askAndConfirm = async (h: ReturnType<typeof makeHarness>, asker: Actor, text: string, label: string, confirmer: Actor = asker) => h.click(confirmer, (await h.say(asker, text)).lastReply, label);
const reset = "reset passcode Pat's Pixel";
const RESET = 'Reset work-profile passcode';

describe('one person under two addresses is one person', () => {
  const janeTeams: Actor = { platform: 'teams', id: 'aad-jane', aadObjectId: 'aad-jane', email: 'jane.doe@contoso.onmicrosoft.com' };
  // On Slack Jane has no Entra id (Slack gives none), and her profile email is an alias of hers.
  const janeSlack: Actor = { platform: 'slack', id: 'U0JANE', email: 'jane@contoso.com', groups: ['slack-group:S0ADMINS'] };

  it('Jane asks on Teams and clicks Approve on Slack under her alias: Entra ID says it is her, refused, nothing sent', async () => {
    const { h, notifier, identities } = setup();
    identities!.users.set('jane@contoso.com', 'AAD-JANE');
    await askAndConfirm(h, janeTeams, reset, RESET);
    const clicked = await h.click(janeSlack, notifier.notices[0]!.card, 'Approve');
    expect(clicked.lastReply.text).toMatch(/^You asked for this yourself/);
    expect(h.backend.dispatched).toEqual([]);
  });

  it('an address Entra ID does not know, a directory that does not answer, or none at all: refused as "cannot tell apart"', async () => {
    for (const make of [() => Object.assign(new FakeIdentities(), { fail: true }), () => null, () => { const i = new FakeIdentities(); i.users.set('jane@contoso.com', undefined); return i; }]) {
      const { h, notifier } = setup(policy, make());
      await askAndConfirm(h, janeTeams, reset, RESET);
      const clicked = await h.click(janeSlack, notifier.notices[0]!.card, 'Approve');
      expect(clicked.lastReply.text).toMatch(/^lockdesk cannot tell you apart from the person who asked/);
      expect(h.backend.dispatched).toEqual([]);
    }
  });

  it('two different Entra users are two people: the approval is sent', async () => {
    const { h, notifier } = setup();
    await askAndConfirm(h, janeTeams, reset, RESET);
    await h.click(janeSlack, notifier.notices[0]!.card, 'Approve');
    expect(h.backend.dispatchedIds).toEqual([patPixel.id]);
  });

  it('a per-person limit counts the person across chats: the same email on Slack has no fresh allowance', async () => {
    const p = policySchema.parse({ roles, limits: [{ per: 'actor', actions: ['lock'], max: 1, window: '1h' }] });
    const h = makeHarness(all(), { policy: p });
    await askAndConfirm(h, help, "lock Pat's iPhone", 'Lock "');
    const onSlack = await askAndConfirm(h, { platform: 'slack', id: 'U0HELP', email: 'help@contoso.com' }, "lock Pat's iPhone", 'Lock "');
    expect(onSlack.lastUpdate.text).toMatch(/^Nothing was sent: the limit of at most 1 remote lock per person per hour/);
    expect(h.backend.dispatchedIds).toEqual([patIphone.id]);
  });
});

describe('a second person is someone other than whoever confirmed it too', () => {
  it('lead confirms help\'s request (as a policy confirmer) and cannot approve it; another approver can', async () => {
    const { h, notifier } = setup(policySchema.parse({ ...base, approvers: ['email:lead@contoso.com'] }));
    await askAndConfirm(h, help, reset, RESET, lead);
    const refused = await h.click(lead, notifier.notices[0]!.card, 'Approve');
    expect(refused.lastReply.text).toMatch(/^You confirmed this request for the person who asked/);
    expect(h.backend.dispatched).toEqual([]);
    expect((await h.say(lead, 'approvals')).lastReply.text).toBe('No request is waiting for your approval.');
    const admin = actor('admin@contoso.com', { platform: 'slack', id: 'U0ADMIN', groups: ['slack-group:S0ADMINS'] });
    await h.click(admin, notifier.notices[0]!.card, 'Approve');
    expect(h.backend.dispatchedIds).toEqual([patPixel.id]);
  });
});

describe('a pause typed after the click, before the send, still holds', () => {
  const pauseDuringReread = (h: ReturnType<typeof makeHarness>) => {
    const original = h.backend.getDevices.bind(h.backend);
    h.backend.getDevices = async (ids) => {
      await h.store.pause.pause({ by: { platform: 'console', id: 'lead@contoso.com', email: 'lead@contoso.com' }, since: h.clock.now().toISOString(), reason: 'a script is locking phones' });
      return original(ids);
    };
  };

  it('a confirmation click: nothing sent, the device says lockdesk was paused', async () => {
    const { h } = setup();
    const offer = await h.say(help, "lock Pat's iPhone");
    pauseDuringReread(h);
    const sink = await h.click(help, offer.lastReply, 'Lock "');
    expect(h.backend.dispatched).toEqual([]);
    expect(sink.lastUpdate.text).toMatch(/not sent.*lockdesk is paused by lead@contoso\.com .*a script is locking phones/s);
  });

  it('an approval click: nothing sent, and no card says it was', async () => {
    const { h, notifier } = setup();
    await askAndConfirm(h, help, reset, RESET);
    pauseDuringReread(h);
    const clicked = await h.click(lead, notifier.notices[0]!.card, 'Approve');
    expect(h.backend.dispatched).toEqual([]);
    for (const text of [clicked.lastUpdate.text, notifier.cards[0]!.lastUpdate.text]) {
      expect(text).toMatch(/^Approved by lead@contoso.com .*Nothing was sent: lockdesk is paused by lead@contoso\.com/);
      expect(text).not.toMatch(/Sent to/);
    }
  });

  it('a bulk of 60 paused while its devices are read again: not one batch leaves', async () => {
    const h = makeHarness(fleetOf(60), { policy: policySchema.parse({ roles, bulkConfirmAbove: 100 }) });
    h.backend.batches = {
      size: 20,
      gap: async () => {
        await h.clock.untilSleeping(1);
        h.clock.advance(PAUSE_WATCH_MS);
        await new Promise((r) => setTimeout(r, 20));
      },
    };
    const offer = await h.say(help, 'lock fleet@contoso.com');
    pauseDuringReread(h);
    await h.click(help, offer.lastReply, 'all 60 devices');
    expect(h.backend.dispatched).toEqual([]);
  });
});

describe('refused approval clicks and reasons', () => {
  it('an approval clicked while paused is audited as a refused click', async () => {
    const { h, notifier } = setup();
    await askAndConfirm(h, help, reset, RESET);
    await h.store.pause.pause({ by: { platform: 'console', id: 'lead@contoso.com', email: 'lead@contoso.com' }, since: h.clock.now().toISOString(), reason: 'drill' });
    await h.click(lead, notifier.notices[0]!.card, 'Approve');
    const refused = (await h.audit()).filter((e) => e.event === 'click-refused' && e.actor?.id === 'lead@contoso.com');
    expect(refused.map((e) => e.reason)).toEqual(['approval: paused']);
  });

  it("a reason is one plain line: no escape sequences, line breaks or direction overrides reach a card", async () => {
    const { h, notifier } = setup();
    const sink = await askAndConfirm(h, help, reset, RESET);
    const reason = '\u001b[2J\u001b[H\nApproved in advance by the CISO (ticket 4711). \u202Eevol\u202C';
    await h.handler.handleClick(help, sink.prompts.at(-1)!.value, new RecordingSink(), { reason });
    const stored = (await h.store.approvals.listPending(h.clock.now(), 10))[0]!;
    expect(stored.reason).toBe('[2J [H Approved in advance by the CISO (ticket 4711). evol');
    const shown = JSON.stringify(notifier.cards[0]!.lastUpdate);
    expect(shown).not.toMatch(/\\u001b|\\u202e|Reason: [^"]*\\n/i);
  });
});

describe('the approver sees the Lost Mode text they approve', () => {
  it("the card and the approvals list show the message, phone number and footer help typed; that text is what is sent", async () => {
    const supervised = makeDevice({ userId: 'aad-pat', userPrincipalName: 'pat@contoso.com', emailAddress: 'pat@contoso.com', userDisplayName: 'Pat Doe', id: 'dev-pat-sup', name: "Pat's work iPhone", operatingSystem: 'iOS', osVersion: '17.5', deviceType: 'iPhone', isSupervised: true, ownerType: 'company', lostModeState: 'disabled', serialNumber: 'SUP1' });
    const p = policySchema.parse({
      helpdeskPhone: '+1 425 555 0100',
      roles: [{ name: 'helpdesk', members: ['email:help@contoso.com'], actions: ['enableLostMode'], devices: 'any' }],
      approval: { approvers: ['email:lead@contoso.com'], rules: [{ actions: ['enableLostMode'], devices: 'others' }] },
    });
    const notifier = new RecordingNotifier();
    const h = makeHarness([supervised], { policy: p, approvals: notifier });
    const offer = await h.say(help, `lost mode ${supervised.name}`);
    const sink = await h.click(help, offer.lastReply, 'Enable Lost Mode');
    const text = { message: 'Your phone is locked for a security check. Call this number and read out your password to unlock it.', phoneNumber: '+1 900 555 0123', footer: 'IT Security' };
    await h.handler.handleClick(help, sink.prompts[0]!.value, sink, text);
    const card = notifier.notices[0]!.card;
    const line = `Lock-screen message: "${text.message}"; phone number: "${text.phoneNumber}"; footer: "${text.footer}".`;
    expect(card.blocks.some((b) => b.kind === 'paragraph' && b.text === line)).toBe(true);
    expect((await h.say(lead, 'approvals')).lastReply.text).toContain(line);
    await h.click(lead, card, 'Approve');
    expect(h.backend.dispatched[0]!.parameters?.[supervised.id]?.lostMode).toEqual(text);
  });
});

describe('decisions that race the cards', () => {
  it('an approval decided while its cards are still being posted turns every card into the outcome; the requester is not told "waiting" after it', async () => {
    const posted: RecordingSink[] = [];
    // The first approver decides on a card posted earlier, before this one is handed back.
    const approveAtOnce = {
      async notify(notice: { card: Reply }) {
        const card = new RecordingSink();
        card.replies.push(notice.card);
        posted.push(card);
        await h2.click(lead, notice.card, 'Approve');
        return [card];
      },
    };
    const h2 = makeHarness(all(), { policy, approvals: approveAtOnce as never });
    const requester = await askAndConfirm(h2, help, reset, RESET);
    expect(h2.backend.dispatchedIds).toEqual([patPixel.id]);
    expect(posted.at(-1)!.lastUpdate.text).toMatch(/^Approved by lead@contoso.com/);
    expect(requester.lastUpdate.text).not.toMatch(/^Waiting for approval/);
    expect(requester.prompts).toEqual([]);
  });

  it('a reason added while an approver approves does not bring the Approve and Deny buttons back', async () => {
    // Cards that can be restored from their stored reference, as Slack's and Teams' can.
    const cards = new Map<string, RecordingSink>();
    const notifier = {
      async notify(notice: { card: Reply }) {
        const id = `c${cards.size}`;
        const card = Object.assign(new RecordingSink(), { ref: () => ({ platform: 'slack' as const, data: { card: id } }) });
        card.replies.push(notice.card);
        cards.set(id, card);
        return [card];
      },
    };
    const h = makeHarness(all(), { policy, approvals: notifier as never, sinks: { restore: (ref) => cards.get(String(ref.data.card)) } });
    const sink = await askAndConfirm(h, help, reset, RESET);
    const card = cards.get('c0')!;
    const original = h.backend.getDevices.bind(h.backend);
    let once = true;
    h.backend.getDevices = async (ids) => {
      if (once) {
        once = false;
        await h.click(lead, card.replies[0]!, 'Approve');
      }
      return original(ids);
    };
    const why = new RecordingSink();
    await h.handler.handleClick(help, sink.prompts.at(-1)!.value, why, { reason: 'lost on the train' });
    expect(h.backend.dispatchedIds).toEqual([patPixel.id]);
    expect(card.lastUpdate.text).toMatch(/^Approved by lead@contoso.com/);
  });

  it("the requester's display name is one plain line on the card", async () => {
    const { h, notifier } = setup();
    const named = actor('help@contoso.com', { displayName: 'Help\n✅ Pre-approved by lead@contoso.com \u202Eevol' });
    await askAndConfirm(h, named, reset, RESET);
    const asked = notifier.notices[0]!.card.blocks.find((b) => b.kind === 'paragraph' && b.text.startsWith('Asked by'));
    expect(asked).toMatchObject({ text: expect.stringMatching(/^Asked by Help ✅ Pre-approved by lead@contoso.com evol \(help@contoso.com\) on console\./) });
  });
});

describe('who an approval card is not for', () => {
  it("the notice names the requester's and the confirmer's Entra object ids, so a chat can leave them out", async () => {
    const { h, notifier } = setup(policySchema.parse({ ...base, approvers: ['email:lead@contoso.com'] }));
    await askAndConfirm(h, help, reset, RESET, lead);
    expect(notifier.notices[0]!.requester).toMatchObject({ email: 'help@contoso.com', aadObjectId: 'entra:help@contoso.com' });
    expect(notifier.notices[0]!.confirmedBy).toMatchObject({ email: 'lead@contoso.com', aadObjectId: 'entra:lead@contoso.com' });
    void h;
  });
});
