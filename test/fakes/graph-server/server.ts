// The fake Microsoft Graph + Entra token server: one HTTPS listener on 127.0.0.1 speaking both wire formats, so a
// client configured with GRAPH_BASE_URL and AZURE_AUTHORITY_HOST pointing here is exercised with nothing mocked
// below HTTP. Counts every request by kind and records every accepted write.
import { createServer } from 'node:https';
import { createServer as createPlainServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ActionBook } from './actions.js';
import type { Counters, FakeGraph, FakeGraphOptions, Fault, LoggedRequest, RequestKind } from './types.js';
import { handleBatch } from './batch.js';
import { SlidingWindowBudget } from './budget.js';
import { handleGraph, type GraphContext, type GraphVersion, type WriteRecord } from './graph-routes.js';
import { DEFAULT_ROLES, FakeIdentity } from './identity.js';
import type { FilterTraps } from './odata.js';
import { graphError, newRequestId, type FakeResponse } from './responses.js';
import { FakeTenant } from './tenant.js';
import { SESSIONS_VALID_FROM, type RevocationRecord } from './user-routes.js';

export type { Counters, FakeGraph, FakeGraphOptions, Fault, LoggedRequest, RequestKind } from './types.js';
export { REQUEST_KINDS } from './types.js';
import { createSelfSignedCert } from './tls.js';

const emptyCounters = (): Counters => ({ token: 0, metadata: 0, read: 0, write: 0, batch: 0, other: 0, batchItems: 0, batchWrites: 0, batchReads: 0, throttled: 0, unauthorized: 0, forbidden: 0 });
const MAX_LOGGED = 200_000;

