// After the click: the status as it moves, the temporary passcode to the requester alone, and failures.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, LockdeskError, Secret } from '../../src/core/index.js';
import { actor, helpdeskPolicy, makeHarness } from './harness.js';
import { all, patIphone, patMac, patPixel } from './fixtures.js';
import { unavailable } from '../fakes/memory-backend.js';

const pat = actor('pat@contoso.com');

async function confirmed(h: ReturnType<typeof makeHarness>, text: string, label: string) {
  const offer = await h.say(pat, text);
  return h.click(pat, offer.lastReply, label);
}

describe('follow-up', () => {
  it('updates the message as the action moves from sent to pending to done, then stops', async () => {
    const h = makeHarness(all());
    const sink = await confirmed(h, "lock Pat's iPhone", 'Lock "Pat');
    expect(sink.lastUpdate.text).toMatch(/sent/);
    await h.clock.untilSleeping();
    h.clock.advance(1_000);
    await h.clock.untilSleeping();
    expect(sink.lastUpdate.text).toMatch(/pending: queued in Intune/);
    h.clock.advance(2_000);
    await h.clock.untilSleeping();
    expect(sink.updates).toHaveLength(2); // still pending: nothing new to show
    h.backend.setStatus(patIphone.id, 'lock', { state: 'active', startedAt: h.clock.now().toISOString() });
    h.clock.advance(4_000);
    await h.clock.untilSleeping();
    expect(sink.lastUpdate.text).toMatch(/in progress/);
    h.backend.setStatus(patIphone.id, 'lock', { state: 'done', startedAt: h.clock.now().toISOString() });
    h.clock.advance(4_000);
    await h.handler.idle();
    expect(sink.lastUpdate.text).toMatch(/Remote lock of "Pat's iPhone": done/);
    const record = (await h.audit()).filter((e) => e.event === 'result').map((e) => e.outcome);
    expect(record).toEqual(['sent', 'done']);
    expect(await h.store.dispatches.listOpen()).toEqual([]);
  });

  it('hands a temporary passcode to the requester privately and writes it nowhere', async () => {
    const h = makeHarness(all());
    const sink = await confirmed(h, "reset passcode Pat's Pixel", 'Reset work-profile passcode');
    h.backend.setStatus(patPixel.id, 'resetPasscode', { state: 'done', startedAt: h.clock.now().toISOString(), passcode: new Secret('739214') });
    await h.clock.untilSleeping();
    h.clock.advance(1_000);
    await h.handler.idle();
    expect(sink.secrets).toHaveLength(1);
    expect(sink.secrets[0]!.passcode.reveal()).toBe('739214');
    expect(sink.secrets[0]!.text).not.toContain('739214');
    const everything = JSON.stringify([sink.replies, sink.updates, await h.audit(), await h.store.dispatches.get((await h.audit()).find((e) => e.dispatchId)!.dispatchId!), h.logger.lines]);
    expect(everything).not.toContain('739214');
    expect((await h.audit()).find((e) => e.event === 'result' && e.outcome === 'done')!.reason).toMatch(/^a temporary passcode was shown privately to \S+@contoso\.com, who asked$/);
  });

  it('sends the passcode to the requester even when an approver confirmed, and goes on when it cannot be delivered', async () => {
    const policy = { ...helpdeskPolicy, roles: [{ name: 'everyone', members: ['*'], actions: ['lock', 'resetPasscode'] as Array<'lock' | 'resetPasscode'>, devices: 'own' as const }] };
    const h = makeHarness(all(), { policy });
    const offer = await h.say(pat, "reset passcode Pat's Pixel");
    const lead = actor('lead@contoso.com');
    const sink = await h.click(lead, offer.lastReply, 'Reset work-profile passcode');
    h.backend.setStatus(patPixel.id, 'resetPasscode', { state: 'done', startedAt: h.clock.now().toISOString(), passcode: new Secret('551177') });
    sink.sendSecret = async () => {
      throw new Error('no way to reach pat');
    };
    await h.clock.untilSleeping();
    h.clock.advance(1_000);
    await h.handler.idle();
    const result = (await h.audit()).find((e) => e.event === 'result' && e.outcome === 'done')!;
    expect(result.reason).toMatch(/read it in Intune/);
    expect(result.requester).toMatchObject({ id: 'pat@contoso.com' });
    expect(JSON.stringify([h.logger.lines, await h.audit()])).not.toContain('551177');

    const h2 = makeHarness(all(), { policy });
    const offer2 = await h2.say(pat, "reset passcode Pat's Pixel");
    const sink2 = await h2.click(lead, offer2.lastReply, 'Reset work-profile passcode');
    h2.backend.setStatus(patPixel.id, 'resetPasscode', { state: 'done', startedAt: h2.clock.now().toISOString(), passcode: new Secret('551177') });
    await h2.clock.untilSleeping();
    h2.clock.advance(1_000);
    await h2.handler.idle();
    expect(sink2.secrets.map((m) => m.recipient)).toEqual([{ platform: 'console', id: 'pat@contoso.com', email: 'pat@contoso.com' }]);
  });

  describe("a locked Mac's unlock PIN", () => {
    const withMac = () => [...all(), { ...patMac }];
    const doneWithPin = (h: ReturnType<typeof makeHarness>, pin: string) =>
      h.backend.setStatus(patMac.id, 'lock', { state: 'done', startedAt: h.clock.now().toISOString(), unlockPin: new Secret(pin) });

    it('goes to the requester once, privately, with the do-not-lock-again warning, and is written nowhere', async () => {
      const h = makeHarness(withMac());
      const sink = await confirmed(h, "lock Pat's MacBook", 'Lock "Pat');
      doneWithPin(h, '604182');
      await h.clock.untilSleeping();
      h.clock.advance(1_000);
      await h.handler.idle();
      expect(sink.lastUpdate.text).toMatch(/Remote lock of "Pat's MacBook": done/);
      expect(sink.secrets).toHaveLength(1);
      const [message] = sink.secrets;
      expect(message).toMatchObject({ kind: 'unlockPin', deviceId: patMac.id, recipient: { id: 'pat@contoso.com' } });
      expect(message!.passcode.reveal()).toBe('604182');
      expect(message!.text).toMatch(/^Unlock PIN for the Mac "Pat's MacBook"/);
      expect(message!.text).toMatch(/Do not lock this Mac again until this PIN has been used/);
      expect(message!.text).not.toContain('604182');
      const audit = await h.audit();
      const dispatchId = audit.find((e) => e.dispatchId)!.dispatchId!;
      const everything = JSON.stringify([sink.replies, sink.updates, audit, await h.store.dispatches.get(dispatchId), await h.store.dispatches.listOpen(), h.logger.lines]);
      expect(everything).not.toContain('604182');
      expect(audit.find((e) => e.event === 'result' && e.outcome === 'done')!.reason).toMatch(/^the Mac's unlock PIN was shown privately to \S+@contoso\.com, who asked$/);
    });

    it('goes to the requester, not to the approver who clicked for them; undeliverable, it is audited as such', async () => {
      const policy = { ...helpdeskPolicy, roles: [{ name: 'everyone', members: ['*'], actions: ['lock'] as Array<'lock' | 'resetPasscode'>, devices: 'own' as const }] };
      const lead = actor('lead@contoso.com');
      const h = makeHarness(withMac(), { policy });
      const offer = await h.say(pat, "lock Pat's MacBook");
      const sink = await h.click(lead, offer.lastReply, 'Lock "Pat');
      doneWithPin(h, '318840');
      await h.clock.untilSleeping();
      h.clock.advance(1_000);
      await h.handler.idle();
      expect(sink.secrets.map((m) => [m.kind, m.recipient])).toEqual([['unlockPin', { platform: 'console', id: 'pat@contoso.com', email: 'pat@contoso.com' }]]);

      const h2 = makeHarness(withMac(), { policy });
      const offer2 = await h2.say(pat, "lock Pat's MacBook");
      const sink2 = await h2.click(lead, offer2.lastReply, 'Lock "Pat');
      doneWithPin(h2, '318840');
      sink2.sendSecret = async () => {
        throw new Error('no way to reach pat');
      };
      await h2.clock.untilSleeping();
      h2.clock.advance(1_000);
      await h2.handler.idle();
      const result = (await h2.audit()).find((e) => e.event === 'result' && e.outcome === 'done')!;
      expect(result.reason).toBe("the Mac's unlock PIN could not be delivered; read it in Intune");
      expect(result.requester).toMatchObject({ id: 'pat@contoso.com' });
      expect(h2.logger.lines.join('\n')).toContain("the Mac's unlock PIN could not be delivered to the requester");
      expect(JSON.stringify([h2.logger.lines, await h2.audit(), sink2.replies, sink2.updates])).not.toContain('318840');
    });

    it('is not handed over while the lock is still in progress', async () => {
      const h = makeHarness(withMac());
      const sink = await confirmed(h, "lock Pat's MacBook", 'Lock "Pat');
      h.backend.setStatus(patMac.id, 'lock', { state: 'active', startedAt: h.clock.now().toISOString(), unlockPin: new Secret('111222') });
      await h.clock.untilSleeping();
      h.clock.advance(1_000);
      await h.clock.untilSleeping();
      expect(sink.lastUpdate.text).toMatch(/in progress/);
      expect(sink.secrets).toEqual([]);
    });
  });

  it('stops updating chat after the follow-up window and says the audit trail will have the result', async () => {
    const h = makeHarness(all(), { settings: { followUpMs: 10_000 } });
    const sink = await confirmed(h, "lock Pat's iPhone", 'Lock "Pat');
    for (let i = 0; i < 10 && h.clock.sleeping >= 0; i++) {
      await h.clock.untilSleeping().catch(() => undefined);
      h.clock.advance(4_000);
    }
    await h.handler.idle();
    expect(sink.lastUpdate.text).toMatch(/keeps checking.*audit trail/);
    expect(await h.store.dispatches.listOpen()).toHaveLength(1);
  });

  it.each([
    ['refused by Intune', new LockdeskError(ERROR_CODES.REFUSED, 'bad request', { userMessage: 'Intune refused the action for this device.', requestId: 'req-42' }), 'failed', /Intune refused the action for this device. \(request id req-42\)/],
    ['throttled', new LockdeskError(ERROR_CODES.THROTTLED, '429', { userMessage: 'Intune is busy; nothing was sent. Try again in a minute.', retryAfterMs: 2000 }), 'notSent', /busy/],
  ])('records and shows a device %s', async (_what, error, state, text) => {
    const h = makeHarness(all());
    h.backend.failures.set(patIphone.id, error);
    const sink = await confirmed(h, "lock Pat's iPhone", 'Lock "Pat');
    expect(sink.lastUpdate.text).toMatch(text);
    const result = (await h.audit()).find((e) => e.event === 'result')!;
    expect(result.outcome).toBe(state);
    expect(await h.store.dispatches.listOpen()).toEqual([]);
  });

  it('a dropped connection is never re-sent blindly: the action state decides', async () => {
    const h = makeHarness(all());
    h.backend.dispatchThrows = { error: unavailable(), received: true };
    const sink = await confirmed(h, "lock Pat's iPhone", 'Lock "Pat');
    expect(h.backend.dispatched).toHaveLength(1);
    expect(sink.lastUpdate.text).toMatch(/pending/);
    expect((await h.audit()).find((e) => e.event === 'recovery')!.outcome).toBe('was-sent');

    const h2 = makeHarness(all());
    h2.backend.dispatchThrows = { error: unavailable(), received: false };
    const sink2 = await confirmed(h2, "lock Pat's iPhone", 'Lock "Pat');
    expect(sink2.lastUpdate.text).toMatch(/not sent/);
    expect(h2.backend.dispatched).toEqual([]);
  });
});
