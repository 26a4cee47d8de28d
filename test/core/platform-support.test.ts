// The platform table as shipped: every row and action, both sides of every condition, the seed's words, the schema's refusals.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findPlatformRow, platformSupportSchema, supportFor, type PlatformSupport } from '../../src/core/platform-support.js';
import type { Device, DeviceAction } from '../../src/core/types.js';
import { toDevice } from '../../src/backend/simulated/device-record.js';
import { tenantSchema } from '../../src/backend/simulated/tenant-schema.js';
import { makeDevice } from '../fakes/device.js';

const readJson = (relative: string): unknown => JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8'));
const rawTable = readJson('../../data/platform-support.json');
const table: PlatformSupport = platformSupportSchema.parse(rawTable);
const seedTables = readJson('../fixtures/seed-tables.json') as { platform: string; lock: string; resetPasscode: string }[];

interface Expected {
  supported: boolean;
  reason: string;
  temporaryPasscode: boolean;
}
const ok = (reason: string, temporaryPasscode = false): Expected => ({ supported: true, reason, temporaryPasscode });
const no = (reason: string): Expected => ({ supported: false, reason, temporaryPasscode: false });

const LOCK_OK = ok('Supported');
const WORK_PROFILE_RESET = ok('Supported for the work profile only: its passcode is reset and a temporary passcode is created.', true);
const DEVICE_RESET = ok('Supported: the device passcode is reset and a temporary passcode is created.', true);
const SAME_USER = 'Supported if the current user of the device is the same user who enrolled the device.';
const RT_UNMET = 'Not supported for this device: Windows RT can be locked only when its current user is the person who enrolled it, and lockdesk cannot confirm that here.';
const W81_UNMET = 'Not supported for this device: Windows 8.1 can be locked only when its current user is the person who enrolled it, and lockdesk cannot confirm that here.';
const ANDROID_7_UNMET = 'Not supported on Android 7.0 and later: Google removed passcode reset for device-administrator management from Android 7.0.';

const android = { operatingSystem: 'Android', osVersion: '14', deviceType: 'androidEnterprise' };
const windowsRT = { operatingSystem: 'Windows', osVersion: '6.3.9600.17031', deviceType: 'windowsRT' };
const windows81 = { operatingSystem: 'Windows', osVersion: '6.3.9600.19000', deviceType: 'desktop' };
const otherEnroller = { userPrincipalName: 'pat@contoso.com', enrolledByUserPrincipalName: 'sam@contoso.com' };

