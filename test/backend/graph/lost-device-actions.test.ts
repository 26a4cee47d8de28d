// The lost-device actions against Graph (nock): each one's version, URL and body, alone and in $batch (a JSON body
// with its own Content-Type), the devices refused before anything is sent for want of their parameters, the write
// budget, Graph's refusals, and a lost answer settled by the action's state before any re-send.
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../src/core/errors.js';
import type { ActionParameters } from '../../../src/core/types.js';
import { seen } from '../../fakes/nock-request.js';
import { GRAPH, harness, id, setupNock, teardownNock } from './helpers.js';

const V1 = '/v1.0/deviceManagement/managedDevices';
const BETA = '/beta/deviceManagement/managedDevices';
const TEXT = { message: 'This iPhone is lost. Please call the helpdesk.', phoneNumber: '+1 425 555 0100', footer: 'Contoso IT' };
const USER = 'aaaaaaaa-0000-4000-8000-000000000001';
const lost = (...ids: string[]) => new Map<string, ActionParameters>(ids.map((d) => [d, { lostMode: TEXT }]));
const owners = (...ids: string[]) => new Map<string, ActionParameters>(ids.map((d, n) => [d, { userId: `${USER.slice(0, -1)}${n + 1}` }]));
const codeOf = (r: { ok: boolean; error?: { code: string } } | undefined) => (r && !r.ok ? r.error!.code : undefined);

