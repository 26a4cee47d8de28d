// The Graph write budget shared by every replica: each request's writes are reserved in a window the store keeps
// (PostgreSQL), so that replicas bulk-locking at once stay under Intune's 200 writes per 20 s per app together.
// It fails safe: when the window cannot be asked, nothing is sent (not_sent), because guessing could exceed it.
import { performance } from 'node:perf_hooks';
import { ERROR_CODES, LockdeskError } from '../../core/errors.js';
import type { Clock, Logger, SharedWriteWindow } from '../../ports.js';
import type { WriteBudget, WriteLimiterStats, WriteTicket } from './write-budget.js';

export interface SharedLimiterTimings {
  /**
   * A reservation may be used this long after it was asked for (counted from before the question left, on this
   * process's monotonic clock); a later answer is given back unused. This bounds how late a reserved request can leave.
   */
  sendWithinMs: number;
  /** After a request's timeout, how long its bytes may still take to reach Graph (as the process registry allows). */
  landingMs: number;
  /** How long the window may stay out of reach (or too slow to use) before a wait ends as not sent. */
  unreachableMs: number;
  /** Pauses between attempts while the window is out of reach: the first, doubling up to the second. */
  retryFirstMs: number;
  retryMaxMs: number;
  /** close() waits at most this long for answers still being stamped. */
  closeWaitMs: number;
}

export const DEFAULT_SHARED_TIMINGS: SharedLimiterTimings = {
  sendWithinMs: 2_000,
  landingMs: 5_000,
  unreachableMs: 10_000,
  retryFirstMs: 100,
  retryMaxMs: 1_000,
  closeWaitMs: 5_000,
};

export interface SharedLimiterOptions {
  window: SharedWriteWindow;
  budget: number;
  windowMs: number;
  /** One HTTP attempt's timeout: a reserved request is answered (or abandoned) within it. */
  requestTimeoutMs: number;
  clock: Clock;
  logger: Logger;
  timings?: Partial<SharedLimiterTimings>;
}

/** Nothing was sent: the shared write budget could not be asked, so sending could have exceeded it. */
export class WriteBudgetUnavailableError extends LockdeskError {
  constructor(why: string, cause?: unknown) {
    super(ERROR_CODES.NOT_SENT, `Graph write budget: ${why}; nothing was sent`, {
      userMessage: "lockdesk could not reach its database to take its turn under Intune's write limit, so it sent nothing. Ask again in a moment.",
      ...(cause === undefined ? {} : { cause }),
    });
    this.name = 'WriteBudgetUnavailableError';
  }
}

export class SharedWriteLimiter implements WriteBudget {
  readonly #options: SharedLimiterOptions;
  readonly #timings: SharedLimiterTimings;
  /** How long a reservation may stay unanswered before the window counts it answered: it cannot be later than that. */
  readonly #answerWithinMs: number;
  #queue: Promise<void> = Promise.resolve();
  /**
   * Since when (monotonic ms) every question to the window failed or came back too late; undefined while it answers.
   * Kept across acquires, so that the next request of a bulk action fails at once in the same outage, not after
   * another wait; an outage is over once a question succeeds, or when none has failed for unreachableMs.
   */
  #failingSince: number | undefined;
  #lastFailedAt = -Infinity;
  /** Failed questions in a row, for the pause before the next. */
  #failures = 0;
  readonly #owed = new Set<Promise<void>>();
  readonly #stop = new AbortController();
  readonly stats: WriteLimiterStats = { waits: 0, waitedMs: 0 };

  constructor(options: SharedLimiterOptions) {
    this.#options = options;
    this.#timings = { ...DEFAULT_SHARED_TIMINGS, ...options.timings };
    this.#answerWithinMs = this.#timings.sendWithinMs + options.requestTimeoutMs + this.#timings.landingMs;
  }

