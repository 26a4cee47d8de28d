// The pg-boss follow-up queue against a real PostgreSQL: one run per job, one queued job per key, and a job whose
// replica died handed to another.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.js';
import type { FollowUpJob } from '../../src/ports.js';
import { PgQueue } from '../../src/queue/pg-queue.js';
import { startTcpProxy } from '../replicas/tcp-proxy.js';
import { DATABASE_URL, dropSchema, postgresOrSkip, testSchemaName } from '../store/postgres.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const availability = await postgresOrSkip();

const job = (key: string, attempt = 0): FollowUpJob => ({ key, dispatchIds: [key], confirmedBy: 'test', chatUntil: new Date().toISOString(), phase: 'chat', attempt });

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

if (availability.skip) {
  // Skipped only where no PostgreSQL answers, with the reason in the name; CI sets LOCKDESK_REQUIRE_POSTGRES=1,
  // which makes postgresOrSkip() throw instead, so there these tests always run.
  describe.skip(`pg-boss queue (skipped: ${availability.reason})`, () => {
    it('needs a PostgreSQL server', () => undefined);
  });
} else {
  describe('pg-boss follow-up queue', () => {
    it('runs a scheduled job once, after its delay, and keeps one queued job per key', async () => {
      const schema = testSchemaName();
      const queue = await PgQueue.open({ url: DATABASE_URL, schema, logger: silent, pollingIntervalSeconds: 0.5 });
      try {
        const ran: FollowUpJob[] = [];
        await queue.start(async (j) => {
          ran.push(j);
        });
        const scheduledAt = Date.now();
        await queue.schedule(job('k1'), 1_000);
        await queue.schedule(job('k1', 5), 1_000); // the same key while one is queued: no second job
        await queue.schedule(job('k2'), 0);
        await until(() => ran.length >= 2, 'both jobs');
        await new Promise((r) => setTimeout(r, 1_500));
        expect(ran.map((j) => `${j.key}:${j.attempt}`).sort()).toEqual(['k1:0', 'k2:0']);
        expect(Date.now() - scheduledAt).toBeGreaterThanOrEqual(1_000);
      } finally {
        await queue.stop();
        await dropSchema(schema);
      }
    });

    it('keeps no chat job id once the job ended, here or on another replica, without anyone calling idle()', async () => {
      const schema = testSchemaName();
      const opened: PgQueue[] = [];
      const open = async (extra: Partial<Parameters<typeof PgQueue.open>[0]> = {}) => {
        const q = await PgQueue.open({ url: DATABASE_URL, schema, logger: silent, pollingIntervalSeconds: 0.5, ...extra });
        opened.push(q);
        return q;
      };
      try {
        // 100 rounds scheduled and run by one process: each id is dropped as its round ends (the margin is 10 minutes).
        const local = await open();
        const ranHere = new Set<string>();
        await local.start(async (j) => {
          ranHere.add(j.key);
        });
        for (let i = 0; i < 100; i++) await local.schedule(job(`here-${i}`), 0);
        await until(() => ranHere.size >= 100, '100 rounds here');
        await until(() => local.trackedChatJobs === 0, 'the ids of rounds that ended here to be dropped', 5_000);
        await local.stop();

        // 50 rounds scheduled by one process and run by another: forgotten once past their chat window and margin.
        const scheduler = await open({ chatJobMarginMs: 1_000 });
        const worker = await open();
        const ranElsewhere = new Set<string>();
        await worker.start(async (j) => {
          ranElsewhere.add(j.key);
        });
        // Their chat window ends 10 s from now, so none is forgotten while the 50 are still being scheduled on a
        // busy machine; then the test waits past the window and the margin.
        const chatUntil = Date.now() + 10_000;
        for (let i = 0; i < 50; i++) await scheduler.schedule({ ...job(`far-${i}`), chatUntil: new Date(chatUntil).toISOString() }, 0);
        expect(scheduler.trackedChatJobs).toBe(50);
        await until(() => ranElsewhere.size >= 50, '50 rounds on the other replica');
        await new Promise((r) => setTimeout(r, Math.max(0, chatUntil + 1_200 - Date.now())));
        await scheduler.schedule(job('far-last'), 60_000);
        expect(scheduler.trackedChatJobs).toBe(1);
      } finally {
        await Promise.all(opened.map((q) => q.stop()));
        await dropSchema(schema);
      }
    }, 60_000);

    it('idle() still waits for a chat job this process scheduled until it has run', async () => {
      const schema = testSchemaName();
      const queue = await PgQueue.open({ url: DATABASE_URL, schema, logger: silent, pollingIntervalSeconds: 0.5 });
      try {
        const ran: string[] = [];
        await queue.start(async (j) => {
          await new Promise((r) => setTimeout(r, 300));
          ran.push(j.key);
        });
        await queue.schedule(job('k-idle'), 1_000);
        await queue.idle();
        expect(ran).toEqual(['k-idle']);
        expect(queue.trackedChatJobs).toBe(0);
      } finally {
        await queue.stop();
        await dropSchema(schema);
      }
    });

    it('scheduling while the database is out of reach is store_unavailable, and a value it refuses invalid_input', async () => {
      const schema = testSchemaName();
      const target = new URL(DATABASE_URL);
      const proxy = await startTcpProxy({ host: target.hostname || '127.0.0.1', port: Number(target.port || 5432) });
      const viaProxy = new URL(DATABASE_URL);
      viaProxy.hostname = '127.0.0.1';
      viaProxy.port = String(proxy.port);
      const queue = await PgQueue.open({ url: viaProxy.toString(), schema, logger: silent });
      try {
        await expect(queue.schedule({ ...job('k-nul'), confirmedBy: 'U\u0000' }, 0)).rejects.toMatchObject({ code: ERROR_CODES.INVALID_INPUT });
        await proxy.down();
        await expect(queue.schedule(job('k-down'), 0)).rejects.toMatchObject({ code: ERROR_CODES.STORE_UNAVAILABLE });
        await proxy.up();
        await queue.schedule(job('k-back'), 0);
      } finally {
        await queue.stop();
        await proxy.close();
        await dropSchema(schema);
      }
    });

    it('replicas starting together all open the queue (pg-boss can deadlock with itself creating it)', async () => {
      const schema = testSchemaName();
      const opened: PgQueue[] = [];
      try {
        for (let round = 0; round < 3; round++) {
          opened.push(...(await Promise.all([1, 2, 3].map(() => PgQueue.open({ url: DATABASE_URL, schema: `${schema}_${round}`, logger: silent })))));
        }
        expect(opened).toHaveLength(9);
      } finally {
        await Promise.all(opened.map((q) => q.stop()));
        for (let round = 0; round < 3; round++) await dropSchema(`${schema}_${round}`);
      }
    });

    it('a job taken by a replica that died is taken by another once it expires', async () => {
      const schema = testSchemaName();
      const dying = await PgQueue.open({ url: DATABASE_URL, schema, logger: silent, expireInSeconds: 2, maintenanceIntervalSeconds: 1, pollingIntervalSeconds: 0.5 });
      const survivor = await PgQueue.open({ url: DATABASE_URL, schema, logger: silent, expireInSeconds: 2, maintenanceIntervalSeconds: 1, pollingIntervalSeconds: 0.5 });
      try {
        let taken = false;
        // The dying replica takes the job and never finishes it.
        await dying.start(async () => {
          taken = true;
          await new Promise(() => undefined);
        });
        await dying.schedule(job('k-dead'), 0);
        await until(() => taken, 'the first replica to take the job');
        await dying.stop();
        const finished: string[] = [];
        await survivor.start(async (j) => {
          finished.push(j.key);
        });
        await until(() => finished.includes('k-dead'), 'the survivor to take the expired job', 30_000);
        expect(finished).toEqual(['k-dead']);
      } finally {
        await survivor.stop();
        await dropSchema(schema);
      }
    });
  });
}
