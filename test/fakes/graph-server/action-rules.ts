// How the fake's devices answer each remote action once it reaches them: done, failed or notSupported, by the rules
// of the Intune docs (memdocs intune/device-management/actions/*.md), and where a located device is.
import { createHash } from 'node:crypto';
import type { FakeDevice } from './tenant.js';

export const ACTION_NAMES = ['remoteLock', 'resetPasscode', 'enableLostMode', 'disableLostMode', 'locateDevice', 'playLostModeSound'] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

/** Graph has these in beta only: v1.0 answers 404. */
export const BETA_ONLY_ACTIONS: ReadonlySet<ActionName> = new Set(['enableLostMode', 'playLostModeSound']);

export type Outcome = 'done' | 'failed' | 'notSupported';

const os = (d: FakeDevice) => String(d.json.operatingSystem).toLowerCase();
export const isAndroid = (d: FakeDevice) => os(d).includes('android');
export const isMac = (d: FakeDevice) => os(d) === 'macos';
export const isAppleMobile = (d: FakeDevice) => os(d) === 'ios' || os(d) === 'ipados';
const supervisedCorporate = (d: FakeDevice) => d.json.isSupervised === true && d.json.managedDeviceOwnerType === 'company';

/** What the device does with the action; `lostMode` is its Lost Mode when the action was received. */
export function outcomeOf(device: FakeDevice, action: ActionName, lostMode: 'enabled' | 'disabled'): Outcome {
  switch (action) {
    case 'remoteLock':
      return 'done';
    case 'resetPasscode':
      return isAndroid(device) || isAppleMobile(device) ? 'done' : 'notSupported';
    case 'enableLostMode':
      // Apple: supervised only; Intune: corporate-owned only.
      return isAppleMobile(device) && supervisedCorporate(device) ? 'done' : 'notSupported';
    case 'disableLostMode':
      // A device not in Lost Mode answers the command with an error (Apple's 12067).
      if (!isAppleMobile(device)) return 'notSupported';
      return lostMode === 'enabled' ? 'done' : 'failed';
    case 'locateDevice':
      // An iPhone or iPad reports its location only in Lost Mode; a Mac never.
      if (isAppleMobile(device)) return lostMode === 'enabled' && device.json.isSupervised === true ? 'done' : 'notSupported';
      if (isMac(device)) return 'notSupported';
      return device.locateAllowed === false ? 'notSupported' : 'done';
    case 'playLostModeSound':
      if (isAppleMobile(device)) return lostMode === 'enabled' ? 'done' : 'notSupported';
      return isAndroid(device) ? 'done' : 'notSupported';
  }
}

export interface FakeLocation {
  latitude: number;
  longitude: number;
  altitude: number;
  horizontalAccuracy: number;
  verticalAccuracy: number;
  heading: number;
  speed: number;
  lastCollectedDateTime: string;
}

/** Somewhere in Seattle, the same for a device each time it is located, and different from other devices. */
export function locationOf(deviceId: string, collectedAt: number): FakeLocation {
  const h = createHash('sha256').update(deviceId).digest();
  const spread = (byte: number) => (byte / 255 - 0.5) * 0.1;
  return {
    latitude: Number((47.6062 + spread(h[0]!)).toFixed(6)),
    longitude: Number((-122.3321 + spread(h[1]!)).toFixed(6)),
    altitude: 50 + (h[2]! % 100),
    horizontalAccuracy: 5 + (h[3]! % 60),
    verticalAccuracy: 10 + (h[4]! % 20),
    heading: 0,
    speed: 0,
    lastCollectedDateTime: new Date(collectedAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}
