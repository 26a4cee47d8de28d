// What each form of query costs at ask time, counted by the local fake Graph server (every GET, every $batch
// item), through the core's resolveQuery and the real Graph backend over HTTP: the same count in a 2,000-device
// tenant and in a 100,000-device one, at most two requests, with Graph ignoring serialNumber and userId filters.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphBackend } from '../../../src/backend/graph/index.js';
import { toQuery, type Query } from '../../../src/core/commands.js';
import { resolveQuery } from '../../../src/core/resolve.js';
import type { Actor } from '../../../src/core/types.js';
import { generatedTenant, startFakeGraph, type FakeGraph, type FakeTenant } from '../../fakes/graph-server/index.js';
import { demoToGraph } from '../../fakes/graph-server/tenant.js';
import { backendOn, graphCost } from './fake-backend.js';

const helpdesk: Actor = { platform: 'console', id: 'helpdesk', email: 'helpdesk@contoso.com' };
const RT_OWNER = { id: 'aaaaaaaa-0000-4000-8000-00000000a001', userPrincipalName: 'rt.owner@contoso.com', displayName: 'RT Owner', mail: 'rt.owner@contoso.com' };

/** A user with a Windows RT tablet, a Windows 8.1 PC and an iPhone: the platforms whose lock needs the enroller, and one that does not. */
function addLegacyWindows(tenant: FakeTenant): void {
  tenant.addUser(RT_OWNER);
  const base = { model: 'Surface', manufacturer: 'Microsoft', userId: RT_OWNER.id, userPrincipalName: RT_OWNER.userPrincipalName, userDisplayName: RT_OWNER.displayName, emailAddress: RT_OWNER.mail, managementAgent: 'mdm', enrollmentType: 'userEnrollment', ownerType: 'company' as const, enrolledByUserPrincipalName: RT_OWNER.userPrincipalName, lastSyncMinutesAgo: 5 };
  const add = (n: number, name: string, fields: { operatingSystem: string; osVersion: string; deviceType: string }) =>
    tenant.add({ json: demoToGraph({ ...base, ...fields, id: `aaaaaaaa-0000-4000-8000-00000000b00${n}`, name, serialNumber: `RT-SERIAL-${n}` }), lastSyncMinutesAgo: 5, offline: false });
  add(1, 'RT-TABLET-1', { operatingSystem: 'Windows', osVersion: '6.3.9600.17031', deviceType: 'windowsRT' });
  add(2, 'FRONTDESK-W81', { operatingSystem: 'Windows', osVersion: '6.3.9600.19000', deviceType: 'desktop' });
  add(3, 'RT-OWNER-IPHONE', { operatingSystem: 'iOS', osVersion: '17.5', deviceType: 'iPhone' });
}

interface Form {
  form: string;
  query: Query;
  actor?: Actor;
  found: string[];
  cost: number;
}

function forms(tenant: FakeTenant): Form[] {
  const dev = tenant.byName.get('dev-001234')![0]!.json;
  const user = tenant.findUser('user000123@contoso.com')!;
  const usersDevices = ['DEV-000489', 'DEV-000490', 'DEV-000491', 'DEV-000492'];
  const tens = Array.from({ length: 10 }, (_, i) => `DEV-00123${i}`);
  return [
    { form: 'device id', query: toQuery(dev.id), found: ['DEV-001234'], cost: 1 },
    { form: 'exact name', query: toQuery('DEV-001234'), found: ['DEV-001234'], cost: 1 },
    { form: 'name prefix', query: toQuery('DEV-00123'), found: tens, cost: 2 },
    { form: 'serial number', query: toQuery('SN001777'), found: ['DEV-001777'], cost: 1 },
    { form: 'UPN', query: toQuery(user.userPrincipalName), found: usersDevices, cost: 1 },
    { form: 'email (a Slack @mention)', query: toQuery(user.mail), found: usersDevices, cost: 1 },
    { form: 'user:<Entra object id> (a Teams @mention)', query: toQuery(`user:${user.id}`), found: usersDevices, cost: 1 },
    { form: 'me (Teams: by object id)', query: toQuery('me'), actor: { platform: 'teams', id: '29:x', aadObjectId: user.id }, found: usersDevices, cost: 1 },
    { form: 'me (Slack: by email)', query: toQuery('me'), actor: { platform: 'slack', id: 'U1', email: user.mail }, found: usersDevices, cost: 1 },
    { form: 'unknown name (exact, then prefix)', query: toQuery('NO-SUCH-DEVICE'), found: [], cost: 2 },
    { form: 'a user with Windows RT and 8.1 devices', query: toQuery(RT_OWNER.userPrincipalName), found: ['FRONTDESK-W81', 'RT-OWNER-IPHONE', 'RT-TABLET-1'], cost: 1 },
  ];
}

