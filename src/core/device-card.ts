// The device card: what a person sees of a device before and after acting on it.
import type { PlatformSupport, Support } from './platform-support.js';
import { supportFor } from './platform-support.js';
import type { DeviceCard } from './reply.js';
import { ACTION_WORDS } from './action-words.js';
import { type Device, type DeviceAction } from './types.js';

export const STALE_AFTER_DAYS = 7;
const DAY_MS = 86_400_000;

export function timeAgo(then: Date, now: Date): string {
  const seconds = Math.round((now.getTime() - then.getTime()) / 1000);
  if (Number.isNaN(seconds)) return 'never';
  if (seconds < 60) return 'just now';
  const units: Array<[number, string]> = [
    [60 * 60 * 24, 'day'],
    [60 * 60, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of units) {
    if (seconds >= size) {
      const n = Math.floor(seconds / size);
      return `${n} ${name}${n === 1 ? '' : 's'} ago`;
    }
  }
  return 'just now';
}

export function daysSinceCheckIn(device: Device, now: Date): number {
  const last = Date.parse(device.lastSyncDateTime);
  return Number.isNaN(last) ? Infinity : (now.getTime() - last) / DAY_MS;
}

export function actionLabel(action: DeviceAction, support?: Support): string {
  return support?.label ?? ACTION_WORDS[action].label;
}

/** Always on a card, supported or not: what the product began with, and what a person asks first. */
const ALWAYS_SHOWN: readonly DeviceAction[] = ['lock', 'resetPasscode'];
/** On a card only where supported: a card of an unsupervised iPhone need not list four things it cannot do. */
const SHOWN_WHEN_SUPPORTED: readonly DeviceAction[] = ['enableLostMode', 'disableLostMode', 'locateDevice', 'playLostModeSound'];

/** Builds the card; with `action`, the card also says what that action will do and warns where it should. */
export function deviceCard(device: Device, table: PlatformSupport, now: Date, action?: DeviceAction): DeviceCard {
  const listed = [...ALWAYS_SHOWN, ...SHOWN_WHEN_SUPPORTED.filter((a) => a === action || supportFor(table, device, a).supported)];
  if (action && !listed.includes(action)) listed.push(action);
  const supports = listed.map((a) => ({ action: a, support: supportFor(table, device, a) }));
  const first = supports[0]!.support;
  const card: DeviceCard = {
    id: device.id,
    name: device.name,
    model: [device.manufacturer, device.model].filter(Boolean).join(' ') || 'unknown model',
    os: [device.operatingSystem, device.osVersion].filter(Boolean).join(' ') || 'unknown OS',
    owner: device.userDisplayName ? `${device.userDisplayName} (${device.userPrincipalName})` : device.userPrincipalName || 'no user',
    serialTail: device.serialNumber ? `…${device.serialNumber.slice(-4)}` : 'none',
    lastCheckIn: device.lastSyncDateTime,
    lastCheckInAgo: timeAgo(new Date(device.lastSyncDateTime), now),
    platform: first.platform,
    managementMode: first.mode,
    support: supports.map(({ action: a, support }) => ({ action: a, supported: support.supported, text: support.reason })),
    cautions: [],
  };
  if (action) {
    const support = supports.find((s) => s.action === action)!.support;
    if (support.supported && support.willHappen) card.willHappen = support.willHappen;
    if (support.supported && support.caution) card.cautions.push(support.caution);
  }
  const days = daysSinceCheckIn(device, now);
  if (days > STALE_AFTER_DAYS) {
    const when = Number.isFinite(days) ? `${Math.floor(days)} days ago` : 'at an unknown time';
    card.cautions.push(`This device last checked in ${when}: an action waits in Intune until the device checks in again.`);
  }
  return card;
}
