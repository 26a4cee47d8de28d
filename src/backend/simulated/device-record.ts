// Turning the tenant file's device records into Devices, and finding them the way Graph's filters would.
import type { Device } from '../../core/types.js';
import type { DeviceLookup } from '../../ports.js';
import type { TenantDevice } from './tenant-schema.js';

const MINUTE_MS = 60_000;

/**
 * Maps a record onto Device field by field, so the file's extra fields (offline, locateAllowed, …) never leak into
 * the core. `lostModeState`: the device's Lost Mode now, when finished actions changed the file's.
 */
export function toDevice(record: TenantDevice, now: Date, lostModeState = record.lostModeState): Device {
  const device: Device = {
    id: record.id,
    name: record.name,
    model: record.model,
    manufacturer: record.manufacturer,
    operatingSystem: record.operatingSystem,
    osVersion: record.osVersion,
    deviceType: record.deviceType,
    serialNumber: record.serialNumber,
    userId: record.userId,
    userPrincipalName: record.userPrincipalName,
    userDisplayName: record.userDisplayName,
    emailAddress: record.emailAddress,
    managementAgent: record.managementAgent,
    enrollmentType: record.enrollmentType,
    ownerType: record.ownerType,
    // Relative to now on every read, so the demo's devices never all look weeks out of date.
    lastSyncDateTime: new Date(now.getTime() - record.lastSyncMinutesAgo * MINUTE_MS).toISOString(),
    enrolledByUserPrincipalName: record.enrolledByUserPrincipalName,
  };
  // Absent stays absent (Intune does not say), so the core's conditions treat it as unknown.
  if (record.isSupervised !== undefined) device.isSupervised = record.isSupervised;
  if (lostModeState !== undefined) device.lostModeState = lostModeState;
  return device;
}

// NFC first: "Zoë" typed on one keyboard may arrive decomposed from another.
const fold = (text: string) => text.normalize('NFC').toLowerCase();

/** The records a direct lookup names; an empty value names nothing (Graph would return every device). */
export function lookupRecords(records: readonly TenantDevice[], lookup: DeviceLookup): TenantDevice[] {
  const wanted = fold(lookup.value.trim());
  if (wanted === '') return [];
  switch (lookup.by) {
    case 'id':
      return records.filter((record) => record.id === lookup.value.trim());
    case 'serial':
      return records.filter((record) => fold(record.serialNumber) === wanted);
    case 'name':
      return records.filter((record) => fold(record.name) === wanted);
    case 'namePrefix':
      return records.filter((record) => fold(record.name).startsWith(wanted));
  }
}

/** A user's records by UPN, email or Entra object id, all compared case-insensitively. */
export function userRecords(records: readonly TenantDevice[], user: string): TenantDevice[] {
  const wanted = fold(user.trim());
  if (wanted === '') return [];
  return records.filter((record) => [record.userPrincipalName, record.emailAddress, record.userId].some((value) => fold(value) === wanted));
}
