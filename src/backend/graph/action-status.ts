// An action's state from the device's deviceActionResults, a reset's temporary passcode, a Mac lock's unlock PIN and
// a locate's location (each from v1.0, else beta; a beta-only action's from beta).
import { locationSecret } from '../../core/location.js';
import type { ActionState, ActionStatus, DeviceAction } from '../../core/types.js';
import { ACTION_STATES, Secret } from '../../core/types.js';
import type { GraphDevice } from './device-map.js';
import { actionVersion, GRAPH_ACTION } from './graph-action.js';
import type { GraphHttp } from './http.js';
import type { GraphVersion } from './odata.js';
import { readSignOutStatus } from './sign-in-sessions.js';

type RawResult = Record<string, unknown>;

const lowered = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : '');

function isFor(action: DeviceAction, result: RawResult): boolean {
  const spec = GRAPH_ACTION[action];
  // The generic result type names no action: only the actionName tells those apart.
  const typed = spec.odataType !== '' && spec.odataType !== '#microsoft.graph.deviceactionresult' && lowered(result['@odata.type']) === spec.odataType;
  return typed || spec.names.includes(lowered(result['actionName']));
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
const resultsPath = (version: GraphVersion, id: string) =>
  `/${version}/deviceManagement/managedDevices/${encodeURIComponent(id)}?$select=${version === 'v1.0' ? 'deviceActionResults,operatingSystem' : 'deviceActionResults'}`;

type SecretField = 'passcode' | 'unlockPin' | 'location';

/** What a finished action hands over, from its result: a reset's passcode, a Mac lock's PIN, a locate's location. */
const SECRETS: Partial<Record<DeviceAction, { field: SecretField; read: (result: RawResult | undefined) => Secret | undefined }>> = {
  resetPasscode: { field: 'passcode', read: (r) => textSecret(r, 'passcode') },
  lock: { field: 'unlockPin', read: (r) => textSecret(r, 'unlockPin') },
  locateDevice: { field: 'location', read: (r) => foundLocation(r) },
};

function textSecret(result: RawResult | undefined, field: string): Secret | undefined {
  const value = result?.[field];
  return typeof value === 'string' && value !== '' ? new Secret(value) : undefined;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** locateDeviceActionResult.deviceLocation as the one private text (location.ts); nothing of it is kept or logged. */
function foundLocation(result: RawResult | undefined): Secret | undefined {
  const raw = result?.['deviceLocation'];
  if (typeof raw !== 'object' || raw === null) return undefined;
  const l = raw as Record<string, unknown>;
  const latitude = num(l['latitude']);
  const longitude = num(l['longitude']);
  if (latitude === undefined || longitude === undefined) return undefined;
  const accuracy = num(l['horizontalAccuracy']);
  const collected = typeof l['lastCollectedDateTime'] === 'string' ? l['lastCollectedDateTime'] : undefined;
  return locationSecret({ latitude, longitude, ...(accuracy !== undefined ? { horizontalAccuracy: accuracy } : {}), ...(collected ? { lastCollectedDateTime: collected } : {}) });
}

export interface StatusReadOptions {
  deadlineAt?: number;
  /** signOut: the user lockdesk signed out, when known (a dispatch's own check); else the device's user now. */
  userId?: string;
}

/**
 * Reads the state (404 becomes device_not_found); for a finished reset the passcode, for a Mac's lock the PIN, for a
 * locate the location, each as a Secret. signOut has no action result: see sign-in-sessions.ts.
 */
export async function readActionStatus(http: GraphHttp, deviceId: string, action: DeviceAction, options: StatusReadOptions = {}): Promise<ActionStatus> {
  if (action === 'signOut') return readSignOutStatus(http, deviceId, options);
  const opts = { kind: 'lookup' as const, what: 'action state', ...(options.deadlineAt !== undefined ? { deadlineAt: options.deadlineAt } : {}) };
  // An action Graph has only in beta is asked about there: v1.0 is not known to serialise its results.
  const version = actionVersion(action);
  const { body } = await http.call('GET', resultsPath(version, deviceId), opts);
  const result = pickResult(action, body as GraphDevice);
  const status = toStatus(result);
  if (status.state !== 'done') return status;
  if (action === 'lock' && lowered((body as GraphDevice | undefined)?.['operatingSystem']) !== 'macos') return status;
  const spec = SECRETS[action];
  if (!spec) return status;
  let secret = spec.read(result);
  if (!secret && version === 'v1.0') {
    // v1.0 documents the passcode, the PIN and the location but may not serialise them; beta is the known-good path.
    try {
      const beta = await http.call('GET', resultsPath('beta', deviceId), { ...opts, what: 'action state (beta)' });
      secret = spec.read(pickResult(action, beta.body as GraphDevice));
    } catch {
      // None then: the action still counts as done (iOS removes the passcode and gives none; the PIN is in Intune).
    }
  }
  if (secret) status[spec.field] = secret;
  return status;
}
