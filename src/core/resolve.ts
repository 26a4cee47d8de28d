// Finds the devices a query names. Whatever the backend returns is checked again here, because a backend
// (Graph) may ignore a filter and return every device: nothing reaches a person, or an action, unless it
// matches the query on this side too.
import type { DeviceBackend, DeviceLookup } from '../ports.js';
import type { Query } from './commands.js';
import { isOwnDevice } from './policy.js';
import type { Actor, Device } from './types.js';

export type Resolution =
  | { kind: 'devices'; devices: Device[]; total: number; byUser: boolean; dropped: number }
  /** `me` from someone whose email and Entra id are both unknown. */
  | { kind: 'unknownCaller' };

const lower = (s: string) => s.trim().toLowerCase();

const lookupMatches: Record<DeviceLookup['by'], (device: Device, value: string) => boolean> = {
  id: (d, v) => d.id === v,
  serial: (d, v) => d.serialNumber !== '' && lower(d.serialNumber) === lower(v),
  name: (d, v) => lower(d.name) === lower(v),
  namePrefix: (d, v) => lower(d.name).startsWith(lower(v)),
};

export function belongsToUser(device: Device, user: string): boolean {
  const u = lower(user);
  return (device.userId !== '' && device.userId === user) || lower(device.userPrincipalName) === u || (device.emailAddress !== '' && lower(device.emailAddress) === u);
}

function dedupe(devices: Device[]): Device[] {
  const seen = new Set<string>();
  return devices.filter((d) => (seen.has(d.id) ? false : (seen.add(d.id), true)));
}

export interface ResolveOptions {
  maxListed: number;
}

export async function resolveQuery(backend: DeviceBackend, query: Query, actor: Actor, options: ResolveOptions): Promise<Resolution> {
  let returned: Device[];
  let kept: Device[];
  let byUser = false;
  switch (query.kind) {
    case 'me': {
      const who = actor.email ?? actor.aadObjectId;
      if (!who) return { kind: 'unknownCaller' };
      returned = await backend.listUserDevices(who);
      kept = returned.filter((d) => isOwnDevice(d, actor));
      byUser = true;
      break;
    }
    case 'user': {
      if (query.user.trim() === '') return { kind: 'devices', devices: [], total: 0, byUser: true, dropped: 0 };
      returned = await backend.listUserDevices(query.user);
      kept = returned.filter((d) => belongsToUser(d, query.user));
      byUser = true;
      break;
    }
    case 'deviceId': {
      returned = await backend.findDevices({ by: 'id', value: query.id });
      kept = returned.filter((d) => lookupMatches.id(d, query.id));
      break;
    }
    case 'text': {
      // An empty value is never sent: a backend may treat an empty filter as no filter at all.
      if (query.text.trim() === '') return { kind: 'devices', devices: [], total: 0, byUser: false, dropped: 0 };
      ({ returned, kept } = await findByText(backend, query.text));
      break;
    }
  }
  const devices = dedupe(kept);
  const sorted = [...devices].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return {
    kind: 'devices',
    devices: sorted.slice(0, options.maxListed),
    total: sorted.length,
    byUser,
    dropped: returned.length - kept.length,
  };
}

/** Id, then serial number, then exact name, then name prefix: the first form that finds anything wins. */
async function findByText(backend: DeviceBackend, text: string): Promise<{ returned: Device[]; kept: Device[] }> {
  const order: DeviceLookup['by'][] = ['id', 'serial', 'name', 'namePrefix'];
  let returned: Device[] = [];
  for (const by of order) {
    const found = await backend.findDevices({ by, value: text });
    returned = returned.concat(found);
    const kept = found.filter((d) => lookupMatches[by](d, text));
    if (kept.length > 0) return { returned, kept };
  }
  return { returned, kept: [] };
}

