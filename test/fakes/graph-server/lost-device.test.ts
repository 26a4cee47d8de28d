// The fake's lost-device endpoints at the wire level (HTTPS, the fake's own clock moved by hand): Lost Mode and its
// sound in beta only (404 on v1.0), Lost Mode's body checked as Intune does and lostModeState changed once the action
// settles, a locate's deviceLocation, $batch items with a body needing their own Content-Type, and Entra's
// revokeSignInSessions moving the user's signInSessionsValidFromDateTime.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../console/run-console.js';
import { httpsFetch, type WireRequest } from './https-client.js';
import { createSelfSignedCert, DEFAULT_ROLES, demoTenant, REVOKE_SESSIONS_ROLE, startFakeGraph, USER_READ_ROLE, type FakeGraph, type FakeGraphOptions, type TlsMaterial } from './index.js';

const DEMO = join(REPO_ROOT, 'data/demo-tenant.json');
const DANA = '08361645-9c42-4615-aff9-5a06c062de01'; // supervised iPhone, not in Lost Mode
const IVAN = '204c80f5-34f6-409e-bd28-deb41b0ad76f'; // supervised iPhone in Lost Mode
const PIXEL = 'b81932d9-5f28-46a6-827b-e543324eadb8';
const ALICE = '40e5033a-6a45-4dfc-9591-46507a0387db';
const TEXT = { message: 'Lost. Please call Contoso IT.', phoneNumber: '+1 425 555 0100', footer: 'Contoso IT' };
const SETTLE_MS = 1_000;

let tls: TlsMaterial;
const started: FakeGraph[] = [];
beforeAll(async () => {
  tls = await createSelfSignedCert();
});
afterAll(async () => {
  await Promise.all(started.map((f) => f.close()));
  await rm(tls.dir, { recursive: true, force: true });
});

/** A fake on the demo tenant whose clock moves only when `settle()` is called. */
async function fake(options: FakeGraphOptions = {}) {
  let now = Date.now();
  const f = await startFakeGraph({ tls, tenant: await demoTenant(DEMO), actionSettleMs: SETTLE_MS, now: () => now, ...options });
  started.push(f);
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: f.clientId, client_secret: f.clientSecret, scope: `${f.url}/.default` });
  const token = (await httpsFetch(`${f.url}/${f.tenantId}/oauth2/v2.0/token`, tls.cert, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() })).json().access_token as string;
  const call = (path: string, init: WireRequest & { json?: unknown } = {}) =>
    httpsFetch(`${f.url}${path}`, tls.cert, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
    });
  return { f, call, settle: () => (now += SETTLE_MS), now: () => now };
}

const device = (id: string, version = 'beta') => `/${version}/deviceManagement/managedDevices/${id}`;

