// What the handler is built from; the composition root fills it in, tests pass fakes.
import type { ApprovalNotifier, Clock, CorrelationContext, DeviceBackend, Directory, IdentityDirectory, IdSource, JobQueue, Logger, ProcessRegistry, Store } from '../ports.js';
import type { SinkRestorer } from './reply.js';
import type { PlatformSupport } from './platform-support.js';
import type { Policy } from './policy.js';
import type { PolicySource } from './policy-source.js';
import type { PauseView } from './pause.js';

export interface CoreSettings {
  /** Most devices listed in one reply. */
  maxListed: number;
  /** How long a confirmed action's status keeps being followed and shown in chat. */
  followUpMs: number;
  pollInitialMs: number;
  pollMaxMs: number;
  /** After the chat window: how often an unsettled action is still polled, and for how long at most. */
  backgroundPollMs: number;
  giveUpAfterMs: number;
  /**
   * Records one follow-up round asks the backend about, at most: a bulk action of 600 devices polled every 2 s
   * would spend Intune's read budget (2,000 requests per 20 s); the others wait for the next round.
   */
  pollPerRound: number;
  /** LOCKDESK_PAUSED=true: nothing is dispatched, and no command lifts it. */
  pausedByEnvironment?: boolean;
}

export const DEFAULT_SETTINGS: CoreSettings = {
  maxListed: 25,
  followUpMs: 30 * 60_000,
  pollInitialMs: 2_000,
  pollMaxMs: 60_000,
  backgroundPollMs: 5 * 60_000,
  giveUpAfterMs: 7 * 24 * 60 * 60_000,
  pollPerRound: 100,
};

export interface CoreDeps {
  backend: DeviceBackend;
  store: Store;
  platforms: PlatformSupport;
  /** The policy in force for this request (the handler takes it from its PolicySource when the request starts). */
  policy: Policy;
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  settings: CoreSettings;
  queue: JobQueue;
  /** How chat adapters turn a stored SinkRef back into a sink, for follow-up on another process. */
  sinks?: SinkRestorer;
  /** Which processes share the store and whether they live (replicas on PostgreSQL); default: this one alone. */
  processes?: ProcessRegistry;
  /** Where a request's correlation id is made known to everything that logs while it is handled (the logger). */
  correlation?: CorrelationContext;
  /** Where approval cards go (the chat adapters); without one, a request that needs approval reaches nobody and says so. */
  approvals?: ApprovalNotifier;
  /** Group membership of device owners, for the policy's protected groups; without one, such a group protects everyone. */
  directory?: Directory;
  /** Resolves an email to the Entra object id behind it, to tell two identities apart (see same-person.ts). */
  identities?: IdentityDirectory;
}

/** What createHandler is given: a fixed policy, or a source whose policy a reload may replace. */
export type HandlerDeps = Omit<CoreDeps, 'policy'> & { policy: Policy | PolicySource };

/**
 * What one handler instance knows beyond its deps: which process it is, and which of its own dispatch records are
 * inside a backend call right now. A record this process owns is in flight exactly when it is in `inFlight`.
 */
export interface Core extends CoreDeps {
  processes: ProcessRegistry;
  inFlight: Set<string>;
  /** The pause in force (the environment's or the store's), read again at each call. */
  pauseState(): Promise<PauseView | undefined>;
}

/** lowdb (one process per data directory): any other owner is a process that has ended. */
export function singleProcess(ids: IdSource): ProcessRegistry {
  return { id: `lockdesk-${ids.id()}`, isAlive: async () => false, maySend: () => true };
}
