// What the record and the person are told when things go wrong at the worst moment: a send that takes minutes, a
// process that may not send, a store that fails right after the send, a follow-up that runs for days or elsewhere.
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, DEFAULT_SETTINGS, ERROR_CODES, LockdeskError, Secret, type DispatchRecord } from '../../src/core/index.js';
import { FollowUp, MAX_LIVE_SINKS } from '../../src/core/follow-up.js';
import type { Core } from '../../src/core/deps.js';
import type { Store } from '../../src/ports.js';
import { actor, makeHarness, platforms, RecordingSink, type Harness } from './harness.js';
import { all, patIphone, patPixel } from './fixtures.js';

const pat = actor('pat@contoso.com');

async function confirmed(h: Harness, text: string, label: string, sink = new RecordingSink()) {
  const offer = await h.say(pat, text);
  return h.click(pat, offer.lastReply, label, sink);
}

/** Runs the fake clock forward in steps, letting every round that falls due run. */
async function runFor(h: Harness, ms: number, step = 1_000): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    h.clock.advance(step);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  }
}

/** The store, with a switch that makes every dispatch write fail as a lost database would. */
function flaky(store: Store): { store: Store; down: (on: boolean) => void } {
  let isDown = false;
  const fail = () => new LockdeskError(ERROR_CODES.STORE_UNAVAILABLE, 'database gone');
  const dispatches = store.dispatches;
  return {
    down: (on) => (isDown = on),
    store: {
      ...store,
      dispatches: {
        recordIntent: (r) => dispatches.recordIntent(r),
        transition: async (id, from, patch) => {
          if (isDown) throw fail();
          return dispatches.transition(id, from, patch);
        },
        get: async (id) => {
          if (isDown) throw fail();
          return dispatches.get(id);
        },
        listOpen: () => dispatches.listOpen(),
      },
    },
  };
}

describe('a send in flight', () => {
  it('is never settled as "not sent" by the living process that makes it, however long it takes; its late result is recorded and shown', async () => {
    const h = makeHarness(all(), { settings: { followUpMs: 30 * 60_000 } });
    let release!: () => void;
    h.backend.hold = new Promise<void>((r) => (release = r));
    const offer = await h.say(pat, "reset passcode Pat's Pixel");
    const sink = new RecordingSink();
    const clicking = h.handler.handleClick(pat, offer.lastReply.blocks.flatMap((b) => (b.kind === 'device' ? b.buttons : [])).find((b) => b.label.includes('Reset'))!.value, sink);
    // Ten minutes inside the Graph client (a 429 with a long Retry-After, then a slow state read): follow-up rounds
    // and a recovery sweep run meanwhile.
    await runFor(h, 10 * 60_000, 5_000);
    expect(await h.handler.recover({ olderThanMs: 5 * 60_000 })).toMatchObject({ resolved: 0 });
    const [record] = await h.store.dispatches.listOpen();
    expect(record!.state).toBe('dispatching');
    expect(h.handler.stats().inFlight).toBe(1);
    expect((await h.audit()).some((e) => e.event === 'recovery')).toBe(false);
    release();
    await clicking;
    expect(sink.lastUpdate.text).toMatch(/sent: Intune has queued it/);
    h.backend.setStatus(patPixel.id, 'resetPasscode', { state: 'done', startedAt: h.clock.now().toISOString(), passcode: new Secret('918273') });
    await runFor(h, 4_000);
    await h.handler.idle();
    expect(sink.lastUpdate.text).toMatch(/done/);
    expect(sink.secrets.map((m) => m.passcode.reveal())).toEqual(['918273']);
    expect((await h.audit()).filter((e) => e.event === 'result').map((e) => e.outcome)).toEqual(['sent', 'done']);
  });
});