interface BatchItem {
  id: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

describe('lost-device actions to Graph', () => {
  beforeEach(setupNock);
  afterEach(teardownNock);

  it('enableLostMode: a POST to beta with exactly the three fields, as JSON', async () => {
    const { backend } = await harness();
    let request: Awaited<ReturnType<typeof seen>> | undefined;
    nock(GRAPH)
      .post(`${BETA}/${id(1)}/enableLostMode`)
      .reply(async (req: Request) => ((request = await seen(req)), [204]));
    const parameters = new Map<string, ActionParameters>([[id(1), { lostMode: { ...TEXT, extra: 'never sent' } as typeof TEXT }]]);
    expect(await backend.dispatch('enableLostMode', [id(1)], { parameters })).toEqual([{ deviceId: id(1), ok: true }]);
    expect(request!.body).toEqual(TEXT);
    expect(request!.headers.get('content-type')).toBe('application/json');
  });

  it('disableLostMode and locateDevice on v1.0, playLostModeSound on beta: POSTs without a body', async () => {
    const { backend } = await harness();
    const bodies: unknown[] = [];
    const keep = async (req: Request) => (bodies.push((await seen(req)).body), [204] as [number]);
    nock(GRAPH).post(`${V1}/${id(1)}/disableLostMode`).reply(keep).post(`${V1}/${id(1)}/locateDevice`).reply(keep).post(`${BETA}/${id(1)}/playLostModeSound`).reply(keep);
    for (const action of ['disableLostMode', 'locateDevice', 'playLostModeSound'] as const) {
      expect(await backend.dispatch(action, [id(1)])).toEqual([{ deviceId: id(1), ok: true }]);
    }
    expect(bodies).toEqual(['', '', '']);
  });

  it('enableLostMode in $batch (beta): each item carries its body and its own Content-Type; a device without the text is not sent', async () => {
    const { backend } = await harness();
    let items: BatchItem[] = [];
    nock(GRAPH)
      .post('/beta/$batch')
      .reply(async (req: Request) => {
        items = ((await seen(req)).body as { requests: BatchItem[] }).requests;
        return [200, { responses: items.map((r) => ({ id: r.id, status: 204 })) }];
      });
    const parameters = lost(id(1), id(3));
    parameters.set(id(4), { lostMode: { message: ' ', phoneNumber: '', footer: 'Contoso IT' } });
    const out = await backend.dispatch('enableLostMode', [id(1), id(2), id(3), id(4)], { parameters });
    expect(items).toEqual([id(1), id(3)].map((d, n) => ({ id: String(n + 1), method: 'POST', url: `/deviceManagement/managedDevices/${d}/enableLostMode`, headers: { 'Content-Type': 'application/json' }, body: TEXT })));
    expect(out.map((r) => r.ok)).toEqual([true, false, true, false]);
    expect(codeOf(out[1])).toBe(ERROR_CODES.NOT_SENT);
    expect(!out[1]!.ok && out[1]!.error.describe()).toMatch(/Lost Mode needs a message or a phone number.*nothing was sent/);
    expect(codeOf(out[3])).toBe(ERROR_CODES.NOT_SENT);
  });

  it('a $batch of body-less actions sends items without body or headers, on their own version', async () => {
    const { backend } = await harness();
    let items: BatchItem[] = [];
    nock(GRAPH)
      .post('/v1.0/$batch')
      .reply(async (req: Request) => {
        items = ((await seen(req)).body as { requests: BatchItem[] }).requests;
        return [200, { responses: items.map((r) => ({ id: r.id, status: 204 })) }];
      });
    expect((await backend.dispatch('locateDevice', [id(1), id(2)])).every((r) => r.ok)).toBe(true);
    expect(items).toEqual([1, 2].map((n) => ({ id: String(n), method: 'POST', url: `/deviceManagement/managedDevices/${id(n)}/locateDevice` })));
  });

  it('signOut: revokeSignInSessions on the user named for each device; a device with no user named is not sent', async () => {
    const { backend } = await harness();
    let items: BatchItem[] = [];
    nock(GRAPH)
      .post(`/v1.0/users/${USER}/revokeSignInSessions`)
      .reply(200, { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean', value: true })
      .post('/v1.0/$batch')
      .reply(async (req: Request) => {
        items = ((await seen(req)).body as { requests: BatchItem[] }).requests;
        return [200, { responses: items.map((r) => ({ id: r.id, status: 200, body: { value: true } })) }];
      });
    expect(await backend.dispatch('signOut', [id(1)], { parameters: new Map([[id(1), { userId: USER }]]) })).toEqual([{ deviceId: id(1), ok: true }]);
    const parameters = owners(id(1), id(2));
    parameters.set(id(3), { userId: '  ' });
    const out = await backend.dispatch('signOut', [id(1), id(2), id(3), id(4)], { parameters });
    expect(items.map((r) => [r.method, r.url, r.body])).toEqual([
      ['POST', `/users/${parameters.get(id(1))!.userId}/revokeSignInSessions`, undefined],
      ['POST', `/users/${parameters.get(id(2))!.userId}/revokeSignInSessions`, undefined],
    ]);
    expect(out.map((r) => r.ok)).toEqual([true, true, false, false]);
    expect(codeOf(out[2])).toBe(ERROR_CODES.NOT_SENT);
    expect(!out[3]!.ok && out[3]!.error.describe()).toContain('did not know whose sessions to end');
  });

  it('signOut refused: a 403 names User.RevokeSessions.All, a 404 is a user gone (not a device), a 400 a refusal', async () => {
    const { backend } = await harness();
    nock(GRAPH)
      .post('/v1.0/$batch')
      .reply(200, {
        responses: [
          { id: '1', status: 403, headers: { 'request-id': 'req-403' }, body: { error: { code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' } } },
          { id: '2', status: 404, body: { error: { code: 'Request_ResourceNotFound' } } },
          { id: '3', status: 400, body: { error: { code: 'BadRequest' } } },
        ],
      });
    const out = await backend.dispatch('signOut', [id(1), id(2), id(3)], { parameters: owners(id(1), id(2), id(3)) });
    expect(codeOf(out[0])).toBe(ERROR_CODES.FORBIDDEN);
    expect(!out[0]!.ok && out[0]!.error.describe()).toBe('Microsoft Entra ID refused: the lockdesk app lacks the permission User.RevokeSessions.All (an administrator must grant it and give admin consent). (request id req-403)');
    expect(codeOf(out[1])).toBe(ERROR_CODES.REFUSED);
    expect(!out[1]!.ok && out[1]!.error.describe()).toBe('Microsoft Entra ID has no such user any more, so no one was signed out.');
    expect(codeOf(out[2])).toBe(ERROR_CODES.REFUSED);
  });

  it("Intune's opaque 400 on Lost Mode is a refusal with the request id; a 403 names PrivilegedOperations.All", async () => {
    const { backend } = await harness();
    nock(GRAPH)
      .post(`${BETA}/${id(1)}/enableLostMode`)
      .reply(400, { error: { code: 'BadRequest', message: '{"_version":3,"Message":"An error has occurred"}', innerError: { 'request-id': 'req-lm' } } })
      .post(`${BETA}/${id(2)}/playLostModeSound`)
      .reply(403, { error: { code: 'Forbidden' } });
    const [refused] = await backend.dispatch('enableLostMode', [id(1)], { parameters: lost(id(1)) });
    expect(codeOf(refused)).toBe(ERROR_CODES.REFUSED);
    expect(!refused!.ok && refused!.error.describe()).toBe('Intune refused the action for this device. (request id req-lm)');
    const [forbidden] = await backend.dispatch('playLostModeSound', [id(2)]);
    expect(!forbidden!.ok && forbidden!.error.describe()).toContain('DeviceManagementManagedDevices.PrivilegedOperations.All');
  });

  it('Lost Mode for 30 devices under a write budget of 10: three beta batches of 10, two waits, each item with its text', async () => {
    const { backend, clock } = await harness({ writeBudget: 10, writeWindowMs: 20_000 });
    const ids = Array.from({ length: 30 }, (_, n) => id(n + 1));
    const sizes: number[] = [];
    nock(GRAPH)
      .post('/beta/$batch')
      .times(3)
      .reply(async (req: Request) => {
        const requests = ((await seen(req)).body as { requests: BatchItem[] }).requests;
        sizes.push(requests.length);
        expect(requests.every((r) => JSON.stringify(r.body) === JSON.stringify(TEXT) && r.headers?.['Content-Type'] === 'application/json')).toBe(true);
        return [200, { responses: requests.map((r) => ({ id: r.id, status: 204 })) }];
      });
    const out = await backend.dispatch('enableLostMode', ids, { parameters: lost(...ids) });
    expect(out.every((r) => r.ok)).toBe(true);
    expect(sizes).toEqual([10, 10, 10]);
    expect(backend.writeLimiter.waits).toBe(2);
    expect(clock.sleeps).toEqual([20_000, 20_000]);
  });

  it('a lost enableLostMode: its state is read from beta, and it is sent again, with its text, only when nothing is queued', async () => {
    const { backend } = await harness();
    const bodies: unknown[] = [];
    nock(GRAPH).post(`${BETA}/${id(1)}/enableLostMode`).replyWithError(connectionReset());
    nock(GRAPH).get(`${BETA}/${id(1)}`).query({ $select: 'deviceActionResults' }).reply(200, { deviceActionResults: [] });
    nock(GRAPH)
      .post(`${BETA}/${id(1)}/enableLostMode`)
      .reply(async (req: Request) => (bodies.push((await seen(req)).body), [204]));
    expect(await backend.dispatch('enableLostMode', [id(1)], { parameters: lost(id(1)) })).toEqual([{ deviceId: id(1), ok: true }]);
    expect(bodies).toEqual([TEXT]);
  });

  it('a lost signOut: the sessions of the user it was sent for are read, and one revoked since then counts as sent', async () => {
    const { backend, clock } = await harness();
    let posts = 0;
    nock(GRAPH).post(`/v1.0/users/${USER}/revokeSignInSessions`).replyWithError(connectionReset());
    // No read of the device's user: the dispatch knows whom it signed out.
    nock(GRAPH)
      .get(`/v1.0/users/${USER}`)
      .query({ $select: 'signInSessionsValidFromDateTime' })
      .reply(() => [200, { signInSessionsValidFromDateTime: clock.now().toISOString() }]);
    nock(GRAPH).post(`/v1.0/users/${USER}/revokeSignInSessions`).optionally().reply(() => ((posts += 1), [200, { value: true }]));
    expect(await backend.dispatch('signOut', [id(1)], { parameters: new Map([[id(1), { userId: USER }]]) })).toEqual([{ deviceId: id(1), ok: true }]);
    expect(posts).toBe(0);
  });

  it('a lost signOut whose user was last signed out long before: sent once more', async () => {
    const { backend } = await harness();
    let posts = 0;
    nock(GRAPH).post(`/v1.0/users/${USER}/revokeSignInSessions`).replyWithError(connectionReset());
    nock(GRAPH).get(`/v1.0/users/${USER}`).query(true).reply(200, { signInSessionsValidFromDateTime: '2024-01-01T00:00:00Z' });
    nock(GRAPH).post(`/v1.0/users/${USER}/revokeSignInSessions`).reply(() => ((posts += 1), [200, { value: true }]));
    expect(await backend.dispatch('signOut', [id(1)], { parameters: new Map([[id(1), { userId: USER }]]) })).toEqual([{ deviceId: id(1), ok: true }]);
    expect(posts).toBe(1);
  });
});

/** A dropped connection (nock 15 needs an Error: a plain object never answers). */
function connectionReset(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}
