// Graph's managedDevice JSON onto the core's Device.
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

/** Beta's details over v1.0's answer; a value beta does not give leaves v1.0's in place. */
export function withDetails(device: Device, beta: GraphDevice | undefined): Device {
  if (!beta) return device;
  const pick = (key: string, current: string) => {
    const v = text(beta[key]);
    return v !== '' && v !== 'unknownFutureValue' ? v : current;
  };
  return {
    ...device,
    deviceType: pick('deviceType', device.deviceType),
    enrollmentType: pick('deviceEnrollmentType', device.enrollmentType),
    managementAgent: pick('managementAgent', device.managementAgent),
    enrolledByUserPrincipalName: pick('enrolledByUserPrincipalName', device.enrolledByUserPrincipalName),
  };
}