describe('the fake: Lost Mode, locate and the sound', () => {
  it('Lost Mode and its sound are beta only: v1.0 answers 404 and records nothing', async () => {
    const { f, call } = await fake();
    expect((await call(`${device(DANA, 'v1.0')}/enableLostMode`, { method: 'POST', json: TEXT })).status).toBe(404);
    expect((await call(`${device(DANA, 'v1.0')}/playLostModeSound`, { method: 'POST' })).status).toBe(404);
    expect((await call(`${device(DANA, 'v1.0')}/disableLostMode`, { method: 'POST' })).status).toBe(204);
    expect(f.writes.map((w) => w.action)).toEqual(['disableLostMode']);
  });

  it('enableLostMode: an empty body, unknown fields or no message and no phone number get Intune\'s opaque 400', async () => {
    const { f, call } = await fake();
    for (const json of [undefined, {}, { ...TEXT, title: 'x' }, { message: ' ', phoneNumber: '', footer: 'x' }]) {
      const r = await call(`${device(DANA)}/enableLostMode`, { method: 'POST', ...(json !== undefined ? { json } : {}) });
      expect(r.status).toBe(400);
      expect(r.json().error.message).toContain('"_version":3');
    }
    expect(f.writes).toEqual([]);
  });

  it('enableLostMode on a supervised iPhone: pending, then done, and only then lostModeState enabled (beta only); the text is recorded', async () => {
    const { f, call, settle } = await fake();
    expect((await call(`${device(DANA)}/enableLostMode`, { method: 'POST', json: TEXT })).status).toBe(204);
    expect(f.writes).toMatchObject([{ deviceId: DANA, action: 'enableLostMode', version: 'beta', via: 'direct', body: TEXT }]);
    const read = async (version = 'beta') => (await call(`${device(DANA, version)}?$select=id,deviceActionResults${version === 'beta' ? ',lostModeState' : ''}`)).json();
    expect(await read()).toMatchObject({ lostModeState: 'disabled', deviceActionResults: [{ actionName: 'enableLostMode', actionState: 'pending' }] });
    expect((await read()).deviceActionResults[0]).not.toHaveProperty('@odata.type');
    settle();
    expect(await read()).toMatchObject({ lostModeState: 'enabled', deviceActionResults: [{ actionName: 'enableLostMode', actionState: 'done' }] });
    expect(await read('v1.0')).not.toHaveProperty('lostModeState');
    expect((await call(`${device(DANA, 'v1.0')}?$select=id,lostModeState`)).status).toBe(400);
  });

  it('locate in Lost Mode: a deviceLocation once done (v1.0 can be made to leave it null); not in Lost Mode: notSupported', async () => {
    const { f, call, settle } = await fake({ locationInV1: false });
    for (const id of [IVAN, DANA]) expect((await call(`${device(id, 'v1.0')}/locateDevice`, { method: 'POST' })).status).toBe(204);
    const result = async (id: string, version: string) => (await call(`${device(id, version)}?$select=deviceActionResults`)).json().deviceActionResults[0];
    expect(await result(IVAN, 'beta')).toMatchObject({ '@odata.type': '#microsoft.graph.locateDeviceActionResult', actionState: 'pending', deviceLocation: null });
    settle();
    const done = await result(IVAN, 'beta');
    expect(done).toMatchObject({ actionName: 'locateDevice', actionState: 'done', deviceLocation: f.locations[0] });
    expect(done.deviceLocation).toMatchObject({ latitude: expect.any(Number), longitude: expect.any(Number), horizontalAccuracy: expect.any(Number), lastCollectedDateTime: expect.any(String) });
    expect((await result(IVAN, 'v1.0')).deviceLocation).toBeNull();
    expect(await result(DANA, 'beta')).toMatchObject({ actionState: 'notSupported', deviceLocation: null });
    expect(f.locations).toHaveLength(1);
  });

  it('disableLostMode: done for a device in Lost Mode (lostModeState disabled once settled), failed for one that is not; the sound on Android', async () => {
    const { call, settle } = await fake();
    for (const id of [IVAN, DANA]) expect((await call(`${device(id)}/disableLostMode`, { method: 'POST' })).status).toBe(204);
    expect((await call(`${device(PIXEL)}/playLostModeSound`, { method: 'POST' })).status).toBe(204);
    settle();
    const read = async (id: string) => (await call(`${device(id)}?$select=lostModeState,deviceActionResults`)).json();
    expect(await read(IVAN)).toMatchObject({ lostModeState: 'disabled', deviceActionResults: [{ actionName: 'disableLostMode', actionState: 'done' }] });
    expect(await read(DANA)).toMatchObject({ lostModeState: 'disabled', deviceActionResults: [{ actionName: 'disableLostMode', actionState: 'failed' }] });
    expect((await read(PIXEL)).deviceActionResults).toMatchObject([{ actionName: 'playLostModeSound', actionState: 'done' }]);
  });

  it('$batch: an item with a body needs its own Content-Type (400 without), and then counts as a write with its text', async () => {
    const { f, call } = await fake();
    const item = (id: string, headers?: Record<string, string>) => ({ id, method: 'POST', url: `/deviceManagement/managedDevices/${DANA}/enableLostMode`, body: TEXT, ...(headers ? { headers } : {}) });
    const r = await call('/beta/$batch', { method: 'POST', json: { requests: [item('1'), item('2', { 'Content-Type': 'application/json' })] } });
    const byId = new Map(r.json<{ responses: Array<{ id: string; status: number; body?: any }> }>().responses.map((x) => [x.id, x]));
    expect(byId.get('1')!.status).toBe(400);
    expect(byId.get('1')!.body.error.message).toContain('Content-Type');
    expect(byId.get('2')!.status).toBe(204);
    expect(f.writes).toMatchObject([{ action: 'enableLostMode', via: 'batch', body: TEXT }]);
  });
});

describe("the fake: Entra ID's sign-in sessions", () => {
  const both = [...DEFAULT_ROLES, REVOKE_SESSIONS_ROLE, USER_READ_ROLE];

  it('revokeSignInSessions: 200 value true, the time moved to now (to the second), shown only when $select names it; not a device write', async () => {
    const { f, call, now } = await fake({ roles: both });
    const validFrom = async () => (await call(`/v1.0/users/${ALICE}?$select=signInSessionsValidFromDateTime`)).json().signInSessionsValidFromDateTime as string;
    expect(await validFrom()).toBe('2024-09-02T08:00:00Z');
    expect((await call(`/v1.0/users/${ALICE}`)).json()).not.toHaveProperty('signInSessionsValidFromDateTime');
    const revoke = await call('/v1.0/users/alice%40contoso.com/revokeSignInSessions', { method: 'POST' });
    expect(revoke.status).toBe(200);
    expect(revoke.json()).toMatchObject({ value: true });
    expect(Date.parse(await validFrom())).toBe(Math.floor(now() / 1000) * 1000);
    expect(f.revocations).toMatchObject([{ userId: ALICE, version: 'v1.0', via: 'direct' }]);
    expect(f.writes).toEqual([]);
    expect((await call('/v1.0/users/nobody%40contoso.com/revokeSignInSessions', { method: 'POST' })).status).toBe(404);
  });

  it('403 without User.RevokeSessions.All, and for the read without User.Read.All', async () => {
    const { f, call } = await fake();
    const denied = await call(`/v1.0/users/${ALICE}/revokeSignInSessions`, { method: 'POST' });
    expect(denied.status).toBe(403);
    expect(denied.json().error.message).toContain(REVOKE_SESSIONS_ROLE);
    expect((await call(`/v1.0/users/${ALICE}?$select=signInSessionsValidFromDateTime`)).status).toBe(403);
    expect(f.revocations).toEqual([]);
  });
});
