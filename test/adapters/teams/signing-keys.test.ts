// The Teams SDK looks a token's signing key up by its `kid` in Bot Framework's key set, and fetches the whole key set
// again for every kid it does not know (jwks-rsa without a rate limit): anyone could make lockdesk call
// login.botframework.com once per request, as many at a time as they like. The Bot Framework SDK fetched the keys
// at most once a day, plus once an hour for a key it did not know. lockdesk refuses a token whose key is not in
// the key set it last read, and reads the key set again at most once a minute.
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BOT_FRAMEWORK_ISSUER, botFrameworkToken, signJwt, startBotFrameworkKeys, type BotFrameworkKeys } from './bot-framework-keys.js';
import { entraTokens } from './entra-fake.js';
import { KEY_SET_READ_AT_MOST_EVERY_MS, KEY_SET_RETRY_AFTER_FAILURE_MS, PublishedKeyIds } from '../../../adapters/teams/token-check.js';
import { AUTH_SERVICE_URL, capturingLogger, startHarness, type Harness } from './harness.js';
import { APP_ID, BOT_ENV, BOT_TOKEN, fromOurTenant, OURS } from './bot-app.js';


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


describe('Teams: tokens naming a signing key Bot Framework does not publish', () => {
  it('are refused (401) without fetching the key set per request, one at a time or fifty at once', async () => {
    h = await startHarness(BOT_ENV, { cloud: keys.cloud });
    entraTokens(OURS, BOT_TOKEN);
    const attacker = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: BOT_FRAMEWORK_ISSUER, aud: APP_ID, nbf: now - 60, exp: now + 3600, serviceurl: AUTH_SERVICE_URL };
    const before = keys.keyFetches();
    for (let i = 0; i < 20; i++) {
      expect((await h.post(fromOurTenant(), { authorization: `Bearer ${signJwt(attacker, claims, `made-up-${i}`)}` })).status).toBe(401);
    }
    const statuses = await Promise.all(Array.from({ length: 50 }, (_, i) => h!.post(fromOurTenant(), { authorization: `Bearer ${signJwt(attacker, claims, `at-once-${i}`)}` })));
    expect(statuses.map((s) => s.status)).toEqual(Array(50).fill(401));
    expect(keys.keyFetches() - before).toBeLessThanOrEqual(1);
    expect(h.sent).toEqual([]);

    // Teams' own token, signed with the published key, is still served.
    const res = await h.post(fromOurTenant(), { authorization: `Bearer ${botFrameworkToken(keys.key.privateKey, APP_ID, AUTH_SERVICE_URL)}` });
    expect(res.status).toBe(200);
    expect(keys.keyFetches() - before).toBeLessThanOrEqual(2);
  });
});

describe('Teams: the published key ids', () => {
  it('follow a key rotation within a minute, keep what they knew when a read fails, and read one at a time', async () => {
    let published: object = { keys: [{ kid: 'old' }] };
    let reads = 0;
    const server = createServer((_req, res) => {
      reads += 1;
      if (published === null) return void res.writeHead(503).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(published));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      let now = 1_000_000;
      const logger = capturingLogger();
      const ids = new PublishedKeyIds(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/.well-known/keys`, logger, () => now);
      expect(await Promise.all([ids.has('old'), ids.has('old'), ids.has('new')])).toEqual([true, true, false]);
      expect(reads).toBe(1);
      expect(await ids.has(undefined)).toBe(false);
      // Bot Framework publishes a new key: known after the minute, not before (no read per unknown kid).
      published = { keys: [{ kid: 'old' }, { kid: 'new' }] };
      expect(await ids.has('new')).toBe(false);
      now += KEY_SET_READ_AT_MOST_EVERY_MS;
      expect(await ids.has('new')).toBe(true);
      expect(reads).toBe(2);
      // The key set cannot be read: what was known stays known, and the failure is logged, without a stack.
      published = null as never;
      now += KEY_SET_READ_AT_MOST_EVERY_MS;
      expect(await ids.has('other')).toBe(false);
      expect(await ids.has('new')).toBe(true);
      expect(reads).toBe(3);
      expect(logger.lines.filter((l) => l.includes("could not read Bot Framework's signing keys"))).toHaveLength(1);
      // After a failed read the next comes sooner (10 s), still not per request.
      expect(await ids.has('other')).toBe(false);
      expect(reads).toBe(3);
      now += KEY_SET_RETRY_AFTER_FAILURE_MS;
      published = { keys: [{ kid: 'other' }] };
      expect(await ids.has('other')).toBe(true);
      expect(reads).toBe(4);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
