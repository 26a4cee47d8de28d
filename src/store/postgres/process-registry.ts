// Which lockdesk processes are alive, told through PostgreSQL. Each process renews a lease every couple of seconds
// (its row in lockdesk_processes, stamped with the database's now()) on a session of its own, and holds an advisory
// lock named after its id on that session. Another process is alive while its lock is held, or while its last
// renewal is younger than its lease plus the time a request it sent may take to land. A kill -9 frees the lock at
// once and the lease runs out seconds later; a session lost for a moment frees the lock but not the lease, and the
// process reconnects and takes both again, so a blip is never taken for a death.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';
import type { Logger, ProcessRegistry } from '../../ports.js';
import { aliveForMs, DEFAULT_LEASE, OwnLease, type LeaseTimings } from './lease.js';
import { sessionOptions, translatePgError, withDefaultUser, type PostgresOptions } from './pool.js';

const KEY = 'hashtextextended($1, 7245)';
const TRY_LOCK = `SELECT pg_try_advisory_lock(${KEY}) AS locked`;
const RENEW = `INSERT INTO lockdesk_processes (id, beat_at, alive_for_ms, host, pid) VALUES ($1, now(), $2, $3, $4)
  ON CONFLICT (id) DO UPDATE SET beat_at = now(), alive_for_ms = EXCLUDED.alive_for_ms`;
// One statement: the lock is tried only when the lease has run out, and released with the statement's transaction.
const ALIVE = `SELECT CASE
    WHEN EXISTS (SELECT 1 FROM lockdesk_processes WHERE id = $1 AND now() < beat_at + alive_for_ms * interval '1 millisecond') THEN true
    ELSE NOT pg_try_advisory_xact_lock(${KEY})
  END AS alive`;
const LEAVE = 'DELETE FROM lockdesk_processes WHERE id = $1';
/** Rows of processes that died long ago: dead either way, and the table should not grow with every restart. */
const FORGET_DEAD = "DELETE FROM lockdesk_processes WHERE beat_at + alive_for_ms * interval '1 millisecond' < now() - interval '1 day'";
const RECONNECT_FIRST_MS = 250;
const RECONNECT_MAX_MS = 2_000;

export interface RegistryOptions extends PostgresOptions {
  pool: pg.Pool;
  logger: Logger;
  lease?: Partial<LeaseTimings>;
}

export class PgProcessRegistry implements ProcessRegistry {
  readonly id = `lockdesk-${randomUUID()}`;
  readonly #options: RegistryOptions;
  readonly #timings: LeaseTimings;
  readonly #lease: OwnLease;
  /** The dedicated session, while registered on it; undefined while reconnecting. */
  #session: pg.Client | undefined;
  #locked = false;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #lostAt = 0;

  private constructor(options: RegistryOptions) {
    this.#options = options;
    this.#timings = { ...DEFAULT_LEASE, ...options.lease };
    this.#lease = new OwnLease(this.#timings);
  }

  static async open(options: RegistryOptions): Promise<PgProcessRegistry> {
    const registry = new PgProcessRegistry(options);
    try {
      await registry.#register();
      await options.pool.query(FORGET_DEAD);
    } catch (error) {
      await registry.close();
      throw translatePgError(error, 'registering this process', options.url);
    }
    registry.#renewLater();
    return registry;
  }

  async isAlive(processId: string): Promise<boolean> {
    if (processId === this.id) return true;
    try {
      const result = await this.#options.pool.query<{ alive: boolean }>(ALIVE, [processId]);
      return result.rows[0]?.alive === true;
    } catch (error) {
      throw translatePgError(error, 'asking whether another process lives', this.#options.url);
    }
  }

  maySend(): boolean {
    return this.#lease.valid();
  }

  /** Leaves at once: the row goes, and the lock with the session, so the others know it sends nothing more. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#lease.lost();
    const session = this.#session;
    this.#session = undefined;
    // Without its session (lost, reconnecting) the row is removed through the pool, if the database answers.
    await (session ?? this.#options.pool).query(LEAVE, [this.id]).catch(() => undefined);
    await session?.end().catch(() => undefined);
  }

  /** Connects the dedicated session, takes the lock and renews the lease; the session is ours once all of it worked. */
  async #register(): Promise<void> {
    const session = new pg.Client({
      connectionString: withDefaultUser(this.#options.url),
      connectionTimeoutMillis: 5_000,
      // A renewal that hangs (a half-open connection) counts as a lost session, well before the lease runs out.
      query_timeout: Math.max(1_000, this.#timings.leaseMs / 2),
      keepAlive: true,
      application_name: this.id,
      // The server notices a vanished client within seconds rather than hours, and frees its lock.
      ...sessionOptions(this.#options, { tcp_keepalives_idle: 5, tcp_keepalives_interval: 2, tcp_keepalives_count: 3 }),
    });
    session.on('error', (error: Error) => this.#lost(session, error));
    session.on('end', () => this.#lost(session, new Error('the session ended')));
    let startedAt: number;
    try {
      await session.connect();
      this.#locked = false;
      startedAt = await this.#renew(session);
    } catch (error) {
      await session.end().catch(() => undefined);
      throw error;
    }
    if (this.#closed) {
      await session.query(LEAVE, [this.id]).catch(() => undefined);
      await session.end().catch(() => undefined);
      return;
    }
    this.#session = session;
    this.#lease.renewed(startedAt);
  }

  /** Renews on `session`; resolves with when the renewal started, for the lease to count from. */
  async #renew(session: pg.Client): Promise<number> {
    const startedAt = OwnLease.now();
    // Not taken yet when the server still holds it for the session just lost (it frees it when it notices).
    if (!this.#locked) this.#locked = (await session.query<{ locked: boolean }>(TRY_LOCK, [this.id])).rows[0]?.locked === true;
    await session.query(RENEW, [this.id, aliveForMs(this.#timings), hostname(), process.pid]);
    return startedAt;
  }

  #renewLater(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      const session = this.#session;
      if (!session) return;
      this.#renew(session).then(
        (startedAt) => {
          // The session may have been lost while the renewal was answered: then it counts for nothing here.
          if (session !== this.#session) return;
          this.#lease.renewed(startedAt);
          this.#renewLater();
        },
        (error: unknown) => this.#lost(session, error),
      );
    }, this.#timings.heartbeatMs);
    this.#timer.unref();
  }

  #lost(session: pg.Client, error: unknown): void {
    if (this.#closed || session !== this.#session) return;
    this.#session = undefined;
    this.#locked = false;
    this.#lease.lost();
    clearTimeout(this.#timer);
    this.#lostAt = Date.now();
    void session.end().catch(() => undefined);
    this.#options.logger.warn(
      { processId: this.id, reason: error instanceof Error ? error.message : String(error) },
      'lost the database session that registers this process; sending nothing until it is registered again',
    );
    this.#reconnect(0);
  }

  #reconnect(attempt: number): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#register().then(
        () => {
          if (this.#closed) return;
          this.#options.logger.info({ processId: this.id, lostForMs: Date.now() - this.#lostAt }, 'registered again with the database');
          this.#renewLater();
        },
        (error: unknown) => {
          this.#options.logger.debug({ processId: this.id, attempt, reason: error instanceof Error ? error.message : String(error) }, 'registering again failed');
          this.#reconnect(attempt + 1);
        },
      );
    }, Math.min(RECONNECT_FIRST_MS * 2 ** attempt, RECONNECT_MAX_MS));
    this.#timer.unref();
  }
}
