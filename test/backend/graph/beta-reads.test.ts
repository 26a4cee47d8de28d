// Look-ups with beta on (the default), against Graph (nock): beta's fields come in the list or GET that finds the
// device, not from a request per device; only a Windows 8.1/RT device a list gave no enroller for is read by id
// for it, and only when it is shown; a read beta refuses is asked again on v1.0.
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../src/core/errors.js';
import { GRAPH, graphDevice, harness, id, setupNock, teardownNock } from './helpers.js';
import { seen } from '../../fakes/nock-request.js';

const BETA = '/beta/deviceManagement/managedDevices';
const V1 = '/v1.0/deviceManagement/managedDevices';
const page = (value: unknown[], next?: string) => ({ value, ...(next ? { '@odata.nextLink': next } : {}) });
const selectOf = (q: Record<string, unknown>) => String(q['$select'] ?? '').split(',');
const rt = (n: number, fields: Record<string, unknown> = {}) =>
  graphDevice(n, { operatingSystem: 'Windows', osVersion: '6.3.9600.17031', deviceType: 'windowsRT', deviceEnrollmentType: 'userEnrollment', ...fields });
/** A $batch reply whose items answer with what `body` makes of each requested id. */
const batchReply = (body: (deviceId: string) => Record<string, unknown>) => async (req: Request) => {
  const b = (await seen(req)).body as { requests: Array<{ id: string; url: string }> };
  return { responses: b.requests.map((r) => ({ id: r.id, status: 200, body: body(r.url.split('?')[0]!.split('/').pop()!) })) };
};