const cases: { name: string; row: string; device: Partial<Device>; lock: Expected; resetPasscode: Expected }[] = [
  {
    name: 'an Android phone that only syncs mail (EAS)',
    row: 'exchange-activesync',
    device: { operatingSystem: 'Android', osVersion: '10', deviceType: 'android', managementAgent: 'eas', enrollmentType: 'unknown' },
    lock: no('Not supported: this device only gets mail through Exchange ActiveSync and is not enrolled in Intune, so lockdesk cannot lock it.'),
    resetPasscode: no('Not supported: this device only gets mail through Exchange ActiveSync and is not enrolled in Intune, so lockdesk cannot reset its passcode.'),
  },
  {
    name: 'an iPhone that only syncs mail (EAS)',
    row: 'exchange-activesync',
    device: { operatingSystem: 'iOS', osVersion: '17.5', deviceType: 'iPhone', managementAgent: 'eas' },
    lock: no('Not supported: this device only gets mail through Exchange ActiveSync and is not enrolled in Intune, so lockdesk cannot lock it.'),
    resetPasscode: no('Not supported: this device only gets mail through Exchange ActiveSync and is not enrolled in Intune, so lockdesk cannot reset its passcode.'),
  },
  { name: 'an Android Enterprise dedicated device', row: 'android-enterprise-dedicated', device: { ...android, enrollmentType: 'androidEnterpriseDedicatedDevice', userPrincipalName: '' }, lock: LOCK_OK, resetPasscode: DEVICE_RESET },
  { name: 'an Android Enterprise fully managed device', row: 'android-enterprise-fully-managed', device: { ...android, enrollmentType: 'androidEnterpriseFullyManaged' }, lock: LOCK_OK, resetPasscode: WORK_PROFILE_RESET },
  { name: 'an Android Enterprise corporate-owned work profile', row: 'android-enterprise-corporate-work-profile', device: { ...android, enrollmentType: 'androidEnterpriseCorporateWorkProfile' }, lock: LOCK_OK, resetPasscode: WORK_PROFILE_RESET },
  {
    name: 'an Android Enterprise personally-owned work profile',
    row: 'android-enterprise-personal-work-profile',
    device: { ...android, deviceType: 'androidForWork', enrollmentType: 'userEnrollment', ownerType: 'personal' },
    lock: no('Not supported: Intune cannot lock a personally-owned Android device with a work profile.'),
    resetPasscode: WORK_PROFILE_RESET,
  },
  { name: 'an AOSP device', row: 'android-aosp', device: { ...android, osVersion: '11', deviceType: 'androidnGMS', managementAgent: 'intuneAosp' }, lock: LOCK_OK, resetPasscode: DEVICE_RESET },
  {
    name: 'an Android device administrator phone on 6.0.1',
    row: 'android-device-administrator',
    device: { operatingSystem: 'Android', osVersion: '6.0.1', deviceType: 'android', enrollmentType: 'userEnrollment' },
    lock: LOCK_OK,
    resetPasscode: ok('Supported and a temporary passcode is created.', true),
  },
  { name: 'an Android device administrator phone on 7.0', row: 'android-device-administrator', device: { operatingSystem: 'Android', osVersion: '7.0', deviceType: 'android' }, lock: LOCK_OK, resetPasscode: no(ANDROID_7_UNMET) },
  { name: 'an Android device administrator phone on 9', row: 'android-device-administrator', device: { operatingSystem: 'Android', osVersion: '9', deviceType: 'android' }, lock: LOCK_OK, resetPasscode: no(ANDROID_7_UNMET) },
  {
    name: 'an Android device administrator phone with an unreadable version',
    row: 'android-device-administrator',
    device: { operatingSystem: 'Android', osVersion: 'unknown', deviceType: 'android' },
    lock: LOCK_OK,
    resetPasscode: no(ANDROID_7_UNMET),
  },
  { name: 'an iPhone', row: 'ios-ipados', device: { operatingSystem: 'iOS', osVersion: '17.5.1', deviceType: 'iPhone' }, lock: LOCK_OK, resetPasscode: ok('Supported for clearing the passcode from a device. Does not create a new temporary passcode.') },
  { name: 'an iPad reporting iPadOS', row: 'ios-ipados', device: { operatingSystem: 'iPadOS', osVersion: '17.5', deviceType: 'iPad' }, lock: LOCK_OK, resetPasscode: ok('Supported for clearing the passcode from a device. Does not create a new temporary passcode.') },
  { name: 'an iPad reporting iOS', row: 'ios-ipados', device: { operatingSystem: 'iOS', osVersion: '12.5.7', deviceType: 'iPad' }, lock: LOCK_OK, resetPasscode: ok('Supported for clearing the passcode from a device. Does not create a new temporary passcode.') },
  { name: 'a Mac', row: 'macos', device: { operatingSystem: 'macOS', osVersion: '14.5', deviceType: 'macMDM' }, lock: LOCK_OK, resetPasscode: no('Not supported: Intune cannot reset or remove the passcode of a Mac.') },
  { name: 'a Windows Phone 8.1', row: 'windows-phone-8', device: { operatingSystem: 'Windows Phone', osVersion: '8.10.14219.341', deviceType: 'windowsPhone' }, lock: LOCK_OK, resetPasscode: ok('Supported') },
  { name: 'a Windows Phone 8', row: 'windows-phone-8', device: { operatingSystem: 'Windows', osVersion: '8.0.10521', deviceType: 'windowsPhone' }, lock: LOCK_OK, resetPasscode: ok('Supported') },
  { name: 'Windows RT enrolled by its user', row: 'windows-rt', device: windowsRT, lock: ok(SAME_USER), resetPasscode: no('Not Supported') },
  { name: 'Windows RT enrolled by its user, in other letter case', row: 'windows-rt', device: { ...windowsRT, enrolledByUserPrincipalName: 'Pat@Contoso.com' }, lock: ok(SAME_USER), resetPasscode: no('Not Supported') },
  { name: 'Windows RT enrolled by someone else', row: 'windows-rt', device: { ...windowsRT, ...otherEnroller }, lock: no(RT_UNMET), resetPasscode: no('Not Supported') },
  { name: 'Windows RT with an unknown enroller', row: 'windows-rt', device: { ...windowsRT, enrolledByUserPrincipalName: '' }, lock: no(RT_UNMET), resetPasscode: no('Not Supported') },
  { name: 'Windows 8.1 enrolled by its user', row: 'windows-8.1', device: windows81, lock: ok(SAME_USER), resetPasscode: no('Not Supported') },
  { name: 'Windows 8.1 enrolled by someone else', row: 'windows-8.1', device: { ...windows81, ...otherEnroller }, lock: no(W81_UNMET), resetPasscode: no('Not Supported') },
  { name: 'Windows 8.1 with an unknown enroller', row: 'windows-8.1', device: { ...windows81, enrolledByUserPrincipalName: '' }, lock: no(W81_UNMET), resetPasscode: no('Not Supported') },
  {
    name: 'a Windows 11 laptop',
    row: 'windows-10-11',
    device: { operatingSystem: 'Windows', osVersion: '10.0.22631.4602', deviceType: 'desktop', enrollmentType: 'windowsAzureADJoin' },
    lock: no('Not supported: Intune cannot remotely lock Windows 10 or Windows 11 devices.'),
    resetPasscode: no('Not supported: Intune cannot reset the password of Windows 10 or Windows 11 devices.'),
  },
  {
    name: 'a Windows 10 Mobile phone (not a Windows Phone 8 row)',
    row: 'windows-10-11',
    device: { operatingSystem: 'Windows', osVersion: '10.0.15063.1', deviceType: 'windowsPhone' },
    lock: no('Not supported: Intune cannot remotely lock Windows 10 or Windows 11 devices.'),
    resetPasscode: no('Not supported: Intune cannot reset the password of Windows 10 or Windows 11 devices.'),
  },
];

