// Dispatch records in PostgreSQL. An intent is committed before recordIntent returns, so no action is ever
// sent without a durable record of it.
import { isSettled, type DispatchPatch, type DispatchRecord, type DispatchState } from '../../core/records.js';
import type { DispatchStore } from '../../ports.js';
import type { Run } from './run.js';

export class PostgresDispatches implements DispatchStore {
  constructor(private readonly run: Run) {}

  async recordIntent(r: DispatchRecord): Promise<void> {
    await this.run('recording a dispatch intent', (db) =>
      db.query('INSERT INTO lockdesk_dispatches (id, state, settled, created_at, updated_at, record) VALUES ($1, $2, $3, $4, $5, $6)', [
        r.id,
        r.state,
        isSettled(r.state),
        r.createdAt,
        r.updatedAt,
        r,
      ]),
    );
  }

  async transition(id: string, from: DispatchState, patch: DispatchPatch): Promise<DispatchRecord | undefined> {
    const result = await this.run('moving a dispatch on', (db) =>
      db.query<{ record: DispatchRecord }>(
        `UPDATE lockdesk_dispatches
            SET record = record || $3::jsonb,
                state = COALESCE($4, state),
                settled = COALESCE($5, settled),
                updated_at = $6
          WHERE id = $1 AND state = $2
          RETURNING record`,
        [id, from, JSON.stringify(patch), patch.state ?? null, patch.state ? isSettled(patch.state) : null, patch.updatedAt],
      ),
    );
    return result.rows[0]?.record;
  }

  async get(id: string): Promise<DispatchRecord | undefined> {
    const result = await this.run('reading a dispatch', (db) => db.query<{ record: DispatchRecord }>('SELECT record FROM lockdesk_dispatches WHERE id = $1', [id]));
    return result.rows[0]?.record;
  }

  async listOpen(): Promise<DispatchRecord[]> {
    const result = await this.run('listing open dispatches', (db) =>
      db.query<{ record: DispatchRecord }>('SELECT record FROM lockdesk_dispatches WHERE NOT settled ORDER BY seq'),
    );
    return result.rows.map((r) => r.record);
  }
}
