// After the click: the status as it moves, the temporary passcode to the requester alone, and failures.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, LockdeskError, Secret } from '../../src/core/index.js';
import { actor, helpdeskPolicy, makeHarness } from './harness.js';
import { all, patIphone, patPixel } from './fixtures.js';
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
    expect((await h.audit()).find((e) => e.event === 'result' && e.outcome === 'done')!.reason).toMatch(/shown privately to the requester/);
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
