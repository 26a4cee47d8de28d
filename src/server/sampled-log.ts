// Log lines that anyone on the network can cause (a refused request, a bad token) go through here: the first of
// each kind in a period is logged, the rest are counted and reported with the next one, so nobody can fill the log.
import type { Logger } from '../ports.js';

export class SampledLog {
  readonly #logger: Logger;
  readonly #periodMs: number;
  readonly #now: () => number;
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(logger: Logger, periodMs: number, now: () => number = Date.now) {
    this.#logger = logger;
    this.#periodMs = periodMs;
    this.#now = now;
  }

  warn(kind: string, message: string, fields: Record<string, unknown> = {}): void {
    const now = this.#now();
    const seen = this.#last.get(kind);
    if (seen && now - seen.at < this.#periodMs) {
      seen.suppressed += 1;
      return;
    }
    if (this.#last.size > 1000) this.#last.clear();
    this.#last.set(kind, { at: now, suppressed: 0 });
    this.#logger.warn({ ...fields, kind, ...(seen?.suppressed ? { alikeSinceLast: seen.suppressed } : {}) }, message);
  }
}
