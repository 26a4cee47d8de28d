// Bot Framework tokens end to end over HTTP: signed with a key the SDK fetches from a local JWKS (its cloud's OpenID
// metadata URL points there), the bot's own token from Entra (nock) for its replies. A valid token is accepted; one
// for another tenant's activity, or one Entra issued (for any tenant), is refused.
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/core/index.js';
import { botFrameworkToken, signJwt, startBotFrameworkKeys, type BotFrameworkKeys } from './bot-framework-keys.js';
import { entraKeys, entraTokens, LOGIN } from './entra-fake.js';
import { AUTH_SERVICE_URL, startHarness, type Harness } from './harness.js';
import { APP_ID, BOT_ENV, BOT_TOKEN, fromTenant, OURS, SECRET } from './bot-app.js';

const THEIRS = '9f1e2d3c-4b5a-4697-8877-665544332211';

let keys: BotFrameworkKeys;
let h: Harness | undefined;
beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
  keys = await startBotFrameworkKeys();
});
afterEach(async () => {
  await h?.close();
  h = undefined;
});
afterAll(async () => {
  await keys.close();
  nock.enableNetConnect();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function audit(harness: Harness): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  for await (const e of harness.app.store.audit.read()) events.push(e);
  return events;
}

describe('Teams: a valid Bot Framework token', () => {
  it('is accepted: the command is answered in the conversation, with the bot\'s own token from its secret', async () => {
    h = await startHarness(BOT_ENV, { cloud: keys.cloud });
    const entra = entraTokens(OURS, BOT_TOKEN);
    const res = await h.post(fromTenant(OURS), bearer(botFrameworkToken(keys.key.privateKey, APP_ID, AUTH_SERVICE_URL)));
    expect(res.status).toBe(200);
    expect(keys.keyFetches()).toBeGreaterThan(0);
    const posts = h.sent.filter((s) => s.method === 'POST');
    expect(posts.map((s) => s.path)).toEqual([expect.stringMatching(/^\/v3\/conversations\/a:personal-29:alice\/activities/)]);
    expect(posts[0]!.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    // The bot signed in as itself, in its own tenant, for the Bot Connector only.
    const form = entra.forms[0]!;
    expect([form.get('grant_type'), form.get('client_id'), form.get('client_secret'), form.get('scope')]).toEqual(['client_credentials', APP_ID, SECRET, 'https://api.botframework.com/.default']);
  });

  it('for another app, another service URL, or expired: 401 and nothing is sent', async () => {
    h = await startHarness(BOT_ENV, { cloud: keys.cloud });
    entraTokens(OURS, BOT_TOKEN);
    const past = Math.floor(Date.now() / 1000) - 7200;
    const wrong = [
      botFrameworkToken(keys.key.privateKey, '00000000-1111-4222-8333-444444444444', AUTH_SERVICE_URL),
      botFrameworkToken(keys.key.privateKey, APP_ID, 'https://smba.elsewhere.test/'),
      botFrameworkToken(keys.key.privateKey, APP_ID, AUTH_SERVICE_URL, { nbf: past - 60, exp: past }),
    ];
    for (const token of wrong) expect((await h.post(fromTenant(OURS), bearer(token))).status).toBe(401);
    expect(h.sent).toEqual([]);
    expect(await audit(h)).toEqual([]);
  });

  it('with an activity of another tenant: 403, an audited refusal, and nothing sent into that tenant', async () => {
    h = await startHarness(BOT_ENV, { cloud: keys.cloud });
    const entra = entraTokens(OURS, BOT_TOKEN);
    const res = await h.post(fromTenant(THEIRS, "lock Alice's iPhone"), bearer(botFrameworkToken(keys.key.privateKey, APP_ID, AUTH_SERVICE_URL)));
    expect(res.status).toBe(403);
    expect(h.sent).toEqual([]);
    expect(entra.forms).toEqual([]); // not even a roster look-up (which would need the bot's token)
    const events = await audit(h);
    expect(events.map((e) => [e.event, e.outcome])).toEqual([['refusal', 'refused']]);
    expect(events[0]!.reason).toContain(`teams-tenant ${THEIRS}`);
  });
});

describe('Teams: a token Entra issued', () => {
  /** A token Entra would issue to any app of `tenant` asking for the bot's app id, signed with the tenant's key. */
  const entraToken = (tenant: string, issuer = `${LOGIN}/${tenant}/v2.0`) => {
    const now = Math.floor(Date.now() / 1000);
    return signJwt(keys.key.privateKey, { iss: issuer, tid: tenant, aud: APP_ID, azp: 'some-other-app', nbf: now - 60, exp: now + 3600 }, 'entra-key');
  };

  it('for another tenant is refused (401), although the SDK alone would take it; nothing is sent or audited', async () => {
    h = await startHarness(BOT_ENV, { cloud: keys.cloud });
    entraKeys(THEIRS, keys.key.publicKey, 'entra-key');
    entraTokens(OURS, BOT_TOKEN);
    // The activity claims our tenant; the token is genuinely Entra's, for theirs.
    for (const token of [entraToken(THEIRS), entraToken(THEIRS, `https://sts.windows.net/${THEIRS}/`)]) {
      expect((await h.post(fromTenant(OURS), bearer(token))).status).toBe(401);
    }
    expect(h.sent).toEqual([]);
    expect(await audit(h)).toEqual([]);
    expect(h.logger.lines.filter((l) => /token Bot Framework did not issue/.test(l))).toHaveLength(1);

    // Why lockdesk checks: the SDK's own handler, given the same request, verifies the token against its own tenant
    // and runs the turn.
    await h.bot.ready;
    const direct = await h.bot.adapter.handle({ body: fromTenant(OURS), headers: bearer(entraToken(THEIRS)) });
    expect(direct.status).toBe(200);
  });

  it('for our own tenant is refused too: any app of the tenant can get one, so it does not show that Teams sent the activity', async () => {
    h = await startHarness(BOT_ENV, { cloud: keys.cloud });
    entraKeys(OURS, keys.key.publicKey, 'entra-key');
    expect((await h.post(fromTenant(OURS), bearer(entraToken(OURS)))).status).toBe(401);
    expect(h.sent).toEqual([]);
  });
});
