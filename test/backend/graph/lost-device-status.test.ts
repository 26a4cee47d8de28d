// The state of each lost-device action as Graph reports it (nock): Lost Mode and its sound from beta's
// deviceActionResults (generic results told apart by actionName only), a finished locate's deviceLocation as one
// Secret (v1.0, else beta) that no log and no JSON carries, and a sign-out read from the user's
// signInSessionsValidFromDateTime.
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../src/core/errors.js';
import { Secret } from '../../../src/core/types.js';
import { GRAPH, harness, id, setupNock, teardownNock } from './helpers.js';

const V1 = '/v1.0/deviceManagement/managedDevices';
const BETA = '/beta/deviceManagement/managedDevices';
const USER = 'aaaaaaaa-0000-4000-8000-000000000001';
const START = '2025-06-02T09:00:00Z';
const results = (...items: object[]) => ({ id: 'x', deviceActionResults: items });
/** A generic deviceActionResult, as Graph serialises one: no @odata.type, only the action's name. */
const generic = (actionName: string, actionState: string, startDateTime = START) => ({ actionName, actionState, startDateTime, lastUpdatedDateTime: startDateTime });
const PLACE = { latitude: 47.641932, longitude: -122.127181, altitude: 80, horizontalAccuracy: 14.6, verticalAccuracy: 10, heading: 0, speed: 0, lastCollectedDateTime: '2025-06-02T09:03:00Z' };
const located = (state: string, deviceLocation: unknown) => ({ '@odata.type': '#microsoft.graph.locateDeviceActionResult', ...generic('locateDevice', state), deviceLocation });

