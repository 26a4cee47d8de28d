// Runs one persistence job at a time and lets callers that arrive while a job waits to start share it (group commit).
// A job started after a caller's change includes it, so "the promise resolved" means "my change is on disk";
// fifty concurrent clicks cost one or two file writes, not fifty.

export class GroupCommit {
  readonly #job: () => Promise<void>;
  #last: Promise<void> = Promise.resolve();
  #waiting: Promise<void> | null = null;

  constructor(job: () => Promise<void>) {
    this.#job = job;
  }

  request(): Promise<void> {
    if (this.#waiting) return this.#waiting;
    const run = this.#last
      .catch(() => {})
      .then(() => {
        // From here on the job may already have read the state; later changes need a job of their own.
        this.#waiting = null;
        return this.#job();
      });
    this.#waiting = run;
    this.#last = run;
    return run;
  }

  /** Resolves when every requested job has finished, whether it succeeded or not. */
  idle(): Promise<void> {
    return this.#last.catch(() => {});
  }
}
