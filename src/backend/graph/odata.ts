// Building Graph URLs: $select lists, $filter values that cannot change the filter's meaning, id checks.

/** Intune managed-device ids are GUIDs; anything else is not looked up by id at all. */
export const isGuid = (value: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value.trim());

/** An OData string literal: quoted, with every quote doubled. Keywords inside it are just text. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The fields the core needs that v1.0 has (see device-map.ts). */
export const DEVICE_SELECT = [
  'id',
  'deviceName',
  'model',
  'manufacturer',
  'operatingSystem',
  'osVersion',
  'serialNumber',
  'userId',
  'userPrincipalName',
  'userDisplayName',
  'emailAddress',
  'managementAgent',
  'deviceEnrollmentType',
  'managedDeviceOwnerType',
  'lastSyncDateTime',
  'isSupervised',
] as const;

/**
 * The same from beta, plus what only beta has (deviceType, the enroller, lostModeState). Beta's deviceEnrollmentType
 * and managementAgent also have the newer values (androidEnterprise…, intuneAosp) that v1.0's enums lack. By the
 * docs the beta list serves all of these; the fields a list leaves at their defaults (udid, iccid, notes,
 * hardwareInformation, …) are none lockdesk reads, and should a list leave out the one it cannot do without,
 * enroller.ts reads it by id.
 */
export const BETA_SELECT = [...DEVICE_SELECT, 'deviceType', 'enrolledByUserPrincipalName', 'lostModeState'] as const;

/** The inventory index needs little. */
export const INVENTORY_SELECT = ['id', 'serialNumber'] as const;

export const MANAGED_DEVICES = '/v1.0/deviceManagement/managedDevices';

export type GraphVersion = 'v1.0' | 'beta';

/** A query string from parts; every value is percent-encoded ($ and , stay readable). */
export function query(params: Record<string, string | undefined>): string {
  const parts = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%2C/g, ',').replace(/%24/g, '$')}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

export const select = (fields: readonly string[]) => fields.join(',');
