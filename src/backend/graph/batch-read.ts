// Devices read by id through JSON $batch, 20 to an envelope (Graph's limit): one round trip per 20 devices, each
// item still a request of its own for Graph's throttling.
import { ERROR_CODES, LockdeskError } from '../../core/errors.js';
import type { GraphDevice } from './device-map.js';
import type { GraphHttp } from './http.js';
import { query, select, type GraphVersion } from './odata.js';

export const BATCH_LIMIT = 20;

interface BatchAnswer {
  responses?: Array<{ status?: number; body?: GraphDevice }>;
}

/**
 * The devices Graph has, among `ids`; an id it answers 404 for is left out. An item it refuses (400, e.g. a
 * $select this version does not know) fails the read as an unexpected answer (code internal), any other failed
 * item as unavailable: a partial answer is never taken for the whole.
 */
export async function batchGet(http: GraphHttp, version: GraphVersion, ids: readonly string[], fields: readonly string[], what: string): Promise<GraphDevice[]> {
  const devices: GraphDevice[] = [];
  const params = query({ $select: select(fields) });
  for (let i = 0; i < ids.length; i += BATCH_LIMIT) {
    const chunk = ids.slice(i, i + BATCH_LIMIT);
    const requests = chunk.map((id, n) => ({ id: String(n + 1), method: 'GET', url: `/deviceManagement/managedDevices/${encodeURIComponent(id)}${params}` }));
    const { body } = await http.call('POST', `/${version}/$batch`, { kind: 'lookup', what, body: { requests } });
    for (const item of (body as BatchAnswer | undefined)?.responses ?? []) {
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
  }
  return devices;
}
