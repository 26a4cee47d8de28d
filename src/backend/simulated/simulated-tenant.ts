// The embedded default backend: a simulated Intune tenant kept in a local JSON file, needing no credentials.
import { randomInt } from 'node:crypto';
import type { Low } from 'lowdb';
import { ERROR_CODES, LockdeskError } from '../../core/errors.js';
import { Secret, type ActionStatus, type Device, type DeviceAction } from '../../core/types.js';
import type { Clock, DeviceBackend, DeviceLookup, Directory, DispatchOptions, DispatchResult, LookupOptions } from '../../ports.js';
import { actionProgress } from './action-progress.js';
import { lookupRecords, toDevice, userRecords } from './device-record.js';
import { FailurePlan, injectedError, type FailureKind } from './failure-injection.js';
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

/** A reset's temporary passcode or a Mac lock's unlock PIN, for the action that started at startedAt. */
interface IssuedSecret {
  startedAt: string;
  value: Secret;
}

const sixDigits = () => new Secret(randomInt(0, 1_000_000).toString().padStart(6, '0'));
/** Which finished actions leave a secret to hand over: an Android reset (a passcode), a Mac's lock (its unlock PIN). */
const yieldsSecret = (action: DeviceAction, record: TenantDevice) =>
  action === 'resetPasscode' ? sameText(record.operatingSystem, 'Android') : sameText(record.operatingSystem, 'macOS');

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

  async memberGroups(userId: string, groupIds: readonly string[]): Promise<string[]> {
    await this.#delay();
    const user = this.#db.data.users.find((u) => u.id === userId);
    return groupIds.filter((g) => user?.groups?.includes(g));
  }

  async getDevices(ids: readonly string[]): Promise<Device[]> {
    await this.#delay();
    const now = this.#clock.now();
    return ids.flatMap((id) => {
      const record = this.#record(id);
      return record ? [toDevice(record, now)] : [];
    });
  }

  async getDevice(id: string): Promise<Device | undefined> {
    await this.#delay();
    const record = this.#record(id);
    return record && toDevice(record, this.#clock.now());
  }

  async dispatch(action: DeviceAction, deviceIds: readonly string[], options: DispatchOptions = {}): Promise<DispatchResult[]> {
    await this.#delay();
    if (options.maySend && !options.maySend()) return deviceIds.map((deviceId) => ({ deviceId, ok: false, error: withheld(deviceId) }));
    // An unreachable backend fails the whole call before anything is sent, as a network failure would.
    const unreachable = deviceIds.find((id) => this.#failures.get(id, action) === 'unavailable');
    if (unreachable !== undefined) throw injectedError('unavailable', unreachable, action);

    const startedAt = this.#clock.now().toISOString();
    const results = deviceIds.map((deviceId): DispatchResult => {
      const record = this.#record(deviceId);
      if (!record) {
        return { deviceId, ok: false, error: notFound(deviceId) };
      }
      const failure = this.#failures.get(deviceId, action);
      if (failure === 'refused' || failure === 'throttled') return { deviceId, ok: false, error: injectedError(failure, deviceId, action) };
      const outcome: ActionOutcome = failure === 'failed' || failure === 'notSupported' ? failure : 'done';
      this.#db.data.actions.push({ deviceId, action, startedAt, outcome });
      if (outcome === 'done' && yieldsSecret(action, record)) this.#secrets.set(`${action}:${deviceId}`, { startedAt, value: sixDigits() });
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
    const status = actionProgress(latest, { now: this.#clock.now(), settleMs: this.#settleMs, offline: record.offline === true });
    // After a restart the passcode or PIN is gone (it was never written), so a finished action then reports none.
    const issued = this.#secrets.get(`${action}:${deviceId}`);
    if (status.state === 'done' && issued?.startedAt === latest.startedAt) status[action === 'lock' ? 'unlockPin' : 'passcode'] = issued.value;
    return status;
  }

  /** Test hook: makes every later `action` sent to `deviceId` fail in the given way, until clearFailures(). */
  injectFailure(deviceId: string, action: DeviceAction, kind: FailureKind): void {
    this.#failures.set(deviceId, action, kind);
  }

  clearFailures(): void {
    this.#failures.clear();
  }

  #record(id: string): TenantDevice | undefined {
    return this.#db.data.devices.find((record) => record.id === id);
  }

  /** As Graph is asked to: only what `keep` allows, at most `limit`. */
  #toDevices(records: readonly TenantDevice[], options: LookupOptions): Device[] {
    const now = this.#clock.now();
    const devices = records.map((record) => toDevice(record, now)).filter((d) => options.keep?.(d) ?? true);
    return options.limit === undefined ? devices : devices.slice(0, options.limit);
  }

  async #delay(): Promise<void> {
    if (this.#latencyMs > 0) await this.#clock.sleep(this.#latencyMs);
  }
}
