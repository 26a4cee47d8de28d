// The Microsoft Graph backend: lockdesk against a real Intune tenant.
import type { ActionStatus, Device, DeviceAction } from '../../core/types.js';
import type { Clock, DeviceBackend, DeviceLookup, Directory, DispatchOptions, IdentityDirectory, DispatchResult, InventoryIndex, Logger, LookupOptions, SharedWriteWindow } from '../../ports.js';
import { readActionStatus } from './action-status.js';
import { dispatchActions } from './actions.js';
import { createTokenSource, type TokenSource } from './auth.js';
import { memberGroups } from './directory.js';
import { entraIdOf } from './identities.js';
import { GraphHttp, type GraphObserver } from './http.js';
import { Inventory, type RefreshReport } from './inventory.js';
import { MemoryInventoryIndex } from './inventory-index.js';
import { DeviceReads } from './device-reads.js';
import { DeviceLookups } from './lookups.js';
import { isGuid } from './odata.js';
import type { GraphSettings } from './settings.js';
import { SharedWriteLimiter, type SharedLimiterTimings } from './shared-write-limiter.js';
import type { WriteBudget, WriteLimiterStats } from './write-budget.js';
import { WriteLimiter } from './write-limiter.js';

export { graphSettingsFrom, loadCertificate, DEFAULT_TUNING, type GraphSettings, type GraphCredential } from './settings.js';
export type { InventoryIndex, InventoryEntry } from '../../ports.js';
export { ACTION_PERMISSION, READ_PERMISSION, SIGN_OUT_PERMISSION, USER_READ_PERMISSION } from './graph-errors.js';
export { WriteBudgetUnavailableError, DEFAULT_SHARED_TIMINGS, type SharedLimiterTimings } from './shared-write-limiter.js';
export type { GraphAttempt, GraphObserver } from './http.js';

export interface GraphBackend extends DeviceBackend, Directory, IdentityDirectory {
  readonly kind: 'graph';
  /** Rebuilds the serial-number index now (the periodic refresh does the same). */
  refreshInventory(): Promise<RefreshReport>;
  /** Milliseconds since the index was last rebuilt; undefined before the first refresh. */
  inventoryAge(): number | undefined;
  /** Starts the periodic inventory refresh (the first one at once). */
  startInventoryRefresh(): void;
  /** Graph requests sent so far (every attempt; the token endpoint not included). */
  readonly requestCount: number;
  readonly writeLimiter: WriteLimiterStats;
  close(): Promise<void>;
}

export interface GraphBackendOptions {
  settings: GraphSettings;
  clock: Clock;
  logger: Logger;
  /** Tests and benches may replace the token source or the index (issue 6: PostgreSQL). */
  tokens?: TokenSource;
  index?: InventoryIndex;
  /**
   * The write budget's window shared by the replicas (PostgreSQL). Without it the budget is this process's alone,
   * which is right only when no other process writes with the same app.
   */
  writeWindow?: SharedWriteWindow;
  /** The shared budget's timings (tests); the defaults otherwise. */
  sharedTimings?: Partial<SharedLimiterTimings>;
  /** Told of every HTTP attempt (its status and duration), for metrics. */
  observe?: GraphObserver;
}

export async function createGraphBackend(options: GraphBackendOptions): Promise<GraphBackend> {
  const { settings, clock, logger } = options;
  const tokens = options.tokens ?? createTokenSource(settings, logger);
  const limiter: WriteBudget = options.writeWindow
    ? new SharedWriteLimiter({
        window: options.writeWindow, budget: settings.writeBudget, windowMs: settings.writeWindowMs, requestTimeoutMs: settings.requestTimeoutMs,
        clock, logger, ...(options.sharedTimings ? { timings: options.sharedTimings } : {}),
      })
    : new WriteLimiter(clock, settings.writeBudget, settings.writeWindowMs);
  const http = new GraphHttp(settings, tokens, clock, logger, limiter, options.observe);
  const inventory = new Inventory(http, options.index ?? new MemoryInventoryIndex(), clock, logger, settings.inventoryRefreshMs);
  const lookups = new DeviceLookups(http, new DeviceReads(http, logger, settings.betaDetails), inventory, logger);

  return {
    kind: 'graph',
    findDevices: (lookup: DeviceLookup, options?: LookupOptions): Promise<Device[]> => lookups.findDevices(lookup, options),
    listUserDevices: (user: string, options?: LookupOptions): Promise<Device[]> => lookups.listUserDevices(user, options),
    getDevice: (id: string): Promise<Device | undefined> => lookups.getDevice(id),
    getDevices: (ids: readonly string[]): Promise<Device[]> => lookups.getDevices(ids),
    memberGroups: (userId: string, groupIds: readonly string[]): Promise<string[]> => memberGroups(http, userId, groupIds),
    entraIdOf: (address: string): Promise<string | undefined> => entraIdOf(http, address),
    dispatch: (action: DeviceAction, deviceIds: readonly string[], options?: DispatchOptions): Promise<DispatchResult[]> => dispatchActions({ http, clock, logger, settings }, action, deviceIds, options),
    async getActionStatus(deviceId: string, action: DeviceAction): Promise<ActionStatus> {
      if (!isGuid(deviceId)) return { state: 'none' };
      return readActionStatus(http, deviceId, action);
    },
    refreshInventory: () => inventory.refresh(),
    inventoryAge: () => inventory.age(),
    startInventoryRefresh: () => inventory.start(),
    get requestCount() {
      return http.requests;
    },
    writeLimiter: limiter.stats,
    async close() {
      await inventory.close();
      await limiter.close?.();
      http.close();
    },
  };
}
