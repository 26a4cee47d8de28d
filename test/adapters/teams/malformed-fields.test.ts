// Activities that pass the body check but carry a field of the wrong shape where lockdesk's routes read it
// (entities, membersAdded, a mention's text): bad input, answered 400 before the SDK or any route runs, never a
// 500 and never an SDK error line. And a failure of lockdesk's own on a message is a server error (500), not
// "lockdesk does not handle this activity": the SDK hands the message routes a copy of the body.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, message, startHarness, type Harness } from './harness.js';

let h: Harness | undefined;
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
});
afterAll(() => nock.enableNetConnect());
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const sdkErrors = (harness: Harness) => harness.logger.lines.filter((l) => /^(warn|error) Teams SDK/.test(l));

describe('Teams activities with a field of the wrong shape', () => {
  it('get 400, reach no route, and leave no SDK error in the log', async () => {
    h = await startHarness();
    const base = message(ALICE, 'help');
    const bodies: Record<string, Record<string, unknown>> = {
      'entities not a list': { ...base, entities: 'nope' },
      'entities an object': { ...base, entities: { 0: { type: 'mention' } } },
      'membersAdded not a list': { ...base, type: 'conversationUpdate', membersAdded: 'x' },
      'membersAdded an object': { ...base, type: 'conversationUpdate', membersAdded: { id: '28:lockdesk-bot' } },
    };
    for (const [what, body] of Object.entries(bodies)) expect((await h.post(body)).status, what).toBe(400);
    expect(sdkErrors(h)).toEqual([]);
    expect(h.sent).toEqual([]);
  });

  it('a mention whose text or id is not text is no mention: no 500', async () => {
    h = await startHarness();
    const odd = [
      { type: 'mention', mentioned: { id: '29:nobody' }, text: 5 },
      { type: 'mention', mentioned: { id: { not: 'an id' } }, text: 'help' },
      { type: 'mention', mentioned: 'Bob', text: '<at>Bob</at>' },
    ];
    for (const entity of odd) {
      const res = await h.post(message(ALICE, 'lock 5 help <at>Bob</at>', undefined, [entity]));
      expect(res.status, JSON.stringify(entity)).toBeLessThan(500);
    }
    expect(sdkErrors(h)).toEqual([]);
  });
});

describe('Teams: lockdesk failing on a message', () => {
  it('is a server error (500), logged as lockdesk\'s, not as an activity the SDK could not route', async () => {
    h = await startHarness();
    h.app.handler.handleMessage = async () => {
      throw new Error('the store is gone');
    };
    expect((await h.post(message(ALICE, 'help'))).status).toBe(500);
    expect(h.logger.lines.filter((l) => l.includes('could not route'))).toEqual([]);
  });
});
