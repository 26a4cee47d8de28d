// Devices read by id through JSON $batch, 20 to an envelope (Graph's limit): one round trip per 20 devices, each
// item still a request of its own for Graph's throttling.
import { ERROR_CODES, LockdeskError } from '../../core/errors.js';
import type { GraphDevice } from './device-map.js';
import type { GraphHttp } from './http.js';
import { query, select, type GraphVersion } from './odata.js';

export const BATCH_LIMIT = 20;

interface BatchAnswer {
  responses?: Array<{ id?: string; status?: number; headers?: Record<string, unknown>; body?: GraphDevice }>;
}

/** Tries of an item Graph throttles (429), the first included: a bulk action re-reads hundreds of devices at once. */
export const THROTTLED_TRIES = 5;

/**
 * The devices Graph has, among `ids`; an id it answers 404 for is left out. An item it refuses (400, e.g. a
 * $select this version does not know) fails the read as an unexpected answer (code internal), any other failed
 * item as unavailable: a partial answer is never taken for the whole.
 */
export async function batchGet(http: GraphHttp, version: GraphVersion, ids: readonly string[], fields: readonly string[], what: string): Promise<GraphDevice[]> {
  const devices: GraphDevice[] = [];
  const params = query({ $select: select(fields) });
  for (let i = 0; i < ids.length; i += BATCH_LIMIT) {
    let chunk = ids.slice(i, i + BATCH_LIMIT);
    // Items over Intune's read budget answer 429: those are asked again after the wait Graph names, a few times.
    for (let attempt = 0; chunk.length > 0; attempt++) {
      const requests = chunk.map((id, n) => ({ id: String(n + 1), method: 'GET', url: `/deviceManagement/managedDevices/${encodeURIComponent(id)}${params}` }));
      const { body } = await http.call('POST', `/${version}/$batch`, { kind: 'lookup', what, body: { requests } });
      const throttled: Array<{ id: string; headers: Record<string, unknown> | undefined }> = [];
      for (const item of (body as BatchAnswer | undefined)?.responses ?? []) {
        const id = chunk[Number(item.id) - 1];
        if (item.status === 429 && id !== undefined && attempt + 1 < THROTTLED_TRIES) throttled.push({ id, headers: item.headers });
        else takeItem(item, devices, what);
      }
      chunk = throttled.map((t) => t.id);
      if (throttled.length > 0) await http.waitForItem(attempt, throttled.find((t) => t.headers)?.headers);
    }
  }
  return devices;
}

/** One answered item: its device, nothing for a 404, or the read fails (see batchGet). */
function takeItem(item: NonNullable<BatchAnswer['responses']>[number], devices: GraphDevice[], what: string): void {
  if (item.status === 200 && item.body) devices.push(item.body);
  else if (item.status === 400) {
    throw new LockdeskError(ERROR_CODES.INTERNAL, `Graph ${what}: a batch item answered 400`, {
      userMessage: 'Microsoft Graph gave an answer lockdesk did not expect; nothing was changed.',
    });
  } else if (item.status !== 404) {
    throw new LockdeskError(ERROR_CODES.UNAVAILABLE, `Graph ${what}: a batch item answered ${item.status}`, {
      userMessage: 'Intune did not answer for every device, so nothing was sent. Try again shortly.',
    });
  }
}
