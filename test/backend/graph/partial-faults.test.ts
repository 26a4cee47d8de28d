// Faults part-way through a Graph call: a bulk dispatch whose later chunk cannot get a token keeps what the earlier
// chunks achieved; a limited look-up that Graph answers with unfiltered pages stops after a few of them.
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGraphBackend } from '../../../src/backend/graph/index.js';
import { LIMITED_PAGES } from '../../../src/backend/graph/lookups.js';
import { ERROR_CODES, LockdeskError } from '../../../src/core/errors.js';
import { CapturingLogger, GRAPH, graphDevice, id, settings, SteppingClock, TOKEN } from './helpers.js';
import { seen } from '../../fakes/nock-request.js';

const DEV = '/v1.0/deviceManagement/managedDevices';

describe('Graph, part-way faults', () => {
  beforeEach(() => {
    nock.disableNetConnect();
  });
  afterEach(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('a token that cannot be had before the 2nd $batch chunk fails that chunk alone: the 1st chunk\'s devices were queued and say so', async () => {
    const tokens = {
      async getToken(options: { fresh?: boolean } = {}) {
        // What auth.ts tokenError() makes of an MSAL error whose code is not "network"-like (e.g. temporarily_unavailable).
        if (options.fresh) throw new LockdeskError(ERROR_CODES.FORBIDDEN, 'Cannot get a Graph token: temporarily_unavailable: AADSTS...', { userMessage: 'lockdesk cannot sign in to Microsoft Graph ...; nothing was sent.' });
        return TOKEN;
      },
    };
    const clock = new SteppingClock();
    const backend = await createGraphBackend({ settings: settings({ writeBudget: 2 }), clock, logger: new CapturingLogger(), tokens });
    nock(GRAPH)
      .post('/v1.0/$batch', (b: { requests: unknown[] }) => b.requests.length === 2)
      .reply(200, { responses: [{ id: '1', status: 204 }, { id: '2', status: 204 }] })
      // The second chunk: Graph refuses the (expiring) token, a fresh one cannot be had.
      .post('/v1.0/$batch', (b: { requests: unknown[] }) => b.requests.length === 1)
      .reply(401, { error: { code: 'InvalidAuthenticationToken' } });
    const out = await backend.dispatch('lock', [id(1), id(2), id(3)]);
    expect(out[0]).toEqual({ deviceId: id(1), ok: true });
    expect(out[1]).toEqual({ deviceId: id(2), ok: true });
    expect(out[2]).toMatchObject({ deviceId: id(3), ok: false, error: { code: ERROR_CODES.FORBIDDEN } });
  });

  it('a limited name-prefix look-up reads a few pages, not the whole tenant, when Graph ignores the filter and nothing matches', async () => {
    const clock = new SteppingClock();
    const backend = await createGraphBackend({ settings: settings(), clock, logger: new CapturingLogger(), tokens: { getToken: async () => TOKEN } });
    const PAGES = 60;
    let served = 0;
    nock(GRAPH)
      .persist()
      .get(DEV)
      .query(true)
      .reply(async (req: Request) => {
        const { uri } = await seen(req);
        served++;
        const n = Number(/[?&]p=(\d+)/.exec(uri)?.[1] ?? 0);
        // Graph ignored $filter (and $top): a page of the tenant, none named like the query.
        const value = Array.from({ length: 100 }, (_, i) => graphDevice(n * 100 + i + 1, { deviceName: `Other ${n}-${i}` }));
        return [200, { value, ...(n + 1 < PAGES ? { '@odata.nextLink': `${GRAPH}${DEV}?p=${n + 1}` } : {}) }];
      });
    const found = await backend.findDevices({ by: 'namePrefix', value: 'Zz' }, { limit: 26 });
    expect(found).toEqual([]);
    expect(served).toBe(LIMITED_PAGES);
  });
});
