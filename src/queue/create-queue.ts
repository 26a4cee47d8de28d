// The follow-up queue for the configured store: in memory for one process, pg-boss when replicas share PostgreSQL.
import type { Config } from '../config/index.js';
import type { Clock, FollowUpJob, JobQueue, Logger } from '../ports.js';
import { MemoryQueue } from './memory-queue.js';
import { PgQueue } from './pg-queue.js';

export interface RunnableQueue extends JobQueue {
  start(worker: (job: FollowUpJob) => Promise<void>): void | Promise<void>;
  stop(): void | Promise<void>;
  /** Jobs waiting to run, for metrics. */
  depth?(): number | Promise<number>;
}

export async function createQueue(config: Config, options: { clock: Clock; logger: Logger }): Promise<RunnableQueue> {
  if (config.STORE === 'postgres') return PgQueue.open({ url: config.DATABASE_URL!, migrationUrl: config.DATABASE_MIGRATION_URL, logger: options.logger });
  return new MemoryQueue(options.clock, options.logger);
}

/**
 * How old a "dispatching" record must be before start-up treats it as interrupted. With one process every such
 * record is from a process that died; with replicas it may be another replica's send in flight, which the backend's
 * own deadline (a minute) ends well within this.
 */
export function interruptedAfterMs(config: Config): number {
  return config.STORE === 'postgres' ? 3 * 60_000 : 0;
}
