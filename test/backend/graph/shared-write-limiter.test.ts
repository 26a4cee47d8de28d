// The Graph write budget shared by replicas, over a real PostgreSQL: two limiters on two pools racing keep to one
// budget between them; a database cut or hanging while a bulk action waits ends the wait as not sent (nothing
// reserved, nothing to send), and the limiter works again once the database is back; a reservation answered too
// late to be used is given back, not used.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { SharedWriteLimiter, WriteBudgetUnavailableError, type SharedLimiterTimings } from '../../../src/backend/graph/shared-write-limiter.js';
import { ERROR_CODES } from '../../../src/core/errors.js';
import { migrate } from '../../../src/store/postgres/migrate.js';
import { withDefaultUser } from '../../../src/store/postgres/pool.js';
import { PostgresWriteWindow } from '../../../src/store/postgres/write-window.js';
import { systemClock } from '../../../src/system.js';
import { startTcpProxy } from '../../replicas/tcp-proxy.js';
import { DATABASE_URL, dropSchema, postgresOrSkip, testSchemaName } from '../../store/postgres.js';

const availability = await postgresOrSkip();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function recordingLogger() {
  const warnings: string[] = [];
  return { warnings, logger: { debug() {}, info() {}, warn: (_obj: object, msg?: string) => void warnings.push(msg ?? ''), error() {} } };
}

async function fixture() {
  const schema = testSchemaName();
  await migrate({ url: DATABASE_URL, schema }, recordingLogger().logger);
  const closing: Array<() => Promise<void>> = [];
  const window = (url = DATABASE_URL, owner = 'test') => {
    const w = new PostgresWriteWindow({ url, schema, owner });
    closing.push(() => w.close());
    return w;
  };
  const limiter = (w: PostgresWriteWindow, budget: number, windowMs: number, timings: Partial<SharedLimiterTimings> = {}) => {
    const { logger, warnings } = recordingLogger();
    const l = new SharedWriteLimiter({ window: w, budget, windowMs, requestTimeoutMs: 30_000, clock: systemClock, logger, timings });
    closing.unshift(() => l.close());
    return Object.assign(l, { warnings });
  };
  const admin = async <T>(work: (c: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: withDefaultUser(DATABASE_URL), options: `-c search_path="${schema}"` });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  const rows = () => admin((c) => c.query<{ writes: number; answered: boolean; owner: string }>('SELECT writes, answered, owner FROM lockdesk_graph_writes ORDER BY reserved_at').then((r) => r.rows));
  return {
    schema, window, limiter, admin, rows,
    async cleanup() {
      for (const close of closing) await close();
      await dropSchema(schema);
    },
  };
}

/** A URL to the same database through a TCP proxy that the test can cut. */
async function proxied() {
  const target = new URL(DATABASE_URL);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const url = new URL(DATABASE_URL);
  url.port = String(proxy.port);
  return { proxy, url: url.toString() };
}

