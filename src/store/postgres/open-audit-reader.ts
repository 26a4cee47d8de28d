// The audit trail alone, for reading (`npm run audit`): no migration, no registration as a process (a reader sends
// nothing, and must not take a row in lockdesk_processes), so a role with only SELECT on lockdesk_audit can read it.
import type { AuditLog } from '../../ports.js';
import { PostgresAuditLog } from './audit.js';
import { createPool, translatePgError, type PostgresOptions } from './pool.js';
import { runner } from './run.js';

export async function openPostgresAuditReader(options: PostgresOptions): Promise<{ audit: AuditLog; close(): Promise<void> }> {
  const pool = createPool({ ...options, max: options.max ?? 2 });
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw translatePgError(error, 'connecting', options.url);
  }
  return { audit: new PostgresAuditLog(runner(pool, options.url)), close: () => pool.end() };
}
