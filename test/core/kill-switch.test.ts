// The kill switch, through the handler: who may pause and resume, a click while paused, LOCKDESK_PAUSED, and the
// follow-up of what was already sent.
import { describe, expect, it } from 'vitest';
import { policySchema } from '../../src/core/index.js';
import { actor, buttonValue, helpdeskPolicy, makeHarness, RecordingSink } from './harness.js';
import { all, fleetOf, patIphone } from './fixtures.js';
import { PAUSE_WATCH_MS } from '../../src/core/pause-watch.js';

const help = actor('help@contoso.com');
const lead = actor('lead@contoso.com');
const admins = actor('admin@contoso.com', { platform: 'slack', id: 'U0ADMIN', groups: ['slack-group:S0ADMINS'] });
const policy = policySchema.parse({ ...helpdeskPolicy, pausers: ['slack-group:S0ADMINS', 'email:lead@contoso.com'] });

describe('the kill switch', () => {
  it('a pauser pauses with a reason (audited), and a person the policy does not name can neither pause nor resume', async () => {
    const h = makeHarness(all(), { policy });
    const refused = await h.say(help, 'pause I think something is wrong');
    expect(refused.lastReply.text).toBe('Only the people the policy names as pausers may pause lockdesk. Nothing was done.');
    expect(await h.handler.paused()).toBeUndefined();

    const paused = await h.say(admins, 'pause a script is locking phones');
    expect(paused.lastReply.text).toMatch(/^lockdesk is paused by admin@contoso\.com since 2025-06-02 09:00:00 UTC: a script is locking phones\. Nothing will be sent/);
    expect(await h.handler.paused()).toEqual({ byEnvironment: false, by: 'admin@contoso.com', since: '2025-06-02T09:00:00.000Z', reason: 'a script is locking phones' });
    // A second pause keeps the first (who, when, why).
    h.clock.advance(60_000);
    expect((await h.say(lead, 'pause')).lastReply.text).toMatch(/^lockdesk is paused by admin@contoso\.com since 2025-06-02 09:00:00 UTC: a script is locking phones\. It stays so/);

    expect((await h.say(help, 'resume')).lastReply.text).toBe('Only the people the policy names as pausers may resume lockdesk. Nothing was done.');
    expect(await h.handler.paused()).toBeDefined();
    expect((await h.say(lead, 'resume')).lastReply.text).toMatch(/^lockdesk is resumed by lead@contoso\.com/);
    expect((await h.say(lead, 'resume')).lastReply.text).toBe('lockdesk is not paused.');

    const events = (await h.audit()).filter((e) => ['pause', 'resume'].includes(e.event) || e.outcome === 'refused');
    expect(events.map((e) => [e.event, e.outcome, e.actor?.id, e.reason])).toEqual([
      ['refusal', 'refused', help.id, "pause: not among the policy's pausers"],
      ['pause', 'paused', 'U0ADMIN', 'a script is locking phones'],
      ['refusal', 'refused', help.id, "resume: not among the policy's pausers"],
      ['resume', 'resumed', lead.id, 'lifted the pause by admin@contoso.com since 2025-06-02T09:00:00.000Z: a script is locking phones'],
    ]);
  });

  it('while paused a request still shows its confirmation, saying so; a click sends nothing and works after resume', async () => {
    const h = makeHarness(all(), { policy });
    await h.say(lead, 'pause');
    const offer = await h.say(help, "lock Pat's iPhone");
    expect(offer.lastReply.blocks[0]).toEqual({ kind: 'notice', tone: 'warning', text: 'lockdesk is paused by lead@contoso.com since 2025-06-02 09:00:00 UTC: no reason given. A click sends nothing until lockdesk is resumed.' });
    const click = await h.click(help, offer.lastReply, 'Lock "');
    expect(click.lastReply.text).toBe(
      'lockdesk is paused by lead@contoso.com since 2025-06-02 09:00:00 UTC: no reason given; nothing was sent. Your confirmation still stands: click it again once lockdesk is resumed (before it expires).',
    );
    expect(click.updates).toEqual([]);
    expect(h.backend.dispatched).toEqual([]);
    expect((await h.audit()).find((e) => e.event === 'click-refused')).toMatchObject({ outcome: 'refused', reason: 'paused', action: 'lock' });
    // The refusal did not use the confirmation up: after the resume the same button sends.
    await h.say(lead, 'resume');
    const after = await h.click(help, offer.lastReply, 'Lock "');
    expect(after.lastUpdate.text).toMatch(/sent/);
    expect(h.backend.dispatched.map((d) => d.deviceIds).flat()).toEqual([patIphone.id]);
  });

  it('a cancel while paused still works', async () => {
    const h = makeHarness(all(), { policy });
    const offer = await h.say(help, "lock Pat's iPhone");
    await h.say(lead, 'pause');
    const cancel = await h.click(help, offer.lastReply, 'Cancel');
    expect(cancel.lastUpdate.text).toMatch(/^Cancelled by help@contoso\.com\. Nothing was sent\./);
  });

  it('what was already sent is still followed while paused', async () => {
    const h = makeHarness(all(), { policy });
    const offer = await h.say(help, "lock Pat's iPhone");
    const sink = await h.click(help, offer.lastReply, 'Lock "');
    await h.say(lead, 'pause stop everything');
    h.backend.setStatus(patIphone.id, 'lock', { state: 'done', startedAt: h.clock.now().toISOString() });
    await h.clock.untilSleeping();
    h.clock.advance(1_000);
    await h.handler.idle();
    expect(sink.lastUpdate.text).toMatch(/Remote lock of "Pat's iPhone": done/);
    expect((await h.audit()).filter((e) => e.event === 'result').map((e) => e.outcome)).toEqual(['sent', 'done']);
  });

  it('LOCKDESK_PAUSED: nothing is sent, and a command cannot resume it, and says so', async () => {
    const h = makeHarness(all(), { policy, settings: { pausedByEnvironment: true } });
    expect(await h.handler.paused()).toMatchObject({ byEnvironment: true, by: 'its configuration (LOCKDESK_PAUSED=true)', since: '2025-06-02T09:00:00.000Z' });
    const offer = await h.say(help, "lock Pat's iPhone");
    expect(offer.lastReply.text).toMatch(/^lockdesk is paused by its configuration \(LOCKDESK_PAUSED=true\) since 2025-06-02 09:00:00 UTC/);
    const click = new RecordingSink();
    await h.handler.handleClick(help, buttonValue(offer.lastReply, 'Lock "'), click);
    expect(click.lastReply.text).toMatch(/^lockdesk is paused by its configuration \(LOCKDESK_PAUSED=true\) since 2025-06-02 09:00:00 UTC: set in the environment by an operator; nothing was sent\./);
    const resume = await h.say(lead, 'resume');
    expect(resume.lastReply.text).toBe('lockdesk stays paused: it is paused by its configuration (LOCKDESK_PAUSED=true), which a command cannot lift. An operator removes it and restarts lockdesk.');
    expect(h.backend.dispatched).toEqual([]);
  });

  it('a reason lockdesk cannot show is refused, and "resume" takes nothing after it', async () => {
    const h = makeHarness(all(), { policy });
    expect((await h.say(lead, `pause ${'x'.repeat(201)}`)).lastReply.text).toMatch(/^Cannot read that pause command: the reason is longer than 200 characters\./);
    expect((await h.say(lead, 'pause bad\u200bscript')).lastReply.text).toMatch(/the reason contains control characters/);
    expect((await h.say(lead, 'resume now')).lastReply.text).toMatch(/"resume" takes nothing after it/);
    expect(await h.handler.paused()).toBeUndefined();
  });

  it('a pause typed while a bulk send waits between batches stops what has not left; each device not sent says why', async () => {
    const h = makeHarness(fleetOf(60), { policy: policySchema.parse({ ...policy, bulkConfirmAbove: 100 }) });
    h.backend.batches = {
      size: 20,
      gap: async () => {
        if (await h.handler.paused()) return;
        // Typed on another replica while Intune's write budget holds the next batch back.
        await h.store.pause.pause({ by: { platform: 'slack', id: 'U0ADMIN', email: 'admin@contoso.com' }, since: h.clock.now().toISOString(), reason: 'wrong fleet' });
        await h.clock.untilSleeping(1);
        h.clock.advance(PAUSE_WATCH_MS);
        await new Promise((r) => setTimeout(r, 20));
      },
    };
    const offer = await h.say(help, 'lock fleet@contoso.com');
    const sink = await h.click(help, offer.lastReply, 'all 60 devices');
    expect(h.backend.dispatched.flatMap((d) => d.deviceIds)).toHaveLength(20);
    const records = await Promise.all((await h.audit()).filter((e) => e.event === 'dispatch').map((e) => h.store.dispatches.get(e.dispatchId!)));
    expect(records.filter((r) => r && r.state !== 'notSent')).toHaveLength(20);
    const notSent = records.filter((r) => r?.state === 'notSent');
    expect(notSent).toHaveLength(40);
    expect(notSent[0]!.detail).toMatch(/^lockdesk is paused by admin@contoso\.com .*wrong fleet, so this device was not sent the action\.$/);
    expect(sink.lastUpdate.text).toMatch(/^60 devices: 0 done, 20 pending, 0 failed, 40 not sent\n.*lockdesk is paused by admin@contoso.com/);
  });
});
