// The one place where a Graph HTTP failure becomes a LockdeskError, with Graph's request-id for support.
import { ERROR_CODES, LockdeskError } from '../../core/errors.js';
import type { GraphHeaders } from './transport.js';

export const ACTION_PERMISSION = 'DeviceManagementManagedDevices.PrivilegedOperations.All';
export const READ_PERMISSION = 'DeviceManagementManagedDevices.Read.All';
export const DIRECTORY_PERMISSION = 'GroupMember.Read.All';
/** signOut: revokeSignInSessions on the device's user (Entra ID, not Intune). */
export const SIGN_OUT_PERMISSION = 'User.RevokeSessions.All';
/** Following a signOut: the user's signInSessionsValidFromDateTime, which only a full user read gives. */
export const USER_READ_PERMISSION = 'User.Read.All';

/** What the failed call was for: it decides which permission a 403 names and what a 400 means. */
export type CallKind = 'action' | 'lookup' | 'directory';

export interface GraphFailure {
  status: number;
  /** The request-id response header, or innerError.request-id from the body. */
  requestId?: string;
  /** error.code from the body (never the message: it can be anything). */
  code?: string;
  retryAfterMs?: number;
}

export function requestIdOf(headers: GraphHeaders | Record<string, string | undefined>, body: unknown): string | undefined {
  const header = typeof headers.get === 'function' ? (headers as GraphHeaders).get('request-id') : (headers as Record<string, string | undefined>)['request-id'] ?? (headers as Record<string, string | undefined>)['Request-Id'];
  if (header) return header;
  const inner = (body as { error?: { innerError?: Record<string, unknown> } } | undefined)?.error?.innerError;
  const id = inner?.['request-id'];
  return typeof id === 'string' ? id : undefined;
}

export function errorCodeOf(body: unknown): string | undefined {
  const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
  return typeof code === 'string' ? code : undefined;
}

const techOf = (failure: GraphFailure, what: string) => `Graph ${what}: HTTP ${failure.status}${failure.code ? ` ${failure.code}` : ''}`;

/** `permission`: the one a 403 names, when the call needs another than its kind's (a user's sign-in sessions). */
export function translateGraphError(failure: GraphFailure, kind: CallKind, what: string, permission?: string): LockdeskError {
  const { status, requestId } = failure;
  const opts = { ...(requestId ? { requestId } : {}) };
  const tech = techOf(failure, what);
  if (status === 403) {
    permission ??= kind === 'action' ? ACTION_PERMISSION : kind === 'directory' ? DIRECTORY_PERMISSION : READ_PERMISSION;
    return new LockdeskError(ERROR_CODES.FORBIDDEN, `${tech}: the app lacks ${permission}`, {
      ...opts,
      // Intune's permissions are Intune's refusal; the others (groups, users' sessions) are Entra ID's.
      userMessage: `${permission.startsWith('DeviceManagement') ? 'Intune' : 'Microsoft Entra ID'} refused: the lockdesk app lacks the permission ${permission} (an administrator must grant it and give admin consent).`,
    });
  }
  if (status === 401) {
    return new LockdeskError(ERROR_CODES.FORBIDDEN, `${tech}: the token was refused twice`, {
      ...opts,
      userMessage: 'Microsoft Graph refused lockdesk\'s sign-in; nothing was sent. An administrator should run `npm run doctor`.',
    });
  }
  if (status === 404) {
    return new LockdeskError(ERROR_CODES.DEVICE_NOT_FOUND, `${tech}: not found`, { ...opts, userMessage: 'That device is no longer in Intune.' });
  }
  if (status === 429) {
    return new LockdeskError(ERROR_CODES.THROTTLED, `${tech}: throttled`, {
      ...opts,
      ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
      userMessage: 'Intune is busy (too many requests); nothing was sent. Try again in a minute.',
    });
  }
  if (status === 400 && kind === 'action') {
    return new LockdeskError(ERROR_CODES.REFUSED, `${tech}: the action was refused`, { ...opts, userMessage: 'Intune refused the action for this device.' });
  }
  if (status >= 500 || status === 408 || status === 0) {
    return new LockdeskError(ERROR_CODES.UNAVAILABLE, `${tech}: Graph is unavailable`, {
      ...opts,
      userMessage: 'Microsoft Graph is not answering right now. Try again in a minute.',
    });
  }
  return new LockdeskError(kind === 'action' ? ERROR_CODES.REFUSED : ERROR_CODES.INTERNAL, `${tech}: unexpected answer`, {
    ...opts,
    userMessage: kind === 'action' ? 'Intune refused the action for this device.' : 'Microsoft Graph gave an answer lockdesk did not expect; nothing was changed.',
  });
}

/**
 * A failed revokeSignInSessions: Entra ID answered about a user, not Intune about a device, so a 404 is a user gone
 * (not a device) and a 400 a refusal by Entra; a 403 names User.RevokeSessions.All.
 */
export function translateSignOutError(failure: GraphFailure, what: string): LockdeskError {
  const opts = { ...(failure.requestId ? { requestId: failure.requestId } : {}) };
  if (failure.status === 404) {
    return new LockdeskError(ERROR_CODES.REFUSED, `${techOf(failure, what)}: no such user`, { ...opts, userMessage: 'Microsoft Entra ID has no such user any more, so no one was signed out.' });
  }
  if (failure.status === 400) {
    return new LockdeskError(ERROR_CODES.REFUSED, `${techOf(failure, what)}: the sign-out was refused`, { ...opts, userMessage: 'Microsoft Entra ID refused to sign out the owner of this device.' });
  }
  return translateGraphError(failure, 'action', what, SIGN_OUT_PERMISSION);
}

/** A lost exchange: a timeout or a dropped connection, where Graph may or may not have received the request. */
export function lostError(what: string, cause: unknown): LockdeskError {
  return new LockdeskError(ERROR_CODES.UNAVAILABLE, `Graph ${what}: no answer (${(cause as Error)?.name ?? 'error'}: ${(cause as Error)?.message ?? String(cause)})`, {
    userMessage: 'Microsoft Graph did not answer in time.',
    cause,
  });
}
