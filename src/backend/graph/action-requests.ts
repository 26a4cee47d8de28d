// The Graph request each action sends for one device: which API version, which URL, which body. Most are a POST
// without a body on the device; Lost Mode and its sound exist only in beta, Lost Mode carries the lock-screen text,
// and signOut is revokeSignInSessions on the device's user. A device whose request cannot be built (its parameters
// are missing) is never sent: an empty Lost Mode body or a sign-out of nobody is a refusal here, not at Graph.
import { ERROR_CODES, LockdeskError } from '../../core/errors.js';
import type { ActionParameters, DeviceAction } from '../../core/types.js';
import { actionVersion, GRAPH_ACTION } from './graph-action.js';
import type { GraphVersion } from './odata.js';

export interface ActionRequest {
  version: GraphVersion;
  /** Under the version: /deviceManagement/managedDevices/{id}/remoteLock, /users/{id}/revokeSignInSessions. */
  url: string;
  /** JSON; absent for the actions that take none (Graph: "Do not supply a request body for this method"). */
  body?: Record<string, string>;
}

const notSent = (action: DeviceAction, deviceId: string, why: string, userMessage: string) =>
  new LockdeskError(ERROR_CODES.NOT_SENT, `Graph ${GRAPH_ACTION[action].path}: ${why} for device ${deviceId}; not sent`, { userMessage });

const deviceUrl = (id: string, action: DeviceAction) => `/deviceManagement/managedDevices/${encodeURIComponent(id)}/${GRAPH_ACTION[action].path}`;

/** The request for one device, or why it is not sent. */
export function actionRequest(action: DeviceAction, deviceId: string, parameters: ActionParameters | undefined): ActionRequest | LockdeskError {
  const version = actionVersion(action);
  if (action === 'signOut') {
    const userId = parameters?.userId?.trim() ?? '';
    if (userId === '') return notSent(action, deviceId, 'no user named', 'lockdesk did not know whose sessions to end (the device has no user), so nothing was sent.');
    return { version, url: `/users/${encodeURIComponent(userId)}/revokeSignInSessions` };
  }
  if (action === 'enableLostMode') {
    const text = parameters?.lostMode;
    // Apple requires a message or a phone number; Intune answers an empty one with an opaque 400.
    if (!text || (text.message.trim() === '' && text.phoneNumber.trim() === '')) {
      return notSent(action, deviceId, 'no lock-screen message and no phone number', 'Lost Mode needs a message or a phone number for the lock screen, and lockdesk had neither, so nothing was sent.');
    }
    // Exactly the three documented fields, whatever else the caller's object carries.
    return { version, url: deviceUrl(deviceId, action), body: { message: text.message, phoneNumber: text.phoneNumber, footer: text.footer } };
  }
  return { version, url: deviceUrl(deviceId, action) };
}
