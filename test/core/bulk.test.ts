// "All" means all: every permitted device of a user query, a typed count above the policy's threshold, exactly the
// counted set dispatched once, and a status that summarises as the action moves.
import { describe, expect, it } from 'vitest';
import { buttonsOf, type DeviceAction, type Reply } from '../../src/core/index.js';
import type { DispatchOptions, DispatchResult } from '../../src/ports.js';
import { typedCount } from '../../src/core/click-flow.js';
import { actor, buttonValue, helpdeskPolicy, makeHarness, RecordingSink } from './harness.js';
import { fleetOf } from './fixtures.js';

const help = actor('help@contoso.com');
const OWNER = 'fleet@contoso.com';
const deviceBlocks = (reply: Reply) => reply.blocks.filter((b) => b.kind === 'device');
const allLabel = (reply: Reply) => buttonsOf(reply).find((b) => /^Lock all/.test(b.label))!;

describe('bulk: all means every device that matched', () => {
  it('600 devices: 25 cards, a summary of the rest, a button with the real count, and the whole set stored', async () => {
    const h = makeHarness(fleetOf(600, OWNER, 10), { policy: helpdeskPolicy });
    const sink = await h.say(help, `lock ${OWNER}`);
    const reply = sink.lastReply;
    expect(deviceBlocks(reply)).toHaveLength(25);
    // 540 Android dedicated devices can be locked; 60 Windows laptops cannot (Intune has no remote lock for them).
    expect(allLabel(reply).label).toBe('Lock all 540 devices');
    const summary = reply.blocks.find((b) => b.kind === 'notice' && /^and 575 more/.test(b.text));
    expect(summary && summary.kind === 'notice' ? summary.text : '').toMatch(/^and 575 more: 515 Android Enterprise \(corporate-owned dedicated device \(COSU\)\), 60 Windows .*; 60 of them cannot take a remote lock\.$/);
    const offered = (await h.audit()).find((e) => e.event === 'confirmation')!;
    const stored = await h.store.confirmations.get(offered.confirmationId!);
    expect(stored!.devices).toHaveLength(600);
    expect(stored!.devices.filter((d) => d.offered)).toHaveLength(540);
    expect(new Set(stored!.devices.map((d) => d.userId))).toEqual(new Set([`aad-${OWNER}`]));
    expect(offered.deviceIds).toHaveLength(540);
  });

  it('above bulkConfirmAbove the click asks for the count; a wrong count sends nothing and the confirmation stands', async () => {
    const h = makeHarness(fleetOf(60, OWNER), { policy: { ...helpdeskPolicy, bulkConfirmAbove: 25 } });
    const offer = (await h.say(help, `lock ${OWNER}`)).lastReply;
    const all = allLabel(offer);
    // No yes/no dialog on the button: the typed step is the confirmation.
    expect(all.confirm).toBeUndefined();

    const clicked = new RecordingSink();
    await h.handler.handleClick(help, all.value, clicked);
    expect(clicked.prompts).toHaveLength(1);
    expect(clicked.prompts[0]!.text).toMatch(/type the number of devices, 60/);
    expect(h.backend.dispatched).toEqual([]);

    for (const wrong of ['6', '600', '6.0', '6 0', 'sixty', '', '60; DROP TABLE', '\u0000']) {
      const answer = new RecordingSink();
      await h.handler.handleClick(help, clicked.prompts[0]!.value, answer, wrong);
      expect(answer.lastReply.text).toMatch(/covers 60 devices, so lockdesk sent nothing\. Your confirmation still stands/);
    }
    expect(h.backend.dispatched).toEqual([]);
    const refused = (await h.audit()).filter((e) => e.event === 'click-refused');
    expect(refused.map((e) => e.reason)).toEqual(Array(8).fill('countMismatch'));

    const typed = new RecordingSink();
    await h.handler.handleClick(help, clicked.prompts[0]!.value, typed, ' 60 ');
    expect(h.backend.dispatchedIds.sort()).toEqual(fleetOf(60, OWNER).map((d) => d.id).sort());
    expect(typed.lastUpdate.text).toMatch(/^60 devices: 0 done, 60 pending, 0 failed, 0 not sent/);

    // The same answer again (a double submit, a retry): the confirmation is used up, nothing more is sent.
    const again = new RecordingSink();
    await h.handler.handleClick(help, clicked.prompts[0]!.value, again, '60');
    expect(again.lastReply.text).toMatch(/already used/);
    expect(h.backend.dispatchedIds).toHaveLength(60);
  });

  it('a used, cancelled or expired confirmation is refused before any count is asked for', async () => {
    const h = makeHarness(fleetOf(30, OWNER), { policy: { ...helpdeskPolicy, confirmTtlSeconds: 60 } });
    const offer = (await h.say(help, `lock ${OWNER}`)).lastReply;
    h.clock.advance(61_000);
    const clicked = new RecordingSink();
    await h.handler.handleClick(help, allLabel(offer).value, clicked);
    expect(clicked.prompts).toEqual([]);
    expect(clicked.lastReply.text).toMatch(/expired/);
  });

  it('a chat that cannot ask for the count gets a clear refusal and nothing is sent', async () => {
    const h = makeHarness(fleetOf(30, OWNER), { policy: helpdeskPolicy });
    const offer = (await h.say(help, `lock ${OWNER}`)).lastReply;
    const plain = new RecordingSink();
    Object.defineProperty(plain, 'askToType', { value: undefined });
    await h.handler.handleClick(help, allLabel(offer).value, plain);
    expect(plain.lastReply.text).toMatch(/cannot ask you to type the number of devices, so lockdesk sent nothing/);
    expect(h.backend.dispatched).toEqual([]);
  });

  it('at or below the threshold one click (with its yes/no dialog) is enough', async () => {
    const h = makeHarness(fleetOf(25, OWNER), { policy: helpdeskPolicy });
    const offer = (await h.say(help, `lock ${OWNER}`)).lastReply;
    expect(allLabel(offer).confirm?.text).toMatch(/^Lock all 25 devices: "Fleet-0001", .* and 20 more\.$/);
    const clicked = await h.click(help, offer, 'Lock all 25 devices');
    expect(clicked.prompts).toEqual([]);
    expect(h.backend.dispatchedIds).toHaveLength(25);
  });

  it('a device that left Intune or changed owner since is skipped and counted, the rest are sent', async () => {
    const h = makeHarness(fleetOf(40, OWNER), { policy: helpdeskPolicy });
    const offer = (await h.say(help, `lock ${OWNER}`)).lastReply;
    const gone = h.backend.devices.splice(0, 3).map((d) => d.id);
    for (const d of h.backend.devices.slice(0, 3)) d.userId = 'aad-someone-else';
    const clicked = new RecordingSink();
    await h.handler.handleClick(help, allLabel(offer).value, clicked);
    await h.handler.handleClick(help, clicked.prompts[0]!.value, clicked, '40');
    expect(h.backend.dispatchedIds).toHaveLength(34);
    expect(h.backend.dispatchedIds.some((id) => gone.includes(id))).toBe(false);
    expect(clicked.lastUpdate.text).toMatch(/Not sent to 6 devices \(3: the device is no longer in Intune; 3: the device changed owner since the confirmation was shown\)/);
    expect((await h.audit()).filter((e) => e.event === 'refusal' && e.outcome === 'not-dispatched')).toHaveLength(6);
  });
});

