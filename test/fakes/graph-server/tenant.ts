// The fake's tenant: managed devices held as Graph's managedDevice JSON, indexed by id, name, serial number and
// user, so that the fake's own filter evaluation stays fast with 100k devices. Seeded from the demo tenant or
// generated.
import { readFile } from 'node:fs/promises';

/** A managedDevice as Graph returns it (every property, both versions); beta-only ones are dropped for v1.0. */
export type ManagedDeviceJson = Record<string, unknown> & { id: string; deviceName: string };

export interface FakeUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  mail: string;
}

export interface FakeDevice {
  json: ManagedDeviceJson;
  /** Minutes before "now" of the last check-in, so lastSyncDateTime is computed when read. */
  lastSyncMinutesAgo: number;
  /** Never checks in: its actions stay pending. */
  offline: boolean;
  /** false: the device cannot report where it is (Android without the Locate device setting, Windows with location off). */
  locateAllowed?: boolean;
}

export const BETA_ONLY_FIELDS = new Set(['deviceType', 'ownerType', 'managementState', 'enrolledByUserPrincipalName', 'lostModeState']);

/**
 * Fields Graph's list answers leave at their defaults; only a GET by id (with $select) gives their values. Source:
 * the beta managedDevice resource page ("Default, is Null … when returned as part of managedDevice entity in LIST
 * call"), and for enrollmentProfileName microsoft-graph-docs-contrib#1455. Everything else is served in a list.
 */
export const LIST_DEFAULTS: Readonly<Record<string, unknown>> = {
  activationLockBypassCode: null,
  ethernetMacAddress: null,
  iccid: '',
  udid: '',
  notes: null,
  physicalMemoryInBytes: 0,
  enrollmentProfileName: null,
};

const fold = (s: string) => s.normalize('NFC').toLowerCase();

function push<K>(map: Map<K, FakeDevice[]>, key: K, device: FakeDevice): void {
  const list = map.get(key);
  if (list) list.push(device);
  else map.set(key, [device]);
}

export class FakeTenant {
  readonly devices: FakeDevice[] = [];
  readonly users = new Map<string, FakeUser>();
  readonly byId = new Map<string, FakeDevice>();
  readonly byName = new Map<string, FakeDevice[]>();
  readonly bySerial = new Map<string, FakeDevice[]>();
  /** By folded UPN, email and user id. */
  readonly byUser = new Map<string, FakeDevice[]>();
  readonly #usersByKey = new Map<string, FakeUser>();

  addUser(user: FakeUser): void {
    this.users.set(user.id, user);
    this.#usersByKey.set(user.id, user);
    this.#usersByKey.set(fold(user.userPrincipalName), user);
  }

  /** A user by Entra object id or UPN (case-insensitive), as /users/{id | UPN} resolves it. */
  findUser(idOrUpn: string): FakeUser | undefined {
    return this.#usersByKey.get(idOrUpn) ?? this.#usersByKey.get(fold(idOrUpn));
  }

  add(device: FakeDevice): void {
    const j = device.json;
    if (this.byId.has(j.id)) throw new Error(`duplicate device id ${j.id}`);
    this.devices.push(device);
    this.byId.set(j.id, device);
    push(this.byName, fold(j.deviceName), device);
    push(this.bySerial, fold(String(j.serialNumber ?? '')), device);
    const keys = new Set([fold(String(j.userPrincipalName ?? '')), fold(String(j.emailAddress ?? '')), String(j.userId ?? '')]);
    for (const key of keys) if (key !== '') push(this.byUser, key, device);
  }

  devicesOfUser(user: FakeUser): FakeDevice[] {
    return (this.byUser.get(user.id) ?? []).filter((d) => d.json.userId === user.id);
  }
}

interface DemoDevice {
  id: string;
  name: string;
  model: string;
  manufacturer: string;
  operatingSystem: string;
  osVersion: string;
  deviceType: string;
  serialNumber: string;
  userId: string;
  userPrincipalName: string;
  userDisplayName: string;
  emailAddress: string;
  managementAgent: string;
  enrollmentType: string;
  ownerType: 'company' | 'personal' | 'unknown';
  enrolledByUserPrincipalName: string;
  lastSyncMinutesAgo: number;
  offline?: boolean;
  isSupervised?: boolean;
  lostModeState?: 'enabled' | 'disabled';
  locateAllowed?: boolean;
}

