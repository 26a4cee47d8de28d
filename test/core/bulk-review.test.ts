// Review of "bulk means all": what a person reads about a bulk action must never say less (or older) than the
// store knows, and what was not sent must stay said.
import { describe, expect, it } from 'vitest';
import { buttonsOf, ERROR_CODES, LockdeskError, type DeviceAction, type Reply } from '../../src/core/index.js';
import type { DispatchOptions, DispatchResult } from '../../src/ports.js';
import { actor, buttonValue, helpdeskPolicy, makeHarness, RecordingSink } from './harness.js';
import { fleetOf } from './fixtures.js';

const help = actor('help@contoso.com');
const OWNER = 'fleet@contoso.com';
const allButton = (reply: Reply) => buttonsOf(reply).find((b) => /^Lock all/.test(b.label))!;

/** Every result reported through onResult at once, then the call waits until the test lets it return. */
function reportThenHold(h: ReturnType<typeof makeHarness>) {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const original = h.backend.dispatch.bind(h.backend);
  h.backend.dispatch = async (action: DeviceAction, ids: readonly string[], options: DispatchOptions = {}): Promise<DispatchResult[]> => {
    const results = await original(action, ids, options);
    await held;
    return results;
  };
  return release;
}

describe('bulk review: the status after early results', () => {
  it('the click never overwrites a newer status with the results as they were when each device was sent', async () => {
    const h = makeHarness(fleetOf(30, OWNER), { policy: helpdeskPolicy });
    const last = h.backend.devices.at(-1)!;
    h.backend.failures.set(last.id, new LockdeskError(ERROR_CODES.DEVICE_NOT_FOUND, 'gone', { userMessage: 'That device is no longer in Intune.' }));
    const release = reportThenHold(h);
    const offer = (await h.say(help, `lock ${OWNER}`)).lastReply;
    const clicked = new RecordingSink();
    await h.handler.handleClick(help, allButton(offer).value, clicked);
    const done = h.handler.handleClick(help, clicked.prompts[0]!.value, clicked, '30');

    // Every result is in (29 sent, 1 failed) while the backend call has not returned yet (a Graph re-check, the
    // last batch's bookkeeping). Intune finishes the 29 locks, and a follow-up round records and shows it.
    await h.clock.untilSleeping();
    for (const d of h.backend.devices.slice(0, 29)) h.backend.setStatus(d.id, 'lock', { state: 'done', startedAt: h.clock.now().toISOString() });
    h.clock.advance(1_000);
    await h.handler.idle();
    expect(clicked.lastUpdate.text).toMatch(/^30 devices: 29 done, 0 pending, 1 failed, 0 not sent/);

    release();
    await done;
    await h.handler.idle();
    // Nothing follows any more (everything settled), so this message is the last word: it must say what is true.
    expect(clicked.lastUpdate.text).toMatch(/^30 devices: 29 done, 0 pending, 1 failed, 0 not sent/);
  });
});

