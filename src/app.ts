// The composition root: reads nothing itself, builds backend, store and handler from a parsed config.
import { createBackend } from './backend/create-backend.js';
import type { Config } from './config/index.js';
import { resolvePath } from './config/index.js';
import { createHandler, DEFAULT_SETTINGS, PolicyHolder, type Handler, type PlatformSupport, type PolicySource } from './core/index.js';
import { loadPlatformSupport, loadPolicy } from './data-files.js';
import { policyReloader, type PolicyReload, type ReloadTrigger } from './policy-reload.js';
import type { Clock, DeviceBackend, Directory, FollowUpJob, IdentityDirectory, IdSource, Logger, ProcessRegistry } from './ports.js';
import { createStore } from './store/create-store.js';
import { observeAudit, type ObservedStore } from './store/observed-store.js';
import { systemClock, systemIds } from './system.js';
import { createQueue } from './queue/create-queue.js';
import { SinkRestorers } from './sink-restorers.js';
import { ApprovalNotifiers } from './approval-notifiers.js';
import { aadGroupResolver, type AadGroupsOf } from './directory/aad-groups.js';
import { metricsServing } from './config/metrics.js';
import { correlation } from './logger.js';
import { meteredHandler, meteredRounds } from './metrics/metered-handler.js';
import { meteredStore } from './metrics/metered-store.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';

export interface App {
  config: Config;
  handler: Handler;
  backend: DeviceBackend;
  store: ObservedStore;
  /** The replicas sharing the store and whether they live (PostgreSQL); undefined for one process alone. */
  processes?: ProcessRegistry;
  /** Chat adapters register here how to restore their sinks for follow-up on any process. */
  sinks: SinkRestorers;
  /** The policy in force: a reload of the policy file replaces it, and every reader sees the new one next time. */
  policy: PolicySource;
  /**
   * Reads the policy file again (SIGHUP; a change to the file does it by itself once the background jobs run):
   * undefined when there is no policy file.
   */
  reloadPolicy(trigger: ReloadTrigger): Promise<PolicyReload | undefined>;
  /** Chat adapters register here where approval cards go (policy "approval"). */
  approvals: ApprovalNotifiers;
  /** The policy's aad-group: selectors a person is in (Teams and any adapter that knows Entra object ids). */
  aadGroupsOf: AadGroupsOf;
  platforms: PlatformSupport;
  /** This app's metrics, when METRICS_ENABLED or METRICS_PORT asks for them (on a registry of its own). */
  metrics?: Metrics;
  /** What GET /readyz asks: each resolves when that part can serve now, and throws why not. */
  ready: { store(): Promise<void>; backend(): Promise<void> };
  /** One line each, for the start-up banner. */
  describe: { backend: string; store: string; policy: string };
  /** Starts the periodic jobs (expiry sweep, follow-up of open dispatches). */
  startBackgroundJobs(): void;
  close(): Promise<void>;
}

export interface AppOverrides {
  clock?: Clock;
  ids?: IdSource;
}

export const EXPIRY_SWEEP_MS = 30_000;
export const RECOVERY_SWEEP_MS = 5 * 60_000;
/** How long close() waits for sends in flight (a Graph call's deadline is a minute by default). */
export const CLOSE_WAIT_MS = 60_000;
/** The id readiness asks the store for: no confirmation has it, so the answer is one indexed read of nothing. */
export const READINESS_PROBE_ID = 'lockdesk-readiness-probe';