/** The demo tenant's record as Graph's managedDevice JSON. */
export function demoToGraph(d: DemoDevice): ManagedDeviceJson {
  return {
    id: d.id,
    deviceName: d.name,
    managedDeviceName: `${d.userPrincipalName.split('@')[0] || 'device'}_${d.operatingSystem}_${d.id.slice(0, 8)}`,
    model: d.model,
    manufacturer: d.manufacturer,
    operatingSystem: d.operatingSystem,
    osVersion: d.osVersion,
    serialNumber: d.serialNumber,
    imei: '',
    userId: d.userId,
    userPrincipalName: d.userPrincipalName,
    userDisplayName: d.userDisplayName,
    emailAddress: d.emailAddress,
    managedDeviceOwnerType: d.ownerType,
    managementAgent: d.managementAgent,
    deviceEnrollmentType: d.enrollmentType,
    complianceState: 'compliant',
    // Graph always says: false for what is not Apple; a demo record that does not say is a supervised iPhone or iPad.
    isSupervised: d.isSupervised ?? (d.operatingSystem === 'iOS' || d.operatingSystem === 'iPadOS'),
    enrolledDateTime: '2024-09-02T08:00:00Z',
    azureADDeviceId: d.id.split('').reverse().join(''),
    // Given only on a GET by id (LIST_DEFAULTS).
    ethernetMacAddress: d.id.replace(/-/g, '').slice(0, 12).toUpperCase(),
    udid: /^(iOS|iPadOS|macOS)$/.test(d.operatingSystem) ? d.id.replace(/-/g, '').toUpperCase() : '',
    notes: `asset ${d.serialNumber}`,
    physicalMemoryInBytes: 8 * 1024 ** 3,
    enrollmentProfileName: d.ownerType === 'company' ? 'Corporate' : '',
    // beta only
    deviceType: d.deviceType,
    ownerType: d.ownerType,
    managementState: 'managed',
    enrolledByUserPrincipalName: d.enrolledByUserPrincipalName,
    // Before any Lost Mode action; the fake's actions change it once they settle (graph-routes.ts render()).
    lostModeState: d.lostModeState ?? 'disabled',
  };
}

/** data/demo-tenant.json as a fake tenant. */
export async function demoTenant(file: string): Promise<FakeTenant> {
  const seed = JSON.parse(await readFile(file, 'utf8')) as { users: FakeUser[]; devices: DemoDevice[] };
  const tenant = new FakeTenant();
  for (const user of seed.users) tenant.addUser(user);
  for (const d of seed.devices) {
    tenant.add({ json: demoToGraph(d), lastSyncMinutesAgo: d.lastSyncMinutesAgo, offline: d.offline === true, ...(d.locateAllowed !== undefined ? { locateAllowed: d.locateAllowed } : {}) });
  }
  return tenant;
}

export interface GeneratedTenantOptions {
  /** Devices spread over ordinary users, `perUser` each (default 4). */
  count: number;
  perUser?: number;
  /** One extra user owning this many lockable iPhones, e.g. the bulk-lock bench's 600. */
  bulkUser?: { userPrincipalName: string; devices: number };
}

const pad = (n: number) => String(n).padStart(6, '0');
const guid = (kind: number, n: number) => `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const PLATFORMS = [
  { operatingSystem: 'iOS', deviceType: 'iPhone', model: 'iPhone 15', manufacturer: 'Apple', enrollment: 'appleBulkWithUser', osVersion: '17.5' },
  { operatingSystem: 'Android', deviceType: 'androidEnterprise', model: 'Pixel 8', manufacturer: 'Google', enrollment: 'androidEnterpriseFullyManaged', osVersion: '14' },
  { operatingSystem: 'macOS', deviceType: 'macMDM', model: 'MacBook Air', manufacturer: 'Apple', enrollment: 'appleBulkWithUser', osVersion: '14.5' },
  { operatingSystem: 'Windows', deviceType: 'desktop', model: 'Surface Laptop', manufacturer: 'Microsoft', enrollment: 'windowsAzureADJoin', osVersion: '10.0.22631' },
] as const;

/**
 * N devices named DEV-000001…, serials SN000001…, owners user000001@contoso.com…; built in memory in one pass.
 * The bulk user's devices are named BULK-000001… and are all iPhones (lockable).
 */
export function generatedTenant(options: GeneratedTenantOptions): FakeTenant {
  const tenant = new FakeTenant();
  const perUser = options.perUser ?? 4;
  const device = (n: number, name: string, serial: string, user: FakeUser, p: (typeof PLATFORMS)[number]): FakeDevice => ({
    json: demoToGraph({
      id: guid(1, n), name, model: p.model, manufacturer: p.manufacturer, operatingSystem: p.operatingSystem, osVersion: p.osVersion,
      deviceType: p.deviceType, serialNumber: serial, userId: user.id, userPrincipalName: user.userPrincipalName, userDisplayName: user.displayName,
      emailAddress: user.mail, managementAgent: 'mdm', enrollmentType: p.enrollment, ownerType: 'company', enrolledByUserPrincipalName: user.userPrincipalName,
      lastSyncMinutesAgo: 0,
    }),
    lastSyncMinutesAgo: (n * 7) % 600,
    offline: false,
  });
  let user: FakeUser | undefined;
  for (let i = 0; i < options.count; i += 1) {
    if (i % perUser === 0) {
      const u = Math.floor(i / perUser) + 1;
      user = { id: guid(2, u), userPrincipalName: `user${pad(u)}@contoso.com`, displayName: `User ${pad(u)}`, mail: `user${pad(u)}@contoso.com` };
      tenant.addUser(user);
    }
    tenant.add(device(i + 1, `DEV-${pad(i + 1)}`, `SN${pad(i + 1)}`, user!, PLATFORMS[i % PLATFORMS.length]!));
  }
  if (options.bulkUser) {
    const upn = options.bulkUser.userPrincipalName;
    const bulk: FakeUser = { id: guid(3, 1), userPrincipalName: upn, displayName: 'Bulk Owner', mail: upn };
    tenant.addUser(bulk);
    for (let i = 0; i < options.bulkUser.devices; i += 1) {
      tenant.add(device(options.count + i + 1, `BULK-${pad(i + 1)}`, `BK${pad(i + 1)}`, bulk, PLATFORMS[0]));
    }
  }
  return tenant;
}
