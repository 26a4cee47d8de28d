// The audit trail in PostgreSQL: an append-only table (a trigger refuses updates and deletes), read in order.
// Appends from this process are queued and written in call order, many to one INSERT when they pile up, so
// "dispatch" always lands before its "result" and a burst costs one round trip, not one each.
import { ERROR_CODES, isLockdeskError } from '../../core/errors.js';
import type { AuditEvent } from '../../core/records.js';
import type { AuditLog } from '../../ports.js';
import type { Run } from './run.js';

const PAGE = 1000;
const MAX_BATCH = 500;

interface Waiting {
  event: AuditEvent;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class PostgresAuditLog implements AuditLog {
  #queue: Waiting[] = [];
  #flushing = false;

  constructor(private readonly run: Run) {}

  append(event: AuditEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ event, resolve, reject });
      if (!this.#flushing) void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#flushing = true;
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, MAX_BATCH);
      try {
        await this.#insert(batch.map((w) => w.event));
        batch.forEach((w) => w.resolve());
      } catch (error) {
        if (batch.length > 1 && isLockdeskError(error) && error.code === ERROR_CODES.INVALID_INPUT) {
          // One event PostgreSQL refuses (a NUL, a lone surrogate) fails the whole INSERT; the others queued with it
          // were fine and are written one by one, still in call order, so that only the bad one is refused.
          for (const w of batch) await this.#insert([w.event]).then(w.resolve, w.reject);
        } else {
          batch.forEach((w) => w.reject(error));
        }
      }
    }
    this.#flushing = false;
  }

  async #insert(events: readonly AuditEvent[]): Promise<void> {
    const values = events.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ');
    const params = events.flatMap((e) => [e.at, e]);
    await this.run('appending to the audit trail', (db) => db.query(`INSERT INTO lockdesk_audit (at, event) VALUES ${values}`, params));
  }

  /** Pages by sequence number, so a long trail streams without holding a transaction or a cursor open. */
  async *read(options: { since?: Date } = {}): AsyncGenerator<AuditEvent> {
    let after = '0';
    const since = options.since?.toISOString() ?? null;
    for (;;) {
      const page = await this.run('reading the audit trail', (db) =>
        db.query<{ seq: string; event: AuditEvent }>(
          `SELECT seq, event FROM lockdesk_audit
            WHERE seq > $1 AND ($2::timestamptz IS NULL OR at >= $2::timestamptz)
            ORDER BY seq LIMIT ${PAGE}`,
          [after, since],
        ),
      );
      for (const row of page.rows) yield row.event;
      if (page.rows.length < PAGE) return;
      after = page.rows.at(-1)!.seq;
    }
  }
}
