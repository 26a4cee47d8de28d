// JSON batching: POST /{version}/$batch with at most 20 requests, each run through the same routes (and the same
// write budget: every item counts on its own), the envelope 200 whatever the items' statuses, dependsOn honoured
// (a failed dependency gives 424), and the responses in an order of the fake's choosing.
import type { IssuedToken } from './identity.js';
import { handleGraph, type GraphContext, type GraphVersion } from './graph-routes.js';
import { graphError, json, newRequestId, type FakeResponse } from './responses.js';

export const MAX_BATCH = 20;

interface BatchItem {
  id: string;
  method: string;
  url: string;
  dependsOn?: string[];
  headers?: Record<string, string>;
  body?: unknown;
}

export interface BatchOptions {
  order: 'request' | 'reversed';
  /** Called per item, so the server can count it and apply injected faults. */
  onItem: (item: { method: string; path: string }) => FakeResponse | undefined;
}

const isJson = (headers: Record<string, string> | undefined) =>
  Object.entries(headers ?? {}).some(([name, value]) => name.toLowerCase() === 'content-type' && typeof value === 'string' && value.toLowerCase().startsWith('application/json'));

export function handleBatch(ctx: GraphContext, version: GraphVersion, body: unknown, token: IssuedToken, requestId: string, clientRequestId: string | undefined, options: BatchOptions): FakeResponse {
  const bad = (message: string) => graphError(400, 'BadRequest', message, requestId, clientRequestId, ctx.now());
  const requests = (body as { requests?: unknown } | null)?.requests;
  if (!Array.isArray(requests)) return bad('Invalid batch payload format.');
  if (requests.length === 0) return bad('The batch request must contain at least one request.');
  if (requests.length > MAX_BATCH) return bad(`Number of batch requests exceeds the limit of ${MAX_BATCH}.`);
  const items = requests as BatchItem[];
  const ids = new Set<string>();
  for (const item of items) {
    if (typeof item?.id !== 'string' || item.id === '' || typeof item.method !== 'string' || typeof item.url !== 'string') return bad('Every batch request needs an id, a method and a url.');
    if (ids.has(item.id)) return bad(`Batch request id '${item.id}' is used more than once.`);
    ids.add(item.id);
  }

  const statuses = new Map<string, number>();
  const responses: Array<Record<string, unknown>> = [];
  for (const item of items) {
    const itemRequestId = newRequestId();
    let response: FakeResponse;
    const failedDependency = (item.dependsOn ?? []).find((dep) => (statuses.get(dep) ?? 424) >= 400);
    if (failedDependency !== undefined) {
      response = graphError(424, 'FailedDependency', `The request depends on '${failedDependency}', which failed.`, itemRequestId, clientRequestId, ctx.now());
    } else if (item.body !== undefined && !isJson(item.headers)) {
      // Graph: "Content-Type header must be specified" for an item with a body (the envelope's says nothing of it).
      response = graphError(400, 'BadRequest', 'Content-Type header must be specified for a batch request with a body.', itemRequestId, clientRequestId, ctx.now());
    } else if (/^[a-z]+:\/\//i.test(item.url)) {
      response = graphError(400, 'BadRequest', 'Batch request urls must be relative to the version, e.g. /deviceManagement/managedDevices.', itemRequestId, clientRequestId, ctx.now());
    } else {
      const url = new URL(item.url.startsWith('/') ? item.url : `/${item.url}`, 'https://batch.invalid');
      response =
        options.onItem({ method: item.method.toUpperCase(), path: url.pathname }) ??
        handleGraph(
          ctx,
          {
            method: item.method.toUpperCase(), version, path: url.pathname, rawQuery: url.search.slice(1), query: url.searchParams, requestId: itemRequestId, clientRequestId, via: 'batch',
            ...(item.body !== undefined ? { body: item.body } : {}),
          },
          token,
        );
    }
    statuses.set(item.id, response.status);
    const headers: Record<string, string> = { 'request-id': itemRequestId, ...response.headers };
    if (response.status === 204) delete headers['content-type'];
    responses.push({ id: item.id, status: response.status, headers, ...(response.body !== undefined ? { body: response.body } : {}) });
  }
  if (options.order === 'reversed') responses.reverse();
  return json(200, { responses });
}
