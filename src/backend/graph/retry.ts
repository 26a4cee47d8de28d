// When to try a Graph call again, and after how long.

/** 429 (throttled), 503 (unavailable) and 504 (gateway timeout) are worth another try. */
export const RETRYABLE = new Set([429, 503, 504]);

/** Retry-After in seconds (possibly fractional, e.g. "2.128") or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Capped exponential backoff with full jitter: attempt 0 waits up to base, then 2×, 4×, … up to cap. */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.max(1, Math.round(ceiling / 2 + (random() * ceiling) / 2));
}