describe('bulk review: devices not sent at the re-check', () => {
  it('stay named in the status as the follow-up updates it, and "0 not sent" is never said of them', async () => {
    const h = makeHarness(fleetOf(40, OWNER), { policy: helpdeskPolicy });
    const offer = (await h.say(help, `lock ${OWNER}`)).lastReply;
    h.backend.devices.splice(0, 3);
    for (const d of h.backend.devices.slice(0, 3)) d.userId = 'aad-someone-else';
    const clicked = new RecordingSink();
    await h.handler.handleClick(help, allButton(offer).value, clicked);
    await h.handler.handleClick(help, clicked.prompts[0]!.value, clicked, '40');
    expect(clicked.lastUpdate.text).toMatch(/Not sent to 6 devices/);

    for (const d of h.backend.devices.slice(3)) h.backend.setStatus(d.id, 'lock', { state: 'done', startedAt: h.clock.now().toISOString() });
    await h.clock.untilSleeping();
    h.clock.advance(2_000);
    await h.handler.idle();
    expect(clicked.lastUpdate.text).toMatch(/^34 devices: 34 done/);
    expect(clicked.lastUpdate.text).toMatch(/Not sent to 6 devices \(3: the device is no longer in Intune; 3: the device changed owner/);
  });
});

describe('bulk review: Intune does not answer the re-read of the chosen devices', () => {
  it('nothing is sent and the confirmation still stands, as the person is told: the next answer locks them', async () => {
    const h = makeHarness(fleetOf(60, OWNER), { policy: helpdeskPolicy });
    const offer = (await h.say(help, `lock ${OWNER}`)).lastReply;
    const clicked = new RecordingSink();
    await h.handler.handleClick(help, allButton(offer).value, clicked);
    // The Graph client re-reads 20 devices a $batch; one item throttled (429) fails the whole re-read.
    const read = h.backend.getDevices.bind(h.backend);
    let fail = true;
    h.backend.getDevices = async (ids) => {
      if (fail) {
        fail = false;
        throw new LockdeskError(ERROR_CODES.UNAVAILABLE, 're-reading devices: a batch item answered 429', { userMessage: 'Intune did not answer for every device, so nothing was sent. Try again shortly.' });
      }
      return read(ids);
    };
    const first = new RecordingSink();
    await h.handler.handleClick(help, clicked.prompts[0]!.value, first, '60');
    expect(first.allText).toMatch(/sent nothing\. Your confirmation still stands/);
    expect(h.backend.dispatched).toEqual([]);

    const second = new RecordingSink();
    await h.handler.handleClick(help, clicked.prompts[0]!.value, second, '60');
    expect(second.allText).not.toMatch(/already used/);
    expect(h.backend.dispatchedIds).toHaveLength(60);
  });
});

describe('bulk review: the backend throws after reporting some results', () => {
  it('what was reported stays sent, the rest is read from the action state: nothing called not sent that Intune has', async () => {
    const h = makeHarness(fleetOf(30, OWNER), { policy: helpdeskPolicy });
    const original = h.backend.dispatch.bind(h.backend);
    h.backend.dispatch = async (action: DeviceAction, ids: readonly string[], options: DispatchOptions = {}): Promise<DispatchResult[]> => {
      await original(action, ids.slice(0, 10), options);
      // 10 more reached Intune, but the connection dropped before their answers; the last 10 never left.
      await original(action, ids.slice(10, 20), {});
      throw new LockdeskError(ERROR_CODES.UNAVAILABLE, 'dropped', { userMessage: 'Intune cannot be reached right now.' });
    };
    const offer = (await h.say(help, `lock ${OWNER}`)).lastReply;
    const clicked = new RecordingSink();
    await h.handler.handleClick(help, allButton(offer).value, clicked);
    await h.handler.handleClick(help, clicked.prompts[0]!.value, clicked, '30');
    expect(clicked.lastUpdate.text).toMatch(/^30 devices: 0 done, 20 pending, 0 failed, 10 not sent/);
    const results = (await h.audit()).filter((e) => e.event === 'result' || e.event === 'recovery');
    expect(results.filter((e) => e.outcome === 'sent')).toHaveLength(10);
    expect(results.filter((e) => e.outcome === 'was-sent')).toHaveLength(10);
    expect(results.filter((e) => e.outcome === 'not-sent')).toHaveLength(10);
  });
});

describe('bulk review: a repeated click', () => {
  it('on a used confirmation is refused without re-reading every device from Intune', async () => {
    const h = makeHarness(fleetOf(20, OWNER), { policy: helpdeskPolicy });
    const offer = (await h.say(help, `lock ${OWNER}`)).lastReply;
    await h.handler.handleClick(help, allButton(offer).value, new RecordingSink());
    expect(h.backend.dispatchedIds).toHaveLength(20);
    const read = h.backend.getDevices.bind(h.backend);
    let reads = 0;
    h.backend.getDevices = async (ids) => ((reads += ids.length), read(ids));
    const again = new RecordingSink();
    await h.handler.handleClick(help, allButton(offer).value, again);
    expect(again.lastReply.text).toMatch(/already used/);
    expect(reads).toBe(0);
  });
});

describe('a status update that fails', () => {
  it('is shown by the next round although nothing changed since', async () => {
    const h = makeHarness(fleetOf(1, 'fleet@contoso.com'), { policy: helpdeskPolicy });
    const offer = (await h.say(actor('help@contoso.com'), 'lock fleet@contoso.com')).lastReply;
    const clicked = new RecordingSink();
    await h.handler.handleClick(actor('help@contoso.com'), buttonValue(offer, 'Lock "Fleet-0001"'), clicked);
    expect(clicked.lastUpdate.text).toMatch(/sent/);
    // The first round sees "pending", but the chat refuses that update.
    let refuse = true;
    const update = clicked.update.bind(clicked);
    clicked.update = async (r) => {
      if (refuse) {
        refuse = false;
        throw new Error('chat refused the update');
      }
      return update(r);
    };
    await h.clock.untilSleeping();
    h.clock.advance(1_000);
    await h.clock.untilSleeping();
    expect(clicked.lastUpdate.text).not.toMatch(/pending/);
    // Nothing changes at Intune; the next round shows what the person has not seen.
    h.clock.advance(2_000);
    await h.clock.untilSleeping();
    expect(clicked.lastUpdate.text).toMatch(/pending: queued in Intune/);
  });
});
