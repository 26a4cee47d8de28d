// Requests held for a second person, in PostgreSQL. The single-use claim is one conditional UPDATE: of any number of
// replicas handling approve clicks for one request at the same moment, exactly one sees a row come back.
import type { Approval, ApprovalOutcome } from '../../core/records.js';
import { actorRef, type ActorRef } from '../../core/types.js';
import type { ApprovalStore } from '../../ports.js';
import type { Run } from './run.js';

export class PostgresApprovals implements ApprovalStore {
  constructor(private readonly run: Run) {}

  async create(a: Approval): Promise<void> {
    await this.run('creating an approval', (db) =>
      db.query('INSERT INTO lockdesk_approvals (id, status, expires_at, created_at, record) VALUES ($1, $2, $3, $4, $5)', [a.id, a.status, a.expiresAt, a.createdAt, a]),
    );
  }

  async get(id: string): Promise<Approval | undefined> {
    const result = await this.run('reading an approval', (db) => db.query<{ record: Approval }>('SELECT record FROM lockdesk_approvals WHERE id = $1', [id]));
    return result.rows[0]?.record;
  }

  async resolve(id: string, to: 'approved' | 'denied' | 'expired', by: ActorRef | null, now: Date, denyReason?: string): Promise<ApprovalOutcome> {
    const patch: Partial<Approval> = { status: to, resolvedAt: now.toISOString() };
    if (by) patch.resolvedBy = actorRef(by);
    if (denyReason !== undefined) patch.denyReason = denyReason;
    const claimed = await this.run('resolving an approval', (db) =>
      db.query<{ record: Approval }>(
        `UPDATE lockdesk_approvals SET status = $2, record = record || $3::jsonb
          WHERE id = $1 AND status = 'pending' AND ($2 = 'expired' OR expires_at > $4)
          RETURNING record`,
        [id, to, JSON.stringify(patch), now.toISOString()],
      ),
    );
    const won = claimed.rows[0];
    if (won) return { ok: true, approval: won.record };
    const current = await this.get(id);
    if (!current) return { ok: false, reason: 'unknown' };
    if (current.status !== 'pending') return { ok: false, reason: current.status, approval: current };
    return { ok: false, reason: 'expired', approval: current };
  }

  async annotate(id: string, patch: Pick<Approval, 'cards' | 'reason'>): Promise<Approval | undefined> {
    const fields: Partial<Approval> = {};
    if (patch.cards !== undefined) fields.cards = patch.cards;
    if (patch.reason !== undefined) fields.reason = patch.reason;
    const result = await this.run('annotating an approval', (db) =>
      db.query<{ record: Approval }>("UPDATE lockdesk_approvals SET record = record || $2::jsonb WHERE id = $1 AND status = 'pending' RETURNING record", [id, JSON.stringify(fields)]),
    );
    return result.rows[0]?.record;
  }

  async listExpired(now: Date): Promise<Approval[]> {
    const result = await this.run('listing expired approvals', (db) =>
      db.query<{ record: Approval }>("SELECT record FROM lockdesk_approvals WHERE status = 'pending' AND expires_at <= $1 ORDER BY expires_at LIMIT 1000", [now.toISOString()]),
    );
    return result.rows.map((r) => r.record);
  }

  async listPending(now: Date, limit: number): Promise<Approval[]> {
    const result = await this.run('listing pending approvals', (db) =>
      db.query<{ record: Approval }>("SELECT record FROM lockdesk_approvals WHERE status = 'pending' AND expires_at > $1 ORDER BY created_at, id LIMIT $2", [now.toISOString(), limit]),
    );
    return result.rows.map((r) => r.record);
  }
}
