// Finds the devices a query names that the caller may see. Whatever the backend returns is checked again here,
// because a backend (Graph) may ignore a filter and return every device: nothing reaches a person, or an action,
// unless it matches the query and the policy on this side too.
import type { DeviceBackend, DeviceLookup, LookupOptions } from '../ports.js';
import type { Query } from './commands.js';
import { isOwnDevice } from './policy.js';
import { fold, storableFields } from './text.js';
import type { Actor, Device } from './types.js';

export type Resolution =
  | {
      kind: 'devices';
      /** What the caller may see, sorted, at most the limit (a user's devices: all of them). */
      devices: Device[];
      /** More permitted devices match than `devices` holds (only for queries that are cut at the limit). */
      more: boolean;
      byUser: boolean;
      /** Devices the backend returned that the query did not name (dropped, and logged). */
      dropped: number;
      /**
       * For the audit only: when nothing was permitted, devices that match but are not the caller's. The caller is
       * told "nothing matches" either way, so lockdesk is no oracle of what exists.
       */
      hidden: Device[];
    }
  /** The caller's devices were asked for, but neither their Entra object id nor their email is known. */
  | { kind: 'unknownCaller' };

const lookupMatches: Record<DeviceLookup['by'], (device: Device, value: string) => boolean> = {
  id: (d, v) => d.id === v.trim(),
  serial: (d, v) => d.serialNumber !== '' && fold(d.serialNumber) === fold(v),
  name: (d, v) => fold(d.name) === fold(v),
  namePrefix: (d, v) => fold(d.name).startsWith(fold(v)),
};
const TEXT_FORMS: DeviceLookup['by'][] = ['id', 'serial', 'name', 'namePrefix'];

export function belongsToUser(device: Device, user: string): boolean {
  const u = fold(user);
  return (device.userId !== '' && fold(device.userId) === u) || fold(device.userPrincipalName) === u || (device.emailAddress !== '' && fold(device.emailAddress) === u);
}

export interface ResolveOptions {
  /** Most devices shown for a device query (id, serial, name, prefix); one more is asked for, to know of more. */
  limit: number;
  /** Whether the policy lets the caller see this device. */
  permit: (device: Device) => boolean;
  /** The caller may act on their own devices only: the query is answered from among those. */
  ownOnly: boolean;
}

/** The caller's own identity for a listing of their devices: the immutable Entra object id first. */
const callerKey = (actor: Actor) => actor.aadObjectId ?? actor.email;

export async function resolveQuery(backend: DeviceBackend, query: Query, actor: Actor, options: ResolveOptions): Promise<Resolution> {
  if ((query.kind === 'text' && query.text.trim() === '') || (query.kind === 'user' && query.user.trim() === '')) return found([], [], false, 0, query.kind === 'user');
  if (query.kind === 'me' || options.ownOnly) {
    const who = callerKey(actor);
    if (!who) return { kind: 'unknownCaller' };
    const own = await backend.listUserDevices(who, { keep: (d) => isOwnDevice(d, actor) && options.permit(d) });
    const mine = own.filter((d) => isOwnDevice(d, actor) && options.permit(d));
    if (query.kind === 'me') return found(mine, [], false, own.length - mine.length, true);
    const matched = matchWithin(mine, query);
    const hidden = matched.length === 0 ? await probe(backend, query) : [];
    return limited(matched, options.limit, query.kind === 'user', own.length - mine.length, hidden);
  }
  const keep = (match: (d: Device) => boolean) => (d: Device) => match(d) && options.permit(d);
  switch (query.kind) {
    case 'user': {
      const match = (d: Device) => belongsToUser(d, query.user);
      const returned = await backend.listUserDevices(query.user, { keep: keep(match) });
      const kept = returned.filter(keep(match));
      return found(kept, [], false, returned.length - kept.length, true);
    }
    case 'deviceId': {
      const match = (d: Device) => lookupMatches.id(d, query.id);
      const returned = await backend.findDevices({ by: 'id', value: query.id }, { keep: keep(match), limit: 1 });
      const kept = returned.filter(keep(match));
      return found(kept, [], false, returned.length - kept.length, false);
    }
    case 'text': {
      let dropped = 0;
      // Id, then serial number, then exact name, then name prefix: the first form that finds anything wins.
      for (const by of TEXT_FORMS) {
        const match = (d: Device) => lookupMatches[by](d, query.text);
        // One more than is shown, to know there are more; details only for those shown.
        const returned = await backend.findDevices({ by, value: query.text }, { keep: keep(match), limit: options.limit + 1, detailsFor: options.limit });
        const kept = returned.filter(keep(match));
        dropped += returned.length - kept.length;
        if (kept.length > 0) return limited(kept, options.limit, false, dropped, []);
      }
      return found([], [], false, dropped, false);
    }
  }
}

/** A query answered from a list already in hand (the caller's own devices). */
function matchWithin(devices: Device[], query: Exclude<Query, { kind: 'me' }>): Device[] {
  switch (query.kind) {
    case 'user':
      return devices.filter((d) => belongsToUser(d, query.user));
    case 'deviceId':
      return devices.filter((d) => lookupMatches.id(d, query.id));
    case 'text':
      for (const by of TEXT_FORMS) {
        const hits = devices.filter((d) => lookupMatches[by](d, query.text));
        if (hits.length > 0) return hits;
      }
      return [];
  }
}

/** Whether something the caller may not see matches, for the audit's true reason: one device, no details. */
async function probe(backend: DeviceBackend, query: Exclude<Query, { kind: 'me' }>): Promise<Device[]> {
  const one: LookupOptions = { limit: 1, details: false };
  switch (query.kind) {
    case 'user':
      return (await backend.listUserDevices(query.user, { ...one, keep: (d) => belongsToUser(d, query.user) })).filter((d) => belongsToUser(d, query.user));
    case 'deviceId':
      return (await backend.findDevices({ by: 'id', value: query.id }, one)).filter((d) => lookupMatches.id(d, query.id));
    case 'text': {
      // Every form, whatever the first finds: the work (and so the time to answer) must not tell "exists" apart.
      const hits: Device[] = [];
      for (const by of TEXT_FORMS) {
        const match = (d: Device) => lookupMatches[by](d, query.text);
        hits.push(...(await backend.findDevices({ by, value: query.text }, { ...one, keep: match })).filter(match));
      }
      return [...new Map(hits.map((d) => [d.id, d])).values()];
    }
  }
}

const byName = (a: Device, b: Device) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

/** One of each device, with text a store can keep: an odd device name never blocks a confirmation. */
function dedupe(devices: Device[]): Device[] {
  const seen = new Set<string>();
  return devices.filter((d) => (seen.has(d.id) ? false : (seen.add(d.id), true))).map(storableFields);
}

function found(devices: Device[], hidden: Device[], more: boolean, dropped: number, byUser: boolean): Resolution {
  return { kind: 'devices', devices: dedupe(devices).sort(byName), more, byUser, dropped, hidden };
}

/**
 * A device query's answer, cut at the limit in the backend's order (the devices it gave details for), then sorted;
 * a user's devices are never cut (an action on all of them means all).
 */
function limited(devices: Device[], limit: number, byUser: boolean, dropped: number, hidden: Device[]): Resolution {
  const all = dedupe(devices);
  if (byUser) return { kind: 'devices', devices: all.sort(byName), more: false, byUser, dropped, hidden };
  return { kind: 'devices', devices: all.slice(0, limit).sort(byName), more: all.length > limit, byUser, dropped, hidden };
}
