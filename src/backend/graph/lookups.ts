// Look-ups: by id (a GUID only), serial number (the inventory index, then a re-read by id), exact name and name
// prefix ($filter), and a user's devices. Every device Graph returns is checked against the query here before it
// is returned, because Graph may ignore a filter and return the whole tenant.
import { ERROR_CODES, LockdeskError } from '../../core/errors.js';
import type { Device } from '../../core/types.js';
import type { DeviceLookup, Logger, LookupOptions } from '../../ports.js';
import { toDevice, withDetails, type GraphDevice } from './device-map.js';
import type { GraphHttp } from './http.js';
import type { Inventory } from './inventory.js';
import { BETA_DETAIL_SELECT, DEVICE_SELECT, isGuid, MANAGED_DEVICES, odataString, query, select } from './odata.js';
import { readAllPages } from './paging.js';
import { isLockdeskError } from '../../core/errors.js';

// NFC as the core compares (src/core/text.ts): a name typed decomposed is the same name.
const lower = (s: string) => s.normalize('NFC').trim().toLowerCase();

/** A name as typed (NFC, as the core hands it over) and decomposed (NFD), when the two differ. */
const spellings = (value: string) => [...new Set([value.normalize('NFC'), value.normalize('NFD')])];

/** How many pages a look-up with a limit reads at most. */
export const LIMITED_PAGES = 3;

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

export class DeviceLookups {
  readonly #http: GraphHttp;
  readonly #inventory: Inventory;
  readonly #logger: Logger;
  readonly #betaDetails: boolean;

  constructor(http: GraphHttp, inventory: Inventory, logger: Logger, betaDetails: boolean) {
    this.#http = http;
    this.#inventory = inventory;
    this.#logger = logger;
    this.#betaDetails = betaDetails;
  }

