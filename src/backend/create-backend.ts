// Chooses the device backend the configuration names: the simulated tenant or Microsoft Graph.
import path from 'node:path';
import type { Config } from '../config/index.js';
import { resolvePath } from '../config/index.js';
import type { Clock, DeviceBackend, Logger, InventoryIndex } from '../ports.js';
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

export async function createBackend(config: Config, deps: { clock: Clock; logger: Logger; dataDir: string; inventoryIndex?: InventoryIndex | undefined }): Promise<CreatedBackend> {
  if (config.BACKEND === 'graph') {
    const settings = graphSettingsFrom(config);
    const backend = await createGraphBackend({ settings, clock: deps.clock, logger: deps.logger, ...(deps.inventoryIndex ? { index: deps.inventoryIndex } : {}) });
    return {
      backend,
      describe: `Microsoft Graph (${settings.graphBaseUrl}) for tenant ${settings.tenantId}, app ${settings.clientId} (${settings.credential.kind === 'secret' ? 'client secret' : 'certificate'}): REAL devices`,
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
