// The fake Graph server's public shapes: its options, what it counts and logs, the faults it can inject.
import type { ActionBook } from './actions.js';
import type { SlidingWindowBudget } from './budget.js';
import type { WriteRecord } from './graph-routes.js';
import type { FakeIdentity } from './identity.js';
import type { FilterTraps } from './odata.js';
import type { FakeTenant } from './tenant.js';
import type { TlsMaterial } from './tls.js';
import type { RevocationRecord } from './user-routes.js';

export const REQUEST_KINDS = ['token', 'metadata', 'read', 'write', 'batch', 'other'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export interface Counters extends Record<RequestKind, number> {
  /** Items inside $batch envelopes, and of those the writes and reads. */
  batchItems: number;
  batchWrites: number;
  batchReads: number;
  /** 429s sent, as HTTP responses or as batch items. */
  throttled: number;
  unauthorized: number;
  forbidden: number;
}

export interface LoggedRequest {
  at: number;
  method: string;
  /** Path and query as received. */
  url: string;
  kind: RequestKind;
  status: number;
}

/** A failure to inject into the next matching request(s), HTTP-level or batch item. */
export interface Fault {
  method?: string;
  path?: RegExp;
  status?: number;
  code?: string;
  retryAfter?: string;
  /** Close the connection without answering (HTTP-level only). */
  drop?: boolean;
  delayMs?: number;
  /** How many requests it hits; 1 by default. */
  times?: number;
}

export interface FakeGraphOptions {
  /** A certificate made earlier; otherwise one is generated into a temp dir. */
  tls?: TlsMaterial;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  clientCertificatePem?: string;
  roles?: string[];
  tokenLifetimeSeconds?: number;
  /** The devices; the caller seeds it with demoTenant(file) or generatedTenant(...). Empty by default. */
  tenant?: FakeTenant;
  /** Graph's page size for managedDevices; 1000 as in Graph. */
  pageSize?: number;
  /** Writes per window per app: 200 per 20 s as Intune documents. */
  budget?: { limit: number; windowMs: number };
  /** Time from an action's POST until it reports done (pending, then active, then done). */
  actionSettleMs?: number;
  /** false: the v1.0 reset result has passcode null; only beta carries it. */
  passcodeInV1?: boolean;
  /** false: the v1.0 locate result has deviceLocation null; only beta carries it. */
  locationInV1?: boolean;
  filterTraps?: Partial<Omit<FilterTraps, 'ignoredFields'>> & { ignoredFields?: Iterable<string> };
  batchOrder?: 'request' | 'reversed';
  refuseWindowsLock?: boolean;
  /** 400 for a $select naming a property the version does not have. */
  strictSelect?: boolean;
  /**
   * Fields a list answer leaves null besides those Graph is documented to leave at their defaults (LIST_DEFAULTS):
   * as if Graph filled them in only on a GET by id. For tests of a client that must not depend on a list for them.
   */
  listNulls?: Iterable<string>;
  /**
   * Plain HTTP instead of HTTPS, for tests that run the Graph client in their own process (Node's fetch trusts the
   * fake's certificate only through NODE_EXTRA_CA_CERTS, read when a process starts). The token endpoint is the same.
   */
  plainHttp?: boolean;
  latencyMs?: number;
  now?: () => number;
}

export interface FakeGraph {
  url: string;
  caFile: string;
  tls: TlsMaterial;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  tenant: FakeTenant;
  identity: FakeIdentity;
  budget: SlidingWindowBudget;
  counters: Counters;
  requests: LoggedRequest[];
  /** Every accepted device action (remoteLock, resetPasscode, the Lost Mode ones, locateDevice), in order. */
  writes: WriteRecord[];
  /** Every accepted revokeSignInSessions, in order. */
  revocations: RevocationRecord[];
  /** A user's signInSessionsValidFromDateTime now, as an ISO time. */
  sessionsValidFrom(userId: string): string;
  /** Every temporary passcode and unlock PIN the fake issued. */
  passcodes: ActionBook['passcodes'];
  /** Every location a locate found. */
  locations: ActionBook['locations'];
  /** The variables that point lockdesk's Graph backend here (NODE_EXTRA_CA_CERTS included). */
  env(): Record<string, string>;
  /** Zeroes the counters and empties the request log; writes and passcodes are kept. */
  resetCounters(): void;
  injectFault(fault: Fault): void;
  close(): Promise<void>;
}