describe('a process that may not send', () => {
  it('sends nothing and does not use the confirmation up: the same click works once it may send again', async () => {
    let registered = false;
    const h = makeHarness(all(), { processes: { id: 'p-me', isAlive: async () => false, maySend: () => registered } });
    const offer = await h.say(pat, "lock Pat's iPhone");
    const refused = await h.click(pat, offer.lastReply, 'Lock "Pat');
    expect(h.backend.dispatched).toEqual([]);
    expect(refused.lastReply.text).toMatch(/lost its connection to its database for a moment, so it sent nothing\. Your confirmation still stands/);
    expect((await h.audit()).some((e) => e.event === 'confirmed' || e.event === 'dispatch')).toBe(false);
    registered = true;
    const sink = await h.click(pat, offer.lastReply, 'Lock "Pat');
    expect(h.backend.dispatchedIds).toEqual([patIphone.id]);
    expect(sink.lastUpdate.text).toMatch(/sent: Intune has queued it/);
  });

  it('a registration lost between the click and the send: nothing is sent, recorded "not sent" with the reason', async () => {
    let registered = true;
    const h = makeHarness(all(), { processes: { id: 'p-me', isAlive: async () => false, maySend: () => registered } });
    const offer = await h.say(pat, "lock Pat's iPhone");
    const store = h.store.dispatches;
    const recordIntent = store.recordIntent.bind(store);
    store.recordIntent = async (r) => {
      await recordIntent(r);
      registered = false;
    };
    const sink = await h.click(pat, offer.lastReply, 'Lock "Pat');
    expect(h.backend.dispatched).toEqual([]);
    expect(sink.lastUpdate.text).toMatch(/not sent\. lockdesk had lost its connection to its database, so it sent nothing/);
    expect((await h.audit()).find((e) => e.event === 'result')).toMatchObject({ outcome: 'notSent' });
  });

  it('the backend is asked before the request leaves, after any wait: a registration lost meanwhile withholds it', async () => {
    let registered = true;
    const h = makeHarness(all(), { processes: { id: 'p-me', isAlive: async () => false, maySend: () => registered } });
    let release!: () => void;
    h.backend.hold = new Promise<void>((r) => (release = r));
    const offer = await h.say(pat, "lock Pat's iPhone");
    const sink = new RecordingSink();
    const clicking = h.handler.handleClick(pat, offer.lastReply.blocks.flatMap((b) => (b.kind === 'device' ? b.buttons : []))[0]!.value, sink);
    await new Promise((r) => setImmediate(r));
    registered = false;
    release();
    await clicking;
    expect(h.backend.dispatched).toEqual([]);
    expect(sink.lastUpdate.text).toMatch(/not sent/);
  });
});

describe('a store that fails right after the send', () => {
  it('never makes lockdesk say it did nothing; the record is reconciled from the action state once the store is back', async () => {
    const base = makeHarness(all());
    const { store, down } = flaky(base.store);
    const h = makeHarness(all(), { store });
    down(false);
    const offer = await h.say(pat, "lock Pat's iPhone");
    h.backend.hold = Promise.resolve().then(() => down(true));
    const sink = await h.click(pat, offer.lastReply, 'Lock "Pat');
    expect(h.backend.dispatchedIds).toEqual([patIphone.id]);
    expect(sink.allText).not.toMatch(/did nothing|not sent/);
    expect(sink.lastUpdate.text).toMatch(/sent: Intune has queued it.*will confirm the outcome/);
    expect((await base.store.dispatches.listOpen())[0]!.state).toBe('dispatching');
    // Rounds while the store is down are put off, not lost.
    await runFor(h, 5_000);
    down(false);
    await runFor(h, 10_000);
    const events = [];
    for await (const e of base.store.audit.read()) events.push(e);
    const dispatchId = events.find((e) => e.event === 'dispatch')!.dispatchId!;
    expect((await base.store.dispatches.get(dispatchId))!.state).toBe('pending');
    expect(events.find((e) => e.event === 'recovery')).toMatchObject({ outcome: 'was-sent' });
    expect(h.backend.dispatched).toHaveLength(1);
  });
});

describe('a message that cannot be updated after the send', () => {
  it('never tells the person "nothing was done, try again": the status goes out as a new message', async () => {
    const h = makeHarness(all());
    const offer = await h.say(pat, "lock Pat's iPhone");
    const sink = new RecordingSink();
    sink.update = async () => {
      throw new Error('the card is gone');
    };
    await h.click(pat, offer.lastReply, 'Lock "Pat', sink);
    expect(h.backend.dispatchedIds).toEqual([patIphone.id]);
    expect(sink.allText).not.toMatch(/nothing more was done|Try again/);
    expect(sink.lastReply.text).toMatch(/sent: Intune has queued it/);
  });
});