  /** Waits until `count` writes fit in the shared window and reserves them. This process's callers go in order. */
  acquire(count: number): Promise<WriteTicket> {
    if (count > this.#options.budget) return Promise.reject(new RangeError(`a single call of ${count} writes exceeds the write budget of ${this.#options.budget}`));
    const turn = this.#queue.then(() => this.#reserve(count));
    this.#queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  async close(): Promise<void> {
    this.#stop.abort();
    const timer = new Promise<void>((resolve) => setTimeout(resolve, this.#timings.closeWaitMs).unref());
    await Promise.race([Promise.allSettled([...this.#owed]), timer]);
  }

  async #reserve(count: number): Promise<WriteTicket> {
    const { window, budget, windowMs, clock } = this.#options;
    for (;;) {
      if (this.#stop.signal.aborted) throw new WriteBudgetUnavailableError('lockdesk is stopping');
      const askedAt = performance.now();
      let answer;
      try {
        answer = await window.reserve({ count, budget, windowMs, answerWithinMs: this.#answerWithinMs });
      } catch (error) {
        await this.#failed(askedAt, 'the shared window cannot be reached', error);
        continue;
      }
      if (answer.reserved && this.#stop.signal.aborted) {
        this.#settle(window.withdraw(answer.id), 'a reservation made while stopping could not be given back; it counts until its bound');
        throw new WriteBudgetUnavailableError('lockdesk is stopping');
      }
      if (answer.reserved && performance.now() - askedAt >= this.#timings.sendWithinMs) {
        // Too late to send under it: the window may already count it answered before this request would land.
        this.#settle(window.withdraw(answer.id), 'a reservation answered too late could not be given back; it counts until its bound');
        await this.#failed(askedAt, `the shared window answered after ${this.#timings.sendWithinMs} ms`);
        continue;
      }
      this.#failingSince = undefined;
      this.#failures = 0;
      if (answer.reserved) return this.#ticket(answer.id, askedAt + this.#timings.sendWithinMs);
      this.stats.waits += 1;
      this.stats.waitedMs += answer.waitMs;
      await clock.sleep(answer.waitMs, this.#stop.signal);
    }
  }

  /** Records a failed question; throws once the window has been out of reach for too long, else pauses. */
  async #failed(askedAt: number, why: string, cause?: unknown): Promise<void> {
    if (askedAt - this.#lastFailedAt > this.#timings.unreachableMs) {
      this.#failingSince = undefined;
      this.#failures = 0;
    }
    this.#failingSince ??= askedAt;
    this.#lastFailedAt = performance.now();
    this.#failures += 1;
    const failingFor = performance.now() - this.#failingSince;
    if (failingFor >= this.#timings.unreachableMs) throw new WriteBudgetUnavailableError(`${why} (for ${Math.round(failingFor)} ms)`, cause);
    this.#options.logger.warn({ failures: this.#failures, failingForMs: Math.round(failingFor), reason: cause instanceof Error ? cause.message : why }, 'the shared Graph write budget did not answer; asking again before sending anything');
    await this.#options.clock.sleep(Math.min(this.#timings.retryFirstMs * 2 ** (this.#failures - 1), this.#timings.retryMaxMs), this.#stop.signal);
  }

  #ticket(id: string, usableUntil: number): WriteTicket {
    const { window } = this.#options;
    let done = false;
    return {
      usable: () => !done && performance.now() < usableUntil,
      sent: () => {
        if (done) return;
        done = true;
        // Not awaited by the request: a stamp written late only makes the window more careful.
        this.#settle(window.answered(id), 'the answer of a write could not be stamped in the shared window; it counts until its bound');
      },
      unsent: () => {
        if (done) return;
        done = true;
        this.#settle(window.withdraw(id), 'an unsent reservation could not be given back; it counts until its bound');
      },
    };
  }

  #settle(work: Promise<void>, warning: string): void {
    const tracked: Promise<void> = work.then(
      () => undefined,
      (error: unknown) => this.#options.logger.warn({ reason: error instanceof Error ? error.message : String(error) }, warning),
    );
    this.#owed.add(tracked);
    void tracked.finally(() => this.#owed.delete(tracked));
  }
}
