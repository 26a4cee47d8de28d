// Graph's managedDevice JSON (beta or v1.0: the names are the same; beta has more of them) onto the core's Device.
import type { Device } from '../../core/types.js';

export type GraphDevice = Record<string, unknown>;

const text = (v: unknown) => (typeof v === 'string' ? v : '');

function ownerType(v: unknown): Device['ownerType'] {
  return v === 'company' || v === 'personal' ? v : 'unknown';
}

/** Graph's lostModeState (beta): only its two known values; anything else says nothing. */
function lostModeState(v: unknown): Device['lostModeState'] {
  return v === 'enabled' || v === 'disabled' ? v : undefined;
}

export function toDevice(raw: GraphDevice): Device {
  const device: Device = {
    id: text(raw['id']),
    name: text(raw['deviceName']),
    model: text(raw['model']),
    manufacturer: text(raw['manufacturer']),
    operatingSystem: text(raw['operatingSystem']),
    osVersion: text(raw['osVersion']),
    deviceType: text(raw['deviceType']),
    serialNumber: text(raw['serialNumber']),
    userId: text(raw['userId']),
    userPrincipalName: text(raw['userPrincipalName']),
    userDisplayName: text(raw['userDisplayName']),
    emailAddress: text(raw['emailAddress']),
    managementAgent: text(raw['managementAgent']),
    enrollmentType: text(raw['deviceEnrollmentType']),
    ownerType: ownerType(raw['managedDeviceOwnerType'] ?? raw['ownerType']),
    lastSyncDateTime: text(raw['lastSyncDateTime']),
    enrolledByUserPrincipalName: text(raw['enrolledByUserPrincipalName']),
  };
  // Absent unless Graph says: the core then cannot confirm what Lost Mode needs, which is the safe answer.
  if (typeof raw['isSupervised'] === 'boolean') device.isSupervised = raw['isSupervised'];
  const lostMode = lostModeState(raw['lostModeState']);
  if (lostMode) device.lostModeState = lostMode;
  return device;
}
