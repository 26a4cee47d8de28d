// Look-ups: by id (a GUID only), serial number (the inventory index, then a read by id), exact name and name
// prefix ($filter), and a user's devices. Each is one request for the list or the device, with every field the core
// needs in it (see device-reads.ts); only a Windows 8.1/RT device a list gave no enroller for costs one more
// (enroller.ts). Every device Graph returns is checked against the query here before it is returned, because
// Graph may ignore a filter and return the whole tenant.
import { ERROR_CODES, isLockdeskError } from '../../core/errors.js';
import type { Device } from '../../core/types.js';
import type { DeviceLookup, Logger, LookupOptions } from '../../ports.js';
import { toDevice, type GraphDevice } from './device-map.js';
import type { DeviceReads } from './device-reads.js';
import { withEnrollers } from './enroller.js';
import type { GraphHttp } from './http.js';
import type { Inventory } from './inventory.js';
import { isGuid, odataString } from './odata.js';

// NFC as the core compares (src/core/text.ts): a name typed decomposed is the same name.
const lower = (s: string) => s.normalize('NFC').trim().toLowerCase();

/** A name as typed (NFC, as the core hands it over) and decomposed (NFD), when the two differ. */
const spellings = (value: string) => [...new Set([value.normalize('NFC'), value.normalize('NFD')])];

/** How many pages a look-up with a limit reads at most. */
export const LIMITED_PAGES = 3;

const DEVICES = '/deviceManagement/managedDevices';

/** Graph serves up to 999 a page; a caller that needs n asks for n. */
const topFor = (limit: number | undefined) => (limit === undefined ? undefined : String(Math.min(999, Math.max(1, limit))));

/** Stop paging once `limit` items pass `want` (never, without a limit). */
const enoughFor = (want: (d: Device) => boolean, limit: number | undefined) =>
  limit === undefined ? undefined : (items: readonly GraphDevice[]) => items.filter((raw) => want(toDevice(raw))).length >= limit;

/** The same checks the core makes (src/core/resolve.ts), made here first. */
export const matches: Record<DeviceLookup['by'], (d: Device, v: string) => boolean> = {
  id: (d, v) => d.id.toLowerCase() === v.trim().toLowerCase(),
  serial: (d, v) => d.serialNumber !== '' && lower(d.serialNumber) === lower(v),
  name: (d, v) => lower(d.name) === lower(v),
  namePrefix: (d, v) => lower(d.name).startsWith(lower(v)),
};

export function ownedBy(d: Device, user: string): boolean {
  const u = lower(user);
  return (d.userId !== '' && d.userId.toLowerCase() === u) || lower(d.userPrincipalName) === u || (d.emailAddress !== '' && lower(d.emailAddress) === u);
}

/** What a form found, and whether it came from a list (a device read by id has every field already). */
interface Found {
  devices: Device[];
  listed: boolean;
}

export class DeviceLookups {
  readonly #http: GraphHttp;
  readonly #reads: DeviceReads;
  readonly #inventory: Inventory;
  readonly #logger: Logger;

  constructor(http: GraphHttp, reads: DeviceReads, inventory: Inventory, logger: Logger) {
    this.#http = http;
    this.#reads = reads;
    this.#inventory = inventory;
    this.#logger = logger;
  }