if (availability.skip) {
  // Skipped only where no PostgreSQL answers (the reason is in the name); .ci/run sets LOCKDESK_REQUIRE_POSTGRES=1,
  // which makes postgresOrSkip() throw instead, so CI never skips it.
  describe.skip(`shared write limiter (skipped: ${availability.reason})`, () => {
    it('needs a PostgreSQL server', () => undefined);
  });
} else {
  describe('shared write limiter: one Graph write budget for every replica, through PostgreSQL', () => {
    it('two limiters on two pools racing: at no moment are more writes sent or in Graph\'s window than the budget', async () => {
      const db = await fixture();
      try {
        const budget = 8;
        const windowMs = 300;
        const limiters = [db.limiter(db.window(DATABASE_URL, 'replica-a'), budget, windowMs), db.limiter(db.window(DATABASE_URL, 'replica-b'), budget, windowMs)];
        // Each grant as this test saw it: granted (the request would leave) and answered (its exchange over).
        const log: Array<{ count: number; sentAt: number; answeredAt: number }> = [];
        const worker = async (n: number) => {
          const limiter = limiters[n % 2]!;
          for (let i = 0; i < 5; i++) {
            const count = 1 + ((n + i) % 3);
            const ticket = await limiter.acquire(count);
            expect(ticket.usable()).toBe(true);
            const entry = { count, sentAt: performance.now(), answeredAt: Infinity };
            log.push(entry);
            await sleep((n * 7 + i * 13) % 25);
            entry.answeredAt = performance.now();
            ticket.sent();
          }
        };
        await Promise.all(Array.from({ length: 8 }, (_, n) => worker(n)));
        // A write may be in Graph's window from when it leaves until a window after its answer. When each grant was
        // given, the writes granted before it that may still have been there, with it, must fit in the budget.
        const worst = Math.max(
          ...log.map((g) => log.filter((h) => h.sentAt <= g.sentAt && h.answeredAt + windowMs > g.sentAt).reduce((n, h) => n + h.count, 0)),
        );
        expect(log.reduce((n, e) => n + e.count, 0)).toBeGreaterThan(2 * budget);
        expect(worst).toBeLessThanOrEqual(budget);
        expect(limiters[0]!.stats.waits + limiters[1]!.stats.waits).toBeGreaterThan(0);
      } finally {
        await db.cleanup();
      }
    }, 30_000);

    it('the database cut while a bulk action waits for its turn: not sent, nothing reserved; a later request rides out a short cut, and reserves once it is back', async () => {
      const db = await fixture();
      const { proxy, url } = await proxied();
      try {
        const budget = 10;
        const windowMs = 300;
        // Another replica's writes fill the window and are still in flight.
        const other = await db.window(DATABASE_URL, 'other').reserve({ count: budget, budget, windowMs, answerWithinMs: 60_000 });
        if (!other.reserved) throw new Error('the other replica could not reserve');
        const unreachableMs = 1_500;
        const limiter = db.limiter(db.window(url, 'cut-off'), budget, windowMs, { unreachableMs, retryFirstMs: 50, retryMaxMs: 100 });
        const waiting = limiter.acquire(5).then(
          () => 'reserved',
          (error: unknown) => error,
        );
        // It asked, was told to wait, and asks again until the database goes away under it.
        for (const until = Date.now() + 10_000; limiter.stats.waits === 0 && Date.now() < until; ) await sleep(20);
        expect(limiter.stats.waits).toBeGreaterThan(0);
        await proxy.down();
        const error = await waiting;
        expect(error).toBeInstanceOf(WriteBudgetUnavailableError);
        expect((error as WriteBudgetUnavailableError).code).toBe(ERROR_CODES.NOT_SENT);
        expect((error as WriteBudgetUnavailableError).userMessage).toMatch(/sent nothing/);
        expect(limiter.warnings.length).toBeGreaterThan(0);
        expect((await db.rows()).map((r) => r.owner)).toEqual(['other']);

        // Later, a new request finds the database still away: a new cut, asked about again, not the old one's verdict.
        await db.window(DATABASE_URL, 'other').withdraw(other.id);
        await sleep(unreachableMs + 200);
        const later = limiter.acquire(5);
        await sleep(100);
        await proxy.up();
        const ticket = await later;
        expect(ticket.usable()).toBe(true);
        ticket.sent();
      } finally {
        await proxy.close();
        await db.cleanup();
      }
    }, 30_000);

    it('a database that hangs (a reservation that never answers): not sent once the question times out, nothing left reserved', async () => {
      const db = await fixture();
      const release = holdReservationLock(db.admin);
      try {
        await release.held;
        const limiter = db.limiter(db.window(), 10, 1_000, { unreachableMs: 1_000 });
        const error = await limiter.acquire(1).then(
          () => 'reserved',
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(WriteBudgetUnavailableError);
        expect((error as WriteBudgetUnavailableError).code).toBe(ERROR_CODES.NOT_SENT);
      } finally {
        release.now();
        await release.done;
      }
      try {
        expect(await db.rows()).toEqual([]);
      } finally {
        await db.cleanup();
      }
    }, 30_000);

    it('a reservation answered too late to be sent under is given back, and a fresh one is used', async () => {
      const db = await fixture();
      const release = holdReservationLock(db.admin);
      try {
        await release.held;
        const limiter = db.limiter(db.window(), 10, 60_000, { sendWithinMs: 300, unreachableMs: 20_000, retryFirstMs: 50 });
        const ticket = limiter.acquire(4);
        await sleep(800);
        release.now();
        const got = await ticket;
        expect(got.usable()).toBe(true);
        expect(limiter.warnings).toEqual([expect.stringMatching(/did not answer/)]);
        await limiter.close(); // finishes what is owed to the window: the late reservation's withdrawal
        expect(await db.rows()).toEqual([expect.objectContaining({ writes: 4, answered: false })]);
      } finally {
        release.now();
        await release.done;
        await db.cleanup();
      }
    }, 30_000);

    it('a wait in progress when the process stops ends as not sent', async () => {
      const db = await fixture();
      try {
        const w = db.window();
        const other = await w.reserve({ count: 10, budget: 10, windowMs: 60_000, answerWithinMs: 60_000 });
        expect(other.reserved).toBe(true);
        const limiter = db.limiter(w, 10, 60_000);
        const waiting = limiter.acquire(1).then(
          () => 'reserved',
          (e: unknown) => e,
        );
        for (const until = Date.now() + 10_000; limiter.stats.waits === 0 && Date.now() < until; ) await sleep(20);
        await limiter.close();
        const error = await waiting;
        expect(error).toBeInstanceOf(WriteBudgetUnavailableError);
        expect((error as WriteBudgetUnavailableError).code).toBe(ERROR_CODES.NOT_SENT);
      } finally {
        await db.cleanup();
      }
    });
  });
}

/** Holds the lock every reservation in the schema takes, from a session of the test's own, until now() is called. */
function holdReservationLock(admin: <T>(work: (c: pg.Client) => Promise<T>) => Promise<T>) {
  let signalHeld!: () => void;
  let signalRelease!: () => void;
  const held = new Promise<void>((r) => (signalHeld = r));
  const released = new Promise<void>((r) => (signalRelease = r));
  const done = admin(async (c) => {
    await c.query('BEGIN');
    await c.query("SELECT pg_advisory_xact_lock(7245003, 'lockdesk_graph_writes'::regclass::oid::integer)");
    signalHeld();
    await released;
    await c.query('COMMIT');
  });
  return { held, done, now: () => signalRelease() };
}
