// The fake Graph + Entra server at the wire level: what a client sees over HTTPS, so that the end-to-end test and
// the bench can trust it. Plain requests (node:https with the fake's CA), plus the real MSAL in a child process.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createHash, X509Certificate } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, TSX } from '../../console/run-console.js';
import { httpsFetch, type WireRequest } from './https-client.js';
import { createSelfSignedCert, demoTenant, generatedTenant, PRIVILEGED_ROLE, READ_ROLE, startFakeGraph, type FakeGraph, type FakeGraphOptions, type TlsMaterial } from './index.js';

const DEMO = join(REPO_ROOT, 'data/demo-tenant.json');
const PIXEL = 'b81932d9-5f28-46a6-827b-e543324eadb8';
const IPHONE = 'fade5b38-a6b5-4f75-8515-21271ddd86c2';
const ALICE_LAPTOP = '339244d1-bc02-474c-bfd5-d3cb6a8cd9ec';
const DEMO_COUNT = (JSON.parse(readFileSync(DEMO, 'utf8')) as { devices: unknown[] }).devices.length;
let tls: TlsMaterial;
const started: FakeGraph[] = [];

beforeAll(async () => {
  tls = await createSelfSignedCert();
});
afterAll(async () => {
  await Promise.all(started.map((f) => f.close()));
  await rm(tls.dir, { recursive: true, force: true });
});

async function fake(options: FakeGraphOptions = {}): Promise<FakeGraph> {
  const f = await startFakeGraph({ tls, tenant: await demoTenant(DEMO), ...options });
  started.push(f);
  return f;
}

const call = (f: FakeGraph, path: string, init: WireRequest = {}) => httpsFetch(path.startsWith('https:') ? path : `${f.url}${path}`, tls.cert, init);

