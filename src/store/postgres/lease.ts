// The timings of a process's registration, and this process's own measure of whether its lease still holds.
import { performance } from 'node:perf_hooks';

export interface LeaseTimings {
  /** How often the lease is renewed. */
  heartbeatMs: number;
  /** How long one renewal keeps this process registered, counted from when the renewal started. */
  leaseMs: number;
  /** maySend() turns false this long before the lease runs out: slack for a slow timer or a clock that runs fast. */
  safetyMs: number;
  /**
   * How long after its lease the others still count a silent process alive: a request it sent just before it
   * stopped may still reach Intune. The lease plus this is how long after a kill -9 the process is known dead.
   */
  landingMs: number;
}

/**
 * A renewal every 2 s, so 3 in a row can fail (8 s) before this process stops sending; the others count it alive for
 * 20 s after its last renewal. A blip of up to about 15 s is ridden out; a kill -9 is known 18 to 20 s later.
 */
export const DEFAULT_LEASE: LeaseTimings = { heartbeatMs: 2_000, leaseMs: 10_000, safetyMs: 2_000, landingMs: 10_000 };

/** How long after the database stamped its last renewal the others count a process alive (stored in its row). */
export function aliveForMs(timings: LeaseTimings): number {
  return timings.leaseMs + timings.landingMs;
}

/**
 * This process's lease, on its own monotonic clock. A renewal counts from the moment it was sent, which is no later
 * than the database's stamp of it, so this process always stops sending before the others may call it dead.
 */
export class OwnLease {
  readonly #validForMs: number;
  #renewedAt: number | undefined;

  constructor(timings: LeaseTimings) {
    this.#validForMs = timings.leaseMs - timings.safetyMs;
  }

  /** When the renewal that just succeeded started (performance.now()). */
  static now(): number {
    return performance.now();
  }

  renewed(startedAt: number): void {
    this.#renewedAt = startedAt;
  }

  lost(): void {
    this.#renewedAt = undefined;
  }

  valid(): boolean {
    return this.#renewedAt !== undefined && performance.now() - this.#renewedAt < this.#validForMs;
  }
}
