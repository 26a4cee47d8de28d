// A database of its own for the replica tests (the store's tables and pg-boss's schema both live in it), created
// on the server of DATABASE_URL and dropped afterwards, and the few reads the tests make of it.
import pg from 'pg';
import type { AuditEvent, DispatchRecord } from '../../src/core/records.js';
import { withDefaultUser } from '../../src/store/postgres/pool.js';
import { DATABASE_URL } from '../store/postgres.js';

export interface TestDatabase {
  name: string;
  /** The URL of the new database on the server's own address. */
  url: string;
  /** The same database reached through another port on 127.0.0.1 (a proxy). */
  urlVia(port: number): string;
  host: string;
  port: number;
  audit(): Promise<AuditEvent[]>;
  dispatches(): Promise<DispatchRecord[]>;
  /** The state of the follow-up jobs of one key, newest first. */
  jobStates(key: string): Promise<string[]>;
  /** Whether some session holds the advisory lock a lockdesk process takes for its id (read from pg_locks). */
  holdsProcessLock(processId: string): Promise<boolean>;
  /** Whether the others count a process alive: its lock held, or its lease (plus landing time) not run out. */
  processCountsAlive(processId: string): Promise<boolean>;
  /** How many follow-up jobs of one key completed between two moments (each replica's rounds are jobs). */
  jobsCompletedBetween(key: string, from: number, to: number): Promise<number>;
  /** The follow-up jobs of one key with their times, oldest first, for failure messages. */
  jobTimes(key: string): Promise<string>;
  drop(): Promise<void>;
}

// The key is the one src/store/postgres/process-registry.ts takes: hashtextextended(id, 7245), which pg_locks shows
// split into classid (high 32 bits) and objid (low 32 bits). Looking does not take the lock.
const HELD = `EXISTS (SELECT 1 FROM pg_locks l, hashtextextended($1, 7245) AS h
  WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND l.classid::bigint = (h >> 32) & 4294967295 AND l.objid::bigint = h & 4294967295)`;

async function withClient<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDefaultUser(url) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `lockdesk_replicas_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await withClient(DATABASE_URL, (c) => c.query(`CREATE DATABASE "${name}"`));
  const base = new URL(DATABASE_URL);
  const at = (port?: number) => {
    const u = new URL(DATABASE_URL);
    u.pathname = `/${name}`;
    if (port !== undefined) {
      u.hostname = '127.0.0.1';
      u.port = String(port);
    }
    return u.toString();
  };
  const url = at();
  const pool = new pg.Pool({ connectionString: withDefaultUser(url), max: 2 });
  pool.on('error', () => undefined);
  return {
    name,
    url,
    urlVia: (port) => at(port),
    host: base.hostname || '127.0.0.1',
    port: Number(base.port || 5432),
    audit: async () => (await pool.query<{ event: AuditEvent }>('SELECT event FROM lockdesk_audit ORDER BY seq')).rows.map((r) => r.event),
    dispatches: async () => (await pool.query<{ record: DispatchRecord }>('SELECT record FROM lockdesk_dispatches ORDER BY seq')).rows.map((r) => r.record),
    jobStates: async (key) =>
      (await pool.query<{ state: string }>("SELECT state FROM lockdesk_boss.job WHERE name = 'lockdesk-follow-up' AND singleton_key = $1 ORDER BY created_on DESC", [key])).rows.map((r) => r.state),
    holdsProcessLock: async (processId) => (await pool.query<{ held: boolean }>(`SELECT ${HELD} AS held`, [processId])).rows[0]!.held,
    processCountsAlive: async (processId) =>
      (
        await pool.query<{ alive: boolean }>(
          `SELECT ${HELD} OR EXISTS (SELECT 1 FROM lockdesk_processes WHERE id = $1 AND now() < beat_at + alive_for_ms * interval '1 millisecond') AS alive`,
          [processId],
        )
      ).rows[0]!.alive,
    jobsCompletedBetween: async (key, from, to) =>
      Number(
        (
          await pool.query<{ n: string }>(
            "SELECT count(*) AS n FROM lockdesk_boss.job WHERE name = 'lockdesk-follow-up' AND singleton_key = $1 AND state = 'completed' AND completed_on BETWEEN $2 AND $3",
            [key, new Date(from), new Date(to)],
          )
        ).rows[0]!.n,
      ),
    jobTimes: async (key) =>
      (
        await pool.query<{ state: string; start_after: Date; started_on: Date | null; completed_on: Date | null }>(
          "SELECT state, start_after, started_on, completed_on FROM lockdesk_boss.job WHERE name = 'lockdesk-follow-up' AND singleton_key = $1 ORDER BY created_on",
          [key],
        )
      ).rows
        .map((r) => `${r.state} after ${r.start_after.toISOString()} started ${r.started_on?.toISOString() ?? '-'} completed ${r.completed_on?.toISOString() ?? '-'}`)
        .join('; '),
    async drop() {
      await pool.end();
      await withClient(DATABASE_URL, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
