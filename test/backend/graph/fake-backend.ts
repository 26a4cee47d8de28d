// The real Graph backend against the local fake Graph server, in the test's own process: the fake over plain HTTP
// (this process's fetch cannot be told to trust its certificate), tokens from the fake's own token endpoint.
import type { TokenSource } from '../../../src/backend/graph/auth.js';
import { createGraphBackend, type GraphBackend, type GraphSettings } from '../../../src/backend/graph/index.js';
import type { Counters, FakeGraph } from '../../fakes/graph-server/index.js';
import { CapturingLogger, settings, SteppingClock } from './helpers.js';

/** Client credentials at the fake's token endpoint, over HTTP; a fresh token when asked. */
export function fakeTokens(fake: FakeGraph): TokenSource {
  let token: string | undefined;
  return {
    async getToken(options = {}) {
      if (token && !options.fresh) return token;
      const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: fake.clientId, client_secret: fake.clientSecret, scope: `${fake.url}/.default` });
      const res = await fetch(`${fake.url}/${fake.tenantId}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
      if (res.status !== 200) throw new Error(`the fake refused a token: ${res.status}`);
      token = ((await res.json()) as { access_token: string }).access_token;
      return token;
    },
  };
}

export async function backendOn(fake: FakeGraph, overrides: Partial<GraphSettings> = {}): Promise<{ backend: GraphBackend; logger: CapturingLogger }> {
  const logger = new CapturingLogger();
  const backend = await createGraphBackend({
    settings: settings({ tenantId: fake.tenantId, clientId: fake.clientId, graphBaseUrl: fake.url, authorityHost: fake.url, betaDetails: true, ...overrides }),
    clock: new SteppingClock(),
    logger,
    tokens: fakeTokens(fake),
  });
  return { backend, logger };
}

/** Graph requests as Graph throttles them: every GET or POST, and every item of a $batch (the envelope is not one). */
export const graphCost = (c: Counters) => c.read + c.write + c.batchItems;
