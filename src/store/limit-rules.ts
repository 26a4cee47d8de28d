// The rate limits' arithmetic, once for every store: whether units fit in a bucket, and when they will if not.
import type { LimitBucket, LimitTake } from '../ports.js';

/** One count taken: `units` under `key`, at `at` (ms since the epoch). */
export interface LimitEntry {
  key: string;
  at: number;
  units: number;
}

/** No window is longer (the policy refuses one that is): entries older than this count for nothing. */
export const LONGEST_WINDOW_MS = 31 * 24 * 60 * 60_000;

/**
 * The first bucket without room for its units among `entries` (every entry of the buckets' keys; any order), or ok.
 * An entry counts while it is inside the window: taken after now - windowMs.
 */
export function decideTake(entries: readonly LimitEntry[], buckets: readonly LimitBucket[], now: Date): LimitTake {
  const t = now.getTime();
  for (const bucket of buckets) {
    const inside = entries.filter((e) => e.key === bucket.key && e.at > t - bucket.windowMs).sort((a, b) => a.at - b.at);
    const used = inside.reduce((sum, e) => sum + e.units, 0);
    if (used + bucket.units <= bucket.max) continue;
    if (bucket.units > bucket.max) return { ok: false, key: bucket.key, used, retryAt: undefined };
    // The oldest entries leave first: the units fit once enough of them have left.
    const need = used + bucket.units - bucket.max;
    let freed = 0;
    let retryAt = t + bucket.windowMs;
    for (const e of inside) {
      freed += e.units;
      if (freed >= need) {
        retryAt = e.at + bucket.windowMs;
        break;
      }
    }
    return { ok: false, key: bucket.key, used, retryAt: new Date(retryAt) };
  }
  return { ok: true };
}

/** The entries taking `buckets` at `now` adds. */
export function entriesFor(buckets: readonly LimitBucket[], now: Date): LimitEntry[] {
  return buckets.filter((b) => b.units > 0).map((b) => ({ key: b.key, at: now.getTime(), units: b.units }));
}