describe('Graph look-ups, beta on', () => {
  beforeEach(setupNock);
  afterEach(teardownNock);

  it('by name: one beta list request whose $select has deviceType, the enroller and the full enrollment values', async () => {
    const { backend } = await harness({ betaDetails: true });
    let select: string[] = [];
    nock(GRAPH)
      .get(BETA)
      .query((q) => ((select = selectOf(q)), true))
      .reply(200, page([graphDevice(1, { deviceName: 'Tab', deviceType: 'androidForWork', deviceEnrollmentType: 'androidEnterpriseCorporateWorkProfile', enrolledByUserPrincipalName: 'pat@contoso.com' })]));
    const [device] = await backend.findDevices({ by: 'name', value: 'Tab' });
    expect(select).toEqual(expect.arrayContaining(['id', 'deviceName', 'serialNumber', 'deviceType', 'enrolledByUserPrincipalName', 'deviceEnrollmentType', 'managementAgent']));
    expect(device).toMatchObject({ deviceType: 'androidForWork', enrollmentType: 'androidEnterpriseCorporateWorkProfile', enrolledByUserPrincipalName: 'pat@contoso.com' });
    expect(backend.requestCount).toBe(1);
  });

  it("a user's devices: one beta request, a Windows RT device's enroller taken from it", async () => {
    const { backend } = await harness({ betaDetails: true });
    nock(GRAPH)
      .get('/beta/users/pat%40contoso.com/managedDevices')
      .query((q) => selectOf(q).includes('enrolledByUserPrincipalName'))
      .reply(200, page([graphDevice(1), rt(2, { enrolledByUserPrincipalName: 'pat@contoso.com' })]));
    const found = await backend.listUserDevices('pat@contoso.com');
    expect(found.map((d) => [d.id, d.enrolledByUserPrincipalName])).toEqual([[id(1), ''], [id(2), 'pat@contoso.com']]);
    expect(backend.requestCount).toBe(1);
  });

  it('by id: one beta GET with every field', async () => {
    const { backend } = await harness({ betaDetails: true });
    nock(GRAPH)
      .get(`${BETA}/${id(5)}`)
      .query((q) => selectOf(q).includes('deviceType'))
      .reply(200, rt(5, { enrolledByUserPrincipalName: 'pat@contoso.com' }));
    expect(await backend.getDevice(id(5))).toMatchObject({ deviceType: 'windowsRT', enrolledByUserPrincipalName: 'pat@contoso.com' });
    expect(backend.requestCount).toBe(1);
  });

  it('a short prefix asks for what it will show plus one, keeps what the caller may see, and reads the enroller only for the shown Windows RT devices the list gave none', async () => {
    const { backend } = await harness({ betaDetails: true });
    let top = '';
    // Odd devices are Pat's; of those, every other one a Windows RT tablet the list gives no enroller for.
    const kiosks = Array.from({ length: 30 }, (_, i) => {
      const n = i + 1;
      const fields = { deviceName: `K-${String(n).padStart(2, '0')}`, userPrincipalName: n % 2 === 1 ? 'pat@contoso.com' : 'sam@contoso.com' };
      return n % 4 === 1 || n % 2 === 0 ? rt(n, fields) : graphDevice(n, fields);
    });
    // Graph may ignore $top or the filter; paging stops as soon as enough of what the caller may see is in hand.
    nock(GRAPH)
      .get(BETA)
      .query((q) => ((top = String(q['$top'])), true))
      .reply(200, page(kiosks.slice(0, 6), `${GRAPH}${BETA}?$skiptoken=p2`))
      .get(BETA)
      .query({ $skiptoken: 'p2' })
      // Its nextLink (p3) is never followed: four of Pat's are in hand by then.
      .reply(200, page(kiosks.slice(6, 12), `${GRAPH}${BETA}?$skiptoken=p3`));
    const asked: string[] = [];
    nock(GRAPH)
      .post('/beta/$batch', (b: { requests: Array<{ url: string }> }) => (asked.push(...b.requests.map((r) => r.url.split('?')[0]!.split('/').pop()!)), true))
      .reply(200, batchReply((deviceId) => ({ id: deviceId, enrolledByUserPrincipalName: 'pat@contoso.com' })));
    const isPats = (d: { userPrincipalName: string }) => d.userPrincipalName === 'pat@contoso.com';
    const found = await backend.findDevices({ by: 'namePrefix', value: 'K' }, { limit: 4, keep: isPats, detailsFor: 3 });
    expect(top).toBe('4');
    expect(found.map((d) => d.name)).toEqual(['K-01', 'K-03', 'K-05', 'K-07']);
    // Of the three shown, K-01 and K-05 are Windows RT; K-03 is not; K-07 is only counted; Sam's are not the caller's.
    expect(asked).toEqual([id(1), id(5)]);
    expect(found.map((d) => d.enrolledByUserPrincipalName)).toEqual(['pat@contoso.com', '', 'pat@contoso.com', '']);
  });

  it("a Windows 8.1 PC is read for its enroller too; Windows 10, Android and iOS devices without one are not", async () => {
    const { backend } = await harness({ betaDetails: true });
    nock(GRAPH)
      .get('/beta/users/pat%40contoso.com/managedDevices')
      .query(true)
      .reply(200, page([
        graphDevice(1, { operatingSystem: 'Windows', osVersion: '6.3.9600.19000', deviceType: 'desktop' }),
        graphDevice(2, { operatingSystem: 'Windows', osVersion: '10.0.22631.4602', deviceType: 'desktop' }),
        graphDevice(3),
        graphDevice(4, { operatingSystem: 'iOS', osVersion: '17.5', deviceType: 'iPhone' }),
      ]));
    let asked: string[] = [];
    nock(GRAPH)
      .post('/beta/$batch', (b: { requests: Array<{ url: string }> }) => ((asked = b.requests.map((r) => r.url)), true))
      .reply(200, batchReply((deviceId) => ({ id: deviceId, enrolledByUserPrincipalName: 'pat@contoso.com' })));
    const found = await backend.listUserDevices('pat@contoso.com');
    expect(asked).toEqual([`/deviceManagement/managedDevices/${id(1)}?$select=id,enrolledByUserPrincipalName`]);
    expect(found.map((d) => d.enrolledByUserPrincipalName)).toEqual(['pat@contoso.com', '', '', '']);
  });

  it('details: false reads the list only (the audit\'s existence check), even for a Windows RT device without an enroller', async () => {
    const { backend } = await harness({ betaDetails: true });
    nock(GRAPH).get(BETA).query(true).reply(200, page([rt(1, { deviceName: 'Tab' })]));
    const found = await backend.findDevices({ by: 'name', value: 'Tab' }, { limit: 1, details: false });
    expect(found.map((d) => d.id)).toEqual([id(1)]);
    expect(backend.requestCount).toBe(1);
  });

  it('an enroller that cannot be read is left empty (so the lock stays refused) and the look-up still answers', async () => {
    const { backend, logger } = await harness({ betaDetails: true, deadlineMs: 1_000, retryBaseMs: 400, retryCapMs: 400 });
    nock(GRAPH).get(BETA).query(true).reply(200, page([rt(1, { deviceName: 'Tab' })]));
    nock(GRAPH).post('/beta/$batch').times(5).reply(503);
    const [device] = await backend.findDevices({ by: 'name', value: 'Tab' });
    expect(device).toMatchObject({ id: id(1), deviceType: 'windowsRT', enrolledByUserPrincipalName: '' });
    expect(logger.text).toContain('enroller of a Windows 8.1/RT device could not be read');
    nock.cleanAll();
  });

  it('a list, a GET and a $batch that beta refuses (400) are asked again on v1.0, without the beta fields', async () => {
    const { backend, logger } = await harness({ betaDetails: true });
    const refused = { error: { code: 'BadRequest', message: "Could not find a property named 'deviceType'" } };
    nock(GRAPH)
      .get(BETA).query(true).reply(400, refused)
      .get(V1).query((q) => !selectOf(q).includes('deviceType')).reply(200, page([graphDevice(1, { deviceName: 'Tab' })]))
      .get(`${BETA}/${id(2)}`).query(true).reply(400, refused)
      .get(`${V1}/${id(2)}`).query(true).reply(200, graphDevice(2))
      .post('/beta/$batch').reply(200, { responses: [{ id: '1', status: 400, body: refused }] })
      .post('/v1.0/$batch').reply(200, batchReply((deviceId) => graphDevice(Number(deviceId.slice(-12)))));
    expect((await backend.findDevices({ by: 'name', value: 'Tab' })).map((d) => d.id)).toEqual([id(1)]);
    expect((await backend.getDevice(id(2)))?.id).toBe(id(2));
    expect((await backend.getDevices([id(3)])).map((d) => d.id)).toEqual([id(3)]);
    expect(logger.text).toContain('beta refused a device read');
  });

  it('a refusal that v1.0 would give too is not retried there: 403 and 404 stay what they are', async () => {
    const { backend } = await harness({ betaDetails: true });
    nock(GRAPH).get(BETA).query(true).reply(403, { error: { code: 'Forbidden' } }).get(`${BETA}/${id(4)}`).query(true).reply(404, { error: { code: 'ResourceNotFound' } });
    await expect(backend.findDevices({ by: 'name', value: 'Tab' })).rejects.toMatchObject({ code: ERROR_CODES.FORBIDDEN });
    expect(await backend.getDevice(id(4))).toBeUndefined();
    expect(backend.requestCount).toBe(2);
  });

  it('re-reading devices before a bulk action: one beta $batch per 20 devices, no second pass for details', async () => {
    const { backend } = await harness({ betaDetails: true });
    const ids = Array.from({ length: 25 }, (_, i) => id(100 + i));
    nock(GRAPH)
      .post('/beta/$batch')
      .times(2)
      .reply(200, batchReply((deviceId) => rt(Number(deviceId.slice(-12)), { enrolledByUserPrincipalName: 'pat@contoso.com' })));
    const devices = await backend.getDevices(ids);
    expect(devices).toHaveLength(25);
    expect(devices.every((d) => d.deviceType === 'windowsRT' && d.enrolledByUserPrincipalName === 'pat@contoso.com')).toBe(true);
    expect(backend.requestCount).toBe(2);
  });
});
