// Look-ups against Graph (nock), on v1.0 (beta off): every form with paging, filter escaping, the ignored-filter
// trap, serial numbers through the inventory index, and the HTTP faults of a read (429, 503, 504, 401, 403, 404,
// the deadline). What beta changes is in beta-reads.test.ts.
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_CODES, LockdeskError } from '../../../src/core/errors.js';
import { GRAPH, graphDevice, harness, id, setupNock, teardownNock, TOKEN } from './helpers.js';
import { seen as seenRequest } from '../../fakes/nock-request.js';

const LIST = '/v1.0/deviceManagement/managedDevices';
const page = (value: unknown[], next?: string) => ({ value, ...(next ? { '@odata.nextLink': next } : {}) });

describe('Graph look-ups', () => {
  beforeEach(setupNock);
  afterEach(teardownNock);

  it('by exact name: $filter and $select, paging to the end, the bearer token sent', async () => {
    const { backend } = await harness();
    let filter = '';
    nock(GRAPH, { reqheaders: { authorization: `Bearer ${TOKEN}` } })
      .get(LIST)
      .query((q) => {
        filter = String(q['$filter']);
        return typeof q['$select'] === 'string' && q['$select'].split(',').includes('serialNumber');
      })
      .reply(200, page([graphDevice(1, { deviceName: 'Kiosk' })], `${GRAPH}${LIST}?$skiptoken=p2`))
      .get(LIST)
      .query({ $skiptoken: 'p2' })
      .reply(200, page([graphDevice(2, { deviceName: 'kiosk' })]));
    const found = await backend.findDevices({ by: 'name', value: 'Kiosk' });
    expect(filter).toBe("deviceName eq 'Kiosk'");
    expect(found.map((d) => d.id)).toEqual([id(1), id(2)]);
    expect(found[0]).toMatchObject({ name: 'Kiosk', operatingSystem: 'Android', enrollmentType: 'androidEnterpriseFullyManaged', ownerType: 'company', serialNumber: 'SER-1' });
  });

  it.each([
    ["Zoë's iPad", "deviceName eq 'Zoë''s iPad' or deviceName eq 'Zoe\u0308''s iPad'"],
    ["x' or deviceName ne 'y", "deviceName eq 'x'' or deviceName ne ''y'"],
    ['and or not eq ne startswith()', "deviceName eq 'and or not eq ne startswith()'"],
    ["''", "deviceName eq ''''''"],
  ])('escapes %j so that it stays one string literal', async (name, expected) => {
    const { backend } = await harness();
    let filter = '';
    nock(GRAPH)
      .get(LIST)
      .query((q) => ((filter = String(q['$filter'])), true))
      .reply(200, page([graphDevice(7, { deviceName: name })]));
    const found = await backend.findDevices({ by: 'name', value: name });
    expect(filter).toBe(expected);
    expect(found.map((d) => d.name)).toEqual([name]);
  });

  it('the ignored-filter trap: Graph returns every device, only the ones named come back', async () => {
    const { backend, logger } = await harness();
    nock(GRAPH)
      .get(LIST)
      .query(true)
      .reply(200, page([graphDevice(1, { deviceName: 'Other' }), graphDevice(2, { deviceName: 'Lobby iPad' }), graphDevice(3, { deviceName: 'Lobby iPad 2' })]));
    const found = await backend.findDevices({ by: 'name', value: 'lobby ipad' });
    expect(found.map((d) => d.id)).toEqual([id(2)]);
    expect(logger.text).toContain('dropped');
  });

  it('by name prefix with startswith, checked client-side', async () => {
    const { backend } = await harness();
    let filter = '';
    nock(GRAPH)
      .get(LIST)
      .query((q) => ((filter = String(q['$filter'])), true))
      .reply(200, page([graphDevice(1, { deviceName: 'Lobby 1' }), graphDevice(2, { deviceName: 'The Lobby' })]));
    const found = await backend.findDevices({ by: 'namePrefix', value: 'lob' });
    expect(filter).toBe("startswith(deviceName,'lob')");
    expect(found.map((d) => d.id)).toEqual([id(1)]);
  });

  it('a name with a letter Unicode can spell two ways is asked for in both spellings (Graph compares exactly)', async () => {
    const { backend } = await harness();
    let filter = '';
    const decomposed = "Zoe\u0308's iPad";
    nock(GRAPH)
      .get(LIST)
      .query((q) => ((filter = String(q['$filter'])), true))
      .reply(200, page([graphDevice(9, { deviceName: decomposed })]));
    const found = await backend.findDevices({ by: 'name', value: "Zoë's iPad" });
    expect(filter).toBe("deviceName eq 'Zoë''s iPad' or deviceName eq 'Zoe\u0308''s iPad'");
    expect(found.map((d) => d.id)).toEqual([id(9)]);
  });

  it('an empty value and a non-GUID id cost no request', async () => {
    const { backend } = await harness();
    expect(await backend.findDevices({ by: 'name', value: '  ' })).toEqual([]);
    expect(await backend.findDevices({ by: 'id', value: 'Lobby iPad' })).toEqual([]);
    expect(await backend.listUserDevices('')).toEqual([]);
    expect(await backend.getDevice('not-a-guid')).toBeUndefined();
    expect(backend.requestCount).toBe(0);
  });

  it('by id: one GET; 404 means no device', async () => {
    const { backend } = await harness();
    nock(GRAPH).get(`${LIST}/${id(5)}`).query(true).reply(200, graphDevice(5)).get(`${LIST}/${id(6)}`).query(true).reply(404, { error: { code: 'ResourceNotFound', message: 'x' } });
    expect((await backend.findDevices({ by: 'id', value: id(5) })).map((d) => d.id)).toEqual([id(5)]);
    expect(await backend.getDevice(id(6))).toBeUndefined();
  });

  it('re-reads many devices by id through $batch, 20 to a request; missing ones are left out, a failed item fails the read', async () => {
    const { backend } = await harness();
    const ids = Array.from({ length: 25 }, (_, i) => id(100 + i));
    const seen: string[][] = [];
    nock(GRAPH)
      .post('/v1.0/$batch')
      .times(2)
      .reply(200, async (req: Request) => {
        const { body } = await seenRequest(req);
        const requests = (body as { requests: Array<{ id: string; url: string }> }).requests;
        seen.push(requests.map((r) => r.url.split('?')[0]!.split('/').pop()!));
        return {
          responses: requests.map((r) => {
            const deviceId = r.url.split('?')[0]!.split('/').pop()!;
            const n = Number(deviceId.slice(-12));
            return n === 107 ? { id: r.id, status: 404, body: { error: { code: 'ResourceNotFound' } } } : { id: r.id, status: 200, body: graphDevice(n) };
          }),
        };
      });
    const devices = await backend.getDevices([...ids, 'not-a-guid']);
    expect(seen.map((chunk) => chunk.length)).toEqual([20, 5]);
    expect(devices.map((d) => d.id).sort()).toEqual(ids.filter((x) => x !== id(107)).sort());

    nock(GRAPH).post('/v1.0/$batch').reply(200, { responses: [{ id: '1', status: 503, body: {} }] });
    await expect(backend.getDevices([id(1)])).rejects.toMatchObject({ code: ERROR_CODES.UNAVAILABLE });
  });

  it('group membership: checkMemberGroups with the policy\'s group ids, 20 a call; a 403 names GroupMember.Read.All', async () => {
    const { backend } = await harness();
    const groups = Array.from({ length: 25 }, (_, i) => `g-${i}`);
    const asked: string[][] = [];
    nock(GRAPH)
      .post('/v1.0/users/oid-bob/checkMemberGroups')
      .times(2)
      .reply(200, async (req: Request) => {
        const { body } = await seenRequest(req);
        const ids = (body as { groupIds: string[] }).groupIds;
        asked.push(ids);
        return { value: [...ids.filter((g) => g === 'g-3' || g === 'g-21'), 'g-not-asked'] };
      });
    expect(await backend.memberGroups('oid-bob', groups)).toEqual(['g-3', 'g-21']);
    expect(asked.map((a) => a.length)).toEqual([20, 5]);

    nock(GRAPH).post('/v1.0/users/oid-bob/checkMemberGroups').reply(403, { error: { code: 'Authorization_RequestDenied' } }, { 'request-id': 'req-7' });
    await expect(backend.memberGroups('oid-bob', ['g-1'])).rejects.toMatchObject({ code: ERROR_CODES.FORBIDDEN, userMessage: expect.stringContaining('GroupMember.Read.All') });
  });

  it("a user's devices: URL-encoded UPN, paging, only that user's devices kept", async () => {
    const { backend } = await harness();
    const upn = "o'brien+test@contoso.com";
    nock(GRAPH)
      .get(`/v1.0/users/${encodeURIComponent(upn)}/managedDevices`)
      .query(true)
      .reply(200, page([graphDevice(1, { userPrincipalName: upn })], `${GRAPH}/v1.0/users/x/managedDevices?$skiptoken=2`))
      .get('/v1.0/users/x/managedDevices')
      .query({ $skiptoken: '2' })
      .reply(200, page([graphDevice(2, { userPrincipalName: upn }), graphDevice(3, { userPrincipalName: 'someone@contoso.com', emailAddress: '' })]));
    const found = await backend.listUserDevices(upn);
    expect(found.map((d) => d.id)).toEqual([id(1), id(2)]);
  });

  it('a nextLink to another host is not followed (the token stays home)', async () => {
    const { backend } = await harness();
    nock(GRAPH).get(LIST).query(true).reply(200, page([], 'https://evil.example/steal'));
    await expect(backend.findDevices({ by: 'name', value: 'x' })).rejects.toThrow(/another host/);
  });

  it('serial number: the inventory index names the id, the device is re-read by id (one request at ask time)', async () => {
    const { backend } = await harness();
    let select = '';
    nock(GRAPH)
      .get(LIST)
      .query((q) => ((select = String(q['$select'])), q['$filter'] === undefined))
      .reply(200, page([{ id: id(1), serialNumber: 'AAA' }], `${GRAPH}${LIST}?$skiptoken=2`))
      .get(LIST)
      .query({ $skiptoken: '2' })
      .reply(200, page([{ id: id(2), serialNumber: 'SER-2' }]));
    expect(backend.inventoryAge()).toBeUndefined();
    expect(await backend.refreshInventory()).toMatchObject({ devices: 2, requests: 2 });
    expect(select).toBe('id,serialNumber');
    expect(backend.inventoryAge()).toBe(0);

    nock(GRAPH).get(`${LIST}/${id(2)}`).query(true).reply(200, graphDevice(2));
    const before = backend.requestCount;
    const found = await backend.findDevices({ by: 'serial', value: 'ser-2' });
    expect(found.map((d) => d.id)).toEqual([id(2)]);
    expect(backend.requestCount - before).toBe(1);
    // A serial the index does not know costs nothing.
    expect(await backend.findDevices({ by: 'serial', value: 'Lobby iPad' })).toEqual([]);
    expect(backend.requestCount - before).toBe(1);
  });

  it('serial number: a stale index entry whose device changed or went is dropped', async () => {
    const { backend } = await harness();
    nock(GRAPH).get(LIST).query(true).reply(200, page([{ id: id(1), serialNumber: 'S1' }, { id: id(2), serialNumber: 'S1' }]));
    await backend.refreshInventory();
    nock(GRAPH).get(`${LIST}/${id(1)}`).query(true).reply(404, {}).get(`${LIST}/${id(2)}`).query(true).reply(200, graphDevice(2, { serialNumber: 'S9' }));
    expect(await backend.findDevices({ by: 'serial', value: 'S1' })).toEqual([]);
  });

  it('429 with a fractional Retry-After: waits that long, then succeeds', async () => {
    const { backend, clock } = await harness();
    nock(GRAPH).get(LIST).query(true).reply(429, { error: { code: 'TooManyRequests' } }, { 'Retry-After': '2.128' }).get(LIST).query(true).reply(200, page([graphDevice(1, { deviceName: 'A' })]));
    expect(await backend.findDevices({ by: 'name', value: 'A' })).toHaveLength(1);
    expect(clock.sleeps).toEqual([2128]);
  });

  it('429 without Retry-After, 503 and 504: capped exponential backoff with jitter', async () => {
    const { backend, clock } = await harness({ retryBaseMs: 100, retryCapMs: 250 });
    nock(GRAPH).get(LIST).query(true).reply(429).get(LIST).query(true).reply(503).get(LIST).query(true).reply(504).get(LIST).query(true).reply(200, page([graphDevice(1, { deviceName: 'A' })]));
    expect(await backend.findDevices({ by: 'name', value: 'A' })).toHaveLength(1);
    expect(clock.sleeps).toHaveLength(3);
    const [a, b, c] = clock.sleeps as [number, number, number];
    expect(a).toBeGreaterThanOrEqual(50);
    expect(a).toBeLessThanOrEqual(100);
    expect(b).toBeGreaterThanOrEqual(100);
    expect(b).toBeLessThanOrEqual(200);
    expect(c).toBeLessThanOrEqual(250); // capped
  });

  it('gives up at the deadline: throttled with retryAfterMs and the request id', async () => {
    const { backend, clock } = await harness({ deadlineMs: 5_000 });
    nock(GRAPH)
      .get(LIST)
      .query(true)
      .times(3)
      .reply(429, { error: { code: 'TooManyRequests' } }, { 'Retry-After': '2', 'request-id': 'req-429' });
    const error = (await backend.findDevices({ by: 'name', value: 'A' }).catch((e: unknown) => e)) as LockdeskError;
    expect(error.code).toBe(ERROR_CODES.THROTTLED);
    expect(error.retryAfterMs).toBe(2000);
    expect(error.describe()).toContain('req-429');
    expect(clock.sleeps).toEqual([2000, 2000]);
  });

  it('503 until the deadline: unavailable', async () => {
    const { backend } = await harness({ deadlineMs: 1_000, retryBaseMs: 400, retryCapMs: 400 });
    nock(GRAPH).get(LIST).query(true).times(10).reply(503);
    const error = (await backend.findDevices({ by: 'name', value: 'A' }).catch((e: unknown) => e)) as LockdeskError;
    expect(error.code).toBe(ERROR_CODES.UNAVAILABLE);
    nock.cleanAll();
  });

  it('401: one fresh token and one retry', async () => {
    const { backend, tokens } = await harness();
    nock(GRAPH)
      .get(LIST)
      .query(true)
      .reply(401, { error: { code: 'InvalidAuthenticationToken' } })
      .get(LIST)
      .query(true)
      .matchHeader('authorization', `Bearer ${TOKEN}-fresh`)
      .reply(200, page([graphDevice(1, { deviceName: 'A' })]));
    expect(await backend.findDevices({ by: 'name', value: 'A' })).toHaveLength(1);
    expect(tokens.calls).toEqual([{ fresh: false }, { fresh: true }]);
  });

  it('403 on a look-up names the read permission, with the request id', async () => {
    const { backend } = await harness();
    nock(GRAPH).get(LIST).query(true).reply(403, { error: { code: 'Forbidden', innerError: { 'request-id': 'req-403' } } });
    const error = (await backend.findDevices({ by: 'name', value: 'A' }).catch((e: unknown) => e)) as LockdeskError;
    expect(error.code).toBe(ERROR_CODES.FORBIDDEN);
    expect(error.describe()).toContain('DeviceManagementManagedDevices.Read.All');
    expect(error.describe()).toContain('req-403');
  });

  it('no token or secret in any log line', async () => {
    const { backend, logger } = await harness();
    nock(GRAPH).get(LIST).query(true).reply(401).get(LIST).query(true).reply(503).get(LIST).query(true).reply(200, page([]));
    await backend.findDevices({ by: 'name', value: 'A' });
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(logger.text).not.toContain('token-VALUE');
    expect(logger.text).not.toContain('client-secret-VALUE');
  });
});