describe('data/platform-support.json', () => {
  describe.each(cases)('$name', ({ row, device: overrides, lock, resetPasscode }) => {
    const device = makeDevice(overrides);

    it(`matches row ${row}`, () => {
      expect(findPlatformRow(table, device)?.id).toBe(row);
    });

    it.each([
      ['lock', lock],
      ['resetPasscode', resetPasscode],
    ] as [DeviceAction, Expected][])('%s', (action, expected) => {
      const support = supportFor(table, device, action);
      expect(support.rowId).toBe(row);
      expect({ supported: support.supported, reason: support.reason, temporaryPasscode: support.temporaryPasscode }).toEqual(expected);
      // A person is told what will happen exactly when something will.
      if (expected.supported) expect(support.willHappen).toMatch(/\S/);
      else expect(support.willHappen).toBeUndefined();
    });
  });

  it('has a case above for every row', () => {
    expect(new Set(cases.map((c) => c.row))).toEqual(new Set(table.rows.map((r) => r.id)));
  });

  it('puts the Exchange ActiveSync row first, so no enrolled-device row can claim an EAS-only device', () => {
    expect(table.rows[0]?.id).toBe('exchange-activesync');
  });

  it('says before locking a Mac that its unlock PIN comes privately in chat, and not to lock it again until the PIN is used', () => {
    const support = supportFor(table, makeDevice({ operatingSystem: 'macOS', osVersion: '14.5' }), 'lock');
    expect(support.willHappen).toMatch(/six-digit unlock PIN, which lockdesk sends privately in chat, once, to the person who asked/);
    expect(support.caution).toMatch(/^Do not lock this Mac again until that PIN has been used/);
  });

  it.each(seedTables)('holds the seed tables verbatim for $platform', (seed) => {
    const row = table.rows.find((r) => r.platform === seed.platform);
    expect(row, `a row named "${seed.platform}"`).toBeDefined();
    expect(row?.sources).toContain('seed');
    expect(row?.lock.text).toBe(seed.lock);
    expect(row?.resetPasscode.text).toBe(seed.resetPasscode);
  });

  it('refuses, with a reason, a device no row matches', () => {
    const device = makeDevice({ operatingSystem: 'ChromeOS', osVersion: '125.0', deviceType: 'chromeOS' });
    for (const action of ['lock', 'resetPasscode'] as const) {
      const support = supportFor(table, device, action);
      expect(support).toMatchObject({ rowId: null, supported: false, temporaryPasscode: false });
      expect(support.reason).toBe('Not supported: lockdesk has no platform row for this device (ChromeOS 125.0 managed by mdm), so it sends nothing.');
    }
  });
});

