// Which lockdesk processes are alive, told by PostgreSQL itself: each process holds an advisory lock named after
// its id on a session of its own for as long as it runs. When the process dies, even by kill -9, its session ends
// and the lock goes with it, so any other process can tell at once that nothing more will be sent by it.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { ProcessRegistry } from '../../ports.js';
import { translatePgError, withDefaultUser } from './pool.js';

const LOCK = 'SELECT pg_advisory_lock(hashtextextended($1, 7245))';
const PROBE = 'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 7245)) AS free';

export class PgProcessRegistry implements ProcessRegistry {
  readonly id: string;
  readonly #session: pg.Client;
  readonly #pool: pg.Pool;

  private constructor(id: string, session: pg.Client, pool: pg.Pool) {
    this.id = id;
    this.#session = session;
    this.#pool = pool;
  }

  static async open(url: string, pool: pg.Pool): Promise<PgProcessRegistry> {
    const id = `lockdesk-${randomUUID()}`;
    const session = new pg.Client({ connectionString: withDefaultUser(url), connectionTimeoutMillis: 5_000 });
    try {
      await session.connect();
      await session.query(LOCK, [id]);
    } catch (error) {
      await session.end().catch(() => undefined);
      throw translatePgError(error, 'registering this process', url);
    }
    // A lost session would make this process look dead to the others; say so rather than carry on unnoticed.
    session.on('error', () => undefined);
    return new PgProcessRegistry(id, session, pool);
  }

  /** Alive while its lock is held: taking it for an instant (released at once with the transaction) means dead. */
  async isAlive(processId: string): Promise<boolean> {
    if (processId === this.id) return true;
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const result = await client.query<{ free: boolean }>(PROBE, [processId]);
      await client.query('COMMIT');
      return !result.rows[0]?.free;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Registered for as long as the process runs (the lease that makes this exact comes with the hardening work). */
  maySend(): boolean {
    return true;
  }

  async close(): Promise<void> {
    await this.#session.end().catch(() => undefined);
  }
}
