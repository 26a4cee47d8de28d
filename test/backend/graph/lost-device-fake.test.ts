// The lost-device playbook through the real Graph backend against the local fake Graph server (demo tenant), the
// fake's clock moved by hand: Lost Mode on a supervised iPhone (its text as sent, lostModeState once it settles), a
// locate whose location comes back as a Secret and is logged nowhere, the sound, Lost Mode off, and a sign-out of
// the owner read back from Entra ID.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/core/types.js';
import { REPO_ROOT } from '../../console/run-console.js';
import { DEFAULT_ROLES, demoTenant, REVOKE_SESSIONS_ROLE, startFakeGraph, USER_READ_ROLE, type FakeGraph } from '../../fakes/graph-server/index.js';
import { backendOn } from './fake-backend.js';

const DANA = '08361645-9c42-4615-aff9-5a06c062de01'; // Dana's iPhone 15: supervised, not in Lost Mode
const JUDY = '80031875-9d8c-4cde-a2a9-66de8dd3bee4'; // Judy's iPhone 13: not supervised
const TEXT = { message: 'This iPhone is lost. Please call Contoso IT.', phoneNumber: '+1 425 555 0100', footer: 'Contoso IT' };
const SETTLE_MS = 1_000;

const started: FakeGraph[] = [];
afterAll(async () => {
  for (const f of started) {
    await f.close();
    await rm(f.tls.dir, { recursive: true, force: true });
  }
});

async function setUp(roles = DEFAULT_ROLES) {
  let now = Date.now();
  const fake = await startFakeGraph({ plainHttp: true, actionSettleMs: SETTLE_MS, now: () => now, roles, tenant: await demoTenant(join(REPO_ROOT, 'data/demo-tenant.json')) });
  started.push(fake);
  const { backend, logger } = await backendOn(fake);
  return { fake, backend, logger, settle: () => (now += SETTLE_MS), now: () => now };
}

describe('the lost-device actions through Graph (fake server)', () => {
  it('Lost Mode, locate, sound and Lost Mode off on a supervised iPhone; an unsupervised one reports notSupported', async () => {
    const { fake, backend, logger, settle } = await setUp();
    expect((await backend.getDevice(DANA))).toMatchObject({ isSupervised: true, lostModeState: 'disabled' });

    const parameters = new Map([DANA, JUDY].map((d) => [d, { lostMode: TEXT }]));
    expect(await backend.dispatch('enableLostMode', [DANA, JUDY], { parameters })).toEqual([{ deviceId: DANA, ok: true }, { deviceId: JUDY, ok: true }]);
    expect(fake.writes.map((w) => [w.deviceId, w.action, w.version, w.via, w.body])).toEqual([
      [DANA, 'enableLostMode', 'beta', 'batch', TEXT],
      [JUDY, 'enableLostMode', 'beta', 'batch', TEXT],
    ]);
    expect((await backend.getActionStatus(DANA, 'enableLostMode')).state).toBe('pending');
    expect((await backend.getDevice(DANA))?.lostModeState).toBe('disabled');
    settle();
    expect((await backend.getActionStatus(DANA, 'enableLostMode')).state).toBe('done');
    expect((await backend.getActionStatus(JUDY, 'enableLostMode')).state).toBe('notSupported');
    const reread = new Map((await backend.getDevices([DANA, JUDY])).map((d) => [d.id, d.lostModeState]));
    expect([reread.get(DANA), reread.get(JUDY)]).toEqual(['enabled', 'disabled']);

    expect(await backend.dispatch('locateDevice', [DANA])).toEqual([{ deviceId: DANA, ok: true }]);
    expect((await backend.getActionStatus(DANA, 'locateDevice'))).not.toHaveProperty('location');
    settle();
    const found = await backend.getActionStatus(DANA, 'locateDevice');
    expect(found.state).toBe('done');
    expect(found.location).toBeInstanceOf(Secret);
    const place = fake.locations[0]!;
    expect(found.location!.reveal()).toContain(`${place.latitude.toFixed(5)}, ${place.longitude.toFixed(5)}`);

    expect(await backend.dispatch('playLostModeSound', [DANA])).toEqual([{ deviceId: DANA, ok: true }]);
    expect(await backend.dispatch('disableLostMode', [DANA])).toEqual([{ deviceId: DANA, ok: true }]);
    settle();
    expect((await backend.getActionStatus(DANA, 'playLostModeSound')).state).toBe('done');
    expect((await backend.getActionStatus(DANA, 'disableLostMode')).state).toBe('done');
    expect((await backend.getDevice(DANA))?.lostModeState).toBe('disabled');
    expect(fake.writes.slice(2).map((w) => [w.action, w.version])).toEqual([['locateDevice', 'v1.0'], ['playLostModeSound', 'beta'], ['disableLostMode', 'v1.0']]);

    await backend.close();
    const lat = place.latitude.toFixed(3);
    expect(logger.text).not.toContain(lat);
    expect(logger.text).not.toContain(String(place.latitude));
  });

  it('a locate on an iPhone not in Lost Mode settles notSupported, with no location', async () => {
    const { backend, settle } = await setUp();
    expect(await backend.dispatch('locateDevice', [DANA])).toEqual([{ deviceId: DANA, ok: true }]);
    settle();
    expect(await backend.getActionStatus(DANA, 'locateDevice')).not.toHaveProperty('location');
    expect((await backend.getActionStatus(DANA, 'locateDevice')).state).toBe('notSupported');
  });

  it("signOut: the owner's sessions revoked in Entra ID and read back as done as of then; without the role, a 403 naming it", async () => {
    const { fake, backend, now } = await setUp([...DEFAULT_ROLES, REVOKE_SESSIONS_ROLE, USER_READ_ROLE]);
    const dana = (await backend.getDevice(DANA))!;
    expect((await backend.getActionStatus(DANA, 'signOut')).startedAt).toBe('2024-09-02T08:00:00Z');
    const sentAt = now();
    expect(await backend.dispatch('signOut', [DANA], { parameters: new Map([[DANA, { userId: dana.userId }]]) })).toEqual([{ deviceId: DANA, ok: true }]);
    expect(fake.revocations.map((r) => [r.userId, r.version, r.via])).toEqual([[dana.userId, 'v1.0', 'direct']]);
    const status = await backend.getActionStatus(DANA, 'signOut');
    expect(status.state).toBe('done');
    expect(Date.parse(status.startedAt!)).toBeGreaterThanOrEqual(Math.floor(sentAt / 1000) * 1000);
    expect(fake.writes).toEqual([]);

    const { backend: withoutRole } = await setUp();
    const [refused] = await withoutRole.dispatch('signOut', [DANA], { parameters: new Map([[DANA, { userId: dana.userId }]]) });
    expect(!refused!.ok && refused!.error.describe()).toContain('User.RevokeSessions.All');
  });
});
