// Sends one action to devices, one exchange per device: a plain POST for one device, JSON $batch (20 items at
// most, all of one API version) for several. Every item counts one write against the limiter. Nothing here retries.
import type { DeviceAction } from '../../core/types.js';
import type { ActionRequest } from './action-requests.js';
import { GRAPH_ACTION } from './graph-action.js';
import { requestIdOf } from './graph-errors.js';
import type { GraphHttp } from './http.js';
import type { GraphVersion } from './odata.js';

export const BATCH_LIMIT = 20;

/** What came back for one device: an answer, or nothing (timeout, dropped connection, missing batch item). */
export type ItemOutcome =
  | { kind: 'response'; status: number; retryAfter: string | undefined; requestId: string | undefined; body: unknown }
  | { kind: 'lost'; cause: unknown }
  /** Not sent: the caller said no just before the request would have left (see DispatchOptions.maySend). */
  | { kind: 'withheld' }
  /** Not sent: the token or the write limiter failed before this request left (other requests keep their outcomes). */
  | { kind: 'unsent'; error: unknown };

/**
 * batchSize: at most 20 (Graph's limit) and at most the write budget. `maySend` is asked just before each request
 * leaves (after the write limiter's wait): a no withholds that request's devices.
 */
export async function sendAction(
  http: GraphHttp,
  action: DeviceAction,
  /** Each device's request, in the order they are sent (see action-requests.ts). */
  requests: ReadonlyMap<string, ActionRequest>,
  batchSize = BATCH_LIMIT,
  maySend: () => boolean = () => true,
  /** Each batch's outcomes as soon as they are known (a bulk action's batches wait their turn in the write budget). */
  onBatch: (outcomes: Map<string, ItemOutcome>) => void = () => {},
): Promise<Map<string, ItemOutcome>> {
  const size = Math.max(1, Math.min(BATCH_LIMIT, batchSize));
  const out = new Map<string, ItemOutcome>();
  if (requests.size === 1) {
    const [id, request] = [...requests][0]!;
    let exchange;
    try {
      exchange = await http.send('POST', `/${request.version}${request.url}`, {
        kind: 'action', what: GRAPH_ACTION[action].path, writes: 1, retry: false, gate: maySend, ...(request.body ? { body: request.body } : {}),
      });
    } catch (error) {
      return out.set(id, { kind: 'unsent', error });
    }
    out.set(
      id,
      exchange.kind !== 'response'
        ? exchange
        : {
            kind: 'response',
            status: exchange.response.status,
            retryAfter: exchange.response.headers.get('retry-after') ?? undefined,
            requestId: exchange.response.requestId,
            body: exchange.response.body,
          },
    );
    onBatch(out);
    return out;
  }
  // A $batch envelope speaks one API version: its items' URLs are relative to it.
  const byVersion = new Map<GraphVersion, string[]>();
  for (const [id, request] of requests) byVersion.set(request.version, [...(byVersion.get(request.version) ?? []), id]);
  for (const [version, ids] of byVersion) {
    for (let i = 0; i < ids.length; i += size) {
      const chunk = ids.slice(i, i + size);
      // One chunk's failure before it left (a token that cannot be had) says nothing of the chunks already sent.
      let outcomes: Map<string, ItemOutcome>;
      try {
        outcomes = await sendBatch(http, action, version, chunk.map((id) => [id, requests.get(id)!]), maySend);
      } catch (error) {
        outcomes = new Map(chunk.map((id) => [id, { kind: 'unsent', error }]));
      }
      for (const [id, outcome] of outcomes) out.set(id, outcome);
      onBatch(outcomes);
    }
  }
  return out;
}

/**
 * One batch item: a JSON body goes with its own Content-Type, which Graph requires of every item that has a body
 * (the envelope's header says nothing about the items).
 */
const batchItem = (n: number, request: ActionRequest) => ({
  id: String(n + 1),
  method: 'POST',
  url: request.url,
  ...(request.body ? { headers: { 'Content-Type': 'application/json' }, body: request.body } : {}),
});

async function sendBatch(http: GraphHttp, action: DeviceAction, version: GraphVersion, chunk: ReadonlyArray<[string, ActionRequest]>, maySend: () => boolean): Promise<Map<string, ItemOutcome>> {
  const out = new Map<string, ItemOutcome>();
  const ids = chunk.map(([id]) => id);
  const requests = chunk.map(([, request], n) => batchItem(n, request));
  const exchange = await http.send('POST', `/${version}/$batch`, { kind: 'action', what: `${GRAPH_ACTION[action].path} ($batch)`, writes: ids.length, retry: false, body: { requests }, gate: maySend });
  if (exchange.kind !== 'response') {
    for (const id of ids) out.set(id, exchange);
    return out;
  }
  const { response } = exchange;
  const items = (response.body as { responses?: unknown } | undefined)?.responses;
  if (response.status !== 200 || !Array.isArray(items)) {
    // The envelope failed as a whole: every item shares its status.
    for (const id of ids) {
      out.set(id, { kind: 'response', status: response.status, retryAfter: response.headers.get('retry-after') ?? undefined, requestId: response.requestId, body: response.body });
    }
    return out;
  }
  for (const raw of items as Array<Record<string, unknown>>) {
    const index = Number(raw['id']) - 1;
    const id = ids[index];
    if (id === undefined || typeof raw['status'] !== 'number') continue;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries((raw['headers'] as Record<string, unknown> | undefined) ?? {})) if (typeof v === 'string') headers[k.toLowerCase()] = v;
    out.set(id, { kind: 'response', status: raw['status'], retryAfter: headers['retry-after'], requestId: requestIdOf(headers, raw['body']) ?? response.requestId, body: raw['body'] });
  }
  // An item Graph did not answer for is uncertain, like a lost connection.
  for (const id of ids) if (!out.has(id)) out.set(id, { kind: 'lost', cause: new Error('no answer for this item in the $batch response') });
  return out;
}
