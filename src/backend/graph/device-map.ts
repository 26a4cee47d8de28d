// Graph's managedDevice JSON (beta or v1.0: the names are the same; beta has more of them) onto the core's Device.
import type { Device } from '../../core/types.js';

export type GraphDevice = Record<string, unknown>;

const text = (v: unknown) => (typeof v === 'string' ? v : '');

function ownerType(v: unknown): Device['ownerType'] {
  return v === 'company' || v === 'personal' ? v : 'unknown';
}

export function toDevice(raw: GraphDevice): Device {
  return {
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
}
