// Chooses the store the configuration names: lowdb files for one process, PostgreSQL for several replicas.
import type { Config } from '../config/index.js';
import type { InventoryIndex, Logger, ProcessRegistry, Store } from '../ports.js';
import { openLowdbStore } from './lowdb/index.js';
import { openPostgresStore } from './postgres/open-store.js';

export async function createStore(config: Config, options: { logger: Logger; dataDir: string }): Promise<{ store: Store; describe: string; inventoryIndex?: InventoryIndex; processes?: ProcessRegistry }> {
  if (config.STORE === 'postgres') {
    // refineStore makes DATABASE_URL present whenever STORE is postgres.
    const store = await openPostgresStore({ url: config.DATABASE_URL!, migrationUrl: config.DATABASE_MIGRATION_URL, logger: options.logger });
    return { store, describe: store.describe, inventoryIndex: store.inventoryIndex, processes: store.processes };
  }
  return { store: await openLowdbStore({ dir: options.dataDir, logger: options.logger }), describe: `lowdb files in ${options.dataDir}` };
}
