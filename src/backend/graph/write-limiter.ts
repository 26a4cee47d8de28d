// A client-side sliding-window limiter for Graph writes (Intune: 200 per 20 s per app and tenant), so that a bulk
// action waits its turn here instead of meeting a 429. A write is stamped when its answer arrives: Graph received
// it at or before that moment, so the window here never closes earlier than Graph's.
import type { Clock } from '../../ports.js';

export interface WriteLimiterStats {
  waits: number;
  waitedMs: number;
}

export class WriteLimiter {
  readonly #clock: Clock;
  readonly #budget: number;
  readonly #windowMs: number;
  /** Times (ms) of the writes in the window, sent or in flight. In-flight ones are Infinity until they finish. */
  #stamps: number[] = [];
  #queue: Promise<void> = Promise.resolve();
  readonly stats: WriteLimiterStats = { waits: 0, waitedMs: 0 };

  constructor(clock: Clock, budget: number, windowMs: number) {
    this.#clock = clock;
    this.#budget = budget;
    this.#windowMs = windowMs;
  }

  /**
   * Waits until `count` writes fit in the window, reserves them, and returns a function to call when the answer
   * has arrived. Callers are served in order.
   */
  acquire(count: number): Promise<() => void> {
    if (count > this.#budget) throw new RangeError(`a single call of ${count} writes exceeds the write budget of ${this.#budget}`);
    const turn = this.#queue.then(() => this.#reserve(count));
    this.#queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  async #reserve(count: number): Promise<() => void> {
    for (;;) {
      const now = this.#clock.now().getTime();
      this.#stamps = this.#stamps.filter((t) => t > now - this.#windowMs);
      if (this.#stamps.length + count <= this.#budget) break;
      // The oldest stamps must leave the window before `count` more fit; in-flight ones (Infinity) are waited on.
      const sorted = [...this.#stamps].sort((a, b) => a - b);
      const mustLeave = sorted[this.#stamps.length + count - this.#budget - 1]!;
      const waitMs = Number.isFinite(mustLeave) ? mustLeave + this.#windowMs - now : 50;
      this.stats.waits += 1;
      this.stats.waitedMs += Math.max(1, waitMs);
      await this.#clock.sleep(Math.max(1, waitMs));
    }
    for (let i = 0; i < count; i++) this.#stamps.push(Infinity);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const at = this.#clock.now().getTime();
      // Replace `count` in-flight markers with the finish time (the array may have been filtered since).
      let left = count;
      this.#stamps = this.#stamps.map((t) => (left > 0 && t === Infinity ? (left--, at) : t));
    };
  }
}
