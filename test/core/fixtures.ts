// Devices for handler tests, each matching a real platform row.
import type { Device } from '../../src/core/types.js';
import { makeDevice } from '../fakes/device.js';

const pat = { userId: 'aad-pat', userPrincipalName: 'pat@contoso.com', emailAddress: 'pat@contoso.com', userDisplayName: 'Pat Doe', enrolledByUserPrincipalName: 'pat@contoso.com' };
const sam = { userId: 'aad-sam', userPrincipalName: 'sam@contoso.com', emailAddress: 'sam@contoso.com', userDisplayName: 'Sam Roe', enrolledByUserPrincipalName: 'sam@contoso.com' };

export const patIphone = makeDevice({ ...pat, id: 'dev-pat-iphone', name: "Pat's iPhone", operatingSystem: 'iOS', osVersion: '17.5', deviceType: 'iPhone', model: 'iPhone 15', manufacturer: 'Apple', serialNumber: 'F2LXK1N72Q' });
export const patPixel = makeDevice({ ...pat, id: 'dev-pat-pixel', name: "Pat's Pixel", operatingSystem: 'Android', osVersion: '14', deviceType: 'androidEnterprise', enrollmentType: 'androidEnterpriseFullyManaged', serialNumber: '3A091FDJG00A4K' });
export const patLaptop = makeDevice({ ...pat, id: 'dev-pat-laptop', name: 'PAT-LAPTOP', operatingSystem: 'Windows', osVersion: '10.0.22631.4602', deviceType: 'desktop', serialNumber: 'PF3X53AB' });
export const patMac = makeDevice({ ...pat, id: 'dev-pat-mac', name: "Pat's MacBook", operatingSystem: 'macOS', osVersion: '14.5', deviceType: 'macMDM', model: 'MacBook Air', manufacturer: 'Apple', serialNumber: 'C02PATMAC1' });
export const samIphone = makeDevice({ ...sam, id: 'dev-sam-iphone', name: "Sam's iPhone", operatingSystem: 'iOS', osVersion: '16.7', deviceType: 'iPhone', serialNumber: 'DNPXK2SAM1' });
export const samStale = makeDevice({ ...sam, id: 'dev-sam-old', name: "Sam's old Galaxy", operatingSystem: 'Android', osVersion: '13', deviceType: 'androidEnterprise', enrollmentType: 'androidEnterpriseCorporateWorkProfile', serialNumber: 'R58SAMOLD9', lastSyncDateTime: '2025-05-01T09:00:00.000Z' });

export function kiosks(count: number): Device[] {
  return Array.from({ length: count }, (_, i) =>
    makeDevice({ id: `dev-kiosk-${String(i + 1).padStart(2, '0')}`, name: `Kiosk-${String(i + 1).padStart(2, '0')}`, operatingSystem: 'Android', osVersion: '13', deviceType: 'androidEnterprise', enrollmentType: 'androidEnterpriseDedicatedDevice', userId: '', userPrincipalName: '', emailAddress: '', userDisplayName: '', serialNumber: `KIOSK${i + 1}` }),
  );
}

export const all = (): Device[] => [patIphone, patPixel, patLaptop, samIphone, samStale].map((d) => ({ ...d }));

/** `count` devices of one person: Android dedicated devices, every `windowsEvery`-th a Windows laptop (no lock). */
export function fleetOf(count: number, owner = 'fleet@contoso.com', windowsEvery = 0): Device[] {
  const who = { userId: `aad-${owner}`, userPrincipalName: owner, emailAddress: owner, userDisplayName: 'Fleet Owner', enrolledByUserPrincipalName: owner };
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(4, '0');
    return windowsEvery > 0 && (i + 1) % windowsEvery === 0
      ? makeDevice({ ...who, id: `dev-fleet-${n}`, name: `FLEET-PC-${n}`, operatingSystem: 'Windows', osVersion: '10.0.22631.4602', deviceType: 'desktop', serialNumber: `PC${n}` })
      : makeDevice({ ...who, id: `dev-fleet-${n}`, name: `Fleet-${n}`, operatingSystem: 'Android', osVersion: '13', deviceType: 'androidEnterprise', enrollmentType: 'androidEnterpriseDedicatedDevice', serialNumber: `FLEET${n}` });
  });
}
