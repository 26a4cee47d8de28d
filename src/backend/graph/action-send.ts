// Sends one action to devices, one exchange per device: a plain POST for one device, JSON $batch (20 items at
// most) for several. Every item counts one write against the limiter. Nothing here retries.
import type { DeviceAction } from '../../core/types.js';
import { GRAPH_ACTION } from './action-status.js';
import { requestIdOf } from './graph-errors.js';
import type { GraphHttp } from './http.js';

export const BATCH_LIMIT = 20;

/** What came back for one device: an answer, or nothing (timeout, dropped connection, missing batch item). */
export type ItemOutcome =
  | { kind: 'response'; status: number; retryAfter: string | undefined; requestId: string | undefined; body: unknown }
  | { kind: 'lost'; cause: unknown }
  /** Not sent: the caller said no just before the request would have left (see DispatchOptions.maySend). */
  | { kind: 'withheld' }
  /** Not sent: the token or the write limiter failed before this request left (other requests keep their outcomes). */
  | { kind: 'unsent'; error: unknown };

const actionUrl = (id: string, action: DeviceAction) => `/deviceManagement/managedDevices/${encodeURIComponent(id)}/${GRAPH_ACTION[action].path}`;

/**
 * batchSize: at most 20 (Graph's limit) and at most the write budget. `maySend` is asked just before each request
 * leaves (after the write limiter's wait): a no withholds that request's devices.
 */
export async function sendAction(
  http: GraphHttp,
  action: DeviceAction,
  ids: readonly string[],
  batchSize = BATCH_LIMIT,
  maySend: () => boolean = () => true,
  /** Each batch's outcomes as soon as they are known (a bulk action's batches wait their turn in the write budget). */
  onBatch: (outcomes: Map<string, ItemOutcome>) => void = () => {},
): Promise<Map<string, ItemOutcome>> {
  const size = Math.max(1, Math.min(BATCH_LIMIT, batchSize));
  const out = new Map<string, ItemOutcome>();
  if (ids.length === 1) {
    const id = ids[0]!;
    let exchange;
    try {
      exchange = await http.send('POST', `/v1.0${actionUrl(id, action)}`, { kind: 'action', what: GRAPH_ACTION[action].path, writes: 1, retry: false, gate: maySend });
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
  for (let i = 0; i < ids.length; i += size) {
    const chunk = ids.slice(i, i + size);
    // One chunk's failure before it left (a token that cannot be had) says nothing of the chunks already sent.
    let outcomes: Map<string, ItemOutcome>;
    try {
      outcomes = await sendBatch(http, action, chunk, maySend);
    } catch (error) {
      outcomes = new Map(chunk.map((id) => [id, { kind: 'unsent', error }]));
    }
    for (const [id, outcome] of outcomes) out.set(id, outcome);
    onBatch(outcomes);
  }
  return out;
}

async function sendBatch(http: GraphHttp, action: DeviceAction, ids: readonly string[], maySend: () => boolean): Promise<Map<string, ItemOutcome>> {
  const out = new Map<string, ItemOutcome>();
  const requests = ids.map((id, n) => ({ id: String(n + 1), method: 'POST', url: actionUrl(id, action) }));
  const exchange = await http.send('POST', '/v1.0/$batch', { kind: 'action', what: `${GRAPH_ACTION[action].path} ($batch)`, writes: ids.length, retry: false, body: { requests }, gate: maySend });
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
