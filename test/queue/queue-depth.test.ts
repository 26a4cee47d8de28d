// What lockdesk_queue_depth reads: the jobs waiting to run, in memory (this process) and in pg-boss (all replicas).
import { describe, expect, it } from 'vitest';
import type { FollowUpJob } from '../../src/ports.js';
import { MemoryQueue } from '../../src/queue/memory-queue.js';
import { PgQueue } from '../../src/queue/pg-queue.js';
import { FakeClock } from '../fakes/clock.js';
import { DATABASE_URL, dropSchema, postgresOrSkip, testSchemaName } from '../store/postgres.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const job = (key: string): FollowUpJob => ({ key, dispatchIds: [key], confirmedBy: 'test', chatUntil: new Date().toISOString(), phase: 'chat', attempt: 0 });
const availability = await postgresOrSkip();

describe('queue depth', () => {
  it('memory: the jobs waiting for their time; one that ran is gone, a repeated key counts once', async () => {
    const clock = new FakeClock();
    const queue = new MemoryQueue(clock, silent);
    const ran: string[] = [];
    queue.start(async (j) => {
      ran.push(j.key);
    });
    await queue.schedule(job('a'), 1_000);
    await queue.schedule(job('a'), 1_000);
    await queue.schedule(job('b'), 5_000);
    expect(queue.depth()).toBe(2);
    clock.advance(1_000);
    for (let turns = 0; ran.length === 0 && turns < 1_000; turns++) await new Promise((r) => setImmediate(r));
    expect(ran).toEqual(['a']);
    expect(queue.depth()).toBe(1);
    queue.stop();
  });

  // Skipped only where no PostgreSQL answers; under LOCKDESK_REQUIRE_POSTGRES=1 (.ci/run) postgresOrSkip() throws instead.
  it.skipIf(availability.skip)('pg-boss: the jobs queued and not yet taken', async () => {
    const schema = testSchemaName();
    const queue = await PgQueue.open({ url: DATABASE_URL, schema, logger: silent, pollingIntervalSeconds: 0.5 });
    try {
      expect(await queue.depth()).toBe(0);
      await queue.schedule(job('later-1'), 60_000);
      await queue.schedule(job('later-2'), 60_000);
      await queue.schedule(job('later-1'), 60_000); // one queued job per key
      expect(await queue.depth()).toBe(2);
    } finally {
      await queue.stop();
      await dropSchema(schema);
    }
  });
});
