// A clock that only moves when a test moves it, so time-dependent code runs the same way every time.
import type { Clock } from '../../src/ports.js';

interface Sleeper {
  wakeAt: number;
  resolve: () => void;
}

export class FakeClock implements Clock {
  #now: number;
  #sleepers: Sleeper[] = [];

  constructor(start: Date | string = '2025-06-02T09:00:00.000Z') {
    this.#now = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  /** Resolves once the clock has been advanced by `ms` (at once when `ms` <= 0). */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper = { wakeAt: this.#now + ms, resolve };
      this.#sleepers.push(sleeper);
      signal?.addEventListener('abort', () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        resolve();
      });
    });
  }

  /** Moves time forward and wakes, in wake-up order, everyone whose sleep has run out. */
  advance(ms: number): void {
    if (ms < 0) throw new Error('FakeClock cannot go backwards');
    this.#now += ms;
    const due = this.#sleepers.filter((sleeper) => sleeper.wakeAt <= this.#now).sort((a, b) => a.wakeAt - b.wakeAt);
    this.#sleepers = this.#sleepers.filter((sleeper) => sleeper.wakeAt > this.#now);
    for (const sleeper of due) sleeper.resolve();
  }

  /** How many sleeps are waiting to be woken. */
  get sleeping(): number {
    return this.#sleepers.length;
  }

  /** Lets other async code run until at least `count` sleeps are waiting (fails after `maxTurns` event-loop turns). */
  async untilSleeping(count = 1, maxTurns = 1_000): Promise<void> {
    for (let turn = 0; this.#sleepers.length < count; turn++) {
      if (turn >= maxTurns) throw new Error(`FakeClock: expected ${count} sleeper(s), found ${this.#sleepers.length}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
