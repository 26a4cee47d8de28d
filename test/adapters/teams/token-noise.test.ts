// Anyone can send /api/messages a token-shaped string. The Teams SDK logs each one it rejects as an error with a
// stack; lockdesk gives it a logger of its own, so those rejections reach lockdesk's log sampled, without a stack,
// and nothing per request is printed.
import { generateKeyPairSync } from 'node:crypto';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ALICE, message, startHarness, type Harness } from './harness.js';

let h: Harness;
const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
const printedWarn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
  h = await startHarness({ MICROSOFT_APP_ID: '7e1d3c9a-0000-4000-8000-00000000b07a', MICROSOFT_APP_PASSWORD: 'not-a-real-secret', MICROSOFT_APP_TENANT_ID: '5b0c6e3e-1d8f-4c2a-9a47-0b7a3f1e2d44' });
  // One published key, which signed none of the forged tokens below.
  const jwk = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
  nock('https://login.botframework.com').persist().get(/.*/).reply(200, { issuer: 'https://api.botframework.com', jwks_uri: 'https://login.botframework.com/v1/.well-known/keys', keys: [{ ...jwk, kid: 'published-1', use: 'sig', alg: 'RS256' }] });
});
afterAll(async () => {
  await h.close();
  nock.enableNetConnect();
  printed.mockRestore();
  printedWarn.mockRestore();
});

/** Claims Bot Framework issued it with a key it publishes, so the SDK verifies it (and fails: that key did not sign it). */
const forged = (i: number) => `Bearer ${Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'published-1' })).toString('base64url')}.${Buffer.from(JSON.stringify({ iss: 'https://api.botframework.com', n: i })).toString('base64url')}.${'A'.repeat(10 + i)}`;

describe('Teams: forged tokens', () => {
  it('20 of them: 20 × 401, nothing printed, no stack, one sampled log line each for lockdesk and the SDK', async () => {
    for (let i = 0; i < 20; i++) {
      expect((await h.post(message(ALICE, 'help'), { authorization: forged(i) })).status).toBe(401);
    }
    expect(printed).not.toHaveBeenCalled();
    expect(printedWarn).not.toHaveBeenCalled();
    expect(h.logger.lines.filter((l) => /token was refused/.test(l))).toHaveLength(1);
    const sdkLines = h.logger.lines.filter((l) => !l.startsWith('debug ') && l.includes('Teams SDK'));
    expect(sdkLines.length).toBeGreaterThan(0);
    expect(sdkLines.length).toBeLessThan(5); // sampled: a line a minute per part of the SDK, not one per request
    expect(h.logger.lines.filter((l) => l.startsWith('error ') || /\n\s+at /.test(l) || l.includes('"stack"'))).toEqual([]);
    expect(h.logger.lines.join('\n')).not.toContain('eyJhbGciOiJSUzI1NiIsImtpZCI6InB1Ymxpc2hlZC0xIn0');
  });
});
