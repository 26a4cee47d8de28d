// The observer GraphHttp is built with (metrics): told of every HTTP attempt, retries and 401 refreshes included,
// with its status or "lost"; one that throws changes nothing about the call.
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGraphBackend, type GraphAttempt } from '../../../src/backend/graph/index.js';
import { CapturingLogger, CountingTokens, GRAPH, graphDevice, id, settings, setupNock, SteppingClock, teardownNock } from './helpers.js';

const LIST = '/v1.0/deviceManagement/managedDevices';

async function observed(observe: (a: GraphAttempt) => void) {
  return createGraphBackend({ settings: settings(), clock: new SteppingClock(), logger: new CapturingLogger(), tokens: new CountingTokens(), observe });
}

describe('the Graph observer', () => {
  beforeEach(setupNock);
  afterEach(teardownNock);

  it('hears each attempt: a 429, a 401 with its retry, the answer; and a connection that drops as lost', async () => {
    const attempts: GraphAttempt[] = [];
    const backend = await observed((a) => attempts.push(a));
    nock(GRAPH)
      .get(LIST)
      .query(true)
      .reply(429, {}, { 'Retry-After': '1' })
      .get(LIST)
      .query(true)
      .reply(401, {})
      .get(LIST)
      .query(true)
      .reply(200, { value: [graphDevice(1, { deviceName: 'Kiosk' })] })
      .get(`${LIST}/${id(2)}`)
      .query(true)
      .replyWithError('socket hang up')
      .get(`${LIST}/${id(2)}`)
      .query(true)
      .reply(404, {});
    expect(await backend.findDevices({ by: 'name', value: 'Kiosk' })).toHaveLength(1);
    expect(await backend.getDevice(id(2))).toBeUndefined();
    expect(attempts.map((a) => [a.kind, a.status])).toEqual([
      ['lookup', 429],
      ['lookup', 401],
      ['lookup', 200],
      ['lookup', 'lost'],
      ['lookup', 404],
    ]);
    for (const a of attempts) expect(a.seconds).toBeGreaterThanOrEqual(0);
  });

  it('an observer that throws does not fail the call', async () => {
    const backend = await observed(() => {
      throw new Error('metrics broke');
    });
    nock(GRAPH).get(LIST).query(true).reply(200, { value: [graphDevice(1, { deviceName: 'Kiosk' })] });
    expect(await backend.findDevices({ by: 'name', value: 'Kiosk' })).toHaveLength(1);
  });
});