async function resolveOn(backend: GraphBackend, fake: FakeGraph, f: Pick<Form, 'query' | 'actor'>) {
  fake.resetCounters();
  const resolution = await resolveQuery(backend, f.query, f.actor ?? helpdesk, { limit: 25, permit: () => true, ownOnly: false });
  if (resolution.kind !== 'devices') throw new Error(`not a device answer: ${resolution.kind}`);
  return { devices: resolution.devices, cost: graphCost(fake.counters), log: fake.requests.map((r) => `${r.method} ${r.url}`) };
}

const costs = new Map<number, Record<string, number>>();

describe.each([2_000, 100_000])('a tenant of %i devices', (size) => {
  let fake: FakeGraph;
  let backend: GraphBackend;
  beforeAll(async () => {
    const tenant = generatedTenant({ count: size });
    addLegacyWindows(tenant);
    fake = await startFakeGraph({ plainHttp: true, tenant, filterTraps: { ignoredFields: ['serialNumber', 'userId'] } });
    ({ backend } = await backendOn(fake));
    await backend.refreshInventory();
  }, 60_000);
  afterAll(async () => {
    await backend?.close();
    await fake?.close();
    await rm(fake?.tls.dir ?? '', { recursive: true, force: true });
  });

  it('every form costs what it should, finds what it should, and no single-device GET follows a list', async () => {
    const seen: Record<string, number> = {};
    for (const f of forms(fake.tenant)) {
      const { devices, cost, log } = await resolveOn(backend, fake, f);
      expect(devices.map((d) => d.name), f.form).toEqual(f.found);
      expect(cost, `${f.form}: ${log.join(' | ')}`).toBe(f.cost);
      expect(cost, f.form).toBeLessThanOrEqual(2);
      seen[f.form] = cost;
    }
    costs.set(size, seen);
  });

  it("what Lost Mode needs (supervision, Lost Mode now) comes in the same answer: one request by id, one by user", async () => {
    const byId = await resolveOn(backend, fake, { query: toQuery('aaaaaaaa-0000-4000-8000-00000000b003') });
    expect(byId.devices.map((d) => [d.name, d.isSupervised, d.lostModeState])).toEqual([['RT-OWNER-IPHONE', true, 'disabled']]);
    expect(byId.cost).toBe(1);
    const byUser = await resolveOn(backend, fake, { query: toQuery(RT_OWNER.userPrincipalName) });
    expect(byUser.devices.map((d) => [d.name, d.isSupervised, d.lostModeState])).toEqual([
      ['FRONTDESK-W81', false, 'disabled'],
      ['RT-OWNER-IPHONE', true, 'disabled'],
      ['RT-TABLET-1', false, 'disabled'],
    ]);
    expect(byUser.cost).toBe(1);
  });

  it("a Windows RT tablet and a Windows 8.1 PC carry their enroller from the list itself", async () => {
    const { devices } = await resolveOn(backend, fake, { query: toQuery(RT_OWNER.userPrincipalName) });
    expect(devices.map((d) => [d.name, d.enrolledByUserPrincipalName])).toEqual([
      ['FRONTDESK-W81', RT_OWNER.userPrincipalName],
      ['RT-OWNER-IPHONE', RT_OWNER.userPrincipalName],
      ['RT-TABLET-1', RT_OWNER.userPrincipalName],
    ]);
  });
});

describe('the cost does not depend on the tenant', () => {
  it('each form costs the same at 2,000 and at 100,000 devices', () => {
    expect(costs.get(2_000)).toBeDefined();
    expect(costs.get(100_000)).toEqual(costs.get(2_000));
  });
});
