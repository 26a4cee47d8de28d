// The remote actions as the fake serves them: POST /{version}/deviceManagement/managedDevices/{id}/{action}, under
// the write budget, with PrivilegedOperations.All. Lost Mode and its sound exist in beta only (404 on v1.0); Lost
// Mode's body is checked as Intune does (an opaque 400 for an empty or unknown one); a Windows PC's lock is refused.
import { ACTION_NAMES, BETA_ONLY_ACTIONS, type ActionName } from './action-rules.js';
import type { GraphContext, GraphRequest, GraphVersion } from './graph-routes.js';
import { PRIVILEGED_ROLE, type IssuedToken } from './identity.js';
import type { FakeResponse } from './responses.js';
import type { FakeDevice } from './tenant.js';

export interface WriteRecord {
  at: number;
  deviceId: string;
  deviceName: string;
  action: ActionName;
  version: GraphVersion;
  via: 'direct' | 'batch';
  requestId: string;
  /** What the action was sent with (enableLostMode's lock-screen text); absent without a body. */
  body?: unknown;
}

type ErrFn = (status: number, code: string, message: string, headers?: Record<string, string>) => FakeResponse;

/** target.device: the device when it exists in the request's scope, else undefined (404, after the budget). */
export function handleAction(
  ctx: GraphContext,
  req: GraphRequest,
  token: IssuedToken,
  target: { id: string; device: FakeDevice | undefined },
  rawSegment: string,
  err: ErrFn,
  forbidden: (needed: string[]) => FakeResponse,
): FakeResponse {
  const segment = rawSegment.replace(/^microsoft\.graph\./, '');
  if (!(ACTION_NAMES as readonly string[]).includes(segment)) return err(400, 'BadRequest', `Resource not found for the segment '${rawSegment}'.`);
  const actionName = segment as ActionName;
  if (req.version === 'v1.0' && BETA_ONLY_ACTIONS.has(actionName)) return err(404, 'ResourceNotFound', `Resource not found for the segment '${rawSegment}' in v1.0: ${actionName} is in beta only.`);
  if (req.method !== 'POST') return err(405, 'BadRequest', `The HTTP method '${req.method}' is not allowed for ${actionName}.`);
  if (!token.roles.includes(PRIVILEGED_ROLE)) return forbidden([PRIVILEGED_ROLE]);
  const taken = ctx.budget.take(token.appId);
  if (!taken.ok) {
    ctx.onThrottled();
    const response = err(429, 'TooManyRequests', 'Please retry again later.', { 'Retry-After': String(taken.retryAfterSeconds) });
    ((response.body as { error: { innerError: Record<string, string> } }).error.innerError).code = '429';
    return response;
  }
  const { id, device } = target;
  if (!device) return err(404, 'ResourceNotFound', `The managed device '${id}' was not found.`);
  // Intune's opaque refusal: no reason, only ids for support.
  const opaque = () =>
    err(400, 'BadRequest', `{"_version":3,"Message":"An error has occurred - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000 - Activity ID: ${req.requestId} - Url: https://fef.msua06.manage.microsoft.com/DeviceFE/StatelessDeviceFEService/deviceManagement/managedDevices('${id}')/microsoft.management.services.api.${actionName}?api-version=2024-01-01","CustomApiErrorPhrase":"","RetryAfter":null,"ErrorSourceService":"","HttpHeaders":"{}"}`);
  if (actionName === 'remoteLock' && ctx.refuseWindowsLock && String(device.json.operatingSystem).startsWith('Windows')) return opaque();
  if (actionName === 'enableLostMode' && !validLostModeBody(req.body)) return opaque();
  ctx.actions.record(device, actionName);
  ctx.writes.push({
    at: ctx.now(), deviceId: id, deviceName: device.json.deviceName, action: actionName, version: req.version, via: req.via, requestId: req.requestId,
    ...(req.body !== undefined ? { body: req.body } : {}),
  });
  return { status: 204, headers: {} };
}

const LOST_MODE_FIELDS = new Set(['message', 'phoneNumber', 'footer']);

/** enableLostMode's body: only its documented string fields, with a message or a phone number (Apple requires one). */
function validLostModeBody(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const entries = Object.entries(body);
  if (!entries.every(([k, v]) => LOST_MODE_FIELDS.has(k) && typeof v === 'string')) return false;
  const b = body as Record<string, string>;
  return (b.message ?? '').trim() !== '' || (b.phoneNumber ?? '').trim() !== '';
}
