// What the Graph client asks of a write budget before each write leaves: in one process (write-limiter.ts), or
// shared by every replica through the store (shared-write-limiter.ts).

export interface WriteLimiterStats {
  /** How often a caller waited for the window, and how long in all. */
  waits: number;
  waitedMs: number;
}

/** Writes reserved in the window, for one request. Exactly one of sent() and unsent() is called. */
export interface WriteTicket {
  /** Whether the request may still leave under this reservation: asked just before it does. */
  usable(): boolean;
  /** The exchange is over (an answer, a timeout, a dropped connection): the writes count from now. */
  sent(): void;
  /** The request never left: the writes are given back. */
  unsent(): void;
}

export interface WriteBudget {
  /**
   * Waits until `count` writes fit in the window and reserves them; callers of one process are served in order.
   * Rejects with a LockdeskError (not_sent) when it cannot tell whether they fit: nothing may be sent then.
   */
  acquire(count: number): Promise<WriteTicket>;
  readonly stats: WriteLimiterStats;
  /** Ends any wait (rejecting it) and finishes what is owed to the window. */
  close?(): Promise<void>;
}