export async function startFakeGraph(options: FakeGraphOptions = {}): Promise<FakeGraph> {
  const tls = options.tls ?? (await createSelfSignedCert());
  const now = options.now ?? Date.now;
  const tenantId = options.tenantId ?? '7d3c3f6e-0b8a-4c1e-9a57-2f1c2d3e4f50';
  const clientId = options.clientId ?? 'b4f6a1d2-3c5e-4f70-8a91-0c2d4e6f8a10';
  const clientSecret = options.clientSecret ?? 'fake-graph-client-secret';
  const identity = new FakeIdentity({
    tenantId, clientId, clientSecret, clientCertificatePem: options.clientCertificatePem,
    roles: options.roles ?? DEFAULT_ROLES, tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 3599, now,
  });
  const budget = new SlidingWindowBudget(options.budget ?? { limit: 200, windowMs: 20_000 }, now);
  const actions = new ActionBook({ settleMs: options.actionSettleMs ?? 300, passcodeInV1: options.passcodeInV1 ?? true, locationInV1: options.locationInV1 ?? true, now });
  const traps: FilterTraps = {
    ignoredFields: new Set(options.filterTraps?.ignoredFields ?? ['userId']),
    emptyValueIgnored: options.filterTraps?.emptyValueIgnored ?? true,
    startsWithActsAsContains: options.filterTraps?.startsWithActsAsContains ?? false,
    orAppliesFirstOnly: options.filterTraps?.orAppliesFirstOnly ?? false,
  };
  const tenant = options.tenant ?? new FakeTenant();
  let counters = emptyCounters();
  const requests: LoggedRequest[] = [];
  const writes: WriteRecord[] = [];
  const revocations: RevocationRecord[] = [];
  const sessionsValidFrom = new Map<string, number>();
  const faults: Array<Fault & { left: number }> = [];
  const ctx: GraphContext = {
    base: '', tenant, actions, budget, traps, now, writes, revocations, sessionsValidFrom,
    pageSize: options.pageSize ?? 1000,
    strictSelect: options.strictSelect ?? true,
    listNulls: new Set(options.listNulls ?? []),
    refuseWindowsLock: options.refuseWindowsLock ?? true,
    onThrottled: () => (counters.throttled += 1),
    onForbidden: () => (counters.forbidden += 1),
  };

  const takeFault = (method: string, path: string) => {
    const fault = faults.find((f) => f.left > 0 && (!f.method || f.method === method) && (!f.path || f.path.test(path)));
    if (fault) fault.left -= 1;
    return fault;
  };
  const faultResponse = (fault: Fault, requestId: string, clientRequestId: string | undefined): FakeResponse | undefined =>
    fault.status === undefined
      ? undefined
      : graphError(fault.status, fault.code ?? (fault.status === 429 ? 'TooManyRequests' : fault.status >= 500 ? 'ServiceUnavailable' : 'BadRequest'), 'Injected by the fake Graph server.', requestId, clientRequestId, now(), fault.retryAfter !== undefined ? { 'Retry-After': fault.retryAfter } : {});

  async function route(req: IncomingMessage, body: string, requestId: string): Promise<{ kind: RequestKind; response: FakeResponse | 'drop' }> {
    const url = new URL(req.url ?? '/', ctx.base);
    const method = req.method ?? 'GET';
    const segments = url.pathname.split('/').filter((s) => s !== '');
    const clientRequestId = header(req, 'client-request-id');
    const first = segments[0] ?? '';

    if (first === 'v1.0' || first === 'beta') {
      const version = first as GraphVersion;
      const isBatch = segments[1] === '$batch' || segments[1] === '%24batch';
      const kind: RequestKind = isBatch ? 'batch' : method === 'GET' ? 'read' : 'write';
      const fault = takeFault(method, url.pathname);
      if (fault?.delayMs) await sleep(fault.delayMs);
      if (fault?.drop) return { kind, response: 'drop' };
      const injected = fault && faultResponse(fault, requestId, clientRequestId);
      if (injected) {
        if (injected.status === 429) counters.throttled += 1;
        return { kind, response: injected };
      }
      const auth = identity.check(header(req, 'authorization'));
      if (!auth.ok) {
        counters.unauthorized += 1;
        return { kind, response: graphError(401, 'InvalidAuthenticationToken', auth.message, requestId, clientRequestId, now(), { 'WWW-Authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"' }) };
      }
      if (isBatch) {
        if (method !== 'POST') return { kind, response: graphError(405, 'BadRequest', '$batch takes POST.', requestId, clientRequestId, now()) };
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          return { kind, response: graphError(400, 'BadRequest', 'Invalid batch payload format.', requestId, clientRequestId, now()) };
        }
        const response = handleBatch(ctx, version, parsed, auth.token, requestId, clientRequestId, {
          order: options.batchOrder ?? 'reversed',
          onItem: (item) => {
            counters.batchItems += 1;
            if (item.method === 'GET') counters.batchReads += 1;
            else counters.batchWrites += 1;
            const itemFault = takeFault(item.method, `/${version}${item.path}`);
            const r = itemFault && faultResponse(itemFault, newRequestId(), clientRequestId);
            if (r?.status === 429) counters.throttled += 1;
            return r;
          },
        });
        return { kind, response };
      }
      const path = url.pathname.slice(first.length + 1);
      let parsedBody: unknown;
      if (body !== '') {
        try {
          parsedBody = JSON.parse(body);
        } catch {
          return { kind, response: graphError(400, 'BadRequest', 'Unable to read JSON request payload.', requestId, clientRequestId, now()) };
        }
      }
      const graphRequest = { method, version, path, rawQuery: url.search.slice(1), query: url.searchParams, requestId, clientRequestId, via: 'direct' as const };
      return { kind, response: handleGraph(ctx, parsedBody === undefined ? graphRequest : { ...graphRequest, body: parsedBody }, auth.token) };
    }

    // Entra: /{tenant}/v2.0/.well-known/openid-configuration, /{tenant}/oauth2/v2.0/token, instance discovery, keys.
    const rest = segments.slice(1).join('/');
    if (method === 'GET' && rest === 'v2.0/.well-known/openid-configuration') return { kind: 'metadata', response: identity.openIdConfiguration(ctx.base, first) };
    if (method === 'GET' && rest === 'discovery/instance') return { kind: 'metadata', response: identity.instanceDiscovery(ctx.base) };
    if (method === 'GET' && rest === 'discovery/v2.0/keys') return { kind: 'metadata', response: { status: 200, headers: { 'content-type': 'application/json' }, body: { keys: [] } } };
    if (method === 'POST' && rest === 'oauth2/v2.0/token') {
      return { kind: 'token', response: identity.token(ctx.base, first, new URLSearchParams(body), clientRequestId ?? requestId) };
    }
    return { kind: 'other', response: { status: 404, headers: { 'content-type': 'application/json' }, body: { error: { code: 'NotFound', message: `The fake Graph server does not serve ${method} ${url.pathname}.` } } } };
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (options.latencyMs) await sleep(options.latencyMs);
    const requestId = newRequestId();
    const { kind, response } = await route(req, Buffer.concat(chunks).toString('utf8'), requestId);
    counters[kind] += 1;
    if (response === 'drop') {
      log(req, kind, 0);
      req.socket.destroy();
      return;
    }
    log(req, kind, response.status);
    const headers: Record<string, string> = { 'request-id': requestId, ...response.headers };
    const clientRequestId = header(req, 'client-request-id');
    if (clientRequestId) headers['client-request-id'] = clientRequestId;
    const text = response.body === undefined ? '' : JSON.stringify(response.body);
    res.writeHead(response.status, headers);
    res.end(text);
  }

  function log(req: IncomingMessage, kind: RequestKind, status: number): void {
    if (requests.length < MAX_LOGGED) requests.push({ at: now(), method: req.method ?? 'GET', url: req.url ?? '/', kind, status });
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'InternalServerError', message: String(error) } }));
    });
  };
  const server: Server = options.plainHttp ? createPlainServer(listener) : createServer({ cert: tls.cert, key: tls.key }, listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `${options.plainHttp ? 'http' : 'https'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ctx.base = url;

  const fake: FakeGraph = {
    url,
    caFile: tls.certFile,
    tls,
    tenantId,
    clientId,
    clientSecret,
    tenant,
    identity,
    budget,
    get counters() {
      return counters;
    },
    requests,
    writes,
    revocations,
    sessionsValidFrom: (userId) => new Date(sessionsValidFrom.get(userId) ?? SESSIONS_VALID_FROM).toISOString(),
    passcodes: actions.passcodes,
    locations: actions.locations,
    env: () => ({
      BACKEND: 'graph',
      AZURE_TENANT_ID: tenantId,
      AZURE_CLIENT_ID: clientId,
      AZURE_CLIENT_SECRET: clientSecret,
      GRAPH_BASE_URL: url,
      AZURE_AUTHORITY_HOST: url,
      NODE_EXTRA_CA_CERTS: tls.certFile,
    }),
    resetCounters() {
      counters = emptyCounters();
      requests.length = 0;
    },
    injectFault(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
