// The rate limits' counts and the kill switch, for every Store (run inside describeStoreContract).
import { describe, expect, it } from 'vitest';
import type { LimitBucket, Store } from '../../src/ports.js';
import { alice, at, bob, MINUTE } from './fixtures.js';

const HOUR = 60 * MINUTE;
const bucket = (key: string, units: number, max = 3, windowMs = HOUR): LimitBucket => ({ key, units, max, windowMs });

export function describeGuardrailsContract(store: () => Store): void {
  describe('rate-limit counts', () => {
    it('counts up to max, then refuses and says when the oldest count leaves the window', async () => {
      const s = store();
      expect(await s.limits.take([bucket('a', 1)], at(0))).toEqual({ ok: true });
      expect(await s.limits.take([bucket('a', 2)], at(10 * MINUTE))).toEqual({ ok: true });
      // 3 used of 3: one more fits once the first leaves, an hour after it was counted.
      expect(await s.limits.take([bucket('a', 1)], at(20 * MINUTE))).toEqual({ ok: false, key: 'a', used: 3, retryAt: at(HOUR) });
      // Two more need both counts gone: the second left at 1h10.
      expect(await s.limits.take([bucket('a', 2)], at(HOUR + 1))).toEqual({ ok: false, key: 'a', used: 2, retryAt: at(HOUR + 10 * MINUTE) });
      expect(await s.limits.take([bucket('a', 1)], at(HOUR))).toEqual({ ok: true });
      // Another key is counted apart.
      expect(await s.limits.take([bucket('b', 3)], at(HOUR))).toEqual({ ok: true });
    });

    it('takes all buckets or none: a refusal counts nothing, even in the buckets that had room', async () => {
      const s = store();
      await s.limits.take([bucket('full', 3)], at(0));
      expect(await s.limits.take([bucket('room', 2), bucket('full', 1)], at(MINUTE))).toMatchObject({ ok: false, key: 'full' });
      expect(await s.limits.take([bucket('room', 3)], at(MINUTE))).toEqual({ ok: true });
    });

    it('units beyond max never fit: no time to retry', async () => {
      expect(await store().limits.take([bucket('a', 4)], at(0))).toEqual({ ok: false, key: 'a', used: 0, retryAt: undefined });
    });

    it('of 20 concurrent takes of one unit with room for 5, exactly 5 are counted', async () => {
      const s = store();
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => s.limits.take([bucket('race', 1, 5)], at(0))));
      expect(outcomes.filter((o) => o.ok)).toHaveLength(5);
    });
  });

  describe('kill switch', () => {
    it('is off, then paused once (a second pause learns the first), then lifted once', async () => {
      const s = store();
      expect(await s.pause.get()).toBeUndefined();
      const first = { by: alice, since: at(0).toISOString(), reason: 'a bad script is locking phones' };
      expect(await s.pause.pause(first)).toEqual(first);
      expect(await s.pause.pause({ by: bob, since: at(MINUTE).toISOString(), reason: 'me too' })).toEqual(first);
      expect(await s.pause.get()).toEqual(first);
      expect(await s.pause.resume()).toEqual(first);
      expect(await s.pause.resume()).toBeUndefined();
      expect(await s.pause.get()).toBeUndefined();
    });
  });
}
