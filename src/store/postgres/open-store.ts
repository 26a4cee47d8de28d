// The PostgreSQL store: several lockdesk replicas share one state through it.
import type { InventoryIndex, Logger, ProcessRegistry, SharedWriteWindow, Store } from '../../ports.js';
import type { LeaseTimings } from './lease.js';
import { PgProcessRegistry } from './process-registry.js';
import { PostgresInventoryIndex } from './inventory-index.js';
import { PostgresAuditLog } from './audit.js';
import { PostgresApprovals } from './approvals.js';
import { PostgresConfirmations } from './confirmations.js';
import { PostgresDispatches } from './dispatches.js';
import { PostgresLimits, PostgresPause } from './guardrails.js';
import { migrateAs } from './migrate.js';
import { createPool, describeDatabase, translatePgError, type PostgresOptions } from './pool.js';
import { runner } from './run.js';
import { PostgresWriteWindow } from './write-window.js';

export interface PostgresStore extends Store {
  /** Where it is, for the banner: host, port, database; never the password. */
  readonly describe: string;
  /** The Graph backend's serial-number index, shared by the replicas. */
  readonly inventoryIndex: InventoryIndex;
  /** This process among the replicas, and whether the others live. */
  readonly processes: ProcessRegistry;
  /** The Graph write budget's window, shared by the replicas so that together they keep to one budget. */
  readonly writeWindow: SharedWriteWindow;
}

export interface OpenPostgresOptions extends PostgresOptions {
  logger: Logger;
  /** false: the schema is known to be there (a second store on it, the audit reader). */
  migrate?: boolean;
  /** The owner role's URL: migrations (and the runtime role's grants) run with it, and `url` never runs DDL. */
  migrationUrl?: string | undefined;
  /** The registration's timings (tests); the defaults otherwise. */
  lease?: Partial<LeaseTimings>;
}

export async function openPostgresStore(options: OpenPostgresOptions): Promise<PostgresStore> {
  // Fail at start-up, naming the host, rather than at the first click.
  if (options.migrate !== false) await migrateAs(options, options.logger);
  const pool = createPool(options);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw translatePgError(error, 'connecting', options.url);
  }
  const run = runner(pool, options.url);
  let processes: PgProcessRegistry;
  try {
    processes = await PgProcessRegistry.open({ ...options, pool, logger: options.logger });
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  const writeWindow = new PostgresWriteWindow({ url: options.url, ...(options.schema ? { schema: options.schema } : {}), owner: processes.id });
  return {
    describe: `PostgreSQL at ${describeDatabase(options.url)}${options.schema ? ` (schema ${options.schema})` : ''}`,
    confirmations: new PostgresConfirmations(run),
    approvals: new PostgresApprovals(run),
    dispatches: new PostgresDispatches(run),
    audit: new PostgresAuditLog(run),
    limits: new PostgresLimits(run),
    pause: new PostgresPause(run),
    inventoryIndex: new PostgresInventoryIndex(pool, options.url),
    processes,
    writeWindow,
    close: async () => {
      await processes.close();
      await writeWindow.close();
      await pool.end();
    },
  };
}
