// A Mac's remote lock, through the real Graph backend against the local fake Graph server (demo tenant): the
// six-digit unlock PIN comes from beta's deviceActionResults once the lock is done, as a Secret, and is never logged;
// no other device's lock costs a beta read.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/core/types.js';
import { REPO_ROOT } from '../../console/run-console.js';
import { demoTenant, startFakeGraph, type FakeGraph } from '../../fakes/graph-server/index.js';
import { backendOn } from './fake-backend.js';

const MACBOOK = '7ea3b497-e237-439a-97ac-5e9518b64122'; // Alice's MacBook Pro
const IPHONE = 'fade5b38-a6b5-4f75-8515-21271ddd86c2'; // Alice's iPhone

const started: FakeGraph[] = [];
afterAll(async () => {
  for (const f of started) {
    await f.close();
    await rm(f.tls.dir, { recursive: true, force: true });
  }
});

describe("a Mac's unlock PIN from Graph", () => {
  it('is read from beta once the lock is done, handed over as a Secret and written to no log', async () => {
    // The fake's own clock, moved by hand: the lock settles when the test says, not when a busy machine gets there.
    let now = Date.now();
    const fake = await startFakeGraph({ plainHttp: true, actionSettleMs: 100, now: () => now, tenant: await demoTenant(join(REPO_ROOT, 'data/demo-tenant.json')) });
    started.push(fake);
    const { backend, logger } = await backendOn(fake);
    expect(await backend.dispatch('lock', [MACBOOK, IPHONE])).toEqual([
      { deviceId: MACBOOK, ok: true },
      { deviceId: IPHONE, ok: true },
    ]);
    expect(fake.passcodes).toHaveLength(1); // the fake gives only the Mac a PIN
    const pin = fake.passcodes[0]!;
    expect(pin).toMatch(/^\d{6}$/);

    fake.resetCounters();
    const pending = await backend.getActionStatus(MACBOOK, 'lock');
    expect(pending.state).toBe('pending');
    expect(pending).not.toHaveProperty('unlockPin');
    now += 150;
    const done = await backend.getActionStatus(MACBOOK, 'lock');
    expect(done.state).toBe('done');
    expect(done.unlockPin).toBeInstanceOf(Secret);
    expect(done.unlockPin?.reveal()).toBe(pin);
    expect(JSON.stringify(done)).not.toContain(pin);
    const iphone = await backend.getActionStatus(IPHONE, 'lock');
    expect(iphone.state).toBe('done');
    expect(iphone).not.toHaveProperty('unlockPin');

    // v1.0 for each read, and beta only for the Mac's finished lock.
    const reads = fake.requests.filter((r) => r.kind === 'read').map((r) => r.url.replace(/\?.*$/, ''));
    expect(reads).toEqual([
      `/v1.0/deviceManagement/managedDevices/${MACBOOK}`,
      `/v1.0/deviceManagement/managedDevices/${MACBOOK}`,
      `/beta/deviceManagement/managedDevices/${MACBOOK}`,
      `/v1.0/deviceManagement/managedDevices/${IPHONE}`,
    ]);
    await backend.close();
    expect(logger.text).not.toContain(pin);
  });
});
