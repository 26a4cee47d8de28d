// Actions against Graph (nock): remoteLock and resetPasscode, $batch with mixed items, the write budget, lost
// answers settled by reading the action state, action-state polling, the temporary passcode and a Mac's unlock PIN.
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../src/core/errors.js';
import { Secret } from '../../../src/core/types.js';
import { GRAPH, harness, id, setupNock, teardownNock } from './helpers.js';
import { seen } from '../../fakes/nock-request.js';

// A dropped connection as node:https reports it (nock 14 passes a plain object on to fetch only, not to node:https).

const DEV = '/v1.0/deviceManagement/managedDevices';
const results = (...items: object[]) => ({ id: 'x', deviceActionResults: items });
const lockResult = (state: string, start = '2025-06-02T09:00:00Z') => ({ '@odata.type': '#microsoft.graph.remoteLockActionResult', actionName: 'remoteLock', actionState: state, startDateTime: start, lastUpdatedDateTime: start });

describe('Graph actions', () => {
  beforeEach(setupNock);
  afterEach(teardownNock);

  it('remoteLock and resetPasscode: POST without a body, 204 means queued', async () => {
    const { backend } = await harness();
    const bodies: unknown[] = [];
    nock(GRAPH)
      .post(`${DEV}/${id(1)}/remoteLock`, (b: unknown) => (bodies.push(b), true))
      .reply(204)
      .post(`${DEV}/${id(1)}/resetPasscode`, (b: unknown) => (bodies.push(b), true))
      .reply(204);
    expect(await backend.dispatch('lock', [id(1)])).toEqual([{ deviceId: id(1), ok: true }]);
    expect(await backend.dispatch('resetPasscode', [id(1)])).toEqual([{ deviceId: id(1), ok: true }]);
    expect(bodies).toEqual(['', '']);
  });

  it('$batch with mixed items: 204, 400 (refused, with request id), 404 (gone), 429 then 204', async () => {
    const { backend, clock } = await harness();
    const ids = [id(1), id(2), id(3), id(4)];
    let sent: { requests: Array<{ id: string; method: string; url: string }> } = { requests: [] };
    nock(GRAPH)
      .post('/v1.0/$batch', (b: typeof sent) => ((sent = b), true))
      .reply(200, {
        responses: [
          { id: '3', status: 404, body: { error: { code: 'ResourceNotFound' } } },
          { id: '1', status: 204, body: null },
          { id: '2', status: 400, headers: { 'request-id': 'req-400' }, body: { error: { code: 'BadRequest', message: '{"_version":3}' } } },
          { id: '4', status: 429, headers: { 'Retry-After': '1.5' }, body: { error: { code: 'TooManyRequests' } } },
        ],
      })
      .get(`${DEV}/${id(4)}`)
      .query({ $select: 'deviceActionResults,operatingSystem' })
      .reply(200, results())
      .post(`${DEV}/${id(4)}/remoteLock`)
      .reply(204);
    const out = await backend.dispatch('lock', ids);
    expect(sent.requests.map((r) => [r.id, r.method, r.url])).toEqual(ids.map((d, n) => [String(n + 1), 'POST', `/deviceManagement/managedDevices/${d}/remoteLock`]));
    expect(out.map((r) => r.deviceId)).toEqual(ids);
    expect(out[0]).toEqual({ deviceId: id(1), ok: true });
    const refused = out[1]!;
    expect(!refused.ok && refused.error.code).toBe(ERROR_CODES.REFUSED);
    expect(!refused.ok && refused.error.describe()).toBe('Intune refused the action for this device. (request id req-400)');
    expect(!out[2]!.ok && out[2]!.error.code).toBe(ERROR_CODES.DEVICE_NOT_FOUND);
    expect(out[3]).toEqual({ deviceId: id(4), ok: true });
    expect(clock.sleeps).toContain(1500);
  });

  it('403 on an action names PrivilegedOperations.All', async () => {
    const { backend } = await harness();
    nock(GRAPH).post(`${DEV}/${id(1)}/remoteLock`).reply(403, { error: { code: 'Forbidden', innerError: { 'request-id': 'req-f' } } });
    const [r] = await backend.dispatch('lock', [id(1)]);
    expect(!r!.ok && r!.error.code).toBe(ERROR_CODES.FORBIDDEN);
    expect(!r!.ok && r!.error.describe()).toContain('DeviceManagementManagedDevices.PrivilegedOperations.All');
    expect(!r!.ok && r!.error.describe()).toContain('req-f');
  });

  it('a timeout on the POST, and the state shows our action queued: ok, nothing re-sent', async () => {
    const { backend } = await harness({ requestTimeoutMs: 100 });
    // nock 15's delay() does not hold a fetch back: the answer itself comes late.
    nock(GRAPH).post(`${DEV}/${id(1)}/remoteLock`).reply(async () => (await new Promise((r) => setTimeout(r, 1_000)), [204]));
    nock(GRAPH).get(`${DEV}/${id(1)}`).query(true).reply(200, results(lockResult('pending', '2025-06-02T09:00:01Z')));
    expect(await backend.dispatch('lock', [id(1)])).toEqual([{ deviceId: id(1), ok: true }]);
  });

  it.each([
    ['nothing', results()],
    ['only an older, finished lock', results(lockResult('done', '2025-05-01T09:00:00Z'))],
  ])('a dropped connection, and the state shows %s: exactly one re-send', async (_what, state) => {
    const { backend } = await harness();
    let posts = 0;
    nock(GRAPH).post(`${DEV}/${id(1)}/remoteLock`).replyWithError(connectionReset());
    nock(GRAPH).get(`${DEV}/${id(1)}`).query(true).reply(200, state);
    nock(GRAPH)
      .post(`${DEV}/${id(1)}/remoteLock`)
      .reply(() => {
        posts += 1;
        return [204];
      });
    expect(await backend.dispatch('lock', [id(1)])).toEqual([{ deviceId: id(1), ok: true }]);
    expect(posts).toBe(1);
  });

  it('a lost answer whose state cannot be read: unavailable, never re-sent', async () => {
    const { backend } = await harness({ deadlineMs: 1_000, retryBaseMs: 600, retryCapMs: 600 });
    nock(GRAPH).post(`${DEV}/${id(1)}/remoteLock`).replyWithError(connectionReset());
    nock(GRAPH).get(`${DEV}/${id(1)}`).query(true).times(5).reply(503);
    const [r] = await backend.dispatch('lock', [id(1)]);
    expect(!r!.ok && r!.error.code).toBe(ERROR_CODES.UNAVAILABLE);
    nock.cleanAll();
  });

  it('a bulk lock of 60 devices stays under a write budget of 20 per window: three batches, waits observed, no 429', async () => {
    const { backend, clock } = await harness({ writeBudget: 20, writeWindowMs: 20_000 });
    const ids = Array.from({ length: 60 }, (_, n) => id(n + 1));
    const sentAt: Array<{ at: number; items: number }> = [];
    nock(GRAPH)
      .post('/v1.0/$batch')
      .times(3)
      .reply(async (req: Request) => {
        const { body } = await seen(req);
        const requests = (body as { requests: Array<{ id: string }> }).requests;
        // A server-side sliding window: more than 20 writes within 20 s would be a 429.
        const now = clock.now().getTime();
        const recent = sentAt.filter((s) => s.at > now - 20_000).reduce((n, s) => n + s.items, 0);
        if (recent + requests.length > 20) return [429, { error: { code: 'TooManyRequests' } }, { 'Retry-After': '20' }];
        sentAt.push({ at: now, items: requests.length });
        return [200, { responses: requests.map((r) => ({ id: r.id, status: 204 })) }];
      });
    const out = await backend.dispatch('lock', ids);
    expect(out.every((r) => r.ok)).toBe(true);
    expect(sentAt.map((s) => s.items)).toEqual([20, 20, 20]);
    expect(backend.writeLimiter.waits).toBe(2);
    expect(clock.sleeps).toEqual([20_000, 20_000]);
  });

  it.each([
    ['pending', 'pending'],
    ['active', 'active'],
    ['done', 'done'],
    ['failed', 'failed'],
    ['canceled', 'canceled'],
    ['notSupported', 'notSupported'],
    ['NOTSUPPORTED', 'notSupported'],
    ['none', 'none'],
    ['somethingNew', 'pending'],
  ])('action state %s maps to %s', async (graphState, expected) => {
    const { backend } = await harness();
    nock(GRAPH)
      .get(`${DEV}/${id(1)}`)
      .query({ $select: 'deviceActionResults,operatingSystem' })
      .reply(200, results({ actionName: 'RemoteLock', actionState: graphState, startDateTime: '2025-06-02T09:00:00Z', lastUpdatedDateTime: '2025-06-02T09:01:00Z' }, { actionName: 'retire', actionState: 'done' }));
    expect(await backend.getActionStatus(id(1), 'lock')).toEqual({ state: expected, startedAt: '2025-06-02T09:00:00Z', updatedAt: '2025-06-02T09:01:00Z' });
  });

  it('no result for the action: none; the device gone: device_not_found', async () => {
    const { backend } = await harness();
    nock(GRAPH).get(`${DEV}/${id(1)}`).query(true).reply(200, results(lockResult('done'))).get(`${DEV}/${id(2)}`).query(true).reply(404, {});
    expect(await backend.getActionStatus(id(1), 'resetPasscode')).toEqual({ state: 'none' });
    await expect(backend.getActionStatus(id(2), 'lock')).rejects.toMatchObject({ code: ERROR_CODES.DEVICE_NOT_FOUND });
  });

  it('a finished reset: the passcode from v1.0, as a Secret, never in a log', async () => {
    const { backend, logger } = await harness();
    nock(GRAPH)
      .get(`${DEV}/${id(1)}`)
      .query(true)
      .reply(200, results({ '@odata.type': '#microsoft.graph.resetPasscodeActionResult', actionName: 'resetPasscode', actionState: 'done', startDateTime: '2025-06-02T09:00:00Z', passcode: '482913' }));
    const status = await backend.getActionStatus(id(1), 'resetPasscode');
    expect(status.passcode).toBeInstanceOf(Secret);
    expect(status.passcode?.reveal()).toBe('482913');
    expect(JSON.stringify(status)).not.toContain('482913');
    expect(logger.text).not.toContain('482913');
  });

  it('a finished reset without a passcode in v1.0: read from beta', async () => {
    const { backend, logger } = await harness();
    const reset = { '@odata.type': '#microsoft.graph.resetPasscodeActionResult', actionName: 'resetPasscode', actionState: 'done', startDateTime: '2025-06-02T09:00:00Z' };
    nock(GRAPH)
      .get(`${DEV}/${id(1)}`)
      .query(true)
      .reply(200, results(reset))
      .get(`/beta/deviceManagement/managedDevices/${id(1)}`)
      .query({ $select: 'deviceActionResults' })
      .reply(200, results({ ...reset, passcode: '771204', errorCode: 0 }));
    const status = await backend.getActionStatus(id(1), 'resetPasscode');
    expect(status).toMatchObject({ state: 'done' });
    expect(status.passcode?.reveal()).toBe('771204');
    expect(logger.text).not.toContain('771204');
  });

  const macLock = { '@odata.type': '#microsoft.graph.remoteLockActionResult', actionName: 'remoteLock', actionState: 'done', startDateTime: '2025-06-02T09:00:00Z', unlockPin: null };
  const onMac = (...items: object[]) => ({ ...results(...items), operatingSystem: 'macOS' });

  it("a Mac's finished lock: the unlock PIN read from beta's deviceActionResults, as a Secret, never in a log", async () => {
    const { backend, logger } = await harness();
    nock(GRAPH)
      .get(`${DEV}/${id(1)}`)
      .query({ $select: 'deviceActionResults,operatingSystem' })
      .reply(200, onMac(macLock))
      .get(`/beta/deviceManagement/managedDevices/${id(1)}`)
      .query({ $select: 'deviceActionResults' })
      .reply(200, results({ ...macLock, unlockPin: '604182' }));
    const status = await backend.getActionStatus(id(1), 'lock');
    expect(status).toMatchObject({ state: 'done', startedAt: '2025-06-02T09:00:00Z' });
    expect(status.unlockPin).toBeInstanceOf(Secret);
    expect(status.unlockPin?.reveal()).toBe('604182');
    expect(status).not.toHaveProperty('passcode');
    expect(JSON.stringify(status)).not.toContain('604182');
    expect(logger.text).not.toContain('604182');
  });

  it("a Mac's lock: the PIN v1.0 already gives costs no beta read; a pending lock and an iPhone's lock read nothing more", async () => {
    const { backend } = await harness();
    nock(GRAPH)
      .get(`${DEV}/${id(1)}`)
      .query(true)
      .reply(200, onMac({ ...macLock, unlockPin: '318840' }))
      .get(`${DEV}/${id(2)}`)
      .query(true)
      .reply(200, onMac({ ...macLock, actionState: 'pending' }))
      .get(`${DEV}/${id(3)}`)
      .query(true)
      .reply(200, { ...results(macLock), operatingSystem: 'iOS' });
    expect((await backend.getActionStatus(id(1), 'lock')).unlockPin?.reveal()).toBe('318840');
    expect(await backend.getActionStatus(id(2), 'lock')).toEqual({ state: 'pending', startedAt: '2025-06-02T09:00:00Z' });
    expect(await backend.getActionStatus(id(3), 'lock')).toEqual({ state: 'done', startedAt: '2025-06-02T09:00:00Z' });
    // nock fails any request not set up above: no beta read was made.
  });

  it("a Mac's finished lock whose PIN beta cannot give: done, without a PIN", async () => {
    const { backend } = await harness();
    nock(GRAPH)
      .get(`${DEV}/${id(1)}`)
      .query(true)
      .reply(200, onMac(macLock))
      .get(`/beta/deviceManagement/managedDevices/${id(1)}`)
      .query(true)
      .reply(400, { error: { code: 'BadRequest', message: 'nope' } });
    expect(await backend.getActionStatus(id(1), 'lock')).toEqual({ state: 'done', startedAt: '2025-06-02T09:00:00Z' });
  });
});

/** A dropped connection (nock 15 needs an Error: a plain object never answers). */
function connectionReset(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}
