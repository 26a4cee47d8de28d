// One suite for every Store implementation (memory now, lowdb now, PostgreSQL later): the rules live here once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_CODES, LockdeskError } from '../../src/core/errors.js';
import type { Store } from '../../src/ports.js';
import { describeGuardrailsContract } from './guardrails-contract.js';
import { MINUTE, alice, approval, at, auditEvent, bob, collect, confirmation, dispatch, iso } from './fixtures.js';

export type MakeStore = () => Promise<{ store: Store; cleanup(): Promise<void> }>;

export function describeStoreContract(name: string, makeStore: MakeStore): void {
  describe(`${name}: store contract`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await makeStore());
    });
    afterEach(async () => {
      await cleanup();
    });

    describe('confirmations', () => {
      it('creates and gets a confirmation, and hands out copies', async () => {
        const c = confirmation();
        await store.confirmations.create(c);
        const got = await store.confirmations.get(c.id);
        expect(got).toEqual(c);
        got!.status = 'confirmed';
        got!.devices.push({ id: 'x', name: 'x', userId: 'x', offered: true });
        expect(await store.confirmations.get(c.id)).toEqual(c);
        expect(await store.confirmations.get('no-such-id')).toBeUndefined();
      });

      it('refuses a second confirmation with the same id', async () => {
        const c = confirmation();
        await store.confirmations.create(c);
        await expect(store.confirmations.create({ ...c, action: 'resetPasscode' })).rejects.toMatchObject({ code: ERROR_CODES.INTERNAL });
        expect((await store.confirmations.get(c.id))?.action).toBe('lock');
      });

      it('answers unknown for an id it never saw', async () => {
        const outcome = await store.confirmations.resolve('no-such-id', 'confirmed', alice, 'dev-1', at(0));
        expect(outcome).toEqual({ ok: false, reason: 'unknown' });
      });

      it('confirms a pending confirmation and records who, when and what', async () => {
        const c = confirmation();
        await store.confirmations.create(c);
        const outcome = await store.confirmations.resolve(c.id, 'confirmed', alice, 'dev-1', at(MINUTE));
        const expected = { ...c, status: 'confirmed', resolvedAt: iso(MINUTE), resolvedBy: alice, choice: 'dev-1' };
        expect(outcome).toEqual({ ok: true, confirmation: expected });
        expect(await store.confirmations.get(c.id)).toEqual(expected);
      });

      it('keeps only the reference fields of the actor who resolved', async () => {
        const c = confirmation();
        await store.confirmations.create(c);
        const actor = { ...bob, displayName: 'Bob', groups: ['aad-group:x'] };
        await store.confirmations.resolve(c.id, 'confirmed', actor, '*', at(MINUTE));
        expect((await store.confirmations.get(c.id))?.resolvedBy).toEqual(bob);
      });

      it('omits resolvedBy when resolved by lockdesk itself and choice when none is given', async () => {
        const c = confirmation();
        await store.confirmations.create(c);
        const outcome = await store.confirmations.resolve(c.id, 'cancelled', null, undefined, at(MINUTE));
        expect(outcome.ok).toBe(true);
        const got = await store.confirmations.get(c.id);
        expect(got?.status).toBe('cancelled');
        expect(got && 'resolvedBy' in got).toBe(false);
        expect(got && 'choice' in got).toBe(false);
      });

      it('is single use: a second resolve learns the first outcome and changes nothing', async () => {
        const c = confirmation();
        await store.confirmations.create(c);
        await store.confirmations.resolve(c.id, 'confirmed', alice, 'dev-1', at(MINUTE));
        const again = await store.confirmations.resolve(c.id, 'confirmed', bob, '*', at(2 * MINUTE));
        expect(again.ok).toBe(false);
        expect(again.ok === false && again.reason).toBe('confirmed');
        expect(again.confirmation?.resolvedBy).toEqual(alice);
        expect((await store.confirmations.get(c.id))?.choice).toBe('dev-1');
      });

      it('a cancel then a confirm: the confirm learns "cancelled"', async () => {
        const c = confirmation();
        await store.confirmations.create(c);
        expect((await store.confirmations.resolve(c.id, 'cancelled', alice, undefined, at(MINUTE))).ok).toBe(true);
        const confirm = await store.confirmations.resolve(c.id, 'confirmed', alice, 'dev-1', at(MINUTE + 1));
        expect(confirm).toMatchObject({ ok: false, reason: 'cancelled', confirmation: { status: 'cancelled' } });
        expect((await store.confirmations.get(c.id))?.status).toBe('cancelled');
      });

      it('of 50 concurrent resolves for one id exactly one wins', async () => {
        const c = confirmation();
        await store.confirmations.create(c);
        const outcomes = await Promise.all(
          Array.from({ length: 50 }, (_, i) => store.confirmations.resolve(c.id, i % 2 === 0 ? 'confirmed' : 'cancelled', { platform: 'slack', id: `U${i}` }, `dev-${i}`, at(MINUTE))),
        );
        const winners = outcomes.filter((o) => o.ok);
        expect(winners).toHaveLength(1);
        const winner = winners[0]!.confirmation!;
        for (const o of outcomes) if (!o.ok) expect(o.reason).toBe(winner.status);
        expect(await store.confirmations.get(c.id)).toEqual(winner);
      });

      it('refuses a confirm at or after expiresAt without changing the confirmation', async () => {
        const c = confirmation({ expiresAt: iso(5 * MINUTE) });
        await store.confirmations.create(c);
        const late = await store.confirmations.resolve(c.id, 'confirmed', alice, 'dev-1', at(5 * MINUTE));
        expect(late).toEqual({ ok: false, reason: 'expired', confirmation: c });
        expect(await store.confirmations.get(c.id)).toEqual(c);
        const cancelLate = await store.confirmations.resolve(c.id, 'cancelled', alice, undefined, at(6 * MINUTE));
        expect(cancelLate.ok === false && cancelLate.reason).toBe('expired');
      });

      it('accepts a confirm one millisecond before expiresAt', async () => {
        const c = confirmation({ expiresAt: iso(5 * MINUTE) });
        await store.confirmations.create(c);
        expect((await store.confirmations.resolve(c.id, 'confirmed', alice, 'dev-1', at(5 * MINUTE - 1))).ok).toBe(true);
      });

      it('lets the caller resolve a timed-out confirmation to expired, after which a click learns "expired"', async () => {
        const c = confirmation({ expiresAt: iso(5 * MINUTE) });
        await store.confirmations.create(c);
        const expired = await store.confirmations.resolve(c.id, 'expired', null, undefined, at(6 * MINUTE));
        expect(expired).toMatchObject({ ok: true, confirmation: { status: 'expired', resolvedAt: iso(6 * MINUTE) } });
        const click = await store.confirmations.resolve(c.id, 'confirmed', alice, 'dev-1', at(4 * MINUTE));
        expect(click).toMatchObject({ ok: false, reason: 'expired', confirmation: { status: 'expired' } });
      });

      it('lists pending confirmations whose expiresAt is at or before now, and no others', async () => {
        const due = confirmation({ expiresAt: iso(2 * MINUTE) });
        const dueExactly = confirmation({ expiresAt: iso(3 * MINUTE) });
        const notYet = confirmation({ expiresAt: iso(3 * MINUTE + 1) });
        const resolved = confirmation({ expiresAt: iso(MINUTE) });
        for (const c of [due, dueExactly, notYet, resolved]) await store.confirmations.create(c);
        await store.confirmations.resolve(resolved.id, 'cancelled', alice, undefined, at(0));
        const ids = (await store.confirmations.listExpired(at(3 * MINUTE))).map((c) => c.id);
        expect(ids.sort()).toEqual([due.id, dueExactly.id].sort());
        expect(await store.confirmations.listExpired(at(0))).toEqual([]);
      });
    });

    describe('approvals', () => {
      it('creates and gets an approval, and hands out copies', async () => {
        const a = approval();
        await store.approvals.create(a);
        const got = await store.approvals.get(a.id);
        expect(got).toEqual(a);
        got!.status = 'approved';
        expect(await store.approvals.get(a.id)).toEqual(a);
        expect(await store.approvals.get('no-such-id')).toBeUndefined();
        await expect(store.approvals.create(a)).rejects.toMatchObject({ code: ERROR_CODES.INTERNAL });
      });

      it('approves once: of concurrent claims one wins, the others learn why', async () => {
        const a = approval();
        await store.approvals.create(a);
        const results = await Promise.all([1, 2, 3].map(() => store.approvals.resolve(a.id, 'approved', { ...bob, groups: ['x'] } as typeof bob, at(MINUTE))));
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(['approved', 'approved']);
        expect(await store.approvals.get(a.id)).toEqual({ ...a, status: 'approved', resolvedAt: iso(MINUTE), resolvedBy: bob });
        expect(await store.approvals.resolve(a.id, 'denied', bob, at(MINUTE), 'no')).toMatchObject({ ok: false, reason: 'approved' });
        expect(await store.approvals.resolve('no-such-id', 'approved', bob, at(0))).toEqual({ ok: false, reason: 'unknown' });
      });

      it('keeps the reason of a denial', async () => {
        const a = approval();
        await store.approvals.create(a);
        const outcome = await store.approvals.resolve(a.id, 'denied', bob, at(MINUTE), 'not a lost device');
        expect(outcome).toMatchObject({ ok: true, approval: { status: 'denied', denyReason: 'not a lost device', resolvedBy: bob } });
      });

      it('refuses an approval past its time, leaves it pending for the sweep, which expires it once', async () => {
        const a = approval();
        await store.approvals.create(a);
        expect(await store.approvals.resolve(a.id, 'approved', bob, at(30 * MINUTE))).toMatchObject({ ok: false, reason: 'expired' });
        expect((await store.approvals.listExpired(at(30 * MINUTE))).map((x) => x.id)).toEqual([a.id]);
        expect((await store.approvals.listExpired(at(29 * MINUTE))).map((x) => x.id)).toEqual([]);
        expect(await store.approvals.resolve(a.id, 'expired', null, at(30 * MINUTE))).toMatchObject({ ok: true });
        expect(await store.approvals.resolve(a.id, 'expired', null, at(30 * MINUTE))).toMatchObject({ ok: false, reason: 'expired' });
        expect(await store.approvals.listExpired(at(31 * MINUTE))).toEqual([]);
      });

      it('lists the approvals still waiting, oldest first, at most the limit; none decided or past its time', async () => {
        const first = approval();
        const second = { ...approval(), createdAt: iso(MINUTE), expiresAt: iso(31 * MINUTE) };
        const decided = approval();
        for (const a of [second, first, decided]) await store.approvals.create(a);
        await store.approvals.resolve(decided.id, 'denied', bob, at(MINUTE), 'no');
        expect((await store.approvals.listPending(at(2 * MINUTE), 10)).map((a) => a.id)).toEqual([first.id, second.id]);
        expect((await store.approvals.listPending(at(2 * MINUTE), 1)).map((a) => a.id)).toEqual([first.id]);
        expect((await store.approvals.listPending(at(30 * MINUTE), 10)).map((a) => a.id)).toEqual([second.id]);
        expect(await store.approvals.listPending(at(31 * MINUTE), 10)).toEqual([]);
      });

      it('annotates a pending approval only', async () => {
        const a = approval();
        await store.approvals.create(a);
        const cards = [{ platform: 'slack' as const, data: { channel: 'C2', ts: '3.4' } }];
        expect(await store.approvals.annotate(a.id, { cards })).toEqual({ ...a, cards });
        expect(await store.approvals.annotate(a.id, { reason: 'lost on the train' })).toEqual({ ...a, cards, reason: 'lost on the train' });
        await store.approvals.resolve(a.id, 'approved', bob, at(MINUTE));
        expect(await store.approvals.annotate(a.id, { reason: 'later' })).toBeUndefined();
        expect((await store.approvals.get(a.id))?.reason).toBe('lost on the train');
      });
    });

    describe('dispatches', () => {
      it('records an intent and gets it back', async () => {
        const d = dispatch();
        await store.dispatches.recordIntent(d);
        expect(await store.dispatches.get(d.id)).toEqual(d);
        expect(await store.dispatches.get('no-such-id')).toBeUndefined();
        await expect(store.dispatches.recordIntent(d)).rejects.toMatchObject({ code: ERROR_CODES.INTERNAL });
      });

      it('patches a record and returns the new one', async () => {
        const d = dispatch();
        await store.dispatches.recordIntent(d);
        const sent = await store.dispatches.transition(d.id, 'dispatching', { state: 'sent', updatedAt: iso(1000) });
        expect(sent).toEqual({ ...d, state: 'sent', updatedAt: iso(1000) });
        const failed = await store.dispatches.transition(d.id, 'sent', { state: 'failed', errorCode: 'throttled', detail: 'try later', updatedAt: iso(2000) });
        expect(failed).toEqual({ ...d, state: 'failed', errorCode: 'throttled', detail: 'try later', updatedAt: iso(2000) });
        expect(await store.dispatches.get(d.id)).toEqual(failed);
      });

      it('moves a record on only from the state the caller saw; of concurrent moves exactly one wins', async () => {
        const d = dispatch({ state: 'pending' });
        await store.dispatches.recordIntent(d);
        expect(await store.dispatches.transition(d.id, 'sent', { state: 'done', updatedAt: iso(MINUTE) })).toBeUndefined();
        expect((await store.dispatches.get(d.id))?.state).toBe('pending');
        const results = await Promise.all(Array.from({ length: 10 }, () => store.dispatches.transition(d.id, 'pending', { state: 'done', updatedAt: iso(MINUTE) })));
        expect(results.filter((r) => r !== undefined)).toHaveLength(1);
        expect((await store.dispatches.get(d.id))?.state).toBe('done');
        expect(await store.dispatches.transition('no-such-id', 'pending', { state: 'done', updatedAt: iso(MINUTE) })).toBeUndefined();
      });

      it('lists only records that are not settled, in the order recorded', async () => {
        const states = ['dispatching', 'sent', 'pending', 'active', 'done', 'failed', 'canceled', 'notSupported', 'notSent', 'unknown'] as const;
        const records = states.map((state) => dispatch({ state }));
        for (const r of records) await store.dispatches.recordIntent(r);
        expect((await store.dispatches.listOpen()).map((r) => r.state)).toEqual(['dispatching', 'sent', 'pending', 'active']);
        await store.dispatches.transition(records[1]!.id, 'sent', { state: 'done', updatedAt: iso(1) });
        expect((await store.dispatches.listOpen()).map((r) => r.id)).toEqual([records[0]!.id, records[2]!.id, records[3]!.id]);
      });
    });

    describeGuardrailsContract(() => store);

    describe('audit', () => {
      it('reads back what was appended, in order', async () => {
        expect(await collect(store.audit.read())).toEqual([]);
        const events = [auditEvent({ at: iso(0) }), auditEvent({ at: iso(1000), event: 'confirmation', deviceIds: ['a', 'b'] }), auditEvent({ at: iso(2000), event: 'confirmed', actor: null })];
        for (const e of events) await store.audit.append(e);
        expect(await collect(store.audit.read())).toEqual(events);
      });

      it('reads only events at or after since', async () => {
        for (const offset of [0, 1000, 2000, 3000]) await store.audit.append(auditEvent({ at: iso(offset), outcome: `o${offset}` }));
        const outcomes = (await collect(store.audit.read({ since: at(2000) }))).map((e) => e.outcome);
        expect(outcomes).toEqual(['o2000', 'o3000']);
        expect(await collect(store.audit.read({ since: at(3001) }))).toEqual([]);
      });

      it('keeps every one of many concurrent appends, each whole, in call order', async () => {
        const events = Array.from({ length: 200 }, (_, i) => auditEvent({ outcome: `n${i}`, query: 'x'.repeat(i * 10) }));
        await Promise.all(events.map((e) => store.audit.append(e)));
        expect(await collect(store.audit.read())).toEqual(events);
      });
    });
  });
}
