// Pending confirmations in PostgreSQL. The single-use claim is one conditional UPDATE: of any number of
// replicas handling the same click at the same moment, exactly one sees a row come back.
import type pg from 'pg';
import type { Confirmation, ResolveOutcome } from '../../core/records.js';
import { actorRef, type ActorRef } from '../../core/types.js';
import type { ConfirmationStore } from '../../ports.js';
import type { Run } from './run.js';

export class PostgresConfirmations implements ConfirmationStore {
  constructor(private readonly run: Run) {}

  async create(c: Confirmation): Promise<void> {
    await this.run('creating a confirmation', (db) =>
      db.query('INSERT INTO lockdesk_confirmations (id, status, expires_at, created_at, record) VALUES ($1, $2, $3, $4, $5)', [c.id, c.status, c.expiresAt, c.createdAt, c]),
    );
  }

  async get(id: string): Promise<Confirmation | undefined> {
    const result = await this.run('reading a confirmation', (db) => db.query<{ record: Confirmation }>('SELECT record FROM lockdesk_confirmations WHERE id = $1', [id]));
    return result.rows[0]?.record;
  }

  async resolve(id: string, to: 'confirmed' | 'cancelled' | 'expired', by: ActorRef | null, choice: string | undefined, now: Date): Promise<ResolveOutcome> {
    const patch: Partial<Confirmation> = { status: to, resolvedAt: now.toISOString() };
    if (by) patch.resolvedBy = actorRef(by);
    if (choice !== undefined) patch.choice = choice;
    const claimed = await this.run('resolving a confirmation', (db) =>
      db.query<{ record: Confirmation }>(
        `UPDATE lockdesk_confirmations SET status = $2, record = record || $3::jsonb
          WHERE id = $1 AND status = 'pending' AND ($2 = 'expired' OR expires_at > $4)
          RETURNING record`,
        [id, to, JSON.stringify(patch), now.toISOString()],
      ),
    );
    const won = claimed.rows[0];
    if (won) return { ok: true, confirmation: won.record };
    // Lost: say why, from the row as it is now.
    const current = await this.get(id);
    if (!current) return { ok: false, reason: 'unknown' };
    if (current.status !== 'pending') return { ok: false, reason: current.status, confirmation: current };
    return { ok: false, reason: 'expired', confirmation: current };
  }

  async listExpired(now: Date): Promise<Confirmation[]> {
    const result = await this.run('listing expired confirmations', (db: pg.Pool) =>
      db.query<{ record: Confirmation }>("SELECT record FROM lockdesk_confirmations WHERE status = 'pending' AND expires_at <= $1 ORDER BY expires_at LIMIT 1000", [now.toISOString()]),
    );
    return result.rows.map((r) => r.record);
  }
}