export async function buildApp(config: Config, logger: Logger, overrides: AppOverrides = {}): Promise<App> {
  const clock = overrides.clock ?? systemClock;
  const dataDir = resolvePath(config.LOCKDESK_DATA_DIR);
  const platforms = await loadPlatformSupport(resolvePath(config.LOCKDESK_PLATFORM_SUPPORT));
  const policyFile = config.LOCKDESK_POLICY && resolvePath(config.LOCKDESK_POLICY);
  const loaded = await loadPolicy(policyFile);
  const policySource = loaded.source;
  const policy = new PolicyHolder(loaded.policy);
  // The store first: a damaged state file must stop start-up before anything is written to the data directory.
  const opened = await createStore(config, { logger, dataDir });
  const metrics = metricsServing(config).kind === 'off' ? undefined : createMetrics(logger);
  const store = observeAudit(metrics ? meteredStore(opened.store, metrics) : opened.store, logger);
  const created = await createBackend(config, { clock, logger, dataDir, inventoryIndex: opened.inventoryIndex, writeWindow: opened.writeWindow, observeGraph: metrics?.graphAttempt });
  const backend = created.backend;
  const queue = await createQueue(config, { clock, logger });
  if (metrics) {
    if (created.writeBudget) metrics.sources.writeBudget = () => created.writeBudget!;
    metrics.sources.paused = async () => (await handler.paused()) !== undefined;
    if (queue.depth) metrics.sources.queue = { kind: config.STORE === 'postgres' ? 'pg-boss' : 'memory', depth: () => queue.depth!() };
  }
  const sinks = new SinkRestorers();
  const ids = overrides.ids ?? systemIds;
  const reloader = policyFile ? policyReloader({ file: policyFile, holder: policy, hash: loaded.hash, audit: store.audit, clock, ids, logger }) : undefined;
  const approvals = new ApprovalNotifiers(logger);
  const core = createHandler({
    queue,
    sinks,
    approvals,
    ...(isDirectory(backend) ? { directory: backend } : {}),
    ...(isIdentityDirectory(backend) ? { identities: backend } : {}),
    ...(opened.processes ? { processes: opened.processes } : {}),
    backend,
    store,
    platforms,
    policy,
    clock,
    ids,
    logger,
    correlation,
    settings: {
      ...DEFAULT_SETTINGS,
      followUpMs: config.LOCKDESK_FOLLOW_UP_MINUTES * 60_000,
      pollInitialMs: config.LOCKDESK_POLL_INTERVAL_MS,
      pausedByEnvironment: config.LOCKDESK_PAUSED,
    },
  });
  const handler = metrics ? meteredHandler(core, metrics) : core;
  const worker = (job: FollowUpJob) => handler.runFollowUp(job);
  await queue.start(metrics ? meteredRounds(worker, metrics) : worker);

  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, job: () => Promise<unknown>, name: string) => {
    const timer = setInterval(() => job().catch((err) => logger.error({ err }, `${name} failed`)), ms);
    timer.unref();
    timers.push(timer);
  };

  return {
    config,
    handler,
    backend,
    store,
    ...(opened.processes ? { processes: opened.processes } : {}),
    sinks,
    approvals,
    policy,
    async reloadPolicy(trigger) {
      if (!reloader) logger.info({ trigger }, 'no policy file to reload (LOCKDESK_POLICY is not set)');
      return reloader?.reload(trigger);
    },
    aadGroupsOf: aadGroupResolver(isDirectory(backend) ? backend : undefined, policy, clock, logger),
    platforms,
    ...(metrics ? { metrics } : {}),
    ready: {
      store: async () => {
        await store.confirmations.get(READINESS_PROBE_ID);
      },
      backend: async () => {
        await created.ready?.();
      },
    },
    describe: {
      backend: created.describe,
      store: opened.describe,
      policy: policyFile ? `${policySource} (read again when it changes, or on SIGHUP)` : policySource,
    },
    startBackgroundJobs() {
      every(EXPIRY_SWEEP_MS, () => handler.sweepExpired(), 'expiry sweep');
      every(RECOVERY_SWEEP_MS, () => handler.recover({ olderThanMs: RECOVERY_SWEEP_MS }), 'recovery sweep');
      created.start?.();
      reloader?.watch();
    },
    async close() {
      timers.forEach(clearInterval);
      reloader?.close();
      // A send inside the backend must finish (and be recorded) while this process is still registered as alive.
      for (const until = Date.now() + CLOSE_WAIT_MS; handler.stats().inFlight > 0 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 100));
      await queue.stop();
      await created.close?.();
      await store.close();
    },
  };
}

function isIdentityDirectory(backend: DeviceBackend): backend is DeviceBackend & IdentityDirectory {
  return typeof (backend as Partial<IdentityDirectory>).entraIdOf === 'function';
}

function isDirectory(backend: DeviceBackend): backend is DeviceBackend & Directory {
  return typeof (backend as Partial<Directory>).memberGroups === 'function';
}