describe('platformSupportSchema', () => {
  const copy = () => structuredClone(rawTable) as { rows: Record<string, unknown>[] };
  const problems = (value: unknown) => {
    const result = platformSupportSchema.safeParse(value);
    return result.success ? [] : result.error.issues.map((issue) => issue.message);
  };

  it('accepts the shipped table', () => {
    expect(problems(rawTable)).toEqual([]);
  });

  it('rejects a duplicate row id', () => {
    const bad = copy();
    bad.rows.push({ ...bad.rows[1]! });
    expect(problems(bad)).toContain(`duplicate row id "${String(bad.rows[1]!['id'])}"`);
  });

  it('rejects an unknown field', () => {
    const bad = copy();
    bad.rows[0]!['platfrom'] = 'typo';
    expect(problems(bad).join(' ')).toMatch(/unrecognized key/i);
  });

  it('rejects a conditional verdict without a condition', () => {
    const bad = copy();
    const rt = bad.rows.find((row) => row['id'] === 'windows-rt')!;
    delete (rt['lock'] as Record<string, unknown>)['condition'];
    expect(problems(bad)).toContain('a conditional verdict needs condition and conditionUnmet');
  });
});

describe('data/demo-tenant.json against the platform table', () => {
  const tenant = tenantSchema.parse(readJson('../../data/demo-tenant.json'));
  const devices = tenant.devices.map((record) => toDevice(record, new Date('2025-06-02T09:00:00Z')));

  it('has a device for every platform row, and no device outside the table', () => {
    const rowOf = new Map(devices.map((device) => [device.name, findPlatformRow(table, device)?.id]));
    expect([...rowOf].filter(([, row]) => row === undefined)).toEqual([]);
    expect(new Set(rowOf.values())).toEqual(new Set(table.rows.map((row) => row.id)));
  });

  it('gives alice@contoso.com devices that can and cannot be locked', () => {
    const alices = devices.filter((device) => device.userPrincipalName === 'alice@contoso.com');
    const verdicts = new Set(alices.map((device) => supportFor(table, device, 'lock').supported));
    expect(alices.length).toBeGreaterThanOrEqual(4);
    expect(verdicts).toEqual(new Set([true, false]));
  });

  it('has Windows RT devices enrolled by their user and by someone else', () => {
    const rt = devices.filter((device) => findPlatformRow(table, device)?.id === 'windows-rt');
    expect(new Set(rt.map((device) => supportFor(table, device, 'lock').supported))).toEqual(new Set([true, false]));
  });

  it('has device-administrator phones on both sides of Android 7.0', () => {
    const admin = devices.filter((device) => findPlatformRow(table, device)?.id === 'android-device-administrator');
    expect(new Set(admin.map((device) => supportFor(table, device, 'resetPasscode').supported))).toEqual(new Set([true, false]));
  });
});
