// Failures a test can ask the simulated tenant to produce, and the errors Graph's equivalents translate to.
import { ERROR_CODES, LockdeskError } from '../../core/errors.js';
import type { DeviceAction } from '../../core/types.js';

/**
 * refused, throttled: the dispatch result for that device fails (nothing recorded).
 * unavailable: the whole dispatch call throws (nothing recorded).
 * failed, notSupported: the dispatch succeeds and the action later settles in that state.
 */
export const FAILURE_KINDS = ['refused', 'throttled', 'unavailable', 'failed', 'notSupported'] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** What a throttled dispatch asks the caller to wait, as Graph's Retry-After would. */
export const THROTTLE_RETRY_AFTER_MS = 2_000;

export class FailurePlan {
  readonly #planned = new Map<string, FailureKind>();

  set(deviceId: string, action: DeviceAction, kind: FailureKind): void {
    this.#planned.set(`${deviceId}\u0000${action}`, kind);
  }

  get(deviceId: string, action: DeviceAction): FailureKind | undefined {
    return this.#planned.get(`${deviceId}\u0000${action}`);
  }

  clear(): void {
    this.#planned.clear();
  }
}

/** The error a refused, throttled or unavailable dispatch produces. */
export function injectedError(kind: 'refused' | 'throttled' | 'unavailable', deviceId: string, action: DeviceAction): LockdeskError {
  switch (kind) {
    case 'refused':
      return new LockdeskError(ERROR_CODES.REFUSED, `Simulated tenant refused ${action} for device ${deviceId} (injected)`, {
        userMessage: 'Intune refused the request for this device; nothing was sent to it.',
      });
    case 'throttled':
      return new LockdeskError(ERROR_CODES.THROTTLED, `Simulated tenant throttled ${action} for device ${deviceId} (injected)`, {
        userMessage: 'Intune asked lockdesk to slow down; nothing was sent to this device yet.',
        retryAfterMs: THROTTLE_RETRY_AFTER_MS,
      });
    case 'unavailable':
      return new LockdeskError(ERROR_CODES.UNAVAILABLE, `Simulated tenant unavailable while sending ${action} to device ${deviceId} (injected)`, {
        userMessage: 'Intune could not be reached; nothing was sent. Try again in a few minutes.',
      });
  }
}
