// After a crash between "dispatching" and "dispatched": ask the backend, never re-send.
import { describe, expect, it } from 'vitest';
import type { DispatchRecord } from '../../src/core/records.js';
import { makeHarness, RecordingSink } from './harness.js';
import { Secret } from '../../src/core/types.js';
import { all, patIphone } from './fixtures.js';
import { unavailable } from '../fakes/memory-backend.js';

function interrupted(createdAt: string, overrides: Partial<DispatchRecord> = {}): DispatchRecord {
  return {
    id: 'd-1',
    confirmationId: 'c-1',
    correlationId: 'corr-1',
    action: 'lock',
    deviceId: patIphone.id,
    deviceName: patIphone.name,
    requester: { platform: 'console', id: 'pat@contoso.com', email: 'pat@contoso.com' },
    state: 'dispatching',
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

describe('crash recovery', () => {
  it('marks a dispatch the backend never received as not sent, and sends nothing', async () => {
    const h = makeHarness(all());
    await h.store.dispatches.recordIntent(interrupted(h.clock.now().toISOString()));
    const summary = await h.handler.recover();
    expect(summary).toMatchObject({ resolved: 1, unresolved: 0 });
    expect((await h.store.dispatches.get('d-1'))!.state).toBe('notSent');
    expect(h.backend.dispatched).toEqual([]);
    const event = (await h.audit())[0]!;
    expect(event).toMatchObject({ event: 'recovery', outcome: 'not-sent', deviceId: patIphone.id, actor: null, correlationId: 'corr-1' });
  });

  it('takes an action that started after the intent as ours, and follows it', async () => {
    const h = makeHarness(all());
    const created = h.clock.now().toISOString();
    await h.store.dispatches.recordIntent(interrupted(created));
    h.backend.setStatus(patIphone.id, 'lock', { state: 'pending', startedAt: new Date(h.clock.now().getTime() + 500).toISOString() });
    const summary = await h.handler.recover();
    expect(summary).toMatchObject({ resolved: 1, following: 1 });
    expect((await h.store.dispatches.get('d-1'))!.state).toBe('pending');
    h.backend.setStatus(patIphone.id, 'lock', { state: 'done', startedAt: created });
    await h.clock.untilSleeping();
    h.clock.advance(1_000);
    await h.handler.idle();
    expect((await h.store.dispatches.get('d-1'))!.state).toBe('done');
    expect(h.backend.dispatched).toEqual([]);
  });

  it('does not take an older action on the same device for ours', async () => {
    const h = makeHarness(all());
    await h.store.dispatches.recordIntent(interrupted(h.clock.now().toISOString()));
    h.backend.setStatus(patIphone.id, 'lock', { state: 'done', startedAt: new Date(h.clock.now().getTime() - 3_600_000).toISOString() });
    await h.handler.recover();
    expect((await h.store.dispatches.get('d-1'))!.state).toBe('notSent');
  });

  it('an action state without a start time cannot be matched: unknown, with advice', async () => {
    const h = makeHarness(all());
    await h.store.dispatches.recordIntent(interrupted(h.clock.now().toISOString()));
    h.backend.setStatus(patIphone.id, 'lock', { state: 'pending' });
    await h.handler.recover();
    const record = (await h.store.dispatches.get('d-1'))!;
    expect(record.state).toBe('unknown');
    expect(record.detail).toMatch(/Check the device in Intune/);
  });

  it('leaves the record for later when the backend cannot be asked yet', async () => {
    const h = makeHarness(all());
    await h.store.dispatches.recordIntent(interrupted(h.clock.now().toISOString()));
    h.backend.statusThrows = unavailable();
    expect(await h.handler.recover()).toMatchObject({ resolved: 0, unresolved: 1 });
    expect((await h.store.dispatches.get('d-1'))!.state).toBe('dispatching');
    h.backend.statusThrows = undefined;
    expect(await h.handler.recover()).toMatchObject({ resolved: 1 });
  });

  it('a periodic sweep leaves a dispatch in flight alone', async () => {
    const h = makeHarness(all());
    await h.store.dispatches.recordIntent(interrupted(h.clock.now().toISOString()));
    expect(await h.handler.recover({ olderThanMs: 60_000 })).toMatchObject({ resolved: 0, unresolved: 0 });
    expect((await h.store.dispatches.get('d-1'))!.state).toBe('dispatching');
  });

  it('after a restart the message is found again from its reference and keeps its heading and chat window', async () => {
    const restored = new RecordingSink();
    const h = makeHarness(all(), { sinks: { restore: (ref) => (ref.platform === 'console' && ref.data['message'] === 'm-1' ? restored : undefined) } });
    const now = h.clock.now();
    await h.store.confirmations.create({
      id: 'c-1', correlationId: 'corr-1', action: 'lock', requester: { platform: 'console', id: 'pat@contoso.com' },
      devices: [{ id: patIphone.id, name: patIphone.name, userId: patIphone.userId, offered: true }], allowAll: false,
      createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + 300_000).toISOString(), status: 'pending',
    });
    await h.store.confirmations.resolve('c-1', 'confirmed', { platform: 'console', id: 'pat@contoso.com', email: 'pat@contoso.com' }, patIphone.id, now);
    await h.store.dispatches.recordIntent(interrupted(now.toISOString(), { state: 'sent', replyRef: { platform: 'console', data: { message: 'm-1' } } }));
    h.backend.setStatus(patIphone.id, 'lock', { state: 'pending', startedAt: now.toISOString() });
    await h.handler.recover();
    await h.clock.untilSleeping();
    h.clock.advance(1_000);
    await h.clock.untilSleeping();
    expect(JSON.stringify(restored.lastUpdate.blocks)).toMatch(/confirmed by pat@contoso.com/);
    expect(restored.lastUpdate.text).not.toMatch(/keeps checking/);
    h.backend.setStatus(patIphone.id, 'lock', { state: 'done', startedAt: now.toISOString() });
    h.clock.advance(2_000);
    await h.handler.idle();
    expect(restored.lastUpdate.text).toMatch(/done/);
  });

  it('a send whose process died is settled; one whose process lives is left in flight, however old it is', async () => {
    const alive = new Set(['p-live']);
    const h = makeHarness(all(), { processes: { id: 'p-me', isAlive: async (id) => alive.has(id), maySend: () => true } });
    const now = h.clock.now().toISOString();
    await h.store.dispatches.recordIntent(interrupted(now, { id: 'd-dead', owner: 'p-dead' }));
    await h.store.dispatches.recordIntent(interrupted(now, { id: 'd-live', owner: 'p-live', deviceId: 'dev-pat-pixel', confirmationId: 'c-2' }));
    // The registry counts a process that died a moment ago as alive while its last request may still land.
    expect(await h.handler.recover({ olderThanMs: 180_000 })).toMatchObject({ resolved: 1 });
    expect((await h.store.dispatches.get('d-dead'))!.state).toBe('notSent');
    // A live sender's record is never settled by someone else: a 429 with a long Retry-After is no death.
    h.clock.advance(60 * 60_000);
    expect(await h.handler.recover({ olderThanMs: 180_000 })).toMatchObject({ resolved: 0 });
    expect((await h.store.dispatches.get('d-live'))!.state).toBe('dispatching');
    alive.delete('p-live');
    expect(await h.handler.recover({ olderThanMs: 180_000 })).toMatchObject({ resolved: 1 });
    expect((await h.store.dispatches.get('d-live'))!.state).toBe('notSent');
    expect(h.backend.dispatched).toEqual([]);
  });

  it('when the registry cannot tell whether the sender lives, its send is left alone', async () => {
    const h = makeHarness(all(), { processes: { id: 'p-me', isAlive: async () => Promise.reject(new Error('database gone')), maySend: () => true } });
    await h.store.dispatches.recordIntent(interrupted(h.clock.now().toISOString(), { owner: 'p-other' }));
    expect(await h.handler.recover()).toMatchObject({ resolved: 0 });
    expect((await h.store.dispatches.get('d-1'))!.state).toBe('dispatching');
  });

  it('an action found already finished is still recorded with its result, and a passcode is accounted for', async () => {
    const h = makeHarness(all());
    const now = h.clock.now().toISOString();
    await h.store.dispatches.recordIntent(interrupted(now, { action: 'resetPasscode', deviceId: 'dev-pat-pixel' }));
    h.backend.setStatus('dev-pat-pixel', 'resetPasscode', { state: 'done', startedAt: now, passcode: new Secret('424242') });
    await h.handler.recover();
    expect((await h.store.dispatches.get('d-1'))!.state).toBe('sent');
    await h.clock.untilSleeping();
    h.clock.advance(1_000);
    await h.handler.idle();
    const events = (await h.audit()).map((e) => [e.event, e.outcome]);
    expect(events).toEqual([['recovery', 'was-sent'], ['result', 'done'], ['follow-up', 'settled']]);
    expect((await h.audit()).find((e) => e.event === 'result')!.reason).toMatch(/read it in Intune/);
    expect(JSON.stringify(await h.audit())).not.toContain('424242');
  });
});
