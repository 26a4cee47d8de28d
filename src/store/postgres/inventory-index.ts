// The inventory index in PostgreSQL: one table of (device id, serial number) shared by every replica. A refresh
// replaces it in one transaction, under an advisory lock, and only when it is fresher than what is there.
import type pg from 'pg';
import type { InventoryEntry, InventoryIndex } from '../../ports.js';
import { translatePgError } from './pool.js';

// PostgreSQL refuses a NUL in text, and one device whose serial held one would fail every refresh and leave the
// index stale for all; a serial typed in chat never holds one, so it is dropped from the key.
const key = (serial: string) => serial.replace(/\u0000/g, '').trim().toLowerCase();
/** A device id with a NUL cannot be stored (nor acted on through Graph): it is left out rather than fail the refresh. */
const storable = (e: InventoryEntry) => key(e.serialNumber) !== '' && !e.id.includes('\u0000');
const INSERT_BATCH = 1_000;
/** Any constant both replicas agree on: serialises their refreshes. */
const REFRESH_LOCK = 7_245_001;

export class PostgresInventoryIndex implements InventoryIndex {
  readonly #pool: pg.Pool;
  readonly #url: string;
  #refreshedAt: Date | undefined;
  #size = 0;

  constructor(pool: pg.Pool, url: string) {
    this.#pool = pool;
    this.#url = url;
  }

  async idsBySerial(serial: string): Promise<string[]> {
    if (key(serial) === '') return [];
    try {
      const result = await this.#pool.query<{ device_id: string }>('SELECT device_id FROM lockdesk_inventory WHERE serial_key = $1 ORDER BY device_id', [key(serial)]);
      return result.rows.map((r) => r.device_id);
    } catch (error) {
      throw translatePgError(error, 'reading the inventory index', this.#url);
    }
  }

  async reload(): Promise<void> {
    try {
      const result = await this.#pool.query<{ refreshed_at: Date; size: number }>('SELECT refreshed_at, size FROM lockdesk_inventory_meta WHERE id = 1');
      const row = result.rows[0];
      if (row) {
        this.#refreshedAt = row.refreshed_at;
        this.#size = row.size;
      }
    } catch (error) {
      throw translatePgError(error, 'reading the inventory index', this.#url);
    }
  }

  async replaceAll(entries: readonly InventoryEntry[], refreshedAt: Date): Promise<void> {
    const client = await this.#pool.connect().catch((error: unknown) => {
      throw translatePgError(error, 'refreshing the inventory index', this.#url);
    });
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [REFRESH_LOCK]);
      const current = await client.query<{ refreshed_at: Date }>('SELECT refreshed_at FROM lockdesk_inventory_meta WHERE id = 1');
      const theirs = current.rows[0]?.refreshed_at;
      if (theirs && theirs.getTime() >= refreshedAt.getTime()) {
        // Another replica stored a read that started later than ours: keep it.
        await client.query('ROLLBACK');
        await this.reload();
        return;
      }
      await client.query('DELETE FROM lockdesk_inventory');
      const rows = entries.filter(storable);
      for (let i = 0; i < rows.length; i += INSERT_BATCH) {
        const chunk = rows.slice(i, i + INSERT_BATCH);
        const values = chunk.map((_, n) => `($${2 * n + 1}, $${2 * n + 2})`).join(', ');
        // A device id appears once; if Graph listed one twice in a read, the later entry wins.
        await client.query(`INSERT INTO lockdesk_inventory (device_id, serial_key) VALUES ${values} ON CONFLICT (device_id) DO UPDATE SET serial_key = EXCLUDED.serial_key`, chunk.flatMap((e) => [e.id, key(e.serialNumber)]));
      }
      await client.query(
        'INSERT INTO lockdesk_inventory_meta (id, refreshed_at, size) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at, size = EXCLUDED.size',
        [refreshedAt, entries.length],
      );
      await client.query('COMMIT');
      this.#refreshedAt = refreshedAt;
      this.#size = entries.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw translatePgError(error, 'refreshing the inventory index', this.#url);
    } finally {
      client.release();
    }
  }

  get refreshedAt(): Date | undefined {
    return this.#refreshedAt;
  }

  get size(): number {
    return this.#size;
  }
}
