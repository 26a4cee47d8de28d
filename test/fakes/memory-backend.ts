// A small real in-memory backend for handler tests: devices in an array, action states a test sets,
// a log of every dispatch, and switches for the faults the core must survive.
import { ERROR_CODES, LockdeskError } from '../../src/core/errors.js';
import type { ActionParameters, ActionStatus, Device, DeviceAction } from '../../src/core/types.js';
import type { DeviceBackend, DeviceLookup, DispatchOptions, DispatchResult, LookupOptions } from '../../src/ports.js';

// As the simulated tenant does: NFC, so a name held decomposed is found by a composed query.
const lower = (s: string) => s.normalize('NFC').toLowerCase();

export class MemoryBackend implements DeviceBackend {
  readonly kind = 'memory';
  devices: Device[];
  /** Every device id each dispatch call was given, in order. */
  readonly dispatched: Array<{ action: DeviceAction; deviceIds: string[]; parameters?: Record<string, ActionParameters> }> = [];
  readonly statuses = new Map<string, ActionStatus>();
  /** Graph's trap: a look-up whose filter is ignored returns every device. */
  ignoreFilters = false;
  /** Per-device dispatch failures. */
  readonly failures = new Map<string, LockdeskError>();
  /** Makes the whole dispatch call throw (a dropped connection) after `sentBeforeThrow` decides what Intune got. */
  dispatchThrows: { error: LockdeskError; received: boolean } | undefined;
  statusThrows: LockdeskError | undefined;
  lookupThrows: LockdeskError | undefined;

  constructor(devices: Device[]) {
    this.devices = devices;
  }

  get dispatchedIds(): string[] {
    return this.dispatched.flatMap((d) => d.deviceIds);
  }

  /** Every look-up made, with the options it came with (tests check that a caller asks for no more than it shows). */
  readonly lookups: Array<{ by: string; value: string; options: LookupOptions }> = [];

  async findDevices(lookup: DeviceLookup, options: LookupOptions = {}): Promise<Device[]> {
    this.lookups.push({ ...lookup, options });
    return this.#shaped(await this.#find(lookup), options);
  }

  /** Graph's trap kept: a backend that ignores filters ignores keep and limit too, and the core must cope. */
  #shaped(devices: Device[], options: LookupOptions): Device[] {
    if (this.ignoreFilters) return devices;
    const kept = devices.filter((d) => options.keep?.(d) ?? true);
    return options.limit === undefined ? kept : kept.slice(0, options.limit);
  }

  async #find(lookup: DeviceLookup): Promise<Device[]> {
    if (this.lookupThrows) throw this.lookupThrows;
    if (this.ignoreFilters) return [...this.devices];
    const v = lower(lookup.value);
    const match = {
      id: (d: Device) => d.id === lookup.value,
      serial: (d: Device) => lower(d.serialNumber) === v,
      name: (d: Device) => lower(d.name) === v,
      namePrefix: (d: Device) => lower(d.name).startsWith(v),
    }[lookup.by];
    return this.devices.filter(match);
  }

  async listUserDevices(user: string, options: LookupOptions = {}): Promise<Device[]> {
    this.lookups.push({ by: 'user', value: user, options });
    if (this.lookupThrows) throw this.lookupThrows;
    if (this.ignoreFilters) return [...this.devices];
    const u = lower(user);
    return this.#shaped(this.devices.filter((d) => lower(d.userPrincipalName) === u || lower(d.emailAddress) === u || d.userId === user), options);
  }

  async getDevices(ids: readonly string[]): Promise<Device[]> {
    return this.devices.filter((d) => ids.includes(d.id));
  }

  async getDevice(id: string): Promise<Device | undefined> {
    return this.devices.find((d) => d.id === id);
  }

  /** Makes dispatch wait until the test resolves it (a send still in flight); set before the click. */
  hold: Promise<void> | undefined;

  /**
   * Sends in batches of `size`, asking maySend before each and awaiting `gap` between them, as the Graph backend
   * waits for Intune's write budget; unset: all at once.
   */
  batches?: { size: number; gap: () => Promise<void> };

  async dispatch(action: DeviceAction, deviceIds: readonly string[], options: DispatchOptions = {}): Promise<DispatchResult[]> {
    if (this.hold) await this.hold;
    if (this.batches) {
      const { size, gap } = this.batches;
      const results: DispatchResult[] = [];
      for (let i = 0; i < deviceIds.length; i += size) {
        if (i > 0) await gap();
        results.push(...(await this.#dispatchAtOnce(action, deviceIds.slice(i, i + size), options)));
      }
      return results;
    }
    return this.#dispatchAtOnce(action, deviceIds, options);
  }

  async #dispatchAtOnce(action: DeviceAction, deviceIds: readonly string[], options: DispatchOptions): Promise<DispatchResult[]> {
    if (options.maySend && !options.maySend()) {
      return deviceIds.map((deviceId) => ({ deviceId, ok: false, error: new LockdeskError(ERROR_CODES.NOT_SENT, 'withheld', { userMessage: 'lockdesk sent nothing.' }) }));
    }
    if (this.dispatchThrows) {
      if (this.dispatchThrows.received) this.#record(action, deviceIds, options);
      throw this.dispatchThrows.error;
    }
    const ok = deviceIds.filter((id) => !this.failures.has(id));
    if (ok.length > 0) this.#record(action, ok, options);
    const results = deviceIds.map((deviceId): DispatchResult => {
      const error = this.failures.get(deviceId);
      return error ? { deviceId, ok: false, error } : { deviceId, ok: true };
    });
    for (const result of results) options.onResult?.(result);
    return results;
  }

  #record(action: DeviceAction, ids: readonly string[], options: DispatchOptions): void {
    const parameters = options.parameters ? Object.fromEntries(ids.flatMap((id) => (options.parameters!.has(id) ? [[id, options.parameters!.get(id)!]] : []))) : undefined;
    this.dispatched.push({ action, deviceIds: [...ids], ...(parameters ? { parameters } : {}) });
    for (const id of ids) this.statuses.set(`${id}:${action}`, { state: 'pending', startedAt: new Date(this.nowForStatus()).toISOString() });
  }

  /** The time a dispatch is stamped with; tests using a fake clock replace it. */
  nowForStatus: () => number = () => Date.now();

  async getActionStatus(deviceId: string, action: DeviceAction): Promise<ActionStatus> {
    if (this.statusThrows) throw this.statusThrows;
    return this.statuses.get(`${deviceId}:${action}`) ?? { state: 'none' };
  }

  setStatus(deviceId: string, action: DeviceAction, status: ActionStatus): void {
    this.statuses.set(`${deviceId}:${action}`, status);
  }
}

export const unavailable = () => new LockdeskError(ERROR_CODES.UNAVAILABLE, 'backend unreachable', { userMessage: 'Intune cannot be reached right now.' });
