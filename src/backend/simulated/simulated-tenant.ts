// The embedded default backend: a simulated Intune tenant kept in a local JSON file, needing no credentials.
import { randomInt } from 'node:crypto';
import type { Low } from 'lowdb';
import { ERROR_CODES, LockdeskError } from '../../core/errors.js';
import { Secret, type ActionStatus, type Device, type DeviceAction } from '../../core/types.js';
import type { Clock, DeviceBackend, DeviceLookup, Directory, DispatchOptions, DispatchResult, LookupOptions } from '../../ports.js';
import { actionProgress } from './action-progress.js';
import { lookupRecords, toDevice, userRecords } from './device-record.js';
import { FailurePlan, injectedError, type FailureKind } from './failure-injection.js';
import { intuneVerdict } from './intune-rules.js';
import { lostModeChanges, lostModeNow, type LostModeState } from './lost-mode-state.js';
import { simulatedLocation } from './simulated-location.js';
import { openTenantDb } from './tenant-file.js';
import type { ActionOutcome, TenantDevice, TenantFile } from './tenant-schema.js';

export interface SimulatedTenantOptions {
  /** The demo tenant shipped with lockdesk; copied to runFile on first run and never written. */
  seedFile: string;
  /** The working copy that records actions. */
  runFile: string;
  clock: Clock;
  /** How long an action takes to settle after it is sent (default 4000). */
  settleMs?: number;
  /** How long every call waits, to simulate a slow backend (default 0). */
  latencyMs?: number;
}

/** A reset's temporary passcode, a Mac lock's unlock PIN or a locate's location, for the action that started at startedAt. */
interface IssuedSecret {
  startedAt: string;
  value: Secret;
}

/** The status field that hands each action's secret over. */
const SECRET_FIELD: Partial<Record<DeviceAction, 'passcode' | 'unlockPin' | 'location'>> = { resetPasscode: 'passcode', lock: 'unlockPin', locateDevice: 'location' };

const sixDigits = () => new Secret(randomInt(0, 1_000_000).toString().padStart(6, '0'));

const sameText = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

const withheld = (deviceId: string) =>
  new LockdeskError(ERROR_CODES.NOT_SENT, `Withheld before it was sent to ${deviceId}`, { userMessage: 'lockdesk had lost its connection to its database, so it sent nothing. Ask again in a moment.' });

const notFound = (deviceId: string) =>
  new LockdeskError(ERROR_CODES.DEVICE_NOT_FOUND, `No device with id ${deviceId} in the simulated tenant`, { userMessage: 'That device is no longer in Intune.' });

export class SimulatedTenant implements DeviceBackend, Directory {
  readonly kind = 'simulated';
  readonly #db: Low<TenantFile>;
  readonly #clock: Clock;
  readonly #settleMs: number;
  readonly #latencyMs: number;
  readonly #failures = new FailurePlan();
  /** Temporary passcodes and unlock PINs by action and device id. Memory only: a secret must never reach the run file. */
  readonly #secrets = new Map<string, IssuedSecret>();

  private constructor(db: Low<TenantFile>, options: SimulatedTenantOptions) {
    this.#db = db;
    this.#clock = options.clock;
    this.#settleMs = options.settleMs ?? 4_000;
    this.#latencyMs = options.latencyMs ?? 0;
  }

  /** Throws LockdeskError data_invalid, naming the file, when the seed or run file is unreadable or invalid. */
  static async open(options: SimulatedTenantOptions): Promise<SimulatedTenant> {
    return new SimulatedTenant(await openTenantDb(options.seedFile, options.runFile), options);
  }

  async findDevices(lookup: DeviceLookup, options: LookupOptions = {}): Promise<Device[]> {
    await this.#delay();
    return this.#toDevices(lookupRecords(this.#db.data.devices, lookup), options);
  }

  async listUserDevices(user: string, options: LookupOptions = {}): Promise<Device[]> {
    await this.#delay();
    return this.#toDevices(userRecords(this.#db.data.devices, user), options);
  }

  /** The demo user whose UPN or mail the address is (see IdentityDirectory). */
  async entraIdOf(address: string): Promise<string | undefined> {
    await this.#delay();
    const wanted = address.trim().toLowerCase();
    return this.#db.data.users.find((u) => u.userPrincipalName.toLowerCase() === wanted || u.mail?.toLowerCase() === wanted)?.id;
  }

  async memberGroups(userId: string, groupIds: readonly string[]): Promise<string[]> {
    await this.#delay();
    const user = this.#db.data.users.find((u) => u.id === userId);
    return groupIds.filter((g) => user?.groups?.includes(g));
  }

  async getDevices(ids: readonly string[]): Promise<Device[]> {
    await this.#delay();
    const now = this.#clock.now();
    const lostMode = this.#lostModeChanges(now);
    return ids.flatMap((id) => {
      const record = this.#record(id);
      return record ? [toDevice(record, now, lostModeNow(record, lostMode))] : [];
    });
  }

