// The interfaces the core needs from the world. Backends and stores implement them; the core only calls them.
import type { ActionParameters, ActionStatus, Device, DeviceAction } from './core/types.js';
import type { LockdeskError } from './core/errors.js';
import type { Approval, ApprovalOutcome, AuditEvent, Confirmation, DispatchPatch, DispatchRecord, DispatchState, ResolveOutcome } from './core/records.js';
import type { ActorRef } from './core/types.js';
import type { Button, Reply, ReplySink } from './core/reply.js';

/** How a device can be looked up directly; a user's devices come from listUserDevices. */
export type DeviceLookup = { by: 'id' | 'serial' | 'name' | 'namePrefix'; value: string };

export interface DispatchOptions {
  maySend?: () => boolean;
  /** What the action needs for each device besides its id (Lost Mode's text, signOut's user), by device id. */
  parameters?: ReadonlyMap<string, ActionParameters>;
  /**
   * Called once per device as soon as its result is final, before dispatch() returns (a bulk action of hundreds of
   * devices takes a write budget's windows): the caller records and shows progress as it happens.
   */
  onResult?: (result: DispatchResult) => void;
}

export type DispatchResult = { deviceId: string; ok: true } | { deviceId: string; ok: false; error: LockdeskError };

/**
 * A device-management backend (the simulated tenant, Microsoft Graph).
 * Errors are LockdeskErrors with codes device_not_found, not_supported, throttled, forbidden, unavailable, refused_by_backend.
 */
/** How much of a look-up the caller needs: a backend reads no more than that, and fetches no detail it need not. */
export interface LookupOptions {
  /** At most this many devices (that pass `keep`); a backend may stop reading once it has them. */
  limit?: number;
  /**
   * The devices the caller may see (the query's match and the policy). A backend applies it before it fetches any
   * per-device detail; the core checks every device again whatever the backend returns.
   */
  keep?: (device: Device) => boolean;
  /** false: the fields of the list are enough (an existence check for the audit); no per-device detail. */
  details?: boolean;
  /** Only the first n devices returned will be shown and need per-device details; the rest are only counted. */
  detailsFor?: number;
}

export interface DeviceBackend {
  readonly kind: string;
  findDevices(lookup: DeviceLookup, options?: LookupOptions): Promise<Device[]>;
  /** user: UPN, email or Entra object id. */
  listUserDevices(user: string, options?: LookupOptions): Promise<Device[]>;
  getDevice(id: string): Promise<Device | undefined>;
  /** Reads several devices by id at once (the re-read before a bulk dispatch); ids not found are left out. */
  getDevices(ids: readonly string[]): Promise<Device[]>;
  /**
   * Sends one action to several devices; one result per id, in order. A backend may batch. `maySend` is asked just
   * before each request leaves (every batch, every re-send): when it says no, that device's result is a not_sent error.
   */
  dispatch(action: DeviceAction, deviceIds: readonly string[], options?: DispatchOptions): Promise<DispatchResult[]>;
  getActionStatus(deviceId: string, action: DeviceAction): Promise<ActionStatus>;
}

/**
 * Group membership in the directory behind the backend (Entra ID), for the policy's aad-group: members.
 * Returns the ids, among `groupIds`, of the groups the user belongs to (directly or through other groups).
 */
export interface Directory {
  memberGroups(userId: string, groupIds: readonly string[]): Promise<string[]>;
}

/**
 * Who an address belongs to in Entra ID: the object id of the one user whose UPN, mail or proxy address it is.
 * Chats know a person by an email (Slack, the terminal) or an Entra object id (Teams); telling two of them apart
 * takes the one immutable id behind both.
 */
export interface IdentityDirectory {
  /** undefined: no user has this address. Throws when the directory cannot say (or more than one user has it). */
  entraIdOf(address: string): Promise<string | undefined>;
}

/** One device of the inventory index: which id carries which serial number. */
export interface InventoryEntry {
  id: string;
  serialNumber: string;
}

/**
 * Which device ids carry a serial number, answered without asking the backend (Graph may ignore a serialNumber
 * filter and return the whole tenant). In memory per process, or in PostgreSQL shared by the replicas.
 */
export interface InventoryIndex {
  /** Ids whose serial number equals `serial`, compared case-insensitively. */
  idsBySerial(serial: string): Promise<string[]>;
  /** Replaces the whole index with a fresh read of the tenant (unless a fresher one is already there). */
  replaceAll(entries: readonly InventoryEntry[], refreshedAt: Date): Promise<void>;
  /** Reads what other processes may have changed (when the index was last refreshed); a no-op in memory. */
  reload?(): Promise<void>;
  /** When the last complete refresh started; undefined before the first. */
  readonly refreshedAt: Date | undefined;
  readonly size: number;
}

