// An action's state from the device's deviceActionResults, a reset's temporary passcode and a Mac lock's unlock PIN
// (each from v1.0, else beta).
import type { ActionState, ActionStatus, DeviceAction } from '../../core/types.js';
import { ACTION_STATES, Secret } from '../../core/types.js';
import type { GraphDevice } from './device-map.js';
import type { GraphHttp } from './http.js';

/** Graph's names for each action: the result's @odata.type and its actionName (case unknown: compared lowered). */
export const GRAPH_ACTION: Record<DeviceAction, { path: string; odataType: string; names: readonly string[] }> = {
  lock: { path: 'remoteLock', odataType: '#microsoft.graph.remotelockactionresult', names: ['remotelock', 'lock'] },
  resetPasscode: { path: 'resetPasscode', odataType: '#microsoft.graph.resetpasscodeactionresult', names: ['resetpasscode', 'removepasscode'] },
};

type RawResult = Record<string, unknown>;

const lowered = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : '');

function isFor(action: DeviceAction, result: RawResult): boolean {
  const spec = GRAPH_ACTION[action];
  return lowered(result['@odata.type']) === spec.odataType || spec.names.includes(lowered(result['actionName']));
}

/** The latest result for the action (by startDateTime), if any. */
export function pickResult(action: DeviceAction, device: GraphDevice | undefined): RawResult | undefined {
  const results = Array.isArray(device?.['deviceActionResults']) ? (device['deviceActionResults'] as unknown[]) : [];
  const mine = results.filter((r): r is RawResult => typeof r === 'object' && r !== null && isFor(action, r as RawResult));
  const started = (r: RawResult) => (typeof r['startDateTime'] === 'string' ? Date.parse(r['startDateTime']) || 0 : 0);
  return mine.sort((a, b) => started(b) - started(a))[0];
}

/** Graph's actionState; a value lockdesk does not know counts as still pending, so the core keeps watching. */
export function mapState(value: unknown): ActionState {
  const found = ACTION_STATES.find((s) => s.toLowerCase() === lowered(value));
  return found ?? 'pending';
}

export function toStatus(result: RawResult | undefined): ActionStatus {
  if (!result) return { state: 'none' };
  const status: ActionStatus = { state: mapState(result['actionState']) };
  if (typeof result['startDateTime'] === 'string') status.startedAt = result['startDateTime'];
  if (typeof result['lastUpdatedDateTime'] === 'string') status.updatedAt = result['lastUpdatedDateTime'];
  return status;
}

// v1.0 is asked for the device's operatingSystem too: only a Mac's finished lock is worth a second (beta) request.
const resultsPath = (version: 'v1.0' | 'beta', id: string) =>
  `/${version}/deviceManagement/managedDevices/${encodeURIComponent(id)}?$select=${version === 'v1.0' ? 'deviceActionResults,operatingSystem' : 'deviceActionResults'}`;

/** The result field that holds each action's secret: a reset's temporary passcode, a Mac lock's unlock PIN. */
const SECRET_FIELD: Record<DeviceAction, 'passcode' | 'unlockPin'> = { resetPasscode: 'passcode', lock: 'unlockPin' };

const text = (result: RawResult | undefined, field: string) => (typeof result?.[field] === 'string' ? result[field] : '');

/** Reads the state (404 becomes device_not_found); for a finished reset the passcode, for a Mac's lock the PIN, as a Secret. */
export async function readActionStatus(http: GraphHttp, deviceId: string, action: DeviceAction, deadlineAt?: number): Promise<ActionStatus> {
  const opts = { kind: 'lookup' as const, what: 'action state', ...(deadlineAt !== undefined ? { deadlineAt } : {}) };
  const { body } = await http.call('GET', resultsPath('v1.0', deviceId), opts);
  const result = pickResult(action, body as GraphDevice);
  const status = toStatus(result);
  if (status.state !== 'done') return status;
  if (action === 'lock' && lowered((body as GraphDevice | undefined)?.['operatingSystem']) !== 'macos') return status;
  const field = SECRET_FIELD[action];
  let secret = text(result, field);
  if (secret === '') {
    // v1.0 documents the passcode and the PIN but may not serialise them; beta is the known-good path.
    try {
      const beta = await http.call('GET', resultsPath('beta', deviceId), { ...opts, what: 'action state (beta)' });
      secret = text(pickResult(action, beta.body as GraphDevice), field);
    } catch {
      // None then: the action still counts as done (iOS removes the passcode and gives none; the PIN is in Intune).
    }
  }
  if (secret !== '') status[field] = new Secret(secret);
  return status;
}