  async findDevices(lookup: DeviceLookup, options: LookupOptions = {}): Promise<Device[]> {
    const value = lookup.value.trim();
    if (value === '') return []; // an empty value is never sent: Graph may read it as no filter at all
    const want = (d: Device) => matches[lookup.by](d, value) && (options.keep?.(d) ?? true);
    let found: Found;
    switch (lookup.by) {
      case 'id': {
        const device = isGuid(value) ? await this.#readById(value) : undefined;
        found = { devices: device ? [device] : [], listed: false };
        break;
      }
      case 'serial':
        found = await this.#bySerial(value);
        break;
      case 'name': {
        // Graph compares exactly, and Intune keeps a name as the device reported it: ask for both Unicode forms.
        const filter = spellings(value).map((v) => `deviceName eq ${odataString(v)}`).join(' or ');
        found = { devices: await this.#filtered(filter, 'look-up by name', want, options.limit), listed: true };
        break;
      }
      case 'namePrefix': {
        // startswith(…) or startswith(…) is known to apply only the first: one request per spelling, the second
        // only when the first did not already find all that will be shown.
        const devices: Device[] = [];
        for (const v of spellings(value)) {
          if (options.limit !== undefined && devices.filter(want).length >= options.limit) break;
          devices.push(...(await this.#filtered(`startswith(deviceName,${odataString(v)})`, 'look-up by name prefix', want, options.limit)));
        }
        found = { devices, listed: true };
        break;
      }
    }
    const once = [...new Map(found.devices.map((d) => [d.id, d])).values()];
    return this.#finish(this.#keep(once, want, lookup.by), found.listed, options);
  }

  async listUserDevices(user: string, options: LookupOptions = {}): Promise<Device[]> {
    const who = user.trim();
    if (who === '') return [];
    const want = (d: Device) => ownedBy(d, who) && (options.keep?.(d) ?? true);
    let items: GraphDevice[];
    try {
      ({ items } = await this.#reads.list({
        collection: `/users/${encodeURIComponent(who)}/managedDevices`,
        top: topFor(options.limit),
        what: 'look-up by user',
        enough: enoughFor(want, options.limit),
        maxPages: options.limit === undefined ? undefined : LIMITED_PAGES,
      }));
    } catch (error) {
      // No such user: no devices (not "device gone").
      if (isLockdeskError(error) && error.code === ERROR_CODES.DEVICE_NOT_FOUND) return [];
      throw error;
    }
    return this.#finish(this.#keep(items.map(toDevice), want, 'user'), true, options);
  }

  async getDevice(id: string): Promise<Device | undefined> {
    if (!isGuid(id)) return undefined;
    const device = await this.#readById(id.trim());
    return device && matches.id(device, id) ? device : undefined;
  }

  /** Re-reads devices by id, 20 to a $batch, every field in the same answer: 600 devices cost 30 requests. */
  async getDevices(ids: readonly string[]): Promise<Device[]> {
    const wanted = [...new Set(ids.map((id) => id.trim()).filter(isGuid))];
    if (wanted.length === 0) return [];
    const devices = (await this.#reads.byIds(wanted)).map(toDevice);
    // A Set, not a scan per device: a bulk action re-reads thousands (10,000 x 10,000 comparisons take seconds).
    const wantedIds = new Set(wanted.map((id) => id.toLowerCase()));
    return this.#keep(devices, (d) => wantedIds.has(d.id.toLowerCase()), 'id');
  }

  /**
   * What the caller keeps, cut at its limit; for a list's devices, the enroller where the list left it out, only
   * for those shown and only when asked.
   */
  async #finish(kept: Device[], listed: boolean, options: LookupOptions): Promise<Device[]> {
    const limited = options.limit === undefined ? kept : kept.slice(0, options.limit);
    if (!listed || options.details === false || !this.#reads.beta) return limited;
    const shown = options.detailsFor === undefined ? limited.length : options.detailsFor;
    return [...(await withEnrollers(this.#http, this.#logger, limited.slice(0, shown))), ...limited.slice(shown)];
  }

  /** The index names the ids; each is read by id, so a stale entry never reaches a person. */
  async #bySerial(serial: string): Promise<Found> {
    if (!this.#inventory.ready) {
      const refreshing = this.#inventory.refreshing ?? this.#inventory.refresh();
      await refreshing.catch((err: unknown) => this.#logger.warn({ err }, 'inventory index unavailable for a serial look-up'));
      if (!this.#inventory.ready) return { devices: await this.#filtered(`serialNumber eq ${odataString(serial)}`, 'look-up by serial number'), listed: true };
    }
    const ids = await this.#inventory.index.idsBySerial(serial);
    const devices: Device[] = [];
    for (const id of ids) {
      const device = await this.#readById(id);
      if (device) devices.push(device);
    }
    return { devices, listed: false };
  }

  /** A filtered list; with a limit, $top asks for no more than that, and paging stops once `want` has enough. */
  async #filtered(filter: string, what: string, want?: (d: Device) => boolean, limit?: number): Promise<Device[]> {
    // With a limit, a few pages at most: pages that keep coming without a match mean Graph ignored the filter, and
    // reading on would read the whole tenant for a short prefix.
    const { items, capped } = await this.#reads.list({
      collection: DEVICES,
      filter,
      top: topFor(limit),
      what,
      enough: want ? enoughFor(want, limit) : undefined,
      maxPages: limit === undefined ? undefined : LIMITED_PAGES,
    });
    if (capped) this.#logger.warn({ what, pages: LIMITED_PAGES }, 'Graph kept paging without enough matches (it may ignore the filter); the look-up stopped there');
    return items.map(toDevice);
  }

  async #readById(id: string): Promise<Device | undefined> {
    const raw = await this.#reads.byId(id);
    return raw && toDevice(raw);
  }

  #keep(devices: Device[], test: (d: Device) => boolean, by: string): Device[] {
    const kept = devices.filter(test);
    if (kept.length < devices.length) {
      this.#logger.warn({ by, returned: devices.length, kept: kept.length }, 'Graph returned devices the query did not name; they were dropped');
    }
    return kept;
  }
}
