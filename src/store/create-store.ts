// Chooses the store the configuration names: lowdb files for one process, PostgreSQL for several replicas.
import type { Config } from '../config/index.js';
import type { InventoryIndex, Logger, ProcessRegistry, SharedWriteWindow, Store } from '../ports.js';
import { openLowdbStore } from './lowdb/index.js';
import { openPostgresStore } from './postgres/open-store.js';

export interface CreatedStore {
  store: Store;
  describe: string;
  inventoryIndex?: InventoryIndex;
  processes?: ProcessRegistry;
  /** With replicas: the Graph write budget's window they share (one process alone keeps its own). */
  writeWindow?: SharedWriteWindow;
}

export async function createStore(config: Config, options: { logger: Logger; dataDir: string }): Promise<CreatedStore> {
  if (config.STORE === 'postgres') {
    // refineStore makes DATABASE_URL present whenever STORE is postgres.
    const store = await openPostgresStore({ url: config.DATABASE_URL!, migrationUrl: config.DATABASE_MIGRATION_URL, logger: options.logger, lease: { landingMs: landingMs(config) } });
    return { store, describe: store.describe, inventoryIndex: store.inventoryIndex, processes: store.processes, writeWindow: store.writeWindow };
  }
  return { store: await openLowdbStore({ dir: options.dataDir, logger: options.logger }), describe: `lowdb files in ${options.dataDir}` };
}

/**
 * How long after its lease the others still count this process alive: a request it sent just before the lease ran
 * out may be answered (and acted on by Intune) as late as one Graph attempt lasts, so never less than that.
 */
export function landingMs(config: Pick<Config, 'BACKEND' | 'GRAPH_REQUEST_TIMEOUT_MS'>): number {
  return config.BACKEND === 'graph' ? Math.max(10_000, config.GRAPH_REQUEST_TIMEOUT_MS + 5_000) : 10_000;
}
