// A send the connector refuses after the turn is a failure (botbuilder once resolved such a send as if all went
// well): a temporary passcode the connector refused is audited as not delivered, never as "shown privately".
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/core/index.js';
import { ALICE, click, executeActions, message, SERVICE_URL, startHarness, type Harness } from './harness.js';
import { seen } from '../../fakes/nock-request.js';

let h: Harness | undefined;
beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1:(?!59981)/);
});
afterAll(() => nock.enableNetConnect());
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('Teams: a passcode the connector refuses', () => {
  it('is audited as not delivered (read it in Intune), not as shown privately', async () => {
    h = await startHarness({}, { connector: false });
    const posts: Array<{ path: string; body: any; status: number }> = [];
    let n = 0;
    nock(SERVICE_URL)
      .persist()
      .get(/\/v3\/conversations\/[^/]+\/members\/.+/)
      .reply(200, { id: ALICE.id, name: ALICE.name, aadObjectId: ALICE.aadObjectId, email: ALICE.email, userPrincipalName: ALICE.email })
      .post(/\/v3\/conversations.*/)
      .reply(async (req: Request) => {
        const { uri, body: raw } = await seen(req);
        const body = typeof raw === 'string' ? JSON.parse(raw) : raw;
        // Everything goes through except the card that carries the passcode (say, Teams throttles or the app was removed).
        const status = /Temporary passcode/.test(JSON.stringify(body)) ? 403 : 200;
        posts.push({ path: uri, body, status });
        return status === 200 ? [200, { id: `activity-${++n}` }] : [403, { error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } }];
      })
      .put(/\/v3\/conversations\/.+/)
      .reply(200, { id: 'x' });
    await h.post(message(ALICE, "reset passcode Alice's Pixel 8"));
    const confirm = executeActions(posts[0]!.body.attachments?.[0]?.content)[0]!;
    await h.post(click(ALICE, 'card-p', confirm.data));
    await h.bot.idle();
    const refused = posts.filter((p) => p.status === 403);
    const events: AuditEvent[] = [];
    for await (const e of h.app.store.audit.read()) events.push(e);
    const result = events.find((e) => e.event === 'result' && e.outcome === 'done');
    expect(refused.length).toBe(1);
    expect(result?.reason).toBe('a temporary passcode was created; the requester can read it in Intune');
    expect(JSON.stringify(events)).not.toMatch(/Temporary passcode for/);
  });
});
