// Who enrolled a Windows 8.1 or Windows RT device decides whether it may be locked. The list carries the enroller;
// when a list leaves it out (the fake's listNulls: as Graph does for udid, notes, … ), only a device of those
// platforms is read by id for it. Against the local fake Graph server with the demo tenant, through resolveQuery,
// and checked with the real platform table.
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { needsEnroller } from '../../../src/backend/graph/enroller.js';
import { toQuery } from '../../../src/core/commands.js';
import { findPlatformRow, platformSupportSchema, supportFor, type PlatformRow } from '../../../src/core/platform-support.js';
import { resolveQuery } from '../../../src/core/resolve.js';
import type { Device } from '../../../src/core/types.js';
import { REPO_ROOT } from '../../console/run-console.js';
import { demoTenant, startFakeGraph, type FakeGraph, type FakeGraphOptions } from '../../fakes/graph-server/index.js';
import { backendOn, graphCost } from './fake-backend.js';

const table = platformSupportSchema.parse(JSON.parse(readFileSync(join(REPO_ROOT, 'data/platform-support.json'), 'utf8')));
const started: FakeGraph[] = [];
afterAll(async () => {
  for (const f of started) {
    await f.close();
    await rm(f.tls.dir, { recursive: true, force: true });
  }
});

async function ask(options: FakeGraphOptions, text: string) {
  const fake = await startFakeGraph({ plainHttp: true, tenant: await demoTenant(join(REPO_ROOT, 'data/demo-tenant.json')), ...options });
  started.push(fake);
  const { backend } = await backendOn(fake);
  await backend.refreshInventory(); // in the background in a running lockdesk, not at ask time
  fake.resetCounters();
  const resolution = await resolveQuery(backend, toQuery(text), { platform: 'console', id: 'helpdesk' }, { limit: 25, permit: () => true, ownOnly: false });
  await backend.close();
  if (resolution.kind !== 'devices') throw new Error(resolution.kind);
  const byName = new Map(resolution.devices.map((d) => [d.name, d]));
  return { fake, byName, cost: graphCost(fake.counters), singleReads: fake.counters.batchItems + fake.requests.filter((r) => /managedDevices\/[0-9a-f-]{36}/.test(r.url)).length };
}

const lock = (d: Device | undefined) => supportFor(table, d!, 'lock');
const LIST_LEAVES_ENROLLER_OUT: FakeGraphOptions = { listNulls: ['enrolledByUserPrincipalName'] };

describe('the enroller of a Windows 8.1 / RT device', () => {
  it('comes from the list itself: no device is read by id', async () => {
    const { byName, cost, singleReads } = await ask({}, 'dave@contoso.com');
    expect(cost).toBe(1);
    expect(singleReads).toBe(0);
    expect(byName.get('SURFACE-RT-02')?.enrolledByUserPrincipalName).toBe('dave@contoso.com');
    expect(lock(byName.get('SURFACE-RT-02')).supported).toBe(true);
  });

  it('when the list leaves it out, a Windows RT tablet is read by id for it; the phones of the same user are not', async () => {
    const { byName, cost, singleReads } = await ask(LIST_LEAVES_ENROLLER_OUT, 'dave@contoso.com');
    expect([...byName.keys()].sort()).toEqual(["Dave's Galaxy S9 (mail only)", 'Lumia 640', 'SURFACE-RT-02']);
    expect(singleReads).toBe(1);
    expect(cost).toBe(2);
    expect(byName.get('SURFACE-RT-02')?.enrolledByUserPrincipalName).toBe('dave@contoso.com');
    expect(lock(byName.get('SURFACE-RT-02')).supported).toBe(true);
    // Not read: the list's empty enroller stays (a Windows Phone and an Android phone do not need it).
    expect(byName.get('Lumia 640')?.enrolledByUserPrincipalName).toBe('');
    expect(byName.get("Dave's Galaxy S9 (mail only)")?.enrolledByUserPrincipalName).toBe('');
  });

  it('when the list leaves it out, a Windows 8.1 PC is read by id for it; the iPad beside it is not', async () => {
    const { byName, cost, singleReads } = await ask(LIST_LEAVES_ENROLLER_OUT, 'heidi@contoso.com');
    expect(singleReads).toBe(1);
    expect(cost).toBe(2);
    expect(byName.get('FRONTDESK-W81')?.enrolledByUserPrincipalName).toBe('heidi@contoso.com');
    expect(lock(byName.get('FRONTDESK-W81'))).toMatchObject({ rowId: 'windows-8.1', supported: true });
    expect(byName.get('iPad (3)')?.enrolledByUserPrincipalName).toBe('');
  });

  it('read by id, it is the real enroller: a tablet enrolled by someone else stays refused', async () => {
    const { byName, cost } = await ask(LIST_LEAVES_ENROLLER_OUT, 'SURFACE-RT-01');
    expect(cost).toBe(2);
    expect(byName.get('SURFACE-RT-01')?.enrolledByUserPrincipalName).toBe('bob@contoso.com');
    expect(lock(byName.get('SURFACE-RT-01'))).toMatchObject({ rowId: 'windows-rt', supported: false, reason: expect.stringContaining('cannot confirm') });
  });

  it('a user without such devices costs one request even when the list leaves enrollers out', async () => {
    const { byName, cost, singleReads } = await ask(LIST_LEAVES_ENROLLER_OUT, 'alice@contoso.com');
    expect(byName.size).toBe(4);
    expect(singleReads).toBe(0);
    expect(cost).toBe(1);
  });
});

/** A device that matches the row, built from the first value of each of its match fields. */
function representative(row: PlatformRow): Device {
  const m = row.match;
  return {
    id: '00000000-0000-4000-8000-000000000001', name: row.id, model: '', manufacturer: '', serialNumber: '', userId: '', userPrincipalName: '', userDisplayName: '', emailAddress: '',
    lastSyncDateTime: '', enrolledByUserPrincipalName: '',
    operatingSystem: m.operatingSystem?.[0] ?? '', deviceType: m.deviceType?.[0] ?? '', managementAgent: m.managementAgent?.[0] ?? '', enrollmentType: m.enrollmentType?.[0] ?? '',
    ownerType: m.ownerType?.[0] ?? 'company', osVersion: m.osVersion?.from ?? '1.0',
  };
}

describe('which devices are read for their enroller follows the platform table', () => {
  it.each(table.rows.map((row) => [row.id, row] as const))('%s', (_id, row) => {
    const device = representative(row);
    expect(findPlatformRow(table, device)?.id).toBe(row.id);
    const dependsOnEnroller = [row.lock, row.resetPasscode].some((v) => v.condition?.kind === 'sameUserAsEnroller');
    expect(needsEnroller(device)).toBe(dependsOnEnroller);
  });
});
