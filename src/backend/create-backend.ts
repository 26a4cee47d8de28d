// Chooses the device backend the configuration names: the simulated tenant or Microsoft Graph.
import path from 'node:path';
import type { Config } from '../config/index.js';
import { resolvePath } from '../config/index.js';
import type { Clock, DeviceBackend, Logger, InventoryIndex, SharedWriteWindow } from '../ports.js';
import { createGraphBackend, graphSettingsFrom } from './graph/index.js';
import { SimulatedTenant } from './simulated/simulated-tenant.js';

export interface CreatedBackend {
  backend: DeviceBackend;
  /** One line for the start-up banner; never a secret. */
  describe: string;
  /** Starts the backend's own periodic jobs (Graph: the inventory refresh). */
  start?(): void;
  close?(): Promise<void>;
}

export interface BackendDeps {
  clock: Clock;
  logger: Logger;
  dataDir: string;
  inventoryIndex?: InventoryIndex | undefined;
  /** The store's shared window for Graph writes (PostgreSQL), so that every replica spends one budget. */
  writeWindow?: SharedWriteWindow | undefined;
}

export async function createBackend(config: Config, deps: BackendDeps): Promise<CreatedBackend> {
  if (config.BACKEND === 'graph') {
    const settings = graphSettingsFrom(config);
    const backend = await createGraphBackend({
      settings, clock: deps.clock, logger: deps.logger,
      ...(deps.inventoryIndex ? { index: deps.inventoryIndex } : {}),
      ...(deps.writeWindow ? { writeWindow: deps.writeWindow } : {}),
    });
    const budget = `${settings.writeBudget} writes per ${settings.writeWindowMs / 1000} s ${deps.writeWindow ? 'shared by every replica' : 'for this process'}`;
    return {
      backend,
      describe: `Microsoft Graph (${settings.graphBaseUrl}) for tenant ${settings.tenantId}, app ${settings.clientId} (${settings.credential.kind === 'secret' ? 'client secret' : 'certificate'}), ${budget}: REAL devices`,
      start: () => backend.startInventoryRefresh(),
      close: () => backend.close(),
    };
  }
  const tenantFile = path.join(deps.dataDir, 'tenant.json');
  const backend = await SimulatedTenant.open({
    seedFile: resolvePath(config.LOCKDESK_DEMO_TENANT),
    runFile: tenantFile,
    clock: deps.clock,
    settleMs: config.LOCKDESK_SIM_SETTLE_MS,
    latencyMs: config.LOCKDESK_SIM_LATENCY_MS,
  });
  return { backend, describe: `SIMULATED Intune tenant (${tenantFile}): no real device is touched` };
}
