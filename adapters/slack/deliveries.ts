// Recognises a delivery Slack (or a flaky network) sent again: a retry header, or a payload already seen.
// The core already makes a click count once; this keeps repeats from spending response-URL posts or messages.

export const SEEN_TTL_MS = 10 * 60_000;
const MAX_SEEN = 50_000;

export class Deliveries {
  readonly #seen = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** True the first time a key is seen within the TTL; false for a repeat (or any delivery Slack marks as a retry). */
  first(key: string, retryNum?: number): boolean {
    if (retryNum !== undefined && retryNum > 0) return false;
    const now = this.now();
    const at = this.#seen.get(key);
    if (at !== undefined && now - at < SEEN_TTL_MS) return false;
    this.#seen.delete(key);
    this.#seen.set(key, now);
    this.#prune(now);
    return true;
  }

  #prune(now: number): void {
    for (const [key, at] of this.#seen) {
      if (this.#seen.size <= MAX_SEEN && now - at < SEEN_TTL_MS) break;
      this.#seen.delete(key);
    }
  }
}
