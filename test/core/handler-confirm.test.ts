// The confirmation rules: only the right person, once, before expiry, and only the devices shown.
import { describe, expect, it } from 'vitest';
import { encodeButton } from '../../src/core/buttons.js';
import { actor, buttonValue, helpdeskPolicy, makeHarness, RecordingSink } from './harness.js';
import { all, patIphone, patPixel } from './fixtures.js';

const pat = actor('pat@contoso.com');
const sam = actor('sam@contoso.com');
const help = actor('help@contoso.com');

async function offered(h: ReturnType<typeof makeHarness>, who = pat, text = "lock Pat's iPhone") {
  const sink = await h.say(who, text);
  return sink.lastReply;
}

describe('confirmation', () => {
  it('a click by the requester dispatches exactly the device shown, once', async () => {
    const h = makeHarness(all());
    const reply = await offered(h);
    const sink = await h.click(pat, reply, 'Lock "Pat');
    expect(h.backend.dispatched).toEqual([{ action: 'lock', deviceIds: [patIphone.id] }]);
    expect(sink.lastUpdate.text).toMatch(/Remote lock of "Pat's iPhone": sent/);
    const events = (await h.audit()).map((e) => e.event);
    expect(events).toEqual(['request', 'confirmation', 'confirmed', 'dispatch', 'result']);
  });

  it('a second click, or the same click delivered twice at once, dispatches nothing more', async () => {
    const h = makeHarness(all());
    const reply = await offered(h);
    const value = buttonValue(reply, 'Lock "Pat');
    const sinks = [new RecordingSink(), new RecordingSink(), new RecordingSink()];
    await Promise.all(sinks.map((s) => h.handler.handleClick(pat, value, s)));
    expect(h.backend.dispatchedIds).toEqual([patIphone.id]);
    const later = await h.click(pat, reply, 'Lock "Pat');
    expect(later.lastReply.text).toMatch(/already used.*Nothing more was sent/);
    expect(h.backend.dispatchedIds).toEqual([patIphone.id]);
    expect((await h.audit()).filter((e) => e.event === 'click-refused').map((e) => e.reason)).toEqual(['confirmed', 'confirmed', 'confirmed']);
  });

  it('a click by someone else dispatches nothing, says why, and leaves the confirmation to its owner', async () => {
    const h = makeHarness(all(), { policy: helpdeskPolicy });
    const reply = await offered(h);
    const stranger = await h.click(sam, reply, 'Lock "Pat');
    expect(stranger.lastReply.text).toMatch(/Only pat@contoso.com.*can confirm.*Nothing was sent/);
    expect(stranger.updates).toEqual([]);
    // Even a helpdesk member with rights on every device is not the person who asked.
    await h.click(help, reply, 'Lock "Pat');
    expect(h.backend.dispatched).toEqual([]);
    await h.click(pat, reply, 'Lock "Pat');
    expect(h.backend.dispatchedIds).toEqual([patIphone.id]);
    expect((await h.audit()).filter((e) => e.event === 'click-refused').map((e) => e.actor?.id)).toEqual(['sam@contoso.com', 'help@contoso.com']);
  });

  it('the same id on another platform is someone else', async () => {
    const h = makeHarness(all());
    const reply = await offered(h);
    await h.click({ ...pat, platform: 'slack' }, reply, 'Lock "Pat');
    expect(h.backend.dispatched).toEqual([]);
  });

  it('an approver the policy names may confirm for the requester', async () => {
    const h = makeHarness(all(), { policy: helpdeskPolicy });
    const reply = await offered(h);
    const sink = await h.click(actor('lead@contoso.com'), reply, 'Lock "Pat');
    expect(h.backend.dispatchedIds).toEqual([patIphone.id]);
    expect(sink.lastUpdate.text).toMatch(/confirmed by lead@contoso.com|Remote lock of/);
  });

  it('a click after expiry dispatches nothing, says so, and the expiry is audited once', async () => {
    const h = makeHarness(all());
    const reply = await offered(h);
    h.clock.advance(300_000);
    const first = await h.click(pat, reply, 'Lock "Pat');
    expect(first.lastReply.text).toMatch(/expired.*Nothing was sent/);
    expect(first.lastUpdate.text).toMatch(/expired/);
    await h.click(pat, reply, 'Lock "Pat');
    expect(await h.handler.sweepExpired()).toBe(0);
    expect(h.backend.dispatched).toEqual([]);
    expect((await h.audit()).filter((e) => e.event === 'expiry')).toHaveLength(1);
  });

  it('the sweep expires forgotten confirmations, audited once each', async () => {
    const h = makeHarness(all());
    await offered(h);
    await offered(h, pat, 'lock PAT');
    h.clock.advance(299_000);
    expect(await h.handler.sweepExpired()).toBe(0);
    h.clock.advance(1_000);
    expect(await h.handler.sweepExpired()).toBe(2);
    expect(await h.handler.sweepExpired()).toBe(0);
    expect((await h.audit()).filter((e) => e.event === 'expiry')).toHaveLength(2);
  });

  it('the policy sets how long a confirmation lives', async () => {
    const h = makeHarness(all(), { policy: { ...helpdeskPolicy, confirmTtlSeconds: 60 } });
    const reply = await offered(h);
    expect(reply.text + JSON.stringify(reply.blocks)).toMatch(/expires in 1 minutes?/);
    h.clock.advance(60_000);
    await h.click(pat, reply, 'Lock "Pat');
    expect(h.backend.dispatched).toEqual([]);
  });

  it('cancel dispatches nothing and uses the confirmation up', async () => {
    const h = makeHarness(all());
    const reply = await offered(h);
    const sink = await h.click(pat, reply, 'Cancel');
    expect(sink.lastUpdate.text).toMatch(/Cancelled by pat@contoso.com. Nothing was sent/);
    const after = await h.click(pat, reply, 'Lock "Pat');
    expect(after.lastReply.text).toMatch(/cancelled/);
    expect(h.backend.dispatched).toEqual([]);
    expect((await h.audit()).map((e) => e.event)).toContain('cancel');
  });

  it('"all" dispatches only the supported devices that were shown, and only for a user query', async () => {
    const h = makeHarness(all(), { policy: helpdeskPolicy });
    const reply = await offered(h, help, 'lock pat@contoso.com');
    // A device added to the user after the confirmation was shown is not acted on.
    h.backend.devices.push({ ...patIphone, id: 'dev-pat-new', name: "Pat's new iPhone", serialNumber: 'NEW1' });
    await h.click(help, reply, 'all 2 devices');
    expect(h.backend.dispatched).toEqual([{ action: 'lock', deviceIds: [patIphone.id, patPixel.id] }]);
  });

  it('refuses a target the confirmation did not offer, and "*" on a single-device confirmation', async () => {
    const h = makeHarness(all(), { policy: helpdeskPolicy });
    const reply = await offered(h, help);
    const confirmationId = (await h.audit()).find((e) => e.event === 'confirmation')!.confirmationId!;
    for (const target of ['dev-pat-laptop', 'dev-sam-iphone', '*']) {
      const sink = new RecordingSink();
      await h.handler.handleClick(help, encodeButton({ kind: 'confirm', confirmationId, target }), sink);
      expect(sink.lastReply.text).toMatch(/not offered/);
    }
    expect(h.backend.dispatched).toEqual([]);
    // The refused clicks did not use the confirmation up.
    await h.click(help, reply, 'Lock "Pat');
    expect(h.backend.dispatchedIds).toEqual([patIphone.id]);
  });

  it('an unknown or forged confirmation dispatches nothing', async () => {
    const h = makeHarness(all());
    const sink = new RecordingSink();
    await h.handler.handleClick(pat, encodeButton({ kind: 'confirm', confirmationId: 'guessed', target: patIphone.id }), sink);
    await h.handler.handleClick(pat, 'confirm:::', sink);
    expect(sink.replies.map((r) => r.text)).toEqual([expect.stringMatching(/no longer valid/), expect.stringMatching(/does not recognise that button/)]);
    expect(h.backend.dispatched).toEqual([]);
  });

  it('re-reads the device before dispatch: a device that changed owner or left Intune is not acted on', async () => {
    const h = makeHarness(all(), { policy: helpdeskPolicy });
    const reply = await offered(h, help, 'lock pat@contoso.com');
    const pixel = h.backend.devices.find((d) => d.id === patPixel.id)!;
    pixel.userId = 'aad-someone-else';
    h.backend.devices = h.backend.devices.filter((d) => d.id !== patIphone.id);
    const sink = await h.click(help, reply, 'all 2 devices');
    expect(h.backend.dispatched).toEqual([]);
    expect(sink.lastUpdate.text).toMatch(/no longer in Intune/);
    expect(sink.lastUpdate.text).toMatch(/changed owner/);
  });
});
