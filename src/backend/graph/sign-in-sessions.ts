// signOut's state. revokeSignInSessions is synchronous and leaves no action result: what it changes is the user's
// signInSessionsValidFromDateTime (set to the time of the revoke). So a sign-out is done, as of that time, once the
// property is set; the core tells ours from an older one by comparing that time with when it sent the action.
import { ERROR_CODES, isLockdeskError } from '../../core/errors.js';
import type { ActionStatus } from '../../core/types.js';
import { USER_READ_PERMISSION } from './graph-errors.js';
import type { GraphHttp } from './http.js';
import { query } from './odata.js';

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** userId: the user signed out, when the caller knows it; else the device's user now (one more request). */
export async function readSignOutStatus(http: GraphHttp, deviceId: string, options: { userId?: string; deadlineAt?: number } = {}): Promise<ActionStatus> {
  const deadline = options.deadlineAt !== undefined ? { deadlineAt: options.deadlineAt } : {};
  let userId = text(options.userId);
  if (userId === '') {
    // A 404 here is the device gone (device_not_found), as for every other action's state.
    const device = await http.call('GET', `/v1.0/deviceManagement/managedDevices/${encodeURIComponent(deviceId)}${query({ $select: 'userId' })}`, { kind: 'lookup', what: 'device user (sign-out state)', ...deadline });
    userId = text((device.body as { userId?: unknown } | undefined)?.userId);
  }
  if (userId === '') return { state: 'none' };
  let body: unknown;
  try {
    // Graph returns the property only when it is named in $select.
    ({ body } = await http.call('GET', `/v1.0/users/${encodeURIComponent(userId)}${query({ $select: 'signInSessionsValidFromDateTime' })}`, {
      kind: 'lookup', what: 'sign-in sessions', permission: USER_READ_PERMISSION, ...deadline,
    }));
  } catch (error) {
    // The user is gone from Entra ID: nobody is signed in as them, and nothing of ours can be seen.
    if (isLockdeskError(error) && error.code === ERROR_CODES.DEVICE_NOT_FOUND) return { state: 'none' };
    throw error;
  }
  const validFrom = text((body as { signInSessionsValidFromDateTime?: unknown } | undefined)?.signInSessionsValidFromDateTime);
  if (validFrom === '' || Number.isNaN(Date.parse(validFrom))) return { state: 'none' };
  return { state: 'done', startedAt: validFrom };
}
