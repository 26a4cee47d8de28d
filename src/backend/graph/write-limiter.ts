// A client-side sliding-window limiter for Graph writes (Intune: 200 per 20 s per app and tenant), so that a bulk
// action waits its turn here instead of meeting a 429. A write is stamped when its answer arrives: Graph received
// it at or before that moment, so the window here never closes earlier than Graph's. One process only: replicas
// sharing PostgreSQL use shared-write-limiter.ts, since a per-process window would let each spend the whole budget.
import type { Clock } from '../../ports.js';
import type { WriteBudget, WriteLimiterStats, WriteTicket } from './write-budget.js';

export type { WriteLimiterStats } from './write-budget.js';

export class WriteLimiter implements WriteBudget {
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

  /** Waits until `count` writes fit in the window and reserves them. Callers are served in order. */
  acquire(count: number): Promise<WriteTicket> {
    if (count > this.#budget) return Promise.reject(new RangeError(`a single call of ${count} writes exceeds the write budget of ${this.#budget}`));
    const turn = this.#queue.then(() => this.#reserve(count));
    this.#queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  async #reserve(count: number): Promise<WriteTicket> {
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
    // Replaces `count` in-flight markers (the array may have been filtered since) with the finish time, or drops them.
    const finish = (at: number | undefined) => {
      if (done) return;
      done = true;
      let left = count;
      this.#stamps = this.#stamps.flatMap((t) => (left > 0 && t === Infinity ? (left--, at === undefined ? [] : [at]) : [t]));
    };
    return {
      usable: () => true,
      sent: () => finish(this.#clock.now().getTime()),
      unsent: () => finish(undefined),
    };
  }
}