  async findDevices(lookup: DeviceLookup, options: LookupOptions = {}): Promise<Device[]> {
    const value = lookup.value.trim();
    if (value === '') return []; // an empty value is never sent: Graph may read it as no filter at all
    const want = (d: Device) => matches[lookup.by](d, value) && (options.keep?.(d) ?? true);
    let found: Device[];
    switch (lookup.by) {
      case 'id': {
        const device = isGuid(value) ? await this.#readById(value) : undefined;
        found = device ? [device] : [];
        break;
      }
      case 'serial':
        found = await this.#bySerial(value);
        break;
      case 'name': {
        // Graph compares exactly, and Intune keeps a name as the device reported it: ask for both Unicode forms.
        const filter = spellings(value).map((v) => `deviceName eq ${odataString(v)}`).join(' or ');
        found = await this.#filtered(filter, 'look-up by name', want, options.limit);
        break;
      }
      case 'namePrefix':
        // startswith(…) or startswith(…) is known to apply only the first: one request per spelling.
        found = [];
        for (const v of spellings(value)) found.push(...(await this.#filtered(`startswith(deviceName,${odataString(v)})`, 'look-up by name prefix', want, options.limit)));
        break;
    }
    const once = [...new Map(found.map((d) => [d.id, d])).values()];
    return this.#finish(this.#keep(once, want, lookup.by), options);
  }

  async listUserDevices(user: string, options: LookupOptions = {}): Promise<Device[]> {
    const who = user.trim();
    if (who === '') return [];
    const want = (d: Device) => ownedBy(d, who) && (options.keep?.(d) ?? true);
    const path = `/v1.0/users/${encodeURIComponent(who)}/managedDevices${query({ $select: select(DEVICE_SELECT), $top: topFor(options.limit) })}`;
    let items: GraphDevice[];
    try {
      ({ items } = await readAllPages(this.#http, path, 'look-up by user', enoughFor(want, options.limit), options.limit === undefined ? undefined : LIMITED_PAGES));
    } catch (error) {
      // No such user: no devices (not "device gone").
      if (isLockdeskError(error) && error.code === ERROR_CODES.DEVICE_NOT_FOUND) return [];
      throw error;
    }
    return this.#finish(this.#keep(items.map(toDevice), want, 'user'), options);
  }

  /** What the caller keeps, cut at its limit; the per-device details only for those, and only when asked. */
  async #finish(kept: Device[], options: LookupOptions): Promise<Device[]> {
    const limited = options.limit === undefined ? kept : kept.slice(0, options.limit);
    if (options.details === false) return limited;
    const shown = options.detailsFor === undefined ? limited.length : options.detailsFor;
    return [...(await this.#details(limited.slice(0, shown))), ...limited.slice(shown)];
  }

  async getDevice(id: string): Promise<Device | undefined> {
    if (!isGuid(id)) return undefined;
    const device = await this.#readById(id.trim());
    if (!device || !matches.id(device, id)) return undefined;
    return (await this.#details([device]))[0];
  }

  /** Re-reads devices by id, 20 to a $batch (plus beta details): 600 devices cost 60 requests, not 1,200. */
  async getDevices(ids: readonly string[]): Promise<Device[]> {
    const wanted = [...new Set(ids.map((id) => id.trim()).filter(isGuid))];
    const devices: Device[] = [];
    const fields = query({ $select: select(DEVICE_SELECT) });
    for (let i = 0; i < wanted.length; i += 20) {
      const chunk = wanted.slice(i, i + 20);
      const requests = chunk.map((id, n) => ({ id: String(n + 1), method: 'GET', url: `/deviceManagement/managedDevices/${encodeURIComponent(id)}${fields}` }));
      const { body } = await this.#http.call('POST', '/v1.0/$batch', { kind: 'lookup', what: 're-read by id', body: { requests } });
      for (const item of (body as { responses?: Array<{ status?: number; body?: GraphDevice }> })?.responses ?? []) {
        if (item.status === 200 && item.body) devices.push(toDevice(item.body));
        else if (item.status !== 404) {
          throw new LockdeskError(ERROR_CODES.UNAVAILABLE, `re-reading devices: a batch item answered ${item.status}`, {
            userMessage: 'Intune did not answer for every device, so nothing was sent. Try again shortly.',
          });
        }
      }
    }
    return this.#details(this.#keep(devices, (d) => wanted.some((id) => matches.id(d, id)), 'id'));
  }

  /** The index names the ids; each is re-read by id, so a stale entry never reaches a person. */
  async #bySerial(serial: string): Promise<Device[]> {
    if (!this.#inventory.ready) {
      const refreshing = this.#inventory.refreshing ?? this.#inventory.refresh();
      await refreshing.catch((err: unknown) => this.#logger.warn({ err }, 'inventory index unavailable for a serial look-up'));
      if (!this.#inventory.ready) return this.#filtered(`serialNumber eq ${odataString(serial)}`, 'look-up by serial number');
    }
    const ids = await this.#inventory.index.idsBySerial(serial);
    const devices: Device[] = [];
    for (const id of ids) {
      const device = await this.#readById(id);
      if (device) devices.push(device);
    }
    return devices;
  }

  /** A filtered list; with a limit, $top asks for no more than that, and paging stops once `want` has enough. */
  async #filtered(filter: string, what: string, want?: (d: Device) => boolean, limit?: number): Promise<Device[]> {
    const url = `${MANAGED_DEVICES}${query({ $filter: filter, $select: select(DEVICE_SELECT), $top: topFor(limit) })}`;
    // With a limit, a few pages at most: pages that keep coming without a match mean Graph ignored the filter, and
    // reading on would read the whole tenant for a short prefix.
    const { items, capped } = await readAllPages(this.#http, url, what, want ? enoughFor(want, limit) : undefined, limit === undefined ? undefined : LIMITED_PAGES);
    if (capped) this.#logger.warn({ what, pages: LIMITED_PAGES }, 'Graph kept paging without enough matches (it may ignore the filter); the look-up stopped there');
    return items.map(toDevice);
  }

  async #readById(id: string): Promise<Device | undefined> {
    try {
      const { body } = await this.#http.call('GET', `${MANAGED_DEVICES}/${encodeURIComponent(id)}${query({ $select: select(DEVICE_SELECT) })}`, {
        kind: 'lookup',
        what: 'read by id',
      });
      return toDevice(body as GraphDevice);
    } catch (error) {
      if (isLockdeskError(error) && error.code === ERROR_CODES.DEVICE_NOT_FOUND) return undefined;
      throw error;
    }
  }

  #keep(devices: Device[], test: (d: Device) => boolean, by: string): Device[] {
    const kept = devices.filter(test);
    if (kept.length < devices.length) {
      this.#logger.warn({ by, returned: devices.length, kept: kept.length }, 'Graph returned devices the query did not name; they were dropped');
    }
    return kept;
  }

  /** beta's deviceType, newer enrollment values and enroller for the kept devices: one request per 20 devices. */
  async #details(devices: Device[]): Promise<Device[]> {
    if (!this.#betaDetails || devices.length === 0) return devices;
    const fields = query({ $select: select(BETA_DETAIL_SELECT) });
    const byId = new Map<string, GraphDevice>();
    try {
      for (let i = 0; i < devices.length; i += 20) {
        const chunk = devices.slice(i, i + 20);
        const requests = chunk.map((d, n) => ({ id: String(n + 1), method: 'GET', url: `/deviceManagement/managedDevices/${encodeURIComponent(d.id)}${fields}` }));
        const { body } = await this.#http.call('POST', '/beta/$batch', { kind: 'lookup', what: 'device details (beta)', body: { requests } });
        for (const item of (body as { responses?: Array<{ status?: number; body?: GraphDevice }> })?.responses ?? []) {
          if (item.status === 200 && item.body && typeof item.body['id'] === 'string') byId.set(item.body['id'], item.body);
        }
      }
    } catch (err) {
      this.#logger.warn({ err }, 'beta device details unavailable; v1.0 fields are used');
    }
    return devices.map((d) => withDetails(d, byId.get(d.id)));
  }
}
