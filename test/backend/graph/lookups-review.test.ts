// Review of "bulk means all": the re-read of every chosen device before a bulk action is sent. Hundreds or
// thousands of GETs in $batch run into Intune's read budget, and Graph answers the items over it with 429.
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GRAPH, graphDevice, harness, id, setupNock, teardownNock } from './helpers.js';
import { seen } from '../../fakes/nock-request.js';

describe('Graph re-read by id, throttled', () => {
  beforeEach(setupNock);
  afterEach(teardownNock);

  it('a $batch item answered 429 is read again after its Retry-After, not a failed read of every device', async () => {
    const { backend, clock } = await harness();
    const ids = Array.from({ length: 20 }, (_, i) => id(200 + i));
    const deviceOf = (url: string) => Number(url.split('?')[0]!.split('/').pop()!.slice(-12));
    let calls = 0;
    nock(GRAPH)
      .post('/v1.0/$batch')
      .times(2)
      .reply(200, async (req: Request) => {
        const { body } = await seen(req);
        calls += 1;
        const requests = (body as { requests: Array<{ id: string; url: string }> }).requests;
        return {
          responses: requests.map((r) =>
            calls === 1 && deviceOf(r.url) >= 210
              ? { id: r.id, status: 429, headers: { 'Retry-After': '7' }, body: { error: { code: 'TooManyRequests' } } }
              : { id: r.id, status: 200, body: graphDevice(deviceOf(r.url)) },
          ),
        };
      });
    const devices = await backend.getDevices(ids);
    expect(devices.map((d) => d.id).sort()).toEqual([...ids].sort());
    expect(clock.sleeps).toContain(7_000);
  });
});
