// What Intune makes of an action sent to a device: a refusal of the request (nothing recorded, nothing changes), or
// the state the action will settle in. Whether the platform supports it is the core's business (its rows); this is
// what Intune itself checks when it receives the request and when the device answers.
import { ERROR_CODES, LockdeskError } from '../../core/errors.js';
import type { ActionParameters, DeviceAction } from '../../core/types.js';
import type { ActionOutcome, TenantDevice, TenantUser } from './tenant-schema.js';

export type IntuneVerdict = { accepted: true; outcome: ActionOutcome } | { accepted: false; error: LockdeskError };

/** The device as the rules need it: its record, and its Lost Mode now (finished actions included). */
export interface DeviceNow {
  record: TenantDevice;
  lostModeState: 'enabled' | 'disabled' | undefined;
}

const is = (value: string, ...names: string[]) => names.some((name) => value.trim().toLowerCase() === name.toLowerCase());
const settles = (outcome: ActionOutcome): IntuneVerdict => ({ accepted: true, outcome });

function refused(deviceId: string, action: DeviceAction, why: string, userMessage: string): IntuneVerdict {
  return { accepted: false, error: new LockdeskError(ERROR_CODES.REFUSED, `Simulated tenant refused ${action} for device ${deviceId}: ${why}`, { userMessage }) };
}

/** Apple lets a device enter Lost Mode only when it is supervised; Intune offers it only on corporate devices. */
function enableLostMode({ record }: DeviceNow, parameters: ActionParameters | undefined): IntuneVerdict {
  const text = parameters?.lostMode;
  if (!text || (text.message.trim() === '' && text.phoneNumber.trim() === '')) {
    return refused(record.id, 'enableLostMode', 'no message and no phone number', 'Intune refused Lost Mode: the lock screen needs a message or a phone number. Nothing was sent to this device.');
  }
  if (!is(record.operatingSystem, 'iOS', 'iPadOS')) return settles('notSupported');
  return settles(record.isSupervised === true && record.ownerType === 'company' ? 'done' : 'notSupported');
}

function locateDevice(device: DeviceNow): IntuneVerdict {
  const { record } = device;
  // An iPhone or iPad reports its location only in Lost Mode; a Mac never.
  if (is(record.operatingSystem, 'iOS', 'iPadOS')) return settles(device.lostModeState === 'enabled' ? 'done' : 'notSupported');
  if (is(record.operatingSystem, 'macOS')) return settles('notSupported');
  return settles(record.locateAllowed === false ? 'notSupported' : 'done');
}

function playLostModeSound(device: DeviceNow): IntuneVerdict {
  const { record } = device;
  if (is(record.operatingSystem, 'iOS', 'iPadOS')) return settles(device.lostModeState === 'enabled' ? 'done' : 'notSupported');
  // The Intune app plays it on Android; nothing else has a lost-mode sound.
  return settles(is(record.operatingSystem, 'Android') ? 'done' : 'notSupported');
}

/** signOut revokes the sessions of the user lockdesk names (the device's owner as it re-read it), in Entra ID. */
function signOut(record: TenantDevice, parameters: ActionParameters | undefined, users: readonly TenantUser[]): IntuneVerdict {
  const userId = parameters?.userId?.trim() ?? '';
  if (userId === '') return refused(record.id, 'signOut', 'no user named', 'There is no user to sign out: lockdesk named none, so nothing was sent.');
  if (!users.some((user) => user.id === userId)) {
    return refused(record.id, 'signOut', `no user with id ${userId}`, 'Microsoft Entra ID has no such user any more, so no one was signed out.');
  }
  return settles('done');
}

export function intuneVerdict(action: DeviceAction, device: DeviceNow, parameters: ActionParameters | undefined, users: readonly TenantUser[]): IntuneVerdict {
  switch (action) {
    case 'lock':
    case 'resetPasscode':
      return settles('done');
    case 'enableLostMode':
      return enableLostMode(device, parameters);
    case 'disableLostMode':
      // Nothing to turn off unless the device is in Lost Mode now: the device answers with a failure.
      if (!is(device.record.operatingSystem, 'iOS', 'iPadOS')) return settles('notSupported');
      return settles(device.lostModeState === 'enabled' ? 'done' : 'failed');
    case 'locateDevice':
      return locateDevice(device);
    case 'playLostModeSound':
      return playLostModeSound(device);
    case 'signOut':
      return signOut(device.record, parameters, users);
  }
}