  async getDevice(id: string): Promise<Device | undefined> {
    await this.#delay();
    const record = this.#record(id);
    const now = this.#clock.now();
    return record && toDevice(record, now, lostModeNow(record, this.#lostModeChanges(now)));
  }

  async dispatch(action: DeviceAction, deviceIds: readonly string[], options: DispatchOptions = {}): Promise<DispatchResult[]> {
    await this.#delay();
    if (options.maySend && !options.maySend()) return deviceIds.map((deviceId) => ({ deviceId, ok: false, error: withheld(deviceId) }));
    // An unreachable backend fails the whole call before anything is sent, as a network failure would.
    const unreachable = deviceIds.find((id) => this.#failures.get(id, action) === 'unavailable');
    if (unreachable !== undefined) throw injectedError('unavailable', unreachable, action);

    const now = this.#clock.now();
    const startedAt = now.toISOString();
    const lostMode = this.#lostModeChanges(now);
    const results = deviceIds.map((deviceId): DispatchResult => {
      const record = this.#record(deviceId);
      if (!record) {
        return { deviceId, ok: false, error: notFound(deviceId) };
      }
      const failure = this.#failures.get(deviceId, action);
      if (failure === 'refused' || failure === 'throttled') return { deviceId, ok: false, error: injectedError(failure, deviceId, action) };
      const verdict = intuneVerdict(action, { record, lostModeState: lostModeNow(record, lostMode) }, options.parameters?.get(deviceId), this.#db.data.users);
      if (!verdict.accepted) return { deviceId, ok: false, error: verdict.error };
      const outcome: ActionOutcome = failure === 'failed' || failure === 'notSupported' ? failure : verdict.outcome;
      this.#db.data.actions.push({ deviceId, action, startedAt, outcome });
      const secret = outcome === 'done' ? this.#secretFor(action, record, startedAt) : undefined;
      if (secret) this.#secrets.set(`${action}:${deviceId}`, { startedAt, value: secret });
      return { deviceId, ok: true };
    });
    await this.#db.write();
    for (const result of results) options.onResult?.(result);
    return results;
  }

  async getActionStatus(deviceId: string, action: DeviceAction): Promise<ActionStatus> {
    await this.#delay();
    const record = this.#record(deviceId);
    if (!record) throw notFound(deviceId);
    const latest = this.#db.data.actions.findLast((entry) => entry.deviceId === deviceId && entry.action === action);
    if (!latest) return { state: 'none' };
    // Signing out happens in Entra ID, not on the device: an offline device does not hold it up.
    const offline = record.offline === true && action !== 'signOut';
    const status = actionProgress(latest, { now: this.#clock.now(), settleMs: this.#settleMs, offline });
    // After a restart the passcode, PIN or location is gone (it was never written), so a finished action then has none.
    const issued = this.#secrets.get(`${action}:${deviceId}`);
    const field = SECRET_FIELD[action];
    if (status.state === 'done' && field && issued?.startedAt === latest.startedAt) status[field] = issued.value;
    return status;
  }

  /** Test hook: makes every later `action` sent to `deviceId` fail in the given way, until clearFailures(). */
  injectFailure(deviceId: string, action: DeviceAction, kind: FailureKind): void {
    this.#failures.set(deviceId, action, kind);
  }

  clearFailures(): void {
    this.#failures.clear();
  }

  /**
   * What a finished action leaves to hand over, made when it is sent and kept in memory only: an Android reset's
   * temporary passcode, a Mac lock's unlock PIN, a locate's location (collected when the locate settles).
   */
  #secretFor(action: DeviceAction, record: TenantDevice, startedAt: string): Secret | undefined {
    if (action === 'resetPasscode') return sameText(record.operatingSystem, 'Android') ? sixDigits() : undefined;
    if (action === 'lock') return sameText(record.operatingSystem, 'macOS') ? sixDigits() : undefined;
    if (action === 'locateDevice') return simulatedLocation(record.id, startedAt, new Date(Date.parse(startedAt) + this.#settleMs).toISOString());
    return undefined;
  }

  #lostModeChanges(now: Date): ReadonlyMap<string, LostModeState> {
    return lostModeChanges(this.#db.data.actions, now, this.#settleMs);
  }

  #record(id: string): TenantDevice | undefined {
    return this.#db.data.devices.find((record) => record.id === id);
  }

  /** As Graph is asked to: only what `keep` allows, at most `limit`. */
  #toDevices(records: readonly TenantDevice[], options: LookupOptions): Device[] {
    const now = this.#clock.now();
    const lostMode = this.#lostModeChanges(now);
    const devices = records.map((record) => toDevice(record, now, lostModeNow(record, lostMode))).filter((d) => options.keep?.(d) ?? true);
    return options.limit === undefined ? devices : devices.slice(0, options.limit);
  }

  async #delay(): Promise<void> {
    if (this.#latencyMs > 0) await this.#clock.sleep(this.#latencyMs);
  }
}
