// The rate limits' counts and the kill switch in PostgreSQL, shared by every replica. A take is one transaction under
// an advisory lock (named after the counts table, so that installs in other schemas keep counts of their own): the
// replicas take turns, and each decides on every count committed before it.
import type { LimitBucket, LimitCounter, LimitTake, PauseState, PauseSwitch } from '../../ports.js';
import { decideTake, entriesFor, LONGEST_WINDOW_MS, type LimitEntry } from '../limit-rules.js';
import type { Run } from './run.js';

const LOCK = "SELECT pg_advisory_xact_lock(7245004, 'lockdesk_limit_counts'::regclass::oid::integer)";
const PRUNE = 'DELETE FROM lockdesk_limit_counts WHERE at <= $1';
const READ = 'SELECT key, at, units FROM lockdesk_limit_counts WHERE key = ANY($1::text[]) AND at > $2';
const COUNT = 'INSERT INTO lockdesk_limit_counts (key, units, at) SELECT * FROM unnest($1::text[], $2::integer[], $3::timestamptz[])';

export class PostgresLimits implements LimitCounter {
  constructor(private readonly run: Run) {}

  take(buckets: readonly LimitBucket[], now: Date): Promise<LimitTake> {
    return this.run('counting towards the rate limits', async (pool) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(LOCK);
        await client.query(PRUNE, [new Date(now.getTime() - LONGEST_WINDOW_MS)]);
        const longest = Math.max(0, ...buckets.map((b) => b.windowMs));
        const rows = await client.query<{ key: string; at: Date; units: number }>(READ, [buckets.map((b) => b.key), new Date(now.getTime() - longest)]);
        const entries: LimitEntry[] = rows.rows.map((r) => ({ key: r.key, at: r.at.getTime(), units: r.units }));
        const outcome = decideTake(entries, buckets, now);
        if (outcome.ok) {
          const added = entriesFor(buckets, now);
          await client.query(COUNT, [added.map((e) => e.key), added.map((e) => e.units), added.map((e) => new Date(e.at))]);
        }
        await client.query('COMMIT');
        return outcome;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    });
  }
}

export class PostgresPause implements PauseSwitch {
  constructor(private readonly run: Run) {}

  async get(): Promise<PauseState | undefined> {
    const result = await this.run('reading the kill switch', (db) => db.query<{ state: PauseState }>('SELECT state FROM lockdesk_pause'));
    return result.rows[0]?.state;
  }

  async pause(state: PauseState): Promise<PauseState> {
    // The row is the pause: of two at once, one inserts it and the other reads the one in force.
    const inserted = await this.run('throwing the kill switch', (db) =>
      db.query<{ state: PauseState }>('INSERT INTO lockdesk_pause (singleton, state) VALUES (true, $1) ON CONFLICT (singleton) DO NOTHING RETURNING state', [state]),
    );
    return inserted.rows[0]?.state ?? (await this.get()) ?? state;
  }

  async resume(): Promise<PauseState | undefined> {
    const result = await this.run('lifting the kill switch', (db) => db.query<{ state: PauseState }>('DELETE FROM lockdesk_pause RETURNING state'));
    return result.rows[0]?.state;
  }
}

