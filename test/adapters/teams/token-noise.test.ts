// Anyone can send /api/messages a token-shaped string: botbuilder prints each one it rejects, with a stack. Those
// rejections reach lockdesk's log instead, sampled, and nothing per request is printed.
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ALICE, message, startHarness, type Harness } from './harness.js';

let h: Harness;
// Before the harness installs its filter, so the filter forwards anything else to this spy.
const printed = vi.spyOn(console, 'error').mockImplementation(() => undefined);
beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1/);
  h = await startHarness({ MICROSOFT_APP_ID: '7e1d3c9a-0000-4000-8000-00000000b07a', MICROSOFT_APP_PASSWORD: 'not-a-real-secret', MICROSOFT_APP_TENANT_ID: '5b0c6e3e-1d8f-4c2a-9a47-0b7a3f1e2d44' });
  nock('https://login.botframework.com').persist().get(/.*/).reply(200, { issuer: 'https://api.botframework.com', jwks_uri: 'https://login.botframework.com/v1/.well-known/keys', keys: [] });
});
afterAll(async () => {
  await h.close();
  nock.enableNetConnect();
  printed.mockRestore();
});

describe('Teams: forged tokens', () => {
  it('20 of them: 20 × 401, nothing printed, one sampled log line', async () => {
    for (let i = 0; i < 20; i++) {
      expect((await h.post(message(ALICE, 'help'), { authorization: `Bearer eyJhbGciOiJSUzI1NiJ9.eyJ4IjoxfQ.${'A'.repeat(10 + i)}` })).status).toBe(401);
    }
    expect(printed).not.toHaveBeenCalled();
    expect(h.logger.lines.filter((l) => /token was refused/.test(l))).toHaveLength(1);
    // Anything else still reaches console.error.
    console.error('something else');
    expect(printed).toHaveBeenCalledWith('something else');
  });
});