/** A backend whose bulk dispatch reports half its results, then waits (its next batches wait for the budget). */
function halfThenHold(h: ReturnType<typeof makeHarness>) {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const original = h.backend.dispatch.bind(h.backend);
  h.backend.dispatch = async (action: DeviceAction, ids: readonly string[], options: DispatchOptions = {}): Promise<DispatchResult[]> => {
    const half = Math.floor(ids.length / 2);
    const first = await original(action, ids.slice(0, half), { ...options });
    await held;
    const second = await original(action, ids.slice(half), { ...options });
    return [...first, ...second];
  };
  return release;
}

describe('typedCount', () => {
  it('reads digits and thousands groups, nothing else', () => {
    expect([' 60 ', '1,200', '1 200', '1.200', '１２', '600'].map(typedCount)).toEqual([60, 1200, 1200, 1200, 12, 600]);
    expect(['6.0', '12,00', '1,2000', '-60', '60 devices', '0x3c', '٦٠x', '9'.repeat(10)].map(typedCount)).toEqual(Array(8).fill(undefined));
  });
});

describe('bulk: the status as the action moves', () => {
  it('shows progress while batches wait, summarises, and never repeats an unchanged message', async () => {
    const h = makeHarness(fleetOf(60, OWNER), { policy: helpdeskPolicy, settings: { pollPerRound: 1000 } });
    const release = halfThenHold(h);
    const offer = (await h.say(help, `lock ${OWNER}`)).lastReply;
    const clicked = new RecordingSink();
    await h.handler.handleClick(help, allLabel(offer).value, clicked);
    const done = h.handler.handleClick(help, clicked.prompts[0]!.value, clicked, '60');
    // The first follow-up round comes while the second half is still being sent.
    await h.clock.untilSleeping();
    h.clock.advance(1_000);
    await h.clock.untilSleeping();
    expect(clicked.lastUpdate.text).toMatch(/^60 devices: 0 done, 30 pending, 30 being sent, 0 failed, 0 not sent/);
    release();
    await done;
    expect(clicked.lastUpdate.text).toMatch(/^60 devices: 0 done, 60 pending, 0 failed, 0 not sent/);
    for (const d of h.backend.devices.slice(0, 50)) h.backend.setStatus(d.id, 'lock', { state: 'done', startedAt: h.clock.now().toISOString() });
    for (const d of h.backend.devices.slice(50)) h.backend.setStatus(d.id, 'lock', { state: 'failed', startedAt: h.clock.now().toISOString() });
    await h.clock.untilSleeping();
    h.clock.advance(4_000);
    await h.handler.idle();
    expect(clicked.lastUpdate.text).toMatch(/^60 devices: 50 done, 0 pending, 10 failed, 0 not sent/);
    // Every update before the outcome was a status on its way; the outcome is not (an adapter may skip the former).
    expect(clicked.updates.slice(0, -1).every((u) => u.transient === true)).toBe(true);
    expect(clicked.lastUpdate.transient).toBeUndefined();
    expect(clicked.lastUpdate.text).toMatch(/Each device's result is in the audit trail \(confirmation /);
    const texts = clicked.updates.map((u) => u.text);
    for (let i = 1; i < texts.length; i++) expect(texts[i]).not.toBe(texts[i - 1]);
    // One result per device in the audit trail: sent, then its outcome.
    const results = (await h.audit()).filter((e) => e.event === 'result');
    expect(new Set(results.filter((e) => e.outcome === 'sent').map((e) => e.deviceId)).size).toBe(60);
    expect(results.filter((e) => e.outcome === 'done')).toHaveLength(50);
  });

  it('a round asks Intune about at most pollPerRound devices, taking turns', async () => {
    const h = makeHarness(fleetOf(30, OWNER), { policy: helpdeskPolicy, settings: { pollPerRound: 10 } });
    const asked: string[] = [];
    const read = h.backend.getActionStatus.bind(h.backend);
    h.backend.getActionStatus = async (id, action) => (asked.push(id), read(id, action));
    const offer = (await h.say(help, `lock ${OWNER}`)).lastReply;
    const clicked = new RecordingSink();
    await h.handler.handleClick(help, allLabel(offer).value, clicked);
    await h.handler.handleClick(help, clicked.prompts[0]!.value, clicked, '30');
    const rounds: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = asked.length;
      await h.clock.untilSleeping();
      h.clock.advance(8_000);
      await h.clock.untilSleeping();
      rounds.push(asked.length - before);
    }
    expect(rounds).toEqual([10, 10, 10]);
    expect(new Set(asked).size).toBe(30);
  });
});

describe('bulk: look-ups show the same summary', () => {
  it('`devices <user>` lists 25 cards and says what the others are', async () => {
    const h = makeHarness(fleetOf(100, OWNER, 4), { policy: helpdeskPolicy });
    const reply = (await h.say(help, `devices ${OWNER}`)).lastReply;
    expect(deviceBlocks(reply)).toHaveLength(25);
    expect(JSON.stringify(reply.blocks)).toMatch(/and 75 more: /);
    expect(() => buttonValue(reply, 'Lock all')).toThrow();
  });
});
