// What Lost Mode needs to know of a device, in the answer that finds it (nock): isSupervised (v1.0 and beta) and
// lostModeState (beta; only 'enabled' and 'disabled' are taken), asked for in every list's and read's $select.
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seen } from '../../fakes/nock-request.js';
import { GRAPH, graphDevice, harness, id, setupNock, teardownNock } from './helpers.js';

const selectOf = (q: Record<string, unknown>) => String(q['$select'] ?? '').split(',');
const page = (value: unknown[]) => ({ value });

describe("a device's supervision and Lost Mode from Graph", () => {
  beforeEach(setupNock);
  afterEach(teardownNock);

  it('beta list: both fields asked for and mapped; a value lockdesk does not know is left out', async () => {
    const { backend } = await harness({ betaDetails: true });
    let select: string[] = [];
    nock(GRAPH)
      .get('/beta/deviceManagement/managedDevices')
      .query((q) => ((select = selectOf(q)), true))
      .reply(200, page([
        graphDevice(1, { deviceName: 'Lost', operatingSystem: 'iOS', isSupervised: true, lostModeState: 'enabled' }),
        graphDevice(2, { deviceName: 'Lost', operatingSystem: 'iOS', isSupervised: false, lostModeState: 'disabled' }),
        graphDevice(3, { deviceName: 'Lost', operatingSystem: 'iOS', isSupervised: 'yes', lostModeState: 'unknownFutureValue' }),
      ]));
    const found = await backend.findDevices({ by: 'name', value: 'Lost' });
    expect(select).toEqual(expect.arrayContaining(['isSupervised', 'lostModeState']));
    expect(found.map((d) => [d.isSupervised, d.lostModeState])).toEqual([[true, 'enabled'], [false, 'disabled'], [undefined, undefined]]);
    expect(found[2]).not.toHaveProperty('isSupervised');
    expect(found[2]).not.toHaveProperty('lostModeState');
    expect(backend.requestCount).toBe(1);
  });

  it("v1.0 only: isSupervised in the $select, lostModeState (beta's) not", async () => {
    const { backend } = await harness({ betaDetails: false });
    let select: string[] = [];
    nock(GRAPH)
      .get(`/v1.0/deviceManagement/managedDevices/${id(1)}`)
      .query((q) => ((select = selectOf(q)), true))
      .reply(200, graphDevice(1, { operatingSystem: 'iOS', isSupervised: true }));
    expect(await backend.getDevice(id(1))).toMatchObject({ isSupervised: true });
    expect(select).toContain('isSupervised');
    expect(select).not.toContain('lostModeState');
  });

  it('the re-read before a bulk dispatch carries both, from the same $batch', async () => {
    const { backend } = await harness({ betaDetails: true });
    let urls: string[] = [];
    nock(GRAPH)
      .post('/beta/$batch')
      .reply(async (req: Request) => {
        const requests = ((await seen(req)).body as { requests: Array<{ id: string; url: string }> }).requests;
        urls = requests.map((r) => r.url);
        return [200, { responses: requests.map((r, n) => ({ id: r.id, status: 200, body: graphDevice(n + 1, { isSupervised: true, lostModeState: n === 0 ? 'enabled' : 'disabled' }) })) }];
      });
    const devices = await backend.getDevices([id(1), id(2)]);
    expect(devices.map((d) => d.lostModeState)).toEqual(['enabled', 'disabled']);
    expect(urls.every((u) => u.includes('isSupervised') && u.includes('lostModeState'))).toBe(true);
    expect(backend.requestCount).toBe(1);
  });
});