/** What a reservation of writes in the shared window came to: reserved (its id), or how long until they might fit. */
export type WriteReservation = { reserved: true; id: string } | { reserved: false; waitMs: number };

/**
 * The Graph write budget's sliding window, shared by every process that writes with the same app (PostgreSQL: every
 * replica), so that together they stay under Intune's limit. A reservation counts from the moment it is made; once
 * answered, from the moment its answer arrived, for one window. One never answered (its process died, or could not
 * say) counts as answered `answerWithinMs` after it was made: so it blocks the budget for a while, never for ever.
 */
export interface SharedWriteWindow {
  /**
   * Atomically, against every process sharing the window: reserves `count` writes if, with every write answered in
   * the last `windowMs` and every reservation not yet answered, they fit in `budget`; else how long until they might.
   */
  reserve(request: { count: number; budget: number; windowMs: number; answerWithinMs: number }): Promise<WriteReservation>;
  /** The answer to a reservation's writes arrived: they count from now, the window's own clock. */
  answered(id: string): Promise<void>;
  /** A reservation's writes were never sent: they count no more. */
  withdraw(id: string): Promise<void>;
}

export interface ConfirmationStore {
  create(confirmation: Confirmation): Promise<void>;
  get(id: string): Promise<Confirmation | undefined>;
  /**
   * Moves a pending confirmation to `to`, atomically: of any number of concurrent calls for one id, one wins.
   * Fails with "expired" when `now` is past expiresAt and `to` is not "expired".
   */
  resolve(id: string, to: 'confirmed' | 'cancelled' | 'expired', by: ActorRef | null, choice: string | undefined, now: Date): Promise<ResolveOutcome>;
  /** Pending confirmations whose time ran out, for the expiry sweep. */
  listExpired(now: Date): Promise<Confirmation[]>;
}

export interface ApprovalStore {
  create(approval: Approval): Promise<void>;
  get(id: string): Promise<Approval | undefined>;
  /**
   * Moves a pending approval to `to`, atomically: of any number of concurrent calls for one id (on any replica), one
   * wins. Fails with "expired" when `now` is past expiresAt and `to` is not "expired".
   */
  resolve(id: string, to: 'approved' | 'denied' | 'expired', by: ActorRef | null, now: Date, denyReason?: string): Promise<ApprovalOutcome>;
  /** Adds what is known after creation (the cards posted, the requester's reason) to a pending approval; undefined when not pending. */
  annotate(id: string, patch: Pick<Approval, 'cards' | 'reason'>): Promise<Approval | undefined>;
  /** Pending approvals whose time ran out, for the expiry sweep. */
  listExpired(now: Date): Promise<Approval[]>;
  /** Approvals still waiting at `now` (not yet expired), oldest first, at most `limit`: the `approvals` command. */
  listPending(now: Date, limit: number): Promise<Approval[]>;
}

export interface DispatchStore {
  /** Durable before it returns: the intent must survive a crash right after. */
  recordIntent(record: DispatchRecord): Promise<void>;
  /**
   * Moves a record on only if it is still in state `from`, atomically (a conditional update): when two
   * processes follow the same dispatch, one records each change and the other learns it lost (undefined).
   */
  transition(id: string, from: DispatchState, patch: DispatchPatch): Promise<DispatchRecord | undefined>;
  get(id: string): Promise<DispatchRecord | undefined>;
  /** Dispatches not settled yet (for follow-up and crash recovery). */
  listOpen(): Promise<DispatchRecord[]>;
}

export interface AuditLog {
  append(event: AuditEvent): Promise<void>;
  read(options?: { since?: Date }): AsyncIterable<AuditEvent>;
}

/** One count a dispatch must fit in: with `units` more, the units counted under `key` in the last `windowMs` stay at or under `max`. */
export interface LimitBucket {
  key: string;
  units: number;
  max: number;
  windowMs: number;
}

/** What taking counts came to: all counted, or none, and the first bucket without room (used: its units in the window now). */
export type LimitTake = { ok: true } | { ok: false; key: string; used: number; retryAt: Date | undefined };

/**
 * The rate limits' counts of dispatched actions (PostgreSQL: shared by every replica; lowdb and memory: this process).
 * A unit counts from the `now` it was taken at, for its bucket's window.
 */
export interface LimitCounter {
  /**
   * Atomically, against every process sharing the store: when every bucket has room for its units, counts them all
   * and answers ok; else counts none, and names the first bucket without room and when enough will have left its
   * window for the units to fit (undefined: never, the units alone are more than its max).
   */
  take(buckets: readonly LimitBucket[], now: Date): Promise<LimitTake>;
}

