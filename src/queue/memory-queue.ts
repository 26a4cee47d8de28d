// The follow-up queue of a single process (lowdb): jobs wait on the clock in memory. Nothing survives the process;
// its start-up recovery schedules the open dispatches again.
import type { Clock, FollowUpJob, JobQueue, Logger } from '../ports.js';

export type JobWorker = (job: FollowUpJob) => Promise<void>;

export class MemoryQueue implements JobQueue {
  readonly #clock: Clock;
  readonly #logger: Logger;
  #worker: JobWorker | undefined;
  /** Keys with a job waiting to run: scheduling one of them again is a no-op. */
  readonly #queued = new Set<string>();
  /** Chat-phase jobs, waited for by idle(); background ones may wait for days and are not. */
  readonly #foreground = new Set<Promise<void>>();
  readonly #stop = new AbortController();

  constructor(clock: Clock, logger: Logger) {
    this.#clock = clock;
    this.#logger = logger;
  }

  start(worker: JobWorker): void {
    this.#worker = worker;
  }

  async schedule(job: FollowUpJob, delayMs: number): Promise<void> {
    if (this.#queued.has(job.key) || this.#stop.signal.aborted) return;
    this.#queued.add(job.key);
    const run = (async () => {
      await this.#clock.sleep(Math.max(0, delayMs), this.#stop.signal);
      this.#queued.delete(job.key);
      if (this.#stop.signal.aborted) return;
      if (!this.#worker) throw new Error('the follow-up queue was never started');
      await this.#worker(job);
    })().catch((err: unknown) => this.#logger.error({ err, key: job.key }, 'a follow-up job failed'));
    if (job.phase === 'chat') {
      this.#foreground.add(run);
      void run.finally(() => this.#foreground.delete(run));
    }
  }

  /** Jobs waiting for their time (chat and background), for the queue-depth metric. */
  depth(): number {
    return this.#queued.size;
  }

  async idle(): Promise<void> {
    while (this.#foreground.size > 0) await Promise.allSettled([...this.#foreground]);
  }

  /** Wakes every sleeping job, which then does nothing: the process is free to end. */
  stop(): void {
    this.#stop.abort();
  }
}
