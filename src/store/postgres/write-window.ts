// The Graph write budget's window in PostgreSQL, shared by every replica (table lockdesk_graph_writes, function
// lockdesk_reserve_graph_writes). A reservation is one statement; it takes an advisory lock inside, so the replicas
// take turns and none is kept waiting on another's network round trips.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { SharedWriteWindow, WriteReservation } from '../../ports.js';
import { sessionOptions, translatePgError, withDefaultUser, type PostgresOptions } from './pool.js';

const RESERVE = 'SELECT reserved, wait_ms FROM lockdesk_reserve_graph_writes($1, $2, $3, $4, $5, $6)';
const ANSWERED = 'UPDATE lockdesk_graph_writes SET stamp = now(), answered = true WHERE id = $1 AND NOT answered';
const WITHDRAW = 'DELETE FROM lockdesk_graph_writes WHERE id = $1 AND NOT answered';

/**
 * How long one question may take on the server. A bulk action waits on these, so a database that hangs must become
 * an error quickly (the Graph client then sends nothing). The client gives up a second later, for a connection that
 * is gone: a reservation the server then makes anyway still counts, but only until its bound.
 */
export const WINDOW_STATEMENT_TIMEOUT_MS = 3_000;
const CLIENT_TIMEOUT_MS = WINDOW_STATEMENT_TIMEOUT_MS + 1_000;

export interface WriteWindowOptions extends PostgresOptions {
  /** Named in each row, for people looking at the table: this process's id in lockdesk_processes. */
  owner: string;
}

export class PostgresWriteWindow implements SharedWriteWindow {
  readonly #pool: pg.Pool;
  readonly #url: string;
  readonly #owner: string;

  constructor(options: WriteWindowOptions) {
    this.#url = options.url;
    this.#owner = options.owner;
    // A pool of its own: a reservation must not queue behind the store's hundreds of dispatch intents.
    this.#pool = new pg.Pool({
      connectionString: withDefaultUser(options.url),
      max: options.max ?? 2,
      connectionTimeoutMillis: CLIENT_TIMEOUT_MS,
      query_timeout: CLIENT_TIMEOUT_MS,
      ...sessionOptions(options, { statement_timeout: WINDOW_STATEMENT_TIMEOUT_MS }),
    });
    this.#pool.on('error', () => undefined);
  }

  async reserve(request: { count: number; budget: number; windowMs: number; answerWithinMs: number }): Promise<WriteReservation> {
    const id = randomUUID();
    const params = [id, request.count, request.budget, Math.round(request.windowMs), Math.ceil(request.answerWithinMs), this.#owner];
    const row = (await this.#query<{ reserved: boolean; wait_ms: number }>('reserving Graph writes', RESERVE, params))[0];
    if (!row) throw translatePgError(new Error('the reservation returned no row'), 'reserving Graph writes', this.#url);
    return row.reserved ? { reserved: true, id } : { reserved: false, waitMs: row.wait_ms };
  }

  async answered(id: string): Promise<void> {
    await this.#query('stamping answered Graph writes', ANSWERED, [id]);
  }

  async withdraw(id: string): Promise<void> {
    await this.#query('giving back unsent Graph writes', WITHDRAW, [id]);
  }

  close(): Promise<void> {
    return this.#pool.end();
  }

  async #query<T extends pg.QueryResultRow>(what: string, sql: string, params: unknown[]): Promise<T[]> {
    try {
      return (await this.#pool.query<T>(sql, params)).rows;
    } catch (error) {
      throw translatePgError(error, what, this.#url);
    }
  }
}