describe('the end of following', () => {
  it('is audited when the chat window ends, and when lockdesk gives up after days; a given-up dispatch is settled and stays so', async () => {
    const h = makeHarness(all(), { settings: { followUpMs: 10_000, backgroundPollMs: 60_000, giveUpAfterMs: 2 * 86_400_000 } });
    await confirmed(h, "lock Pat's iPhone", 'Lock "Pat');
    await runFor(h, 20_000);
    expect((await h.audit()).filter((e) => e.event === 'follow-up').map((e) => e.outcome)).toEqual(['chat-ended']);
    await runFor(h, 2 * 86_400_000 + 120_000, 60_000);
    const ends = (await h.audit()).filter((e) => e.event === 'follow-up');
    expect(ends.map((e) => e.outcome)).toEqual(['chat-ended', 'gave-up']);
    expect(ends[1]!.reason).toMatch(/no result from Intune within 2 day/);
    expect((await h.audit()).filter((e) => e.event === 'result').map((e) => e.outcome)).toEqual(['sent', 'unknown']);
    expect(await h.store.dispatches.listOpen()).toEqual([]);
    // A later sweep finds nothing to revive.
    expect(await h.handler.recover({ olderThanMs: 300_000 })).toMatchObject({ following: 0 });
  });

  it('is audited when every action settles', async () => {
    const h = makeHarness(all());
    await confirmed(h, "lock Pat's iPhone", 'Lock "Pat');
    h.backend.setStatus(patIphone.id, 'lock', { state: 'done', startedAt: h.clock.now().toISOString() });
    await runFor(h, 3_000);
    await h.handler.idle();
    expect((await h.audit()).filter((e) => e.event === 'follow-up')).toEqual([expect.objectContaining({ outcome: 'settled', deviceIds: [patIphone.id] })]);
  });

  it('after a restart long after the click, follows quietly: the message is not revived', async () => {
    const restored = new RecordingSink();
    const h = makeHarness(all(), { sinks: { restore: () => restored } });
    const now = h.clock.now();
    const record: DispatchRecord = {
      id: 'd-1', confirmationId: 'c-1', correlationId: 'corr-1', action: 'lock', deviceId: patIphone.id, deviceName: patIphone.name,
      requester: { platform: 'console', id: 'pat@contoso.com' }, state: 'pending', createdAt: now.toISOString(), updatedAt: now.toISOString(),
      replyRef: { platform: 'console', data: {} },
    };
    await h.store.dispatches.recordIntent(record);
    h.clock.advance(2 * 60 * 60_000);
    await h.handler.recover();
    await runFor(h, 10 * 60_000, 30_000);
    expect(restored.updates).toEqual([]);
  });
});

describe('memory', () => {
  it('holds no more sinks than the clicks still in their chat window, when other replicas run every round', async () => {
    const h = makeHarness(all());
    // A queue that hands every job to "another replica": no round ever runs here.
    const core: Core = {
      backend: h.backend, store: h.store, platforms, policy: DEFAULT_POLICY, clock: h.clock, logger: h.logger,
      ids: { secretId: () => 's', id: () => 'i' }, settings: { ...DEFAULT_SETTINGS, followUpMs: 60_000 },
      queue: { schedule: async () => undefined }, processes: { id: 'p', isAlive: async () => false, maySend: () => true }, inFlight: new Set(), pauseState: async () => undefined,
    };
    const followUp = new FollowUp(core);
    const record = (i: number): DispatchRecord => ({ id: `d-${i}`, confirmationId: `c-${i}`, correlationId: `k-${i}`, action: 'lock', deviceId: 'x', deviceName: 'x', requester: pat, state: 'sent', createdAt: '', updatedAt: '' });
    for (let i = 0; i < 10_000; i++) {
      await followUp.track([record(i)], { sink: new RecordingSink(), confirmedBy: 'pat' });
      if (i % 100 === 99) h.clock.advance(1_000);
    }
    // 100 s of clicks, a 60 s window: only the last ~60 s of them may still be held.
    expect(followUp.liveSinks).toBeLessThanOrEqual(6_100);
    h.clock.advance(61_000);
    await followUp.track([record(10_001)], { sink: new RecordingSink(), confirmedBy: 'pat' });
    expect(followUp.liveSinks).toBe(1);
    expect(MAX_LIVE_SINKS).toBeLessThanOrEqual(10_000);
  });
});

