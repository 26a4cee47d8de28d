// The Graph write budget's window in PostgreSQL, shared by the replicas: a reservation counts from the moment it is
// made, answered or not; what does not fit is told how long to wait; writes leave one window after their answer; a
// reservation whose process died counts until its bound and a window more, never for ever; two processes racing never
// reserve more than the budget between them.
import { spawn } from 'node:child_process';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/postgres/migrate.js';
import { withDefaultUser } from '../../src/store/postgres/pool.js';
import { PostgresWriteWindow } from '../../src/store/postgres/write-window.js';
import type { WriteReservation } from '../../src/ports.js';
import { REPO_ROOT } from '../console/run-console.js';
import { DATABASE_URL, dropSchema, postgresOrSkip, testSchemaName } from './postgres.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };
const availability = await postgresOrSkip();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A window far longer than any test: nothing leaves it by itself. */
const LONG = { budget: 10, windowMs: 600_000, answerWithinMs: 600_000 };

async function freshSchema(): Promise<{ schema: string; open(owner?: string): PostgresWriteWindow; cleanup(): Promise<void> }> {
  const schema = testSchemaName();
  await migrate({ url: DATABASE_URL, schema }, silent);
  const opened: PostgresWriteWindow[] = [];
  return {
    schema,
    open(owner = 'test') {
      const w = new PostgresWriteWindow({ url: DATABASE_URL, schema, owner });
      opened.push(w);
      return w;
    },
    async cleanup() {
      await Promise.all(opened.map((w) => w.close()));
      await dropSchema(schema);
    },
  };
}

async function rows(schema: string): Promise<Array<{ writes: number; answered: boolean; owner: string }>> {
  const client = new pg.Client({ connectionString: withDefaultUser(DATABASE_URL), options: `-c search_path="${schema}"` });
  await client.connect();
  try {
    return (await client.query<{ writes: number; answered: boolean; owner: string }>('SELECT writes, answered, owner FROM lockdesk_graph_writes ORDER BY reserved_at')).rows;
  } finally {
    await client.end();
  }
}

const reservedId = (r: WriteReservation) => {
  if (!r.reserved) throw new Error(`expected a reservation, got a wait of ${r.waitMs} ms`);
  return r.id;
};

if (availability.skip) {
  // Skipped only where no PostgreSQL answers (the reason is in the name); .ci/run sets LOCKDESK_REQUIRE_POSTGRES=1,
  // which makes postgresOrSkip() throw instead, so CI never skips it.
  describe.skip(`postgres write window (skipped: ${availability.reason})`, () => {
    it('needs a PostgreSQL server', () => undefined);
  });
} else {
  describe('postgres write window: one Graph write budget for every replica', () => {
    it('a reservation counts at once, answered or not; what does not fit is refused with a wait of at most a window', async () => {
      const db = await freshSchema();
      try {
        const w = db.open();
        const first = reservedId(await w.reserve({ ...LONG, count: 6 }));
        reservedId(await w.reserve({ ...LONG, count: 4 }));
        const refused = await w.reserve({ ...LONG, count: 1 });
        expect(refused.reserved).toBe(false);
        // The soonest any write can leave: a window after the oldest answer, or after now for one still in flight.
        expect(!refused.reserved && refused.waitMs).toBeGreaterThan(0);
        expect(!refused.reserved && refused.waitMs).toBeLessThanOrEqual(LONG.windowMs);
        await w.answered(first);
        expect((await w.reserve({ ...LONG, count: 1 })).reserved).toBe(false);
        expect((await rows(db.schema)).map((r) => [r.writes, r.answered])).toEqual([[6, true], [4, false]]);
      } finally {
        await db.cleanup();
      }
    });

    it('writes never sent are given back at once; an answered reservation cannot be given back', async () => {
      const db = await freshSchema();
      try {
        const w = db.open();
        const unsent = reservedId(await w.reserve({ ...LONG, count: 10 }));
        await w.withdraw(unsent);
        const sent = reservedId(await w.reserve({ ...LONG, count: 10 }));
        await w.answered(sent);
        await w.withdraw(sent);
        expect((await w.reserve({ ...LONG, count: 1 })).reserved).toBe(false);
      } finally {
        await db.cleanup();
      }
    });

    it('stamps expire: answered writes leave the window one window after their answer', async () => {
      const db = await freshSchema();
      try {
        const w = db.open();
        const request = { budget: 10, windowMs: 400, answerWithinMs: 60_000 };
        await w.answered(reservedId(await w.reserve({ ...request, count: 10 })));
        const refused = await w.reserve({ ...request, count: 10 });
        if (refused.reserved) throw new Error('the full window took ten more writes');
        await sleep(refused.waitMs + 20);
        expect((await w.reserve({ ...request, count: 10 })).reserved).toBe(true);
      } finally {
        await db.cleanup();
      }
    });

    it('the reservation of a process killed with kill -9 before its answer counts, then stops counting once its bound and a window have passed', async () => {
      const db = await freshSchema();
      const request = { budget: 10, windowMs: 500, answerWithinMs: 3_000, count: 10 };
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/store/write-window-child.ts', DATABASE_URL, db.schema, JSON.stringify(request)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
        child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
        const deadline = Date.now() + 15_000;
        while (!out.includes('\n')) {
          if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the child reserved nothing: ${out}`);
          await sleep(20);
        }
        expect(JSON.parse(out.split('\n')[0]!)).toMatchObject({ reserved: true });
        child.kill('SIGKILL');
        await new Promise((r) => child.once('close', r));

        const w = db.open();
        // Dead or not, its request may still be reaching Graph: its writes count.
        expect((await w.reserve({ ...request, count: 1 })).reserved).toBe(false);
        expect(await rows(db.schema)).toEqual([expect.objectContaining({ writes: 10, answered: false })]);
        // Never answered, it leaves once its bound and one window are over: the budget is not blocked for ever.
        let got = await w.reserve(request);
        for (const until = Date.now() + 15_000; !got.reserved && Date.now() < until; got = await w.reserve(request)) await sleep(Math.max(20, got.waitMs));
        expect(got.reserved).toBe(true);
      } finally {
        child.kill('SIGKILL');
        await db.cleanup();
      }
    }, 30_000);

    it('two windows on two pools (two replicas) racing never reserve more than the budget between them', async () => {
      const db = await freshSchema();
      try {
        const [a, b] = [db.open('replica-a'), db.open('replica-b')];
        const budget = 25;
        const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).reserve({ ...LONG, budget, count: 1 })));
        expect(results.filter((r) => r.reserved)).toHaveLength(budget);
        const stored = await rows(db.schema);
        expect(stored.reduce((n, r) => n + r.writes, 0)).toBe(budget);
        expect(new Set(stored.map((r) => r.owner))).toEqual(new Set(['replica-a', 'replica-b']));
      } finally {
        await db.cleanup();
      }
    });

    it('rows out of every window are pruned as the next reservation is made', async () => {
      const db = await freshSchema();
      try {
        const client = new pg.Client({ connectionString: withDefaultUser(DATABASE_URL), options: `-c search_path="${db.schema}"` });
        await client.connect();
        try {
          await client.query("INSERT INTO lockdesk_graph_writes (id, writes, stamp, answered, reserved_at, owner) VALUES (gen_random_uuid(), 5, now() - interval '2 hours', true, now() - interval '2 hours', 'old')");
        } finally {
          await client.end();
        }
        reservedId(await db.open().reserve({ ...LONG, count: 1 }));
        expect((await rows(db.schema)).map((r) => r.owner)).toEqual(['test']);
      } finally {
        await db.cleanup();
      }
    });
  });
}