async function token(f: FakeGraph, form: Record<string, string> = {}) {
  return call(f, `/${f.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: f.clientId, client_secret: f.clientSecret, scope: `${f.url}/.default`, ...form }).toString(),
  });
}

async function bearer(f: FakeGraph): Promise<Record<string, string>> {
  const t = await token(f);
  return { authorization: `Bearer ${t.json<{ access_token: string }>().access_token}` };
}

const q = (s: string) => encodeURIComponent(s);

describe('the Entra side', () => {
  it('serves OpenID metadata naming its own token endpoint, and instance discovery', async () => {
    const f = await fake();
    const meta = await call(f, `/${f.tenantId}/v2.0/.well-known/openid-configuration`);
    expect(meta.status).toBe(200);
    expect(meta.json()).toMatchObject({ token_endpoint: `${f.url}/${f.tenantId}/oauth2/v2.0/token`, issuer: `${f.url}/${f.tenantId}/v2.0`, jwks_uri: expect.any(String), authorization_endpoint: expect.any(String) });
    const discovery = await call(f, `/common/discovery/instance?api-version=1.1&authorization_endpoint=${q(`${f.url}/${f.tenantId}/oauth2/v2.0/authorize`)}`);
    expect(discovery.json().metadata[0].aliases).toEqual([new URL(f.url).host]);
    expect(f.counters.metadata).toBe(2);
  });

  it('issues a JWT-looking token with the configured roles for a client secret, and refuses bad requests Entra-style', async () => {
    const f = await fake();
    const ok = await token(f);
    expect(ok.status).toBe(200);
    const body = ok.json<{ token_type: string; expires_in: number; access_token: string }>();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
    const payload = JSON.parse(Buffer.from(body.access_token.split('.')[1]!, 'base64url').toString('utf8'));
    expect(payload.roles).toEqual([READ_ROLE, PRIVILEGED_ROLE]);
    expect(ok.headers['request-id']).toMatch(/^[0-9a-f-]{36}$/);

    const wrongSecret = await token(f, { client_secret: 'nope' });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.json()).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
    const badScope = await token(f, { scope: 'DeviceManagementManagedDevices.Read.All' });
    expect(badScope.json()).toMatchObject({ error: 'invalid_scope', error_codes: [1002012] });
    expect(f.counters.token).toBe(3);
  });

  it('is what the real MSAL reads: metadata, then a token (secret and certificate), cached on the second ask', async () => {
    const probe = async (f: FakeGraph, extra: Record<string, string> = {}) => {
      const { stdout } = await promisify(execFile)(TSX, ['test/fakes/graph-server/msal-probe.ts'], { cwd: REPO_ROOT, env: { ...process.env, ...f.env(), ...extra } });
      return JSON.parse(stdout.trim().split('\n').at(-1)!);
    };
    const f = await fake();
    expect(await probe(f)).toMatchObject({ ok: true, roles: [READ_ROLE, PRIVILEGED_ROLE], cached: true });
    expect(f.counters).toMatchObject({ metadata: 1, token: 1, other: 0 });

    // A certificate credential: the assertion is checked against the registered certificate.
    const certified = await fake({ clientCertificatePem: tls.cert });
    const thumbprint = createHash('sha256').update(new X509Certificate(tls.cert).raw).digest('hex');
    expect(await probe(certified, { PROBE_PRIVATE_KEY: tls.key, PROBE_THUMBPRINT: thumbprint })).toMatchObject({ ok: true });
    const other = await createSelfSignedCert();
    expect(await probe(certified, { PROBE_PRIVATE_KEY: other.key, PROBE_THUMBPRINT: thumbprint })).toMatchObject({ ok: false });
    await rm(other.dir, { recursive: true, force: true });
  }, 30_000);
});

describe('Graph reads', () => {
  it('401s without a token, with an unknown one and with an expired one; every response has a request-id', async () => {
    let now = Date.now();
    const f = await fake({ now: () => now, tokenLifetimeSeconds: 60 });
    const none = await call(f, '/v1.0/deviceManagement/managedDevices');
    expect(none.status).toBe(401);
    expect(none.json().error.code).toBe('InvalidAuthenticationToken');
    expect(none.json().error.innerError['request-id']).toBe(none.headers['request-id']);
    expect((await call(f, '/v1.0/deviceManagement/managedDevices', { headers: { authorization: 'Bearer abc.def.ghi' } })).status).toBe(401);
    const auth = await bearer(f);
    expect((await call(f, '/v1.0/deviceManagement/managedDevices', { headers: auth })).status).toBe(200);
    now += 61_000;
    const expired = await call(f, '/v1.0/deviceManagement/managedDevices', { headers: auth });
    expect(expired.status).toBe(401);
    expect(expired.json().error.message).toMatch(/expired/);
    expect(f.counters.unauthorized).toBe(3);
  });

  it('pages with @odata.nextLink (page size and $top), applying $select', async () => {
    const f = await fake({ pageSize: 5 });
    const auth = await bearer(f);
    const ids: string[] = [];
    let next: string | undefined = `/v1.0/deviceManagement/managedDevices?$select=id,deviceName,serialNumber`;
    let pages = 0;
    while (next) {
      const page = await call(f, next, { headers: auth });
      expect(page.status).toBe(200);
      const body = page.json<{ value: Array<Record<string, unknown>>; '@odata.nextLink'?: string }>();
      for (const d of body.value) expect(Object.keys(d).sort()).toEqual(['deviceName', 'id', 'serialNumber']);
      ids.push(...body.value.map((d) => d.id as string));
      next = body['@odata.nextLink'];
      if (next) expect(next).toContain('$select=id,deviceName,serialNumber');
      pages += 1;
    }
    expect(pages).toBe(Math.ceil(DEMO_COUNT / 5));
    expect(new Set(ids).size).toBe(DEMO_COUNT);
    const top = await call(f, '/v1.0/deviceManagement/managedDevices?$top=2', { headers: auth });
    expect(top.json().value).toHaveLength(2);
    expect(top.json()['@odata.nextLink']).toContain('$top=2');
    expect(f.counters.read).toBe(pages + 1);
  });

  it('filters by exact name (quote doubled), name prefix, serial and user; 400 for a malformed filter', async () => {
    const f = await fake();
    const auth = await bearer(f);
    const names = async (filter: string) => {
      const r = await call(f, `/v1.0/deviceManagement/managedDevices?$filter=${q(filter)}`, { headers: auth });
      expect(r.status, r.text).toBe(200);
      return r.json<{ value: Array<{ deviceName: string }> }>().value.map((d) => d.deviceName).sort();
    };
    expect(await names("deviceName eq 'Zoë''s iPad'")).toEqual(["Zoë's iPad"]);
    expect(await names("startsWith(deviceName,'alice')")).toEqual(['ALICE-LAPTOP', "Alice's MacBook Pro", "Alice's Pixel 8", "Alice's iPhone"]);
    expect(await names("serialNumber eq 'F2LXK3P9N72Q'")).toEqual(["Alice's iPhone"]);
    expect(await names("userPrincipalName eq 'bob@contoso.com'")).toHaveLength(3);
    expect(await names("operatingSystem eq 'iPadOS'")).toEqual(["Zoë's iPad"]);
    expect(await names("deviceName eq 'x'' or deviceName ne ''y'")).toEqual([]);
    const bad = await call(f, `/v1.0/deviceManagement/managedDevices?$filter=${q("deviceName eq 'Zoë's iPad'")}`, { headers: auth });
    expect(bad.status).toBe(400);
    expect(bad.json().error.innerError['request-id']).toBe(bad.headers['request-id']);
  });

  it('reproduces the trap: an ignored filter field (here serialNumber) and an empty value return every device', async () => {
    const f = await fake({ filterTraps: { ignoredFields: ['serialNumber', 'userId'] } });
    const auth = await bearer(f);
    const count = async (filter: string) => (await call(f, `/v1.0/deviceManagement/managedDevices?$filter=${q(filter)}`, { headers: auth })).json().value.length;
    expect(await count("serialNumber eq 'F2LXK3P9N72Q'")).toBe(DEMO_COUNT);
    expect(await count("userPrincipalName eq ''")).toBe(DEMO_COUNT);
    expect(await count("userId eq '40e5033a-6a45-4dfc-9591-46507a0387db'")).toBe(DEMO_COUNT);
    expect(await count("deviceName eq 'BOB-DESKTOP'")).toBe(1);
  });

  it("lists a user's devices by UPN or id, and 404s an unknown user", async () => {
    const f = await fake();
    const auth = await bearer(f);
    const byUpn = await call(f, `/v1.0/users/${q('ALICE@contoso.com')}/managedDevices?$select=id,deviceName`, { headers: auth });
    expect(byUpn.json().value).toHaveLength(4);
    const byId = await call(f, '/beta/users/40e5033a-6a45-4dfc-9591-46507a0387db/managedDevices', { headers: auth });
    expect(byId.json().value).toHaveLength(4);
    expect(byId.json().value[0]).toHaveProperty('deviceType');
    const unknown = await call(f, '/v1.0/users/nobody@contoso.com/managedDevices', { headers: auth });
    expect(unknown.status).toBe(404);
  });

  it('gets one device; v1.0 has no beta-only properties and a strict $select refuses them', async () => {
    const f = await fake();
    const auth = await bearer(f);
    const v1 = await call(f, `/v1.0/deviceManagement/managedDevices/${IPHONE}`, { headers: auth });
    expect(v1.json()).toMatchObject({ id: IPHONE, deviceName: "Alice's iPhone", operatingSystem: 'iOS', deviceActionResults: [] });
    expect(v1.json()).not.toHaveProperty('deviceType');
    expect(Date.now() - Date.parse(v1.json().lastSyncDateTime)).toBeGreaterThan(6 * 60_000);
    expect((await call(f, `/v1.0/deviceManagement/managedDevices/${IPHONE}?$select=id,deviceType`, { headers: auth })).status).toBe(400);
    expect((await call(f, `/beta/deviceManagement/managedDevices/${IPHONE}?$select=id,deviceType`, { headers: auth })).json()).toEqual({ '@odata.context': expect.any(String), id: IPHONE, deviceType: 'iPhone' });
    expect((await call(f, '/v1.0/deviceManagement/managedDevices/00000000-0000-0000-0000-000000000000', { headers: auth })).status).toBe(404);
  });

  it('serves beta lists with $select, but the fields Graph fills in only on a GET by id are at their defaults there', async () => {
    const f = await fake();
    const auth = await bearer(f);
    const fields = 'id,deviceName,deviceType,enrolledByUserPrincipalName,udid,ethernetMacAddress,notes,physicalMemoryInBytes,enrollmentProfileName';
    const listed = (await call(f, `/beta/deviceManagement/managedDevices?$filter=${q("deviceName eq 'Alice''s iPhone'")}&$select=${fields}`, { headers: auth })).json().value;
    expect(listed).toEqual([{ id: IPHONE, deviceName: "Alice's iPhone", deviceType: 'iPhone', enrolledByUserPrincipalName: 'alice@contoso.com', udid: '', ethernetMacAddress: null, notes: null, physicalMemoryInBytes: 0, enrollmentProfileName: null }]);
    const one = (await call(f, `/beta/deviceManagement/managedDevices/${IPHONE}?$select=${fields}`, { headers: auth })).json();
    expect(one).toMatchObject({ udid: expect.stringMatching(/^[0-9A-F]{32}$/), ethernetMacAddress: expect.stringMatching(/^[0-9A-F]{12}$/), notes: expect.stringContaining('asset'), physicalMemoryInBytes: 8 * 1024 ** 3, enrollmentProfileName: 'Corporate' });
    // A batch item that reads one device is a GET by id too.
    const batch = await call(f, '/beta/$batch', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ requests: [{ id: '1', method: 'GET', url: `/deviceManagement/managedDevices/${IPHONE}?$select=udid` }] }) });
    expect(batch.json().responses[0].body.udid).toBe(one.udid);
  });

  it('listNulls: a list can be made to leave out more (here the enroller), a GET by id still gives it', async () => {
    const f = await fake({ listNulls: ['enrolledByUserPrincipalName'] });
    const auth = await bearer(f);
    const listed = (await call(f, `/beta/users/${q('alice@contoso.com')}/managedDevices?$select=id,enrolledByUserPrincipalName`, { headers: auth })).json().value;
    expect(listed.map((d: { enrolledByUserPrincipalName: unknown }) => d.enrolledByUserPrincipalName)).toEqual([null, null, null, null]);
    expect((await call(f, `/beta/deviceManagement/managedDevices/${IPHONE}?$select=id,enrolledByUserPrincipalName`, { headers: auth })).json().enrolledByUserPrincipalName).toBe('alice@contoso.com');
  });

  it('plainHttp: the same service over http://, tokens included', async () => {
    const f = await fake({ plainHttp: true });
    expect(f.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: f.clientId, client_secret: f.clientSecret, scope: `${f.url}/.default` });
    const token = (await (await fetch(`${f.url}/${f.tenantId}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() })).json()) as { access_token: string };
    const res = await fetch(`${f.url}/beta/deviceManagement/managedDevices/${IPHONE}?$select=id,deviceName`, { headers: { authorization: `Bearer ${token.access_token}` } });
    expect(await res.json()).toMatchObject({ id: IPHONE, deviceName: "Alice's iPhone" });
  });

  // How fast is for the benchmarks (bench:graph builds the same tenant); here only that it is built and filtered right.
  it('builds a 100k-device tenant and filters it by serial number', async () => {
    const tenant = generatedTenant({ count: 100_000 });
    const f = await fake({ tenant, filterTraps: { ignoredFields: [] } });
    const auth = await bearer(f);
    const r = await call(f, `/v1.0/deviceManagement/managedDevices?$filter=${q("serialNumber eq 'SN054321'")}`, { headers: auth });
    expect(r.json().value.map((d: { deviceName: string }) => d.deviceName)).toEqual(['DEV-054321']);
  });
});

