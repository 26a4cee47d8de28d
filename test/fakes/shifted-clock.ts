// A clock that runs in real time but that tests can move forward (an expired confirmation without waiting five
// minutes), for the adapter tests that drive real HTTP servers.
import type { Clock } from '../../src/ports.js';

export class ShiftedClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  /** Wakes at once when `signal` aborts, as the port says: a stopped app leaves no timer behind. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const wake = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }
}