/** The kill switch, thrown by a person: who, since when, why. */
export interface PauseState {
  by: ActorRef;
  since: string;
  reason: string;
}

/** Where the kill switch is kept, so that every process sharing the store honours it at its next read. Durable before a change returns. */
export interface PauseSwitch {
  get(): Promise<PauseState | undefined>;
  /** Pauses unless already paused, atomically: answers the pause in force (this one, or the earlier one kept). */
  pause(state: PauseState): Promise<PauseState>;
  /** Lifts the pause: answers the one lifted, or undefined when there was none. */
  resume(): Promise<PauseState | undefined>;
}

export interface Store {
  readonly confirmations: ConfirmationStore;
  readonly approvals: ApprovalStore;
  readonly dispatches: DispatchStore;
  readonly audit: AuditLog;
  readonly limits: LimitCounter;
  readonly pause: PauseSwitch;
  close(): Promise<void>;
}

/** What an approval card is for: the request's id, who may approve (the policy's selectors) and the card itself. */
export interface ApprovalNotice {
  approvalId: string;
  approvers: readonly string[];
  /** With the Entra object id behind them where lockdesk could find it (so a chat can leave them out by it). */
  requester: ActorRef;
  /** Whoever confirmed it for the requester, when not the requester: no card for them either. */
  confirmedBy?: ActorRef;
  card: Reply;
}

/**
 * Where approval cards go (a Slack channel or DMs, a Teams conversation or personal chats, the terminal): an adapter
 * matter. Returns one sink per card posted, so the core can turn each into the outcome (with a ref() where it can be
 * restored on another process); an empty list when nobody could be reached.
 */
export interface ApprovalNotifier {
  notify(notice: ApprovalNotice): Promise<ReplySink[]>;
}

export interface Clock {
  now(): Date;
  /** Resolves after `ms`, or at once when `signal` aborts (so a stopping process is not held open). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** One round of following a group of dispatches (one confirmation's): poll, record, show, schedule the next. */
export interface FollowUpJob {
  /** One queued job per key: the first dispatch id of the group. */
  key: string;
  dispatchIds: string[];
  confirmedBy: string;
  /** Until then the chat message is kept up to date; afterwards polling goes on quietly. */
  chatUntil: string;
  phase: 'chat' | 'background';
  attempt: number;
  /** What the chat message last showed, in short (see statusDigest): a round updates it only when this changes. */
  shown?: string;
  /** Where the next round starts polling, when a group has more unsettled records than one round polls. */
  cursor?: number;
  /** Said beneath the states each time the message is shown: the devices that were not sent at all (no record). */
  note?: string;
  /** The playbook's next steps, shown beneath the status (buttons that start a request; plain data). */
  nextSteps?: Button[];
}

/**
 * Runs follow-up jobs: each scheduled job runs once, on one process, no earlier than its delay, and is not lost
 * when the process that scheduled it dies (with the PostgreSQL queue). Scheduling a key already queued is a no-op.
 */
export interface JobQueue {
  schedule(job: FollowUpJob, delayMs: number): Promise<void>;
  /** Resolves when no chat-phase job is pending in this process (tests, the terminal chat's end of input). */
  idle?(): Promise<void>;
}

/**
 * The lockdesk processes sharing one store, so a process can tell whether another is still running (and so may
 * still be sending an action) or has died (and will send nothing more). Only with PostgreSQL.
 */
export interface ProcessRegistry {
  readonly id: string;
  /**
   * Whether another process may still be sending: true while it lives, and for as long after its death as a request
   * it had already sent may still reach the backend. Never false for a process that lives, even across a moment in
   * which its database session was lost (a blip is not a death).
   */
  isAlive(processId: string): Promise<boolean>;
  /**
   * Whether this process may send an action now: the others can see it alive, and will for a while yet. False while
   * it has lost its registration (its database session), so that nothing is sent that another process could
   * settle as "not sent". Checked just before every send.
   */
  maySend(): boolean;
}

/** Where randomness comes from, so tests can pin ids. */
export interface IdSource {
  /** Unguessable: at least 128 random bits. */
  secretId(): string;
  /** Unique, need not be secret. */
  id(): string;
}

/**
 * The context one request is handled in: `run` calls `work` so that every line logged within it, by anyone (the core,
 * an adapter, a backend), carries `correlationId`. The logger implements it; without one, work just runs.
 */
export interface CorrelationContext {
  run<T>(correlationId: string, work: () => Promise<T>): Promise<T>;
}

/** A pino-compatible subset. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
