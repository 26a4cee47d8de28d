// Intune's write budget as a sliding window: at most `limit` writes per `windowMs` per app. A write over budget is
// refused (and not counted); the caller is told, in seconds with a fraction, when the oldest write leaves the window.
export interface BudgetOptions {
  limit: number;
  windowMs: number;
}

export class SlidingWindowBudget {
  readonly #options: BudgetOptions;
  readonly #now: () => number;
  /** Accepted write times per app, oldest first. */
  readonly #writes = new Map<string, number[]>();

  constructor(options: BudgetOptions, now: () => number) {
    this.#options = options;
    this.#now = now;
  }

  get options(): BudgetOptions {
    return this.#options;
  }

  /** Takes one write from the app's budget, or says how many seconds to wait. */
  take(app: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const now = this.#now();
    const times = this.#writes.get(app) ?? [];
    const since = now - this.#options.windowMs;
    let drop = 0;
    while (drop < times.length && times[drop]! <= since) drop += 1;
    if (drop > 0) times.splice(0, drop);
    if (times.length >= this.#options.limit) {
      const waitMs = times[0]! + this.#options.windowMs - now;
      return { ok: false, retryAfterSeconds: Math.max(0.001, Math.ceil(waitMs) / 1000) };
    }
    times.push(now);
    this.#writes.set(app, times);
    return { ok: true };
  }

  /** Writes in the current window, per app. */
  inWindow(app: string): number {
    const since = this.#now() - this.#options.windowMs;
    return (this.#writes.get(app) ?? []).filter((t) => t > since).length;
  }

  reset(): void {
    this.#writes.clear();
  }
}
