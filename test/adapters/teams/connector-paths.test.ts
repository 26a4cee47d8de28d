// Every id lockdesk puts into a Bot Connector path (conversation, activity, member) comes from the activity or from
// storage. encodeURIComponent keeps "." and "..", and a URL resolves them: a conversation id ".." would make the bot
// call another API of the connector with its own token (GET /v3/, POST /v3/activities). Such ids are refused.
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, message, SERVICE_URL, startHarness, type Harness } from './harness.js';

let h: Harness;
const paths: string[] = [];
beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1:(?!59981)/);
  h = await startHarness();
  // Whatever reaches the connector, matched or not by the harness's own routes.
  const record = (method: string) => async (req: Request) => {
    paths.push(`${method} ${new URL(req.url).pathname}`);
    return [200, { id: 'x' }] as [number, object];
  };
  nock(SERVICE_URL).persist().intercept(() => true, 'GET').reply(record('GET')).intercept(() => true, 'POST').reply(record('POST')).intercept(() => true, 'PUT').reply(record('PUT'));
});
afterAll(async () => {
  await h.close();
  nock.enableNetConnect();
});

describe('Teams: ids that are path segments of their own', () => {
  it('"." and ".." never leave /v3/conversations/ on the connector', async () => {
    const base = message(ALICE, 'help');
    for (const id of ['..', '.']) {
      await h.post({ ...base, conversation: { ...base.conversation, id }, from: { ...base.from, id } });
      await h.post({ ...base, from: { ...base.from, id } });
    }
    await h.bot.idle();
    const all = [...paths, ...h.sent.map((s) => `${s.method} ${s.path}`)];
    expect(all.filter((p) => !/^(GET|POST|PUT) \/v3\/conversations\/[^/]+\/(activities|members)(\/[^/]+)?$/.test(p))).toEqual([]);
  });
});