describe('lost-device action states from Graph', () => {
  beforeEach(setupNock);
  afterEach(teardownNock);

  it('Lost Mode and its sound: from beta, by actionName, the latest of its kind; another generic result is not taken for it', async () => {
    const { backend } = await harness();
    nock(GRAPH)
      .get(`${BETA}/${id(1)}`)
      .query({ $select: 'deviceActionResults' })
      .times(2)
      .reply(200, results(
        { '@odata.type': '#microsoft.graph.deviceActionResult', ...generic('rebootNow', 'done', '2025-06-02T10:00:00Z') },
        generic('enableLostMode', 'done', '2025-05-01T09:00:00Z'),
        generic('EnableLostMode', 'pending'),
        generic('playLostModeSound', 'notSupported'),
      ))
      .get(`${V1}/${id(1)}`)
      .query({ $select: 'deviceActionResults,operatingSystem' })
      .reply(200, results(generic('disableLostMode', 'failed')));
    expect(await backend.getActionStatus(id(1), 'enableLostMode')).toEqual({ state: 'pending', startedAt: START, updatedAt: START });
    expect(await backend.getActionStatus(id(1), 'playLostModeSound')).toMatchObject({ state: 'notSupported' });
    expect(await backend.getActionStatus(id(1), 'disableLostMode')).toMatchObject({ state: 'failed' });
  });

  it('a finished locate: the location from v1.0 as one Secret, written to no log and no JSON; no beta read', async () => {
    const { backend, logger } = await harness();
    nock(GRAPH).get(`${V1}/${id(1)}`).query({ $select: 'deviceActionResults,operatingSystem' }).reply(200, results(located('done', PLACE)));
    const status = await backend.getActionStatus(id(1), 'locateDevice');
    expect(status).toMatchObject({ state: 'done', startedAt: START });
    expect(status.location).toBeInstanceOf(Secret);
    const text = status.location!.reveal();
    expect(text).toContain('47.64193, -122.12718');
    expect(text).toContain('within about 15 m');
    expect(text).toContain('2025-06-02T09:03:00.000Z');
    expect(JSON.stringify(status)).not.toContain('47.64');
    expect(logger.text).not.toContain('47.64');
    expect(logger.text).not.toContain('122.12');
    expect(status).not.toHaveProperty('passcode');
  });

  it('a finished locate whose v1.0 result has no location: read from beta', async () => {
    const { backend } = await harness();
    nock(GRAPH)
      .get(`${V1}/${id(1)}`)
      .query(true)
      .reply(200, results(located('done', null)))
      .get(`${BETA}/${id(1)}`)
      .query({ $select: 'deviceActionResults' })
      .reply(200, results(located('done', PLACE)));
    expect((await backend.getActionStatus(id(1), 'locateDevice')).location?.reveal()).toContain('47.64193');
  });

  it('a pending locate reads nothing more; a location at 0,0 or without coordinates is none; done stays done', async () => {
    const { backend } = await harness();
    nock(GRAPH)
      .get(`${V1}/${id(1)}`)
      .query(true)
      .reply(200, results(located('pending', null)))
      .get(`${V1}/${id(2)}`)
      .query(true)
      .reply(200, results(located('done', { ...PLACE, latitude: 0, longitude: 0 })))
      .get(`${BETA}/${id(2)}`)
      .query(true)
      .reply(200, results(located('done', { ...PLACE, latitude: 0, longitude: 0 })))
      .get(`${V1}/${id(3)}`)
      .query(true)
      .reply(200, results(located('done', { latitude: 'north' })))
      .get(`${BETA}/${id(3)}`)
      .query(true)
      .reply(400, { error: { code: 'BadRequest' } });
    expect(await backend.getActionStatus(id(1), 'locateDevice')).toEqual({ state: 'pending', startedAt: START, updatedAt: START });
    expect(await backend.getActionStatus(id(2), 'locateDevice')).toEqual({ state: 'done', startedAt: START, updatedAt: START });
    expect(await backend.getActionStatus(id(3), 'locateDevice')).toEqual({ state: 'done', startedAt: START, updatedAt: START });
  });

  it("signOut: the device's user, then that user's signInSessionsValidFromDateTime: done as of then", async () => {
    const { backend } = await harness();
    nock(GRAPH)
      .get(`${V1}/${id(1)}`)
      .query({ $select: 'userId' })
      .reply(200, { id: id(1), userId: USER })
      .get(`/v1.0/users/${USER}`)
      .query({ $select: 'signInSessionsValidFromDateTime' })
      .reply(200, { signInSessionsValidFromDateTime: '2025-06-02T09:00:07Z' });
    expect(await backend.getActionStatus(id(1), 'signOut')).toEqual({ state: 'done', startedAt: '2025-06-02T09:00:07Z' });
  });

  it('signOut: none when the property is not set, the device has no user, or the user is gone; the device gone is device_not_found', async () => {
    const { backend } = await harness();
    nock(GRAPH)
      .get(`${V1}/${id(1)}`).query(true).reply(200, { id: id(1), userId: USER })
      .get(`/v1.0/users/${USER}`).query(true).reply(200, { signInSessionsValidFromDateTime: null })
      .get(`${V1}/${id(2)}`).query(true).reply(200, { id: id(2), userId: '' })
      .get(`${V1}/${id(3)}`).query(true).reply(200, { id: id(3), userId: 'bbbbbbbb-0000-4000-8000-000000000009' })
      .get('/v1.0/users/bbbbbbbb-0000-4000-8000-000000000009').query(true).reply(404, { error: { code: 'Request_ResourceNotFound' } })
      .get(`${V1}/${id(4)}`).query(true).reply(404, { error: { code: 'ResourceNotFound' } });
    expect(await backend.getActionStatus(id(1), 'signOut')).toEqual({ state: 'none' });
    expect(await backend.getActionStatus(id(2), 'signOut')).toEqual({ state: 'none' });
    expect(await backend.getActionStatus(id(3), 'signOut')).toEqual({ state: 'none' });
    await expect(backend.getActionStatus(id(4), 'signOut')).rejects.toMatchObject({ code: ERROR_CODES.DEVICE_NOT_FOUND });
  });

  it('signOut: a 403 on reading the user names User.Read.All, not an Intune permission', async () => {
    const { backend } = await harness();
    nock(GRAPH)
      .get(`${V1}/${id(1)}`).query(true).reply(200, { id: id(1), userId: USER })
      .get(`/v1.0/users/${USER}`).query(true).reply(403, { error: { code: 'Authorization_RequestDenied' } });
    const error = await backend.getActionStatus(id(1), 'signOut').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ERROR_CODES.FORBIDDEN });
    expect((error as { describe(): string }).describe()).toContain('User.Read.All');
  });
});