describe('Graph actions', () => {
  it('queues a reset (204), reports pending then done with the passcode; v1.0 can be made to omit it', async () => {
    const f = await fake({ actionSettleMs: 150, passcodeInV1: false });
    const auth = await bearer(f);
    const post = await call(f, `/v1.0/deviceManagement/managedDevices/${PIXEL}/resetPasscode`, { method: 'POST', headers: auth });
    expect(post.status).toBe(204);
    expect(post.text).toBe('');
    const result = async (version: string) =>
      (await call(f, `/${version}/deviceManagement/managedDevices/${PIXEL}?$select=id,deviceActionResults`, { headers: auth })).json().deviceActionResults[0];
    expect(await result('v1.0')).toMatchObject({ '@odata.type': '#microsoft.graph.resetPasscodeActionResult', actionName: 'resetPasscode', actionState: 'pending', passcode: null });
    await sleep(200);
    expect(await result('v1.0')).toMatchObject({ actionState: 'done', passcode: null });
    expect(await result('beta')).toMatchObject({ actionState: 'done', passcode: f.passcodes[0] });
    expect(f.writes).toMatchObject([{ deviceId: PIXEL, action: 'resetPasscode', version: 'v1.0', via: 'direct' }]);
  });

  it('403s an action without PrivilegedOperations.All, and 400s a remote lock of a Windows PC', async () => {
    const readOnly = await fake({ roles: [READ_ROLE] });
    const denied = await call(readOnly, `/v1.0/deviceManagement/managedDevices/${IPHONE}/remoteLock`, { method: 'POST', headers: await bearer(readOnly) });
    expect(denied.status).toBe(403);
    expect(denied.json().error.message).toContain(PRIVILEGED_ROLE);
    const f = await fake();
    const windows = await call(f, `/v1.0/deviceManagement/managedDevices/${ALICE_LAPTOP}/remoteLock`, { method: 'POST', headers: await bearer(f) });
    expect(windows.status).toBe(400);
    expect(windows.json().error.message).toContain('"_version":3');
    expect(f.writes).toEqual([]);
    expect(readOnly.writes).toEqual([]);
  });

  it('runs a $batch item by item (mixed results, any order) and refuses more than 20', async () => {
    const f = await fake();
    const auth = { ...(await bearer(f)), 'content-type': 'application/json' };
    const requests = [
      { id: '1', method: 'POST', url: `/deviceManagement/managedDevices/${IPHONE}/remoteLock` },
      { id: '2', method: 'POST', url: '/deviceManagement/managedDevices/00000000-0000-0000-0000-000000000000/remoteLock' },
      { id: '3', method: 'GET', url: `/deviceManagement/managedDevices/${IPHONE}?$select=id,deviceActionResults`, dependsOn: ['1'] },
    ];
    const r = await call(f, '/v1.0/$batch', { method: 'POST', headers: auth, body: JSON.stringify({ requests }) });
    expect(r.status).toBe(200);
    const byId = new Map(r.json<{ responses: Array<{ id: string; status: number; body?: any }> }>().responses.map((x) => [x.id, x]));
    expect(byId.get('1')!.status).toBe(204);
    expect(byId.get('2')!.status).toBe(404);
    expect(byId.get('2')!.body.error.innerError['request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(byId.get('3')!.body.deviceActionResults[0]).toMatchObject({ actionName: 'remoteLock', actionState: 'pending' });
    expect(f.writes.map((w) => [w.deviceId, w.via])).toEqual([[IPHONE, 'batch']]);
    expect(f.counters).toMatchObject({ batch: 1, batchItems: 3, batchWrites: 2, batchReads: 1 });

    const tooMany = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: `/deviceManagement/managedDevices/${IPHONE}` }));
    const refused = await call(f, '/v1.0/$batch', { method: 'POST', headers: auth, body: JSON.stringify({ requests: tooMany }) });
    expect(refused.status).toBe(400);
    expect(refused.json().error.code).toBe('BadRequest');
  });

  it('enforces the write budget as a sliding window: 429 with a fractional Retry-After and the error envelope, for POSTs and batch items', async () => {
    const f = await fake({ budget: { limit: 5, windowMs: 1_000 } });
    const auth = await bearer(f);
    const lock = () => call(f, `/v1.0/deviceManagement/managedDevices/${IPHONE}/remoteLock`, { method: 'POST', headers: auth });
    for (let i = 0; i < 4; i += 1) expect((await lock()).status).toBe(204);
    const batch = await call(f, '/beta/$batch', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ requests: [1, 2].map((i) => ({ id: String(i), method: 'POST', url: `/deviceManagement/managedDevices/${PIXEL}/remoteLock` })) }),
    });
    const statuses = batch.json<{ responses: Array<{ id: string; status: number; headers: Record<string, string> }> }>().responses.sort((a, b) => a.id.localeCompare(b.id));
    expect(statuses.map((s) => s.status)).toEqual([204, 429]);
    expect(Number(statuses[1]!.headers['Retry-After'])).toBeGreaterThan(0);

    const over = await lock();
    expect(over.status).toBe(429);
    const retryAfter = Number(over.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(1);
    expect(over.json().error).toMatchObject({ code: 'TooManyRequests', innerError: { 'request-id': over.headers['request-id'] } });
    expect(f.counters.throttled).toBe(2);
    expect(f.writes).toHaveLength(5);
    await sleep(retryAfter * 1000 + 20);
    expect((await lock()).status).toBe(204);
  });

  it('injects faults: a 503 once, then normal service', async () => {
    const f = await fake();
    const auth = await bearer(f);
    f.injectFault({ method: 'GET', path: /managedDevices/, status: 503, retryAfter: '0.5' });
    const first = await call(f, '/v1.0/deviceManagement/managedDevices', { headers: auth });
    expect(first.status).toBe(503);
    expect(first.headers['retry-after']).toBe('0.5');
    expect((await call(f, '/v1.0/deviceManagement/managedDevices', { headers: auth })).status).toBe(200);
  });
});
