// Chooses the device backend the configuration names: the simulated tenant or Microsoft Graph.
import path from 'node:path';
import type { Config } from '../config/index.js';
import { resolvePath } from '../config/index.js';
import type { Clock, DeviceBackend, Logger, InventoryIndex, SharedWriteWindow } from '../ports.js';
import { createTokenSource } from './graph/auth.js';
import { createGraphBackend, graphSettingsFrom, type GraphObserver } from './graph/index.js';
import { SimulatedTenant } from './simulated/simulated-tenant.js';

export interface CreatedBackend {
  backend: DeviceBackend;
  /** One line for the start-up banner; never a secret. */
  describe: string;
  /** Starts the backend's own periodic jobs (Graph: the inventory refresh). */
  start?(): void;
  close?(): Promise<void>;
  /** Resolves when the backend can act now (Graph: it has a token, from MSAL's cache or fresh); throws why not. */
  ready?(): Promise<void>;
  /** Graph: how often and how long writes waited for the client-side write budget, so far. */
  writeBudget?: { readonly waits: number; readonly waitedMs: number };
}

export interface BackendDeps {
  clock: Clock;
  logger: Logger;
  dataDir: string;
  inventoryIndex?: InventoryIndex | undefined;
  /** The store's shared window for Graph writes (PostgreSQL), so that every replica spends one budget. */
  writeWindow?: SharedWriteWindow | undefined;
  /** Told of every Graph HTTP attempt, for metrics. */
  observeGraph?: GraphObserver | undefined;
}

export async function createBackend(config: Config, deps: BackendDeps): Promise<CreatedBackend> {
  if (config.BACKEND === 'graph') {
    const settings = graphSettingsFrom(config);
    // Made here rather than inside the backend so that readiness can ask it for a token without sending anything.
    const tokens = createTokenSource(settings, deps.logger);
    const backend = await createGraphBackend({
      settings,
      clock: deps.clock,
      logger: deps.logger,
      tokens,
      ...(deps.inventoryIndex ? { index: deps.inventoryIndex } : {}),
      ...(deps.writeWindow ? { writeWindow: deps.writeWindow } : {}),
      ...(deps.observeGraph ? { observe: deps.observeGraph } : {}),
    });
    const budget = `${settings.writeBudget} writes per ${settings.writeWindowMs / 1000} s ${deps.writeWindow ? 'shared by every replica' : 'for this process'}`;
    return {
      backend,
      describe: `Microsoft Graph (${settings.graphBaseUrl}) for tenant ${settings.tenantId}, app ${settings.clientId} (${settings.credential.kind === 'secret' ? 'client secret' : 'certificate'}), ${budget}: REAL devices`,
      start: () => backend.startInventoryRefresh(),
      close: () => backend.close(),
      ready: async () => {
        await tokens.getToken();
      },
      writeBudget: backend.writeLimiter,
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
